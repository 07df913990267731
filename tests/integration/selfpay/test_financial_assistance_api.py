"""An organization that chose California's Hospital Fair Pricing Act (FINANCIAL_ASSISTANCE_POLICY) instead of the
sliding fee, over REST: the estimate, what intake reads out, the refusal without income, and the GFE's discount.

Hand-computed (demo-2026-01 rates; 2026 HHS guideline, household of 1: $15,960; $47,880 = 300 %):
IOP 24 days x self-pay $300.00 = $7,200.00. Within 400 % FPL (AB 1020): at most the greater of Medicare (demo
$260.00 a day) and Medicaid (demo $180.00) for the course, H&S Code 127405(d): $260.00 x 24 = $6,240.00;
discount $7,200.00 - $6,240.00 = $960.00.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

BODY = {"self_pay": True, "as_of": "2026-03-02", "start_date": "2026-03-02", "levels": ["iop"],
        "patient": {"first_name": "Ana", "last_name": "Lopez", "date_of_birth": "1990-05-17"}}


@pytest.fixture
def california(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = client.app.state.settings
    monkeypatch.setattr(client.app.state, "settings",
                        msgspec.structs.replace(settings, financial_assistance_policy="ca_hospital_fair_pricing"))


def test_the_state_rule_set_the_organization_chose_prices_the_self_pay_estimate(
    client: Any, headers: dict[str, dict[str, str]], california: None
) -> None:
    response = client.post("/v1/estimates", json={**BODY, "household": {"size": 1, "annual_income": "47880",
                                                                        "state": "CA"}}, headers=headers["intake"])
    assert response.status_code == 201, response.text
    estimate = response.json()
    section = estimate["comparison"]["estimates"][0]["affordability"]
    assert section["sliding_fee"] is None
    assert (section["discount"], section["balance_after_discount"]) == ("960.00", "6240.00")
    assert section["financial_assistance"]["policy"] == "ca_hospital_fair_pricing"
    assert "Medicare $260.00 a day x 24 days = $6,240.00" in section["financial_assistance"]["explanation"]
    # interest-free; payments at most 10 % of $47,880 / 12 = $3,990.00 -> $399.00: 24 months $260.00, 36 $173.33
    assert [(p["term_months"], p["regular_payment"]) for p in section["payment_plans"]] == [
        (24, "260.00"), (36, "173.33")]
    assert "Under the California Hospital Fair Pricing Act: IOP: $6,240.00." in estimate["comparison"]["summary"]
    spoken = " ".join(line["text"] for line in estimate["read_aloud"])
    assert "Under the California Hospital Fair Pricing Act: $6,240.00." in spoken

    gfe = client.post(f"/v1/estimates/{estimate['estimate_id']}/good-faith-estimates", json={"levels": ["iop"]},
                      headers=headers["intake"])
    assert gfe.status_code == 201, gfe.text
    body = gfe.json()["gfe"]
    assert [(d["description"], d["amount"]) for d in body["discounts"]] == [
        ("Financial assistance for IOP (California Hospital Fair Pricing Act)", "960.00")]
    # the $400 rule's baseline: $7,200.00 - $960.00 = $6,240.00
    assert body["sections"][0]["dispute_baseline"] == "6240.00"
    assert "financial assistance under the provider's policy" in body["discount_note"]


def test_a_self_pay_household_without_its_income_is_still_refused_under_the_policy(
    client: Any, headers: dict[str, dict[str, str]], california: None
) -> None:
    response = client.post("/v1/estimates", json={**BODY, "household": {"size": 1, "state": "CA"}},
                           headers=headers["intake"])
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "$.household.annual_income"
