"""Migration 0970/0973's functions set the organization for their own body: a read acting for another organization
finds nothing (audited as its own not_found), and the setting an outer transaction had is what it has afterwards,
after an error too."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from service.db.tenant import acting_for
from tests.integration.access.conftest import records_of

READ = "SELECT * FROM read_estimate_audited($1, $2, 'probe', 'intake', 'estimate.read', $3, NULL)"


def test_estimate_functions_keep_each_organization_to_its_rows(client, new_organization) -> None:  # noqa: ANN001
    owner, owner_keys = new_organization("owns")
    other, _ = new_organization("other")
    estimate_id = uuid.UUID(records_of(client, owner_keys)["estimate"])
    request_id = f"tenancy-{uuid.uuid4().hex[:10]}"
    pool = client.app.state.pool

    async def work() -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with pool.acquire() as conn:
            out["other"] = await conn.fetch_setting_its_own(READ, other, estimate_id, request_id)
            out["owner"] = await conn.fetch_setting_its_own(READ, owner, estimate_id, request_id)
            with acting_for(owner):
                async with conn.transaction():  # BEGIN sets the owner's organization
                    await conn.fetch(READ, other, estimate_id, request_id)
                    out["after_call"] = await conn.fetchval("SELECT current_setting('app.organization_id')")
                    try:
                        async with conn.transaction():  # a savepoint: the function fails inside it
                            await conn.fetch("SELECT * FROM read_estimate_audited($1, $2::uuid, NULL, 'intake', "
                                             "'estimate.read', $3, NULL)", other, estimate_id, request_id)
                    except asyncpg.PostgresError as exc:
                        out["error"] = type(exc).__name__
                    out["after_error"] = await conn.fetchval("SELECT current_setting('app.organization_id')")
                    out["visible"] = await conn.fetchval("SELECT count(*) FROM estimates WHERE id = $1", estimate_id)
        for organization in (owner, other):
            with acting_for(organization):
                out[organization] = [r["outcome"] for r in await pool.fetch(
                    "SELECT outcome FROM audit_log WHERE request_id = $1 ORDER BY id", request_id)]
        return out

    with acting_for(None):
        out = client.blocking_portal.call(work)
    assert out["other"] == [] and len(out["owner"]) == 1 and out.get("error"), out
    assert out["after_call"] == owner and out["after_error"] == owner and out["visible"] == 1, out
    assert out[owner] == ["success"] and out[other] == ["not_found", "not_found"], out  # the failed one: none
