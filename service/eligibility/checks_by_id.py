"""``GET /v1/eligibility/checks/{check_id}`` answered before routing: the route's own work (rate limit, request
timeout, the audited read, its answer or its 404) without Litestar's per-request machinery around it, as
``reused_checks.py`` does for a reused check's POST.

It answers only a caller the route's guards let in, on the route's own path (one segment after ``checks/``, no
query string, a valid Host header), and only with what the route would answer: the 200 of a stored check, the 404
of an id that finds none (rendered by the route's own exception handler), the 429 of a caller over its limit, the
504 of a read past the request timeout, and the 500 of a read that failed after its audit row was committed
(rendered by the route's exception handler: handed on, the check would be read and audited twice). Anything else -
a rate limiter that raised, a read that failed before its batch was committed - goes on to the route, which answers
it as it would have (the request was then counted against the rate limit once, here, and the route keeps to the
same deadline: ``ratelimit.REQUEST_DEADLINE``). tests/integration/eligibility/test_checks_by_id.py holds
each outcome and its audit rows to what the route answers.
"""

from __future__ import annotations

import asyncio
import time

from litestar import Litestar
from litestar.types import Receive, Scope, Send

from service.access.metrics import observe_request
from service.access.ratelimit import (
    RATE_LIMIT_COUNTED,
    REQUEST_DEADLINE,
    refused_by_rate_limit,
    run_with_timeout,
)
from service.eligibility import service
from service.eligibility.reused_checks import Routed, RouteShape
from service.errors import NotFound
from service.route_layer import TrackedSend

PREFIX = "/v1/eligibility/checks/"


class ChecksById:
    """The fast path of one app (:meth:`answer`), built from the route it stands in for."""

    def __init__(self, app: Litestar) -> None:
        self.route = RouteShape(app, PREFIX + "{check_id:str}", "GET")

    def applies(self, scope: Scope) -> bool:
        if scope["method"] != "GET" or scope["query_string"] or not scope["path"].startswith(PREFIX):
            return False
        check_id = scope["path"][len(PREFIX):]
        return bool(check_id) and "/" not in check_id and self.route.lets_in(scope)

    async def answer(self, scope: Scope, receive: Receive, send: Send, routed: Routed) -> None:
        """Answer ``scope`` (:meth:`applies` said yes) here, or with ``routed``."""
        if not await self._answered(scope, receive, send):
            await routed(receive)

    async def _answered(self, scope: Scope, receive: Receive, send: Send) -> bool:
        started = time.perf_counter()
        status = TrackedSend(send)
        answered = False
        try:
            try:
                refused = await refused_by_rate_limit(scope, status)
            except Exception:  # noqa: BLE001 - the route layer's own call raises it again, where it is rendered
                return False  # not counted: the route counts it
            if refused:
                answered = True
                return True
            state = scope["state"]
            state[RATE_LIMIT_COUNTED] = True
            limit = scope["app"].state["settings"].request_timeout_seconds
            # the route's timer starts after the count; handed on, the route keeps to this deadline
            state[REQUEST_DEADLINE] = asyncio.get_running_loop().time() + limit

            async def read(scope: Scope, receive: Receive, send: Send) -> None:
                nonlocal answered
                check_id = scope["path"][len(PREFIX):]
                service.READ_AUDITED.set(False)
                try:
                    answer = await service.read_check(
                        service.context_for(scope["app"].state, state["caller"], state["request_id"]), check_id)
                except NotFound as exc:  # audited as not found: answered here, as the route's handler renders it
                    answered = True
                    await self.route.render(scope, receive, send, exc)
                    return
                except Exception as exc:  # noqa: BLE001 - rendered as the route renders it, or the route answers it
                    answered = await self.route.render_if_audited(scope, receive, send, exc)
                    return
                answered = True
                await self.route.send_answer(send, answer)

            await run_with_timeout(read, scope, receive, status, status.started, limit)
            answered = answered or status.started()  # the timeout's 504
            return answered
        finally:
            if answered:
                observe_request(self.route.path, "GET", status.status or 500, time.perf_counter() - started)


def install(app: Litestar) -> ChecksById | None:
    """The app's fast path (None when the app has no such route)."""
    try:
        return ChecksById(app)
    except LookupError:
        return None


__all__ = ["PREFIX", "ChecksById", "install"]
