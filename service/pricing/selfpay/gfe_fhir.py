"""A Good Faith Estimate as a FHIR R4 Da Vinci PCT GFE Bundle (STU 2, a JSON-ready dict).

Every amount is the GFE's own (:mod:`.gfe` computes them; nothing is recomputed here):

- each GFE line is one Claim item: ``unitPrice`` x ``quantity`` = ``net`` = the line's expected charge;
- each provider section (the convening provider and every co-provider, such as the psychiatrist) is
  one Claim per kind of bill (inpatient, outpatient, professional) whose ``total`` is the sum of its
  items, so a section's claims add up to its ``total_expected_charges``; when a discount makes the
  section's ``dispute_baseline`` differ, its claims say so in a ``gfeDisclaimer``;
- the first entry is the PCT GFE Summary (``estimate-summary``) whose ``total`` is the GFE's
  ``total_estimated_patient_cost`` (the figure after sliding-fee discounts); the discounts, the
  discount note and the arithmetic (charges - discounts = estimated cost) are ``gfeDisclaimer``
  extensions, the PCT place for "application of sliding scale for self-pay/uninsured patients".

Profile elements filled (PCT STU 2 FSH: pct_gfe_bundle, pct_gfe_summary, pct_gfe_institutional,
pct_gfe_professional, pct_coverage, pct_organization; US Core Patient):

- Bundle: identifier, ``collection``, a real ``timestamp`` (the issue instant), every reference
  resolvable inside the bundle (pct-gfe-bundle-2), the summary first (pct-gfe-bundle-3).
- Claims: PLAC identifier, ``gfeServiceLinkingInfo`` (planned period, linking identifier, provider
  count), ``gfeDisclaimer``, ``billablePeriod`` (first to last service day), provider reference
  with the NUCC ``providerTaxonomy`` extension, ``insurance`` -> the self-pay Coverage (base R4
  makes ``Claim.insurance`` 1..*), principal/secondary diagnoses; institutional claims carry the
  UB-04 type of bill and items with the revenue code, ``serviceDescription``, a CPT/HCPCS code
  (or data-absent-reason ``not-applicable`` for a room-and-board line billed by revenue code
  alone, as the profile allows), serviced period, quantity and net.
- Coverage: PCT Coverage with ``coverage-kind`` = ``self-pay``, ``selfPayDeclared`` = true, type
  81 (Self-pay), payor and beneficiary = the patient, subscriberId absent (not-applicable).
- Patient: identifier (the service's pseudonymous patient key), structured name, gender
  (``unknown`` when not given), birth date.

Money: FHIR ``Money.value`` is a JSON decimal. Values are cent-exact ``Decimal`` and
:func:`encode_bundle` writes them as numbers with two decimals (``4800.00``), never floats.
Full URLs are ``urn:uuid`` values derived from the GFE id, so the same GFE gives the same bundle.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import msgspec

from contracts.selfpay import CodeSystem, GfeLine, GfeProvider, GfeProviderSection, GoodFaithEstimate
from service.money import ZERO, cents, format_usd

PCT = "http://hl7.org/fhir/us/davinci-pct/"
GFE_BUNDLE_PROFILE = PCT + "StructureDefinition/davinci-pct-gfe-bundle"
GFE_SUMMARY_PROFILE = PCT + "StructureDefinition/davinci-pct-gfe-summary"
GFE_INSTITUTIONAL_PROFILE = PCT + "StructureDefinition/davinci-pct-gfe-institutional"
GFE_PROFESSIONAL_PROFILE = PCT + "StructureDefinition/davinci-pct-gfe-professional"
PCT_ORGANIZATION_PROFILE = PCT + "StructureDefinition/davinci-pct-organization"
PCT_COVERAGE_PROFILE = PCT + "StructureDefinition/davinci-pct-coverage"
US_CORE_PATIENT_PROFILE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"

DISCLAIMER_EXT = PCT + "StructureDefinition/gfeDisclaimer"
SERVICE_DESCRIPTION_EXT = PCT + "StructureDefinition/serviceDescription"
SERVICE_LINKING_EXT = PCT + "StructureDefinition/gfeServiceLinkingInfo"
PROVIDER_TAXONOMY_EXT = PCT + "StructureDefinition/providerTaxonomy"
SELF_PAY_DECLARED_EXT = PCT + "StructureDefinition/selfPayDeclared"
COVERAGE_KIND_EXT = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Coverage.kind"
DATA_ABSENT_EXT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
DATA_ABSENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

SUMMARY_TYPE_SYSTEM = PCT + "CodeSystem/PCTEstimateTypeSummaryCSTemporaryTrialUse"
SUPPORTING_INFO_SYSTEM = PCT + "CodeSystem/PCTSupportingInfoType"
TYPE_OF_BILL_SYSTEM = "https://www.nubc.org/CodeSystem/TypeOfBill"
REVENUE_SYSTEM = "https://www.nubc.org/CodeSystem/RevenueCodes"
CODE_SYSTEMS = {
    CodeSystem.HCPCS: "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    CodeSystem.CPT: "http://www.ama-assn.org/go/cpt",
}
NUCC_SYSTEM = "http://nucc.org/provider-taxonomy"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
#: US IRS Employer Identification Number (the TIN), as the PCT examples use it.
TIN_SYSTEM = "urn:oid:2.16.840.1.113883.4.4"
#: The service's pseudonymous patient key (``service.access.audit.patient_key``).
PATIENT_KEY_SYSTEM = "https://benefits-estimator.example/fhir/sid/patient-key"
#: Identifies the GFE across the claims of one period of care (the linking identifier).
GFE_ID_SYSTEM = "https://benefits-estimator.example/fhir/sid/good-faith-estimate"
IDENTIFIER_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203"
ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
DIAGNOSIS_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype"
SECONDARY_DIAGNOSIS_SYSTEM = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimDiagnosisType"
CLAIM_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/claim-type"
PRIORITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/processpriority"
ORG_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/organization-type"
#: Source of Payment Typology: 81 = Self-pay (the US Core Coverage type binding).
PAYER_TYPE_SYSTEM = "https://nahdo.org/sopt"
RELATIONSHIP_SYSTEM = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"

#: UB-04 type of bill (FL 4): hospital inpatient / hospital outpatient, admit through discharge.
INPATIENT_BILL = ("0111", "Hospital Inpatient (Including Medicare Part A), admit through discharge claim")
OUTPATIENT_BILL = ("0131", "Hospital Outpatient, admit through discharge claim")

_NAMESPACE = uuid.UUID("6f1d7a52-4c1e-4f0e-9a43-2b9d1c2e8f10")
_ENCODER = msgspec.json.Encoder(decimal_format="number")


def encode_bundle(bundle: dict[str, Any]) -> bytes:
    """JSON with money as decimal numbers (``4800.00``), as FHIR's decimal type wants."""
    return _ENCODER.encode(bundle)


def _urn(gfe_id: str, *parts: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, "/".join((gfe_id, *parts))))


def _money(amount: Decimal) -> dict[str, Any]:
    return {"value": cents(amount), "currency": "USD"}


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def _disclaimer(text: str) -> dict[str, Any]:
    return {"url": DISCLAIMER_EXT, "valueString": text}


def _period(lines: Iterable[GfeLine]) -> dict[str, str]:
    lines = list(lines)
    return {
        "start": min(line.period_start for line in lines).isoformat(),
        "end": max(line.period_end for line in lines).isoformat(),
    }


def _is_room_and_board(line: GfeLine) -> bool:
    # NUBC revenue codes 0100-0219 are room and board (all-inclusive, private, semi-private, ...).
    return line.revenue_code is not None and "0100" <= line.revenue_code <= "0219"


def _bill_kind(line: GfeLine) -> str:
    if line.revenue_code is None:
        return "professional"
    return "inpatient" if _is_room_and_board(line) else "outpatient"


# --------------------------------------------------------------------------- resources


def _patient(gfe: GoodFaithEstimate, patient_key: str) -> dict[str, Any]:
    patient = gfe.patient
    family = getattr(patient, "last_name", None)
    given = [g for g in [getattr(patient, "first_name", None)] if g]
    if not family:
        # A single "First Middle Last" string: the last word is the family name; ``text`` keeps it whole.
        *given, family = patient.name.split() or [patient.name]
    name: dict[str, Any] = {"use": "official", "text": patient.name, "family": family}
    if given:
        name["given"] = given
    return {
        "resourceType": "Patient",
        "meta": {"profile": [US_CORE_PATIENT_PROFILE]},
        "identifier": [
            {
                "type": _coding(IDENTIFIER_TYPE_SYSTEM, "PI", "Patient internal identifier"),
                "system": PATIENT_KEY_SYSTEM,
                "value": patient_key,
            }
        ],
        "name": [name],
        "gender": getattr(patient, "gender", None) or "unknown",
        "birthDate": patient.date_of_birth.isoformat(),
    }


def _self_pay_coverage(patient_url: str) -> dict[str, Any]:
    return {
        "resourceType": "Coverage",
        "meta": {"profile": [PCT_COVERAGE_PROFILE]},
        "extension": [
            {"url": COVERAGE_KIND_EXT, "valueCode": "self-pay"},
            {"url": SELF_PAY_DECLARED_EXT, "valueBoolean": True},
        ],
        "status": "active",
        "type": _coding(PAYER_TYPE_SYSTEM, "81", "Self-pay"),
        # PCT Coverage: subscriberId 1..1, absent with reason not-applicable for self-pay.
        "_subscriberId": {"extension": [{"url": DATA_ABSENT_EXT, "valueCode": "not-applicable"}]},
        "beneficiary": {"reference": patient_url},
        "relationship": _coding(RELATIONSHIP_SYSTEM, "self", "Self"),
        "payor": [{"reference": patient_url}],
    }


def _organization(provider: GfeProvider) -> dict[str, Any]:
    address = provider.address
    return {
        "resourceType": "Organization",
        "meta": {"profile": [PCT_ORGANIZATION_PROFILE]},
        "identifier": [
            {"type": _coding(IDENTIFIER_TYPE_SYSTEM, "NPI"), "system": NPI_SYSTEM, "value": provider.npi},
            {"type": _coding(IDENTIFIER_TYPE_SYSTEM, "TAX"), "system": TIN_SYSTEM, "value": provider.tin.replace("-", "")},
        ],
        "active": True,
        "type": [_coding(ORG_TYPE_SYSTEM, "prov", "Healthcare Provider")],
        "name": provider.name,
        "address": [
            {
                "use": "work",
                "line": list(address.lines),
                "city": address.city,
                "state": address.state.upper(),
                "postalCode": address.postal_code,
                "country": "US",
            }
        ],
    }


def _taxonomy(provider: GfeProvider) -> dict[str, Any]:
    code = getattr(provider, "taxonomy", None)
    if code:
        return {"url": PROVIDER_TAXONOMY_EXT, "valueCodeableConcept": _coding(NUCC_SYSTEM, code)}
    return {
        "url": PROVIDER_TAXONOMY_EXT,
        "valueCodeableConcept": {"extension": [{"url": DATA_ABSENT_EXT, "valueCode": "unknown"}]},
    }


def _diagnoses(codes: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "sequence": n,
            "diagnosisCodeableConcept": _coding(ICD10CM_SYSTEM, code),
            "type": [
                _coding(DIAGNOSIS_TYPE_SYSTEM, "principal", "Principal Diagnosis")
                if n == 1
                else _coding(SECONDARY_DIAGNOSIS_SYSTEM, "secondary", "Secondary")
            ],
        }
        for n, code in enumerate(codes, start=1)
    ]


def _item(line: GfeLine, sequence: int, diagnosis_count: int) -> dict[str, Any]:
    if line.service_code:
        product = _coding(CODE_SYSTEMS[line.service_code_system], line.service_code)
    else:  # a revenue-code-only institutional line (e.g. room and board 0114): PCT allows not-applicable here
        product = _coding(DATA_ABSENT_SYSTEM, "not-applicable", "Not Applicable")
    product["text"] = line.description
    item: dict[str, Any] = {
        "extension": [{"url": SERVICE_DESCRIPTION_EXT, "valueString": line.description}],
        "sequence": sequence,
        "productOrService": product,
        "servicedPeriod": {"start": line.period_start.isoformat(), "end": line.period_end.isoformat()},
        "quantity": {"value": line.quantity},
        "unitPrice": _money(line.unit_charge),
        "net": _money(line.expected_charge),
    }
    if line.revenue_code:
        item["revenue"] = _coding(REVENUE_SYSTEM, line.revenue_code)
    if diagnosis_count:
        item["diagnosisSequence"] = list(range(1, diagnosis_count + 1))
    return item


def _linking_info(gfe: GoodFaithEstimate) -> dict[str, Any]:
    all_lines = [line for section in gfe.sections for line in section.lines]
    return {
        "url": SERVICE_LINKING_EXT,
        "extension": [
            {"url": "plannedPeriodOfService", "valuePeriod": _period(all_lines)},
            {"url": "linkingIdentifier", "valueIdentifier": {"system": GFE_ID_SYSTEM, "value": gfe.gfe_id}},
            {"url": "anticipatedSubmittingProviderCount", "valueUnsignedInt": len(gfe.sections)},
        ],
    }


def _claim(
    gfe: GoodFaithEstimate,
    section: GfeProviderSection,
    kind: str,
    lines: list[GfeLine],
    *,
    urls: dict[str, str],
    created: str,
    placer_id: str,
) -> dict[str, Any]:
    institutional = kind != "professional"
    claim: dict[str, Any] = {
        "resourceType": "Claim",
        "meta": {"profile": [GFE_INSTITUTIONAL_PROFILE if institutional else GFE_PROFESSIONAL_PROFILE]},
        "extension": [_linking_info(gfe), *(_disclaimer(d.text) for d in gfe.disclaimers),
                      *(_disclaimer(text) for text in _baseline_disclaimer(section))],
        "identifier": [
            {
                "type": _coding(IDENTIFIER_TYPE_SYSTEM, "PLAC", "Placer Identifier"),
                "system": GFE_ID_SYSTEM,
                "value": placer_id,
            }
        ],
        "status": "active",
        "type": _coding(CLAIM_TYPE_SYSTEM, "institutional" if institutional else "professional"),
        "use": "predetermination",
        "patient": {"reference": urls["patient"]},
        "billablePeriod": _period(lines),
        "created": created,
        "provider": {"reference": urls[section.provider.npi], "extension": [_taxonomy(section.provider)]},
        "priority": _coding(PRIORITY_SYSTEM, "normal"),
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": urls["coverage"]}}],
        "item": [_item(line, n, len(gfe.diagnosis_codes)) for n, line in enumerate(lines, start=1)],
        "total": _money(sum((line.expected_charge for line in lines), ZERO)),
    }
    if institutional:
        code, display = INPATIENT_BILL if kind == "inpatient" else OUTPATIENT_BILL
        claim["supportingInfo"] = [
            {
                "sequence": 1,
                "category": _coding(SUPPORTING_INFO_SYSTEM, "typeofbill", "Type of Bill"),
                "code": _coding(TYPE_OF_BILL_SYSTEM, code, display),
            }
        ]
    if gfe.diagnosis_codes:
        claim["diagnosis"] = _diagnoses(gfe.diagnosis_codes)
    return claim


def _baseline_disclaimer(section: GfeProviderSection) -> list[str]:
    """The provider's dispute baseline when a discount makes it differ from its expected charges (45 CFR 149.620)."""
    baseline = section.dispute_baseline
    if baseline is None or baseline == section.total_expected_charges:
        return []
    return [f"Expected charges from {section.provider.name} after the discount shown: {format_usd(baseline)} "
            f"({format_usd(section.total_expected_charges)} before it). A bill from this provider is compared with "
            "this amount for patient-provider dispute resolution."]


def _summary_disclaimers(gfe: GoodFaithEstimate) -> list[str]:
    texts = [d.text for d in gfe.disclaimers]
    if gfe.discounts:
        texts.extend(
            f"{d.description}: {format_usd(d.amount)} off the expected charges"
            + (" (provisional until proof of income is verified)" if d.provisional else "")
            for d in gfe.discounts
        )
        texts.append(
            f"Total expected charges {format_usd(gfe.total_expected_charges)} less discounts "
            f"{format_usd(gfe.total_discounts)} = estimated total {format_usd(gfe.total_estimated_patient_cost)}."
        )
    if gfe.discount_note:
        texts.append(gfe.discount_note)
    return texts


def _summary(gfe: GoodFaithEstimate, urls: dict[str, str], created: str) -> dict[str, Any]:
    all_lines = [line for section in gfe.sections for line in section.lines]
    summary: dict[str, Any] = {
        "resourceType": "Claim",
        "meta": {"profile": [GFE_SUMMARY_PROFILE]},
        "extension": [
            *(_disclaimer(text) for text in _summary_disclaimers(gfe)),
            {"url": SERVICE_DESCRIPTION_EXT, "valueString": gfe.primary_service.description},
        ],
        "status": "active",
        "type": _coding(SUMMARY_TYPE_SYSTEM, "estimate-summary", "Estimate Summary"),
        "use": "predetermination",
        "patient": {"reference": urls["patient"]},
        "billablePeriod": _period(all_lines),
        "created": created,
        # Several providers: the summary names none (PCT: data-absent-reason not-applicable).
        "provider": {"extension": [{"url": DATA_ABSENT_EXT, "valueCode": "not-applicable"}]},
        "priority": _coding(PRIORITY_SYSTEM, "normal"),
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": urls["coverage"]}}],
        "total": _money(gfe.total_estimated_patient_cost),
    }
    if gfe.diagnosis_codes:
        summary["diagnosis"] = _diagnoses(gfe.diagnosis_codes)
    return summary


def to_fhir_bundle(gfe: GoodFaithEstimate, *, issued_at: dt.datetime, patient_key: str) -> dict[str, Any]:
    """The GFE as a Da Vinci PCT GFE Bundle; encode it with :func:`encode_bundle`.

    ``issued_at`` (timezone-aware) is the bundle timestamp and the claims' ``created``;
    ``patient_key`` is the Patient identifier.
    """
    if issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    created = issued_at.isoformat(timespec="seconds")
    urls = {
        "patient": _urn(gfe.gfe_id, "patient"),
        "coverage": _urn(gfe.gfe_id, "coverage"),
        **{s.provider.npi: _urn(gfe.gfe_id, "organization", s.provider.npi) for s in gfe.sections},
    }
    claims: list[dict[str, Any]] = [{"fullUrl": _urn(gfe.gfe_id, "summary"), "resource": _summary(gfe, urls, created)}]
    for section in gfe.sections:
        by_kind: dict[str, list[GfeLine]] = {}
        for line in section.lines:
            by_kind.setdefault(_bill_kind(line), []).append(line)
        for kind, lines in by_kind.items():
            placer_id = f"{gfe.gfe_id}-{section.provider.npi}-{kind}"
            claims.append(
                {
                    "fullUrl": _urn(gfe.gfe_id, "claim", section.provider.npi, kind),
                    "resource": _claim(gfe, section, kind, lines, urls=urls, created=created, placer_id=placer_id),
                }
            )
    others = [
        {"fullUrl": urls["patient"], "resource": _patient(gfe, patient_key)},
        {"fullUrl": urls["coverage"], "resource": _self_pay_coverage(urls["patient"])},
        *({"fullUrl": urls[s.provider.npi], "resource": _organization(s.provider)} for s in gfe.sections),
    ]
    return {
        "resourceType": "Bundle",
        "meta": {"profile": [GFE_BUNDLE_PROFILE]},
        "identifier": {"system": GFE_ID_SYSTEM, "value": gfe.gfe_id},
        "type": "collection",
        "timestamp": created,
        "entry": claims + others,
    }
