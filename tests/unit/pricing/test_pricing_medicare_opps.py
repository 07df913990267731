"""Medicare Part B IOP/PHP per diem (OPPS, CY2024+): APC by qualifying services that day (3 vs 4 or more),
hospital outpatient (5861-5864) vs CMHC (5851-5854), wage-adjusted on the 60 % labor-related share
(42 CFR 419.43(c)), 20 % coinsurance capped per day at the Part A deductible (42 CFR 419.41(c)(4)(i)).

CY2026: Part B deductible $283, Part A deductible $1,736 (medicare.json CMS-2026). National APC rates are
"to be imported" in medicare.json, so tests that need one set it by hand on a copy of the figures.
"""

import dataclasses

import pytest

from pricing_support import FIGURES, RATES, D, CourseOfCare, Level, medicare, request
from service.config import ConfigError, load_settings
from service.pricing.course import CourseNotCoverable
from service.pricing.estimate import estimate_levels, pricing_input_from_request
from service.pricing.opps_per_diem import MedicareOutpatient
from service.pricing.rates import LevelRates, RatesMissing, RateTable
from pricing_support import dt

START = dt.date(2026, 1, 5)
# A facility with no Medicare per diem on file: the national APC rate is used.
NO_MEDICARE_RATES = RateTable(version="t-national", effective_date=dt.date(2026, 1, 1), levels={
    level: dataclasses.replace(RATES.levels[level], medicare_per_diem_3_services=None,
                               medicare_per_diem_4plus_services=None)
    for level in (Level.IOP, Level.PHP)})


def _figures(**rates_2026):
    opps = dataclasses.replace(FIGURES.opps, national_rates={2026: {apc: D(v) for apc, v in rates_2026.items()}})
    return dataclasses.replace(FIGURES, opps=opps)


def _estimate(course, benefits, *, rates=RATES, figures=FIGURES, outpatient=MedicareOutpatient(), **kw):
    inp = pricing_input_from_request(request(course, **kw), default_start=START, figures=figures,
                                     medicare_outpatient=outpatient)
    return estimate_levels(inp, benefits, rates, figures).estimates[0]


def test_the_apc_follows_the_services_that_day_not_the_hours():
    # 3-hour IOP days holding 4 qualifying services: the 4+ tier ($350 facility rate), not the 3-service $250.
    # Deductible met: 3 days x 20% x $350 = 3 x $70 = $210.00
    course = CourseOfCare(level=Level.IOP, weeks=1, days_per_week=3, hours_per_day=D(3), services_per_day=4)
    est = _estimate(course, medicare(part_b_deductible_remaining=D(0)))
    assert est.totals.patient_pays == D("210.00")
    assert "a day of 4 or more services, APC 5862, the facility's Medicare rate" in est.explanation[0].text


def test_cmhc_php_day_at_the_wage_adjusted_national_rate():
    # CMHC PHP, 3 services a day -> APC 5853. National rate $150.00 (test figure), wage index 1.2000:
    # $150 x (0.6 x 1.2 + 0.4) = $150 x 1.12 = $168.00 a day; 20% = $33.60. Deductible met; 5 days = $168.00.
    course = CourseOfCare(level=Level.PHP, weeks=1, days_per_week=5, hours_per_day=D(6), services_per_day=3)
    est = _estimate(course, medicare(part_b_deductible_remaining=D(0)), rates=NO_MEDICARE_RATES,
                    figures=_figures(**{"5853": "150", "5863": "999"}),
                    outpatient=MedicareOutpatient(setting="cmhc", wage_index=D("1.2000")))
    assert est.totals.allowed == D("840.00")  # 5 x $168.00
    assert est.totals.patient_pays == D("168.00")  # 5 x $33.60
    assert "APC 5853 for a community mental health center: CY2026 national $150.00" in est.explanation[0].text


def test_the_request_facility_type_picks_the_hospital_apc_and_an_unset_wage_index_is_said():
    # hospital_outpatient PHP, 4 services -> APC 5864 national $200.00 x (0.6 x 1 + 0.4) = $200.00; 20% = $40.00
    course = CourseOfCare(level=Level.PHP, weeks=1, days_per_week=5, hours_per_day=D(6), services_per_day=4)
    est = _estimate(course, medicare(part_b_deductible_remaining=D(0)), rates=NO_MEDICARE_RATES,
                    figures=_figures(**{"5854": "100", "5864": "200"}),
                    outpatient=MedicareOutpatient(setting="cmhc"), facility_type="hospital_outpatient")
    assert est.totals.patient_pays == D("200.00")  # 5 x $40.00
    assert any("OPPS wage index is not set" in a for a in est.assumptions)


def test_daily_coinsurance_is_capped_at_the_part_a_deductible():
    # APC 5864 national $10,000.00 (a made-up large rate): 20% = $2,000.00 > CY2026 Part A deductible $1,736.00,
    # so each day is capped at $1,736.00 (42 CFR 419.41(c)(4)(i)). 4 days = $6,944.00.
    course = CourseOfCare(level=Level.PHP, weeks=1, days_per_week=4, hours_per_day=D(6), services_per_day=4)
    est = _estimate(course, medicare(part_b_deductible_remaining=D(0)), rates=NO_MEDICARE_RATES,
                    figures=_figures(**{"5864": "10000"}),
                    outpatient=MedicareOutpatient(wage_index=D("1.0000")))
    assert est.totals.patient_pays == D("6944.00")
    assert "capped at the CY2026 Part A deductible $1,736.00" in est.explanation[0].text


def test_a_day_with_fewer_than_three_services_is_not_a_per_diem_day():
    course = CourseOfCare(level=Level.IOP, weeks=1, days_per_week=4, hours_per_day=D(3), services_per_day=2)
    with pytest.raises(CourseNotCoverable) as caught:
        _estimate(course, medicare())
    assert caught.value.errors[0].field == "$.courses[0].services_per_day"
    assert "at least 3 qualifying services" in str(caught.value)


def test_no_facility_rate_and_the_national_rate_to_be_imported_is_refused_saying_what_to_load():
    course = CourseOfCare(level=Level.IOP, weeks=1, days_per_week=3, hours_per_day=D(3))
    with pytest.raises(RatesMissing) as caught:
        _estimate(course, medicare(), rates=NO_MEDICARE_RATES)
    text = str(caught.value)
    assert "APC 5861" in text and "to be imported from the OPPS Addendum A" in text


def test_shipped_apc_structure_and_labor_share():
    # medicare.json opps_per_diem: hospital 5861-5864, CMHC 5851-5854; labor-related share 60 %.
    assert [FIGURES.opps.apc("hospital_outpatient", lv, n) for lv in ("iop", "php") for n in (3, 4)] == [
        "5861", "5862", "5863", "5864"]
    assert [FIGURES.opps.apc("cmhc", lv, n) for lv in ("iop", "php") for n in (3, 5)] == [
        "5851", "5852", "5853", "5854"]
    assert FIGURES.opps.labor_related_share == D("0.6")


def test_wage_index_setting_is_checked():
    assert load_settings({"MEDICARE_OPPS_WAGE_INDEX": "1.0523"}).medicare_opps_wage_index == D("1.0523")
    with pytest.raises(ConfigError, match="MEDICARE_OPPS_WAGE_INDEX must be a wage index"):
        load_settings({"MEDICARE_OPPS_WAGE_INDEX": "high"})
    with pytest.raises(ConfigError, match="MEDICARE_OUTPATIENT_SETTING must be one of"):
        load_settings({"MEDICARE_OUTPATIENT_SETTING": "clinic"})
