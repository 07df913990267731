"""A Good Faith Estimate as a FHIR R4 Da Vinci PCT GFE Bundle (a JSON-ready dict).

Shape (HL7 Da Vinci PCT, STU 2): a ``collection`` Bundle with the davinci-pct-gfe-bundle
profile, the Patient, one Organization per provider/facility (NPI and TIN identifiers) and
one ``predetermination`` Claim per provider/facility (PCT GFE Institutional profile) whose
items carry the revenue code, HCPCS/CPT code, serviced period, quantity and net amount.
No Coverage: the patient is uninsured or self-pay. Money ``value`` is a JSON number in FHIR;
it is produced from the cent-exact Decimal, so it has at most two decimals.

Full URLs are deterministic ``urn:uuid`` values derived from the GFE id, so the same GFE
always gives the same bundle (no randomness, no clock: the timestamp is the issue date).

Caveat: base R4 makes ``Claim.insurance`` 1..*; for self-pay the PCT guidance is to omit
Coverage, so a plain R4 validator will warn about it.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from contracts.selfpay import CodeSystem, GfeProvider, GfeProviderSection, GoodFaithEstimate

PCT = "http://hl7.org/fhir/us/davinci-pct/StructureDefinition/"
GFE_BUNDLE_PROFILE = PCT + "davinci-pct-gfe-bundle"
GFE_INSTITUTIONAL_PROFILE = PCT + "davinci-pct-gfe-institutional"
PCT_ORGANIZATION_PROFILE = PCT + "davinci-pct-organization"
GFE_DISCLAIMER_EXTENSION = PCT + "gfeDisclaimer"

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
#: US IRS Employer Identification Number (the TIN), as the PCT examples use it.
TIN_SYSTEM = "urn:oid:2.16.840.1.113883.4.4"
IDENTIFIER_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203"
REVENUE_SYSTEM = "https://www.nubc.org/CodeSystem/RevenueCodes"
CODE_SYSTEMS = {
    CodeSystem.HCPCS: "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    CodeSystem.CPT: "http://www.ama-assn.org/go/cpt",
}
ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
CLAIM_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/claim-type"
PRIORITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/processpriority"
ORG_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/organization-type"

_NAMESPACE = uuid.UUID("6f1d7a52-4c1e-4f0e-9a43-2b9d1c2e8f10")


def _urn(gfe_id: str, *parts: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, "/".join((gfe_id, *parts))))


def _money(amount: Decimal) -> dict[str, Any]:
    # FHIR Money.value is a JSON decimal; int for whole dollars, float only for the cent-exact fraction.
    value: int | float = int(amount) if amount == amount.to_integral_value() else float(amount)
    return {"value": value, "currency": "USD"}


def _organization(provider: GfeProvider) -> dict[str, Any]:
    address = provider.address
    return {
        "resourceType": "Organization",
        "meta": {"profile": [PCT_ORGANIZATION_PROFILE]},
        "identifier": [
            {
                "type": {"coding": [{"system": IDENTIFIER_TYPE_SYSTEM, "code": "NPI"}]},
                "system": NPI_SYSTEM,
                "value": provider.npi,
            },
            {
                "type": {"coding": [{"system": IDENTIFIER_TYPE_SYSTEM, "code": "TAX"}]},
                "system": TIN_SYSTEM,
                "value": provider.tin.replace("-", ""),
            },
        ],
        "active": True,
        "type": [{"coding": [{"system": ORG_TYPE_SYSTEM, "code": "prov", "display": "Healthcare Provider"}]}],
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


def _claim(
    gfe: GoodFaithEstimate, section: GfeProviderSection, patient_url: str, org_url: str, index: int
) -> dict[str, Any]:
    items = []
    for sequence, line in enumerate(section.lines, start=1):
        item: dict[str, Any] = {
            "sequence": sequence,
            "productOrService": {
                # A revenue-code-only institutional line (room and board) names its revenue code here.
                "coding": [
                    {"system": CODE_SYSTEMS[line.service_code_system], "code": line.service_code}
                    if line.service_code
                    else {"system": REVENUE_SYSTEM, "code": line.revenue_code}
                ],
                "text": line.description,
            },
            "servicedPeriod": {"start": line.period_start.isoformat(), "end": line.period_end.isoformat()},
            "quantity": {"value": line.quantity},
            "unitPrice": _money(line.unit_charge),
            "net": _money(line.expected_charge),
        }
        if line.revenue_code:
            item["revenue"] = {"coding": [{"system": REVENUE_SYSTEM, "code": line.revenue_code}]}
        if gfe.diagnosis_codes:
            item["diagnosisSequence"] = list(range(1, len(gfe.diagnosis_codes) + 1))
        items.append(item)
    claim: dict[str, Any] = {
        "resourceType": "Claim",
        "meta": {"profile": [GFE_INSTITUTIONAL_PROFILE]},
        "extension": [{"url": GFE_DISCLAIMER_EXTENSION, "valueString": d.text} for d in gfe.disclaimers],
        "identifier": [
            {
                "type": {"coding": [{"system": IDENTIFIER_TYPE_SYSTEM, "code": "PLAC"}]},
                "value": f"{gfe.gfe_id}-{index}",
            }
        ],
        "status": "active",
        "type": {"coding": [{"system": CLAIM_TYPE_SYSTEM, "code": "institutional"}]},
        "use": "predetermination",
        "patient": {"reference": patient_url},
        "created": gfe.issue_date.isoformat(),
        "provider": {"reference": org_url},
        "priority": {"coding": [{"system": PRIORITY_SYSTEM, "code": "normal"}]},
        "item": items,
        "total": _money(section.total_expected_charges),
    }
    if gfe.diagnosis_codes:
        claim["diagnosis"] = [
            {"sequence": n, "diagnosisCodeableConcept": {"coding": [{"system": ICD10CM_SYSTEM, "code": code}]}}
            for n, code in enumerate(gfe.diagnosis_codes, start=1)
        ]
    return claim


def to_fhir_bundle(gfe: GoodFaithEstimate) -> dict[str, Any]:
    """The GFE as a Da Vinci PCT GFE Bundle (``json.dumps``-able)."""
    patient_url = _urn(gfe.gfe_id, "patient")
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": patient_url,
            "resource": {
                "resourceType": "Patient",
                "name": [{"text": gfe.patient.name}],
                "birthDate": gfe.patient.date_of_birth.isoformat(),
            },
        }
    ]
    claims = []
    for index, section in enumerate(gfe.sections, start=1):
        org_url = _urn(gfe.gfe_id, "organization", section.provider.npi)
        entries.append({"fullUrl": org_url, "resource": _organization(section.provider)})
        claims.append(
            {
                "fullUrl": _urn(gfe.gfe_id, "claim", section.provider.npi),
                "resource": _claim(gfe, section, patient_url, org_url, index),
            }
        )
    return {
        "resourceType": "Bundle",
        "meta": {"profile": [GFE_BUNDLE_PROFILE]},
        "identifier": {"system": "urn:ietf:rfc:3986", "value": _urn(gfe.gfe_id, "bundle")},
        "type": "collection",
        "timestamp": f"{gfe.issue_date.isoformat()}T00:00:00Z",
        "entry": claims + entries,
    }
