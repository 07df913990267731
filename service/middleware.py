"""ASGI middleware: request id, access log (no bodies, no headers), caller authentication.

The access log line carries method, path, status, duration and request id only, never a
header or a body (they may hold PHI or credentials). The path is logged without the query
string for the same reason.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import msgspec
import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.access.keys import caller_for_key
from service.access.metrics import observe_request
from service.access.roles import Role
from service.db.availability import is_database_outage
from service.db.tenant import NO_ORGANIZATION, act_for, stop_acting
from service.errors import TYPE_BASE, FieldError, InvalidInput, database_unavailable_problem, send_problem
from service.health import LIVENESS_PATH, send_liveness
from service.text import nul_paths

if TYPE_CHECKING:
    from service.eligibility.checks_by_id import ChecksById
    from service.eligibility.reused_checks import ReusedChecks

log = structlog.get_logger("service.access_log")

_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
#: LOG_LEVEL values at which the access log line (an info event) is written.
_ACCESS_LOG_LEVELS = frozenset({"DEBUG", "INFO"})


class RequestIds:
    """Ids for requests that bring none (or an unusable one): 32 hex digits, unique within a process - a counter -
    and across processes and replicas - a 64-bit random prefix drawn from the OS for each process (again in a child
    forked from it, as the HTTP server's workers are). A request id names a request in logs and audit rows; it is no
    secret and no credential. (``secrets.token_hex(16)`` per request was a ``getrandom`` system call each: ~3 % of a
    cached check's CPU.)"""

    def __init__(self) -> None:
        self._start()
        os.register_at_fork(after_in_child=self._start)

    def _start(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count()

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


_REQUEST_IDS = RequestIds()


def header(scope: Scope, name: bytes) -> str | None:
    """A request header's value from an ASGI scope (``name`` lower-case bytes), or None."""
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


def may_hold_json_nul(window: bytes) -> bool:
    """Whether ``window`` holds an unescaped JSON ``\\u0000``. The regular expression has no literal prefix to
    skip ahead with, so it steps through every byte: about 0.7 s of event loop for a 1 MB body (an X12 document
    posted for an estimate). A substring search (memchr speed) rules almost every body out first."""
    return (b"\\u0000" in window or b"\\U0000" in window) and _JSON_NUL.search(window) is not None


def _refusing_nul(receive: Receive) -> Receive:
    """Bodies may not carry the NUL character (JSON ``\\u0000``): PostgreSQL text cannot store it, and
    no name, id or X12 document legitimately holds one. Refused as a 400 naming each field, never a 500."""
    seen: list[bytes] = []

    async def checked() -> Message:
        message = await receive()
        if message["type"] != "http.request":
            return message
        seen.append(message.get("body", b""))
        window = b"".join(seen[-2:])
        if b"\x00" in seen[-1] or may_hold_json_nul(window):
            more = message.get("more_body", False)
            while more:  # read the rest to name every field (bodies are bounded by MAX_BODY_BYTES)
                rest = await receive()
                seen.append(rest.get("body", b""))
                more = rest.get("more_body", False)
            try:
                paths = nul_paths(msgspec.json.decode(b"".join(seen))) or ["$"]
            except msgspec.DecodeError:
                paths = ["$"]
            reason = "must not contain the NUL character (\\u0000)"
            raise InvalidInput(
                f"Text {reason}: {', '.join(paths)}.", errors=[FieldError(field=p, reason=reason) for p in paths]
            )
        return message

    return checked


def _nul_in_target(scope: Scope) -> list[str]:
    """Path and query parameters holding a NUL (``%00``): named like the body's fields, never a 500."""
    found = ["path"] if "\x00" in scope.get("path", "") else []
    query = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        found += [f"query.{name}" if "\x00" not in name else "query" for name, value in pairs if "\x00" in name + value]
    return found


class RequestContextMiddleware:
    """Request id, structured access log and authentication, in one pass; ``GET /health`` is answered here.

    It also decides which organization the request's database work acts for (service/db/tenant.py): none while
    the credentials are checked, then the caller's own for the rest of the request (none without a caller), and
    back to what it was when the request ends."""

    def __init__(self, app: ASGIApp, reused_checks: ReusedChecks | None = None,
                 checks_by_id: ChecksById | None = None) -> None:
        self.app = app
        #: POST /v1/eligibility/checks reusing a stored check, answered before routing (eligibility/reused_checks.py)
        self.reused_checks = reused_checks
        #: GET /v1/eligibility/checks/{check_id}, answered before routing (eligibility/checks_by_id.py)
        self.checks_by_id = checks_by_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        acting = act_for(NO_ORGANIZATION)
        try:
            await self._handle(scope, receive, send)
        finally:
            stop_acting(acting)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        incoming = api_key = authorization = None
        for name, value in scope["headers"]:  # one pass for the three headers read here (the first of each counts)
            if name == b"x-request-id":
                incoming = value.decode("latin-1") if incoming is None else incoming
            elif name == b"x-api-key":
                api_key = value.decode("latin-1") if api_key is None else api_key
            elif name == b"authorization":
                authorization = value.decode("latin-1") if authorization is None else authorization
        request_id = incoming if incoming and _REQUEST_ID_OK.match(incoming) else _REQUEST_IDS.next()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        # The request id is the one key the service binds for its log lines; put back as it was when the request ends
        # (by token: clearing looks at every context variable of the task, twice a request).
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        app_state = scope["app"].state
        # The liveness probe is answered here: it needs no caller, no route and none of the route layer's limits.
        live = scope["path"] == LIVENESS_PATH and scope["method"] == "GET" and not scope["query_string"]
        try:
            if (api_key is not None or authorization is not None) and not live:
                await self._authenticate(app_state, state, api_key, authorization)
        except Exception as exc:  # noqa: BLE001 - outside the app's error handlers: answer here
            if is_database_outage(exc):
                problem = database_unavailable_problem(exc, app_state)
                await send_problem(
                    scope, send, status=problem.status, slug=problem.type.removeprefix(TYPE_BASE), title=problem.title,
                    detail=problem.detail, retry_after=problem.retry_after_seconds,
                )
                return
            log.error("authentication_failed", exc_type=type(exc).__name__)
            await send_problem(
                scope, send, status=503, slug="service-unavailable", title="The service cannot check credentials now",
                detail="Try again shortly.", retry_after=5,
            )
            return
        caller = state.get("caller")
        if caller is not None:
            act_for(caller.organization_id)  # else it acts for no organization still

        status = 500
        private = scope["path"].startswith("/v1/")
        request_id_header = (b"x-request-id", request_id.encode())
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                nonlocal status
                status = message["status"]
                headers = [*message.get("headers", ()), request_id_header]
                if private and not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))  # API answers may carry PHI: no cache keeps them
                message["headers"] = headers
            await send(message)

        try:
            if nul_fields := _nul_in_target(scope):
                reason = "must not contain the NUL character (%00)"
                await send_problem(
                    scope, send_with_id, status=400, slug="invalid-input", title=InvalidInput.title,
                    detail=f"{', '.join(nul_fields)}: {reason}",
                    errors=[FieldError(field=f, reason=reason) for f in nul_fields],
                )
                return
            if live:
                await send_liveness(app_state, send_with_id)
                observe_request(LIVENESS_PATH, "GET", status, time.perf_counter() - started)
                return
            for fast in (self.reused_checks, self.checks_by_id):
                if fast is not None and fast.applies(scope):
                    await fast.answer(
                        scope, receive, send_with_id, lambda rest: self.app(scope, _refusing_nul(rest), send_with_id))
                    return
            await self.app(scope, _refusing_nul(receive), send_with_id)
        finally:
            if app_state["settings"].log_level in _ACCESS_LOG_LEVELS:  # else the line is dropped anyway
                log.info(
                    "request",
                    method=scope.get("method"),
                    path=scope.get("path"),
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            structlog.contextvars.reset_contextvars(**bound)

    async def _authenticate(self, app_state: Any, state: dict[str, Any], api_key: str | None,
                            authorization: str | None) -> None:
        pool = app_state.get("pool")
        bearer = authorization[7:].strip() if authorization and authorization.lower().startswith("bearer ") else None
        if api_key and pool is not None:
            caller = await caller_for_key(pool, api_key.strip(), app_state.get("caller_cache"))
            # A portal app's own key names no patient: the patient's token beside it decides (never widened by it).
            if bearer is None or (caller is not None and caller.role is not Role.PORTAL):
                state["caller"] = caller
                return
        resolver = app_state.get("portal_token_resolver")
        if bearer is not None and resolver is not None:
            state["caller"] = await resolver(bearer)
