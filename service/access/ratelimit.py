"""Limits the route layer applies (service/route_layer.py): a per-caller rate limit and a per-request time limit.

Rate limit: RATE_LIMIT_PER_MINUTE requests per API key (per portal token; per client address
when unauthenticated) per minute, counted in PostgreSQL across every replica
(``shared_ratelimit.py``; a token bucket per process while the database is away). Only ``/v1`` paths are limited
(probes and /metrics are not). Exceeded → 429 problem with ``Retry-After``.

Timeout: a handler still running after REQUEST_TIMEOUT_SECONDS is cancelled and the caller
gets a 504 problem (``request-timeout``), unless the response had already started. The probes opt out
(``NO_REQUEST_TIMEOUT``): /health waits on nothing, /ready bounds its own wait at 2 s.

Both answer with problem+json themselves (:func:`send_problem`): an exception
raised here would be rendered outside the request-id/access-log middleware.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

from service.access import metrics
from service.errors import send_problem


def caller_key(scope: Scope) -> str:
    caller = scope.get("state", {}).get("caller")
    if caller is not None:
        return caller.actor_id
    client = scope.get("client") or ("unknown", 0)
    return f"anonymous:{client[0]}"


class TokenBuckets:
    """Token buckets keyed by caller. ``take`` returns 0 when allowed, else seconds to wait."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)
        self._last_prune = clock()

    def take(self, key: str) -> float:
        now = self.clock()
        tokens, last = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            allowed = 0.0
        else:
            self._buckets[key] = (tokens, now)
            allowed = (1.0 - tokens) / self.rate
        self._prune(now)
        return allowed

    def _prune(self, now: float) -> None:
        # A bucket idle for a full minute is full again: dropping it changes nothing.
        if now - self._last_prune < 60:
            return
        self._last_prune = now
        for key in [k for k, (_, last) in self._buckets.items() if now - last > 60]:
            del self._buckets[key]


def _limit_for(scope: Scope) -> Any:
    """The app's limiter: shared through PostgreSQL once the pool is up."""
    state = scope["app"].state
    limit = state.get("rate_limit")
    if limit is None:
        pool = state.get("pool")
        if pool is None:
            return None
        from service.access.shared_ratelimit import SharedRateLimit  # noqa: PLC0415 - it builds on TokenBuckets

        limit = state.rate_limit = SharedRateLimit(pool, state.settings.rate_limit_per_minute)
    return limit


#: Request state key: the request was counted against the rate limit already (service/eligibility/reused_checks.py
#: counts a request it then hands on to the route); the route layer does not count it again.
RATE_LIMIT_COUNTED = "rate_limit_counted"


async def refused_by_rate_limit(scope: Scope, send: Send) -> bool:
    """Answer 429 (and say so) when the caller is over its limit; False when the request may go ahead."""
    limit = _limit_for(scope)
    wait = 0.0 if limit is None else await limit.take(caller_key(scope))
    if wait <= 0:
        return False
    metrics.RATE_LIMITED.inc()
    seconds = max(1, math.ceil(wait))
    await send_problem(
        scope,
        send,
        status=429,
        slug="rate-limited",
        title="Too many requests",
        detail=f"More than {limit.capacity:.0f} requests a minute for this key; retry in {seconds} s.",
        retry_after=seconds,
    )
    return True


#: A route ``opt`` key: the route answers at once without waiting on anything (the liveness probe) or bounds
#: its own wait (the readiness probe), so it runs without the per-request timer.
NO_REQUEST_TIMEOUT = "no_request_timeout"


#: Request state key: the event-loop time by which the request must be answered, set when part of its
#: ``limit`` was spent before the route (service/eligibility/reused_checks.py); the route's timer keeps to it.
REQUEST_DEADLINE = "request_deadline"


async def run_with_timeout(app: ASGIApp, scope: Scope, receive: Receive, send: Send,
                           started: Callable[[], bool], limit: float) -> None:
    """Run ``app``; still running after ``limit`` seconds (or at the request's :data:`REQUEST_DEADLINE`), it is
    cancelled and the caller gets a 504 problem, unless the response had already started (``started()``: whether
    ``app`` sent its response start)."""
    at = scope.get("state", {}).get(REQUEST_DEADLINE)
    deadline = asyncio.timeout(limit) if at is None else asyncio.timeout_at(at)
    try:
        async with deadline:
            await app(scope, receive, send)
    except TimeoutError:
        if not deadline.expired() or started():
            raise
        await send_timeout_problem(scope, send, limit)


async def send_timeout_problem(scope: Scope, send: Send, limit: float) -> None:
    """The 504 problem of a request still running after ``limit`` seconds (counted in the metrics)."""
    metrics.REQUEST_TIMEOUTS.inc()
    await send_problem(
        scope,
        send,
        status=504,
        slug="request-timeout",
        title="The request took too long",
        detail=f"Cancelled after {limit:g} s. It may be retried (with the same Idempotency-Key for a POST).",
    )
