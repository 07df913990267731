"""API-key look-ups kept in memory for a few seconds, dropped on every replica the moment keys change.

Every ``/v1`` request names its key; asking PostgreSQL each time is a round trip per request. The cache keeps a
key's caller for at most ``ttl_seconds``, keyed by the key's SHA-256 (the cache never holds a usable secret),
with at most ``max_entries`` keys (least recently used dropped first).

Revocation still takes effect at once and on every replica: a statement trigger on ``api_keys`` (migration
0810) sends ``NOTIFY access_changed`` when the change commits, and each process LISTENs on a connection of its
own and clears its cache. While that connection is down the cache is not used at all (every request asks
PostgreSQL, as before), and the listener reconnects in the background; the TTL bounds what a lost notification
could cost.

Look-ups (:meth:`CallerCache.caller`): one per key at a time - requests that find the key missing while it is being
looked up wait for that answer (when an entry ended, every request in flight with that key used to ask PostgreSQL
at once: dozens of round trips competing for the pool) - and an entry in its last :data:`REFRESH_BEFORE_SECONDS`
is looked up again in the background while it is still served, so a busy key's entry is renewed before it ends and
no request waits for it. A look-up that began before the cache was cleared (a key changed) is not kept, and no
request that comes after the clearing waits for it: it asks again.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

import asyncpg
import structlog

from service.access.roles import Caller

log = structlog.get_logger("service.access.caller_cache")

CHANNEL = "access_changed"
RECONNECT_SECONDS = 2.0
#: An entry this close to its end is looked up again in the background when a request uses it.
REFRESH_BEFORE_SECONDS = 2.0

LookUp = Callable[[Any, bytes], Awaitable[Caller | None]]


class CallerCache:
    def __init__(self, *, ttl_seconds: float = 10.0, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.clock = clock
        self.active = False  # True only while the change listener is connected
        self._entries: OrderedDict[bytes, tuple[float, Caller]] = OrderedDict()
        #: key hash -> its look-up in flight (one at a time per key)
        self._looking: dict[bytes, asyncio.Task[Caller | None]] = {}
        #: moved on by every clearing: a look-up begun before it is not kept
        self._generation = 0

    async def caller(self, key_hash: bytes, look_up: LookUp, source: Any) -> Caller | None:
        """The caller of the key hashed ``key_hash``: kept, else ``look_up(source, key_hash)`` (see the module
        docstring); None for a key that is not one. Without the change listener every call looks up."""
        if not self.active:
            return await look_up(source, key_hash)
        entry = self._entries.get(key_hash)
        if entry is not None:
            expires, caller = entry
            now = self.clock()
            if expires > now:
                self._entries.move_to_end(key_hash)
                if expires - now <= REFRESH_BEFORE_SECONDS and key_hash not in self._looking:
                    self._look_up(key_hash, look_up, source)  # renewed in the background; this request goes on
                return caller
            del self._entries[key_hash]
        looking = self._looking.get(key_hash) or self._look_up(key_hash, look_up, source)
        return await asyncio.shield(looking)  # a request cancelled while waiting does not cancel the others' look-up

    def _look_up(self, key_hash: bytes, look_up: LookUp, source: Any) -> asyncio.Task[Caller | None]:
        generation = self._generation

        async def look() -> Caller | None:
            caller = await look_up(source, key_hash)
            if caller is not None and generation == self._generation:  # unknown keys are not kept
                self.put(key_hash, caller)
            return caller

        task = asyncio.get_running_loop().create_task(look())
        self._looking[key_hash] = task
        task.add_done_callback(lambda done: self._done(key_hash, done))
        return task

    def _done(self, key_hash: bytes, task: asyncio.Task[Caller | None]) -> None:
        if self._looking.get(key_hash) is task:
            del self._looking[key_hash]
        if not task.cancelled():
            task.exception()  # a renewal nobody waited for failed: the next request that needs the key asks again

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
        self._looking.clear()  # what comes after this asks again
        self._generation += 1

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
