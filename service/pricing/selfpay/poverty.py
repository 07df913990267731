"""Household income as a percent of the HHS poverty guideline in force on a date.

The guideline year is chosen by the determination date against each year's ``effective``
date in ``poverty-guidelines.json`` (not by calendar year: 2026-01-12 still uses 2025).
The poverty line for any household size n >= 1 is ``first_person + (n-1) * each_additional``;
the published 1-8 table equals that formula, and sizes above 8 need it.

The ratio is kept exact (``Fraction``) because sliding-fee tiers are chosen on it: rounding
first would put 100.004 % into the "at or below 100 %" tier.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from contracts import selfpay as wire
from contracts.selfpay import PovertyRegion
from service.errors import Unprocessable
from service.money import cents, format_usd
from service.reference import load


class NoGuidelineInForce(Unprocessable):
    slug, title = "no-poverty-guideline", "No poverty guideline in force on that date"


class InvalidHousehold(Unprocessable):
    slug, title = "invalid-household", "The household cannot be assessed"


#: USPS codes this service accepts, with the name used in explanations.
STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "the District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    # Territories and freely associated states: no separate guideline (notes in the reference file).
    "PR": "Puerto Rico", "GU": "Guam", "VI": "the U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "the Northern Mariana Islands", "FM": "Micronesia", "MH": "the Marshall Islands",
    "PW": "Palau",
}


@dataclass(frozen=True, slots=True)
class Guideline:
    year: int
    effective: dt.date
    region: PovertyRegion
    first_person: Decimal
    each_additional_person: Decimal
    source_title: str

    def poverty_line(self, household_size: int) -> Decimal:
        if isinstance(household_size, bool) or not isinstance(household_size, int) or household_size < 1:
            raise InvalidHousehold(
                f"household size must be a whole number >= 1, got {household_size!r}", field="$.household.size"
            )
        return self.first_person + (household_size - 1) * self.each_additional_person


@dataclass(frozen=True, slots=True)
class FplDetermination:
    """Domain result; ``ratio`` is exact. Convert with :meth:`to_wire` at the edge."""

    determination_date: dt.date
    guideline_year: int
    guideline_effective: dt.date
    region: PovertyRegion
    state: str
    household_size: int
    annual_income: Decimal
    poverty_line: Decimal
    ratio: Fraction
    source_title: str

    @property
    def percent_exact(self) -> Fraction:
        return self.ratio * 100

    @property
    def percent(self) -> Decimal:
        """Percent of poverty rounded half-up to 2 decimals (display only)."""
        return round_fraction(self.percent_exact, 2)

    @property
    def explanation(self) -> str:
        return self._explanation(self.percent)

    def _explanation(self, percent: Decimal) -> str:
        return (
            f"Household of {self.household_size} in {STATE_NAMES[self.state]}, "
            f"{_usd(self.annual_income)} a year: {self.guideline_year} guideline {_usd(self.poverty_line)}, "
            f"so {percent} % of the federal poverty level."
        )

    def to_wire(self) -> wire.FplDetermination:
        percent = self.percent
        return wire.FplDetermination(
            determination_date=self.determination_date,
            guideline_year=self.guideline_year,
            guideline_effective=self.guideline_effective,
            region=self.region,
            state=self.state,
            household_size=self.household_size,
            annual_income=cents(self.annual_income),
            poverty_line=cents(self.poverty_line),
            percent_of_poverty=percent,
            ratio=f"{self.ratio.numerator}/{self.ratio.denominator}",
            explanation=self._explanation(percent),
            source=self.source_title,
        )


def round_fraction(value: Fraction, places: int) -> Decimal:
    """Half-up rounding of an exact fraction (half away from zero), as a Decimal."""
    scale = 10**places
    # floor(|value| x scale + 1/2) in whole numbers: (2 |n| scale + d) // 2d for value = n/d, d > 0
    rounded = (2 * abs(value.numerator) * scale + value.denominator) // (2 * value.denominator)
    sign = -1 if value < 0 else 1
    return (Decimal(sign * rounded) / Decimal(scale)).quantize(Decimal(1).scaleb(-places))


def _usd(amount: Decimal) -> str:
    # Whole-dollar figures read better without ".00" ("$35,000"); cents are kept when present.
    text = format_usd(amount)
    return text[:-3] if text.endswith(".00") else text


def region_for_state(state: str) -> PovertyRegion:
    code = normalize_state(state)
    if code == "AK":
        return PovertyRegion.ALASKA
    if code == "HI":
        return PovertyRegion.HAWAII
    return PovertyRegion.CONTIGUOUS_48_AND_DC


def normalize_state(state: str) -> str:
    code = state.strip().upper() if isinstance(state, str) else ""
    if code not in STATE_NAMES:
        raise InvalidHousehold(f"unknown state or territory code {state!r}", field="$.household.state")
    return code


@functools.cache
def guideline_years() -> tuple[tuple[int, dt.date], ...]:
    """(year, effective date) for every guideline year shipped, oldest first (read once, as the file is)."""
    years = load("poverty-guidelines")["years"]
    return tuple(sorted((int(y), dt.date.fromisoformat(v["effective"])) for y, v in years.items()))


def guideline_in_force(on: dt.date, region: PovertyRegion) -> Guideline:
    """The latest guideline year whose effective date is on or before ``on``."""
    chosen = None
    for year, effective in guideline_years():
        if effective <= on:
            chosen = (year, effective)
    if chosen is None:
        first_year, first_effective = guideline_years()[0]
        raise NoGuidelineInForce(
            f"no guideline in force on {on.isoformat()}: the earliest shipped guideline ({first_year}) "
            f"took effect on {first_effective.isoformat()}",
            field="$.determination_date",
        )
    return _guideline(*chosen, region)


@functools.lru_cache(maxsize=64)
def _guideline(year: int, effective: dt.date, region: PovertyRegion) -> Guideline:
    """A shipped year's figures for a region, read from the file's data once (a Guideline never changes)."""
    data = load("poverty-guidelines")["years"][str(year)]
    figures = data["regions"][region.value]
    return Guideline(
        year=year,
        effective=effective,
        region=region,
        first_person=Decimal(figures["first_person"]),
        each_additional_person=Decimal(figures["each_additional_person"]),
        source_title=data["source"]["title"],
    )


def determine_fpl(
    *, household_size: int, annual_income: Decimal | int, state: str, on: dt.date
) -> FplDetermination:
    """Percent of the poverty guideline for a household, on the determination date ``on``."""
    if isinstance(annual_income, float) or not isinstance(annual_income, (Decimal, int)):
        raise InvalidHousehold("annual income must be a Decimal, not a float", field="$.household.annual_income")
    income = Decimal(annual_income)
    if not income.is_finite() or income < 0:
        raise InvalidHousehold("annual income must be 0 or more", field="$.household.annual_income")
    code = normalize_state(state)
    region = region_for_state(code)
    guideline = guideline_in_force(on, region)
    line = guideline.poverty_line(household_size)
    return FplDetermination(
        determination_date=on,
        guideline_year=guideline.year,
        guideline_effective=guideline.effective,
        region=region,
        state=code,
        household_size=household_size,
        annual_income=income,
        poverty_line=line,
        ratio=Fraction(income) / Fraction(line),
        source_title=guideline.source_title,
    )


def determine_fpl_for(request: wire.FplRequest) -> FplDetermination:
    """Convenience for the REST edge: the wire request to a domain determination."""
    h = request.household
    return determine_fpl(
        household_size=h.size, annual_income=h.annual_income, state=h.state, on=request.determination_date
    )
