"""Other coverage over REST: a Medigap named with its letter, and a second commercial plan entered by hand.

Demo rates: IOP Medicare per diem 260.00 (3 services), contracted 300.00; 24 IOP days from Mon 2026-02-02;
CY2026 Part B deductible 283.00.
"""

from __future__ import annotations

import pytest

from service.pricing.service import reproduce
from tests.integration.pricing.helpers import HEARD, estimate_body, medicare_manual, ppo_manual, totals

pytestmark = pytest.mark.integration


def test_medicare_with_medigap_plan_g(client, headers) -> None:  # noqa: ANN001
    manual = {**medicare_manual(), "other_payers": [
        {"order": "secondary", "kind": "medigap", "name": "ACME MEDIGAP", "medigap_plan": "G"}]}
    made = client.post("/v1/estimates?include=explanation", headers=headers["intake"], json=estimate_body(manual=manual, levels=["iop"]))
    assert made.status_code == 201, made.text
    iop = made.json()["comparison"]["estimates"][0]
    # Medicare: day 1 deductible 260.00; day 2 deductible 23.00 + 20% x 237.00 = 47.40; days 3-24 22 x 52.00 = 1144.00
    # plan G pays the coinsurance 47.40 + 1144.00 = 1191.40; the patient keeps the 283.00 Part B deductible;
    # Medicare pays 24 x 260.00 - 1474.40 = 4765.60
    assert totals(made.json()) == {"iop": "283.00"}
    assert [(p["name"], p["pays"]) for p in iop["payers"]] == [("MEDICARE", "4765.60"),
                                                               ("ACME MEDIGAP (plan G)", "1191.40")]
    assert iop["explanation"][-1]["text"] == ("Who pays: MEDICARE $4,765.60; ACME MEDIGAP (plan G) $1,191.40; "
                                              "you $283.00.")


def test_two_commercial_plans_standard_cob(client, headers) -> None:  # noqa: ANN001
    second = {"payer_name": "SPOUSE PPO", "payer_id": "SPOUSEPPO", "payer_class": "commercial", "active": True,
              "in_network": {"coinsurance_percent": "10"}, "heard_from": HEARD}
    made = client.post("/v1/estimates?include=explanation", headers=headers["intake"], json=estimate_body(
        manual=ppo_manual(), levels=["iop"], other_coverage=[{"manual": second, "cob_method": "standard"}]))
    assert made.status_code == 201, made.text
    iop = made.json()["comparison"]["estimates"][0]
    # primary ACME PPO: days 1-5 deductible 5 x 300.00 (pays 0.00), days 6-24 pays 240.00 (19 x 240.00 = 4560.00)
    # SPOUSE PPO alone would pay 90% = 270.00 a day: days 1-5 min(270.00, 300.00 left) = 270.00 (patient 30.00);
    #   days 6-24 min(270.00, 60.00 left) = 60.00 -> 5 x 270.00 + 19 x 60.00 = 2490.00; patient 5 x 30.00 = 150.00
    assert totals(made.json()) == {"iop": "150.00"}
    assert [p["pays"] for p in iop["payers"]] == ["4560.00", "2490.00"]
    pool = client.app.state.pool
    redone = client.blocking_portal.call(lambda: reproduce(pool, made.json()["estimate_id"]))
    assert str(redone.estimates[0].totals.patient_pays) == "150.00"  # the second plan is stored with the estimate
    bad = client.post("/v1/estimates?include=explanation", headers=headers["intake"], json=estimate_body(
        manual=ppo_manual(), levels=["iop"], other_coverage=[{"cob_method": "standard"}]))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "$.other_coverage[0]"
