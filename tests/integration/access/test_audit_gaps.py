"""Attempts leave audit rows too: denied requests, probes for missing checks, 270s the clearinghouse failed,
refused payment plans, and every API key created or revoked."""

from __future__ import annotations

import uuid
from typing import Any

from tests.integration.eligibility.helpers import body_for


def _rows(db, response: Any) -> list[Any]:  # noqa: ANN001
    return db.fetch("SELECT * FROM audit_log WHERE request_id = $1 ORDER BY id", response.headers["x-request-id"])


def _key_id(client, headers, role: str) -> str:  # noqa: ANN001
    prefix = headers[role]["X-API-Key"].split("_")[1]
    return next(k["id"] for k in client.get("/v1/admin/keys", headers=headers["admin"]).json() if k["prefix"] == prefix)


def test_denied_requests_are_audited_with_who_tried_which_route(client, db, headers) -> None:
    anonymous = client.get(f"/v1/estimates/{uuid.uuid4()}")
    assert anonymous.status_code == 401
    [row] = _rows(db, anonymous)
    assert (row["actor"], row["action"], row["resource_id"], row["outcome"]) == (
        "anonymous", "access.unauthenticated", "getEstimate", "denied")

    wrong_role = client.get("/v1/admin/audit", headers=headers["intake"])
    assert wrong_role.status_code == 403
    [row] = _rows(db, wrong_role)
    assert (row["actor"], row["role"], row["action"], row["resource_id"], row["outcome"]) == (
        _key_id(client, headers, "intake"), "intake", "access.forbidden", "queryAuditLog", "denied")


def test_probes_for_checks_that_do_not_exist_are_audited(client, db, headers) -> None:
    for check_id, path, role in ((str(uuid.uuid4()), "", "intake"), ("not-an-id", "", "intake"),
                                 (str(uuid.uuid4()), "/x12", "billing")):
        response = client.get(f"/v1/eligibility/checks/{check_id}{path}", headers=headers[role])
        assert response.status_code == 404
        [row] = _rows(db, response)
        assert (row["resource_id"], row["outcome"]) == (check_id, "not_found")


def test_a_270_the_clearinghouse_failed_is_audited_as_a_disclosure(client, db, headers) -> None:
    response = client.post("/v1/eligibility/checks", json=body_for("ERR-BAD-502"), headers=headers["intake"])
    assert response.status_code == 502, response.text
    [row] = _rows(db, response)
    assert (row["action"], row["outcome"]) == ("eligibility.create", "upstream_error")
    assert row["patient_key"].startswith("pk_")


def test_a_refused_payment_plan_is_audited(client, db, headers) -> None:
    body = {"self_pay": True, "levels": ["iop"], "as_of": "2026-03-02",
            "household": {"size": 1, "annual_income": "90000", "state": "CA"}}
    estimate = client.post("/v1/estimates", json=body, headers=headers["intake"]).json()["estimate_id"]
    refused = client.post(f"/v1/estimates/{estimate}/payment-plans", json={"level": "iop", "term_months": 120},
                          headers=headers["intake"])
    assert refused.status_code == 422, refused.text
    [row] = _rows(db, refused)
    assert (row["action"], row["resource_id"], row["outcome"]) == ("payment_plan.create", estimate, "refused")


def test_keys_created_and_revoked_by_full_secret_are_audited(client, db, headers) -> None:
    created = client.post("/v1/admin/keys", json={"name": "audit me", "role": "billing"}, headers=headers["admin"])
    assert created.status_code == 201
    key = created.json()
    [row] = _rows(db, created)
    assert (row["action"], row["resource_id"], row["actor"]) == (
        "api_key.create", key["id"], _key_id(client, headers, "admin"))
    assert client.get("/v1/billing/estimates", headers={"X-API-Key": key["secret"]}).status_code == 200

    revoked = client.delete(f"/v1/admin/keys/{key['secret']}", headers=headers["admin"])
    assert revoked.status_code == 204
    [row] = _rows(db, revoked)
    assert (row["action"], row["resource_id"], row["outcome"]) == ("api_key.revoke", key["id"], "success")
    assert client.get("/v1/billing/estimates", headers={"X-API-Key": key["secret"]}).status_code == 401

    again = client.delete(f"/v1/admin/keys/{key['secret']}", headers=headers["admin"])
    assert again.status_code == 404 and key["secret"] not in again.json()["detail"]
    [row] = _rows(db, again)
    assert row["outcome"] == "not_found" and key["secret"] not in row["resource_id"]


def test_api_answers_are_never_cached(client, headers) -> None:
    body = {"self_pay": True, "levels": ["iop"], "as_of": "2026-03-02",
            "household": {"size": 2, "annual_income": "30000", "state": "CA"}}
    created = client.post("/v1/estimates", json=body, headers=headers["intake"])
    for response in (created, client.get(f"/v1/estimates/{created.json()['estimate_id']}", headers=headers["intake"]),
                     client.get("/v1/admin/audit", headers=headers["admin"]),
                     client.get(f"/v1/estimates/{uuid.uuid4()}", headers=headers["intake"])):
        assert response.headers["cache-control"] == "no-store", response.request.url


def test_an_admin_reads_raw_x12_and_billing_feeds_only_with_a_stated_reason(client, db, headers) -> None:
    check = client.post("/v1/eligibility/checks", json=body_for("MCR-PARTB-001", payer_id="SBMCR"),
                        headers=headers["intake"]).json()["id"]
    for url in (f"/v1/eligibility/checks/{check}/x12", "/v1/billing/estimates"):
        refused = client.get(url, headers=headers["admin"])
        assert refused.status_code == 403 and "X-Access-Reason" in refused.json()["detail"]
        assert _rows(db, refused)[0]["outcome"] == "denied"
        allowed = client.get(url, headers={**headers["admin"], "X-Access-Reason": "TICKET-4711 claim dispute"})
        assert allowed.status_code == 200, allowed.text
        assert {r["reason"] for r in _rows(db, allowed)} == {"TICKET-4711 claim dispute"}
        assert client.get(url, headers=headers["billing"]).status_code == 200  # billing's daily work: no reason asked
    audit = client.get("/v1/admin/audit", params={"limit": 1000}, headers=headers["admin"]).json()["entries"]
    assert "TICKET-4711 claim dispute" in {e["reason"] for e in audit}
