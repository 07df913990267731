"""Plan designs and Medicare Advantage over REST, as intake enters them by hand (demo rates: IOP contracted
300.00/day, inpatient contracted 1400.00/day; IOP 24 days, inpatient 10 days from Mon 2026-02-02)."""

from __future__ import annotations

import pytest

from tests.integration.pricing.helpers import HEARD, estimate_body, totals

pytestmark = pytest.mark.integration


def test_medicare_advantage_priced_with_the_plans_own_cost_sharing(client, headers) -> None:  # noqa: ANN001
    manual = {
        "payer_name": "SUNNY ADVANTAGE", "payer_id": "SUNNY", "payer_class": "medicare",
        "insurance_type": "medicare_advantage", "active": True,
        "in_network": {"oop_max_individual": {"total": "9250.00", "remaining": "9250.00"}, "deductible_applies": False},
        "levels": [
            {"level": "inpatient", "network": "in", "cost_share": {
                "copay_tiers": [{"first_day": 1, "last_day": 5, "amount": "400"}, {"first_day": 6, "amount": "0"}]}},
            {"level": "iop", "network": "in", "cost_share": {"copay": "40", "copay_per": "day"}}],
        "medicare": {"advantage": {"plan_name": "SUNNY ADVANTAGE HMO", "contract_number": "H1234"}},
        "heard_from": HEARD,
    }
    made = client.post("/v1/estimates?include=explanation", headers=headers["intake"],
                       json=estimate_body(manual=manual, levels=["iop", "inpatient"]))
    assert made.status_code == 201, made.text
    # IOP: 24 days x 40.00 = 960.00 (the plan's per-day copay, no Part B deductible or 20 %)
    # inpatient: days 1-5 x 400.00 = 2000.00, days 6-10 $0 (not the 1736.00 Part A deductible); the plan-wide
    #   9250.00 MOOP is kept by the per-level entries (never reached here)
    assert totals(made.json()) == {"iop": "960.00", "inpatient": "2000.00"}
    inpatient = made.json()["comparison"]["estimates"][1]
    assert inpatient["payer_class"] == "medicare"
    assert inpatient["explanation"][0]["text"].startswith("Days 1\u20135 (Feb 2\u2013Feb 6): $400.00 copay a day")
