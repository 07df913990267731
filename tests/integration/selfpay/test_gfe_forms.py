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


def _token(client: Any, headers: dict[str, dict[str, str]], estimate_id: str) -> str:
    response = client.post(f"/v1/estimates/{estimate_id}/portal-tokens", headers=headers["intake"])
    assert response.status_code == 201, response.text
    return response.json()["token"]


def test_a_portal_token_opens_its_gfe_in_every_form(client: Any, headers: dict[str, dict[str, str]],
                                                    issued: dict[str, Any]) -> None:
    own = {"Authorization": f"Bearer {_token(client, headers, issued['estimate_id'])}"}
    other_estimate = client.post("/v1/estimates", json={"self_pay": True, "as_of": AS_OF,
                                                        "household": {"size": 1, "annual_income": "90000", "state": "CA"}},
                                 headers=headers["intake"]).json()["estimate_id"]
    foreign = {"Authorization": f"Bearer {_token(client, headers, other_estimate)}"}
    for form in ("", "/fhir", "/page"):
        url = f"/v1/good-faith-estimates/{issued['id']}{form}"
        assert client.get(url, headers=own).status_code == 200, form
        assert client.get(url, headers=foreign).status_code == 404, form  # another estimate's token: not found
        # the portal app's own key beside the patient's token: the token decides, the key does not widen it
        assert client.get(url, headers={**headers["portal"], **own}).status_code == 200, form
        assert client.get(url, headers={**headers["portal"], **foreign}).status_code == 404, form
        assert client.get(url, headers=headers["portal"]).status_code == 404, form  # a key names no patient
    assert client.get("/v1/portal/estimate", headers={**headers["portal"], **own}).json()["estimate_id"] == \
        issued["estimate_id"]


def test_a_gfe_from_an_insured_estimate_needs_and_states_the_self_pay_choice(
    client: Any, headers: dict[str, dict[str, str]]
) -> None:
    check = client.post("/v1/eligibility/checks", json={
        "payer_id": "SBPPO", "date_of_service": AS_OF,
        "subscriber": {"first_name": "DANIEL", "last_name": "MILLER", "date_of_birth": "1980-01-15",
                       "member_id": "PPO-FAM-006"},
    }, headers=headers["intake"])
    assert check.status_code in (200, 201), check.text
    estimate = client.post("/v1/estimates", json={"eligibility_check_id": check.json()["id"], "levels": ["iop"]},
                           headers=headers["intake"])
    assert estimate.status_code == 201, estimate.text
    url = f"/v1/estimates/{estimate.json()['estimate_id']}/good-faith-estimates"
    body = {"levels": ["iop"], "service_location": LOCATION,
            "patient": {"name": "Daniel Miller", "date_of_birth": "1980-01-15"}}
    refused = client.post(url, json=body, headers=headers["intake"])
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "$.patient_chose_self_pay"
    chosen = client.post(url, json={**body, "patient_chose_self_pay": True}, headers=headers["intake"])
    assert chosen.status_code == 201, chosen.text
    gfe = chosen.json()
    statement = next(d["text"] for d in gfe["gfe"]["disclaimers"] if d["code"] == "self_pay_chosen")
    assert "chose to pay for this care yourself" in statement
    page = client.get(f"/v1/good-faith-estimates/{gfe['id']}/page", headers=headers["intake"]).text
    assert "chose to pay for this care yourself" in page
    bundle = client.get(f"/v1/good-faith-estimates/{gfe['id']}/fhir", headers=headers["intake"]).json()
    summary = bundle["entry"][0]["resource"]
    assert statement in [x["valueString"] for x in summary["extension"] if x["url"].endswith("/gfeDisclaimer")]


PSYCHIATRIST = {"name": "Bay Psychiatry Group", "npi": "1245319599", "tin": "11-2223333", "taxonomy": "2084P0800X",
                "address": {"lines": ["5 Elm St"], "city": "Sacramento", "state": "CA", "postal_code": "95816"}}
VISITS = {"description": "Psychiatrist visit (medication management)", "service_code": "99214",
          "service_code_system": "cpt", "period_start": "2026-03-02", "period_end": "2026-04-30", "quantity": 8,
          "unit_charge": "150.00", "provider_npi": PSYCHIATRIST["npi"]}


def test_a_gfe_lists_the_psychiatrist_with_its_items_its_due_date_and_each_dispute_baseline(
    client: Any, headers: dict[str, dict[str, str]], issued: dict[str, Any]
) -> None:
    url = f"/v1/estimates/{issued['estimate_id']}/good-faith-estimates"
    body = {"levels": ["iop", "php"], "service_location": LOCATION, "diagnosis_codes": ["F33.1"],
            "scheduled_on": "2026-02-20", "co_providers": [PSYCHIATRIST], "co_provider_items": [VISITS]}
    response = client.post(url, json=body, headers=headers["intake"])
    assert response.status_code == 201, response.text
    gfe = response.json()["gfe"]
    clinic, psychiatrist = gfe["sections"]
    # 45 CFR 149.620: a bill is compared with each provider's expected charges after the discount it shows.
    # Clinic: $14,700.00 - sliding fee $8,820.00 = $5,880.00. Psychiatrist: 8 x $150.00 = $1,200.00, no discount.
    assert (clinic["total_expected_charges"], clinic["dispute_baseline"]) == ("14700.00", "5880.00")
    assert psychiatrist["provider"]["npi"] == PSYCHIATRIST["npi"] and not psychiatrist["is_convening"]
    assert (psychiatrist["total_expected_charges"], psychiatrist["dispute_baseline"]) == ("1200.00", "1200.00")
    # $14,700.00 + $1,200.00 = $15,900.00; less $8,820.00 = $7,080.00
    assert (gfe["total_expected_charges"], gfe["total_estimated_patient_cost"]) == ("15900.00", "7080.00")
    # 45 CFR 149.610(b): scheduled Fri 2026-02-20 for Mon 2026-03-02 = 6 business days ahead (Feb 23-27, Mar 2),
    # 3 to 9 -> due within 1 business day: Mon 2026-02-23 (issued later: said)
    assert gfe["due_date"] == "2026-02-23"
    assert "due within 1 business day" in gfe["due_rule"] and gfe["due_rule"].endswith("after the due date")

    page = client.get(f"/v1/good-faith-estimates/{response.json()['id']}/page", headers=headers["intake"]).text
    assert "Bay Psychiatry Group" in page and "$1,200.00" in page and "February 23, 2026" in page
    bundle = client.get(f"/v1/good-faith-estimates/{response.json()['id']}/fhir", headers=headers["intake"]).json()
    Bundle.model_validate(bundle)
    claims = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Claim"][1:]
    professional = next(c for c in claims if c["type"]["coding"][0]["code"] == "professional")
    assert professional["item"][0]["productOrService"]["coding"][0]["code"] == "99214"
    assert Decimal(str(professional["total"]["value"])) == Decimal("1200.00")
    linking = next(x for x in professional["extension"] if x["url"].endswith("/gfeServiceLinkingInfo"))
    assert {"url": "anticipatedSubmittingProviderCount", "valueUnsignedInt": 2} in linking["extension"]
    organizations = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Organization"]
    assert [o["name"] for o in organizations] == ["DEMO BEHAVIORAL HEALTH", "Bay Psychiatry Group"]


def test_a_co_provider_without_items_or_an_item_naming_no_co_provider_is_refused(
    client: Any, headers: dict[str, dict[str, str]], issued: dict[str, Any]
) -> None:
    url = f"/v1/estimates/{issued['estimate_id']}/good-faith-estimates"
    body = {"levels": ["iop"], "service_location": LOCATION}
    alone = client.post(url, json={**body, "co_providers": [PSYCHIATRIST]}, headers=headers["intake"])
    assert alone.status_code == 400 and alone.json()["errors"][0]["field"] == "$.co_providers[0]"
    stray = client.post(url, json={**body, "co_provider_items": [{**VISITS, "provider_npi": None}]},
                        headers=headers["intake"])
    assert stray.status_code == 400 and stray.json()["errors"][0]["field"] == "$.co_provider_items[0].provider_npi"
    bad = client.post(url, json={**body, "co_providers": [PSYCHIATRIST], "co_provider_items": [{**VISITS, "quantity": 0}]},
                      headers=headers["intake"])
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "$.co_provider_items[0].quantity"
