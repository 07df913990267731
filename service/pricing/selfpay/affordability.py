"""Affordability of one level of an estimate: sliding fee discount, balance, payment plans. PURE.

:func:`affordability_for_level` is called by the estimate service for every level of every
estimate; :class:`AffordabilityConfig` comes from :func:`service.pricing.selfpay.store.load_affordability_config`.

Semantics
---------
- **What the sliding fee applies to**: the patient's responsibility for the level.
  - Self-pay caller: the level's patient-pays total, which the engine prices at the
    provider's self-pay rate per day. When the estimate carries per-day lines
    (``level.days``) the schedule is applied day by day, so a nominal per-day charge
    (tier A) is capped at each day's own charge; the practitioners' visits in the total
    (``level.professional``) are charges of their own, one per visit.
  - Insured caller: only when the schedule's ``applies_to`` is
    ``self_pay_and_patient_responsibility``; then it applies to the patient's share after
    insurance (per day, as above). Otherwise no discount, and a note says why.
- **No household**: no sliding fee, a note says so (a household without its income or state
  is refused where the discount could apply: :func:`household_for_affordability`);
  payment plans are still offered on the full responsibility, without the affordability
  (percent-of-income) rule, which cannot be checked without income (also noted).
- **Proof of income**: not seen unless the caller says so (``proof_of_income_seen``); when
  the schedule requires it the discount is marked provisional.
- **Balance** = responsibility - discount. Payment plans are every allowed term that meets all
  of the organization's rules (:func:`.payment_plans.offer_plans`), with monthly household
  income = annual income / 12 for the affordability rule. ``first_due_date`` is an input
  (no clock here).
- The FPL determination and the schedule are both taken on ``on`` (the caller passes the
  date the estimate is made for). A schedule not in force on ``on`` is not applied (warning).
- **The organization's financial-assistance policy** (``config.policy``, ``financial_assistance.py``):
  the HRSA sliding fee above, or instead an IRS 501(r) amounts-generally-billed cap or a state
  charity-care rule set (then ``financial_assistance`` carries the result, ``sliding_fee`` is None,
  and the payment-plan rules are the policy's: interest-free, extended, capped at a share of income).
  Those two apply to self-pay patients; an insured patient's share is left alone (a note says so),
  and to the hospital's charges: practitioners' visits in the total are billed by the practitioners.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import msgspec

from contracts import estimate as est
from contracts import selfpay as wire_selfpay
from contracts.estimate import LevelEstimate
from contracts.selfpay import (AffordabilitySection, FinancialAssistanceResult, Household, PaymentPlanOffer,
                               PaymentPlanRules, SlidingFeeSchedule)
from service.money import ZERO, cents, format_usd
from service.pricing.professional import visit_amounts
from service.pricing.selfpay.financial_assistance import (DEFAULT_POLICY, AssistancePolicy, GovernmentPayment,
                                                         apply_policy, load_policies, plan_rules_under)
from service.pricing.selfpay.payment_plans import offer_plans, validate_rules
from service.pricing.selfpay.poverty import FplDetermination, InvalidHousehold, determine_fpl
from service.pricing.selfpay.sliding_fee import applies, apply_sliding_fee, schedule_in_effect


def _default_policy() -> AssistancePolicy:
    return load_policies()[DEFAULT_POLICY]


@dataclass(frozen=True, slots=True)
class AffordabilityConfig:
    """The organization's financial-assistance policy, sliding fee schedule and payment plan rules in force on a
    date."""

    organization_id: str
    schedule: SlidingFeeSchedule
    rules: PaymentPlanRules
    #: Stored version numbers; None = the built-in example schedule / default rules.
    schedule_version: int | None = None
    rules_version: int | None = None
    policy: AssistancePolicy = field(default_factory=_default_policy)


def discount_could_apply(config: AffordabilityConfig, *, self_pay: bool) -> bool:
    """Whether the organization's policy could lower this patient's amount (then the household's income is needed)."""
    if config.policy.uses_sliding_fee:
        return applies(config.schedule, self_pay=self_pay)
    return self_pay or config.policy.applies_to_insured


def household_for_affordability(household: est.Household | None, *, income_matters: bool = False) -> Household | None:
    """The estimate request's household as the self-pay ``Household``; None without one.

    Annual income wins; otherwise monthly income x 12. When ``income_matters`` (the organization's
    policy could lower the amount, :func:`discount_could_apply`: a self-pay estimate, or a sliding fee
    schedule that also discounts insured patients' share), a
    household without an income or a state is refused with the field to fix, never quoted without
    its discount. Otherwise such a household gives no determination (a note says so).
    """
    if household is None:
        return None
    if household.annual_income is not None:
        annual = household.annual_income
    elif household.monthly_income is not None:
        annual = cents(household.monthly_income * 12)
    else:
        if income_matters:
            raise InvalidHousehold(
                "give the household's annual_income (or monthly_income): the discount (sliding fee or financial "
                "assistance) depends on it",
                field="$.household.annual_income",
            )
        return None
    if household.state is None:
        if income_matters:
            raise InvalidHousehold(
                "give the household's state: the poverty guideline, and with it the discount, depends on it",
                field="$.household.state",
            )
        return None
    return Household(size=household.size, annual_income=annual, state=household.state)


@dataclass(slots=True)
class SharedHouseholdFacts:
    """What every level of one estimate shares about its household: the poverty-level determination (and its wire
    form) on each date asked, the organization's payment-plan rules checked, and the payment plans offered for each
    distinct balance (levels that reach the out-of-pocket maximum owe the same), each worked out once. Lives for one
    estimate only (never across requests)."""

    _by_date: dict[tuple[Household, dt.date], tuple[FplDetermination, wire_selfpay.FplDetermination]] = field(
        default_factory=dict)
    _rules_checked: list[PaymentPlanRules] = field(default_factory=list)
    _plans: dict[tuple[Decimal, Decimal | None, dt.date, bool],
                 list[tuple[PaymentPlanRules, list[PaymentPlanOffer]]]] = field(default_factory=dict)

    def checked_rules(self, rules: PaymentPlanRules) -> PaymentPlanRules:
        """:func:`.payment_plans.validate_rules`, once per rules object."""
        if not any(seen is rules for seen in self._rules_checked):
            validate_rules(rules)
            self._rules_checked.append(rules)
        return rules

    def plans(self, balance: Decimal, rules: PaymentPlanRules, *, monthly_income: Decimal | None,
              first_due_date: dt.date, with_lines: bool) -> list[PaymentPlanOffer]:
        """:func:`.payment_plans.offer_plans`, once per balance, rules, income and first due date (every figure of
        an offer follows from the balance in cents, so equal balances are offered the same plans)."""
        kept = self._plans.setdefault((balance, monthly_income, first_due_date, with_lines), [])
        for seen, offers in kept:
            if seen == rules:
                return list(offers)
        offers = offer_plans(balance, rules, monthly_income=monthly_income, first_due_date=first_due_date,
                             with_lines=with_lines)
        kept.append((rules, offers))
        return list(offers)

    def determination(self, household: Household,
                      on: dt.date) -> tuple[FplDetermination, wire_selfpay.FplDetermination]:
        key = (household, on)
        found = self._by_date.get(key)
        if found is None:
            fpl = determine_fpl(household_size=household.size, annual_income=household.annual_income,
                                state=household.state, on=on)
            found = self._by_date[key] = (fpl, fpl.to_wire())
        return found


def affordability_for_level(
    level: LevelEstimate,
    *,
    household: Household | None,
    config: AffordabilityConfig,
    on: dt.date,
    self_pay: bool,
    first_due_date: dt.date,
    proof_of_income_seen: bool = False,
    government: GovernmentPayment | None = None,
    shared: SharedHouseholdFacts | None = None,
    day_patient_pays: Sequence[Decimal] | None = None,
    with_schedules: bool = True,
) -> AffordabilitySection:
    """The affordability section of one level (see the module docstring for the rules).

    ``government`` is what Medicare or Medicaid would pay for the level, whichever is greater (the cap of a state
    charity-care rule set; :func:`.financial_assistance.government_payment`). ``shared`` carries the household's
    poverty-level determination from one level to the next of the same estimate (worked out once per date).
    ``day_patient_pays``: each day's patient share when the level carries no ``days`` rows (an estimate whose rows
    are packed, ``packed_days.py``); the sliding fee is then applied day by day as with the rows.
    ``with_schedules=False``: the payment plans without their schedules (``payment_plans.with_schedule`` builds them).
    """
    shared = shared or SharedHouseholdFacts()
    rules = shared.checked_rules(config.rules)
    schedule = config.schedule
    responsibility = cents(level.totals.patient_pays)
    notes: list[str] = []
    warnings: list[str] = []

    fpl = None
    fpl_wire = None
    monthly_income: Decimal | None = None
    if household is not None:
        fpl, fpl_wire = shared.determination(household, on)
        monthly_income = cents(household.annual_income / 12)

    sliding = None
    assistance = None
    if not config.policy.uses_sliding_fee:
        rules = plan_rules_under(config.policy, rules)
        assistance = _financial_assistance(config, fpl, responsibility, level, government, self_pay=self_pay,
                                           notes=notes, warnings=warnings)
    elif fpl is None:
        notes.append(
            "No household size and income were given, so no sliding fee discount was applied; "
            "ask for household size and income to check for a discount."
        )
    elif not applies(schedule, self_pay=self_pay):
        notes.append(
            "The sliding fee schedule applies to self-pay patients only, so it does not reduce the "
            "patient's share after insurance."
        )
    elif not schedule_in_effect(schedule, on):
        warnings.append(
            f"The sliding fee schedule {schedule.name!r} is not in force on {on.isoformat()}; no discount applied."
        )
    elif responsibility <= 0:
        notes.append("The patient owes nothing for this level, so there is nothing to discount.")
    else:
        per_day = [day.patient_pays for day in level.days] if level.days else list(day_patient_pays or ())
        if per_day:
            # the practitioners' visits in the total are charges of their own (visits, like program days)
            charges: Decimal | list[Decimal] = [*per_day, *visit_amounts(level.professional)]
            days = len(charges)
        else:
            charges, days = responsibility, level.service_days
        sliding = apply_sliding_fee(
            schedule, fpl, charges, service_days=days, proof_of_income_seen=proof_of_income_seen, on=on
        )
        if sliding.gross_charge != responsibility:
            warnings.append(
                f"Per-day charges add up to {format_usd(sliding.gross_charge)}, the level total is "
                f"{format_usd(responsibility)}; the discount was taken on the per-day figures."
            )
        warnings.extend(sliding.warnings)

    discount = sliding.discount if sliding is not None else assistance.discount if assistance is not None else ZERO
    balance = max(cents(responsibility - discount), ZERO)

    plan_rules = rules
    if monthly_income is None and rules.max_percent_of_monthly_income is not None:
        plan_rules = msgspec.structs.replace(rules, max_percent_of_monthly_income=None)
        notes.append(
            "Payment plans were not checked against household income (no income given); the organization "
            f"limits payments to {rules.max_percent_of_monthly_income.normalize():f} % of monthly household income."
        )
    plans = []
    if balance > 0:
        plans = shared.plans(balance, plan_rules, monthly_income=monthly_income, first_due_date=first_due_date,
                             with_lines=with_schedules)
        if not plans:
            notes.append(_no_plan_note(balance, plan_rules, monthly_income))
    else:
        notes.append("No balance is left after the discount, so no payment plan is needed.")

    return AffordabilitySection(
        self_pay=self_pay,
        organization_id=config.organization_id,
        fpl=fpl_wire,
        sliding_fee=sliding,
        sliding_fee_schedule_version=config.schedule_version,
        gross_charges=cents(level.totals.gross_charges),
        patient_responsibility=responsibility,
        discount=discount,
        balance_after_discount=balance,
        monthly_household_income=monthly_income,
        payment_plan_rules=rules,
        payment_plan_rules_version=config.rules_version,
        payment_plans=plans,
        notes=notes,
        warnings=warnings,
        financial_assistance=assistance,
    )


def _financial_assistance(config: AffordabilityConfig, fpl: FplDetermination | None, responsibility: Decimal,
                          level: LevelEstimate, government: GovernmentPayment | None, *, self_pay: bool,
                          notes: list[str], warnings: list[str]) -> FinancialAssistanceResult | None:
    """The organization's 501(r) or state policy applied to the level (None, with a note, when it cannot apply)."""
    policy = config.policy
    if not discount_could_apply(config, self_pay=self_pay):
        notes.append(f"The {policy.title} is applied to self-pay patients here; an insured patient may still apply "
                     "for financial assistance with their share.")
        return None
    if fpl is None:
        notes.append(f"No household size and income were given, so the {policy.title} was not applied; ask for "
                     "household size and income to check for financial assistance.")
        return None
    if responsibility <= 0:
        notes.append("The patient owes nothing for this level, so there is nothing to discount.")
        return None
    used_government = policy.kind == "state_discount"
    # The practitioners' visits in the total are the practitioners' bills, not the hospital's: the policy applies to
    # the facility's part only (and the government payment it is compared with is the facility's).
    visits = level.professional if level.professional is not None and level.professional.in_totals else None
    visits_owed = cents(visits.patient_pays or ZERO) if visits is not None else ZERO
    visits_gross = cents(visits.gross) if visits is not None else ZERO
    result = apply_policy(policy, percent_fpl=fpl.percent_exact, responsibility=responsibility - visits_owed,
                          gross_charges=cents(level.totals.gross_charges) - visits_gross,
                          government=government if used_government else None)
    if visits_owed > 0:
        notes.append(f"The practitioners' visits in this total ({format_usd(visits_owed)}) are billed by the "
                     f"practitioners, not the hospital: the {policy.title} was applied to the hospital's charges only.")
        result = msgspec.structs.replace(result, patient_amount=result.patient_amount + visits_owed)
    if policy.example:
        warnings.append(f"Some figures of the {policy.title} are EXAMPLE values until the organization sets its own "
                        "(financial-assistance.json); confirm the discount before quoting it.")
    if used_government and result.eligible and government is not None and government.demo:
        warnings.append("The Medicare and Medicaid rates that cap the discounted amount are DEMO rates, not the "
                        "facility's.")
    if used_government and result.eligible and government is None:
        warnings.append(f"No Medicare or Medicaid rate is on file for {level.level.value.upper()}: the discounted "
                        f"amount under the {policy.title} could not be worked out; the full amount is shown.")
    return result


def _no_plan_note(balance: Decimal, rules: PaymentPlanRules, monthly_income: Decimal | None) -> str:
    text = f"No payment plan meets every rule for a balance of {format_usd(balance)}"
    cap = rules.max_percent_of_monthly_income
    if cap is not None and monthly_income is not None:
        limit = cents(monthly_income * cap / 100)
        text += (
            f": payments may be at most {cap.normalize():f} % of monthly household income "
            f"({format_usd(limit)}), within the longest term allowed for this balance"
        )
    return text + ". Discuss other financial assistance or a plan outside the standard rules."
