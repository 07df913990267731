"""The FHIR form of a Good Faith Estimate: valid FHIR (fhir.resources R4B models), every amount equal to the
GFE JSON, and the Da Vinci PCT GFE profile's required and must-support elements checked one by one."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from fhir.resources.R4B.bundle import Bundle

from contracts.selfpay import (
    GfeAddress,
    GfeDiscountLine,
    GfeItem,
    GfePatient,
    GfePrimaryService,
    GfeProvider,
    GoodFaithEstimateRequest,
)
from service.pricing.selfpay.gfe import build_gfe
from service.pricing.selfpay.gfe_fhir import encode_bundle, to_fhir_bundle

D = Decimal
PCT = "http://hl7.org/fhir/us/davinci-pct/StructureDefinition/"
ISSUED_AT = dt.datetime(2026, 3, 2, 14, 5, 9, tzinfo=dt.UTC)
CLINIC = GfeProvider(
    name="Harbor Behavioral Health", npi="1234567893", tin="12-3456789", taxonomy="283Q00000X",
    address=GfeAddress(lines=["100 Main St"], city="Oakland", state="CA", postal_code="94612"),
)
PSYCHIATRIST = GfeProvider(
    name="Bay Psychiatry Group", npi="1987654320", tin="987654321",
    address=GfeAddress(lines=["5 Elm St"], city="Oakland", state="CA", postal_code="94610"),
)


def _request(**changes: Any) -> GoodFaithEstimateRequest:
    base = GoodFaithEstimateRequest(
        gfe_id="GFE-2026-0042",
        issue_date=dt.date(2026, 3, 2),
        patient=GfePatient(name="Alex J Rivera", date_of_birth=dt.date(1990, 5, 17)),
        primary_service=GfePrimaryService(description="IOP then PHP", scheduled_date=dt.date(2026, 3, 9)),
        convening_provider=CLINIC,
        items=[
            GfeItem(description="IOP program day", service_code="S9480", revenue_code="0905",
                    period_start=dt.date(2026, 3, 9), period_end=dt.date(2026, 4, 30), quantity=24,
                    unit_charge=D("250.00")),
            GfeItem(description="PHP program day", service_code="H0035", revenue_code="0912",
                    period_start=dt.date(2026, 5, 4), period_end=dt.date(2026, 5, 29), quantity=20,
                    unit_charge=D("435.00")),
        ],
        diagnosis_codes=["F33.1", "F41.1"],
        discounts=[
            GfeDiscountLine(description="Sliding fee discount for IOP (Tier C)", amount=D("3600.00"), tier_code="C",
                            provisional=True),
            GfeDiscountLine(description="Sliding fee discount for PHP (Tier C)", amount=D("5220.00"), tier_code="C",
                            provisional=True),
        ],
    )
    return msgspec.structs.replace(base, **changes)


def _bundle(request: GoodFaithEstimateRequest) -> tuple[Any, dict[str, Any]]:
    gfe = build_gfe(request)
    # Through the wire encoder, as the route serves it.
    return gfe, json.loads(encode_bundle(to_fhir_bundle(gfe, issued_at=ISSUED_AT, patient_key="pk_0123abcd")))


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _ext(resource: dict[str, Any], url: str) -> list[dict[str, Any]]:
    return [x for x in resource.get("extension", []) if x["url"] == url]


def test_bundle_is_valid_fhir() -> None:
    _, bundle = _bundle(_request())
    parsed = Bundle.model_validate(bundle)  # raises on any element the FHIR R4(B) Bundle/Claim/... models refuse
    assert len(parsed.entry) == len(bundle["entry"])


def test_amounts_equal_the_gfe_json() -> None:
    gfe, bundle = _bundle(_request())
    # IOP 24 x 250.00 = 6,000.00; PHP 20 x 435.00 = 8,700.00; charges 14,700.00
    # discounts 3,600.00 + 5,220.00 = 8,820.00; estimated total 14,700.00 - 8,820.00 = 5,880.00
    assert (gfe.total_expected_charges, gfe.total_discounts, gfe.total_estimated_patient_cost) == (
        D("14700.00"), D("8820.00"), D("5880.00"))
    summary, *claims = _resources(bundle, "Claim")
    assert D(str(summary["total"]["value"])) == D("5880.00")
    items = [item for claim in claims for item in claim["item"]]
    assert [D(str(i["net"]["value"])) for i in items] == [D("6000.00"), D("8700.00")]
    assert [D(str(i["unitPrice"]["value"])) * i["quantity"]["value"] for i in items] == [D("6000.00"), D("8700.00")]
    assert sum(D(str(c["total"]["value"])) for c in claims) == D("14700.00")
    texts = [x["valueString"] for x in _ext(summary, PCT + "gfeDisclaimer")]
    assert gfe.discount_note in texts
    assert any("$3,600.00" in t for t in texts) and any("$5,220.00" in t for t in texts)
    assert any("$14,700.00" in t and "$8,820.00" in t and "$5,880.00" in t for t in texts)


def test_money_is_written_with_two_decimals() -> None:
    gfe = build_gfe(_request())
    raw = encode_bundle(to_fhir_bundle(gfe, issued_at=ISSUED_AT, patient_key="pk_0123abcd")).decode()
    assert '"net":{"value":6000.00,"currency":"USD"}' in raw
    assert '"total":{"value":5880.00,"currency":"USD"}' in raw


def test_bundle_profile_elements() -> None:
    gfe, bundle = _bundle(_request())
    assert bundle["meta"]["profile"] == [PCT + "davinci-pct-gfe-bundle"]
    assert bundle["type"] == "collection"
    assert bundle["identifier"]["value"] == gfe.gfe_id and bundle["identifier"]["system"]
    assert bundle["timestamp"] == "2026-03-02T14:05:09+00:00"  # the issue instant, not midnight
    first = bundle["entry"][0]["resource"]  # pct-gfe-bundle-3: the GFE Summary comes first
    assert first["type"]["coding"][0]["code"] == "estimate-summary"
    assert first["meta"]["profile"] == [PCT + "davinci-pct-gfe-summary"]
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    references = {v for v in _walk(bundle, "reference")}
    assert references and references <= set(urls)  # pct-gfe-bundle-2: every reference resolves inside


def test_summary_profile_elements() -> None:
    _, bundle = _bundle(_request())
    summary = bundle["entry"][0]["resource"]
    assert summary["use"] == "predetermination" and summary["status"] == "active"
    assert summary["billablePeriod"] == {"start": "2026-03-09", "end": "2026-05-29"}
    assert summary["provider"] == {"extension": [{
        "url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "not-applicable"}]}
    assert _ext(summary, PCT + "serviceDescription")[0]["valueString"] == "IOP then PHP"
    assert "item" not in summary and "supportingInfo" not in summary
    assert summary["diagnosis"][0]["type"][0]["coding"][0]["code"] == "principal"


def test_institutional_claim_profile_elements() -> None:
    gfe, bundle = _bundle(_request())
    _, claim = _resources(bundle, "Claim")
    assert claim["meta"]["profile"] == [PCT + "davinci-pct-gfe-institutional"]
    assert claim["type"]["coding"][0] == {"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                          "code": "institutional"}
    placer = claim["identifier"][0]
    assert placer["type"]["coding"][0]["code"] == "PLAC" and placer["system"] and placer["value"]
    linking = _ext(claim, PCT + "gfeServiceLinkingInfo")[0]["extension"]
    parts = {x["url"]: x for x in linking}
    assert parts["plannedPeriodOfService"]["valuePeriod"] == {"start": "2026-03-09", "end": "2026-05-29"}
    assert parts["linkingIdentifier"]["valueIdentifier"]["value"] == gfe.gfe_id
    assert parts["linkingIdentifier"]["valueIdentifier"]["system"]
    claim_disclaimers = [x["valueString"] for x in _ext(claim, PCT + "gfeDisclaimer")]
    # the GFE's disclaimers, then the convening provider's dispute baseline after the sliding fee (45 CFR 149.620):
    # 14,700.00 - 8,820.00 = 5,880.00
    assert claim_disclaimers[:-1] == [d.text for d in gfe.disclaimers]
    assert claim_disclaimers[-1].startswith("Expected charges from Harbor Behavioral Health after the discount shown: "
                                            "$5,880.00 ($14,700.00 before it)")
    assert claim["billablePeriod"] == {"start": "2026-03-09", "end": "2026-05-29"}
    taxonomy = _ext(claim["provider"], PCT + "providerTaxonomy")[0]["valueCodeableConcept"]["coding"][0]
    assert taxonomy == {"system": "http://nucc.org/provider-taxonomy", "code": "283Q00000X"}
    bill = claim["supportingInfo"][0]
    assert bill["category"]["coding"][0]["code"] == "typeofbill"
    assert bill["code"]["coding"][0]["system"] == "https://www.nubc.org/CodeSystem/TypeOfBill"
    assert bill["code"]["coding"][0]["code"] == "0131"  # outpatient IOP/PHP
    coverage_url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Coverage")
    assert claim["insurance"] == [{"sequence": 1, "focal": True, "coverage": {"reference": coverage_url}}]
    assert [d["diagnosisCodeableConcept"]["coding"][0]["code"] for d in claim["diagnosis"]] == ["F33.1", "F41.1"]
    iop = claim["item"][0]
    assert _ext(iop, PCT + "serviceDescription")[0]["valueString"] == "IOP program day"
    assert iop["revenue"]["coding"][0] == {"system": "https://www.nubc.org/CodeSystem/RevenueCodes", "code": "0905"}
    assert iop["productOrService"]["coding"][0] == {
        "system": "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "code": "S9480"}
    assert iop["servicedPeriod"] == {"start": "2026-03-09", "end": "2026-04-30"}
    assert iop["quantity"] == {"value": 24}


def test_self_pay_coverage_and_patient() -> None:
    _, bundle = _bundle(_request())
    (coverage,) = _resources(bundle, "Coverage")
    kinds = {x["url"]: x for x in coverage["extension"]}
    assert kinds["http://hl7.org/fhir/5.0/StructureDefinition/extension-Coverage.kind"]["valueCode"] == "self-pay"
    assert kinds[PCT + "selfPayDeclared"]["valueBoolean"] is True
    assert coverage["type"]["coding"][0]["code"] == "81"
    assert coverage["_subscriberId"]["extension"][0]["valueCode"] == "not-applicable"
    patient_url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert coverage["payor"] == [{"reference": patient_url}] and coverage["beneficiary"] == {"reference": patient_url}
    (patient,) = _resources(bundle, "Patient")
    assert patient["identifier"][0]["value"] == "pk_0123abcd" and patient["identifier"][0]["system"]
    assert patient["name"][0] == {"use": "official", "text": "Alex J Rivera", "family": "Rivera",
                                  "given": ["Alex", "J"]}
    assert patient["gender"] == "unknown"  # the service does not collect it; US Core allows "unknown"
    assert patient["birthDate"] == "1990-05-17"


def test_room_and_board_and_professional_lines_get_their_own_claims() -> None:
    request = _request(
        co_providers=[PSYCHIATRIST],
        items=[
            # inpatient room and board billed by revenue code alone
            GfeItem(description="Inpatient psychiatric day", revenue_code="0114", period_start=dt.date(2026, 3, 9),
                    period_end=dt.date(2026, 3, 15), quantity=7, unit_charge=D("1200.00")),
            GfeItem(description="IOP program day", service_code="S9480", revenue_code="0905",
                    period_start=dt.date(2026, 3, 16), period_end=dt.date(2026, 4, 10), quantity=12,
                    unit_charge=D("250.00")),
            GfeItem(description="Psychiatric evaluation", service_code="90792", service_code_system="cpt",
                    period_start=dt.date(2026, 3, 9), period_end=dt.date(2026, 3, 9), quantity=1,
                    unit_charge=D("350.00"), provider_npi=PSYCHIATRIST.npi),
        ],
        discounts=[],
    )
    gfe, bundle = _bundle(request)
    Bundle.model_validate(bundle)
    _, *claims = _resources(bundle, "Claim")
    bills = [(c["type"]["coding"][0]["code"], c.get("supportingInfo", [{}])[0].get("code", {}).get("coding", [{}])[0]
              .get("code")) for c in claims]
    assert bills == [("institutional", "0111"), ("institutional", "0131"), ("professional", None)]
    room = claims[0]["item"][0]
    assert room["productOrService"]["coding"][0]["code"] == "not-applicable"
    assert room["revenue"]["coding"][0]["code"] == "0114"
    professional = claims[2]
    assert professional["meta"]["profile"] == [PCT + "davinci-pct-gfe-professional"]
    assert professional["item"][0]["productOrService"]["coding"][0] == {
        "system": "http://www.ama-assn.org/go/cpt", "code": "90792"}
    # no taxonomy known for the co-provider: the extension says so instead of inventing one
    taxonomy = _ext(professional["provider"], PCT + "providerTaxonomy")[0]["valueCodeableConcept"]
    assert taxonomy["extension"][0]["valueCode"] == "unknown"
    # 7 x 1,200.00 = 8,400.00; 12 x 250.00 = 3,000.00; 350.00 -> sections 11,400.00 and 350.00; no discounts
    assert [D(str(c["total"]["value"])) for c in claims] == [D("8400.00"), D("3000.00"), D("350.00")]
    assert [s.total_expected_charges for s in gfe.sections] == [D("11400.00"), D("350.00")]
    assert D(str(bundle["entry"][0]["resource"]["total"]["value"])) == D("11750.00")
    assert len(_resources(bundle, "Organization")) == 2


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        to_fhir_bundle(build_gfe(_request()), issued_at=dt.datetime(2026, 3, 2, 9, 0), patient_key="pk_x")


def _walk(node: Any, key: str) -> list[Any]:
    found: list[Any] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                found.append(v)
            found.extend(_walk(v, key))
    elif isinstance(node, list):
        for v in node:
            found.extend(_walk(v, key))
    return found
