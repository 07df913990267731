"""The read-aloud summary: which sentences, in which order, from the contract fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from contracts.benefits import (
    Accumulator, Contact, InsuranceType, Level, LevelBenefits, Limit, MedicaidDetails, MedicareAdvantagePlan,
    MedicareDetails, Network, NormalizedBenefits, OtherPayer, OtherPayerKind, PayerClass, Rejection, Source,
)
from contracts.estimate import (
    CostBreakdown, EstimateComparison, EstimateRequest, FacilityType, FiguresUsed, Household, LevelEstimate,
)
from contracts.read_aloud import SpokenTopic
from service.read_aloud import GOOD_FAITH_ESTIMATE_RIGHT, as_text, for_check, for_estimate

ORDER = list(SpokenTopic)


def _ppo_level(level: Level, network: Network, **extra) -> LevelBenefits:  # noqa: ANN003
    if network is Network.IN:
        money = dict(deductible_individual=Accumulator(total=D("1500.00"), remaining=D("900.00")),
                     deductible_family=Accumulator(total=D("3000.00"), remaining=D("2100.00")),
                     oop_max_individual=Accumulator(total=D("5000.00"), remaining=D("4200.00")),
                     coinsurance_percent=D("20"))
    else:
        money = dict(deductible_individual=Accumulator(total=D("3000.00"), remaining=D("3000.00")),
                     coinsurance_percent=D("40"))
    return LevelBenefits(level=level, network=network, covered=True, **money, **extra)


def _ppo(**extra) -> NormalizedBenefits:  # noqa: ANN003
    levels = [_ppo_level(lv, nw, prior_authorization_required=False)
              for lv in (Level.IOP, Level.PHP, Level.INPATIENT) for nw in (Network.IN, Network.OUT)]
    return NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.COMMERCIAL,
                              insurance_type=InsuranceType.COMMERCIAL_PPO, payer_name="SANDBOX PPO",
                              plan_name="GOLD PPO 1500", levels=extra.pop("levels", levels), **extra)


def _topics(lines) -> list[SpokenTopic]:  # noqa: ANN001
    return [line.topic for line in lines]


def _in_order(lines) -> bool:  # noqa: ANN001
    ranks = [ORDER.index(t) for t in _topics(lines)]
    return ranks == sorted(ranks)


def test_ppo_check_reads_coverage_money_network_authorization_then_questions() -> None:
    lines = for_check(_ppo())
    assert [line.text for line in lines] == [
        "Coverage with SANDBOX PPO is active: GOLD PPO 1500, PPO.",
        "Deductible: $900.00 left of $1,500.00 for the patient; $2,100.00 left of $3,000.00 for the family.",
        "Out-of-pocket maximum: $4,200.00 left of $5,000.00 for the patient.",
        "This is priced as in network with SANDBOX PPO. Confirm we are in network. Out of network costs more.",
        "No prior authorization is required.",
        "Ask: how many people live in the household, and what is its yearly income? A sliding-scale discount may "
        "apply.",
        "Ask: does the patient have a second health plan, such as from an employer, a spouse or Medicaid?",
    ]
    assert _in_order(lines)


def test_prior_authorization_names_levels_and_the_number_to_call_and_limits_follow() -> None:
    levels = [_ppo_level(Level.IOP, Network.IN, prior_authorization_required=True,
                         limit=Limit(quantity=30, unit="visits", period="calendar_year", used=10, remaining=20)),
              _ppo_level(Level.PHP, Network.IN, prior_authorization_required=False),
              _ppo_level(Level.INPATIENT, Network.IN, prior_authorization_required=True)]
    contacts = [Contact(role="member_services", phone="8005550100"),
                Contact(role="prior_authorization", name="UM DEPARTMENT", phone="8005550199", phone_extension="12")]
    lines = for_check(_ppo(levels=levels, contacts=contacts))
    texts = as_text(lines)
    assert ("Prior authorization is required for IOP and inpatient: call UM DEPARTMENT at 8005550199 extension 12."
            in texts)
    assert "IOP limit: 30 visits per calendar year, 20 left." in texts
    assert _in_order(lines)


def test_unknown_authorization_says_to_ask_the_card_number_when_no_contact() -> None:
    levels = [_ppo_level(Level.IOP, Network.IN)]
    text = as_text(for_check(_ppo(levels=levels)))
    assert "The payer did not say whether IOP needs prior authorization: call the number on the member's card" in text


def test_medicare_qmb_psychiatric_days_and_no_medigap_question() -> None:
    benefits = NormalizedBenefits(
        source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.MEDICARE,
        insurance_type=InsuranceType.MEDICARE_PART_A_AND_B, payer_name="MEDICARE",
        medicare=MedicareDetails(part_b_deductible_remaining=D("283.00"), part_a_deductible_remaining=D("1736.00"),
                                 psychiatric_lifetime_days_remaining=145, lifetime_reserve_days_remaining=60,
                                 benefit_period_days_used=12, qmb=True),
        other_payers=[OtherPayer(kind=OtherPayerKind.MEDICAID, name="STATE MEDICAID")])
    lines = for_check(benefits)
    texts = [line.text for line in lines]
    assert texts[:4] == [
        "Coverage with MEDICARE is active: Medicare Part A and Part B.",
        "Part A deductible $1,736.00 left. Part B deductible $283.00 left.",
        "Original Medicare has no out-of-pocket maximum.",
        "Original Medicare has no network: any provider that accepts Medicare.",
    ]
    assert "Psychiatric hospital days: 145 left of the 190-day lifetime limit." in texts
    assert "Lifetime reserve days: 60 left." in texts
    assert "This benefit period: 12 inpatient days used." in texts
    assert any(t.startswith("The patient is a Qualified Medicare Beneficiary (QMB). Collect nothing") for t in texts)
    assert not any("Medigap" in t for t in texts)  # QMB: Medicaid pays the cost sharing
    assert any("freestanding psychiatric hospital" in t for t in texts)
    assert _in_order(lines)


def test_original_medicare_without_supplement_is_asked_about_medigap() -> None:
    benefits = NormalizedBenefits(source=Source.MANUAL, active=True, payer_class=PayerClass.MEDICARE,
                                  payer_name="MEDICARE", medicare=MedicareDetails())
    assert "Ask: does the patient have a Medicare supplement (Medigap) plan?" in as_text(for_check(benefits))


def test_managed_care_plans_give_their_name_and_number() -> None:
    mco = NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.MEDICAID,
                             payer_name="STATE MEDICAID",
                             medicaid=MedicaidDetails(managed_care_plan="SUNRISE HEALTH PLAN"),
                             contacts=[Contact(role="member_services", name="SUNRISE", phone="8005550100")])
    lines = for_check(mco)
    assert [l.text for l in lines if l.topic is SpokenTopic.MANAGED_CARE] == [
        "Medicaid managed care plan: SUNRISE HEALTH PLAN. Call SUNRISE at 8005550100."]
    advantage = NormalizedBenefits(
        source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.MEDICARE, payer_name="MEDICARE",
        medicare=MedicareDetails(advantage=MedicareAdvantagePlan(
            plan_name="SUNSHINE ADVANTAGE", contract_number="H1234",
            contacts=[Contact(role="plan", phone="8885550123")])))
    texts = [l.text for l in for_check(advantage)]
    assert ("Medicare Advantage plan: SUNSHINE ADVANTAGE (contract H1234). The plan pays, not Original Medicare. "
            "Call 8885550123.") in texts
    assert not any("Original Medicare has no" in t for t in texts)  # the plan has its own MOOP and network


def test_rejected_check_says_why_and_what_to_do_and_nothing_else_about_money() -> None:
    rejected = NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=None, payer_class=PayerClass.COMMERCIAL,
                                  payer_name="SANDBOX PPO", rejections=[Rejection(
                                      loop="2100C", valid_request=False, reason_code="75",
                                      reason="Subscriber/insured not found", follow_up_code="C",
                                      follow_up="Please Correct and Resubmit")])
    lines = for_check(rejected)
    assert lines[0].text == ("SANDBOX PPO could not answer: Subscriber/insured not found (please correct and "
                             "resubmit). Check the member ID, name and date of birth against the insurance card "
                             "and try again.")
    assert _topics(lines) == [SpokenTopic.COVERAGE]


def _level_estimate(level: Level, patient: str, days: int, per_week: str, per_hour: str) -> LevelEstimate:
    zero = D("0.00")
    totals = CostBreakdown(gross_charges=zero, allowed=zero, payer_pays=zero, patient_pays=D(patient),
                           deductible=zero, copay=zero, coinsurance=zero, not_covered=zero, over_limit=zero,
                           balance_bill=zero, waived_cost_sharing=zero)
    return LevelEstimate(level=level, network=Network.IN, payer_class=PayerClass.SELF_PAY, service_days=days,
                         treatment_hours=D(days * 3), weeks=D("8"), first_service_date=dt.date(2026, 2, 2),
                         last_service_date=dt.date(2026, 3, 27), totals=totals, patient_pays_per_week=D(per_week),
                         patient_pays_per_treatment_hour=D(per_hour))


def _comparison(*levels: LevelEstimate) -> EstimateComparison:
    return EstimateComparison(estimates=list(levels), summary="",
                              figures=FiguresUsed(rate_table_version="t", rate_table_effective=dt.date(2026, 1, 1)))


def test_self_pay_estimate_reads_each_level_then_income_question_then_the_gfe_right() -> None:
    # IOP: 24 days, $7,200.00 in all over 8 weeks = $900.00 a week; 72 treatment hours -> $100.00 an hour
    comparison = _comparison(_level_estimate(Level.IOP, "7200.00", 24, "900.00", "100.00"),
                             _level_estimate(Level.INPATIENT, "15000.00", 10, "1875.00", "62.50"))
    lines = for_estimate(None, comparison, EstimateRequest(self_pay=True))
    assert [l.text for l in lines] == [
        "No insurance is used: this estimate is at our self-pay prices.",
        "IOP: $7,200.00 in all for 24 days. That is $900.00 a week, $100.00 per treatment hour.",
        "Inpatient: $15,000.00 in all for 10 days. That is $1,875.00 a week, $62.50 per treatment hour.",
        "Ask: how many people live in the household, and what is its yearly income? A sliding-scale discount may "
        "apply.",
        GOOD_FAITH_ESTIMATE_RIGHT,
    ]
    assert not any("lowest" in l.text.lower() or "cheapest" in l.text.lower() for l in lines)


def test_a_telehealth_course_says_so() -> None:
    import msgspec  # noqa: PLC0415

    from contracts.estimate import Delivery  # noqa: PLC0415

    virtual = msgspec.structs.replace(_level_estimate(Level.IOP, "960.00", 24, "120.00", "13.33"),
                                      delivery=Delivery.TELEHEALTH)
    lines = for_estimate(None, _comparison(virtual), EstimateRequest(self_pay=True))
    assert lines[1].text.startswith("IOP by telehealth: $960.00 in all for 24 days.")


def test_insured_estimate_with_income_and_facility_asks_nothing_more_than_needed() -> None:
    comparison = _comparison(_level_estimate(Level.INPATIENT, "1736.00", 10, "1215.20", "7.23"))
    benefits = NormalizedBenefits(source=Source.MANUAL, active=True, payer_class=PayerClass.MEDICARE,
                                  payer_name="MEDICARE", medicare=MedicareDetails(),
                                  other_payers=[OtherPayer(kind=OtherPayerKind.MEDIGAP, medigap_plan="G")])
    request = EstimateRequest(household=Household(size=2, annual_income=D("30000.00")),
                              facility_type=FacilityType.GENERAL_HOSPITAL_PSYCHIATRIC_UNIT)
    lines = for_estimate(benefits, comparison, request)
    assert SpokenTopic.NEXT_QUESTION not in _topics(lines)
    assert SpokenTopic.GOOD_FAITH_ESTIMATE not in _topics(lines)
    assert _in_order(lines)
