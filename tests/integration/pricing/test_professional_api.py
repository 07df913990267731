"""The psychiatrist's visits over REST: in a self-pay IOP estimate's total, its sliding fee, read-aloud and GFE.

Demo figures: IOP self-pay 300.00 a day (demo rates); the practitioners' charges in professional-fees.json (demo):
90792 400.00, 99214 250.00. IOP 3 weeks x Mon/Wed/Fri from Monday 2026-03-02 (no federal holiday): 9 days; typical
visits: 90792 on Mar 2, 99214 in week 2 (Mar 16). 2026 HHS guideline, household of 3 with $35,000 in CA: 128.11 %
-> tier C of the example schedule, pays 40 %.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

pytestmark = pytest.mark.integration

LOCATION = {"lines": ["100 Main St"], "city": "Sacramento", "state": "CA", "postal_code": "95814"}


def test_self_pay_iop_with_the_psychiatrists_visits_end_to_end(client: Any, headers: dict[str, Any]) -> None:
    answer = client.post("/v1/estimates", headers=headers["intake"], json={
        "self_pay": True, "as_of": "2026-02-23", "start_date": "2026-03-02", "levels": ["iop"],
        "courses": [{"level": "iop", "weeks": 3, "days_per_week": 3, "hours_per_day": "3"}],
        "professional_services": True,
        "household": {"size": 3, "annual_income": "35000", "state": "CA"},
        "patient": {"first_name": "Ana", "last_name": "Lopez", "date_of_birth": "1990-05-17"}})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    iop = body["comparison"]["estimates"][0]
    # 9 x 300.00 = 2,700.00 + visits 400.00 + 250.00 = 650.00 -> 3,350.00
    assert iop["professional"]["patient_pays"] == "650.00"
    assert [(line["code"], line["visits"], line["first_date"]) for line in iop["professional"]["lines"]] == [
        ("90792", 1, "2026-03-02"), ("99214", 1, "2026-03-16")]
    assert iop["totals"]["patient_pays"] == "3350.00"
    # Sliding fee on the whole total: 40 % of 3,350.00 = 1,340.00 (discount 2,010.00)
    assert (iop["affordability"]["discount"], iop["affordability"]["balance_after_discount"]) == ("2010.00", "1340.00")
    spoken = " ".join(line["text"] for line in body["read_aloud"])
    assert "That includes the psychiatrist's visits, about $650.00." in spoken

    issued = client.post(f"/v1/estimates/{body['estimate_id']}/good-faith-estimates", headers=headers["intake"],
                         json={"levels": ["iop"], "service_location": LOCATION, "diagnosis_codes": ["F33.1"]})
    assert issued.status_code == 201, issued.text
    gfe = issued.json()["gfe"]
    # Items: IOP 2,700.00 + 90792 400.00 + 99214 250.00 = 3,350.00; less the 2,010.00 discount = 1,340.00
    assert (gfe["total_expected_charges"], gfe["total_discounts"], gfe["total_estimated_patient_cost"]) == (
        "3350.00", "2010.00", "1340.00")
    # The same visits again as a co-provider's items would count them twice: refused, naming the item.
    group = {"name": "Bay Psychiatry Group", "npi": "1245319599", "tin": "11-2223333", "taxonomy": "2084P0800X",
             "address": {"lines": ["5 Elm St"], "city": "Sacramento", "state": "CA", "postal_code": "95816"}}
    twice = client.post(f"/v1/estimates/{body['estimate_id']}/good-faith-estimates", headers=headers["intake"], json={
        "levels": ["iop"], "service_location": LOCATION, "co_providers": [group], "co_provider_items": [{
            "description": "Psychiatrist visit", "service_code": "99214", "service_code_system": "cpt",
            "period_start": "2026-03-16", "period_end": "2026-03-16", "quantity": 1, "unit_charge": "250.00",
            "provider_npi": group["npi"]}]})
    assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "$.co_provider_items[0].service_code"
    fhir = client.get(f"/v1/good-faith-estimates/{issued.json()['id']}/fhir", headers=headers["billing"]).json()
    Bundle.model_validate(fhir)
    claims = [e["resource"] for e in fhir["entry"] if e["resource"]["resourceType"] == "Claim"][1:]
    assert sum(Decimal(str(c["total"]["value"])) for c in claims) == Decimal("3350.00")


def test_the_providers_setting_stands_in_for_a_request_that_does_not_say(client: Any, headers: dict[str, Any],
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import msgspec  # noqa: PLC0415

    monkeypatch.setattr(client.app.state, "settings", msgspec.structs.replace(
        client.app.state.settings, professional_services_in_estimates=True))
    body = {"self_pay": True, "as_of": "2026-02-23", "start_date": "2026-03-02", "levels": ["iop"],
            "courses": [{"level": "iop", "weeks": 1, "days_per_week": 3, "hours_per_day": "3"}]}
    unsaid = client.post("/v1/estimates", headers=headers["intake"], json=body)
    declined = client.post("/v1/estimates", headers=headers["intake"], json={**body, "professional_services": False})
    assert unsaid.status_code == declined.status_code == 201, unsaid.text + declined.text
    # 3 x 300.00 = 900.00 + the 90792 evaluation 400.00 = 1,300.00 with the setting; 900.00 when declined
    assert unsaid.json()["comparison"]["estimates"][0]["totals"]["patient_pays"] == "1300.00"
    assert declined.json()["comparison"]["estimates"][0]["professional"] is None
    assert declined.json()["comparison"]["estimates"][0]["totals"]["patient_pays"] == "900.00"


def test_the_practices_own_fee_schedule_is_used_and_kept_with_the_estimate(
        client: Any, headers: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import json  # noqa: PLC0415

    import msgspec  # noqa: PLC0415

    from service.config import load_settings  # noqa: PLC0415
    from service.pricing.service import reproduce  # noqa: PLC0415
    from service.reference import load  # noqa: PLC0415

    shipped = json.loads(json.dumps(load("professional-fees"), default=str))
    shipped["provider_charges"].update(status="provider", amounts={**shipped["provider_charges"]["amounts"],
                                                                    "90792": "375.00"})
    path = tmp_path / "fees.json"
    path.write_text(json.dumps(shipped))
    own = load_settings({"PROFESSIONAL_FEES_FILE": str(path)}).professional_fees  # read and checked as at start-up
    monkeypatch.setattr(client.app.state, "settings", msgspec.structs.replace(client.app.state.settings,
                                                                             professional_fees=own))
    made = client.post("/v1/estimates", headers=headers["intake"], json={
        "self_pay": True, "as_of": "2026-02-23", "start_date": "2026-03-02", "levels": ["iop"],
        "professional_services": True,
        "courses": [{"level": "iop", "weeks": 1, "days_per_week": 3, "hours_per_day": "3"}]})
    assert made.status_code == 201, made.text
    iop = made.json()["comparison"]["estimates"][0]
    # 3 x 300.00 = 900.00 + the practice's 90792 charge 375.00 = 1,275.00; its charges are not example figures
    assert iop["totals"]["patient_pays"] == "1275.00"
    assert not any("DEMO professional fees" in w for w in iop["warnings"])
    monkeypatch.undo()  # the estimate reproduces from its stored figures, whatever the settings are now
    pool = client.app.state.pool
    redone = client.blocking_portal.call(lambda: reproduce(pool, made.json()["estimate_id"]))
    assert str(redone.estimates[0].totals.patient_pays) == "1275.00"


def _check(client: Any, headers: dict[str, Any], payer: str, first: str, last: str, dob: str, member: str) -> str:
    made = client.post("/v1/eligibility/checks", headers=headers["intake"], json={
        "payer_id": payer, "subscriber": {"first_name": first, "last_name": last, "date_of_birth": dob,
                                          "member_id": member}, "date_of_service": "2026-03-02"})
    assert made.status_code in (200, 201), made.text
    return made.json()["id"]


def test_visits_priced_from_stored_eligibility_checks(client: Any, headers: dict[str, Any]) -> None:
    # Sandbox MCR-PARTB-001: Part B deductible 120.00 left. A 10-day stay: 99223, 8 x 99232, 99238 at the CY2026
    # PFS facility amounts of professional-fees.json (example figures 179.00, 87.00, 77.00):
    # 120.00 + 20% x 59.00 = 131.80; 8 x 20% x 87.00 = 139.20; 20% x 77.00 = 15.40 -> 286.40.
    medicare = _check(client, headers, "SBMCR", "MARTHA", "JONES", "1951-03-14", "MCR-PARTB-001")
    body = {"eligibility_check_id": medicare, "levels": ["inpatient"], "start_date": "2026-03-02"}
    alone = client.post("/v1/estimates", headers=headers["intake"], json=body).json()
    made = client.post("/v1/estimates", headers=headers["intake"], json={**body, "professional_services": True})
    assert made.status_code == 201, made.text
    stay = made.json()["comparison"]["estimates"][0]
    assert stay["professional"]["patient_pays"] == "286.40"
    facility = Decimal(alone["comparison"]["estimates"][0]["totals"]["patient_pays"])
    assert Decimal(stay["totals"]["patient_pays"]) == facility + Decimal("286.40")
    # Sandbox PPO-FAM-006's 271 states no professional visit terms: the visits are listed, not in the total.
    ppo = _check(client, headers, "SBPPO", "DANIEL", "MILLER", "1980-01-15", "PPO-FAM-006")
    made = client.post("/v1/estimates", headers=headers["intake"], json={
        "eligibility_check_id": ppo, "levels": ["iop"], "professional_services": True})
    assert made.status_code == 201, made.text
    iop = made.json()["comparison"]["estimates"][0]
    assert iop["professional"]["in_totals"] is False and iop["totals"]["patient_pays"] == "2160.00"
    assert any("NOT in this total" in w for w in iop["warnings"])
