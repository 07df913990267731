"""Coordination of benefits, plan by plan: Medigap by letter, Medicare + Medicaid, Medicare as secondary payer,
commercial + Medicaid, two commercial plans (standard and non-duplication), the birthday rule; and the invariants.

Test rates (pricing_support.RATES): IOP contracted 300.00, Medicare per diem 250.00 (3 services), Medicaid 200.00;
inpatient Medicare per diem 1000.00. IOP course 24 days, inpatient 10 days, from Mon 2026-01-05.
CY2026: Part B deductible 283.00, Part A deductible 1736.00.
"""

import dataclasses

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.benefits import CoverageOrder, OtherPayer, OtherPayerKind
from pricing_support import (FIGURES, D, CourseOfCare, Level, acc, commercial, level_benefits, medicaid, medicare,
                             one, request)
from service.pricing.cob import Coverage, PrimaryTermsMissing
from service.pricing.estimate import estimate_levels, pricing_input_from_request
from pricing_support import MON_2026_01_05, RATES

IOP = CourseOfCare(level=Level.IOP)
STAY = CourseOfCare(level=Level.INPATIENT, length_of_stay_days=10)


def _with(others, benefits, course=IOP, birthday=None):
    inp = pricing_input_from_request(request(course), default_start=MON_2026_01_05, figures=FIGURES)
    inp = dataclasses.replace(inp, other_coverage=tuple(others), subscriber_birthday=birthday)
    return estimate_levels(inp, benefits, RATES, FIGURES).estimates[0]


def _medigap(letter):
    return msgspec.structs.replace(medicare(part_b_deductible_remaining=D(100)), other_payers=[OtherPayer(
        order=CoverageOrder.SECONDARY, kind=OtherPayerKind.MEDIGAP, name="ACME MEDIGAP", medigap_plan=letter)])


@pytest.mark.parametrize(("letter", "medigap_pays", "patient"), [
    # Part B: day 1 deductible 100.00 + 20% x 150.00 = 30.00; days 2-24 20% x 250.00 = 50.00 (23 x 50.00 = 1150.00)
    ("G", "1180.00", "100.00"),   # G: all the coinsurance 30.00 + 1150.00, not the Part B deductible
    ("C", "1280.00", "0.00"),     # C: the Part B deductible too
    ("K", "590.00", "690.00"),    # K: 50% of the coinsurance: 15.00 + 23 x 25.00 = 590.00; patient 100 + 590
    ("N", "700.00", "580.00"),    # N: keeps a 20.00 copay a day: 10.00 + 23 x 30.00 = 700.00; patient 100 + 20 x 24
])
def test_medicare_and_medigap_by_letter(letter, medigap_pays, patient):
    est = one(_medigap(letter), IOP)
    assert est.totals.patient_pays == D(patient)
    assert est.totals.other_payers_pay == D(medigap_pays)
    # Medicare pays 6000.00 - 1280.00 = 4720.00 whatever the Medigap pays
    assert [(p.order, p.pays) for p in est.payers] == [(1, D("4720.00")), (2, D(medigap_pays))]
    assert est.totals.payer_pays + est.totals.other_payers_pay + est.totals.patient_pays == est.totals.allowed
    assert est.explanation[-1].text.startswith("Who pays: ")


def test_medigap_l_pays_75_percent_of_the_part_a_deductible():
    est = one(_medigap("L"), STAY)
    # Part A deductible 1736.00 over day 1 (1000.00) and day 2 (736.00); L pays 75%: 750.00 + 552.00 = 1302.00
    assert est.totals.other_payers_pay == D("1302.00")
    assert est.totals.patient_pays == D("434.00")  # 250.00 + 184.00


@pytest.mark.parametrize("qmb", [False, True])
def test_medicare_and_full_medicaid_pay_up_to_medicaids_rate(qmb):
    b = msgspec.structs.replace(medicare(part_b_deductible_remaining=D(100), qmb=qmb), other_payers=[OtherPayer(
        order=CoverageOrder.SECONDARY, kind=OtherPayerKind.MEDICAID, name="STATE MEDICAID")])
    est = one(b, IOP)
    # day 1: Medicare pays 250.00 - 130.00 = 120.00; Medicaid up to its 200.00 rate: 80.00; 50.00 written off
    # days 2-24: Medicare pays 200.00 = Medicaid's rate: Medicaid 0.00, 50.00 a day written off (23 x 50.00)
    assert est.totals.patient_pays == D("0.00")
    assert est.totals.other_payers_pay == D("80.00")
    assert est.totals.provider_write_off == D("1200.00")  # 50.00 + 1150.00
    t = est.totals
    assert t.payer_pays + t.other_payers_pay + t.provider_write_off + t.patient_pays == t.allowed


def _employer():
    return commercial(level_benefits(coinsurance_percent=D(20)))


def test_medicare_secondary_payer_employer_plan_first():
    b = msgspec.structs.replace(medicare(part_b_deductible_remaining=D(100)), other_payers=[OtherPayer(
        order=CoverageOrder.PRIMARY, kind=OtherPayerKind.EMPLOYER_GROUP, name="ACME EMPLOYER PLAN")])
    employer = Coverage(name="ACME EMPLOYER PLAN", kind=OtherPayerKind.EMPLOYER_GROUP, order=CoverageOrder.PRIMARY,
                        benefits=msgspec.structs.replace(_employer(), payer_name="ACME EMPLOYER PLAN"))
    est = _with([employer], b)
    # employer plan: allowed 300.00, pays 80% = 240.00, leaves 60.00 a day
    # Medicare secondary: min(its own payment as primary 120.00 day 1 / 200.00 later, Medicare allowed 250.00 - 240.00,
    #   300.00 - 240.00) = 10.00 a day -> 24 x 10.00 = 240.00; patient 24 x 50.00 = 1200.00
    assert [(p.name, p.pays) for p in est.payers] == [("ACME EMPLOYER PLAN", D("5760.00")), ("Medicare", D("240.00"))]
    assert est.totals.patient_pays == D("1200.00")
    with pytest.raises(PrimaryTermsMissing):
        one(b, IOP)


def test_commercial_then_medicaid_last_patient_owes_medicaids_copay_at_most():
    mcd = medicaid(levels=[level_benefits(copay=D(4), copay_per="day")])
    ppo = Coverage(name="ACME PPO", kind=OtherPayerKind.COMMERCIAL, benefits=_employer())
    est = _with([ppo], mcd)
    # Medicaid was asked for, but pays last: the PPO pays 240.00 a day (more than Medicaid's 200.00, so Medicaid
    # adds nothing); the patient owes Medicaid's 4.00 copay, the other 56.00 a day is written off
    assert est.payer_class.value == "commercial"
    assert est.totals.patient_pays == D("96.00")  # 24 x 4.00
    assert est.totals.provider_write_off == D("1344.00")  # 24 x 56.00


@pytest.mark.parametrize(("method", "patient"), [
    ("standard", "0.00"),           # second plan alone pays 90% = 270.00 >= the 60.00 left
    ("non_duplication", "720.00"),  # pays 270.00 - 240.00 = 30.00 a day; patient 24 x 30.00
])
def test_two_commercial_plans(method, patient):
    second = Coverage(name="SPOUSE PPO", kind=OtherPayerKind.COMMERCIAL, method=method,
                      benefits=commercial(level_benefits(coinsurance_percent=D(10))))
    est = _with([second], _employer())
    assert est.totals.patient_pays == D(patient)
    assert est.totals.payer_pays + est.totals.other_payers_pay + est.totals.patient_pays == est.totals.allowed


def test_birthday_rule_for_a_child_on_both_parents_plans():
    mother = msgspec.structs.replace(commercial(level_benefits(coinsurance_percent=D(20))), payer_name="MOTHER PPO",
                                     patient_is_dependent=True)
    father = msgspec.structs.replace(commercial(level_benefits(coinsurance_percent=D(30))), payer_name="FATHER PPO",
                                     patient_is_dependent=True)
    est = _with([Coverage(name="FATHER PPO", kind=OtherPayerKind.COMMERCIAL, benefits=father,
                          subscriber_birthday="03-05")], mother, birthday="09-10")
    # the father's birthday (March 5) comes first: his plan is primary, 70% x 300.00 = 210.00 a day = 5040.00;
    # the mother's plan (standard) pays the 90.00 left (alone it would pay 240.00): the child owes 0.00
    assert est.payers[0].name == "FATHER PPO" and est.totals.payer_pays == D("5040.00")
    assert est.totals.patient_pays == D("0.00")


money = st.integers(min_value=0, max_value=300_000).map(lambda c: D(c) / 100)
pct = st.integers(min_value=0, max_value=100).map(D)


@st.composite
def plans(draw):
    ded = draw(money)
    oop = draw(st.one_of(st.none(), money))
    return commercial(level_benefits(deductible_individual=acc(ded, draw(money.map(lambda m: min(m, ded)))),
                                     oop_max_individual=None if oop is None else acc(oop, oop),
                                     coinsurance_percent=draw(pct),
                                     copay=draw(st.one_of(st.none(), money.map(lambda m: min(m, D(80))))),
                                     copay_per="day"))


@settings(max_examples=60, deadline=None)
@given(plans(), plans(), st.sampled_from(["standard", "non_duplication"]))
def test_two_payers_add_up_and_never_cost_the_patient_more(primary, secondary, method):
    course = CourseOfCare(level=Level.IOP, weeks=2)
    alone = one(primary, course)
    both = _with([Coverage(name="SECOND", kind=OtherPayerKind.COMMERCIAL, method=method, benefits=secondary)],
                 primary, course=course)
    t = both.totals
    assert t.payer_pays + t.other_payers_pay + t.patient_pays == t.allowed
    assert t.patient_pays <= alone.totals.patient_pays
    assert t.payer_pays == alone.totals.payer_pays
    assert min(t.other_payers_pay, t.patient_pays) >= 0


def test_medicaid_named_with_a_plan_without_terms_stays_primary_and_says_what_is_missing():
    retiree = OtherPayer(order=CoverageOrder.SECONDARY, kind=OtherPayerKind.COMMERCIAL, name="ACME RETIREE PLAN")
    mcd = msgspec.structs.replace(medicaid(levels=[level_benefits(copay=D(4), copay_per="day")]),
                                  other_payers=[retiree])
    est = one(mcd, IOP)
    # Medicaid stays the payer (the other plan's terms are unknown): its 4.00 copay x 24 = 96.00
    assert est.totals.patient_pays == D("96.00")
    assert any("ACME RETIREE PLAN" in w and "not included" in w for w in est.warnings)
