"""The per-caller rate limit, counted in PostgreSQL so that every replica counts against one limit.

RATE_LIMIT_PER_MINUTE requests per caller per calendar minute (UTC, replicas' clocks kept in time by NTP), counted
in ``rate_limit_windows`` (migration 0812). A round trip per request would cost more than most requests, so a
replica takes a small lease of the minute's budget at a time (a twentieth of the limit, at most 50 requests; one
request at a time when the limit is small) and spends it locally, asking again when it is used up. The database
never grants more than the limit in a minute. A replica asks for one caller's lease once at a time: requests that
find the lease used up while it is being asked for wait for that answer and spend from it (under load, dozens of
requests in flight would otherwise each send a round trip for a lease of their own, and all but one of those round
trips were spent leases' worth of waste).

A lease of :data:`AHEAD_FROM_LEASE` requests or more is asked for again ahead of need, in the background, once half
of it is spent: the requests go on spending the other half meanwhile, so a busy caller's requests do not all stop
for a round trip every lease (under wrk, a quarter of the cached check reads waited ~8 ms for one, up to 60 ms).
In a minute's last :data:`NEXT_MINUTE_AHEAD_SECONDS` such a caller's first lease of the next minute is asked for the
same way, so its requests do not all wait for a round trip when the minute turns (every busy caller at the same
moment, before). What a replica leased and did not use is lost when the minute ends: up to one lease when leases
are asked for as they run out, up to one and a half when asked for ahead. So a key spread over N replicas may get
up to N (or 1.5 N) leases fewer than the limit, never more than the limit.

While PostgreSQL cannot be reached the limit is counted in this process alone (:class:`TokenBuckets`), as one
replica would, and it says so once in the log.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg
import structlog

from service.access.ratelimit import TokenBuckets
from service.db.tenant import NO_ORGANIZATION, acting_for

__all__ = ["SharedRateLimit", "lease_size"]

log = structlog.get_logger("service.access.rate_limit")

SPENT = -1
#: Local leases kept at most (callers seen this minute); beyond it the oldest are dropped (their rest is unused).
MAX_CALLERS = 100_000

_LEASE = """INSERT INTO rate_limit_windows AS w (caller, window_start, used, last_grant)
            VALUES ($1, to_timestamp($2::float8), LEAST($3::int, $4::int), LEAST($3::int, $4::int))
            ON CONFLICT (caller, window_start) DO UPDATE
                SET used = GREATEST(w.used, LEAST(w.used + $3::int, $4::int)),
                    last_grant = GREATEST(0, LEAST(w.used + $3::int, $4::int) - w.used)
            RETURNING last_grant"""


#: The database cannot be reached (not: a query that is wrong, which must surface).
_UNREACHABLE = (OSError, TimeoutError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError,
                asyncpg.CannotConnectNowError, asyncpg.AdminShutdownError)


def lease_size(per_minute: int) -> int:
    return max(1, min(per_minute // 20, 50))


#: Leases of at least this many requests are asked for again when half is spent (smaller ones when used up: a
#: small limit is then shared between replicas as exactly as before).
AHEAD_FROM_LEASE = 20
#: In a minute's last seconds, the next minute's lease of a caller whose leases are asked for ahead is asked for too.
NEXT_MINUTE_AHEAD_SECONDS = 2.0


class SharedRateLimit:
    def __init__(self, pool: asyncpg.Pool, per_minute: int, *, clock: Callable[[], float] = time.time) -> None:
        self.pool = pool
        self.capacity = per_minute
        self.lease = lease_size(per_minute)
        #: requests left in a lease when the next is asked for in the background (None: only once it is used up)
        self.ask_ahead_at = self.lease // 2 if self.lease >= AHEAD_FROM_LEASE else None
        self.clock = clock
        self._window = -1
        self._left: dict[str, int] = {}  # caller -> requests left in its leases this minute; SPENT: none left at all
        self._fallback = TokenBuckets(per_minute)
        self._degraded = False
        self._last_prune = 0.0
        #: caller -> set when the lease being asked for it is answered (one request asks, the others wait for it)
        self._asking: dict[str, asyncio.Event] = {}
        self._ahead: set[asyncio.Task[None]] = set()  # leases asked for ahead (a reference until each ends)
        self._next: dict[str, int] = {}  # caller -> requests leased of the next minute (asked for ahead)
        self._asking_next: set[str] = set()  # callers whose lease of the next minute is being asked for

    async def take(self, caller: str) -> float:
        """0 when the request may go ahead, else the seconds to wait."""
        while True:
            now = self.clock()
            window = int(now // 60)
            until_next = max(1.0, (window + 1) * 60 - now)
            if window != self._window:  # what was leased of this minute ahead, if it follows the last one
                self._left = self._next if window == self._window + 1 else {}
                self._window, self._next = window, {}
            left = self._left.get(caller, 0)
            if left > 0:
                self._left[caller] = left - 1
                if self.ask_ahead_at is not None:
                    if left - 1 == self.ask_ahead_at and caller not in self._asking:
                        self._ask_ahead(caller, now, window)
                    if ((window + 1) * 60 - now <= NEXT_MINUTE_AHEAD_SECONDS and caller not in self._next
                            and caller not in self._asking_next and len(self._next) < MAX_CALLERS):
                        self._ask_next_minute(caller, now, window + 1)
                return 0.0
            if left == SPENT:
                return until_next
            asking = self._asking.get(caller)
            if asking is None:
                break
            await asking.wait()  # another request (or the lease asked ahead) asks for this caller: spend from it
            if self._degraded:  # it could not reach the database: counted here, as it was (no queue of failures)
                return self._fallback.take(caller)
        asking = self._asking[caller] = asyncio.Event()
        try:
            granted = await self._ask(caller, now, window)
        finally:
            del self._asking[caller]
            asking.set()
        if granted is None:
            return self._fallback.take(caller)
        if self._window == window:  # else the minute turned while we asked: the lease belongs to the old one
            if granted:  # this request takes one; what came meanwhile (the next minute's lease) is kept
                self._keep(caller, max(self._left.get(caller, 0), 0) + granted - 1)
            elif self._left.get(caller, 0) <= 0:
                self._keep(caller, SPENT)
        return 0.0 if granted else until_next

    def _ask_ahead(self, caller: str, now: float, window: int) -> None:
        """Ask for the caller's next lease in the background; what it grants is added to what is left."""
        asking = self._asking[caller] = asyncio.Event()

        async def ask() -> None:
            try:
                granted = await self._ask(caller, now, window)
            except Exception as exc:  # noqa: BLE001 - a request that finds the lease used up asks again (and raises)
                log.warning("rate_limit_lease_ahead_failed", exc_type=type(exc).__name__)
                granted = None
            finally:
                del self._asking[caller]
                asking.set()
            if granted is not None and self._window == window:
                self._add(caller, granted)

        self._in_background(ask())

    def _ask_next_minute(self, caller: str, now: float, window: int) -> None:
        """Ask for the caller's first lease of minute ``window`` (the next) in the background."""
        self._asking_next.add(caller)

        async def ask() -> None:
            try:
                granted = await self._ask(caller, now, window)
            except Exception as exc:  # noqa: BLE001 - the next minute's first request asks again (and raises)
                log.warning("rate_limit_lease_ahead_failed", exc_type=type(exc).__name__)
                granted = None
            finally:
                self._asking_next.discard(caller)
            if granted is None:
                return
            if self._window == window - 1:
                self._next[caller] = granted if granted else SPENT
            elif self._window == window:  # the minute turned while it was asked for
                self._add(caller, granted)

        self._in_background(ask())

    def _in_background(self, ask: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(ask)
        self._ahead.add(task)
        task.add_done_callback(self._ahead.discard)

    def _add(self, caller: str, granted: int) -> None:
        """``granted`` more requests for the caller this minute (0 with none left: its budget is spent)."""
        left = self._left.get(caller, 0)
        if granted or left > 0:
            self._keep(caller, max(left, 0) + granted)
        else:
            self._keep(caller, SPENT)

    def _keep(self, caller: str, left: int) -> None:
        if caller not in self._left and len(self._left) >= MAX_CALLERS:
            self._left.pop(next(iter(self._left)))
        self._left[caller] = left

    async def _ask(self, caller: str, now: float, window: int) -> int | None:
        """What the database grants of this minute's budget (a lease or less; 0: spent), None: it cannot be reached
        (the caller then counts in this process alone)."""
        try:
            # rate_limit_windows is every organization's (no row-level security): no organization to set, so the
            # lease stays one round trip (service/db/tenant.py).
            with acting_for(NO_ORGANIZATION):
                granted = await self.pool.fetchval(_LEASE, caller, window * 60, self.lease, self.capacity)
                await self._maybe_prune(now)
        except _UNREACHABLE as exc:
            if not self._degraded:
                self._degraded = True
                log.warning("rate_limit_counted_locally", reason=type(exc).__name__)
            return None
        if self._degraded:
            self._degraded = False
            log.info("rate_limit_shared_again")
        return int(granted)

    async def _maybe_prune(self, now: float) -> None:
        if now - self._last_prune < 60:
            return
        self._last_prune = now
        await self.pool.execute("DELETE FROM rate_limit_windows WHERE window_start < to_timestamp($1::float8)",
                                math.floor(now // 60 - 1) * 60)
