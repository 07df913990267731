"""PostgreSQL going away and coming back: 503 with Retry-After meanwhile, one log line each way.

asyncpg's pool reconnects by itself once the server answers again, so nothing here restarts
anything. What this adds:

- :func:`is_database_outage` tells a lost or refused connection from a bug, so the error
  handlers answer ``503 database-unavailable`` with ``Retry-After`` instead of a 500;
- :class:`DatabaseAvailability` (``app.state.db_availability``) logs ``database_unavailable``
  once when an outage starts, probes once a second until ``SELECT 1`` answers, then logs
  ``database_available_again`` with the outage's length. ``/ready`` and ``/health`` read it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import asyncpg
import structlog

#: Seconds a client is asked to wait (Retry-After) while the database is away.
RETRY_AFTER_SECONDS = 5
PROBE_INTERVAL_SECONDS = 1.0

log = structlog.get_logger("service.db.availability")

# asyncpg logs a warning with a traceback each time it fails to refill the pool; the outage is
# logged once here instead.
logging.getLogger("asyncpg.pool").setLevel(logging.ERROR)


def is_database_outage(exc: BaseException) -> bool:
    """A connection that broke, was refused or could not be made - not a bad query, not a bug elsewhere."""
    if isinstance(
        exc,
        (
            asyncpg.PostgresConnectionError,  # class 08: connection exception / does not exist
            asyncpg.CannotConnectNowError,  # 57P03: starting up or shutting down
            asyncpg.AdminShutdownError,  # 57P01: the server is stopping
            asyncpg.CrashShutdownError,
            asyncpg.TooManyConnectionsError,
        ),
    ):
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        text = str(exc)
        return "connection is closed" in text or "connection was closed" in text
    # Refused, reset, a vanished Unix socket, an unreachable host: only when asyncpg was connecting.
    return isinstance(exc, (OSError, asyncio.TimeoutError)) and _raised_in_asyncpg(exc)


def _raised_in_asyncpg(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith("asyncpg"):
            return True
        tb = tb.tb_next
    return False


class DatabaseAvailability:
    """Whether the database answers, as last seen; logs each change once."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self.down_since: float | None = None
        self._probe: asyncio.Task[None] | None = None

    @property
    def available(self) -> bool:
        return self.down_since is None

    def report_outage(self, exc: BaseException) -> None:
        """A request met a lost connection: log once, then probe until the database answers."""
        if self.down_since is not None:
            return
        self.down_since = time.monotonic()
        log.error("database_unavailable", exc_type=type(exc).__name__, retry_after_seconds=RETRY_AFTER_SECONDS)
        self._probe = asyncio.get_running_loop().create_task(self._probe_until_back())

    async def _probe_until_back(self) -> None:
        while self.down_since is not None:
            await asyncio.sleep(PROBE_INTERVAL_SECONDS)
            try:
                await asyncio.wait_for(self._pool.fetchval("SELECT 1"), timeout=2)
            except Exception:  # noqa: BLE001 - still away; try again
                continue
            outage = time.monotonic() - self.down_since
            self.down_since = None
            log.info("database_available_again", outage_seconds=round(outage, 1))

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            try:
                await self._probe
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - shutting down
                pass


def availability_of(app_state: Any) -> DatabaseAvailability | None:
    return app_state.get("db_availability") if hasattr(app_state, "get") else None
