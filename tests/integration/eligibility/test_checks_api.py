"""Cache, refresh, audit rows, PHI out of logs, delimiter injection, reading checks and raw X12."""

from __future__ import annotations

import io

from service.logging import configure_logging
from tests.integration.eligibility.helpers import body_for


def test_repeat_check_is_served_from_cache_with_age(client, headers, db):
    body = body_for("PPO-FAM-006")
    first = client.post("/v1/eligibility/checks", json=body, headers=headers["intake"])
    assert first.status_code == 201
    db.execute("UPDATE eligibility_checks SET created_at = now() - interval '90 seconds' WHERE id = $1::uuid", first.json()["id"])
    again = client.post("/v1/eligibility/checks", json=body, headers=headers["billing"])
    assert again.status_code == 200, again.text
    out = again.json()
    assert out["from_cache"] is True and out["id"] == first.json()["id"]
    assert 90 <= out["age_seconds"] < 120
    hits = db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'eligibility.cache_hit' AND resource_id = $1", out["id"]
    )
    assert hits == 1

    fresh = client.post("/v1/eligibility/checks?refresh=true", json=body, headers=headers["intake"])
    assert fresh.status_code == 201
    assert fresh.json()["from_cache"] is False and fresh.json()["id"] != out["id"] and fresh.json()["age_seconds"] == 0


def test_other_service_types_or_corrected_name_are_not_cache_hits(client, headers):
    body = body_for("PPO-FAM-006")
    assert client.post("/v1/eligibility/checks", json=body, headers=headers["intake"]).status_code == 201
    other = dict(body, service_type_codes=["MH"])
    assert client.post("/v1/eligibility/checks", json=other, headers=headers["intake"]).json()["from_cache"] is False


def test_rejections_are_not_reused(client, headers):
    body = body_for("NOPE-99999")
    assert client.post("/v1/eligibility/checks", json=body, headers=headers["intake"]).status_code == 201
    assert client.post("/v1/eligibility/checks", json=body, headers=headers["intake"]).status_code == 201


def test_audit_rows_for_create_and_read(client, headers, db):
    out = client.post("/v1/eligibility/checks", json=body_for("MCD-FFS-004"), headers=headers["intake"]).json()
    r = client.get(f"/v1/eligibility/checks/{out['id']}", headers=headers["billing"])
    assert r.status_code == 200 and r.json()["benefits"] == out["benefits"] and r.json()["patient"] == out["patient"]
    rows = db.fetch(
        "SELECT action, role, patient_key, request_id FROM audit_log WHERE resource_id = $1 ORDER BY id", out["id"]
    )
    assert [(x["action"], x["role"]) for x in rows] == [("eligibility.create", "intake"), ("eligibility.read", "billing")]
    assert all(x["patient_key"] == out["patient"]["patient_key"] and x["patient_key"].startswith("pk_") for x in rows)
    assert all(x["request_id"] for x in rows)
    stored = db.fetchrow("SELECT created_by, source, member_id, subscriber_last_name, raw_270, updated_at FROM eligibility_checks WHERE id = $1::uuid", out["id"])
    assert stored["source"] == "clearinghouse" and stored["member_id"] == "MCD-FFS-004"
    assert stored["subscriber_last_name"] == "RAMIREZ" and stored["raw_270"].startswith("ISA*")
    assert stored["created_by"] != "anonymous"


def test_phi_is_not_logged_during_a_check(client, headers):
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    try:
        r = client.post("/v1/eligibility/checks", json=body_for("MCR-PSYCH-003"), headers=headers["intake"])
        assert r.status_code == 201
        client.get(f"/v1/eligibility/checks/{r.json()['id']}", headers=headers["intake"])
    finally:
        configure_logging("WARNING", "json")
    text = stream.getvalue()
    assert "eligibility_check_created" in text and "clearinghouse_answered" in text
    for phi in ("MCR-PSYCH-003", "PRICE", "ELEANOR", "1955-07-21", "19550721", "ISA*"):
        assert phi not in text, phi


def test_delimiter_in_a_name_is_400_naming_the_field(client, headers):
    body = body_for("PPO-FAM-006", subscriber={"last_name": "MILLER~NM1*IL"})
    r = client.post("/v1/eligibility/checks", json=body, headers=headers["intake"])
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["field"] == "$.subscriber.last_name"
    body = body_for("PPO-FAM-006", payer_id="SB*PPO")
    r = client.post("/v1/eligibility/checks", json=body, headers=headers["intake"])
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "$.payer_id"
    body = body_for("PPO-FAM:006")
    r = client.post("/v1/eligibility/checks", json=body, headers=headers["intake"])
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "$.subscriber.member_id"


def test_invalid_body_names_the_field(client, headers):
    body = body_for("PPO-FAM-006")
    del body["subscriber"]["date_of_birth"]
    r = client.post("/v1/eligibility/checks", json=body, headers=headers["intake"])
    assert r.status_code == 400 and "date_of_birth" in r.text


def test_unknown_and_invalid_ids_are_404(client, headers):
    for cid in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        r = client.get(f"/v1/eligibility/checks/{cid}", headers=headers["intake"])
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
        assert client.get(f"/v1/eligibility/checks/{cid}/x12", headers=headers["billing"]).status_code == 404


def test_roles(client, headers):
    out = client.post("/v1/eligibility/checks", json=body_for("MCD-MCO-005"), headers=headers["intake"]).json()
    assert client.post("/v1/eligibility/checks", json=body_for("MCD-MCO-005"), headers=headers["portal"]).status_code == 403
    assert client.post("/v1/eligibility/checks", json=body_for("MCD-MCO-005")).status_code == 401
    assert client.get(f"/v1/eligibility/checks/{out['id']}", headers=headers["portal"]).status_code == 403
    assert client.get(f"/v1/eligibility/checks/{out['id']}/x12", headers=headers["intake"]).status_code == 403
    x12 = client.get(f"/v1/eligibility/checks/{out['id']}/x12", headers={**headers["admin"], "X-Access-Reason": "test"})
    assert x12.status_code == 200
    assert x12.json()["raw_270"].startswith("ISA*") and "ST*271*" in x12.json()["raw_271"]


def test_get_check_benefits_for_the_estimate_engine(client, headers):
    from service.eligibility.service import get_check_benefits  # noqa: PLC0415

    out = client.post("/v1/eligibility/checks", json=body_for("PPO-AUTH-007"), headers=headers["intake"]).json()
    benefits, facts = client.blocking_portal.call(get_check_benefits, client.app.state.pool, out["id"])
    assert benefits.plan_name == "SILVER PPO 2000"
    assert facts["check_id"] == out["id"] and facts["status"] == "active" and facts["source"] == "clearinghouse"
    assert facts["patient_key"] == out["patient"]["patient_key"]
    assert not any(k in facts for k in ("member_id", "last_name", "date_of_birth"))


def _metric(client, name: str, **labels: str) -> float:
    """The current value of one Prometheus counter series (0 before its first increment)."""
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(f"{name}{{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_eligibility_outcomes_and_cache_lookups_are_counted(client, headers):
    body = body_for("PPO-FAM-006")
    payer = body["payer_id"]
    name = "benefits_estimator_eligibility_checks_total"
    before_active = _metric(client, name, payer_id=payer, outcome="active")
    before_hits = _metric(client, "benefits_estimator_cache_lookups_total", kind="eligibility", result="hit")
    assert client.post("/v1/eligibility/checks", json=body, headers=headers["intake"]).status_code == 201
    assert client.post("/v1/eligibility/checks", json=body, headers=headers["intake"]).status_code == 200  # cached
    assert _metric(client, name, payer_id=payer, outcome="active") == before_active + 1
    assert _metric(client, "benefits_estimator_cache_lookups_total", kind="eligibility", result="hit") == before_hits + 1
