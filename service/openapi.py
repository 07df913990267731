"""The OpenAPI document, finished from what the routes and middleware really do.

Litestar generates paths and schemas; this module makes the document true to the service for
client generators (one pass over the generated dict, so the served JSON, Swagger UI and the
``benefits-estimator openapi`` snapshot are the same document):

- **Errors.** Every status an operation can answer is declared with one ``Problem`` schema
  (``application/problem+json``). Most statuses are *derived*, so a new route gets them with no
  work: a guard -> 401/403; ``/v1`` -> 429 (rate limit) and 503 (credentials need the database);
  every route but the probes -> 504 (request timeout); a body -> 400/413/415; a query -> 400; a path
  parameter -> 404; a POST -> 409/422 (``Idempotency-Key`` in flight / reused). What a
  handler's own logic adds is declared on the route: ``opt={"problems": {422: "why"}}``.
- **Success.** ``opt={"also": {200: "why"}}`` declares a second success status (a reused
  check); ``opt={"location": "/v1/estimates/{estimate_id}"}`` declares the ``Location`` header
  of a 201 (and :mod:`service.created_location` sets it at run time from the body's field).
- **Headers.** ``Idempotency-Key`` on every POST, ``X-Access-Reason`` where a role must state why it reads
  full PHI (``service.access.roles.reason_required_for``), ``Retry-After`` on 429/503,
  ``WWW-Authenticate`` on 401, ``Location`` on 201 where the created resource has a URL.
- **Roles.** From the route guards (``service.access.roles.allow``): ``x-roles`` and a line in
  the description; the portal token is offered as security only where the portal role is allowed.
- **Names.** Component names are PascalCase and unique, and each schema's ``title`` is its name
  (Litestar prefixes clashing names with the module, e.g. ``estimate_Household``).
- **Examples.** One example request per operation, from :mod:`contracts.examples`.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin

from service.access.ratelimit import NO_REQUEST_TIMEOUT
from service.access.roles import MAX_REASON_CHARS
from service.errors import PROBLEM_MEDIA_TYPE, Problem, TYPE_BASE

#: What each problem status means when the route does not say more.
DEFAULT_PROBLEMS: dict[int, str] = {
    400: "The request does not match the contract; `errors[]` names each field (`$.path`) and why.",
    401: "No valid API key (`X-API-Key`) or portal token (`Authorization: Bearer`).",
    403: "The caller's role may not call this operation (see `x-roles`).",
    404: "No such resource (or not visible to this caller).",
    409: "A request with the same `Idempotency-Key` is still being processed; retry later.",
    413: "The request body is larger than `MAX_BODY_BYTES`.",
    415: "The request body must be `application/json`.",
    422: "The `Idempotency-Key` was used before with a different body, or the request cannot be processed.",
    429: "More than `RATE_LIMIT_PER_MINUTE` requests a minute for this key; wait `Retry-After` seconds.",
    502: "The payer or clearinghouse answered with something unusable.",
    503: "A dependency (the database or the payer) is unavailable; retry after `Retry-After` seconds.",
    504: "The request took longer than `REQUEST_TIMEOUT_SECONDS` (or the payer did not answer in time).",
}
_RETRY_AFTER = {
    "description": "Seconds to wait before retrying.",
    "schema": {"type": "integer", "minimum": 1},
}
_WWW_AUTHENTICATE = {
    "description": "The authentication schemes this service accepts.",
    "schema": {"type": "string"},
}
_LOCATION = {"description": "URL of the created resource.", "schema": {"type": "string"}}
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Any unique string (1-255 characters, e.g. a UUID). The same key with the same body replays the stored "
        "answer; with a different body it is refused (422); while the first request runs, 409."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
def _access_reason(roles: list[str]) -> dict[str, Any]:
    return {
        "name": "X-Access-Reason",
        "in": "header",
        "required": False,
        "description": (
            f"Why the caller reads this full-PHI route (e.g. a ticket number), kept on every audit row of the request. "
            f"Required for the role(s) {', '.join(roles)}: without it they get 403; other roles need not send it."
        ),
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_REASON_CHARS},
    }


_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


# --------------------------------------------------------------------------- what the routes say


def roles_of(handler: HTTPRouteHandler) -> list[str] | None:
    """The roles the handler's guards admit (``allow(...)`` marks its guard with ``roles``); None = no guard."""
    roles: list[str] | None = None
    for guard in handler.resolve_guards():
        admitted = getattr(guard, "roles", None) or getattr(getattr(guard, "func", None), "roles", None)
        if admitted is not None:
            roles = sorted(set(admitted) if roles is None else set(roles) & set(admitted))
    return roles


def reason_roles_of(handler: HTTPRouteHandler) -> list[str]:
    """The roles that must send ``X-Access-Reason`` on this route (``reason_required_for`` marks its guard)."""
    roles: set[str] = set()
    for guard in handler.resolve_guards():
        roles |= set(getattr(guard, "reason_roles", None) or getattr(getattr(guard, "func", None), "reason_roles", ()))
    return sorted(roles)


def _handlers(app: Litestar) -> dict[str, HTTPRouteHandler]:
    found: dict[str, HTTPRouteHandler] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler) and isinstance(handler.operation_id, str):
                found[handler.operation_id] = handler
    return found


# --------------------------------------------------------------------------- the document


def _problem_components() -> dict[str, Any]:
    (_, components) = msgspec.json.schema_components([Problem], ref_template="#/components/schemas/{name}")
    problem = components["Problem"]
    problem["description"] = (
        "RFC 9457 problem details. `type` is a stable URL per kind of error (" + TYPE_BASE + "<slug>), `errors` "
        "names each invalid field as a JSON path, `request_id` is the X-Request-Id to quote when reporting."
    )
    return components


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\W]+", name) if part)


def _rename_components(document: dict[str, Any]) -> None:
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    renames = {name: _pascal(name) for name in schemas if _pascal(name) != name}
    taken = set(schemas) - set(renames)
    for old, new in renames.items():
        if new in taken:
            raise ValueError(f"schema {old} would be renamed to {new}, which exists")
        taken.add(new)
    for old, new in renames.items():
        schemas[new] = schemas.pop(old)
    for name, schema in schemas.items():
        schema["title"] = name
    if renames:
        _rewrite_refs(document, {f"#/components/schemas/{o}": f"#/components/schemas/{n}" for o, n in renames.items()})


def _rewrite_refs(node: Any, mapping: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in mapping:
            node["$ref"] = mapping[ref]
        for value in node.values():
            _rewrite_refs(value, mapping)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, mapping)


def _problem_response(status: int, description: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status in (429, 503):
        response["headers"] = {"Retry-After": copy.deepcopy(_RETRY_AFTER)}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": copy.deepcopy(_WWW_AUTHENTICATE)}
    return response


def derived_problems(path: str, method: str, operation: dict[str, Any], roles: list[str] | None,
                     timed: bool = True) -> set[int]:
    """The statuses the middleware, guards and request parsing can answer for this operation."""
    statuses = {504} if timed else set()  # the route layer times every route but the probes (NO_REQUEST_TIMEOUT)
    if roles is not None:
        statuses |= {401, 403}
    if path.startswith("/v1/"):
        statuses |= {429, 503}  # rate limit; the credential check needs the database
    parameters = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if any(p.get("in") == "query" for p in parameters):
        statuses.add(400)
    if "requestBody" in operation:
        statuses |= {400, 413, 415}
    if method == "post":
        statuses |= {409, 422}  # Idempotency-Key in flight / reused with another body
    return statuses


def _finish_operation(path: str, method: str, operation: dict[str, Any], handler: HTTPRouteHandler | None) -> None:
    roles = roles_of(handler) if handler is not None else None
    opt = handler.opt if handler is not None else {}
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("400", None)  # Litestar's default ValidationException shape is not what the service sends

    declared: dict[int, str] = {int(k): v for k, v in (opt.get("problems") or {}).items()}
    timed = not opt.get(NO_REQUEST_TIMEOUT)
    for status in sorted(derived_problems(path, method, operation, roles, timed) | set(declared)):
        responses[str(status)] = _problem_response(status, declared.get(status) or DEFAULT_PROBLEMS[status])

    success = next((code for code in ("201", "200", "204") if code in responses), None)
    for status, why in (opt.get("also") or {}).items():
        if success is not None:
            extra = copy.deepcopy(responses[success])
            extra["description"] = why
            extra.pop("headers", None)
            responses[str(status)] = extra
    if "201" in responses and opt.get("location"):
        responses["201"].setdefault("headers", {})["Location"] = copy.deepcopy(_LOCATION)

    if method == "post":
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name", "").lower() == "idempotency-key" for p in parameters):
            parameters.append(copy.deepcopy(_IDEMPOTENCY_KEY))

    reason_roles = reason_roles_of(handler) if handler is not None else []
    if reason_roles:
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name", "").lower() == "x-access-reason" for p in parameters):
            parameters.append(_access_reason(reason_roles))

    if roles is not None:
        operation["x-roles"] = roles
        line = f"**Roles:** {', '.join(roles)}."
        operation["description"] = (operation.get("description", "").rstrip() + "\n\n" + line).strip()
        schemes = [{"ApiKey": []}] + ([{"PortalToken": []}] if "portal" in roles else [])
        operation["security"] = schemes


def finish(document: dict[str, Any], app: Litestar) -> dict[str, Any]:
    """The generated document made true to the service (a new dict; the input is not changed)."""
    from contracts.examples import apply_examples  # noqa: PLC0415 - contracts import nothing from service

    document = copy.deepcopy(document)
    handlers = _handlers(app)
    for path, item in document.get("paths", {}).items():
        for method in _HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                _finish_operation(path, method, operation, handlers.get(operation.get("operationId", "")))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(_problem_components())
    _rename_components(document)
    apply_examples(document)
    return document


def finished_document(app: Litestar) -> dict[str, Any]:
    """The finished document for this app, built once."""
    cached = app.state.get("openapi_document")
    if cached is None:
        raw = msgspec.json.decode(msgspec.json.encode(app.openapi_schema.to_schema()))
        cached = finish(raw, app)
        app.state.openapi_document = cached
    return cached


class FinishedJsonRenderPlugin(JsonRenderPlugin):
    """Serves the finished document at ``/schema/openapi.json``."""

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, finished_document(request.app))


class FinishedSwaggerRenderPlugin(SwaggerRenderPlugin):
    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, finished_document(request.app))
