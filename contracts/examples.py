"""One example request per operation, for the OpenAPI document (and the people reading it).

``BODIES`` holds a request body per operationId that takes one; ``PARAMETERS`` an example value per
path/query parameter name. The sandbox members of the README are used, so an example sent to a
service with the sandbox payer works as shown. A test decodes every body with the operation's own
request type, so an example cannot drift from the contract.
"""

from __future__ import annotations

from typing import Any

_CHECK_ID = "0b7c6a52-3f0e-4d55-9a3e-6d1c2b9f8e41"
_ESTIMATE_ID = "5d2f3c1a-8b7e-4c6d-9e0f-1a2b3c4d5e6f"

BODIES: dict[str, dict[str, Any]] = {
    # Two members re-checked before admission; the inactive one comes back flagged for billing.
    "createEligibilityBatch": {
        "items": [
            {"payer_id": "SBPPO", "subscriber": {"first_name": "DANIEL", "last_name": "MILLER",
                                                 "date_of_birth": "1980-01-15", "member_id": "PPO-FAM-006"},
             "date_of_service": "2026-03-02"},
            {"payer_id": "SBPPO", "subscriber": {"first_name": "ROBERT", "last_name": "CHEN",
                                                 "date_of_birth": "1970-04-18", "member_id": "PPO-INACT-008"},
             "date_of_service": "2026-03-02"},
        ],
    },
    "createEligibilityCheck": {
        "payer_id": "SBPPO",
        "subscriber": {"first_name": "DANIEL", "last_name": "MILLER", "date_of_birth": "1980-01-15",
                       "member_id": "PPO-FAM-006"},
        "date_of_service": "2026-03-02",
    },
    "createManualEligibilityCheck": {
        "subscriber": {"first_name": "PAT", "last_name": "CALLER", "date_of_birth": "1985-02-03",
                       "member_id": "XZ123456789"},
        "date_of_service": "2026-04-01",
        "benefits": {
            "payer_name": "ACME HEALTH", "payer_id": "ACME1", "payer_class": "commercial",
            "insurance_type": "commercial_ppo", "active": True,
            "in_network": {
                "deductible_individual": {"total": "1000.00", "remaining": "250.00"},
                "oop_max_individual": {"total": "4000.00", "remaining": "3100.00"},
                "coinsurance_percent": "20", "copay": "35.00", "copay_per": "day",
                "prior_authorization_required": True,
            },
            "heard_from": {"representative_name": "JANE AT ACME", "reference_number": "REF-778",
                           "call_date": "2026-03-20"},
        },
    },
    # The sandbox payer's 271 for PPO-INACT-008 (coverage ended 2025-12-31).
    "parseEligibility271": {
        "x12": (
            "ISA*00*          *00*          *ZZ*SANDBOXCH      *ZZ*DEMOSUBMITTER  *260302*0930*^*00501*000000001*0*T*:~"
            "GS*HB*SANDBOXCH*DEMOSUBMITTER*20260302*0930*1*X*005010X279A1~ST*271*0001*005010X279A1~"
            "BHT*0022*11*1*20260302*0930~HL*1**20*1~NM1*PR*2*SANDBOX PPO*****PI*SBPPO~HL*2*1*21*1~"
            "NM1*1P*2*DEMO BEHAVIORAL HEALTH*****XX*1234567893~HL*3*2*22*0~TRN*2*1*9123456789~"
            "NM1*IL*1*CHEN*ROBERT****MI*PPO-INACT-008~DMG*D8*19700418*M~DTP*356*D8*20230101~DTP*357*D8*20251231~"
            "EB*6*IND*30*PR~DTP*357*D8*20251231~SE*15*0001~GE*1*1~IEA*1*000000001~"
        ),
    },
    "createEstimate": {"eligibility_check_id": _CHECK_ID, "levels": ["iop", "php", "inpatient"]},
    "issueGoodFaithEstimate": {"levels": ["iop"], "diagnosis_codes": ["F33.1"]},
    "createEstimatePaymentPlan": {"level": "iop", "term_months": 12},
    "createPortalToken": {"ttl_seconds": 1800},
    "calculateFplTier": {"household": {"size": 3, "annual_income": "35000.00", "state": "CA"}},
    "importFeeSchedule": {
        "kind": "chargemaster", "effective_from": "2027-01-01", "version": "chargemaster-2027",
        "rows": [{"level": "iop", "revenue_code": "0905", "hcpcs": "S9480", "gross_charge_per_day": "450.00",
                  "self_pay_per_day": "300.00"}],
    },
    "createApiKey": {"name": "front desk", "role": "intake"},
    "addPayerContract": {"payer_id": "SBPPO", "payer_name": "SANDBOX PPO", "network_name": "CHOICE PLUS",
                         "effective_from": "2027-01-01"},
    "createPaymentPlanRules": {
        "effective_from": "2027-01-01",
        "rules": {"minimum_monthly_payment": "25.00", "allowed_terms_months": [3, 6, 12, 24],
                  "term_limits": [{"max_balance": "5000.00", "max_months": 12}, {"max_balance": None, "max_months": 24}],
                  "max_percent_of_monthly_income": "10"},
    },
    "createSlidingFeeSchedule": {
        "name": "2027 sliding fee", "effective_from": "2027-01-01",
        "tiers": [
            {"code": "A", "label": "at or below 100 %", "max_percent_fpl": "100", "kind": "nominal_per_day",
             "nominal_amount": "20.00"},
            {"code": "B", "label": "101-200 %", "max_percent_fpl": "200", "kind": "percent_of_charge",
             "patient_pays_percent": "50"},
            {"code": "C", "label": "above 200 %", "max_percent_fpl": None, "kind": "full_charge"},
        ],
    },
}

PARAMETERS: dict[str, Any] = {
    "check_id": _CHECK_ID,
    "batch_id": "2e4c6a8b-1d3f-4a5b-9c7d-8e0f1a2b3c4d",
    "items": "attention",
    "estimate_id": _ESTIMATE_ID,
    "gfe_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    "version_id": "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a",
    "token_id": "7e6d5c4b-3a29-4817-a6f5-e4d3c2b1a098",
    "key": "bek_3f9a",
    "refresh": False,
    "include": "explanation",
    "name": "sandbox ppo",
    "clearinghouse": "sandbox",
    "cursor": "eyJmIjoiZXN0aW1hdGVzIiwieCI6MTIzNCwicyI6NTZ9",
    "limit": 100,
    "kind": "chargemaster",
    "payer_id": "SBPPO",
    "organization_id": "default",
    "patient_key": "pk_0123456789abcdef0123456789abcdef",
    "since": "2026-03-01T00:00:00Z",
    "until": "2026-03-31T23:59:59Z",
    "after_id": 0,
}


def apply_examples(document: dict[str, Any]) -> None:
    """Put each operation's example body and each parameter's example into the document."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            body = BODIES.get(operation["operationId"])
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and content is not None:
                content["example"] = body
            for parameter in operation.get("parameters", []):
                if parameter.get("name") in PARAMETERS and parameter.get("in") in ("path", "query"):
                    parameter["example"] = PARAMETERS[parameter["name"]]
