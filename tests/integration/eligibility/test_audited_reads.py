"""Reads of a stored check are audited in the statement that reads them (migration 0952), also many at once."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from service.db.tenant import acting_for
from tests.integration.eligibility.helpers import body_for


def test_every_read_among_many_at_once_leaves_its_own_audit_row(client, headers, new_organization) -> None:  # noqa: ANN001
    body = body_for("PPO-FAM-006")
    own = client.post("/v1/eligibility/checks", json=body, headers=headers["intake"])
    assert own.status_code == 201, own.text
    other_org, other_keys = new_organization("reads")
    theirs = client.post("/v1/eligibility/checks", json=body, headers=other_keys["intake"])
    assert theirs.status_code == 201, theirs.text  # another organization's identical check is never a cache hit
    own_id, their_id, unknown = own.json()["id"], theirs.json()["id"], str(uuid.uuid4())
    # (method, path, key, body, status, audited action, outcome, organization, resource id)
    asks = []
    for n in range(8):
        asked = unknown if n % 2 else "not-an-id"
        asks += [
            ("GET", f"/v1/eligibility/checks/{own_id}", headers["intake"], None, 200,
             "eligibility.read", "success", "default", own_id),
            ("GET", f"/v1/eligibility/checks/{their_id}", headers["intake"], None, 404,
             "eligibility.read", "not_found", "default", their_id),
            ("GET", f"/v1/eligibility/checks/{their_id}", other_keys["billing"], None, 200,
             "eligibility.read", "success", other_org, their_id),
            ("GET", f"/v1/eligibility/checks/{asked}", headers["billing"], None, 404,
             "eligibility.read", "not_found", "default", asked),
            ("GET", f"/v1/eligibility/checks/{own_id}/x12", headers["billing"], None, 200,
             "eligibility.read_x12", "success", "default", own_id),
            ("POST", "/v1/eligibility/checks", headers["intake"], body, 200,
             "eligibility.cache_hit", "success", "default", own_id),
        ]

    async def all_at_once() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await asyncio.gather(*(
                http.request(method, path, json=payload, headers={**key, "X-Request-Id": f"reads-{n}-{own_id[:8]}"})
                for n, (method, path, key, payload, *_) in enumerate(asks)))

    async def audited(organization: str, request_id: str) -> list[tuple[str, ...]]:
        with acting_for(organization):  # each organization reads its own audit rows only
            return [tuple(r) for r in await client.app.state.pool.fetch(
                "SELECT action, outcome, organization_id, resource_id FROM audit_log WHERE request_id = $1",
                request_id)]

    answers = client.blocking_portal.call(all_at_once)
    for (_, path, _, _, status, action, outcome, organization, resource), answer in zip(asks, answers):
        assert answer.status_code == status, (path, answer.text)
        rows = client.blocking_portal.call(audited, organization, answer.headers["x-request-id"])
        assert rows == [(action, outcome, organization, resource)], path


def test_a_batch_acts_for_each_reads_organization_only_while_it_runs(client, new_organization) -> None:  # noqa: ANN001
    """Inside a transaction acting for one organization, a batch of reads acting for two others audits each read for
    its own organization (row-level security: another's check is not found) and leaves the transaction's own setting
    as it was."""
    other_org, other_keys = new_organization("inside")
    theirs = client.post("/v1/eligibility/checks", json=body_for("PPO-FAM-006"), headers=other_keys["intake"])
    their_id = uuid.UUID(theirs.json()["id"])
    pool = client.app.state.pool
    request_ids = [f"inside-{n}-{uuid.uuid4().hex[:8]}" for n in range(3)]

    async def scenario() -> tuple[list[tuple[int, str]], str, list[str | None]]:
        with acting_for("default"):
            async with pool.acquire() as conn, conn.transaction():
                rows = await conn.fetch_setting_its_own(
                    "SELECT n, id::text FROM read_eligibility_checks_audited($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                    " $11, $12, $13, false)", [other_org, "default", other_org], [their_id, their_id, their_id],
                    [None] * 3, [None] * 3, ["asked"] * 3, ["test"] * 3, ["intake"] * 3, ["eligibility.read"] * 3,
                    request_ids, [None] * 3, [None] * 3, [None] * 3, [None] * 3)
                setting = await conn.fetchval("SELECT current_setting('app.organization_id')")
        audited = []
        for organization, request_id in zip([other_org, "default", other_org], request_ids):
            with acting_for(organization):
                audited.append(await pool.fetchval("SELECT outcome FROM audit_log WHERE request_id = $1", request_id))
        return [tuple(r) for r in rows], setting, audited

    rows, setting, audited = client.blocking_portal.call(scenario)
    assert rows == [(1, str(their_id)), (3, str(their_id))]
    assert setting == "default"
    assert audited == ["success", "not_found", "success"]


def _without_age(answer: httpx.Response) -> dict:
    body = answer.json()
    assert isinstance(body.pop("age_seconds"), int)
    return body


def test_an_answer_held_in_memory_is_the_answer_read_whole_and_never_outlives_its_row(client, headers, db,  # noqa: ANN001
                                                                                        monkeypatch) -> None:
    from service.eligibility import check_views, service  # noqa: PLC0415

    body = body_for("PPO-FAM-006")
    made = client.post("/v1/eligibility/checks", json=body, headers=headers["intake"])
    path = f"/v1/eligibility/checks/{made.json()['id']}"
    read, held = (client.get(path, headers=headers["intake"]) for _ in range(2))  # the second one: held version
    hit, held_hit = (client.post("/v1/eligibility/checks", json=body, headers=headers["intake"]) for _ in range(2))
    monkeypatch.setattr(service, "_VIEWS", check_views.CheckViews())  # nothing held: every column read
    whole, whole_hit = client.get(path, headers=headers["intake"]), client.post(
        "/v1/eligibility/checks", json=body, headers=headers["intake"])
    assert _without_age(read) == _without_age(held) == _without_age(whole) == {
        **_without_age(made), "created_at": whole.json()["created_at"], "updated_at": whole.json()["updated_at"],
        "benefits": whole.json()["benefits"]}
    assert _without_age(hit) == _without_age(held_hit) == _without_age(whole_hit) == {**_without_age(whole),
                                                                                      "from_cache": True}
    assert whole.json()["patient"]["first_name"] == "DANIEL"  # the patient comes from the row, every time

    db.execute("UPDATE eligibility_checks SET status = 'inactive' WHERE id = $1::uuid", made.json()["id"])
    after = client.get(path, headers=headers["intake"]).json()
    assert (after["status"], after["message"]) == (
        "inactive", "Coverage with SANDBOX PPO is not active on the date of service.")
    assert after["updated_at"] != whole.json()["updated_at"]


def test_reads_made_at_once_share_statements_and_one_that_fails_fails_alone(client, headers, db) -> None:  # noqa: ANN001
    from service.eligibility.store import CheckReads, fetch_check_audited  # noqa: PLC0415

    made = client.post("/v1/eligibility/checks", json=body_for("PPO-FAM-006"), headers=headers["intake"])
    check_id = uuid.UUID(made.json()["id"])
    reads = CheckReads(client.app.state.pool)
    statements = []
    fetch = reads.answers._fetch

    async def counted(batch):  # noqa: ANN001, ANN202
        statements.append(len(batch))
        return await fetch(batch)

    reads.answers._fetch = counted
    tag = uuid.uuid4().hex[:8]

    def audit(n: int) -> tuple[str | None, ...]:
        # an audit row without an actor violates NOT NULL: that read cannot be done
        return (None if n == 5 else "test", "intake", "eligibility.read", f"batch-{tag}-{n}", None)

    async def at_once() -> list[object]:
        with acting_for("default"):
            return await asyncio.gather(*(fetch_check_audited(reads, check_id, str(check_id), audit(n))
                                          for n in range(12)), return_exceptions=True)

    answers = client.blocking_portal.call(at_once)
    assert [type(a).__name__ for a in answers] == ["Record"] * 5 + ["NotNullViolationError"] + ["Record"] * 6
    assert all(a["id"] == check_id for n, a in enumerate(answers) if n != 5)
    gathered = max(statements)
    assert gathered > 1  # reads made while others were in flight went together
    assert statements.count(1) >= gathered  # the batch with the failing read was tried again read by read
    rows = db.fetch("SELECT request_id FROM audit_log WHERE request_id LIKE $1 ORDER BY request_id", f"batch-{tag}-%")
    # each answered read has exactly one audit row (a batch that failed wrote none); the failed one has none
    assert sorted(r["request_id"] for r in rows) == sorted(f"batch-{tag}-{n}" for n in range(12) if n != 5)
