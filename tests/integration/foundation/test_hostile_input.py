"""Hostile and careless input: a 4xx problem naming the field, never a 500, never money silently changed."""

from __future__ import annotations

import json
from typing import Any

import pytest

SELF_PAY = {"self_pay": True, "levels": ["iop"], "as_of": "2026-03-02",
            "household": {"size": 4, "annual_income": "20000", "state": "CA"}}


def _household(**fields: Any) -> dict[str, Any]:
    return {**SELF_PAY, "household": {"size": 4, "annual_income": "20000", "state": "CA", **fields}}


def _without(key: str) -> dict[str, Any]:
    household = {k: v for k, v in SELF_PAY["household"].items() if k != key}
    return {**SELF_PAY, "household": household}


def _fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def test_self_pay_household_without_state_is_refused_not_quoted_without_its_discount(client, headers) -> None:
    missing = client.post("/v1/estimates", json=_without("state"), headers=headers["intake"])
    assert missing.status_code == 422, missing.text
    assert _fields(missing) == ["$.household.state"]
    no_income = client.post("/v1/estimates", json=_without("annual_income"), headers=headers["intake"])
    assert no_income.status_code == 422 and _fields(no_income) == ["$.household.annual_income"]

    whole = client.post("/v1/estimates", json=SELF_PAY, headers=headers["intake"])
    assert whole.status_code == 201, whole.text
    iop = whole.json()["comparison"]["estimates"][0]["affordability"]
    # $20,000 for 4 in CA: 20,000 / 33,000 = 60.6 % of the 2026 poverty line -> the example schedule's tier A,
    # $20.00 nominal per day. Default IOP course: 8 weeks x 3 days = 24 days at $300.00 self-pay = $7,200.00;
    # the patient owes 24 x $20.00 = $480.00, a discount of 7,200.00 - 480.00 = $6,720.00.
    assert iop["sliding_fee"]["tier_code"] == "A"
    assert (iop["patient_responsibility"], iop["discount"], iop["balance_after_discount"]) == (
        "7200.00", "6720.00", "480.00")


BAD_ESTIMATES = [
    ("negative income", _household(annual_income="-5"), "$.household.annual_income"),
    ("negative monthly income", _household(annual_income=None, monthly_income="-1"), "$.household.monthly_income"),
    ("three-decimal money", _household(annual_income="20000.005"), "$.household.annual_income"),
    ("money string 1e30", _household(annual_income="1e30"), "$.household.annual_income"),
    ("money NaN", _household(annual_income="NaN"), "$.household.annual_income"),
    ("money Infinity", _household(annual_income="Infinity"), "$.household.annual_income"),
    ("household of a million", _household(size=1_000_000), "$.household.size"),
    ("household of 10^30", _household(size=10**30), "$.household.size"),
    ("no levels", {**SELF_PAY, "levels": []}, "$.levels"),
    ("as_of in 9999", {**SELF_PAY, "as_of": "9999-12-31"}, "$.as_of"),
    ("start_date near 9999", {**SELF_PAY, "start_date": "9999-12-28"}, "$.start_date"),
    ("hours 1e30", {**SELF_PAY, "courses": [{"level": "iop", "hours_per_day": "1e30"}]},
     "$.courses[0].hours_per_day"),
    ("weeks 10^30", {**SELF_PAY, "courses": [{"level": "iop", "weeks": 10**30}]}, "$.courses[0].weeks"),
]


@pytest.mark.parametrize(("body", "field"), [c[1:] for c in BAD_ESTIMATES], ids=[c[0] for c in BAD_ESTIMATES])
def test_out_of_bounds_estimate_input_is_a_400_naming_the_field(client, headers, body, field) -> None:
    body = {**body, "household": {k: v for k, v in body["household"].items() if v is not None}}
    response = client.post("/v1/estimates", json=body, headers=headers["intake"])
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in _fields(response)


def test_dates_near_9999_are_refused_on_every_route(client, headers) -> None:
    member = {"first_name": "MARTHA", "last_name": "JONES", "date_of_birth": "1951-03-14", "member_id": "MCR-PARTB-001"}
    check = client.post("/v1/eligibility/checks", json={"payer_id": "SBMCR", "subscriber": member,
                                                        "date_of_service": "9999-12-31"}, headers=headers["intake"])
    assert check.status_code == 400 and _fields(check) == ["$.date_of_service"]
    estimate = client.post("/v1/estimates", json=SELF_PAY, headers=headers["intake"]).json()["estimate_id"]
    plan = client.post(f"/v1/estimates/{estimate}/payment-plans",
                       json={"level": "iop", "term_months": 3, "first_due_date": "9999-12-31"}, headers=headers["intake"])
    assert plan.status_code == 400 and _fields(plan) == ["$.first_due_date"]
    since = client.get("/v1/admin/audit", params={"since": "9999-12-31T23:59:59-23:00"}, headers=headers["admin"])
    assert since.status_code == 400 and _fields(since) == ["since"]


def test_json_nested_a_thousand_deep_is_a_400(client, headers) -> None:
    for body in ("[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000):
        response = client.post("/v1/estimates", content=body.encode(),
                               headers={**headers["intake"], "Content-Type": "application/json"})
        assert response.status_code == 400, response.text
        assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_json_without_a_json_content_type_is_a_415(client, headers, content_type) -> None:
    sent = {**headers["intake"], "Content-Type": content_type}
    response = client.post("/v1/estimates", content=json.dumps(SELF_PAY).encode(), headers=sent)
    assert response.status_code == 415, response.text
    assert response.json()["type"].endswith("/unsupported-media-type")
    problem_json = {**headers["intake"], "Content-Type": "application/merge-patch+json"}  # any +json is JSON
    assert client.post("/v1/estimates", content=json.dumps(SELF_PAY).encode(), headers=problem_json).status_code == 201


def test_after_id_past_64_bits_is_a_400(client, headers) -> None:
    for after_id in (2**63, 2**64, 10**30):
        response = client.get("/v1/admin/audit", params={"after_id": str(after_id)}, headers=headers["admin"])
        assert response.status_code == 400 and _fields(response) == ["query.after_id"], response.text


@pytest.mark.parametrize(
    ("method", "url", "role", "field"),
    [
        ("GET", "/v1/good-faith-estimates/a%00b", "intake", "path"),
        ("DELETE", "/v1/admin/keys/a%00b", "admin", "path"),
        ("GET", "/v1/eligibility/checks/a%00b", "intake", "path"),
        ("GET", "/v1/admin/audit?patient_key=a%00b", "admin", "query.patient_key"),
        ("GET", "/v1/admin/fee-schedules?payer_id=%00", "admin", "query.payer_id"),
        ("GET", "/v1/admin/sliding-fee-schedules?organization_id=x%00", "admin", "query.organization_id"),
    ],
)
def test_nul_in_a_path_or_query_parameter_is_a_400(client, headers, method, url, role, field) -> None:
    response = client.request(method, url, headers=headers[role])
    assert response.status_code == 400, response.text
    assert _fields(response) == [field]


def test_fee_schedule_rows_keep_their_own_full_report_and_dates_are_still_bounded(client, headers) -> None:
    row = {"level": "iop", "revenue_code": "0905", "hcpcs": "S9480", "gross_charge_per_day": "1e30",
           "self_pay_per_day": "NaN"}
    body = {"kind": "chargemaster", "effective_from": "2031-01-01", "dry_run": True, "rows": [row]}
    rows = client.post("/v1/admin/fee-schedules", json=body, headers=headers["admin"])
    assert rows.status_code == 422, rows.text  # the importer lists every row's problems itself
    assert _fields(rows) == ["$.rows[0].gross_charge_per_day", "$.rows[0].self_pay_per_day"]
    late = client.post("/v1/admin/fee-schedules", json={**body, "effective_from": "9999-12-31"},
                       headers=headers["admin"])
    assert late.status_code == 400 and _fields(late) == ["$.effective_from"]
