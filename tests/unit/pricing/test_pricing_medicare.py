"""Original Medicare: Part B IOP/PHP and Part A inpatient (CY2025/CY2026 figures from medicare.json).

CY2026: Part B deductible $283, 20 %; Part A deductible $1,736, days 61-90 $434, reserve $868.
CY2025: Part B deductible $257; Part A deductible $1,676, $419, $838.
Test rates: IOP Medicare per diem $250 (3 services) / $350 (4+); inpatient per diem $1,000; self-pay $1,200.
"""

import pytest

from pricing_support import D, CourseOfCare, FacilityType, Level, dt, medicare, one, run
from service.pricing.course import CourseNotCoverable

IOP = CourseOfCare(level=Level.IOP)


def test_iop_part_b_deductible_partly_met_then_20_percent():
    est = one(medicare(part_b_deductible_remaining=D(100)), IOP)
    # day 1: $100 deductible + 20% x $150 = $30 -> $130; days 2-24: 23 x 20% x $250 = 23 x $50 = $1,150.
    # total $1,280; allowed 24 x $250 = $6,000; Medicare pays $4,720.
    assert est.totals.deductible == D("100.00")
    assert est.totals.coinsurance == D("1180.00")
    assert est.totals.patient_pays == D("1280.00")
    assert est.totals.payer_pays == D("4720.00")
    assert est.explanation[1].text.startswith("Days 2\u201324 (Jan 7\u2013Feb 27): 20% coinsurance of the $250.00 Medicare rate")


def test_unknown_part_b_remaining_uses_full_year_deductible():
    est = one(medicare(), IOP)
    # $250 day 1 + $33 of day 2 = $283 deductible; day 2: 20% x $217 = $43.40; days 3-24: 22 x $50 = $1,100.
    # total $283 + $43.40 + $1,100 = $1,426.40
    assert est.totals.patient_pays == D("1426.40")
    assert any("Part B deductible remaining not reported" in a for a in est.assumptions)


def test_four_hour_days_use_the_four_plus_services_rate():
    course = CourseOfCare(level=Level.IOP, days_per_week=4, hours_per_day=D(4), weeks=1)
    est = one(medicare(part_b_deductible_remaining=D(0)), course)
    # 4 days x 20% x $350 = 4 x $70 = $280
    assert est.totals.patient_pays == D("280.00")


def test_qmb_owes_nothing_and_shows_what_was_waived():
    est = one(medicare(part_b_deductible_remaining=D(100), qmb=True), IOP)
    # would-be $1,280 (see the first test) -> $0 by law
    assert est.totals.patient_pays == D("0.00")
    assert est.totals.waived_cost_sharing == D("1280.00")
    # Medicare pays the allowed amount less the cost sharing it does not pay: 6000.00 - 1280.00 = 4720.00
    assert est.totals.payer_pays == D("4720.00")
    assert "Qualified Medicare Beneficiary" in est.explanation[0].text


def test_part_b_deductible_resets_on_january_first_with_new_year_figures():
    course = CourseOfCare(level=Level.IOP, weeks=2, start_date=dt.date(2025, 12, 22))
    comparison = run(medicare(part_b_deductible_remaining=D(0)), course, start=dt.date(2025, 12, 22))
    est = comparison.estimates[0]
    # Dec 22/24/26/29/31: 5 x $50 = $250; Jan 2 2026: CY2026 deductible $283 > $250 -> $250. Total $500.
    assert est.totals.patient_pays == D("500.00")
    assert comparison.figures.medicare_calendar_years == [2025, 2026]


def test_inpatient_past_day_60_and_lifetime_reserve():
    course = CourseOfCare(level=Level.INPATIENT, length_of_stay_days=100)
    est = one(medicare(), course, facility_type="general_hospital_psychiatric_unit")
    # deductible $1,736: day 1 $1,000 + day 2 $736; days 3-60 $0; days 61-90 30 x $434 = $13,020;
    # days 91-100 reserve 10 x $868 = $8,680. Total $1,736 + $13,020 + $8,680 = $23,436.
    assert est.totals.deductible == D("1736.00")
    assert est.totals.coinsurance == D("21700.00")
    assert est.totals.patient_pays == D("23436.00")
    assert est.totals.payer_pays == D("100000.00") - D("23436.00")


def test_benefit_period_days_used_shift_day_61():
    course = CourseOfCare(level=Level.INPATIENT, length_of_stay_days=20)
    est = one(medicare(benefit_period_days_used=50, part_a_deductible_remaining=D(0)), course,
              facility_type="general_hospital_psychiatric_unit")
    # benefit-period days 51-70: course days 1-10 $0, days 11-20 10 x $434 = $4,340
    assert est.totals.patient_pays == D("4340.00")
    assert any(line.text.startswith("Day 11 (Jan 15) is day 61") for line in est.explanation)


def test_reserve_days_run_out_then_patient_pays_the_self_pay_rate():
    course = CourseOfCare(level=Level.INPATIENT, length_of_stay_days=15)
    est = one(medicare(benefit_period_days_used=85, part_a_deductible_remaining=D(0),
                       lifetime_reserve_days_remaining=5), course,
              facility_type="general_hospital_psychiatric_unit")
    # bp days 86-90: 5 x $434 = $2,170; 91-95 reserve 5 x $868 = $4,340; 96-100 no reserve, Medicare pays
    # nothing: 5 x $1,200 self-pay rate = $6,000 over limit. Total $12,510.
    assert est.totals.over_limit == D("6000.00")
    assert est.totals.patient_pays == D("12510.00")
    # Medicare pays the per diem less the coinsurance on the 10 covered days:
    # 5 x ($1,000 - $434) + 5 x ($1,000 - $868) = $2,830 + $660 = $3,490; nothing on days 96-100.
    assert est.totals.payer_pays == D("3490.00")
    assert est.totals.allowed == D("10000.00")  # 10 covered days x $1,000


def test_190_day_lifetime_limit_in_freestanding_psychiatric_hospital():
    course = CourseOfCare(level=Level.INPATIENT, length_of_stay_days=10)
    est = one(medicare(psychiatric_lifetime_days_used=185), course,
              facility_type=FacilityType.FREESTANDING_PSYCHIATRIC_HOSPITAL)
    # 190 - 185 = 5 covered days: deductible $1,000 + $736 = $1,736; days 6-10 not covered:
    # 5 x $1,200 self-pay = $6,000. Total $7,736.
    assert est.totals.deductible == D("1736.00")
    assert est.totals.not_covered == D("6000.00")
    assert est.totals.patient_pays == D("7736.00")
    assert any("190-day" in w for w in est.warnings)


def test_medigap_pays_part_a_cost_sharing():
    course = CourseOfCare(level=Level.INPATIENT, length_of_stay_days=10)
    est = one(medicare(medigap_pays_part_a=True), course, facility_type="general_hospital_psychiatric_unit")
    assert est.totals.patient_pays == D("0.00") and est.totals.waived_cost_sharing == D("1736.00")


def test_part_a_figures_of_the_year_the_benefit_period_began():
    course = CourseOfCare(level=Level.INPATIENT, length_of_stay_days=10, start_date=dt.date(2025, 12, 28))
    comparison = run(medicare(), course, facility_type="general_hospital_psychiatric_unit")
    # benefit period began 2025: CY2025 deductible $1,676 (not 2026's $1,736)
    assert comparison.estimates[0].totals.patient_pays == D("1676.00")
    assert comparison.figures.medicare_calendar_years == [2025]


def test_medicare_refuses_iop_under_9_hours_a_week():
    with pytest.raises(CourseNotCoverable) as err:
        one(medicare(), CourseOfCare(level=Level.IOP, days_per_week=2, hours_per_day=D(3)))
    assert err.value.errors[0].field == "$.courses[0].hours_per_day"
    assert "9" in err.value.detail


def test_medicare_refuses_php_under_20_hours_a_week():
    with pytest.raises(CourseNotCoverable) as err:
        one(medicare(), CourseOfCare(level=Level.PHP, days_per_week=5, hours_per_day=D(3)))
    assert "20" in err.value.detail


def test_ipf_base_rate_used_when_no_facility_per_diem():
    from dataclasses import replace

    from pricing_support import RATES

    inpatient = replace(RATES.levels[Level.INPATIENT], medicare_inpatient_per_diem=None)
    rates = replace(RATES, levels={**RATES.levels, Level.INPATIENT: inpatient})
    comparison = run(medicare(), CourseOfCare(level=Level.INPATIENT), rates=rates,
                     facility_type="general_hospital_psychiatric_unit")
    # FY2026 base $892.87 x 10 = $8,928.70 allowed; deductible $1,736 spread over days 1-2
    assert comparison.estimates[0].totals.allowed == D("8928.70")
    assert comparison.estimates[0].totals.patient_pays == D("1736.00")
    assert comparison.figures.ipf_fiscal_years == ["FY2026"]


def test_missing_ipf_fiscal_year_is_warned_once_not_per_day():
    from dataclasses import replace

    from pricing_support import RATES

    inpatient = replace(RATES.levels[Level.INPATIENT], medicare_inpatient_per_diem=None)
    rates = replace(RATES, levels={**RATES.levels, Level.INPATIENT: inpatient})
    # Admitted Wed 2026-11-25: FY2027 (from 2026-10-01) is not in medicare.json, so FY2026 is used for all 10 days.
    comparison = run(medicare(), CourseOfCare(level=Level.INPATIENT), rates=rates, start=dt.date(2026, 11, 25),
                     facility_type="general_hospital_psychiatric_unit")
    ipf_warnings = [w for w in comparison.estimates[0].warnings if w.startswith("IPF figures")]
    assert ipf_warnings == ["IPF figures for FY2027 are not loaded: FY2026 used"]
    assert comparison.estimates[0].totals.allowed == D("8928.70")  # 10 x $892.87


def test_deductible_reported_unmet_after_day_60_is_a_conflict_not_a_second_charge():
    course = CourseOfCare(level=Level.INPATIENT, length_of_stay_days=3)
    est = one(medicare(benefit_period_days_used=65, part_a_deductible_remaining=D(1736)), course,
              facility_type="general_hospital_psychiatric_unit")
    # benefit-period days 66-68: 65 days already used means the period's deductible was charged on its first stay,
    # so the $1,736 reported unmet is flagged, not charged again. Days 66-68: 3 x $434 = $1,302.
    assert est.totals.patient_pays == D("1302.00")
    assert est.totals.deductible == D("0.00")
    assert any("reports 65 hospital day(s) already used" in w for w in est.warnings)
