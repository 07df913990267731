"""Organizations (tenancy): one organization's keys never reach another's records, over HTTP and in PostgreSQL.

The default organization (every key of the shared ``headers`` fixture) plays organization A; ``new_organization``
makes B with keys of its own.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest

from service.db.pool import create_pool
from service.db.tenant import NO_ORGANIZATION, acting_for
from tests.integration.access.conftest import bearer, records_of

TIERS = [
    {"code": "A", "label": "full", "max_percent_fpl": "100", "kind": "nominal_per_day", "nominal_amount": "10.00"},
    {"code": "B", "label": "half", "max_percent_fpl": "200", "kind": "percent_of_charge", "patient_pays_percent": "40"},
    {"code": "C", "label": "full charge", "max_percent_fpl": None, "kind": "full_charge"},
]


@pytest.fixture(scope="module")
def b_records(client, new_organization) -> dict[str, Any]:  # noqa: ANN001
    """Organization B with a check, an estimate from it, a portal token and a sliding-fee schedule of its own."""
    org, keys = new_organization("tenant-b")
    records = records_of(client, keys)
    schedule = client.post("/v1/admin/sliding-fee-schedules", headers=keys["admin"], json={
        "name": "B's schedule", "effective_from": "2020-01-01", "tiers": TIERS})
    assert schedule.status_code == 201, schedule.text
    assert schedule.json()["schedule"]["organization_id"] == org
    return {"org": org, "keys": keys, **records}


def _audit(db, response) -> list[tuple[str, str, str | None]]:  # noqa: ANN001
    rows = db.fetch("SELECT action, outcome, organization_id FROM audit_log WHERE request_id = $1",
                    response.headers["x-request-id"])
    return [(r["action"], r["outcome"], r["organization_id"]) for r in rows]


def test_another_organizations_records_are_404_to_intake_and_each_probe_is_audited(client, headers, db,  # noqa: ANN001
                                                                                     b_records) -> None:
    probes = {
        "estimate.read": client.get(f"/v1/estimates/{b_records['estimate']}", headers=headers["intake"]),
        "eligibility.read": client.get(f"/v1/eligibility/checks/{b_records['check']}", headers=headers["intake"]),
        "portal_token.issue": client.post(f"/v1/estimates/{b_records['estimate']}/portal-tokens",
                                          headers=headers["intake"]),
        "portal_token.revoke": client.delete(f"/v1/portal-tokens/{b_records['token']['id']}",
                                             headers=headers["intake"]),
        "payment_plan.create": client.post(f"/v1/estimates/{b_records['estimate']}/payment-plans",
                                           json={"level": "iop", "term_months": 6}, headers=headers["intake"]),
        "good_faith_estimate.issue": client.post(f"/v1/estimates/{b_records['estimate']}/good-faith-estimates",
                                                 json={"levels": ["iop"], "patient_chose_self_pay": True},
                                                 headers=headers["intake"]),
        "organization.read": client.post("/v1/self-pay/fpl", headers=headers["intake"], json={
            "household": {"size": 3, "annual_income": "35000", "state": "CA"}, "organization_id": b_records["org"]}),
    }
    for action, response in probes.items():
        assert response.status_code == 404, (action, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert _audit(db, response) == [(action, "not_found", "default")], action

    # B's own intake still reaches all of it, and B's token was not revoked by A.
    own = b_records["keys"]["intake"]
    assert client.get(f"/v1/estimates/{b_records['estimate']}", headers=own).status_code == 200
    assert client.get(f"/v1/eligibility/checks/{b_records['check']}", headers=own).status_code == 200
    assert client.get("/v1/portal/estimate", headers=bearer(b_records["token"]["token"])).status_code == 200


def test_lists_and_feeds_hold_only_the_callers_organization(client, headers, b_records) -> None:  # noqa: ANN001
    admin_a, admin_b = headers["admin"], b_records["keys"]["admin"]
    # A's admin neither sees B's schedule nor may name B; B's admin sees it as its current schedule.
    assert all(s["schedule"]["organization_id"] == "default" for s in
               client.get("/v1/admin/sliding-fee-schedules", headers=admin_a).json()["schedules"])
    named = client.get("/v1/admin/sliding-fee-schedules", params={"organization_id": b_records["org"]},
                       headers=admin_a)
    assert named.status_code == 404 and named.json()["errors"][0]["field"] == "organization_id"
    [b_schedule] = client.get("/v1/admin/sliding-fee-schedules", headers=admin_b).json()["schedules"]
    assert b_schedule["current"] is True
    # Writing for another organization is refused the same way.
    written = client.post("/v1/admin/sliding-fee-schedules", headers=admin_a, json={
        "organization_id": b_records["org"], "name": "not mine", "effective_from": "2020-01-01", "tiers": TIERS})
    assert written.status_code == 404

    # Billing feeds and the audit log: nothing of B reaches A.
    reason = {"X-Access-Reason": "tenancy test"}
    estimates = client.get("/v1/billing/estimates", params={"limit": 500}, headers=headers["billing"]).json()
    assert b_records["estimate"] not in {item["id"] for item in estimates["items"]}
    b_feed = client.get("/v1/billing/estimates", params={"limit": 500},
                        headers=b_records["keys"]["billing"]).json()["items"]
    assert [item["id"] for item in b_feed] == [b_records["estimate"]]
    audit_b = client.get("/v1/admin/audit", params={"limit": 1000}, headers={**admin_b, **reason}).json()["entries"]
    assert audit_b and {e["organization_id"] for e in audit_b} <= {b_records["org"], None}
    keys_b = client.get("/v1/admin/keys", headers=admin_b).json()
    assert len(keys_b) == 4 and {k["organization_id"] for k in keys_b} == {b_records["org"]}


def test_the_fpl_tier_and_estimates_use_the_callers_own_schedule(client, headers, b_records) -> None:  # noqa: ANN001
    household = {"household": {"size": 3, "annual_income": "35000", "state": "CA"}, "determination_date": "2026-03-02"}
    b = client.post("/v1/self-pay/fpl", headers=b_records["keys"]["intake"], json=household).json()
    assert (b["organization_id"], b["schedule_version"], b["tier_code"], b["patient_pays_percent"]) == (
        b_records["org"], 1, "B", "40")
    a = client.post("/v1/self-pay/fpl", headers=headers["intake"], json=household).json()
    assert a["organization_id"] == "default" and a["schedule_name"] != "B's schedule"


def test_row_level_security_holds_for_the_app_role_itself(b_records, app_database_url, database_url) -> None:  # noqa: ANN001
    """Connected as the least-privileged role with organization A set, B's rows are not there and cannot be
    written; with no organization set, no tenant row is visible at all."""
    if app_database_url is None:
        pytest.skip("the database server's user may not create roles")
    b_estimate, b_org = uuid.UUID(b_records["estimate"]), b_records["org"]

    async def scenario() -> tuple[int, int, int, int]:
        conn = await asyncpg.connect(app_database_url)
        try:
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.organization_id', 'default', true)")
                hidden = await conn.fetchval("SELECT count(*) FROM estimates WHERE id = $1", b_estimate)
                others = await conn.fetchval("SELECT count(*) FROM estimates WHERE organization_id <> 'default'")
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
                    async with conn.transaction():
                        await conn.execute(
                            """INSERT INTO portal_tokens (estimate_id, issued_by, expires_at, organization_id)
                               VALUES ($1, 'intruder', now() + interval '1 hour', $2)""", str(b_estimate), b_org)
                for written_as in (b_org, None):  # an audit row names the organization acted for, nothing else
                    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
                        async with conn.transaction():
                            await conn.execute(
                                """INSERT INTO audit_log (actor, role, action, resource_type, outcome, organization_id)
                                   VALUES ('intruder', 'intake', 'x', 'x', 'success', $1)""", written_as)
            unset = await conn.fetchval("SELECT count(*) FROM estimates")
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.organization_id', $1, true)", b_org)
                own = await conn.fetchval("SELECT count(*) FROM estimates WHERE id = $1", b_estimate)
            return hidden, others, unset, own
        finally:
            await conn.close()

    assert asyncio.run(scenario()) == (0, 0, 0, 1)


def test_a_pooled_connection_carries_no_organization_into_the_next_use(b_records, settings,  # noqa: ANN001
                                                                      app_database_url) -> None:
    if app_database_url is None:
        pytest.skip("the database server's user may not create roles")
    b_estimate, b_org = uuid.UUID(b_records["estimate"]), b_records["org"]
    seen = "SELECT pg_backend_pid(), current_setting('app.organization_id', true), " \
           "(SELECT count(*) FROM estimates WHERE id = $1)"

    async def scenario() -> list[tuple[Any, ...]]:
        pool = await create_pool(app_database_url, min_size=1, max_size=1)  # one connection: every use shares it
        try:
            uses = []
            with acting_for(b_org):
                uses.append(tuple(await pool.fetchrow(seen, b_estimate)))
                async with pool.acquire() as conn, conn.transaction():  # an explicit transaction acts for B too
                    uses.append(tuple(await conn.fetchrow(seen, b_estimate)))
            with acting_for(NO_ORGANIZATION):  # e.g. a request without a valid key
                uses.append(tuple(await pool.fetchrow(seen, b_estimate)))
            uses.append(tuple(await pool.fetchrow(seen, b_estimate)))  # outside any request: the default organization
            return uses
        finally:
            await pool.close()

    uses = asyncio.run(scenario())
    assert len({pid for pid, _, _ in uses}) == 1
    assert [(setting, count) for _, setting, count in uses] == [
        (b_org, 1), (b_org, 1), ("", 0), ("default", 0)]


def test_an_upgrade_puts_every_existing_row_in_an_organization(postgres_server_url, monkeypatch) -> None:  # noqa: ANN001
    """Rows written before organizations existed go to 'default'; a schedule's free-text organization id becomes
    an organization of its own, so nothing is lost or orphaned."""
    from service.db import migrate  # noqa: PLC0415
    from tests.conftest import fresh_database  # noqa: PLC0415

    every = migrate.available_migrations()

    async def scenario(url: str) -> dict[str, Any]:
        conn = await asyncpg.connect(url)
        try:
            monkeypatch.setattr(migrate, "available_migrations", lambda: [m for m in every if m.version < "0900"])
            await migrate.apply_migrations(conn)
            await conn.execute(
                """INSERT INTO api_keys (name, role, prefix, key_hash) VALUES ('old', 'intake', 'p1', '\\x01');
                   INSERT INTO estimates (created_by, benefits_source, as_of, request, rates, rate_version_ids, figures,
                                          response, request_hash)
                       VALUES ('old', 'manual', '2026-01-05', '{}', '{}', '{}', '{}', '{}', 'h');
                   INSERT INTO sliding_fee_schedules (organization_id, version, name, effective_from, applies_to,
                                                      proof_of_income_required, tiers, created_by)
                       VALUES ('Acme Clinic', 1, 's', '2026-01-01', 'self_pay_only', false, '[]', 'old');
                   INSERT INTO console_sessions (id_hash, actor_id, actor_name, csrf_token, expires_at)
                       VALUES ('\\x02', 'staff:x', 'x', 'c', now() + interval '1 hour')""")
            monkeypatch.setattr(migrate, "available_migrations", lambda: every)
            await migrate.apply_migrations(conn)
            return {
                "organizations": sorted(r["id"] for r in await conn.fetch("SELECT id FROM organizations")),
                "key": await conn.fetchval("SELECT organization_id FROM api_keys"),
                "estimate": await conn.fetchval("SELECT organization_id FROM estimates"),
                "schedule": await conn.fetchval("SELECT organization_id FROM sliding_fee_schedules"),
                "session": await conn.fetchval("SELECT organization_id FROM console_sessions"),
            }
        finally:
            await conn.close()

    with fresh_database(postgres_server_url, "upgrade") as url:
        assert asyncio.run(scenario(url)) == {"organizations": ["Acme Clinic", "default"], "key": "default",
                                              "estimate": "default", "schedule": "Acme Clinic", "session": "default"}


def test_audit_rows_naming_no_organization_reach_only_whom_they_belong_to(client, headers, b_records,  # noqa: ANN001
                                                                          database_url) -> None:
    """Rows from before organizations existed are the default organization's; a later row naming no organization
    (a request without a valid key) reaches every administrator only when it names no patient."""
    async def write_rows() -> int:
        conn = await asyncpg.connect(database_url)  # the owner: rows as migrations or an old version wrote them
        try:
            return await conn.fetchval(
                """WITH written AS (INSERT INTO audit_log (occurred_at, actor, role, action, resource_type, resource_id, patient_key,
                                          outcome, organization_id)
                   VALUES ('2020-01-01T09:00:00Z', 'before tenancy', 'intake', 'estimate.read', 'estimate', 'e-1',
                           'pk-before-tenancy', 'success', NULL),
                          (now(), 'stray', 'intake', 'estimate.read', 'estimate', 'e-2', 'pk-stray', 'success', NULL),
                          (now(), 'no valid key', 'anonymous', 'request.denied', 'route', NULL, NULL, 'denied', NULL)
                   RETURNING id) SELECT min(id) FROM written""")
        finally:
            await conn.close()

    first = asyncio.run(write_rows())
    reason = {"X-Access-Reason": "tenancy test"}

    def actors(admin: dict[str, str]) -> set[str]:
        answer = client.get("/v1/admin/audit", params={"after_id": first - 1, "limit": 1000},
                            headers={**admin, **reason})
        assert answer.status_code == 200, answer.text
        return {e["actor"] for e in answer.json()["entries"] if e["organization_id"] is None}

    assert actors(headers["admin"]) == {"before tenancy", "no valid key"}  # the default organization
    assert actors(b_records["keys"]["admin"]) == {"no valid key"}
