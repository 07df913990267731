"""Batch re-verification: 1,000 checks as one batch against the sandbox at 100 ms, with 1 and with 2 workers.

Each run: a fresh embedded PostgreSQL, the sandbox in its own process (latency 100 ms), W worker processes
(``benefits-estimator worker --concurrency PER_WORKER``) started and idle, then one batch of N members queued
through ``service.eligibility.batches.service.create_batch`` (what ``POST /v1/eligibility/batches`` calls).
Timed: from queuing to the last item done (polled every 20 ms).

Total concurrency = min(lanes, W x PER_WORKER): ``lanes`` is BATCH_CLEARINGHOUSE_CONCURRENCY (the
clearinghouse's limit, shared by all workers); BATCH_PAYER_CONCURRENCY is set to the lanes so it does not bind
here (tests/unit/eligibility/test_batch_lanes_and_changes.py shows it does when lower).
Floor = latency x ceil(N / total concurrency); the printed ratio is time / floor (target <= 1.3).
Baseline, same run and database: the same N checks through ``create_check`` called directly from this one
process at the same concurrency (no queue, no worker): time / baseline is what the queue and lanes add,
time / floor also counts what the machine costs (CPU per check, a loaded host).

Usage: .venv/bin/python bench/batch_reverification.py [--members 1000] [--latency-ms 100] [--lanes 20]
       [--per-worker 10] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from contracts.batches import BatchRequest  # noqa: E402
from contracts.eligibility import EligibilityCheckRequest, SubscriberIn  # noqa: E402
from eligibility_load import SandboxProcess  # noqa: E402
from service.config import load_settings  # noqa: E402
from service.db.embedded import start_embedded  # noqa: E402
from service.db.pool import create_pool, migrate_url  # noqa: E402
from service.eligibility.batches import service as batches  # noqa: E402
from service.eligibility.batches.queue import ensure_queue_schema, make_queue  # noqa: E402
from service.eligibility.sandbox.roster import ROSTER  # noqa: E402
from service.eligibility.wires import SANDBOX_TOKEN  # noqa: E402
from service.logging import configure_logging  # noqa: E402

import datetime as dt  # noqa: E402


def _members(n: int) -> BatchRequest:
    roster = [m for m in ROSTER.values()]
    items = []
    for k in range(n):
        m = roster[k % len(roster)]
        items.append(EligibilityCheckRequest(
            payer_id=m.payer_id, payer_name=m.payer_name,
            subscriber=SubscriberIn(first_name=m.first_name, last_name=m.last_name, date_of_birth=m.date_of_birth,
                                    member_id=m.member_id),
            date_of_service=dt.date(2026, 1, 5) + dt.timedelta(days=k % 300),
        ))
    return BatchRequest(items=items)


async def _direct(pool, settings, client_url: str, request: BatchRequest, concurrency: int) -> float:
    """The baseline: every item through create_check from this process, ``concurrency`` at a time."""
    import httpx  # noqa: PLC0415

    from service.access.roles import Caller, Role  # noqa: PLC0415
    from service.eligibility.service import Context, create_check, gate_from_settings  # noqa: PLC0415
    from service.eligibility.wires import client_from_settings  # noqa: PLC0415

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100)) as http:
        ctx = Context(pool=pool, settings=settings, client=client_from_settings(http, client_url, settings),
                      caller=Caller(actor_id="bench", actor_name="bench", role=Role.BILLING),
                      gate=gate_from_settings(pool, settings))
        slots = asyncio.Semaphore(concurrency)

        async def one(item) -> None:  # noqa: ANN001
            async with slots:
                await create_check(ctx, item, refresh=True)

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in request.items))
        return time.perf_counter() - started


async def _run(workers: int, args: argparse.Namespace) -> tuple[float, int, float]:
    pg = start_embedded(Path(tempfile.mkdtemp(prefix="bench-batch-pg-")))
    sandbox = SandboxProcess(args.latency_ms)
    procs: list[subprocess.Popen] = []
    try:
        await migrate_url(pg.url)
        sandbox.start()
        env = {
            **os.environ, "DATABASE_URL": pg.url, "CLEARINGHOUSE_URL": sandbox.base_url, "LOG_LEVEL": "WARNING",
            "CLEARINGHOUSE_USERNAME": SANDBOX_TOKEN.username, "CLEARINGHOUSE_PASSWORD": SANDBOX_TOKEN.password,
            "BATCH_CLEARINGHOUSE_CONCURRENCY": str(args.lanes), "BATCH_PAYER_CONCURRENCY": str(args.lanes),
        }
        settings = load_settings({k: v for k, v in env.items() if k.isupper()})
        pool = await create_pool(pg.url, min_size=1, max_size=max(4, args.lanes + 2))
        async with pool.acquire() as conn:
            await ensure_queue_schema(conn)
        procs = [subprocess.Popen([sys.executable, "-m", "service", "worker", "--concurrency", str(args.per_worker)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
        deadline = time.monotonic() + 120
        while await pool.fetchval("SELECT count(*) FROM procrastinate_workers") < workers:
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not start")
            await asyncio.sleep(0.1)
        request = _members(args.members)
        direct = await _direct(pool, settings, sandbox.base_url, request, min(args.lanes, workers * args.per_worker))
        queue = make_queue(pg.url, pool_max=1)
        async with queue.open_async():
            started = time.perf_counter()
            batch = await batches.create_batch(pool, queue, settings, request, actor="bench")
            while await pool.fetchval(
                "SELECT count(*) FROM eligibility_batch_items WHERE batch_id = $1::uuid AND status = 'pending'", batch.id,
            ):
                await asyncio.sleep(0.02)
            elapsed = time.perf_counter() - started
        failed = await pool.fetchval(
            "SELECT count(*) FROM eligibility_batch_items WHERE batch_id = $1::uuid AND status = 'failed'", batch.id)
        await pool.close()
        return elapsed, failed, direct
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
        sandbox.stop()
        pg.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--lanes", type=int, default=20)
    parser.add_argument("--per-worker", type=int, default=10)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    configure_logging("WARNING", "console", stream=sys.stderr)
    print(f"{args.members} members, sandbox {args.latency_ms} ms, {args.lanes} lanes, {args.per_worker} per worker")
    for workers in args.workers:
        total = min(args.lanes, workers * args.per_worker)
        floor = args.latency_ms / 1000 * math.ceil(args.members / total)
        elapsed, failed, direct = asyncio.run(_run(workers, args))
        print(f"{workers} worker(s): concurrency {total}, floor {floor:.2f} s, took {elapsed:.2f} s = "
              f"{elapsed / floor:.2f}x the floor, {args.members / elapsed:.0f} checks/s, {failed} failed; "
              f"direct create_check baseline {direct:.2f} s ({direct / floor:.2f}x the floor): "
              f"queue = {elapsed / direct:.2f}x the baseline")


if __name__ == "__main__":
    main()
