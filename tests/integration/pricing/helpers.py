"""Request bodies for the pricing integration tests (demo rates; see service/pricing/demo_rates.json).

Dates are fixed so the arithmetic is by hand: the estimates are made "as of" Monday 2026-01-26 for
courses starting Monday 2026-02-02 (CY2026 Medicare figures, IPF FY2026).
"""

from __future__ import annotations

from typing import Any

AS_OF = "2026-01-26"
START = "2026-02-02"

HEARD = {"representative_name": "Pat at the payer", "reference_number": "REF-1", "call_date": AS_OF}


def ppo_manual() -> dict[str, Any]:
    """PPO: $1,500 deductible (none met), 20 % coinsurance, $5,000 out-of-pocket maximum (none met)."""
    return {
        "payer_name": "ACME PPO", "payer_id": "ACMEPPO", "payer_class": "commercial",
        "insurance_type": "commercial_ppo", "plan_begin": "2026-01-01", "plan_end": "2026-12-31", "active": True,
        "in_network": {
            "deductible_individual": {"total": "1500.00", "remaining": "1500.00"},
            "oop_max_individual": {"total": "5000.00", "remaining": "5000.00"},
            "coinsurance_percent": "20",
        },
        "heard_from": HEARD,
    }


def medicare_manual() -> dict[str, Any]:
    """Original Medicare A and B, nothing of either deductible met (the year's full amounts apply)."""
    return {
        "payer_name": "MEDICARE", "payer_id": "MEDICARE", "payer_class": "medicare",
        "insurance_type": "medicare_part_a_and_b", "active": True, "in_network": {},
        "medicare": {}, "heard_from": HEARD,
    }


def medicaid_manual() -> dict[str, Any]:
    """Medicaid fee-for-service, household at or below 100 % FPL, no state copay given (federal maxima)."""
    return {
        "payer_name": "STATE MEDICAID", "payer_id": "STMCD", "payer_class": "medicaid",
        "insurance_type": "medicaid_ffs", "active": True, "in_network": {},
        "medicaid": {"cost_sharing_category": "at_or_below_100", "state": "OH"}, "heard_from": HEARD,
    }


def estimate_body(**source: Any) -> dict[str, Any]:
    return {"as_of": AS_OF, "start_date": START, **source}


def totals(response: dict[str, Any]) -> dict[str, str]:
    """level -> patient pays (in-network estimates)."""
    return {e["level"]: e["totals"]["patient_pays"] for e in response["comparison"]["estimates"]}
