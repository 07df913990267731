"""Virtual IOP over REST: an evening/weekend in-person course beside the same course by telehealth.

Demo rates: IOP contracted 300.00 a day. Courses start Monday 2026-02-02 (no federal holiday before Feb 16).
"""

from __future__ import annotations

import pytest

from tests.integration.pricing.helpers import estimate_body, ppo_manual

pytestmark = pytest.mark.integration

SCHEDULE = {"level": "iop", "weeks": 2, "days_per_week": 3, "hours_per_day": "3", "include_weekends": True,
            "weekdays": ["mon", "wed", "sat"]}


def test_in_person_and_virtual_iop_side_by_side_over_rest(client, headers) -> None:  # noqa: ANN001
    manual = ppo_manual()
    manual["in_network"]["telehealth"] = {"copay": "30.00", "copay_per": "day", "deductible_applies": False}
    body = estimate_body(manual=manual, levels=["iop"],
                         courses=[SCHEDULE, {**SCHEDULE, "delivery": "telehealth"}])
    answer = client.post("/v1/estimates?include=days", json=body, headers=headers["intake"])
    assert answer.status_code == 201, answer.text
    by_delivery = {e["delivery"]: e for e in answer.json()["comparison"]["estimates"]}
    in_person, virtual = by_delivery["in_person"], by_delivery["telehealth"]
    # In person (Feb 2, 4, 7, 9, 11, 14): days 1-5 take the $1,500 deductible (5 x 300.00); day 6 20% x 300.00 = 60.00
    # -> 1,560.00 for 18 treatment hours = 86.67 an hour (1,560 / 18 = 86.666...), 780.00 a week.
    assert in_person["totals"]["patient_pays"] == "1560.00"
    assert (in_person["patient_pays_per_treatment_hour"], in_person["patient_pays_per_week"]) == ("86.67", "780.00")
    # By telehealth: the plan's telehealth terms, deductible waived, $30 copay a day: 6 x 30.00 = 180.00
    # -> 10.00 an hour, 90.00 a week.
    assert virtual["totals"]["patient_pays"] == "180.00" and virtual["telehealth_days"] == 6
    assert (virtual["patient_pays_per_treatment_hour"], virtual["patient_pays_per_week"]) == ("10.00", "90.00")
    assert [d["date"] for d in virtual["days"]] == ["2026-02-02", "2026-02-04", "2026-02-07", "2026-02-09",
                                                    "2026-02-11", "2026-02-14"]


def test_a_hybrid_inpatient_stay_is_refused_naming_the_field(client, headers) -> None:  # noqa: ANN001
    body = estimate_body(manual=ppo_manual(), levels=["inpatient"],
                         courses=[{"level": "inpatient", "delivery": "hybrid", "telehealth_days_per_week": 1}])
    answer = client.post("/v1/estimates", json=body, headers=headers["intake"])
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "$.courses[0].telehealth_days_per_week" in answer.text
