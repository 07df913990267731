"""Self-pay and affordability: pure functions (no I/O, no clock) the estimate builds on.

- :mod:`.poverty` - household income as a percent of the HHS poverty guideline in force on a date.
- :mod:`.sliding_fee` - HRSA-style sliding fee schedules: validate, choose the tier, apply it.
- :mod:`.payment_plans` - offer and check payment plans with cent-exact amortization schedules.
- :mod:`.gfe` / :mod:`.gfe_fhir` - Good Faith Estimate (45 CFR 149.610) as JSON, HTML and a Da Vinci PCT bundle.
"""

from service.pricing.selfpay.gfe import build_gfe, dispute_eligible, render_html
from service.pricing.selfpay.gfe_fhir import to_fhir_bundle
from service.pricing.selfpay.payment_plans import (
    PlanRuleViolation,
    add_months,
    check_plan_request,
    check_requested_plan,
    offer_plans,
    validate_rules,
)
from service.pricing.selfpay.poverty import FplDetermination, NoGuidelineInForce, determine_fpl
from service.pricing.selfpay.sliding_fee import apply_sliding_fee, default_schedule, validate_schedule

__all__ = [
    "FplDetermination",
    "NoGuidelineInForce",
    "PlanRuleViolation",
    "add_months",
    "apply_sliding_fee",
    "build_gfe",
    "check_plan_request",
    "check_requested_plan",
    "default_schedule",
    "determine_fpl",
    "dispute_eligible",
    "offer_plans",
    "render_html",
    "to_fhir_bundle",
    "validate_rules",
    "validate_schedule",
]
