"""Start-up and shutdown of everything the service holds: database, pool, HTTP client, sandbox.

Order on start: PostgreSQL (embedded unless DATABASE_URL) → migrations and grants (as the owner) →
pool (as the least-privileged app role, :mod:`service.db.app_role`) → the
sandbox clearinghouse (unless CLEARINGHOUSE_URL) → the clearinghouse HTTP client.
Shutdown runs the same list backwards, and runs even when start-up failed half-way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import structlog
from litestar import Litestar

from service.access.caller_cache import AccessChangeListener, CallerCache
from service.config import Settings
from service.db.app_role import least_privileged_url
from service.db.availability import DatabaseAvailability
from service.db.embedded import start_embedded
from service.db.pool import create_pool, migrate_url
from service.eligibility.batches.queue import ensure_queue_schema_at

log = structlog.get_logger("service.lifecycle")


def start_sandbox(settings: Settings) -> Any | None:
    """The built-in sandbox payer, when no clearinghouse is configured."""
    try:
        from service.eligibility.sandbox.app import create_sandbox_app  # noqa: PLC0415
    except ImportError:  # the sandbox is optional for the foundation
        return None
    from service.eligibility.wires import credentials  # noqa: PLC0415
    from service.threaded_server import ThreadedServer  # noqa: PLC0415

    token, api_key = credentials(settings)  # the sandbox expects what the service sends
    server = ThreadedServer(
        create_sandbox_app(latency_ms=settings.sandbox_latency_ms, token=token, api_key=api_key),
        settings.sandbox_host, settings.sandbox_port,
    )
    server.start()
    return server


async def prepare_database(settings: Settings, stack: AsyncExitStack) -> tuple[str, str]:
    """The database a process works on, ready: the embedded PostgreSQL started when no ``DATABASE_URL`` is set
    (stopped with ``stack``), migrations and the queue's schema applied as the owner, and the least-privileged
    role granted. Returns (owner's URL, the URL requests and workers connect with)."""
    database_url = settings.database_url
    if database_url is None:
        embedded = start_embedded(settings.embedded_pg_dir)
        stack.callback(embedded.stop)
        database_url = embedded.url
    applied = await migrate_url(database_url)
    log.info("migrations_checked", applied=len(applied))
    await ensure_queue_schema_at(database_url)  # DDL as the owner, before the grants cover its tables
    requests_url = await least_privileged_url(
        database_url, app_url=settings.app_database_url,
        embedded_dir=settings.embedded_pg_dir if settings.uses_embedded_postgres else None, log=log,
    )
    return database_url, requests_url


async def _close_batch_queue(state: Any) -> None:
    queue = state.get("batch_queue")  # opened on the first batch (service/eligibility/batches/service.py)
    if queue is not None:
        await queue.close_async()


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    async with AsyncExitStack() as stack:
        database_url, requests_url = await prepare_database(settings, stack)
        pool = await create_pool(requests_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max)
        stack.push_async_callback(pool.close)
        app.state.pool = pool
        app.state.db_availability = DatabaseAvailability(pool)
        stack.push_async_callback(app.state.db_availability.close)
        stack.push_async_callback(_close_batch_queue, app.state)  # before the pool closes
        app.state.database_url = database_url
        app.state.requests_database_url = requests_url
        app.state.caller_cache = CallerCache()
        listener = AccessChangeListener(requests_url, app.state.caller_cache)  # as the app role too
        await listener.start()
        stack.push_async_callback(listener.close)

        clearinghouse_url = settings.clearinghouse_url or settings.sandbox_url  # sandbox_url: started by `serve`
        if clearinghouse_url is None:
            sandbox = start_sandbox(settings)
            if sandbox is not None:
                stack.callback(sandbox.stop)
                clearinghouse_url = sandbox.base_url
                log.info("sandbox_clearinghouse_started", url=clearinghouse_url)
        app.state.clearinghouse_url = clearinghouse_url
        if settings.uses_sandbox_clearinghouse:
            from service.eligibility.payers.store import load_sandbox_directory  # noqa: PLC0415

            await load_sandbox_directory(pool)  # intake can find the sandbox payers by name

        http = httpx.AsyncClient(
            timeout=httpx.Timeout(
                settings.clearinghouse_read_timeout, connect=settings.clearinghouse_connect_timeout
            ),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
        )
        stack.push_async_callback(http.aclose)
        app.state.http = http
        for hook in app.state.get("startup_hooks", []):
            await hook(app)
        log.info("service_ready")
        yield
        log.info("service_stopping")
