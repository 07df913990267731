"""A hospital financial-assistance policy as data, applied to one level's patient responsibility. Pure.

The organization chooses its policy (today the setting ``FINANCIAL_ASSISTANCE_POLICY``, read in one
place: ``store.load_affordability_config``); the policies and their sources are in
``service/reference/data/financial-assistance.json``:

* ``sliding_fee`` - the HRSA sliding fee schedule (``sliding_fee.py``), the default;
* ``agb_cap`` (IRS 501(r)) - at or under the free-care level nothing is owed; up to the policy's
  income limit at most the amounts generally billed: gross charges x the AGB percentage
  (26 CFR 1.501(r)-5(b)). Applies to the patient's share after insurance too (an insured FAP-eligible
  patient is not charged more than AGB either);
* ``state_discount`` (California's Hospital Fair Pricing Act) - self-pay patients up to the income
  limit owe at most what the hospital would expect from Medicare or Medi-Cal for the same care,
  whichever is greater; payment plans are interest-free and extended (any balance over up to the
  policy's months), each payment at most a share of monthly family income.

Above the income limit nothing is discounted, and the answer says so. Incomes are compared as exact
ratios, each limit inclusive ("at or below"), as the sliding fee is. Whatever the policy, the
patient never owes more than without it, and never less than nothing (property-tested).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import msgspec

from contracts.benefits import Level
from contracts.estimate import LevelEstimate
from contracts.selfpay import FinancialAssistanceResult, PaymentPlanRules, TermLimit
from service.money import ZERO, cents, format_usd, percent_of
from service.pricing.rates import RatesMissing, RateTable

#: The policy an organization has unless it chose another (the HRSA sliding fee, as before policies were data).
DEFAULT_POLICY = "hrsa_sliding_fee"


@dataclass(frozen=True, slots=True)
class AssistancePolicy:
    code: str
    kind: str  # "sliding_fee" | "agb_cap" | "state_discount"
    title: str
    source: str
    #: True when the policy also reduces an insured patient's share after insurance.
    applies_to_insured: bool = False
    free_care_up_to_percent_fpl: Decimal | None = None
    eligible_up_to_percent_fpl: Decimal | None = None
    agb_percent_of_gross: Decimal | None = None
    payment_plan_max_percent_of_monthly_income: Decimal | None = None
    interest_free: bool = False
    #: An extended plan: any balance may be spread over up to this many months.
    extended_payment_plan_months: int | None = None
    #: Some figures are EXAMPLE values until the organization sets its own (said on every estimate).
    example: bool = False

    @property
    def uses_sliding_fee(self) -> bool:
        return self.kind == "sliding_fee"


def _dec(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@functools.cache
def load_policies() -> dict[str, AssistancePolicy]:
    from service.reference import load  # noqa: PLC0415 (package data, read once)

    return {code: AssistancePolicy(
        code=code, kind=raw["kind"], title=raw["title"], source=raw["source"],
        applies_to_insured=bool(raw.get("applies_to_insured")),
        free_care_up_to_percent_fpl=_dec(raw.get("free_care_up_to_percent_fpl")),
        eligible_up_to_percent_fpl=_dec(raw.get("eligible_up_to_percent_fpl")),
        agb_percent_of_gross=_dec(raw.get("agb_percent_of_gross")),
        payment_plan_max_percent_of_monthly_income=_dec(raw.get("payment_plan_max_percent_of_monthly_income")),
        interest_free=bool(raw.get("interest_free")), example=bool(raw.get("example")),
        extended_payment_plan_months=raw.get("extended_payment_plan_months"),
    ) for code, raw in load("financial-assistance")["policies"].items()}


def policy_codes() -> tuple[str, ...]:
    return tuple(load_policies())


def discount_could_apply(policy: AssistancePolicy, *, self_pay: bool) -> bool:
    """Whether a policy other than the sliding fee could lower this patient's amount (then income is needed)."""
    return self_pay or policy.applies_to_insured


@dataclass(frozen=True, slots=True)
class GovernmentPayment:
    """What Medicare or Medicaid would pay for a level's days, whichever is greater (the state rule's cap)."""

    amount: Decimal
    basis: str
    demo: bool


def government_payment(table: RateTable, level: LevelEstimate) -> GovernmentPayment | None:
    """The greater of the Medicare and the Medicaid payment for the level's days at the facility's rates (None when
    neither is on file). IOP/PHP take the Medicare per diem for 3 services a day, the lower APC."""
    try:
        rates = table.for_level(level.level)
    except RatesMissing:
        return None
    medicare = rates.medicare_inpatient_per_diem if level.level is Level.INPATIENT else rates.medicare_per_diem_3_services
    found = [(per_day, kind) for per_day, kind in ((medicare, "medicare"), (rates.medicaid_per_day, "medicaid"))
             if per_day is not None]
    if not found:
        return None
    per_day, kind = max(found)
    name = "Medicare" if kind == "medicare" else "Medicaid"
    amount = cents(per_day * level.service_days)
    return GovernmentPayment(amount=amount, demo=table.is_demo(kind),
                             basis=f"{name} {format_usd(per_day)} a day x {level.service_days} days = "
                                   f"{format_usd(amount)}")


def _percent_text(percent: Fraction) -> str:
    return f"{Decimal(percent.numerator) / Decimal(percent.denominator):.2f}% of the poverty guideline"


def apply_policy(policy: AssistancePolicy, *, percent_fpl: Fraction, responsibility: Decimal, gross_charges: Decimal,
                 government: GovernmentPayment | None) -> FinancialAssistanceResult:
    """What the patient owes for the level under ``policy`` (not the sliding fee: ``sliding_fee.py``)."""
    shown = _percent_text(percent_fpl)
    limit = policy.eligible_up_to_percent_fpl
    owed = responsibility
    eligible = limit is None or percent_fpl <= Fraction(limit)
    free = policy.free_care_up_to_percent_fpl
    if not eligible:
        assert limit is not None
        why = (f"Household income is {shown}, above the policy's {limit.normalize():f}% limit: no financial "
               "assistance discount.")
    elif free is not None and percent_fpl <= Fraction(free):
        owed = ZERO
        why = f"Household income is {shown}, at or under {free.normalize():f}%: free care under the policy."
    elif policy.kind == "agb_cap":
        assert policy.agb_percent_of_gross is not None
        agb = cents(percent_of(gross_charges, policy.agb_percent_of_gross))
        owed = min(responsibility, agb)
        why = (f"Household income is {shown}, within the policy: the patient is charged no more than the amounts "
               f"generally billed, {policy.agb_percent_of_gross.normalize():f}% of the {format_usd(gross_charges)} "
               f"charges = {format_usd(agb)}.")
    elif government is not None:
        owed = min(responsibility, government.amount)
        why = (f"Household income is {shown}, within the policy: the patient pays no more than Medicare or Medicaid "
               f"would pay for the same care, whichever is greater ({government.basis}).")
    else:
        why = (f"Household income is {shown}, within the policy, but no Medicare or Medicaid rate is on file for this "
               "level, so the discounted amount could not be worked out; the full amount is shown.")
    return FinancialAssistanceResult(policy=policy.code, title=policy.title, source=policy.source,
                                     percent_of_poverty=Decimal(percent_fpl.numerator) / Decimal(percent_fpl.denominator),
                                     eligible=eligible, discount=cents(responsibility - owed), patient_amount=owed,
                                     explanation=why)


def plan_rules_under(policy: AssistancePolicy, rules: PaymentPlanRules) -> PaymentPlanRules:
    """The organization's payment-plan rules, made interest-free, extended and income-capped where the policy says
    so (the lower of the policy's and the organization's income cap)."""
    cap = policy.payment_plan_max_percent_of_monthly_income
    if cap is not None and rules.max_percent_of_monthly_income is not None:
        cap = min(cap, rules.max_percent_of_monthly_income)
    changes: dict[str, object] = {}
    if cap is not None:
        changes["max_percent_of_monthly_income"] = cap
    if policy.interest_free:
        changes["apr_percent"] = Decimal(0)
    if policy.extended_payment_plan_months:
        longest = max(policy.extended_payment_plan_months, *rules.allowed_terms_months)
        changes["allowed_terms_months"] = sorted({*rules.allowed_terms_months, longest})
        changes["term_limits"] = [TermLimit(max_balance=None, max_months=longest)]
    return msgspec.structs.replace(rules, **changes) if changes else rules
