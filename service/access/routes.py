"""Admin routes: API keys and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from contracts.access import ApiKeyCreate, ApiKeyCreated, ApiKeyInfo, AuditEntry, AuditPage
from service.access.keys import create_key, list_keys, revoke_key
from service.access.roles import Role, allow
from service.errors import InvalidInput, NotFound

class AdminKeysController(Controller):
    path = "/v1/admin/keys"
    tags = ["admin"]
    guards = [allow(Role.ADMIN)]
    security = [{"ApiKey": []}]

    @post("", operation_id="createApiKey", summary="Create an API key (the secret is shown once)", status_code=201)
    async def create(self, request: Request, data: JSONBody[ApiKeyCreate]) -> ApiKeyCreated:
        issued = await create_key(request.app.state.pool, name=data.name, role=Role(data.role))
        return ApiKeyCreated(id=issued.id, name=issued.name, role=issued.role.value, prefix=issued.prefix, secret=issued.secret)

    @get("", operation_id="listApiKeys", summary="List API keys (never their secrets)")
    async def list(self, request: Request) -> list[ApiKeyInfo]:
        rows = await list_keys(request.app.state.pool)
        return [ApiKeyInfo(**{**dict(r), "id": str(r["id"])}) for r in rows]

    @delete("/{key:str}", operation_id="revokeApiKey", summary="Revoke an API key by prefix or id", status_code=204)
    async def revoke(self, request: Request, key: FromPath[str]) -> None:
        if not await revoke_key(request.app.state.pool, key):
            raise NotFound(f"No active API key {key!r}.")


class AuditController(Controller):
    path = "/v1/admin/audit"
    tags = ["admin"]
    guards = [allow(Role.ADMIN)]
    security = [{"ApiKey": []}]

    @get("", operation_id="queryAuditLog", summary="Audit rows by patient and/or time range, oldest first")
    async def query(
        self,
        request: Request,
        patient_key: Annotated[str | None, QueryParameter(max_length=64)] = None,
        since: Annotated[dt.datetime | None, QueryParameter()] = None,
        until: Annotated[dt.datetime | None, QueryParameter()] = None,
        after_id: Annotated[int, QueryParameter(ge=0)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> AuditPage:
        if since and until and until < since:
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
            since,
            until,
            limit + 1,
        )
        entries = [AuditEntry(**dict(r)) for r in rows[:limit]]
        return AuditPage(entries=entries, next_after_id=entries[-1].id if len(rows) > limit else None)


CONTROLLERS = [AdminKeysController, AuditController]
