"""API-key look-ups kept in memory for a few seconds, dropped on every replica the moment keys change.

Every ``/v1`` request names its key; asking PostgreSQL each time is a round trip per request. The cache keeps a
key's caller for at most ``ttl_seconds``, keyed by the key's SHA-256 (the cache never holds a usable secret),
with at most ``max_entries`` keys (least recently used dropped first).

Revocation still takes effect at once and on every replica: a statement trigger on ``api_keys`` (migration
0810) sends ``NOTIFY access_changed`` when the change commits, and each process LISTENs on a connection of its
own and clears its cache. While that connection is down the cache is not used at all (every request asks
PostgreSQL, as before), and the listener reconnects in the background; the TTL bounds what a lost notification
could cost.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import asyncpg
import structlog

from service.access.roles import Caller

log = structlog.get_logger("service.access.caller_cache")

CHANNEL = "access_changed"
RECONNECT_SECONDS = 2.0


class CallerCache:
    def __init__(self, *, ttl_seconds: float = 10.0, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.clock = clock
        self.active = False  # True only while the change listener is connected
        self._entries: OrderedDict[bytes, tuple[float, Caller]] = OrderedDict()

    def get(self, key_hash: bytes) -> Caller | None:
        if not self.active:
            return None
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        if entry[0] <= self.clock():
            del self._entries[key_hash]
            return None
        self._entries.move_to_end(key_hash)
        return entry[1]

    def put(self, key_hash: bytes, caller: Caller) -> None:
        if not self.active:
            return
        self._entries[key_hash] = (self.clock() + self.ttl_seconds, caller)
        self._entries.move_to_end(key_hash)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class AccessChangeListener:
    """Keeps one connection LISTENing on ``access_changed`` and clears the caches it is given on each change."""

    def __init__(self, database_url: str, *caches: CallerCache) -> None:
        self.database_url = database_url
        self.caches = caches
        self._conn: asyncpg.Connection | None = None
        self._reconnect: asyncio.Task[None] | None = None
        self._closed = False

    async def start(self) -> None:
        await self._connect()

    async def _connect(self) -> None:
        conn = await asyncpg.connect(self.database_url)
        await conn.add_listener(CHANNEL, self._changed)
        conn.add_termination_listener(self._lost)
        self._conn = conn
        for cache in self.caches:
            cache.clear()  # changes made while we were not listening
            cache.active = True

    def _changed(self, *_args: Any) -> None:
        for cache in self.caches:
            cache.clear()

    def _lost(self, *_args: Any) -> None:
        for cache in self.caches:
            cache.active = False
            cache.clear()
        self._conn = None
        if not self._closed and (self._reconnect is None or self._reconnect.done()):
            log.warning("access_listener_lost", retry_seconds=RECONNECT_SECONDS)
            self._reconnect = asyncio.get_running_loop().create_task(self._reconnect_loop())

    async def _reconnect_loop(self) -> None:
        while not self._closed and self._conn is None:
            await asyncio.sleep(RECONNECT_SECONDS)
            try:
                await self._connect()
            except (OSError, asyncpg.PostgresError, asyncio.TimeoutError):
                continue
            log.info("access_listener_restored")

    async def close(self) -> None:
        self._closed = True
        for cache in self.caches:
            cache.active = False
        if self._reconnect is not None:
            self._reconnect.cancel()
            with suppress(asyncio.CancelledError):
                await self._reconnect
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with suppress(Exception):
                await conn.close(timeout=2)
