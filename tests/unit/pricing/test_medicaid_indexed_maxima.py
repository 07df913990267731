"""Medicaid's fixed federal maxima at or below 100 % FPL by federal fiscal year (42 CFR 447.52(b)(1): $4 an
outpatient service, $75 an inpatient stay, increased each October 1 from 2015 by the CPI-U medical care component),
chosen by the first service day; a year not loaded is said, and never cuts a reported copay down to stale amounts.

Loaded (medicaid.json): FFY 2014 (from 2014-01-01) and FFY 2015, the base amounts. Test rates: IOP Medicaid $200 a
day; the IOP default course is 24 days, Mon/Wed/Fri from Mon Jan 5 2026 (FFY 2026).
"""

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from pricing_support import FIGURES, RATES, D, CourseOfCare, Level, level_benefits, medicaid, request

from service.pricing.engine import Notes
from service.pricing.estimate import estimate_levels, pricing_input_from_request
from service.pricing.medicaid import _bounded_by_federal_maximum
from service.pricing.program_figures import MedicaidNominalYear, federal_fiscal_year

IOP = CourseOfCare(level=Level.IOP)
REPORTED_10 = medicaid("at_or_below_100", levels=[level_benefits(copay=D(10), copay_per="day")])


def _iop(benefits, figures=FIGURES, **kw):  # type: ignore[no-untyped-def]
    inp = pricing_input_from_request(request(IOP, **kw), default_start=dt.date(2026, 1, 5), figures=figures)
    comparison = estimate_levels(inp, benefits, RATES, figures)
    return comparison, comparison.estimates[0]


def test_the_fiscal_year_is_chosen_by_the_date_of_service() -> None:
    # FFY 2016 starts Oct 1 2015 (the first indexed year); FFY 2026 runs Oct 1 2025 - Sep 30 2026
    assert (federal_fiscal_year(dt.date(2015, 9, 30)), federal_fiscal_year(dt.date(2015, 10, 1))) == (2015, 2016)
    on_sep_30 = FIGURES.medicaid.in_force(dt.date(2015, 9, 30))
    assert on_sep_30.year_loaded and on_sep_30.fiscal_year == 2015
    assert on_sep_30.label == "federal maximum for FFY 2015 (base amounts; indexing starts October 1, 2015)"
    on_oct_1 = FIGURES.medicaid.in_force(dt.date(2015, 10, 1))
    assert not on_oct_1.year_loaded and on_oct_1.fiscal_year == 2016
    assert "FFY 2016's indexed amounts are not loaded" in on_oct_1.label
    # not loaded: the latest loaded amounts stay the charge ($4.00 / $75.00)
    assert (on_oct_1.outpatient["<=100"].amount, on_oct_1.inpatient["<=100"].amount) == (D("4.00"), D("75.00"))
    assert FIGURES.medicaid.in_force(dt.date(2014, 1, 1)).fiscal_year == 2014


def test_a_year_not_loaded_is_said_and_charges_the_latest_loaded_amount() -> None:
    comparison, est = _iop(medicaid("at_or_below_100"))
    # 24 days x $4.00 (FFY 2015's amount; FFY 2026's is not loaded) = $96.00
    assert est.totals.patient_pays == D("96.00")
    assert comparison.figures.medicaid_basis == ("federal maximum of FFY 2015 (base amounts; indexing starts "
                                                 "October 1, 2015): FFY 2026's indexed amounts are not loaded")
    assert any("indexed federal maximum for FFY 2026 is not loaded: the $4.00 charged is an earlier year's" in a
               for a in est.assumptions)


def test_a_reported_copay_is_not_cut_to_an_earlier_years_maximum() -> None:
    # FFY 2026 not loaded: the reported $10 cannot be checked against that year's maximum -> 24 x $10.00 = $240.00
    # (income $2,500 a month: the 5 % cap, $125.00 a month, is above 12 x $10.00 = $120.00 in Jan and in Feb)
    _, est = _iop(REPORTED_10, household={"size": 1, "monthly_income": "2500"})
    assert est.totals.patient_pays == D("240.00")
    assert any("could not be checked against FFY 2026's own maximum: the reported copay was used" in w
               for w in est.warnings)


def test_a_loaded_year_caps_a_reported_copay_above_its_maximum() -> None:
    # A made-up FFY 2026 amount for this test only (not CMS's): $5.10 an outpatient service. The reported $10 is capped
    # at it (42 CFR 447.52(b)): 24 x $5.10 = $122.40
    test_year = MedicaidNominalYear(fiscal_year=2026, start=dt.date(2025, 10, 1), end=dt.date(2026, 9, 30),
                                    outpatient=D("5.10"), inpatient=D("95.00"), basis="test amounts")
    medicaid_figures = dataclasses.replace(FIGURES.medicaid,
                                           nominal_years=(*FIGURES.medicaid.nominal_years, test_year))
    comparison, est = _iop(REPORTED_10, dataclasses.replace(FIGURES, medicaid=medicaid_figures))
    assert est.totals.patient_pays == D("122.40")
    assert comparison.figures.medicaid_basis == "federal maximum for FFY 2026 (test amounts)"
    assert any("reported Medicaid copay $10.00 is above the federal maximum" in w and "$5.10 was used" in w
               for w in est.warnings)


@settings(max_examples=100, deadline=None)
@given(copay=st.decimals(min_value=0, max_value=1000, places=2), allowed=st.decimals(min_value=0, max_value=5000, places=2),
       loaded=st.booleans(), band=st.sampled_from(["<=100", "101-150", ">150"]), inpatient=st.booleans())
def test_the_federal_maximum_never_raises_a_reported_copay_nor_makes_it_negative(
    copay: D, allowed: D, loaded: bool, band: str, inpatient: bool
) -> None:
    on = dt.date(2015, 3, 2) if loaded else dt.date(2026, 3, 2)  # FFY 2015 loaded, FFY 2026 not
    maxima = FIGURES.medicaid.in_force(on)
    federal = (maxima.inpatient if inpatient else maxima.outpatient)[band]
    due, _ = _bounded_by_federal_maximum(copay, "reported", federal, per_stay=inpatient, days=3, allowed=allowed,
                                         band=band, maxima=maxima, notes=Notes())
    assert D(0) <= due <= copay
    if loaded and federal.kind != "percent_of_agency_payment":
        assert due <= federal.amount  # a loaded year's fixed maximum always binds
