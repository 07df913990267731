"""Migrations 0991 (estimate_inputs, insert_estimate_audited with the generation check) and 0993 (read_check_for_pricing) set the
organization for their own body: another organization's check is not found, each row goes to the organization the
call names, and the setting an outer transaction had is what it has afterwards - after a call that returned, one
refused for a stale generation, and one that failed inside its body (PostgreSQL undoes a transaction-local
set_config made inside a failed subtransaction: the savepoint's rollback restores the outer setting)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from service.db.tenant import acting_for
from tests.integration.access.conftest import records_of

SETTING = "SELECT current_setting('app.organization_id', true)"
INPUTS = "SELECT generation FROM estimate_inputs($1, $1, NULL, NULL, '2026-03-02', NULL)"
READ_CHECK = "SELECT * FROM read_check_for_pricing($1, $2)"
# The 24 arguments of 0991's insert_estimate_audited; $1 acting_for, $2 the id, $24 the generation.
INSERT = ("SELECT insert_estimate_audited($1, $2, now(), 'probe', 'pk_probe', NULL, NULL, NULL, 'manual', NULL, "
          "'2026-03-02', '{}', NULL, '{}', '{}', '{}', '{}', 'probe-hash', NULL, 'probe', 'intake', $3, NULL, $4)")


async def _in_savepoint(conn: Any, query: str, *args: Any) -> str | None:
    """Run ``query`` in a savepoint; the name of the error it failed with, or None."""
    try:
        async with conn.transaction():
            await conn.fetch(query, *args)
    except asyncpg.PostgresError as exc:
        return type(exc).__name__
    return None


def test_pricing_functions_keep_the_outer_setting_and_their_own_organization(client, new_organization) -> None:
    owner, owner_keys = new_organization("prices")
    other, _ = new_organization("probes")
    made = records_of(client, owner_keys)
    check_id, taken_id = uuid.UUID(made["check"]), uuid.UUID(made["estimate"])
    request_id = f"pricing-fn-{uuid.uuid4().hex[:10]}"
    stored_id, stale_id = uuid.uuid4(), uuid.uuid4()
    pool = client.app.state.pool

    async def work() -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with pool.acquire() as conn:
            generation = await conn.fetchval("SELECT generation FROM reference_data_generation")
            out["alone_other"] = await conn.fetch_setting_its_own(READ_CHECK, other, check_id)
            out["alone_owner"] = [r["id"] for r in await conn.fetch_setting_its_own(READ_CHECK, owner, check_id)]
            out["alone_after"] = await conn.fetchval(SETTING)  # nothing carried past its own transaction
            with acting_for(other):
                async with conn.transaction():  # BEGIN sets the other organization
                    out["read_owner"] = [r["id"] for r in await conn.fetch(READ_CHECK, owner, check_id)]
                    out["after_read"] = await conn.fetchval(SETTING)
                    out["inputs"] = await conn.fetchval(INPUTS, owner)
                    out["after_inputs"] = await conn.fetchval(SETTING)
                    out["stored"] = await conn.fetchval(INSERT, owner, stored_id, request_id, generation)
                    out["after_insert"] = await conn.fetchval(SETTING)
                    out["stale"] = await conn.fetchval(INSERT, owner, stale_id, request_id, generation - 1)
                    out["after_stale"] = await conn.fetchval(SETTING)
                    # fails after its set_config: the owner's estimate id is taken
                    out["insert_error"] = await _in_savepoint(conn, INSERT, owner, taken_id, request_id, None)
                    out["after_insert_error"] = await conn.fetchval(SETTING)
                    # fails after its set_config: the owner's check made unreadable inside the savepoint
                    try:
                        async with conn.transaction():
                            await conn.execute(f"SELECT set_config('app.organization_id', '{owner}', true); "
                                               "UPDATE eligibility_checks SET benefits = '1' WHERE id = "
                                               f"'{check_id}'; SELECT set_config('app.organization_id', "
                                               f"'{other}', true)")
                            await conn.fetch(READ_CHECK, owner, check_id)
                    except asyncpg.PostgresError as exc:
                        out["read_error"] = type(exc).__name__
                    out["after_read_error"] = await conn.fetchval(SETTING)
                    out["visible_to_other"] = await conn.fetchval(
                        "SELECT count(*) FROM estimates WHERE id = ANY($1::uuid[])", [stored_id, taken_id])
        with acting_for(owner):
            out["owner_estimates"] = await pool.fetchval(
                "SELECT count(*) FROM estimates WHERE id = ANY($1::uuid[])", [stored_id, stale_id])
            out["owner_audit"] = await pool.fetchval(
                "SELECT count(*) FROM audit_log WHERE request_id = $1", request_id)
            out["check_readable"] = await pool.fetchval(
                "SELECT jsonb_typeof(benefits) FROM eligibility_checks WHERE id = $1", check_id)
        with acting_for(other):
            out["other_audit"] = await pool.fetchval(
                "SELECT count(*) FROM audit_log WHERE request_id = $1", request_id)
        return out

    with acting_for(None):
        out = client.blocking_portal.call(work)
    assert out["alone_other"] == [] and out["alone_owner"] == [check_id] and not out["alone_after"], out
    assert out["read_owner"] == [check_id] and out["after_read"] == other, out
    assert out["inputs"] is not None and out["after_inputs"] == other, out
    assert out["stored"] is True and out["after_insert"] == other, out
    assert out["stale"] is False and out["after_stale"] == other, out
    assert out["insert_error"] == "UniqueViolationError" and out["after_insert_error"] == other, out
    assert out.get("read_error") and out["after_read_error"] == other, out
    assert out["visible_to_other"] == 0 and out["check_readable"] == "object", out
    # the stored one is the owner's with its one audit row; the stale and the failed ones left nothing
    assert out["owner_estimates"] == 1 and out["owner_audit"] == 1 and out["other_audit"] == 0, out
