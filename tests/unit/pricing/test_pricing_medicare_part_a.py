"""Original Medicare Part A, inpatient psychiatric stay: the deductible is the lesser of the deductible and the
hospital's charges (Social Security Act 1813(a)(1)); days used in the benefit period vs a deductible reported unmet;
the patient's election not to use lifetime reserve days (42 CFR 409.65); the days left stated in the answer.

CY2026 (medicare.json CMS-2026): deductible $1,736, days 61-90 $434 a day, reserve days $868 a day.
Test rates: Medicare inpatient per diem $1,000, gross charge $2,000 a day, self-pay $1,200 a day.
"""

import dataclasses

from pricing_support import RATES, D, CourseOfCare, Level, medicare, one
from service.pricing.rates import RateTable

GENERAL = "general_hospital_psychiatric_unit"


def stay(days):
    return CourseOfCare(level=Level.INPATIENT, length_of_stay_days=days)


def test_a_one_day_stay_owes_the_whole_deductible_though_the_per_diem_is_less():
    # Lesser of the $1,736 deductible and the $2,000 charges = $1,736, though Medicare's per diem is $1,000:
    # the hospital is paid $1,736 by the patient and nothing by Medicare.
    est = one(medicare(), stay(1), facility_type=GENERAL)
    assert est.totals.deductible == D("1736.00")
    assert est.totals.payer_pays == D("0.00")
    assert est.totals.allowed == D("1736.00")
    assert "the lesser of the CY2026 $1,736.00 deductible and the hospital's $2,000.00 charges" in \
        est.explanation[0].text


def test_charges_below_the_deductible_cap_it():
    # Gross charge $1,500 a day, one day: lesser of $1,736 and $1,500 = $1,500.
    cheap = dataclasses.replace(RATES.levels[Level.INPATIENT], gross_charge_per_day=D("1500"))
    rates = RateTable(version="t-cheap", effective_date=RATES.effective_date, levels={Level.INPATIENT: cheap})
    est = one(medicare(), stay(1), facility_type=GENERAL, rates=rates)
    assert est.totals.patient_pays == D("1500.00")


def test_days_used_with_the_deductible_reported_unmet_is_flagged_not_charged_twice():
    # 10 days already used this benefit period, yet the 271 says the $1,736 deductible is unmet: the deductible
    # belongs to the earlier stay's claim. This 5-day stay (benefit-period days 11-15) costs $0.00 here.
    est = one(medicare(benefit_period_days_used=10, part_a_deductible_remaining=D(1736)), stay(5), facility_type=GENERAL)
    assert est.totals.patient_pays == D("0.00")
    assert any("not charged again in this estimate" in w for w in est.warnings)


def test_days_used_are_worked_out_from_the_full_days_hets_reports_left():
    # 50 of 60 full days left -> 10 used; a 55-day stay is benefit-period days 11-65: days 61-65 (course days
    # 51-55) at $434 = 5 x $434 = $2,170.00; the deductible was met (remaining $0).
    est = one(medicare(benefit_period_full_days_remaining=50, benefit_period_coinsurance_days_remaining=30,
                       part_a_deductible_remaining=D(0)), stay(55), facility_type=GENERAL)
    assert est.totals.patient_pays == D("2170.00")


def test_choosing_not_to_use_lifetime_reserve_days():
    # 100 days: $1,736 deductible + days 61-90 30 x $434 = $13,020; days 91-100 not covered by choice, at the
    # self-pay rate 10 x $1,200 = $12,000. Total $26,756.00; the 60 reserve days are kept.
    est = one(medicare(lifetime_reserve_days_remaining=60), stay(100), facility_type=GENERAL,
              use_lifetime_reserve_days=False)
    assert est.totals.patient_pays == D("26756.00")
    assert est.totals.over_limit == D("12000.00")
    assert any("chose not to use your lifetime reserve days" in line.text for line in est.explanation)
    assert est.explanation[-1].text.startswith("Medicare days left after this stay: 60 of 60 lifetime reserve days;")


def test_the_answer_states_the_days_left():
    # Freestanding psychiatric hospital: 45 of 190 lifetime days used (145 left), 12 days of the benefit period used,
    # all 60 reserve days. A 10-day stay -> 135 of 190 left; benefit-period day 22 -> 38 full days and 30
    # coinsurance days left; reserve untouched.
    est = one(medicare(psychiatric_lifetime_days_used=45, psychiatric_lifetime_days_remaining=145,
                       benefit_period_days_used=12, lifetime_reserve_days_remaining=60,
                       part_a_deductible_remaining=D(0)),
              stay(10), facility_type="freestanding_psychiatric_hospital")
    assert est.explanation[-1].text == (
        "Medicare days left after this stay: 60 of 60 lifetime reserve days; 135 of the 190 lifetime days in a "
        "freestanding psychiatric hospital; in this benefit period 38 full days and 30 coinsurance days (a new "
        "benefit period starts after 60 days in a row out of hospital)")
