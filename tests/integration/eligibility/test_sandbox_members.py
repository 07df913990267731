"""Every sandbox member end to end: TestClient -> service -> httpx -> sandbox on loopback -> 271 -> benefits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from service.eligibility.sandbox.roster import PARTB_001_MET, part_b_deductible
from tests.integration.eligibility.helpers import body_for, fresh_dos, level


def check(client, headers, member_id: str, **kw) -> dict:
    r = client.post("/v1/eligibility/checks", json=body_for(member_id, **kw), headers=headers["intake"])
    assert r.status_code == 201, r.text
    return r.json()


def test_medicare_part_b_deductible_partly_met(client, headers):
    dos = fresh_dos()  # a 2026 date no other test asked about: the first check of it goes to the clearinghouse
    out = check(client, headers, "MCR-PARTB-001", dos=dos)
    b = out["benefits"]
    assert out["status"] == "active" and out["source"] == "clearinghouse" and out["from_cache"] is False
    assert b["payer_class"] == "medicare" and b["insurance_type"] == "medicare_part_a_and_b"
    # 2026 Part B deductible 283.00 (reference medicare.json) - 163.00 met = 120.00 remaining
    assert part_b_deductible(dt.date.fromisoformat(dos)) == Decimal("283.00")
    assert PARTB_001_MET == Decimal("163.00")
    assert b["medicare"]["part_b_deductible_remaining"] == "120.00"
    iop = level(b, "iop")
    assert iop["deductible_individual"] == {"total": "283.00", "remaining": "120.00", "period": "calendar_year"}
    assert iop["coinsurance_percent"] == "20"
    # Part A deductible 2026: 1736.00, nothing met
    assert level(b, "inpatient")["deductible_individual"]["remaining"] == "1736.00"
    assert b["medicare"]["qmb"] is False
    assert out["patient"]["member_id_masked"] == "*********-001"  # 13 characters, the last 4 shown


def test_medicare_qmb(client, headers):
    b = check(client, headers, "MCR-QMB-002")["benefits"]
    assert b["payer_class"] == "medicare"
    assert b["medicare"]["qmb"] is True
    assert [o["name"] for o in b["other_payers"]] == ["STATE MEDICAID"]
    assert b["medicare"]["part_b_deductible_remaining"] == "283.00"  # 2026, nothing met


def test_medicare_psychiatric_lifetime_days(client, headers):
    b = check(client, headers, "MCR-PSYCH-003")["benefits"]
    m = b["medicare"]
    assert m["psychiatric_lifetime_days_used"] == 45
    assert m["psychiatric_lifetime_days_remaining"] == 145  # 190 - 45
    assert m["lifetime_reserve_days_remaining"] == 60
    assert m["benefit_period_days_used"] == 12
    assert m["part_b_deductible_remaining"] == "0.00"
    assert level(b, "inpatient")["limit"] == {"quantity": 190, "unit": "days", "period": "lifetime", "used": 45, "remaining": 145}


def test_medicaid_fee_for_service(client, headers):
    b = check(client, headers, "MCD-FFS-004")["benefits"]
    assert b["payer_class"] == "medicaid" and b["insurance_type"] == "medicaid_ffs"
    assert b["medicaid"] == {"managed_care_plan": None, "cost_sharing_category": "at_or_below_100", "state": "TX"}
    iop = level(b, "iop")
    assert iop["copay"] == "4.00" and iop["copay_per"] == "day"


def test_medicaid_managed_care(client, headers):
    b = check(client, headers, "MCD-MCO-005")["benefits"]
    assert b["insurance_type"] == "medicaid_managed_care"
    assert b["medicaid"]["managed_care_plan"] == "SUNRISE HEALTH PLAN"
    assert b["medicaid"]["cost_sharing_category"] == "exempt"
    assert level(b, "php")["copay"] == "0.00"


def test_ppo_in_and_out_of_network_accumulators(client, headers):
    b = check(client, headers, "PPO-FAM-006")["benefits"]
    assert b["insurance_type"] == "commercial_ppo" and b["plan_name"] == "GOLD PPO 1500"
    inn, out = level(b, "iop", "in"), level(b, "iop", "out")
    assert inn["deductible_individual"]["total"] == "1500.00" and inn["deductible_individual"]["remaining"] == "900.00"
    assert inn["deductible_family"]["total"] == "3000.00" and inn["deductible_family"]["remaining"] == "2100.00"
    assert inn["oop_max_individual"]["remaining"] == "4200.00" and inn["oop_max_family"]["remaining"] == "8800.00"
    assert inn["coinsurance_percent"] == "20"
    assert out["deductible_individual"]["remaining"] == "3000.00" and out["deductible_family"]["total"] == "6000.00"
    assert out["oop_max_individual"]["total"] == "10000.00" and out["oop_max_family"]["total"] == "20000.00"
    assert out["coinsurance_percent"] == "40"
    assert inn["prior_authorization_required"] is False


def test_ppo_dependent(client, headers):
    out = check(client, headers, "PPO-FAM-006",
                dependent={"first_name": "EMMA", "last_name": "MILLER", "date_of_birth": "2010-06-01", "relationship": "child"})
    assert out["status"] == "active" and out["benefits"]["patient_is_dependent"] is True
    assert out["patient"]["is_dependent"] is True and out["patient"]["first_name"] == "EMMA"
    assert level(out["benefits"], "iop")["deductible_individual"]["remaining"] == "900.00"


def test_ppo_prior_authorization_for_iop(client, headers):
    out = check(client, headers, "PPO-AUTH-007")
    b = out["benefits"]
    iop = level(b, "iop")
    assert iop["prior_authorization_required"] is True
    assert iop["copay"] == "50.00" and iop["copay_per"] == "day"
    assert iop["coinsurance_percent"] == "30" and level(b, "iop", "out")["coinsurance_percent"] == "50"
    assert iop["deductible_individual"]["remaining"] == "500.00"
    assert level(b, "inpatient")["prior_authorization_required"] is True
    assert "Prior authorization is required for IOP" in out["message"]


def test_inactive_coverage(client, headers):
    out = check(client, headers, "PPO-INACT-008")
    assert out["status"] == "inactive" and out["benefits"]["active"] is False
    assert "not active" in out["message"]


def test_trace_number_is_echoed(client, headers, db):
    out = check(client, headers, "PPO-FAM-006")
    row = db.fetchrow("SELECT trace_number, raw_271 FROM eligibility_checks WHERE id = $1::uuid", out["id"])
    assert f"TRN*2*{row['trace_number']}*" in row["raw_271"]
    assert not any("trace number" in w for w in out["benefits"]["warnings"])


def test_medicare_advantage_member(client, headers):
    out = check(client, headers, "MCR-ADV-009", dos="2026-03-02")
    b = out["benefits"]
    assert b["insurance_type"] == "medicare_advantage" and b["plan_name"] == "SANDBOX ADVANTAGE HMO"
    ma = b["medicare"]["advantage"]
    assert (ma["contract_number"], ma["enrolled_from"], ma["enrolled_to"]) == ("H9001 001", "2026-01-01", "2026-12-31")
    assert ma["bill_option"] == "MCO BILL OPTION CODE C" and ma["contacts"][0]["phone"] == "8005550190"
    assert b["medicare"]["part_d_contract"] == "S9002 001" and b["other_payers"] == []
    iop = level(b, "iop")
    assert (iop["copay"], iop["copay_per"]) == ("55.00", "day")
    assert iop["oop_max_individual"] == {"total": "4500.00", "remaining": "3900.00", "period": "calendar_year"}
    assert iop["deductible_individual"] is None  # Original Medicare's Part B deductible is not the plan's
    inpatient = level(b, "inpatient")
    assert inpatient["copay"] == "350.00" and inpatient["prior_authorization_required"] is True
    assert "SANDBOX ADVANTAGE HMO (contract H9001 001) pays instead of Original Medicare" in out["message"]


def test_medicare_secondary_payer_member(client, headers):
    out = check(client, headers, "MCR-MSP-010", dos="2026-03-02")
    b = out["benefits"]
    [employer] = b["other_payers"]
    assert (employer["order"], employer["kind"], employer["name"]) == (
        "primary", "employer_group", "ACME MANUFACTURING GROUP PLAN")
    assert employer["begin"] == "2024-01-01" and employer["contacts"][0]["phone"] == "8005550177"
    assert b["medicare"]["part_d_contract"] == "S9003 002"
    assert "ACME MANUFACTURING GROUP PLAN pays first; MEDICARE pays second." in out["message"]


def test_qmb_medicaid_pays_after_medicare(client, headers):
    [medicaid] = check(client, headers, "MCR-QMB-002")["benefits"]["other_payers"]
    assert (medicaid["order"], medicaid["kind"]) == ("secondary", "medicaid")
