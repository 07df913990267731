"""Concurrent estimates are stored together, one statement and one commit (migration 0996, store.insert_estimate):
each row and its audit row under the organization of the request that made it, each generation-checked on its own,
and an estimate the database refuses fails alone."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest

from service.db.tenant import acting_for
from service.pricing import store
from tests.integration.pricing.helpers import estimate_body, ppo_manual

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stored(client: Any, headers: dict[str, dict[str, str]]) -> store.StoredEstimate:
    made = client.post("/v1/estimates", json=estimate_body(manual=ppo_manual(), levels=["iop"]),
                       headers=headers["intake"])
    assert made.status_code == 201, made.text
    return client.blocking_portal.call(lambda: store.load_estimate(client.app.state.pool, made.json()["estimate_id"],
                                                                   with_benefits=True))


def _store_together(client: Any, original: store.StoredEstimate,
                    copies: list[tuple[uuid.UUID, str, int]]) -> tuple[list[Any], list[int]]:
    """Store a copy of ``original`` per (id, organization, generation), all at once; what each insert answered and
    the number of estimates in each statement sent."""
    pool = client.app.state.pool
    writes = store.estimate_writes(pool)
    statements: list[int] = []
    fetch = writes._fetch  # noqa: SLF001

    async def counted(estimates: list[tuple[Any, ...]]) -> list[asyncpg.Record]:
        statements.append(len(estimates))
        return await fetch(estimates)

    async def one(estimate_id: uuid.UUID, organization: str, generation: int) -> bool:
        with acting_for(organization):
            return await store.insert_estimate(
                pool, estimate_id=estimate_id, created_at=original.created_at, caller=None,
                request_id=f"batch-{estimate_id}", patient_key=original.patient_key, request=original.request,
                benefits_source=original.benefits_source, eligibility_check_id=None, as_of=original.as_of,
                benefits=original.benefits, rates=original.rates, figures=original.figures,
                response=original.response, inputs_generation=generation)

    async def all_at_once() -> list[Any]:
        writes._fetch = counted  # noqa: SLF001
        try:
            return await asyncio.gather(*(one(*copy) for copy in copies), return_exceptions=True)
        finally:
            del writes._fetch  # noqa: SLF001

    return client.blocking_portal.call(all_at_once), statements


def _as_owner(client: Any, database_url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Rows of every organization (the table owner is not bound by row-level security)."""
    async def fetch() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(database_url)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    return client.blocking_portal.call(fetch)


def test_estimates_of_two_organizations_are_stored_in_one_statement_each_under_its_own(
        client, db, database_url, stored, new_organization) -> None:
    other, _headers = new_organization("batch")
    generation = db.fetchval("SELECT generation FROM reference_data_generation")
    ids = [uuid.uuid4() for _ in range(6)]
    organizations = ["default", "default", other, "default", other, other]
    generations = [generation, generation, generation, generation - 1, generation, generation]  # 4th: changed since
    answers, statements = _store_together(client, stored, list(zip(ids, organizations, generations, strict=True)))

    assert answers == [True, True, True, False, True, True]
    assert statements == [1, 5]  # the first alone (nothing in flight), the five that came meanwhile together
    rows = {r["id"]: r["organization_id"] for r in _as_owner(client, database_url, "SELECT id, organization_id "
                                                               "FROM estimates WHERE id = ANY($1)", ids)}
    audit_rows = _as_owner(client, database_url, "SELECT * FROM audit_log WHERE resource_id = ANY($1)",
                           [str(i) for i in ids])
    audits = {r["resource_id"]: (r["organization_id"], r["action"], r["request_id"], r["outcome"])
              for r in audit_rows}
    made = [(i, o) for i, o, g in zip(ids, organizations, generations, strict=True) if g != generation - 1]
    assert rows == dict(made)
    assert audits == {str(i): (o, "estimate.create", f"batch-{i}", "success") for i, o in made}
    assert len(audit_rows) == 5


def test_an_estimate_the_database_refuses_fails_alone_and_the_others_of_its_batch_are_stored(
        client, db, stored) -> None:
    generation = db.fetchval("SELECT generation FROM reference_data_generation")
    ids = [uuid.uuid4(), uuid.uuid4(), stored.id, uuid.uuid4()]  # the third is taken: a primary-key violation
    answers, statements = _store_together(client, stored, [(i, "default", generation) for i in ids])

    assert isinstance(answers[2], asyncpg.UniqueViolationError)
    assert [answers[n] for n in (0, 1, 3)] == [True, True, True]
    assert statements == [1, 3, 1, 1, 1]  # the batch of three refused, then each of them alone
    fresh = [str(ids[n]) for n in (0, 1, 3)]
    assert db.fetchval("SELECT count(*) FROM estimates WHERE id = ANY($1)", [ids[n] for n in (0, 1, 3)]) == 3
    assert sorted(r["resource_id"] for r in db.fetch(
        "SELECT resource_id FROM audit_log WHERE action = 'estimate.create' AND resource_id = ANY($1)",
        [*fresh, str(stored.id)])) == sorted([*fresh, str(stored.id)])  # the taken id's own audit row only


#: 0996's function with one estimate: $1 acting_for, $2 the id, $3 the audit request id, $4 the generation.
_ONE = ("SELECT n, stored FROM insert_estimates_audited(ARRAY[$1::text], ARRAY[$2::uuid], ARRAY[now()], "
        "'{probe}', '{pk_probe}', '{NULL}', '{NULL}', '{NULL}', '{manual}', '{NULL}', '{2026-03-02}', '{\"{}\"}', "
        "'{NULL}', '{\"{}\"}', '{\"{}\"}', '{\"{}\"}', '{\"{}\"}', '{probe-hash}', '{NULL}', '{probe}', '{intake}', "
        "ARRAY[$3::text], '{NULL}', ARRAY[$4::bigint])")


def test_the_batch_function_keeps_the_outer_setting_whether_it_stored_refused_or_failed(
        client, db, stored, new_organization) -> None:
    owner, _ = new_organization("batchfn")
    other, _ = new_organization("outer")
    generation = db.fetchval("SELECT generation FROM reference_data_generation")
    request_id, stored_id = f"batch-fn-{uuid.uuid4().hex[:10]}", uuid.uuid4()
    setting = "SELECT current_setting('app.organization_id', true)"

    async def work() -> list[Any]:
        seen: list[Any] = []
        async with client.app.state.pool.acquire() as conn:
            with acting_for(other):
                async with conn.transaction():  # BEGIN sets the other organization
                    for estimate_id, inputs_generation in ((stored_id, generation), (uuid.uuid4(), generation - 1)):
                        seen.append([tuple(r) for r in await conn.fetch(_ONE, owner, estimate_id, request_id,
                                                                          inputs_generation)])
                        seen.append(await conn.fetchval(setting))
                    try:  # fails after its set_config: the id is taken
                        async with conn.transaction():
                            await conn.fetch(_ONE, owner, stored.id, request_id, generation)
                    except asyncpg.UniqueViolationError:
                        seen.append("refused")
                    seen.append(await conn.fetchval(setting))
                    seen.append(await conn.fetchval("SELECT count(*) FROM estimates WHERE id = $1", stored_id))
        with acting_for(owner):
            seen.append(await client.app.state.pool.fetchval(
                "SELECT count(*) FROM audit_log WHERE request_id = $1", request_id))
        return seen

    assert client.blocking_portal.call(work) == [
        [(1, True)], other, [(1, False)], other, "refused", other,
        0,  # the owner's estimate: not visible acting for the other organization
        1]  # its one audit row, in the owner's organization; the stale and the failed ones left none
