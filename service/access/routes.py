"""Access routes: API keys and audit log (admin), patient-portal tokens, the portal's estimate,
billing pull feeds, and /metrics."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from contracts.access import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyInfo,
    AuditEntry,
    AuditPage,
    EligibilityCheckChangePage,
    EstimateChangePage,
    PortalEstimate,
    PortalTokenCreate,
    PortalTokenIssued,
)
from service.access import audit
from service.access.billing_pull import FEEDS, pull
from service.access.keys import create_key, key_label, list_keys, revoke_key
from service.access.metrics import MetricsController

from service.access.roles import Role, allow, caller_of, reason_required_for
from service.access.tokens import estimate_patient_key, issue_portal_token, portal_view, read_estimate, revoke_token
from service.errors import InvalidInput, NotFound, request_id_of
from service.request_body import EARLIEST_DATE, LATEST_DATE

# audit_log.id is a bigint; cursors stay within integers every JSON client reads exactly (2^53 - 1).
MAX_AUDIT_ID = 2**53 - 1

class AdminKeysController(Controller):
    path = "/v1/admin/keys"
    tags = ["admin"]
    guards = [allow(Role.ADMIN)]
    security = [{"ApiKey": []}]

    @post("", operation_id="createApiKey", description="A new key for one role (intake, portal, billing, admin) in the administrator's own organization. The secret is in this answer only: store it.", summary="Create an API key (the secret is shown once)", status_code=201)
    async def create(self, request: Request, data: JSONBody[ApiKeyCreate]) -> ApiKeyCreated:
        caller = caller_of(request)
        issued = await create_key(request.app.state.pool, name=data.name, role=Role(data.role), by=caller,
                                  request_id=request_id_of(request.scope), organization_id=caller.organization_id)
        return ApiKeyCreated(id=issued.id, name=issued.name, role=issued.role.value, prefix=issued.prefix,
                             secret=issued.secret, organization_id=issued.organization_id)

    @get("", operation_id="listApiKeys", description="Every API key of the administrator's organization with its role, prefix and state; secrets are never shown again.", summary="List API keys (never their secrets)")
    async def list(self, request: Request) -> list[ApiKeyInfo]:
        rows = await list_keys(request.app.state.pool, caller_of(request).organization_id)
        return [ApiKeyInfo(**{**dict(r), "id": str(r["id"])}) for r in rows]

    @delete("/{key:str}", operation_id="revokeApiKey", description="The key stops working at once. 404 when no active key of the administrator's organization has that prefix, id or secret (the secret is never echoed).", summary="Revoke an API key by prefix, id or full secret", status_code=204)
    async def revoke(self, request: Request, key: FromPath[str]) -> None:
        if not await revoke_key(request.app.state.pool, key, by=caller_of(request),
                                request_id=request_id_of(request.scope)):
            raise NotFound(f"No active API key {key_label(key)!r}.")
        if (cache := request.app.state.get("caller_cache")) is not None:
            cache.clear()  # this replica at once; the others on the NOTIFY the revocation sends (caller_cache.py)


def _timestamp(name: str, value: str | None) -> dt.datetime | None:
    """Strict ISO 8601 (a bare number is not a time here); a date-time without zone is UTC."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
        # In UTC, as the database compares it; a zone that pushes year 1 or 9999 past the calendar is refused here.
        parsed = (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        raise InvalidInput(f"{name} must be an ISO 8601 date-time such as 2026-01-31T09:00:00Z", field=name) from None
    if not EARLIEST_DATE <= parsed.date() <= LATEST_DATE:
        raise InvalidInput(f"{name} must be between {EARLIEST_DATE} and {LATEST_DATE}", field=name)
    return parsed


class AuditController(Controller):
    path = "/v1/admin/audit"
    tags = ["admin"]
    guards = [allow(Role.ADMIN)]
    security = [{"ApiKey": []}]

    @get("", operation_id="queryAuditLog", description="Every read or write of patient data, oldest first; filter by `patient_key` and/or a time range; page with `after_id` (`next_after_id` in the answer).", summary="Audit rows by patient and/or time range, oldest first")
    async def query(
        self,
        request: Request,
        patient_key: Annotated[str | None, QueryParameter(max_length=64, pattern="^[A-Za-z0-9_.:-]+$")] = None,
        since: Annotated[str | None, QueryParameter(description="ISO 8601 date-time, inclusive", max_length=40)] = None,
        until: Annotated[str | None, QueryParameter(description="ISO 8601 date-time, exclusive", max_length=40)] = None,
        after_id: Annotated[int, QueryParameter(ge=0, le=MAX_AUDIT_ID)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> AuditPage:
        since_at = _timestamp("since", since)
        until_at = _timestamp("until", until)
        if since_at and until_at and until_at < since_at:
            raise InvalidInput("until must not be before since", field="until")
        rows = await request.app.state.pool.fetch(
            """SELECT * FROM audit_log
               WHERE id > $1
                 AND ($2::text IS NULL OR patient_key = $2)
                 AND ($3::timestamptz IS NULL OR occurred_at >= $3)
                 AND ($4::timestamptz IS NULL OR occurred_at < $4)
               ORDER BY id LIMIT $5""",
            after_id,
            patient_key,
            since_at,
            until_at,
            limit + 1,
        )
        entries = [AuditEntry(**dict(r)) for r in rows[:limit]]
        return AuditPage(entries=entries, next_after_id=entries[-1].id if len(rows) > limit else None)



class PortalTokensController(Controller):
    path = "/v1"
    tags = ["portal"]
    security = [{"ApiKey": []}]

    @post(
        "/estimates/{estimate_id:str}/portal-tokens",
        operation_id="createPortalToken", description="A short-lived token (`PORTAL_TOKEN_TTL_SECONDS`) for the patient portal: `Authorization: Bearer <token>` opens this estimate and its Good Faith Estimates, nothing else. 404 when the estimate does not exist.", opt={"problems": {404: "No such estimate."}},
        summary="Issue a short-lived patient-portal token for one estimate (the token is shown once)",
        status_code=201,
        guards=[allow(Role.INTAKE, Role.BILLING)],
    )
    async def create(
        self, request: Request, estimate_id: FromPath[str], data: JSONBody[PortalTokenCreate | None] = None
    ) -> PortalTokenIssued:
        issued = await issue_portal_token(
            request.app.state.pool, request.app.state.portal_tokens, estimate_id=estimate_id,
            caller=caller_of(request), request_id=request_id_of(request.scope),
            ttl_seconds=data.ttl_seconds if data else None,
        )
        return PortalTokenIssued(id=issued.id, estimate_id=estimate_id, token=issued.token, expires_at=issued.expires_at)

    @delete(
        "/portal-tokens/{token_id:str}",
        operation_id="revokePortalToken", description="The token stops working at once (also for a portal already showing the estimate).",
        summary="Revoke a patient-portal token (it stops working at once)",
        status_code=204,
        guards=[allow(Role.INTAKE, Role.BILLING, Role.ADMIN)],
    )
    async def revoke(self, request: Request, token_id: FromPath[str]) -> None:
        caller = caller_of(request)
        async with request.app.state.pool.acquire() as conn, conn.transaction():
            estimate_id = await revoke_token(conn, token_id, revoked_by=caller.actor_id)
            # Another organization's token is invisible here (row-level security): the same 404 as none at all.
            await audit.record(
                conn, caller=caller, action="portal_token.revoke",
                resource_type="estimate" if estimate_id is not None else "portal_token",
                resource_id=estimate_id if estimate_id is not None else token_id[:64],
                request_id=request_id_of(request.scope), outcome="success" if estimate_id is not None else "not_found",
            )
        if estimate_id is None:
            raise NotFound(f"No active portal token {token_id[:64]!r}.")


class PortalController(Controller):
    path = "/v1/portal"
    tags = ["portal"]
    guards = [allow(Role.PORTAL)]
    security = [{"PortalToken": []}]

    @get("/estimate", operation_id="getPortalEstimate", description="The estimate the portal token names, without name, birth date or raw X12; the member id is masked.", opt={"problems": {404: "The token names no estimate, or the estimate no longer exists."}}, summary="The one estimate this portal token names")
    async def estimate(self, request: Request) -> PortalEstimate:
        caller = caller_of(request)
        if caller.estimate_scope is None:  # a portal-role API key, not a patient token: names no estimate
            raise NotFound("No estimate is linked to this caller; use a patient-portal token.")
        pool = request.app.state.pool
        estimate = await read_estimate(pool, caller.estimate_scope)
        await audit.record(
            pool, caller=caller, action="estimate.read", resource_type="estimate", resource_id=caller.estimate_scope,
            patient=estimate_patient_key(estimate) if estimate else None, request_id=request_id_of(request.scope),
            outcome="success" if estimate else "not_found",
        )
        if estimate is None:
            raise NotFound("The estimate for this link no longer exists.")
        return portal_view(estimate)


class BillingPullController(Controller):
    path = "/v1/billing"
    tags = ["billing"]
    guards = [allow(Role.BILLING, Role.ADMIN), reason_required_for(Role.ADMIN)]  # full-PHI feeds: admins say why
    security = [{"ApiKey": []}]

    @get("/estimates", operation_id="pullEstimates", description="Estimates changed since `cursor`, oldest change first, as stored (the estimate in `response`). Pass `next_cursor` back; `has_more` says whether to call again. Each item pulled is audited.", summary="Estimates changed since a cursor, oldest change first")
    async def estimates(
        self,
        request: Request,
        cursor: Annotated[str | None, QueryParameter(max_length=512)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> EstimateChangePage:
        return msgspec.convert(await _pull(request, "estimates", cursor, limit), EstimateChangePage, strict=False)

    @get(
        "/eligibility-checks",
        operation_id="pullEligibilityChecks", description="Eligibility checks changed since `cursor`, oldest change first, without raw X12. Pass `next_cursor` back; `has_more` says whether to call again. Each item pulled is audited.",
        summary="Eligibility checks changed since a cursor, oldest change first",
    )
    async def eligibility_checks(
        self,
        request: Request,
        cursor: Annotated[str | None, QueryParameter(max_length=512)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> EligibilityCheckChangePage:
        return msgspec.convert(
            await _pull(request, "eligibility-checks", cursor, limit), EligibilityCheckChangePage, strict=False
        )


async def _pull(request: Request, feed: str, cursor: str | None, limit: int) -> dict[str, Any]:
    page = await pull(
        request.app.state.pool, FEEDS[feed], cursor=cursor, limit=limit, caller=caller_of(request),
        request_id=request_id_of(request.scope),
    )
    # Stored rows, typed on the way out (jsonb dates and times arrive as ISO strings).
    return {"items": page.items, "next_cursor": page.next_cursor, "has_more": page.has_more}


CONTROLLERS = [
    AdminKeysController,
    AuditController,
    PortalTokensController,
    PortalController,
    BillingPullController,
    MetricsController,
]
