"""affordability_for_level: sliding fee on the patient's responsibility, balance, payment plans (hand-computed).

Figures used throughout (demo rates, demo-2026-01; 2026 HHS guideline, 48 states):
- poverty line, household of 3: $27,320.00; $35,000 / $27,320 = 128.11 % -> tier C (125-150 %), pays 40 %.
- IOP default course: 24 days (8 weeks x 3 days) x self-pay $300.00 = $7,200.00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.benefits import Level, Network, PayerClass
from contracts.estimate import CostBreakdown, EstimateRequest, LevelEstimate, ServiceDayOut
from contracts.estimate import Household as EstimateHousehold
from contracts.selfpay import AppliesTo, Household
from service.money import ZERO
from service.pricing.estimate import estimate, pricing_input_from_request
from service.pricing.program_figures import load_program_figures
from service.pricing.rates import load_demo_rates
from service.pricing.selfpay.affordability import (
    AffordabilityConfig,
    SharedHouseholdFacts,
    affordability_for_level,
    household_for_affordability,
)
from service.pricing.selfpay.sliding_fee import default_schedule
from service.pricing.selfpay.store import DEFAULT_PLAN_RULES

ON = dt.date(2026, 3, 2)
DUE = dt.date(2026, 4, 1)
CONFIG = AffordabilityConfig(
    organization_id="default",
    schedule=default_schedule("default", effective_from=dt.date(1900, 1, 1)),
    rules=DEFAULT_PLAN_RULES,
)
HOUSEHOLD = Household(size=3, annual_income=Decimal("35000"), state="CA")


def _self_pay_levels() -> dict[Level, LevelEstimate]:
    figures = load_program_figures()
    request = EstimateRequest(self_pay=True, start_date=ON)
    inp = pricing_input_from_request(request, default_start=ON, figures=figures)
    return {e.level: e for e in estimate(inp, None, load_demo_rates(), figures).estimates}


LEVELS = _self_pay_levels()


def _level(patient_per_day: list[str], gross_per_day: str = "100.00") -> LevelEstimate:
    """A hand-built level whose days have the given patient shares."""
    days = [
        ServiceDayOut(
            day=i + 1, date=ON + dt.timedelta(days=i), hours=Decimal(3), gross=Decimal(gross_per_day),
            allowed=Decimal(gross_per_day), payer_pays=Decimal(gross_per_day) - Decimal(p), patient_pays=Decimal(p),
            deductible=ZERO, copay=Decimal(p), coinsurance=ZERO, not_covered=ZERO, over_limit=ZERO,
            balance_bill=ZERO, waived_cost_sharing=ZERO,
        )
        for i, p in enumerate(patient_per_day)
    ]
    patient = sum((Decimal(p) for p in patient_per_day), ZERO)
    gross = Decimal(gross_per_day) * len(days)
    return LevelEstimate(
        level=Level.IOP, network=Network.IN, payer_class=PayerClass.COMMERCIAL, service_days=len(days),
        treatment_hours=Decimal(3) * len(days), weeks=Decimal(1), first_service_date=days[0].date,
        last_service_date=days[-1].date,
        totals=CostBreakdown(
            gross_charges=gross, allowed=gross, payer_pays=gross - patient, patient_pays=patient, deductible=ZERO,
            copay=patient, coinsurance=ZERO, not_covered=ZERO, over_limit=ZERO, balance_bill=ZERO,
            waived_cost_sharing=ZERO,
        ),
        patient_pays_per_week=patient, patient_pays_per_treatment_hour=ZERO, explanation=[], days=days,
    )


def test_demo_course_figures_the_acceptance_case_relies_on() -> None:
    iop, php, inpatient = LEVELS[Level.IOP], LEVELS[Level.PHP], LEVELS[Level.INPATIENT]
    assert (iop.service_days, iop.totals.patient_pays) == (24, Decimal("7200.00"))  # 24 x $300
    assert (php.service_days, php.totals.patient_pays) == (15, Decimal("7500.00"))  # 15 x $500
    assert (inpatient.service_days, inpatient.totals.patient_pays) == (10, Decimal("15000.00"))  # 10 x $1,500


def test_self_pay_tier_c_discount_on_iop() -> None:
    a = affordability_for_level(
        LEVELS[Level.IOP], household=HOUSEHOLD, config=CONFIG, on=ON, self_pay=True, first_due_date=DUE
    )
    assert a.fpl is not None and a.fpl.percent_of_poverty == Decimal("128.11")  # 35,000 / 27,320
    assert a.fpl.poverty_line == Decimal("27320.00")
    assert a.sliding_fee is not None and a.sliding_fee.tier_code == "C"
    assert a.gross_charges == Decimal("9600.00")  # 24 x $400 chargemaster
    assert a.patient_responsibility == Decimal("7200.00")  # 24 x $300 self-pay
    assert a.discount == Decimal("4320.00")  # 7,200 x 60 %
    assert a.balance_after_discount == Decimal("2880.00")  # 7,200 x 40 %
    assert a.sliding_fee.provisional  # proof of income not seen; the example schedule requires it
    assert a.monthly_household_income == Decimal("2916.67")  # 35,000 / 12
    # 10 % of $2,916.67 = $291.67 a month; a $2,880 balance may run at most 12 months:
    # 3 -> $960.00 and 6 -> $480.00 are over the cap, 12 -> $240.00 fits.
    assert [(p.term_months, p.regular_payment) for p in a.payment_plans] == [(12, Decimal("240.00"))]


def test_proof_of_income_seen_makes_the_discount_final() -> None:
    a = affordability_for_level(
        LEVELS[Level.IOP], household=HOUSEHOLD, config=CONFIG, on=ON, self_pay=True, first_due_date=DUE,
        proof_of_income_seen=True,
    )
    assert a.sliding_fee is not None and not a.sliding_fee.provisional


def test_plans_offered_when_income_allows() -> None:
    # $60,000 a year: $5,000.00 a month, 10 % = $500.00. PHP: 15 x $500 = $7,500; 60,000 / 27,320 = 219.62 % -> tier F.
    household = Household(size=3, annual_income=Decimal("60000"), state="CA")
    a = affordability_for_level(
        LEVELS[Level.PHP], household=household, config=CONFIG, on=ON, self_pay=True, first_due_date=DUE
    )
    assert a.sliding_fee is not None and a.sliding_fee.tier_code == "F" and a.discount == ZERO
    assert a.balance_after_discount == Decimal("7500.00")
    # 12 months: 7,500 / 12 = $625.00 > $500; 24 months: 7,500 / 24 = $312.50 <= $500.
    assert [(p.term_months, p.regular_payment) for p in a.payment_plans] == [(24, Decimal("312.50"))]
    plan = a.payment_plans[0]
    assert plan.first_due_date == DUE and plan.total_paid == Decimal("7500.00")


def test_no_household_no_discount_plans_on_full_balance() -> None:
    a = affordability_for_level(LEVELS[Level.IOP], household=None, config=CONFIG, on=ON, self_pay=True, first_due_date=DUE)
    assert a.fpl is None and a.sliding_fee is None and a.discount == ZERO
    assert a.balance_after_discount == Decimal("7200.00")
    assert any("No household" in note for note in a.notes)
    assert any("not checked against household income" in note for note in a.notes)
    # Balance above $5,000: terms up to 24. 7,200/3 = 2,400; /6 = 1,200; /12 = 600; /24 = 300 - all >= $25.
    assert [(p.term_months, p.regular_payment) for p in a.payment_plans] == [
        (3, Decimal("2400.00")), (6, Decimal("1200.00")), (12, Decimal("600.00")), (24, Decimal("300.00"))
    ]


def test_levels_of_one_estimate_share_plans_only_for_the_same_balance_and_rules() -> None:
    # One estimate's levels (one SharedHouseholdFacts): IOP 24 x $300 = $7,200, PHP 15 x $500 = $7,500, no household.
    shared = SharedHouseholdFacts()
    iop = affordability_for_level(LEVELS[Level.IOP], household=None, config=CONFIG, on=ON, self_pay=True,
                                  first_due_date=DUE, shared=shared)
    php = affordability_for_level(LEVELS[Level.PHP], household=None, config=CONFIG, on=ON, self_pay=True,
                                  first_due_date=DUE, shared=shared)
    # 7,500 / 24 = $312.50 (IOP's 24 months: 7,200 / 24 = $300.00): the PHP balance gets its own plans
    assert [p.regular_payment for p in php.payment_plans][-1] == Decimal("312.50")
    assert [p.regular_payment for p in iop.payment_plans][-1] == Decimal("300.00")
    # the same $7,200 balance under other rules (3 % APR, 12 months at most) is not offered the plans kept above
    dearer = msgspec.structs.replace(DEFAULT_PLAN_RULES, apr_percent=Decimal("3"), allowed_terms_months=[12])
    again = affordability_for_level(LEVELS[Level.IOP], household=None, config=AffordabilityConfig(
        organization_id="default", schedule=CONFIG.schedule, rules=dearer), on=ON, self_pay=True, first_due_date=DUE,
        shared=shared)
    alone = affordability_for_level(LEVELS[Level.IOP], household=None, config=AffordabilityConfig(
        organization_id="default", schedule=CONFIG.schedule, rules=dearer), on=ON, self_pay=True, first_due_date=DUE)
    assert [p.term_months for p in again.payment_plans] == [12] and again.payment_plans[0].total_interest > 0
    assert again == alone
    # and a later due date is a plan of its own
    later = affordability_for_level(LEVELS[Level.IOP], household=None, config=CONFIG, on=ON, self_pay=True,
                                    first_due_date=DUE + dt.timedelta(days=1), shared=shared)
    assert later.payment_plans[0].first_due_date == DUE + dt.timedelta(days=1)


def test_nominal_tier_is_capped_per_day() -> None:
    # $20,000 / $27,320 = 73.21 % -> tier A, nominal $20 a day. Days owe $10, $50, $0:
    # min(20, 10) + min(20, 50) + min(20, 0) = 10 + 20 + 0 = $30.00; discount 60 - 30 = $30.00.
    household = Household(size=3, annual_income=Decimal("20000"), state="CA")
    schedule = msgspec.structs.replace(CONFIG.schedule, applies_to=AppliesTo.SELF_PAY_AND_PATIENT_RESPONSIBILITY)
    config = AffordabilityConfig(organization_id="default", schedule=schedule, rules=DEFAULT_PLAN_RULES)
    a = affordability_for_level(
        _level(["10.00", "50.00", "0.00"]), household=household, config=config, on=ON, self_pay=False,
        first_due_date=DUE,
    )
    assert a.sliding_fee is not None and a.sliding_fee.tier_code == "A"
    assert a.patient_responsibility == Decimal("60.00")
    assert a.balance_after_discount == Decimal("30.00")
    assert a.discount == Decimal("30.00")
    # $30 balance (<= $1,000: up to 6 months): 3 x $10.00 and 6 x $5.00 are under the $25 minimum; 12 and 24
    # exceed the 6-month limit -> no plan.
    assert a.payment_plans == []


def test_insured_patient_not_discounted_under_a_self_pay_only_schedule() -> None:
    household = Household(size=3, annual_income=Decimal("20000"), state="CA")
    a = affordability_for_level(
        _level(["50.00", "50.00"]), household=household, config=CONFIG, on=ON, self_pay=False, first_due_date=DUE
    )
    assert a.sliding_fee is None and a.discount == ZERO and a.balance_after_discount == Decimal("100.00")
    assert a.fpl is not None  # still determined, for the record
    assert any("self-pay patients only" in note for note in a.notes)
    # $100 balance (<= $1,000: up to 6 months): 3 x $33.33 (+ $33.34 last) and 6 x $16.67 (< $25, refused).
    assert [(p.term_months, p.regular_payment, p.final_payment) for p in a.payment_plans] == [
        (3, Decimal("33.33"), Decimal("33.34"))
    ]


def test_household_from_estimate_request() -> None:
    assert household_for_affordability(None) is None
    assert household_for_affordability(EstimateHousehold(size=2, annual_income=Decimal("30000"))) is None  # no state
    h = household_for_affordability(EstimateHousehold(size=2, monthly_income=Decimal("2500.00"), state="NY"))
    assert h == Household(size=2, annual_income=Decimal("30000.00"), state="NY")  # 2,500 x 12


@settings(max_examples=60, deadline=None)
@given(
    income=st.integers(min_value=0, max_value=200_000),
    size=st.integers(min_value=1, max_value=8),
    level=st.sampled_from([Level.IOP, Level.PHP, Level.INPATIENT]),
)
def test_money_invariants(income: int, size: int, level: Level) -> None:
    household = Household(size=size, annual_income=Decimal(income), state="TX")
    a = affordability_for_level(LEVELS[level], household=household, config=CONFIG, on=ON, self_pay=True, first_due_date=DUE)
    assert ZERO <= a.discount <= a.patient_responsibility
    assert a.balance_after_discount == a.patient_responsibility - a.discount
    for plan in a.payment_plans:
        assert plan.total_paid == a.balance_after_discount  # 0 % APR
        assert plan.regular_payment >= DEFAULT_PLAN_RULES.minimum_monthly_payment
        assert a.monthly_household_income is not None
        assert max(line.amount for line in plan.lines) <= a.monthly_household_income * DEFAULT_PLAN_RULES.max_percent_of_monthly_income / 100 + Decimal("0.01")


def test_float_income_refused() -> None:
    with pytest.raises(Exception):
        affordability_for_level(
            LEVELS[Level.IOP], household=Household(size=3, annual_income=35000.0, state="CA"),  # type: ignore[arg-type]
            config=CONFIG, on=ON, self_pay=True, first_due_date=DUE,
        )
