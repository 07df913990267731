"""An uninsured or inactive caller under the state's Medicaid limit is told so (ACA expansion: 138% FPL, KFF;
retroactive coverage 3 months, SSA 1902(a)(34)); Marketplace eligibility from 100% FPL is noted.

2026 poverty guideline, 48 states, 1 person: $15,960 (poverty-guidelines.json, in force from 2026-01-13)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal as D

from service.pricing.program_figures import load_program_figures
from service.pricing.selfpay.coverage_screen import coverage_screen, load_expansion

FIGURES = load_program_figures()
ON = dt.date(2026, 3, 2)


def screen(state, income, *, expansion=None, on=ON):
    return coverage_screen(state=state, household_size=1, annual_income=D(income), on=on, figures=FIGURES,
                           expansion=expansion or load_expansion())


def test_under_the_limit_in_an_expansion_state_may_qualify_for_medicaid_with_retroactive_coverage():
    # $20,000 / $15,960 = 125.3% -> 125%, under CA's 138% (expanded 2014-01-01)
    [message] = screen("CA", "20000")
    assert message.startswith("Household income is 125% of the 2026 poverty guideline, within CA's Medicaid limit "
                              "for adults (138% of the poverty level; CA expanded Medicaid from 2014-01-01)")
    assert "in the 3 months before the month they apply" in message


def test_above_the_limit_in_an_expansion_state_is_pointed_to_the_marketplace():
    # $30,000 / $15,960 = 188%
    [message] = screen("CA", "30000")
    assert message.startswith("Household income is 188% of the 2026 poverty guideline: the caller may qualify for a "
                              "Marketplace plan")


def test_a_non_expansion_state_and_the_coverage_gap():
    # $12,000 / $15,960 = 75%: TX has not expanded; below 100% no premium tax credit
    not_expanded, gap = screen("TX", "12000")
    assert not_expanded.startswith("TX has not expanded Medicaid: adults generally do not qualify by income alone")
    assert gap.startswith("Household income is 75% of the 2026 poverty guideline: below 100%")
    wisconsin = screen("WI", "30000")
    assert wisconsin[0].startswith("WI has not expanded Medicaid (covers adults up to 100% FPL under a waiver")
    assert "Marketplace plan" in wisconsin[1]


def test_expansion_counts_from_its_effective_date():
    later = dataclasses.replace(load_expansion(), expanded_since={"NC": dt.date(2026, 6, 1)})
    assert screen("NC", "20000", expansion=later)[0].startswith("NC has not expanded Medicaid")
    assert "within NC's Medicaid limit" in screen("NC", "20000", expansion=later, on=dt.date(2026, 6, 1))[0]


def test_nothing_is_said_without_income_size_or_state():
    assert coverage_screen(state=None, household_size=1, annual_income=D(1), on=ON, figures=FIGURES,
                           expansion=load_expansion()) == []


def test_a_self_pay_estimate_carries_the_screen():
    from tests.unit.pricing.pricing_support import RATES, request  # noqa: PLC0415
    from contracts.benefits import Level
    from contracts.estimate import CourseOfCare
    from service.pricing.estimate import pricing_input_from_request
    from service.pricing.service import compute

    wire = request(CourseOfCare(level=Level.IOP), self_pay=True,
                   household={"size": 1, "annual_income": "20000", "state": "CA"})
    inp = pricing_input_from_request(wire, default_start=ON, figures=FIGURES)
    comparison = compute(inp, None, RATES, FIGURES)
    assert any("within CA's Medicaid limit" in w for w in comparison.warnings)
    assert "may qualify for Medicaid" in comparison.summary
