"""One issued Good Faith Estimate in its three forms (JSON, printable page, FHIR bundle) over REST: the same
amounts in each, the FHIR form valid (fhir.resources R4B models).

Hand-computed (demo rates, 2026 HHS guideline, household of 3 with $35,000 -> 128.11 % -> tier C, pays 40 %):
IOP 24 days x $300.00 = $7,200.00, discount 60 % = $4,320.00; PHP 15 days x $500.00 = $7,500.00, discount $4,500.00.
Charges $14,700.00 - discounts $8,820.00 = $5,880.00.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

AS_OF = "2026-03-02"
LOCATION = {"lines": ["100 Main St"], "city": "Sacramento", "state": "CA", "postal_code": "95814"}


@pytest.fixture(scope="module")
def issued(client: Any, headers: dict[str, dict[str, str]]) -> dict[str, Any]:
    estimate = client.post(
        "/v1/estimates",
        json={
            "self_pay": True, "as_of": AS_OF, "start_date": AS_OF,
            "household": {"size": 3, "annual_income": "35000", "state": "CA"},
            "patient": {"first_name": "Ana", "last_name": "Lopez", "date_of_birth": "1990-05-17"},
        },
        headers=headers["intake"],
    )
    assert estimate.status_code == 201, estimate.text
    response = client.post(
        f"/v1/estimates/{estimate.json()['estimate_id']}/good-faith-estimates",
        json={"levels": ["iop", "php"], "service_location": LOCATION, "diagnosis_codes": ["F33.1"]},
        headers=headers["intake"],
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_json_page_and_fhir_state_the_same_amounts(client: Any, headers: dict[str, dict[str, str]],
                                                   issued: dict[str, Any]) -> None:
    gfe = issued["gfe"]
    assert (gfe["total_expected_charges"], gfe["total_discounts"], gfe["total_estimated_patient_cost"]) == (
        "14700.00", "8820.00", "5880.00")
    page = client.get(f"/v1/good-faith-estimates/{issued['id']}/page", headers=headers["billing"]).text
    assert "$14,700.00" in page and "$5,880.00" in page and "income determination" in page

    response = client.get(f"/v1/good-faith-estimates/{issued['id']}/fhir", headers=headers["billing"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert '"value":5880.00' in response.text  # money as a two-decimal JSON number
    bundle = response.json()
    Bundle.model_validate(bundle)
    summary, *claims = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Claim"]
    assert Decimal(str(summary["total"]["value"])) == Decimal(gfe["total_estimated_patient_cost"])
    assert sum(Decimal(str(c["total"]["value"])) for c in claims) == Decimal(gfe["total_expected_charges"])
    nets = [Decimal(str(i["net"]["value"])) for c in claims for i in c["item"]]
    assert nets == [Decimal(line["expected_charge"]) for s in gfe["sections"] for line in s["lines"]]
    disclaimers = [x["valueString"] for x in summary["extension"] if x["url"].endswith("/gfeDisclaimer")]
    assert gfe["discount_note"] in disclaimers
    assert any("$4,320.00" in t for t in disclaimers) and any("$4,500.00" in t for t in disclaimers)
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["name"][0]["family"] == "Lopez" and patient["identifier"][0]["value"].startswith("pk_")
    assert bundle["timestamp"].startswith(issued["issued_at"][:19])  # the issue instant
