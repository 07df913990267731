"""The organization's financial-assistance policy (service/reference/data/financial-assistance.json) applied to a
self-pay level: IRS 501(r) - FAP-eligible patients pay at most the amounts generally billed (26 CFR 1.501(r)-5(b));
California's Hospital Fair Pricing Act - up to 400 % FPL (AB 1020) at most the greater of the Medicare and Medi-Cal
payment (H&S Code 127405(d)), interest-free extended plans with payments at most 10 % of monthly income (SB 1276).

Demo IOP level (demo-2026-01 rates): 24 days x self-pay $300.00 = $7,200.00 responsibility; gross 24 x $400.00 =
$9,600.00. 2026 HHS guideline, 48 states, household of 1: $15,960.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D
from fractions import Fraction

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.benefits import Level
from contracts.estimate import ProfessionalLine, ProfessionalServices
from contracts.selfpay import Household
from service.config import ConfigError, load_settings
from service.pricing.rates import load_demo_rates
from service.pricing.selfpay.affordability import affordability_for_level
from service.pricing.selfpay.financial_assistance import (
    GovernmentPayment,
    apply_policy,
    government_payment,
    load_policies,
)
from tests.unit.selfpay.test_affordability import CONFIG, DUE, LEVELS, ON

IOP = LEVELS[Level.IOP]
POLICIES = load_policies()


def _section(income: str, policy: str, *, self_pay: bool = True):  # type: ignore[no-untyped-def]
    config = dataclasses.replace(CONFIG, policy=POLICIES[policy])
    return affordability_for_level(IOP, household=Household(size=1, annual_income=D(income), state="CA"),
                                   config=config, on=ON, self_pay=self_pay, first_due_date=DUE,
                                   government=government_payment(load_demo_rates(), IOP))


def test_501r_eligible_patient_pays_at_most_the_amounts_generally_billed() -> None:
    # $47,880 / $15,960 = 300 %: within the (EXAMPLE) 400 % limit, above the (EXAMPLE) 200 % free-care level.
    # 26 CFR 1.501(r)-5(b): AGB = 35 % (EXAMPLE) x $9,600.00 gross = $3,360.00 < $7,200.00 -> owes $3,360.00,
    # discount $7,200.00 - $3,360.00 = $3,840.00
    section = _section("47880", "irs_501r_agb")
    assert (section.balance_after_discount, section.discount) == (D("3360.00"), D("3840.00"))
    assert section.sliding_fee is None
    fa = section.financial_assistance
    assert fa is not None and fa.eligible and fa.percent_of_poverty == D("300")
    assert "no more than the amounts generally billed, 35% of the $9,600.00 charges = $3,360.00" in fa.explanation
    assert "1.501(r)-5" in fa.source
    assert any("EXAMPLE values" in w for w in section.warnings)


def test_501r_free_care_the_limit_is_inclusive_and_above_it_nothing_is_discounted() -> None:
    # $23,940 = 150 %: at or under the 200 % free-care level -> $0.00
    assert _section("23940", "irs_501r_agb").balance_after_discount == D("0.00")
    # $63,840 = exactly 400 %: "at or below" -> still the AGB cap, $3,360.00
    assert _section("63840", "irs_501r_agb").balance_after_discount == D("3360.00")
    # $63,840.01 = 400.0000627 %: above -> the full $7,200.00
    above = _section("63840.01", "irs_501r_agb")
    assert above.discount == D("0.00") and above.balance_after_discount == D("7200.00")
    assert above.financial_assistance is not None and not above.financial_assistance.eligible
    assert "above the policy's 400% limit" in above.financial_assistance.explanation


def test_state_rule_caps_at_the_government_payment_with_interest_free_plans_within_10_percent_of_income() -> None:
    # 300 % FPL, within 400 % (AB 1020). H&S Code 127405(d): at most the greater of Medicare (demo 3-service per diem
    # $260.00) and Medicaid (demo $180.00) for the course: $260.00 x 24 = $6,240.00 -> owes $6,240.00, discount $960.00.
    section = _section("47880", "ca_hospital_fair_pricing")
    assert (section.balance_after_discount, section.discount) == (D("6240.00"), D("960.00"))
    fa = section.financial_assistance
    assert fa is not None and "Medicare $260.00 a day x 24 days = $6,240.00" in fa.explanation
    assert any("DEMO" in w for w in section.warnings)  # the Medicare/Medicaid figures behind the cap are demo rates
    # SB 1276: interest-free, payments at most 10 % of monthly income $47,880 / 12 = $3,990.00 -> $399.00.
    # Extended plan (36 months, EXAMPLE) added to the terms 3/6/12/24: 3 $2,080.00, 6 $1,040.00, 12 $520.00 are over
    # $399.00; 24 -> $260.00 and 36 -> $173.33 fit.
    rules = section.payment_plan_rules
    assert (rules.apr_percent, rules.max_percent_of_monthly_income) == (D(0), D(10))
    assert [plan.term_months for plan in section.payment_plans] == [24, 36]
    assert [plan.regular_payment for plan in section.payment_plans] == [D("260.00"), D("173.33")]


def test_policies_other_than_the_sliding_fee_leave_an_insured_share_alone_and_say_so() -> None:
    section = _section("47880", "irs_501r_agb", self_pay=False)
    assert section.discount == D("0.00") and section.financial_assistance is None
    assert any("self-pay patients" in note for note in section.notes)


def test_government_payment_is_the_greater_of_medicare_and_medicaid_for_the_course() -> None:
    # demo IOP: Medicare 3-service per diem $260.00 vs Medicaid $180.00 -> $260.00 x 24 days = $6,240.00
    found = government_payment(load_demo_rates(), IOP)
    assert found is not None and (found.amount, found.demo) == (D("6240.00"), True)
    # demo inpatient: no Medicare per diem in the table, Medicaid $1,000.00 a day
    inpatient = LEVELS[Level.INPATIENT]
    found = government_payment(load_demo_rates(), inpatient)
    assert found is not None and found.amount == D("1000.00") * inpatient.service_days


money = st.decimals(min_value=0, max_value=D("1000000"), places=2)


@settings(max_examples=150, deadline=None)
@given(policy=st.sampled_from(["irs_501r_agb", "ca_hospital_fair_pricing"]), responsibility=money, gross=money,
       government=st.none() | money, percent=st.fractions(min_value=0, max_value=1000))
def test_a_policy_never_makes_the_patient_pay_more_than_without_it_nor_less_than_nothing(
    policy: str, responsibility: D, gross: D, government: D | None, percent: Fraction
) -> None:
    result = apply_policy(POLICIES[policy], percent_fpl=percent, responsibility=responsibility, gross_charges=gross,
                          government=None if government is None else GovernmentPayment(government, "given", False))
    assert D(0) <= result.patient_amount <= responsibility
    assert result.discount >= 0 and result.discount + result.patient_amount == responsibility


def test_every_policy_in_the_data_file_can_be_chosen_and_nothing_else() -> None:
    for code in POLICIES:
        assert load_settings({"FINANCIAL_ASSISTANCE_POLICY": code}).financial_assistance_policy == code
    with pytest.raises(ConfigError, match="FINANCIAL_ASSISTANCE_POLICY"):
        load_settings({"FINANCIAL_ASSISTANCE_POLICY": "charity"})


def test_the_hospitals_policy_leaves_the_practitioners_visits_in_the_total_alone() -> None:
    # The demo IOP level with two psychiatrist visits in its total ($300.00 + $200.00 = $500.00, billed by the
    # practitioners): responsibility $7,200.00 + $500.00 = $7,700.00, gross $9,600.00 + $500.00 = $10,100.00.
    # 501(r) at 300 % FPL applies to the hospital's part only: AGB 35 % x $9,600.00 = $3,360.00 -> owes $3,360.00 +
    # the visits' $500.00 = $3,860.00; discount $7,200.00 - $3,360.00 = $3,840.00, as without the visits.
    line = ProfessionalLine(code="90792", description="evaluation", practitioner="psychiatrist", visits=2,
                            first_date=ON, last_date=ON, gross=D("500.00"), allowed=D("500.00"), payer_pays=D(0),
                            patient_pays=D("500.00"), text="t")
    visits = ProfessionalServices(in_totals=True, lines=[line], gross=D("500.00"), allowed=D("500.00"),
                                  payer_pays=D(0), patient_pays=D("500.00"), fee_schedule="test")
    level = msgspec.structs.replace(IOP, professional=visits, totals=msgspec.structs.replace(
        IOP.totals, patient_pays=D("7700.00"), gross_charges=D("10100.00")))
    config = dataclasses.replace(CONFIG, policy=POLICIES["irs_501r_agb"])
    section = affordability_for_level(level, household=Household(size=1, annual_income=D("47880"), state="CA"),
                                      config=config, on=ON, self_pay=True, first_due_date=DUE)
    assert (section.patient_responsibility, section.discount, section.balance_after_discount) == (
        D("7700.00"), D("3840.00"), D("3860.00"))
    assert section.financial_assistance is not None and section.financial_assistance.patient_amount == D("3860.00")
    assert any("billed by the practitioners" in note for note in section.notes)
