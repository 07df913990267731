"""Accumulator periods: plan years, Medicare calendar years, Part A benefit periods, Medicaid cap periods.

Remaining deductible / out-of-pocket amounts from a 271 are as of one plan year; a course
that crosses into the next plan year starts that year with the plan's full amounts. The
plan year begins on the plan's own begin month/day (``NormalizedBenefits.plan_begin``) or
1 January. Medicare Part B runs by calendar year; Part A by benefit period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def short_date(day: dt.date) -> str:
    """'Jan 5' (English month names whatever the process's locale: the explanations are English)."""
    return f"{_MONTHS[day.month - 1]} {day.day}"


def weekday_date(day: dt.date) -> str:
    """'Mon Jan 19' (English names, as :func:`short_date`; strftime's would follow the locale, and cost more)."""
    return f"{_WEEKDAYS[day.weekday()]} {_MONTHS[day.month - 1]} {day.day}"


def _anniversary(year: int, month: int, day: int) -> dt.date:
    # A 29 February plan begin falls on 28 February in other years.
    if month == 2 and day == 29:
        try:
            return dt.date(year, 2, 29)
        except ValueError:
            return dt.date(year, 2, 28)
    return dt.date(year, month, day)


def plan_year_start(day: dt.date, plan_begin: dt.date | None) -> dt.date:
    """First day of the plan year that contains ``day`` (1 January when the plan begin is unknown)."""
    month, mday = (plan_begin.month, plan_begin.day) if plan_begin else (1, 1)
    this_year = _anniversary(day.year, month, mday)
    return this_year if this_year <= day else _anniversary(day.year - 1, month, mday)


def plan_years(plan_begin: dt.date | None) -> Callable[[dt.date], dt.date]:
    """:func:`plan_year_start` for one plan: each year's anniversary is worked out once (the engine asks for the plan
    year of every run's first day and of where a run would end). Lives as long as the function it returns."""
    month, mday = (plan_begin.month, plan_begin.day) if plan_begin else (1, 1)
    anniversaries: dict[int, dt.date] = {}

    def year_of(day: dt.date) -> dt.date:
        year = day.year
        start = anniversaries.get(year)
        if start is None:
            start = anniversaries[year] = _anniversary(year, month, mday)
        if start <= day:
            return start
        before = anniversaries.get(year - 1)
        if before is None:
            before = anniversaries[year - 1] = _anniversary(year - 1, month, mday)
        return before

    return year_of


def benefit_period_starts(inpatient_dates: Sequence[dt.date], gap_days: int) -> list[dt.date]:
    """Start date of the Part A benefit period each inpatient day falls in.

    A new benefit period starts after ``gap_days`` consecutive days without inpatient care;
    a continuous stay is one benefit period however long it is.
    """
    starts: list[dt.date] = []
    current: dt.date | None = None
    previous: dt.date | None = None
    for date in inpatient_dates:
        # Days strictly between two inpatient days are the days without care.
        if current is None or previous is None or (date - previous).days - 1 >= gap_days:
            current = date
        starts.append(current)
        previous = date
    return starts


def cap_period(day: dt.date, period: str) -> tuple[int, int]:
    """Medicaid cap period key: (year, month) or (year, quarter 1-4)."""
    if period == "quarter":
        return day.year, (day.month - 1) // 3 + 1
    return day.year, day.month


def cap_period_label(key: tuple[int, int], period: str) -> str:
    year, n = key
    if period == "quarter":
        return f"Q{n} {year}"
    return f"{dt.date(year, n, 1):%b} {year}"
