"""``benefits-estimator worker``: a process that runs batch lanes from the queue (any number, on any machines).

Start-up mirrors ``serve``: the database (embedded unless DATABASE_URL; migrations and the queue's schema as
the owner, then the grants), an asyncpg pool and the queue as the least-privileged app role (APP_DATABASE_URL,
or ``benefits_app`` when embedded; :mod:`service.db.app_role`),
the clearinghouse client chosen by CLEARINGHOUSE_PROTOCOL (a sandbox of its own when CLEARINGHOUSE_URL
is unset) behind the same payer gate as ``serve`` (shared breakers, a bulkhead per payer), then
procrastinate's worker on the ``eligibility_batches`` queue. Beside it, a watcher queues again the jobs
of workers whose heartbeat stopped (``WORKER_HEARTBEAT_SECONDS`` x 3), so a killed worker's lanes run
again elsewhere. SIGTERM / SIGINT stop it after the jobs in hand.
"""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import AsyncExitStack
from typing import Any

import httpx
import structlog

from service.eligibility.batches.queue import QUEUE, make_queue, requeue_stalled
from service.eligibility.batches.runner import WorkerResources
from service.eligibility.service import gate_from_settings
from service.eligibility.wires import client_from_settings

__all__ = ["run_worker"]

log = structlog.get_logger("service.eligibility.batches.worker")

#: A worker whose heartbeat is this many intervals old is taken for dead.
STALLED_AFTER_HEARTBEATS = 3


async def _watch_stalled(queue: Any, heartbeat: float) -> None:
    while True:
        await asyncio.sleep(heartbeat)
        try:
            count = await requeue_stalled(queue, seconds_since_heartbeat=heartbeat * STALLED_AFTER_HEARTBEATS)
        except Exception as exc:  # noqa: BLE001 - the watcher must outlive a database hiccup
            log.warning("stalled_job_watch_failed", error=type(exc).__name__)
            continue
        if count:
            log.warning("stalled_jobs_requeued", jobs=count)


async def run_worker(settings: Any, *, concurrency: int | None = None) -> None:
    from service.db.pool import create_pool  # noqa: PLC0415
    from service.lifecycle import prepare_database, start_sandbox  # noqa: PLC0415

    concurrency = concurrency or settings.batch_clearinghouse_concurrency
    heartbeat = settings.worker_heartbeat_seconds
    async with AsyncExitStack() as stack:
        _owner_url, requests_url = await prepare_database(settings, stack)
        pool = await create_pool(requests_url, min_size=1, max_size=max(2, concurrency + 1))
        stack.push_async_callback(pool.close)
        clearinghouse_url = settings.clearinghouse_url
        if clearinghouse_url is None:
            sandbox = start_sandbox(settings)
            stack.callback(sandbox.stop)
            clearinghouse_url = sandbox.base_url
        http = httpx.AsyncClient(limits=httpx.Limits(max_connections=max(10, concurrency * 2)))
        stack.push_async_callback(http.aclose)
        client = client_from_settings(http, clearinghouse_url, settings)
        queue = make_queue(requests_url, pool_max=3)
        await stack.enter_async_context(queue.open_async())
        resources = WorkerResources(pool=pool, settings=settings, client=client,
                                    gate=gate_from_settings(pool, settings))
        watcher = asyncio.create_task(_watch_stalled(queue, heartbeat))
        stack.callback(watcher.cancel)
        log.info("worker_started", worker=resources.name, concurrency=concurrency)
        with contextlib.suppress(asyncio.CancelledError):
            await queue.run_worker_async(
                queues=[QUEUE], concurrency=concurrency, name=resources.name,
                additional_context={"eligibility": resources}, update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=heartbeat * STALLED_AFTER_HEARTBEATS, delete_jobs="successful",
            )
        log.info("worker_stopped", worker=resources.name)
