"""The route layer: one pure-ASGI middleware around every routed request, for what needs the matched route.

In this order, outermost first, each step only where it applies:

1. metrics: count and time the request by route template, method and status (``access/metrics.py``);
2. rate limit: ``/v1`` paths, per caller, shared through PostgreSQL (``access/ratelimit.py``);
3. Location on a 201 of a route declaring ``opt["location"]``, replays included (``created_location.py``);
4. idempotency: POSTs carrying ``Idempotency-Key`` (``access/idempotency.py``);
5. timeout: every route but those marked ``NO_REQUEST_TIMEOUT`` (``access/ratelimit.py``).

They were five Litestar middlewares, each a coroutine and a ``send`` wrapper on every request whether it applied
or not; here a GET pays for one ``send`` wrapper (status for the metrics, which also tells the timeout whether the
response started) and a timer. The request id, access log, authentication and the organization a request acts for
are decided before routing, in ``service/middleware.py`` (unmatched paths get those too).
"""

from __future__ import annotations

import time

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.access.idempotency import IdempotencyMiddleware
from service.access.metrics import observe_request
from service.access.ratelimit import (
    NO_REQUEST_TIMEOUT,
    RATE_LIMIT_COUNTED,
    refused_by_rate_limit,
    run_with_timeout,
)
from service.created_location import sending_location

_IDEMPOTENCY_KEY = b"idempotency-key"


class TrackedSend:
    """A ``send`` that remembers the response status it passed on (None until the response starts)."""

    __slots__ = ("send", "status")

    def __init__(self, send: Send) -> None:
        self.send = send
        self.status: int | None = None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        await self.send(message)

    def started(self) -> bool:
        return self.status is not None


class RouteLayer:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.idempotency = IdempotencyMiddleware(self._timed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        outer = TrackedSend(send)
        try:
            if (scope["path"].startswith("/v1/") and not scope["state"].get(RATE_LIMIT_COUNTED)
                    and await refused_by_rate_limit(scope, outer)):
                return
            opt = scope["route_handler"].opt
            inner: Send = outer
            template = opt.get("location")
            if template:
                inner = sending_location(template, outer)
            if scope["method"] == "POST" and any(name == _IDEMPOTENCY_KEY for name, _ in scope["headers"]):
                await self.idempotency(scope, receive, inner)
            else:
                await self._timed(scope, receive, inner)
        finally:
            observe_request(scope.get("path_template") or "unmatched", scope["method"], outer.status or 500,
                            time.perf_counter() - started)

    async def _timed(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The handler, under the request timeout unless its route opts out (what idempotency wraps)."""
        if scope["route_handler"].opt.get(NO_REQUEST_TIMEOUT):
            await self.app(scope, receive, send)
            return
        tracked = send if isinstance(send, TrackedSend) else TrackedSend(send)  # the metrics' own if nothing between
        await run_with_timeout(self.app, scope, receive, tracked, tracked.started,
                               scope["app"].state["settings"].request_timeout_seconds)
