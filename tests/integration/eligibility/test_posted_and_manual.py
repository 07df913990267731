"""Other sources of benefits: a 271 billing already holds, and benefits typed in from a phone call."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.corpus import X12_CORPUS as SAMPLES, public_samples

SAMPLE_271S = public_samples("*.271")


@pytest.mark.parametrize("path", SAMPLE_271S, ids=lambda p: p.name)
def test_posted_sample_271_parses(client, headers, db, path):
    r = client.post("/v1/eligibility/parse-271", json={"x12": path.read_text()}, headers=headers["billing"])
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["source"] == "posted_271" and out["benefits"]["source"] == "posted_271"
    if "error" in path.name:
        assert out["status"] == "rejected"
        assert out["benefits"]["rejections"][0]["reason_code"] == "50"
    else:
        assert out["status"] == "active" and out["benefits"]["benefit_rows"]
    row = db.fetchrow("SELECT raw_271, source FROM eligibility_checks WHERE id = $1::uuid", out["id"])
    assert row["raw_271"] == path.read_text() and row["source"] == "posted_271"
    assert db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'eligibility.create' AND resource_id = $1", out["id"]) == 1


def test_posted_271_built_by_the_sandbox(client, headers):
    created = client.post(
        "/v1/eligibility/checks",
        json={"payer_id": "SBMCR", "subscriber": {"first_name": "ELEANOR", "last_name": "PRICE", "date_of_birth": "1955-07-21",
              "member_id": "MCR-PSYCH-003"}, "date_of_service": "2026-11-30"},
        headers=headers["intake"],
    ).json()
    raw = client.get(f"/v1/eligibility/checks/{created['id']}/x12", headers=headers["billing"]).json()["raw_271"]
    r = client.post("/v1/eligibility/parse-271", json={"x12": raw}, headers=headers["intake"])
    assert r.status_code == 201
    out = r.json()
    assert out["benefits"]["medicare"]["psychiatric_lifetime_days_remaining"] == 145
    assert out["patient"]["last_name"] == "PRICE" and out["patient"]["member_id_masked"] == "*********-003"
    assert out["patient"]["patient_key"] == created["patient"]["patient_key"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("hello, this is not X12", "ISA"),
        ((SAMPLES / "lfh-demo.270"), "271"),
    ],
)
def test_not_a_271_is_422_naming_the_problem(client, headers, text, words):
    if isinstance(text, Path):
        text = text.read_text()
    r = client.post("/v1/eligibility/parse-271", json={"x12": text}, headers=headers["billing"])
    assert r.status_code == 422, r.text
    problem = r.json()
    assert words in problem["detail"] and problem["errors"][0]["field"] == "$.x12"


MANUAL = {
    "subscriber": {"first_name": "PAT", "last_name": "CALLER", "date_of_birth": "1985-02-03", "member_id": "XZ123456789"},
    "date_of_service": "2026-04-01",
    "benefits": {
        "payer_name": "ACME HEALTH",
        "payer_id": "ACME1",
        "payer_class": "commercial",
        "insurance_type": "commercial_ppo",
        "active": True,
        "in_network": {
            "deductible_individual": {"total": "1000.00", "remaining": "250.00"},
            "oop_max_individual": {"total": "4000", "remaining": 3100},
            "coinsurance_percent": "20",
            "copay": "35.00",
            "copay_per": "day",
            "prior_authorization_required": True,
        },
        "heard_from": {"representative_name": "JANE AT ACME", "reference_number": "REF-778", "call_date": "2026-03-20"},
    },
}


def test_manual_entry_round_trip(client, headers, db):
    r = client.post("/v1/eligibility/manual", json=MANUAL, headers=headers["intake"])
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["source"] == "manual" and out["status"] == "active"
    assert out["patient"]["member_id_masked"] == "*******6789"
    iop = next(lv for lv in out["benefits"]["levels"] if lv["level"] == "iop" and lv["network"] == "in")
    assert iop["deductible_individual"] == {"total": "1000.00", "remaining": "250.00", "period": None}
    assert Decimal(iop["oop_max_individual"]["remaining"]) == Decimal("3100")  # sent as the JSON number 3100
    assert iop["copay"] == "35.00" and iop["prior_authorization_required"] is True
    again = client.get(f"/v1/eligibility/checks/{out['id']}", headers=headers["billing"]).json()
    assert again["benefits"] == out["benefits"]
    assert db.fetchval("SELECT source FROM eligibility_checks WHERE id = $1::uuid", out["id"]) == "manual"


def test_manual_entry_inconsistent_figures_name_fields(client, headers):
    bad = {**MANUAL, "benefits": {**MANUAL["benefits"], "in_network": {
        "deductible_individual": {"total": "100.00", "remaining": "250.00"}, "copay": "10.00"}}}
    r = client.post("/v1/eligibility/manual", json=bad, headers=headers["intake"])
    assert r.status_code == 422, r.text
    fields = [e["field"] for e in r.json()["errors"]]
    assert "$.benefits.in_network.deductible_individual.remaining" in fields
    assert "$.benefits.in_network.copay_per" in fields


def test_manual_entry_contract_errors_name_fields(client, headers):
    bad = {**MANUAL, "benefits": {**MANUAL["benefits"], "payer_class": "martian"}}
    r = client.post("/v1/eligibility/manual", json=bad, headers=headers["intake"])
    assert r.status_code == 400 and "$.benefits.payer_class" in r.text
    assert client.post("/v1/eligibility/manual", json=MANUAL, headers=headers["portal"]).status_code == 403


def test_posted_271_with_a_nul_character_is_400_not_500(client, headers):
    text = SAMPLES / "lfh-demo.271"
    r = client.post("/v1/eligibility/parse-271", json={"x12": text.read_text().replace("GOLD 123", "GOLD\x00123")},
                    headers=headers["billing"])
    assert r.status_code == 400, r.text
    assert "NUL" in r.json()["detail"] and r.json()["errors"][0]["field"] == "$.x12"


def test_manual_entry_with_a_nul_character_is_400_naming_the_fields(client, headers):
    import copy

    body = copy.deepcopy(MANUAL)
    body["subscriber"]["last_name"] = "CAL\x00LER"
    body["benefits"]["notes"] = ["fine", "b\x00d"]
    r = client.post("/v1/eligibility/manual", json=body, headers=headers["intake"])
    assert r.status_code == 400, r.text
    fields = [e["field"] for e in r.json()["errors"]]
    assert fields == ["$.subscriber.last_name", "$.benefits.notes[1]"]
