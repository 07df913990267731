"""Poverty-level determination: guideline year by date, regions, household sizes, exact ratio."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.selfpay import PovertyRegion
from service.pricing.selfpay.poverty import (
    InvalidHousehold,
    NoGuidelineInForce,
    determine_fpl,
    round_fraction,
)

IN_2026 = dt.date(2026, 3, 2)
IN_2025 = dt.date(2025, 6, 1)


def fpl(size: int, income: str, state: str = "CA", on: dt.date = IN_2026):
    return determine_fpl(household_size=size, annual_income=Decimal(income), state=state, on=on)


def test_acceptance_household_of_3_in_california_2026() -> None:
    # 2026 48-state guideline, household of 3: 15,960 + 2 * 5,680 = 27,320.
    # 35,000 / 27,320 = 1.281112737... -> 128.11 %
    d = fpl(3, "35000")
    assert d.guideline_year == 2026
    assert d.region is PovertyRegion.CONTIGUOUS_48_AND_DC
    assert d.poverty_line == Decimal("27320")
    assert d.ratio == Fraction(35000, 27320)
    assert d.percent == Decimal("128.11")
    assert d.explanation == (
        "Household of 3 in California, $35,000 a year: 2026 guideline $27,320, "
        "so 128.11 % of the federal poverty level."
    )


def test_wire_form_has_two_decimal_money_and_exact_ratio() -> None:
    wire = msgspec.json.decode(msgspec.json.encode(fpl(3, "35000").to_wire()))
    assert wire["poverty_line"] == "27320.00"
    assert wire["annual_income"] == "35000.00"
    assert wire["percent_of_poverty"] == "128.11"
    assert wire["ratio"] == "875/683"  # 35000/27320 reduced by 40
    assert wire["guideline_year"] == 2026


def test_exactly_100_and_200_percent() -> None:
    # household of 4, 2026: 15,960 + 3 * 5,680 = 33,000 (hand check in the reference file)
    assert fpl(4, "33000").ratio == 1
    assert fpl(4, "33000").percent == Decimal("100.00")
    assert fpl(4, "66000").percent_exact == 200  # 2 * 33,000


def test_just_above_100_percent_is_above_on_the_exact_ratio() -> None:
    # 33,000.01 / 33,000 = 100.00003 %: displays 100.00 but is strictly above 100
    d = fpl(4, "33000.01")
    assert d.percent == Decimal("100.00")
    assert d.percent_exact > 100


def test_household_of_1() -> None:
    # 2026: 15,960; 2025: 15,650
    assert fpl(1, "15960").poverty_line == Decimal("15960")
    assert fpl(1, "0", on=IN_2025).poverty_line == Decimal("15650")


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (8, "55720"),  # 15,960 + 7 * 5,680 = 55,720 (reference hand check)
        (9, "61400"),  # 15,960 + 8 * 5,680 = 61,400
        (12, "78440"),  # 15,960 + 11 * 5,680 = 78,440
        (20, "123880"),  # 15,960 + 19 * 5,680 = 123,880
    ],
)
def test_large_households_use_the_formula(size: int, expected: str) -> None:
    assert fpl(size, "10000").poverty_line == Decimal(expected)


def test_alaska_and_hawaii() -> None:
    # 2026 Alaska 4: 19,950 + 3 * 7,100 = 41,250; Hawaii 4: 18,360 + 3 * 6,530 = 37,950
    ak, hi = fpl(4, "41250", "AK"), fpl(4, "37950", "hi")
    assert (ak.region, ak.poverty_line, ak.percent) == (PovertyRegion.ALASKA, Decimal("41250"), Decimal("100.00"))
    assert (hi.region, hi.poverty_line, hi.percent) == (PovertyRegion.HAWAII, Decimal("37950"), Decimal("100.00"))
    # 2025 Alaska 2: 19,550 + 6,880 = 26,430
    assert fpl(2, "1", "AK", on=IN_2025).poverty_line == Decimal("26430")


@pytest.mark.parametrize("state", ["DC", "PR", "GU", "VI", "TX"])
def test_dc_and_territories_use_the_48_state_figures(state: str) -> None:
    assert fpl(4, "1", state).region is PovertyRegion.CONTIGUOUS_48_AND_DC
    assert fpl(4, "1", state).poverty_line == Decimal("33000")


def test_year_boundary_by_effective_date() -> None:
    # 2026 took effect 2026-01-13 (not Jan 1): the day before still uses 2025.
    before, on = fpl(4, "33000", on=dt.date(2026, 1, 12)), fpl(4, "33000", on=dt.date(2026, 1, 13))
    assert (before.guideline_year, before.poverty_line) == (2025, Decimal("32150"))  # 15,650 + 3 * 5,500
    assert (on.guideline_year, on.poverty_line) == (2026, Decimal("33000"))
    assert fpl(1, "1", on=dt.date(2025, 1, 15)).guideline_year == 2025


def test_before_the_first_guideline_is_a_clear_error() -> None:
    with pytest.raises(NoGuidelineInForce, match="no guideline in force on 2025-01-14"):
        fpl(1, "1", on=dt.date(2025, 1, 14))


def test_income_zero() -> None:
    d = fpl(2, "0")
    assert d.ratio == 0 and d.percent == Decimal("0.00")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"household_size": 0}, "$.household.size"),
        ({"annual_income": Decimal("-1")}, "$.household.annual_income"),
        ({"annual_income": 1000.0}, "$.household.annual_income"),
        ({"state": "ZZ"}, "$.household.state"),
    ],
)
def test_bad_inputs_name_the_field(kwargs: dict, field: str) -> None:
    args = {"household_size": 2, "annual_income": Decimal("1000"), "state": "CA", "on": IN_2026} | kwargs
    with pytest.raises(InvalidHousehold) as info:
        determine_fpl(**args)
    assert info.value.errors[0].field == field


@settings(max_examples=300, deadline=None)
@given(st.integers(-10**12, 10**12), st.integers(1, 10**9), st.integers(0, 4))
def test_round_fraction_rounds_half_away_from_zero(numerator: int, denominator: int, places: int) -> None:
    # whole-number arithmetic must give floor(|x| * 10^places + 1/2) with the sign back, as exact fractions do
    value = Fraction(numerator, denominator)
    scale = 10**places
    expected = int(abs(value) * scale + Fraction(1, 2)) * (-1 if value < 0 else 1)
    assert round_fraction(value, places) == Decimal(expected) / Decimal(scale)
    assert round_fraction(value, places).as_tuple().exponent == -places
    assert round_fraction(Fraction(5, 1000), 2) == Decimal("0.01")  # half up: 0.005 -> 0.01
