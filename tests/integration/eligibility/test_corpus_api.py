"""Corpus 271s through the API: what intake sees for an MA member, an MSP member, a damaged file, and the
warnings that travel into estimates."""

from __future__ import annotations

import pytest

from tests.corpus import x12
from tests.integration.pricing.helpers import estimate_body

pytestmark = pytest.mark.integration


def _parse(client, headers, name: str):  # noqa: ANN001, ANN202
    return client.post("/v1/eligibility/parse-271", json={"x12": x12(name)}, headers=headers["billing"])


def test_medicare_advantage_member_is_reported_with_plan_and_contract(client, headers) -> None:  # noqa: ANN001
    r = _parse(client, headers, "hets-5010-medicare-advantage.271")
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "active" and out["benefits"]["insurance_type"] == "medicare_advantage"
    assert out["benefits"]["medicare"]["advantage"]["contract_number"] == "H1234 001"
    assert "SUNCOAST ADVANTAGE HMO" in out["message"] and "Medicare Advantage" in out["message"]


def test_msp_member_is_reported_with_the_employer_plan_paying_first(client, headers) -> None:  # noqa: ANN001
    out = _parse(client, headers, "hets-5010-msp-employer-primary.271").json()
    [employer] = out["benefits"]["other_payers"]
    assert (employer["order"], employer["kind"]) == ("primary", "employer_group")
    assert "GREAT LAKES MANUFACTURING GROUP HEALTH PLAN pays first" in out["message"]


def test_truncated_271_is_422_naming_what_is_missing(client, headers) -> None:  # noqa: ANN001
    r = _parse(client, headers, "hets-5010-truncated.271")
    assert r.status_code == 422, r.text
    assert "no SE segment" in r.json()["detail"] and r.json()["errors"][0]["field"] == "$.x12"


def test_benefit_warnings_travel_into_the_estimate(client, headers) -> None:  # noqa: ANN001
    made = client.post("/v1/estimates", headers=headers["intake"], json=estimate_body(
        x12_271=x12("commercial-wrong-se-count-no-iea.271"), levels=["iop"]))
    assert made.status_code == 201, made.text
    warnings = made.json()["comparison"]["warnings"]
    assert "benefits: SE01 says 9 segments but the transaction has 15" in warnings
    assert "benefits: no IEA segment closes the interchange" in warnings


def test_a_large_posted_271_is_stored_and_answered_whole(client, headers) -> None:  # noqa: ANN001
    """Past the off-loop threshold the rows travel as JSON: the answer and the stored check still carry every one."""
    text = x12("commercial-wrong-se-count-no-iea.271")
    extra = "".join(f"EB*A*IND*MH*PR****0.25****Y~\nMSG*ROW {i}~\n" for i in range(400))
    text = text.replace("SE*", extra + "SE*", 1)
    posted = client.post("/v1/eligibility/parse-271", json={"x12": text}, headers=headers["billing"])
    assert posted.status_code == 201, posted.text
    rows = posted.json()["benefits"]["benefit_rows"]
    assert len(rows) == 404 and rows[-1]["messages"] == ["ROW 399"] and rows[-1]["percent"] == "25"
    stored = client.get(f"/v1/eligibility/checks/{posted.json()['id']}", headers=headers["billing"]).json()
    assert stored["benefits"] == posted.json()["benefits"]
