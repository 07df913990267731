"""An estimate is refused when the check cannot stand behind it, and its dates follow the date of service.

Sandbox members and demo rates as in test_estimates_api.py (IOP contracted 300.00/day, self-pay 300.00/day).
"""

from __future__ import annotations

import pytest

from tests.integration.pricing.helpers import totals

pytestmark = pytest.mark.integration


def _check(client, headers, member_id: str, last: str, dob: str, dos: str, payer: str = "SBPPO"):  # noqa: ANN001, ANN202
    made = client.post("/v1/eligibility/checks", headers=headers["intake"], json={
        "payer_id": payer, "subscriber": {"first_name": "A", "last_name": last, "date_of_birth": dob,
                                          "member_id": member_id},
        "date_of_service": dos})
    assert made.status_code in (200, 201), made.text
    return made.json()


def test_estimate_from_a_rejected_check_is_422_saying_what_to_fix(client, headers) -> None:  # noqa: ANN001
    check = _check(client, headers, "NOBODY-999", "NOBODY", "1970-01-01", "2026-03-02")
    assert check["status"] == "rejected"
    refused = client.post("/v1/estimates", headers=headers["intake"],
                          json={"eligibility_check_id": check["id"], "levels": ["iop"]})
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["type"].endswith("/eligibility-not-quotable")
    assert problem["errors"][0]["field"] == "$.eligibility_check_id"
    assert "No estimate was made: correct the member id, name or date of birth and run a new eligibility check" \
        in problem["detail"]


def test_course_starts_on_the_checks_date_of_service(client, headers) -> None:  # noqa: ANN001
    # No start_date and no as_of: the course starts on the check's date of service (Mon 2026-03-02), not on the
    # server's date, and the 271's remaining amounts are those of that plan year.
    check = _check(client, headers, "PPO-FAM-006", "MILLER", "1980-01-15", "2026-03-02")
    made = client.post("/v1/estimates", headers=headers["intake"],
                       json={"eligibility_check_id": check["id"], "levels": ["iop"]})
    assert made.status_code == 201, made.text
    iop = made.json()["comparison"]["estimates"][0]
    assert iop["first_service_date"] == "2026-03-02"
    # deductible 900.00 remaining: days 1-3 3 x 300.00 = 900.00; days 4-24: 21 x 20% x 300.00 = 1260.00 -> 2160.00
    # (one deductible only: the course stays inside the 2026 plan year)
    assert totals(made.json()) == {"iop": "2160.00"}
    assert not any("new plan year" in w for w in iop["warnings"])


def test_poverty_guideline_year_follows_the_date_of_service(client, headers) -> None:  # noqa: ANN001
    # Made on 2026-01-05 (the 2025 guideline is in force until 2026-01-13) for care from 2026-02-02 (2026 guideline).
    # Household of 1, 15,800.00 a year: 2025 line 15,650 -> 100.96 % (tier B); 2026 line 15,960 -> 99.00 % (tier A).
    made = client.post("/v1/estimates", headers=headers["intake"], json={
        "self_pay": True, "as_of": "2026-01-05", "start_date": "2026-02-02", "levels": ["iop"],
        "household": {"size": 1, "annual_income": "15800", "state": "CA"}})
    assert made.status_code == 201, made.text
    fpl = made.json()["comparison"]["estimates"][0]["affordability"]["fpl"]
    assert fpl["guideline_year"] == 2026
    assert fpl["percent_of_poverty"] == "99.00"
