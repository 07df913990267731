"""Authorization and emergency admissions over REST (demo rates: IOP contracted 300.00/day; inpatient contracted
1400.00/day, charge 2000.00, no out-of-network allowed amount on file -> 1400.00 assumed, balance bill 600.00/day).
IOP 24 days Mon/Wed/Fri from Mon 2026-02-02; inpatient 10 days Feb 2-11."""

from __future__ import annotations

import pytest

from tests.integration.pricing.helpers import estimate_body, ppo_manual, totals

pytestmark = pytest.mark.integration


def test_authorization_days_past_it_at_the_providers_risk(client, headers) -> None:  # noqa: ANN001
    manual = {**ppo_manual(), "contacts": [{"role": "prior_authorization", "phone": "800-555-0123"}]}
    made = client.post("/v1/estimates", headers=headers["intake"], json=estimate_body(
        manual=manual, levels=["iop"],
        authorization={"number": "PA-2026-001", "next_review": "2026-02-20", "over_authorization": "at_risk",
                       "levels": [{"level": "iop", "approved_days": 12, "start": "2026-02-02", "end": "2026-04-30"}]}))
    assert made.status_code == 201, made.text
    iop = made.json()["comparison"]["estimates"][0]
    # authorized days 1-12: deductible 5 x 300.00 = 1500.00, days 6-12 7 x 60.00 = 420.00 -> 1920.00
    # days 13-24 past the 12 approved: at the provider's risk, 12 x 300.00 = 3600.00 written off, patient 0.00
    assert totals(made.json()) == {"iop": "1920.00"}
    assert iop["totals"]["provider_write_off"] == "3600.00"
    assert iop["authorization"]["days_past"] == 12 and iop["authorization"]["phone"] == "800-555-0123"


def test_emergency_admission_out_of_network_until_notice_and_consent(client, headers) -> None:  # noqa: ANN001
    manual = {**ppo_manual(), "out_of_network": {
        "deductible_individual": {"total": "3000", "remaining": "3000"}, "coinsurance_percent": "40",
        "oop_max_individual": {"total": "10000", "remaining": "10000"}}}
    body = estimate_body(manual=manual, levels=["inpatient"], network="out",
                         emergency_admission={"through_emergency_department": True,
                                              "notice_and_consent_signed": "2026-02-09"})
    made = client.post("/v1/estimates", headers=headers["intake"], json=body)
    assert made.status_code == 201, made.text
    # days 1-7 (Feb 2-8): in-network terms on 1400.00, no balance bill: day 1 deductible 1400.00; day 2 100.00
    #   + 20% x 1300.00 = 260.00 -> 360.00; days 3-7 5 x 280.00 = 1400.00 -> 3160.00
    # days 8-10 (Feb 9-11) out of network: deductible 1400.00 + 1400.00 + 200.00 + 40% x 1200.00 = 480.00
    #   -> 3480.00, balance bill 3 x 600.00 = 1800.00 -> 5280.00; total 3160.00 + 5280.00 = 8440.00
    assert totals(made.json()) == {"inpatient": "8440.00"}
    assert made.json()["comparison"]["estimates"][0]["totals"]["balance_bill"] == "1800.00"
