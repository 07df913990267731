"""Who is calling: roles, the caller identity, and the guard each route declares.

Every caller belongs to one organization (``Caller.organization_id``) and reaches only its rows: the request's
database work acts for that organization (service/db/tenant.py) and PostgreSQL's row-level security enforces it.

Roles, each within its organization:
- ``intake``  intake staff: create/read eligibility checks and estimates.
- ``portal``  the patient portal: with a patient token, reads one estimate and nothing else.
- ``billing`` billing systems: post 271s, pull estimates and checks.
- ``admin``   administrators of their organization: keys, sliding-fee schedules, payment-plan rules, payer
  contracts, audit log; raw X12 and the billing feeds (full PHI) only with a stated reason
  (``reason_required_for``). Creating organizations is the platform operator's, on the command line.

A route says which roles may call it with ``guards=[allow(Role.INTAKE, Role.BILLING)]``.
A missing or wrong key is 401, a wrong role 403; neither says whether a resource exists,
because the guard runs before the handler looks anything up. Both leave an audit row.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from service.access.audit import record
from service.db.tenant import DEFAULT_ORGANIZATION
from service.errors import Forbidden, Unauthorized, request_id_of


#: RFC 9110 challenge for a 401: an API key in X-API-Key, or a patient-portal token as a Bearer token.
WWW_AUTHENTICATE = 'ApiKey realm="benefits-estimator", header="X-API-Key", Bearer realm="patient-portal"'


class Role(str, enum.Enum):
    INTAKE = "intake"
    PORTAL = "portal"
    BILLING = "billing"
    ADMIN = "admin"


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of one request (set by the authentication middleware)."""

    actor_id: str  # api key id, or "portal-token:<id>"
    actor_name: str
    role: Role
    #: For portal tokens: the single estimate this caller may read.
    estimate_scope: str | None = None
    #: Why an administrator reads raw X12 / full-PHI feeds (X-Access-Reason); kept on every audit row.
    access_reason: str | None = None
    #: The organization the caller belongs to; its requests act for it and reach only its rows.
    organization_id: str = DEFAULT_ORGANIZATION


def caller_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Caller | None:
    return connection.scope.get("state", {}).get("caller")


async def _audit_denied(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler, caller: Caller | None, action: str
) -> None:
    """A refused request leaves a row (who tried which route); the route is named by its operation id."""
    route = getattr(handler, "operation_id", None)
    await record(
        connection.app.state.pool, caller=caller, action=action, resource_type="route",
        resource_id=route if isinstance(route, str) else connection.scope.get("path"),
        request_id=request_id_of(connection.scope), outcome="denied",
    )


MAX_REASON_CHARS = 200


def reason_required_for(*roles: Role):  # noqa: ANN201 - litestar guard, after allow(...)
    """Break-glass reads: these roles must say why (``X-Access-Reason``); the reason is audited with the read.

    Used where a role's everyday work does not need the full PHI a route returns: an administrator
    reading raw X12 or a billing feed. A missing reason is a 403 (audited as denied)."""
    needs_reason = frozenset(roles)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        caller = caller_of(connection)
        if caller is None or caller.role not in needs_reason:
            return
        reason = (connection.headers.get("x-access-reason") or "").strip()
        if not reason or len(reason) > MAX_REASON_CHARS:
            await _audit_denied(connection, handler, caller, "access.reason_missing")
            raise Forbidden(
                f"The {caller.role.value} role reads this full-PHI route only with a stated reason: send "
                f"X-Access-Reason (1-{MAX_REASON_CHARS} characters), e.g. a ticket number."
            )
        connection.scope["state"]["caller"] = replace(caller, access_reason=reason)

    guard.__name__ = "reason_required_for_" + "_".join(sorted(r.value for r in needs_reason))
    guard.reason_roles = tuple(sorted(r.value for r in needs_reason))  # type: ignore[attr-defined] - service.openapi
    return guard


def allow(*roles: Role):  # noqa: ANN201 - litestar guard
    allowed = frozenset(roles)

    # async: Litestar runs a plain-function guard in a worker thread, a thread hop on every request.
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        caller = caller_of(connection)
        if caller is None:
            await _audit_denied(connection, handler, None, "access.unauthenticated")
            raise Unauthorized(
                "Send an API key in the X-API-Key header (or a portal token as a Bearer token).",
                headers={"WWW-Authenticate": WWW_AUTHENTICATE},
            )
        if caller.role not in allowed:
            await _audit_denied(connection, handler, caller, "access.forbidden")
            raise Forbidden(f"The {caller.role.value} role may not call this route.")

    guard.__name__ = "allow_" + "_".join(sorted(r.value for r in allowed))
    guard.roles = tuple(sorted(r.value for r in allowed))  # type: ignore[attr-defined] - read by service.openapi
    return guard
