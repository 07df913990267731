"""Errors as a product surface: every failure is RFC 9457 ``application/problem+json``.

One table maps what can go wrong to a stable ``type`` slug, an HTTP status and a human
title. Domain code raises :class:`ProblemError` (or a subclass); framework errors
(validation, unknown routes, body too large ...) are translated in :func:`exception_handlers`.
A bug becomes a 500 problem with the request id and nothing else: no trace, no input echoed.
"""

from __future__ import annotations

from typing import Any

import msgspec
import structlog
from litestar import MediaType, Request, Response
from litestar.types import Scope, Send
from litestar.exceptions import HTTPException, NotFoundException, ValidationException

from service.db.availability import RETRY_AFTER_SECONDS, availability_of, is_database_outage

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://errors.benefits-estimator.example/"

log = structlog.get_logger("service.errors")


class FieldError(msgspec.Struct, kw_only=True, frozen=True):
    """One invalid field: a JSON path such as ``$.subscriber.date_of_birth`` and why."""

    field: str
    reason: str


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details, with the extension members this service uses."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] = []
    retry_after_seconds: int | None = None


class ProblemError(Exception):
    """Raise to answer with a problem. Subclasses fix status/slug/title."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        field: str | None = None,
        errors: list[FieldError] | None = None,
        status: int | None = None,
        slug: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        if status is not None:
            self.status = status
        if slug is not None:
            self.slug = slug
        if title is not None:
            self.title = title
        self.errors = list(errors or [])
        if field is not None:
            self.errors.insert(0, FieldError(field=field, reason=detail or self.title))
        self.headers = headers or {}
        self.retry_after_seconds = retry_after_seconds


class InvalidInput(ProblemError):
    status, slug, title = 400, "invalid-input", "The request does not match the contract"


class Unprocessable(ProblemError):
    status, slug, title = 422, "unprocessable", "The request is well-formed but cannot be processed"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "No such resource"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflicts with the current state"


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "A valid API key or portal token is required"


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Your role may not do this"


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class TooManyRequests(ProblemError):
    status, slug, title = 429, "rate-limited", "Too many requests"


class UpstreamError(ProblemError):
    """The payer or clearinghouse failed; status 502, 503 or 504 says how."""

    status, slug, title = 502, "upstream-error", "The payer or clearinghouse failed"


def _path_from_key(key: str | None) -> str:
    if not key:
        return "$"
    return key if key.startswith("$") else f"$.{key}"


def _field_errors_from_validation(exc: ValidationException) -> list[FieldError]:
    """Litestar puts msgspec's ``Expected `int`, got `str` - at `$.a.b``` into ``extra``."""
    errors: list[FieldError] = []
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "invalid value"))
        key = item.get("key")
        field = None
        if " - at `" in message:
            message, _, rest = message.partition(" - at `")
            field = rest.rstrip("`")
        if field is None:
            source = getattr(item.get("source"), "value", item.get("source"))  # litestar's ParamType enum
            if source in (None, "body"):
                field = "$" if key in (None, "data") else _path_from_key(key)
            else:  # a query, path, header or cookie parameter: "query.include"
                field = f"{source}.{key}"
        errors.append(FieldError(field=field, reason=message))
    if not errors:
        errors.append(FieldError(field="$", reason=str(exc.detail or "invalid request")))
    return errors


def request_id_of(scope: Any) -> str | None:
    """The request id the request-context middleware put in the ASGI scope (None outside a request)."""
    return scope.get("state", {}).get("request_id")


def problem_response(request: Request[Any, Any, Any], problem: Problem, headers: dict[str, str] | None = None) -> Response[bytes]:
    problem.instance = problem.instance or request.url.path
    problem.request_id = problem.request_id or request_id_of(request.scope)
    all_headers = dict(headers or {})
    if problem.retry_after_seconds is not None:
        all_headers.setdefault("Retry-After", str(problem.retry_after_seconds))
    return Response(
        content=msgspec.json.encode(problem),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=all_headers,
    )


def _handle_problem(request: Request[Any, Any, Any], exc: ProblemError) -> Response[bytes]:
    problem = Problem(
        type=TYPE_BASE + exc.slug,
        title=exc.title,
        status=exc.status,
        detail=exc.detail,
        errors=exc.errors,
        retry_after_seconds=exc.retry_after_seconds,
    )
    return problem_response(request, problem, exc.headers)


def _handle_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    errors = _field_errors_from_validation(exc)
    detail = "; ".join(f"{e.field}: {e.reason}" for e in errors)
    problem = Problem(type=TYPE_BASE + "invalid-input", title=InvalidInput.title, status=400, detail=detail, errors=errors)
    return problem_response(request, problem)


# Framework HTTP errors answered with the same slug and title as our own problem classes.
_HTTP_SLUGS = {
    **{cls.status: (cls.slug, cls.title) for cls in (Unauthorized, Forbidden, NotFound, TooManyRequests, UnsupportedMediaType)},
    400: ("bad-request", "Bad request"),  # its title only screens out a bare "Bad Request" detail
    405: ("method-not-allowed", "Method Not Allowed"),
    413: ("body-too-large", "The request body is too large"),
}


def _handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    if status >= 500:
        return _handle_unexpected(request, exc)
    slug, title = _HTTP_SLUGS.get(status, ("client-error", "Client error"))
    detail = exc.detail if exc.detail and exc.detail.lower() != title.lower() else None
    if status == 400:  # the body could not be decoded at all (malformed JSON, wrong encoding)
        reason = f"The request body could not be decoded as JSON: {detail or 'unreadable'}"
        problem = Problem(
            type=TYPE_BASE + "invalid-input",
            title=InvalidInput.title,
            status=400,
            detail=reason,
            errors=[FieldError(field="$", reason=reason)],
        )
        return problem_response(request, problem, dict(exc.headers or {}))
    if isinstance(exc, NotFoundException) and detail and detail.startswith("Not Found"):
        detail = None
    problem = Problem(type=TYPE_BASE + slug, title=title, status=status, detail=detail)
    return problem_response(request, problem, dict(exc.headers or {}))


def database_unavailable_problem(exc: BaseException, app_state: Any) -> Problem:
    """The database is away (not a bug): 503 with Retry-After; the outage is logged once, not per request."""
    availability = availability_of(app_state)
    if availability is not None:
        availability.report_outage(exc)
    return Problem(
        type=TYPE_BASE + "database-unavailable",
        title="The database is unavailable",
        status=503,
        detail="The service cannot reach its database right now. Try again shortly; send a write again with the "
        "same Idempotency-Key so that it applies at most once.",
        retry_after_seconds=RETRY_AFTER_SECONDS,
    )


def _handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    if is_database_outage(exc):
        return problem_response(request, database_unavailable_problem(exc, request.app.state))
    # The exception type only: its message may quote request data (PHI).
    log.error("unhandled_exception", exc_type=type(exc).__name__, path=request.url.path)
    problem = Problem(
        type=TYPE_BASE + "internal-error",
        title="Internal error",
        status=500,
        detail="Something went wrong on our side. Quote the request id when reporting it.",
    )
    return problem_response(request, problem)


async def send_problem(
    scope: Scope,
    send: Send,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    retry_after: int | None = None,
    errors: list[FieldError] | None = None,
) -> None:
    """Answer a problem straight from ASGI middleware (outside the route handlers' error mapping)."""
    problem = Problem(
        errors=list(errors or []),
        type=TYPE_BASE + slug,
        title=title,
        status=status,
        detail=detail,
        instance=scope.get("path"),
        request_id=request_id_of(scope),
        retry_after_seconds=retry_after,
    )
    body = msgspec.json.encode(problem)
    headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def exception_handlers() -> dict[type[Exception] | int, Any]:
    return {
        ProblemError: _handle_problem,
        ValidationException: _handle_validation,
        HTTPException: _handle_http,
        Exception: _handle_unexpected,
    }


__all__ = [
    "Conflict",
    "FieldError",
    "Forbidden",
    "InvalidInput",
    "MediaType",
    "NotFound",
    "Problem",
    "ProblemError",
    "TooManyRequests",
    "Unauthorized",
    "Unprocessable",
    "UnsupportedMediaType",
    "UpstreamError",
    "exception_handlers",
]
