"""Medicaid nominal cost sharing (federal maxima, 42 CFR 447.52; by fiscal year: test_medicaid_indexed_maxima.py)
and the 5 % household cap.

Test rates: IOP Medicaid $200/day, inpatient $1,000/day. IOP default 24 days (12 in Jan, 12 in Feb 2026).
"""

from pricing_support import D, CourseOfCare, Level, level_benefits, medicaid, one, run

IOP = CourseOfCare(level=Level.IOP)


def test_at_or_below_100_percent_four_dollars_a_day():
    est = one(medicaid("at_or_below_100"), IOP)
    # 24 x $4 = $96
    assert est.totals.copay == D("96.00") and est.totals.patient_pays == D("96.00")
    # below 100% FPL the provider may not refuse care for unpaid copays (42 CFR 447.52(e)): read out first
    assert est.explanation[0].text.startswith("At or below 100% of the poverty level, the provider may not refuse care")
    assert "federal maximum of FFY 2015 (base amounts" in est.explanation[1].text


def test_at_or_below_100_percent_inpatient_75_per_stay():
    est = one(medicaid("at_or_below_100"), CourseOfCare(level=Level.INPATIENT),
              household={"size": 1, "monthly_income": "2000"})
    # $75 a stay (42 CFR 447.52(b)); the 5% cap ($100 for January) does not bind
    assert est.totals.patient_pays == D("75.00")


def test_five_percent_cap_with_income_unknown_uses_the_top_of_the_band():
    # Income not given, band <=100 from the 271, household size unknown -> 1 person at 100% of the guideline in
    # force on Jan 5 2026 (2025 guideline, effective 2025-01-15: $15,650): $15,650 / 12 x 5% = $65.2083 -> $65.21,
    # which caps the $75 stay copay.
    est = one(medicaid("at_or_below_100"), CourseOfCare(level=Level.INPATIENT))
    assert est.totals.patient_pays == D("65.21")
    assert any("assumed at the top of the band, 100% of the 2025 poverty guideline for a household of 1 (size not "
               "given) = $15,650.00 a year" in a for a in est.assumptions)


def test_above_150_percent_twenty_percent_of_agency_payment():
    comparison = run(medicaid("above_150"), IOP)
    # 20% x $200 = $40 x 24 = $960
    assert comparison.estimates[0].totals.patient_pays == D("960.00")
    assert comparison.figures.medicaid_basis == (
        "federal maximum of FFY 2015 (base amounts; indexing starts October 1, 2015): FFY 2026's indexed amounts are "
        "not loaded")


def test_five_percent_household_cap_per_month():
    est = one(medicaid("above_150"), IOP, household={"size": 2, "monthly_income": "2000"})
    # cap 5% x $2,000 = $100 a month: Jan $40 + $40 + $20 (cap) = $100; Feb likewise $100. Total $200.
    assert est.totals.patient_pays == D("200.00")
    assert any("household cap for Jan 2026 reached on day 3" in line.text for line in est.explanation)


def test_five_percent_cap_per_quarter():
    est = one(medicaid("above_150"), IOP, household={"size": 2, "monthly_income": "2000"},
              medicaid_cap_period="quarter")
    # cap 5% x $6,000 = $300 for Q1: $960 > $300 -> $300
    assert est.totals.patient_pays == D("300.00")


def test_exempt_pays_nothing():
    est = one(medicaid("above_150"), IOP, medicaid_exempt=True)
    assert est.totals.patient_pays == D("0.00") and est.totals.payer_pays == D("4800.00")


def test_state_copay_from_271_overrides_federal_maximum():
    est = one(medicaid("above_150", levels=[level_benefits(copay=D(3), copay_per="day")]), IOP)
    # 24 x $3 = $72
    assert est.totals.patient_pays == D("72.00")


def test_band_from_household_income():
    # 2026 guideline for 1 person (48 states) from poverty-guidelines.json; income = 90% of it -> <=100 band
    from service.pricing.program_figures import load_program_figures

    first, _ = load_program_figures().poverty_years[2026].regions["contiguous_48_and_dc"]
    est = one(medicaid(), IOP, household={"size": 1, "annual_income": str(first * D("0.9"))})
    assert est.totals.patient_pays == D("96.00")  # 24 x $4


def test_day_limit_from_quantity_and_used():
    from pricing_support import Limit

    lb = level_benefits(limit=Limit(quantity=10, used=8, unit="days"))
    est = one(medicaid("at_or_below_100", levels=[lb]), CourseOfCare(level=Level.IOP, weeks=2))
    # 10 - 8 = 2 days left: days 1-2 at $4 = $8; days 3-6 past the limit at the $250 self-pay rate = $1,000.
    assert est.totals.copay == D("8.00")
    assert est.totals.over_limit == D("1000.00")
    assert est.totals.patient_pays == D("1008.00")


def test_day_limit_with_only_a_quantity_assumes_all_remain_and_says_so():
    from pricing_support import Limit

    lb = level_benefits(limit=Limit(quantity=4, unit="days"))  # as a manual entry gives it
    est = one(medicaid("at_or_below_100", levels=[lb]), CourseOfCare(level=Level.IOP, weeks=2))
    # 4 days covered at $4 = $16; days 5-6 at $250 = $500. Patient $516.
    assert est.totals.patient_pays == D("516.00")
    assert any("limit used so far not reported" in a for a in est.assumptions)


def test_hour_limit_counts_hours():
    from pricing_support import Limit

    lb = level_benefits(limit=Limit(quantity=12, used=3, unit="hours"))
    est = one(medicaid("at_or_below_100", levels=[lb]), CourseOfCare(level=Level.IOP, weeks=2))
    # 9 hours left, 3-hour days: days 1-3 covered ($12); days 4-6 past it, 3 x $250 = $750. Patient $762.
    assert est.totals.patient_pays == D("762.00")


def test_exempt_shows_the_cost_sharing_it_waives():
    est = one(medicaid("above_150"), CourseOfCare(level=Level.IOP, weeks=1), medicaid_exempt=True)
    # would be 20% x $200 = $40 a day x 3 days = $120; exempt -> patient $0, $120 shown as waived
    assert est.totals.patient_pays == D("0.00")
    assert est.totals.waived_cost_sharing == D("120.00")
    assert est.totals.payer_pays == D("600.00")
    assert "$120.00 in all, which you do not pay" in est.explanation[0].text


def test_band_from_monthly_income_when_annual_not_given():
    # Household of 1, $1,000 a month = $12,000 a year; the guideline in force on Jan 5 2026 is 2025's
    # $15,650 (2026's takes effect Jan 13) -> 76.7% -> at or below 100%: $4 a day.
    # 24 days x $4 = $96; the cap 5% x $1,000 = $50 a month: Jan 12 days x $4 = $48, Feb 12 x $4 = $48.
    est = one(medicaid(), IOP, household={"size": 1, "monthly_income": "1000"})
    assert est.totals.patient_pays == D("96.00")
    assert any("poverty guideline" in a for a in est.assumptions)
