"""Billing pull feeds: cursor paging under concurrent writes, out-of-order commits, audit."""

from __future__ import annotations

from typing import Any

_INSERT_CHECK = """INSERT INTO eligibility_checks (source, status, payer_id, member_id, raw_271, benefits, created_by, patient_key)
                   VALUES ('manual', 'active', 'DEMO', 'M123456789', 'ISA*~',
                           '{"source": "manual", "active": true, "payer_class": "commercial"}', 'test', $1) RETURNING id::text"""


def _insert_check(db, tag: str) -> str:  # noqa: ANN001
    return db.fetchval(_INSERT_CHECK, f"pk_pull_{tag}")


def _drain(client, headers, cursor: str | None, limit: int = 3) -> tuple[list[dict[str, Any]], str]:  # noqa: ANN001
    items: list[dict[str, Any]] = []
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/billing/eligibility-checks", params=params, headers=headers["billing"]).json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items, cursor


def test_paging_while_rows_are_inserted_skips_and_repeats_nothing(client, headers, db) -> None:
    _, cursor = _drain(client, headers, None, limit=500)  # start from "now"
    inserted = [_insert_check(db, f"a{i}") for i in range(7)]
    seen: list[str] = []
    while True:
        page = client.get(
            "/v1/billing/eligibility-checks", params={"limit": 2, "cursor": cursor}, headers=headers["billing"]
        ).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if len(inserted) < 15:  # keep writing between pages
            inserted.append(_insert_check(db, f"b{len(inserted)}"))
        if not page["has_more"] and len(inserted) >= 15:
            break
    items, _ = _drain(client, headers, cursor)
    seen.extend(item["id"] for item in items)
    assert len(seen) == len(set(seen)), "a row was handed out twice"
    assert set(seen) == set(inserted), "a row was skipped"


def test_an_update_moves_the_row_to_the_end_of_the_feed(client, headers, db) -> None:
    _, cursor = _drain(client, headers, None, limit=500)
    first, second = _insert_check(db, "u1"), _insert_check(db, "u2")
    db.execute("UPDATE eligibility_checks SET status = 'inactive' WHERE id = $1::uuid", first)
    items, cursor = _drain(client, headers, cursor)
    assert [i["id"] for i in items] == [second, first]
    assert items[1]["status"] == "inactive"
    assert _drain(client, headers, cursor)[0] == []


def test_a_late_commit_of_an_earlier_sequence_value_is_not_skipped(client, headers, db) -> None:
    _, cursor = _drain(client, headers, None, limit=500)
    pool = client.app.state.pool
    portal = client.blocking_portal

    async def acquire():  # noqa: ANN202
        return await pool.acquire()

    slow = portal.call(acquire)
    try:
        portal.call(slow.execute, "BEGIN")
        early = portal.call(slow.fetchval, _INSERT_CHECK, "pk_pull_early")  # takes the smaller change_seq
        late = _insert_check(db, "late")  # larger change_seq, committed first
        items, cursor = _drain(client, headers, cursor)
        # Neither may be handed out while the older transaction runs, or `early` would land behind the cursor.
        assert [i["id"] for i in items] == []
        portal.call(slow.execute, "COMMIT")
    finally:
        portal.call(pool.release, slow)
    items, _ = _drain(client, headers, cursor)
    assert sorted(i["id"] for i in items) == sorted([early, late])


def test_items_leave_out_raw_x12_and_each_pull_is_audited(client, headers, db) -> None:
    _, cursor = _drain(client, headers, None, limit=500)
    check_id = _insert_check(db, "audit")
    response = client.get("/v1/billing/eligibility-checks", params={"cursor": cursor}, headers=headers["billing"])
    [item] = response.json()["items"]
    assert item["id"] == check_id and item["member_id"] == "M123456789"
    for excluded in ("raw_271", "raw_270", "request", "cache_key", "change_xid"):
        assert excluded not in item
    audit = db.fetchrow(
        "SELECT action, role, resource_id, patient_key FROM audit_log WHERE request_id = $1",
        response.headers["x-request-id"],
    )
    assert dict(audit) == {
        "action": "eligibility_check.pull", "role": "billing", "resource_id": check_id, "patient_key": "pk_pull_audit",
    }


def test_estimates_feed(client, headers, db, make_estimate) -> None:
    cursor = None
    while True:
        page = client.get("/v1/billing/estimates", params={"limit": 500} | ({"cursor": cursor} if cursor else {}), headers=headers["billing"]).json()
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    estimate_id = make_estimate()
    page = client.get("/v1/billing/estimates", params={"cursor": cursor}, headers=headers["billing"]).json()
    assert [i["id"] for i in page["items"]] == [estimate_id]
    assert "request" not in page["items"][0] and "rates" not in page["items"][0]


def test_bad_or_foreign_cursor_is_400(client, headers) -> None:
    assert client.get("/v1/billing/estimates", params={"cursor": "bm9wZQ"}, headers=headers["billing"]).status_code == 400
    checks_cursor = client.get("/v1/billing/eligibility-checks", headers=headers["billing"]).json()["next_cursor"]
    foreign = client.get("/v1/billing/estimates", params={"cursor": checks_cursor}, headers=headers["billing"])
    assert foreign.status_code == 400
    assert foreign.json()["errors"][0]["field"] == "cursor"
