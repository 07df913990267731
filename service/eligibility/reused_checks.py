"""``POST /v1/eligibility/checks`` answered before routing when it reuses a stored check (the 200 of a check already
made): the route's own work without Litestar's per-request machinery around it (request object, kwargs and
signature models, response handler, the route layer's wrappers), which cost about 40 % of such a request's CPU
(bench/request_cost.py --concurrency 32).

It answers only that: a caller the route's guards let in, no query string (``?refresh``), no ``Idempotency-Key``, a
JSON body (``service/content_type.py``) that decodes, bounds (``service/request_body.py``) and converts to the
route's ``EligibilityCheckRequest``, and a stored check to reuse. The answer, its audit row and its rate-limit count
come from the code the route and the route layer call (``service.reused_check_key`` and ``reused_check_answer``,
``refused_by_rate_limit``, ``run_with_timeout``); its headers are those of Litestar's ``Response`` for the route,
taken once. A body seen before and found good skips the decoding and the checks (:class:`KnownBodies`). Anything else goes on to the route with the body handed on as it
came, and is answered there exactly as it would be without this path: by then this path has read the body and, if
the body was good, counted the request against the rate limit (the route layer then does not count it again) and spent part of
the request timeout (the route's timer keeps to the same deadline: ``ratelimit.REQUEST_DEADLINE``); no
row was written and the payer was not asked. (A reuse that failed after its audit row was committed is not handed
on: its error is rendered here as the route's exception handler renders it, else the check would be read and
audited twice.) tests/integration/eligibility/test_reused_checks.py holds each
outcome (200, 400, 401, 403, 404, 415, 422, 429, 503) and its audit rows to what the route answers.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from collections.abc import Awaitable, Callable

import msgspec
from litestar import Litestar
from litestar._asgi.utils import is_valid_host
from litestar.middleware._internal.exceptions.middleware import get_exception_handler
from litestar.response import Response
from litestar.routes import HTTPRoute
from litestar.types import Message, Receive, Scope, Send

from contracts.eligibility import EligibilityCheckRequest
from service.access.metrics import observe_request
from service.access.ratelimit import (
    RATE_LIMIT_COUNTED,
    REQUEST_DEADLINE,
    refused_by_rate_limit,
    run_with_timeout,
    send_timeout_problem,
)
from service.content_type import is_json_media_type
from service.eligibility import service
from service.middleware import may_hold_json_nul
from service.request_body import BOUNDS_CHECKED_BY_HANDLER, check_bounds
from service.route_layer import TrackedSend

PATH = "/v1/eligibility/checks"
_IDEMPOTENCY_KEY = b"idempotency-key"
_CONTENT_TYPE = b"content-type"
_HOST = b"host"

#: The route, given the receive to read the request from (the body this path read, then the rest).
Routed = Callable[[Receive], Awaitable[None]]


class RouteShape:
    """What a path answered before routing takes from the route it stands in for: its handler, the roles its guards
    let in, and the headers Litestar's ``Response`` sends with its 200."""

    def __init__(self, app: Litestar, path: str, method: str) -> None:
        route = next((r for r in app.routes if isinstance(r, HTTPRoute) and r.path == path), None)
        if route is None or method not in route.route_handler_map:
            raise LookupError(f"{method} {path}")
        #: the route's template (its metrics are counted under it)
        self.path = path
        self.handler = route.route_handler_map[method][0]
        #: the roles the route's guards let in (service.access.roles.allow); others go to the route, refused there
        self.roles = frozenset(role for guard in self.handler.resolve_guards() for role in getattr(guard, "roles", ()))
        probe = Response(b"", status_code=200, media_type=self.handler.media_type).to_asgi_response(
            app=None, request=None)  # type: ignore[arg-type]
        self._head = tuple(probe.encode_headers())  # Litestar's own, the length aside

    def lets_in(self, scope: Scope) -> bool:
        """Whether the route's guards let the caller in and Litestar's router takes the request's Host header."""
        caller = scope["state"].get("caller")
        if caller is None or caller.role.value not in self.roles:
            return False
        return all(is_valid_host(value) for name, value in scope["headers"] if name == _HOST)

    def headers(self, length: int) -> list[tuple[bytes, bytes]]:
        """The headers Litestar's ``Response`` sends with a 200 of ``length`` bytes."""
        return [(name, str(length).encode()) if name == b"content-length" else (name, value)
                for name, value in self._head]

    async def render(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        """``exc`` as Litestar's exception middleware renders it for the route."""
        app: Litestar = scope["app"]
        request = app.request_class(scope=scope, receive=receive, send=send)
        handler = get_exception_handler(self.handler.resolve_exception_handlers(), exc)
        response = handler(request, exc)  # type: ignore[misc]
        encoders = self.handler.resolve_type_encoders()
        await response.to_asgi_response(app=None, request=request, type_encoders=encoders)(scope, receive, send)

    async def render_if_audited(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> bool:
        """A read that raised ``exc``: rendered here as the route renders it when its audit row was already committed
        (``service.READ_AUDITED``: handed on, the route would read and audit it again), else False and nothing sent
        (the route answers it)."""
        if not service.READ_AUDITED.get():
            return False
        await self.render(scope, receive, send, exc)
        return True

    async def send_answer(self, send: Send, answer: bytes) -> None:
        """The route's 200 with ``answer``, as Litestar's ``Response`` sends it."""
        await send({"type": "http.response.start", "status": 200, "headers": self.headers(len(answer))})
        await send({"type": "http.response.body", "body": answer, "more_body": False})


class ReusedChecks:
    """The fast path of one app (:meth:`answer`), built from the route it stands in for."""

    def __init__(self, app: Litestar) -> None:
        self.route = RouteShape(app, PATH, "POST")
        handler = self.route.handler
        self.bounds_checked_by_handler = tuple(handler.opt.get(BOUNDS_CHECKED_BY_HANDLER, ()))
        self.max_body_bytes = handler.resolve_request_max_body_size() or math.inf
        self.known_bodies = KnownBodies()

    def applies(self, scope: Scope) -> bool:
        if scope["method"] != "POST" or scope["path"] != PATH or scope["query_string"]:
            return False
        if not self.route.lets_in(scope):
            return False
        for name, value in scope["headers"]:
            if name == _IDEMPOTENCY_KEY or (name == _CONTENT_TYPE and not is_json_media_type(value.decode("latin-1"))):
                return False
        return True

    async def answer(self, scope: Scope, receive: Receive, send: Send, routed: Routed) -> None:
        """Answer ``scope`` (:meth:`applies` said yes) here, or with ``routed``."""
        limit = scope["app"].state["settings"].request_timeout_seconds
        # One request timeout for all of it, as the route has: the body read, the reuse, and the route's work when
        # the request is handed on (the route layer keeps to the deadline: ratelimit.REQUEST_DEADLINE).
        deadline = scope["state"][REQUEST_DEADLINE] = asyncio.get_running_loop().time() + limit
        try:
            # The route reads the body under the request timeout too: a body that stops coming is its 504.
            async with asyncio.timeout_at(deadline):
                read, body = await self._body(receive)
        except TimeoutError:
            await self._timed_out(scope, send, limit)
            return
        digest = hashlib.sha256(body).digest() if body is not None else b""
        known = self.known_bodies.key_for(digest)
        request = None
        if known is None:  # a body not seen yet: decoded and checked as the route does it
            request = self._request(body)
            if request is None:
                await routed(_replaying(read, receive))
                return
        started = time.perf_counter()
        status = TrackedSend(send)
        answered = False
        try:
            counting = asyncio.get_running_loop().time()
            try:
                refused = await refused_by_rate_limit(scope, status)
            except Exception:  # noqa: BLE001 - the route layer's own call raises it again, where it is rendered
                await routed(_replaying(read, receive))  # not answered here: the request was not counted
                return
            if refused:
                answered = True
                return
            scope["state"][RATE_LIMIT_COUNTED] = True
            # the route counts the request before its timer starts: the wait for the count is not the request's time
            scope["state"][REQUEST_DEADLINE] += asyncio.get_running_loop().time() - counting

            async def reuse(scope: Scope, receive: Receive, send: Send) -> None:
                nonlocal answered
                service.READ_AUDITED.set(False)
                try:
                    ctx = service.context_for(scope["app"].state, scope["state"]["caller"],
                                              scope["state"]["request_id"])
                    key = known
                    if key is None:
                        key = service.reused_check_key(ctx, request)  # type: ignore[arg-type]
                        self.known_bodies.remember(digest, key)
                    answer = await service.reused_check_answer(ctx, key)
                except Exception as exc:  # noqa: BLE001 - rendered as the route renders it, or the route answers it
                    answered = await self.route.render_if_audited(scope, receive, send, exc)
                    return
                if answer is None:
                    return
                answered = True
                await self.route.send_answer(send, answer)

            await run_with_timeout(reuse, scope, receive, status, status.started, limit)
            answered = answered or status.started()  # the timeout's 504
        finally:
            if answered:
                observe_request(PATH, "POST", status.status or 500, time.perf_counter() - started)
        if not answered:
            await routed(_replaying(read, receive))

    async def _timed_out(self, scope: Scope, send: Send, limit: float) -> None:
        """The body did not come in time: the route's answer, a 429 when the caller is over its limit (the route
        counts the request before it reads the body), else its 504 problem."""
        started = time.perf_counter()
        status = TrackedSend(send)
        try:
            if not await refused_by_rate_limit(scope, status):
                await send_timeout_problem(scope, status, limit)
        finally:
            observe_request(PATH, "POST", status.status or 500, time.perf_counter() - started)

    async def _body(self, receive: Receive) -> tuple[list[Message], bytes | None]:
        """(the messages read, the body; None when it is not one this path reads: too large, cut off, not a body)."""
        read: list[Message] = []
        size = 0
        while True:
            message = await receive()
            read.append(message)
            if message["type"] != "http.request":
                return read, None
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                return read, None
            if not message.get("more_body", False):
                return read, b"".join(m.get("body", b"") for m in read)

    def _request(self, body: bytes | None) -> EligibilityCheckRequest | None:
        """The route's ``data`` from ``body``, or None when the route would refuse it (the route then says why)."""
        if not body or b"\x00" in body or may_hold_json_nul(body):  # refused by the middleware's NUL check
            return None
        try:
            value = msgspec.json.decode(body)
            check_bounds(EligibilityCheckRequest, value, self.bounds_checked_by_handler)
            return msgspec.convert(value, EligibilityCheckRequest)
        except Exception:  # noqa: BLE001 - not decodable, out of bounds, not the contract: the route answers it
            return None


#: Bodies :class:`KnownBodies` keeps (a digest and a key each: under a megabyte).
MAX_KNOWN_BODIES = 4096


class KnownBodies:
    """Request bodies this path has already found good - decoded, within bounds, the route's request type, an
    inquiry every value of which the 270 can carry - and the cache key each makes (``service.reused_check_key``).
    The same bytes always pass the same checks (none depends on the time; the provider settings are the app's), so
    a body seen before skips them. Kept: the sha256 digest of the body and the cache key (itself a sha256 digest),
    never the body (no PHI); at most :data:`MAX_KNOWN_BODIES`, the oldest dropped first."""

    def __init__(self, max_bodies: int = MAX_KNOWN_BODIES) -> None:
        self.max_bodies = max_bodies
        self._keys: dict[bytes, str] = {}

    def key_for(self, digest: bytes) -> str | None:
        return self._keys.get(digest)

    def remember(self, digest: bytes, key: str) -> None:
        if len(self._keys) >= self.max_bodies:
            del self._keys[next(iter(self._keys))]
        self._keys[digest] = key


def _replaying(read: list[Message], receive: Receive) -> Receive:
    """``receive`` as it was before ``read`` was taken from it."""
    pending = list(read)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


def install(app: Litestar) -> ReusedChecks | None:
    """The app's fast path (None when the app has no such route)."""
    try:
        return ReusedChecks(app)
    except LookupError:
        return None


__all__ = ["PATH", "ReusedChecks", "RouteShape", "Routed", "install"]
