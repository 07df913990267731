"""Estimates over REST with a real PostgreSQL: PPO, Medicare and Medicaid side by side, to the cent.

Demo rates (service/pricing/demo_rates.json) per day:
  IOP  0905/S9480: gross 400.00, contracted 300.00, Medicare 260.00 (3 services) / 370.00 (4+), Medicaid 180.00
  PHP  0913/S0201: gross 750.00, contracted 550.00, Medicare 300.00 / 420.00 (4+ services), Medicaid 300.00
  inpatient 0114:  gross 2000.00, contracted 1400.00, Medicare IPF per diem not on file -> FY2026 base 892.87,
                   Medicaid 1000.00
Default courses (levels-of-care.json): IOP 3 days x 3 h x 8 weeks = 24 days; PHP 5 days x 6 h x 3 weeks
= 15 days; inpatient 10 days. Courses start Monday 2026-02-02; "today" (as_of) is 2026-01-26.
"""

from __future__ import annotations

import asyncio

import pytest

from service.pricing.service import reproduce, without_affordability
from tests.integration.pricing.helpers import (estimate_body, medicaid_manual, medicare_manual, ppo_manual,
                                               totals)

pytestmark = pytest.mark.integration


def _post(client, headers, body, role="intake"):  # noqa: ANN001, ANN202
    return client.post("/v1/estimates", json=body, headers=headers[role])


def test_ppo_medicare_medicaid_side_by_side_to_the_cent(client, headers) -> None:  # noqa: ANN001
    ppo = _post(client, headers, estimate_body(manual=ppo_manual()))
    assert ppo.status_code == 201, ppo.text
    # PPO, $1,500 deductible then 20 %, OOP max $5,000 (never reached here):
    #   IOP allowed 300.00/day: days 1-5 deductible 5 x 300.00 = 1500.00; days 6-24: 19 x (20% x 300.00 = 60.00)
    #       = 1140.00 -> 2640.00
    #   PHP allowed 550.00/day: days 1-2 deductible 1100.00; day 3 deductible 400.00 + 20% x 150.00 = 30.00;
    #       days 4-15: 12 x (20% x 550.00 = 110.00) = 1320.00 -> 1500.00 + 30.00 + 1320.00 = 2850.00
    #   inpatient allowed 1400.00/day: day 1 deductible 1400.00; day 2 deductible 100.00 + 20% x 1300.00 = 260.00;
    #       days 3-10: 8 x 280.00 = 2240.00 -> 1500.00 + 260.00 + 2240.00 = 4000.00
    assert totals(ppo.json()) == {"iop": "2640.00", "php": "2850.00", "inpatient": "4000.00"}
    assert "cheapest_level" not in ppo.json()["comparison"]
    assert ppo.json()["benefits_source"] == "manual"
    assert any("entered by hand" in w for e in ppo.json()["comparison"]["estimates"] for w in e["warnings"])

    mcr = _post(client, headers, estimate_body(manual=medicare_manual()))
    assert mcr.status_code == 201, mcr.text
    # Original Medicare, CY2026 Part B deductible 283.00, 20 % coinsurance; Part A deductible 1736.00:
    #   IOP (3 h/day -> 3-services per diem 260.00): day 1 deductible 260.00 (23.00 left); day 2 deductible 23.00 +
    #       20% x (260.00 - 23.00 = 237.00) = 47.40 -> 70.40; days 3-24: 22 x 52.00 = 1144.00
    #       -> 260.00 + 70.40 + 1144.00 = 1474.40
    #   PHP (6 h/day -> 4+-services per diem 420.00): day 1 deductible 283.00 + 20% x 137.00 = 27.40 -> 310.40;
    #       days 2-15: 14 x 84.00 = 1176.00 -> 1486.40
    #   inpatient (IPF FY2026 base 892.87/day): day 1 deductible 892.87, day 2 the rest 1736.00 - 892.87 = 843.13,
    #       days 3-10 (benefit-period days 1-60) 0.00 -> 1736.00
    assert totals(mcr.json()) == {"iop": "1474.40", "php": "1486.40", "inpatient": "1736.00"}
    assert mcr.json()["comparison"]["figures"]["medicare_calendar_years"] == [2026]
    assert mcr.json()["comparison"]["figures"]["ipf_fiscal_years"] == ["FY2026"]

    mcd = _post(client, headers, estimate_body(manual=medicaid_manual()))
    assert mcd.status_code == 201, mcd.text
    # Medicaid at or below 100 % FPL, federal maxima (42 CFR 447.52): $4.00 per outpatient service day,
    # $75.00 per inpatient stay; no household income given, so the 5 % cap assumes income at the top of the band
    # for a household of 1: 2026 guideline $15,960 / 12 x 5 % = $66.50 a month:
    #   IOP 24 x 4.00 = 96.00 (under $66.50 in each month); PHP 15 x 4.00 = 60.00; inpatient stay 75.00 -> 66.50
    assert totals(mcd.json()) == {"iop": "96.00", "php": "60.00", "inpatient": "66.50"}


def test_same_request_twice_gives_same_numbers_and_get_returns_the_stored_estimate(client, headers, db) -> None:  # noqa: ANN001
    body = estimate_body(manual=ppo_manual(), patient={"first_name": "Ana", "last_name": "Lee",
                                                        "date_of_birth": "1990-04-01"})
    first = _post(client, headers, body)
    second = _post(client, headers, body, role="billing")
    assert first.status_code == second.status_code == 201
    a, b = first.json(), second.json()
    assert a["estimate_id"] != b["estimate_id"]
    assert a["comparison"] == b["comparison"]
    got = client.get(f"/v1/estimates/{a['estimate_id']}", headers=headers["billing"])
    assert got.status_code == 200
    assert got.json() == a
    row = db.fetchrow("SELECT patient_first_name, patient_dob, benefits_source, request_hash FROM estimates "
                      "WHERE id = $1::uuid", a["estimate_id"])
    assert row["patient_first_name"] == "Ana" and row["benefits_source"] == "manual"
    assert row["request_hash"] == db.fetchval("SELECT request_hash FROM estimates WHERE id = $1::uuid",
                                              b["estimate_id"])
    actions = [r["action"] for r in db.fetch("SELECT action FROM audit_log WHERE resource_id = $1 ORDER BY id",
                                             a["estimate_id"])]
    assert actions == ["estimate.create", "estimate.read"]
    pk = db.fetchval("SELECT patient_key FROM audit_log WHERE resource_id = $1 LIMIT 1", a["estimate_id"])
    assert pk and pk.startswith("pk_")


def test_reproduce_recomputes_the_same_numbers(client, headers) -> None:  # noqa: ANN001
    made = client.post("/v1/estimates?include=days,explanation", json=estimate_body(manual=medicare_manual()),
                       headers=headers["intake"]).json()
    pool = client.app.state.pool
    again = client.blocking_portal.call(lambda: reproduce(pool, made["estimate_id"]))
    import msgspec

    from contracts.estimate import EstimateComparison

    stored = msgspec.convert(made["comparison"], EstimateComparison, strict=False)
    assert again == without_affordability(stored)


def test_reading_an_estimate_back_leaves_its_benefits_unread_unless_asked(client, headers) -> None:  # noqa: ANN001
    # Issue 10: an estimate from a 1 MB 271 stores megabytes of benefits; a read of the answer must not fetch and
    # decode them on the event loop. Only re-running the engine asks for them.
    from service.pricing.store import load_estimate  # noqa: PLC0415

    made = _post(client, headers, estimate_body(manual=ppo_manual())).json()
    pool = client.app.state.pool
    plain = client.blocking_portal.call(lambda: load_estimate(pool, made["estimate_id"]))
    assert plain.benefits_json is None
    with pytest.raises(RuntimeError, match="with_benefits=True"):
        _ = plain.benefits
    full = client.blocking_portal.call(lambda: load_estimate(pool, made["estimate_id"], with_benefits=True))
    assert full.benefits is not None and full.benefits.payer_name == "ACME PPO"
    assert full.response == plain.response


def test_days_and_schedules_are_stored_apart_and_every_reader_gets_them_back(client, headers, db) -> None:  # noqa: ANN001
    body = estimate_body(manual=ppo_manual(), household={"size": 3, "annual_income": "52000.00", "state": "OH"})
    made = client.post("/v1/estimates?include=days,payment_schedules", json=body, headers=headers["intake"])
    assert made.status_code == 201, made.text
    answer = made.json()
    estimate_id = answer["estimate_id"]
    # IOP 24 days: 5 deductible days of 300.00, then 19 days of 20 % x 300.00 = 60.00 (see the first test)
    iop = answer["comparison"]["estimates"][0]
    assert [d["patient_pays"] for d in iop["days"]] == ["300.00"] * 5 + ["60.00"] * 19
    row = db.fetchrow("SELECT response::text AS response, json_array_length(day_rows) AS levels FROM estimates "
                      "WHERE id = $1::uuid", estimate_id)
    assert '"days":[]' in row["response"] and '"patient_pays":"60.00","deductible"' not in row["response"]
    assert row["levels"] == 3
    plans = [plan for level in answer["comparison"]["estimates"] for plan in level["affordability"]["payment_plans"]]
    assert plans and all(len(plan["lines"]) == plan["term_months"] + (plan["down_payment"] != "0.00")
                         for plan in plans)
    assert '"lines":[]' in row["response"] and '"balance_after"' not in row["response"]
    plain = client.post("/v1/estimates", json=body, headers=headers["intake"]).json()
    assert all(level["days"] == [] for level in plain["comparison"]["estimates"])

    got = client.get(f"/v1/estimates/{estimate_id}?include=days,payment_schedules", headers=headers["billing"])
    assert got.json() == answer
    # a read that sends neither builds neither; the default read builds both
    from service.pricing.store import load_estimate  # noqa: PLC0415

    pool = client.app.state.pool
    lean = client.blocking_portal.call(lambda: load_estimate(pool, estimate_id, detail=frozenset())).response
    assert all(not level.days and all(not plan.lines for plan in level.affordability.payment_plans)
               for level in lean.comparison.estimates)
    whole = client.blocking_portal.call(lambda: load_estimate(pool, estimate_id)).response
    assert [len(level.days) for level in whole.comparison.estimates] == [24, 15, 10]
    assert all(plan.lines for level in whole.comparison.estimates for plan in level.affordability.payment_plans)
    token = client.post(f"/v1/estimates/{estimate_id}/portal-tokens", headers=headers["intake"]).json()["token"]
    portal = client.get("/v1/portal/estimate", headers={"Authorization": f"Bearer {token}"})
    assert portal.status_code == 200, portal.text
    days = [level["days"] for level in answer["comparison"]["estimates"]]
    # the portal and the feed hand out the whole stored answer (explanations too): its days and plans are these
    assert [level["days"] for level in portal.json()["estimate"]["comparison"]["estimates"]] == days
    assert [plan for level in portal.json()["estimate"]["comparison"]["estimates"]
            for plan in level["affordability"]["payment_plans"]] == plans
    cursor, pulled = None, {}
    while True:
        page = client.get("/v1/billing/estimates", params={"limit": 500} | ({"cursor": cursor} if cursor else {}),
                          headers=headers["billing"]).json()
        pulled.update({item["id"]: item for item in page["items"]})
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert [level["days"] for level in pulled[estimate_id]["response"]["comparison"]["estimates"]] == days
    assert [plan for level in pulled[estimate_id]["response"]["comparison"]["estimates"]
            for plan in level["affordability"]["payment_plans"]] == plans
    assert "day_rows" not in pulled[estimate_id]


def test_unknown_estimate_is_404_and_portal_and_admin_cannot_read(client, headers) -> None:  # noqa: ANN001
    missing = client.get("/v1/estimates/00000000-0000-0000-0000-000000000001", headers=headers["intake"])
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    made = _post(client, headers, estimate_body(self_pay=True)).json()
    assert client.get(f"/v1/estimates/{made['estimate_id']}", headers=headers["admin"]).status_code == 403
    assert client.post("/v1/estimates", json=estimate_body(self_pay=True)).status_code == 401


def test_self_pay_uses_the_self_pay_rate(client, headers) -> None:  # noqa: ANN001
    made = _post(client, headers, estimate_body(self_pay=True))
    assert made.status_code == 201, made.text
    # self-pay rates: IOP 24 x 300.00 = 7200.00; PHP 15 x 500.00 = 7500.00; inpatient 10 x 1500.00 = 15000.00
    assert totals(made.json()) == {"iop": "7200.00", "php": "7500.00", "inpatient": "15000.00"}
    for level in made.json()["comparison"]["estimates"]:
        section = level["affordability"]
        assert section is not None and section["self_pay"] is True
        assert section["patient_responsibility"] == level["totals"]["patient_pays"]


def test_bad_course_is_400_naming_the_field(client, headers) -> None:  # noqa: ANN001
    body = estimate_body(manual=ppo_manual(), levels=["iop"],
                         courses=[{"level": "iop", "days_per_week": 3, "hours_per_day": "30"}])
    bad = _post(client, headers, body)
    assert bad.status_code == 400, bad.text
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["errors"][0]["field"] == "$.courses[0].hours_per_day"


def test_wrong_type_is_400_naming_the_field(client, headers) -> None:  # noqa: ANN001
    body = estimate_body(self_pay=True, courses=[{"level": "iop", "weeks": "many"}])
    bad = _post(client, headers, body)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "$.courses[0].weeks"


def test_two_benefit_sources_is_400(client, headers) -> None:  # noqa: ANN001
    bad = _post(client, headers, estimate_body(self_pay=True, manual=ppo_manual()))
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "$.eligibility_check_id"


def test_medicare_iop_at_25_hours_a_week_is_422_naming_the_rule(client, headers) -> None:  # noqa: ANN001
    body = estimate_body(manual=medicare_manual(), levels=["iop"],
                         courses=[{"level": "iop", "days_per_week": 5, "hours_per_day": "5"}])
    bad = _post(client, headers, body)
    assert bad.status_code == 422, bad.text
    problem = bad.json()
    assert problem["type"].endswith("course-not-coverable")
    assert "19" in problem["detail"] and "25" in problem["detail"]


def test_unknown_eligibility_check_is_404(client, headers) -> None:  # noqa: ANN001
    for check_id in ("00000000-0000-0000-0000-00000000abcd", "not-a-uuid"):
        bad = _post(client, headers, estimate_body(eligibility_check_id=check_id))
        assert bad.status_code == 404, bad.text
        assert bad.json()["errors"][0]["field"] == "$.eligibility_check_id"


def test_estimate_from_a_sandbox_eligibility_check(client, headers) -> None:  # noqa: ANN001
    check = client.post("/v1/eligibility/checks", headers=headers["intake"], json={
        "payer_id": "SBPPO", "payer_name": "SANDBOX PPO",
        "subscriber": {"first_name": "DANIEL", "last_name": "MILLER", "date_of_birth": "1980-01-15",
                       "member_id": "PPO-FAM-006"},
        "date_of_service": "2026-02-02"})
    assert check.status_code in (200, 201), check.text
    made = _post(client, headers, estimate_body(eligibility_check_id=check.json()["id"], levels=["iop"]))
    assert made.status_code == 201, made.text
    # Sandbox PPO-FAM-006 in network: deductible 900.00 remaining (family 2100.00), 20 %, OOP 4200.00 remaining.
    #   IOP allowed 300.00: days 1-3 deductible 3 x 300.00 = 900.00; days 4-24: 21 x 60.00 = 1260.00 -> 2160.00
    assert totals(made.json()) == {"iop": "2160.00"}
    assert made.json()["benefits_source"] == "eligibility_check"


def test_posted_271_source(client, headers) -> None:  # noqa: ANN001
    from service.eligibility.sandbox.roster import ROSTER  # noqa: F401 - the sandbox authors the 271 below

    check = client.post("/v1/eligibility/checks", headers=headers["intake"], json={
        "payer_id": "SBMCD", "payer_name": "STATE MEDICAID",
        "subscriber": {"first_name": "DIEGO", "last_name": "RAMIREZ", "date_of_birth": "1990-05-30",
                       "member_id": "MCD-FFS-004"},
        "date_of_service": "2026-02-02"})
    assert check.status_code in (200, 201), check.text
    x12 = client.get(f"/v1/eligibility/checks/{check.json()['id']}/x12", headers=headers["billing"])
    if x12.status_code != 200:
        pytest.skip("the eligibility area does not expose a check's raw 271")
    raw = x12.json().get("raw_271") or x12.json().get("x12_271")
    made = _post(client, headers, estimate_body(x12_271=raw, levels=["iop", "php"]))
    assert made.status_code == 201, made.text
    # Sandbox MCD-FFS-004: Medicaid, state copay 4.00 per visit for MH/A8/BB:
    #   IOP 24 x 4.00 = 96.00; PHP 15 x 4.00 = 60.00
    assert totals(made.json()) == {"iop": "96.00", "php": "60.00"}
    assert made.json()["benefits_source"] == "x12_271"


def test_not_a_271_is_422_naming_the_field(client, headers) -> None:  # noqa: ANN001
    bad = _post(client, headers, estimate_body(x12_271="hello"))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "$.x12_271"


def test_days_and_explanation_only_on_request_and_the_stored_estimate_keeps_them(client, headers) -> None:  # noqa: ANN001
    made = _post(client, headers, estimate_body(manual=ppo_manual()))
    assert made.status_code == 201, made.text
    small = made.json()
    assert all(e["days"] == [] and e["explanation"] == [] for e in small["comparison"]["estimates"])
    assert [line["topic"] for line in small["read_aloud"]][:3] == ["coverage", "deductible", "out_of_pocket"]
    assert all(plan["lines"] == [] for e in small["comparison"]["estimates"]
               for plan in e["affordability"]["payment_plans"])
    full = client.get(f"/v1/estimates/{small['estimate_id']}?include=explanation,days,payment_schedules",
                      headers=headers["intake"])
    assert full.status_code == 200, full.text
    iop = full.json()["comparison"]["estimates"][0]
    assert len(iop["days"]) == iop["service_days"] == 24 and iop["explanation"]
    assert all(plan["lines"] for plan in iop["affordability"]["payment_plans"])
    only_days = client.get(f"/v1/estimates/{small['estimate_id']}?include=days", headers=headers["intake"]).json()
    assert only_days["comparison"]["estimates"][0]["explanation"] == []
    assert len(full.content) > 3 * len(made.content)  # the ordinary answer stays small
    bad = client.get(f"/v1/estimates/{small['estimate_id']}?include=everything", headers=headers["intake"])
    assert bad.status_code == 400 and "include" in bad.text
