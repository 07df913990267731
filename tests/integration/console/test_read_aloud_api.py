"""The read-aloud summary on the check and estimate answers, from the sandbox payer's real 271s."""

from __future__ import annotations

from typing import Any

from tests.integration.eligibility.helpers import body_for


def _check(client: Any, headers: dict, member_id: str) -> dict:
    response = client.post("/v1/eligibility/checks", json=body_for(member_id), headers=headers["intake"])
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_ppo_check_reads_what_is_left_of_deductible_and_oop_for_patient_and_family(client, headers) -> None:  # noqa: ANN001
    texts = [line["text"] for line in _check(client, headers, "PPO-FAM-006")["read_aloud"]]
    # the roster: IND 1500.00 (900.00 left) / FAM 3000.00 (2100.00 left); OOP IND 5000.00 (4200.00 left) /
    # FAM 10000.00 (8800.00 left); no prior authorization
    assert texts[1] == ("Deductible: $900.00 left of $1,500.00 for the patient; $2,100.00 left of $3,000.00 for "
                        "the family.")
    assert texts[2] == ("Out-of-pocket maximum: $4,200.00 left of $5,000.00 for the patient; $8,800.00 left of "
                        "$10,000.00 for the family.")
    assert "No prior authorization is required." in texts


def test_medicare_checks_read_psychiatric_days_and_qmb(client, headers) -> None:  # noqa: ANN001
    psych = [line["text"] for line in _check(client, headers, "MCR-PSYCH-003")["read_aloud"]]
    assert "Psychiatric hospital days: 145 left of the 190-day lifetime limit." in psych
    qmb = _check(client, headers, "MCR-QMB-002")["read_aloud"]
    assert [line["topic"] for line in qmb].count("qmb") == 1
    assert not any("Medigap" in line["text"] for line in qmb)


def test_not_found_member_reads_what_to_check(client, headers) -> None:  # noqa: ANN001
    lines = _check(client, headers, "NOPE-000")["read_aloud"]
    assert lines[0]["topic"] == "coverage"
    assert "Check the member ID, name and date of birth" in lines[0]["text"]
    assert [line["topic"] for line in lines] == ["coverage"]  # nothing else holds until the member is found
