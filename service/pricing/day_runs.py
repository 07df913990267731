"""Runs of identical days: how many days after a priced day come out exactly like it. Pure.

A 12-week course has a handful of distinct day shapes (deductible days, the crossing day,
coinsurance days, the day the out-of-pocket maximum is reached, days after it). Once a day is
priced, the next days repeat it to the cent while nothing that decides a day's figures changes:
the same plan year, the same terms (in person or telehealth), the same day-tiered copay, no closure
before the day (its explanation says so, ``closure_notes.py``), a
per-admission copay not being drawn down, the deductible not crossed (strictly more left than
the day takes, so the family-deductible event stays on its own day), the out-of-pocket maximum
not reached (strictly more room than the day's share) and the day/visit/hour limit not run out.
The engine prices such a run at once instead of day by day (``engine.commercial_runs``) and every later
step (totals, explanation, packed days) takes it as one ``engine.DayRun``; the property test in
``tests/unit/pricing/test_pricing_day_runs.py`` holds both ways equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from service.pricing.course import ServiceDay


def repeats_below(room: Decimal, step: Decimal) -> int:
    """How many k >= 1 have k x step < room (step > 0): days that fit strictly inside ``room``."""
    if room <= 0:
        return 0
    whole, rest = divmod(room, step)
    return int(whole) - (1 if rest == 0 else 0)


def run_length(days: Sequence[ServiceDay], start: int, bound: int, *, year: dt.date,
               plan_year_of: Callable[[dt.date], dt.date], telehealth: bool,
               tier: tuple[int, int | None, Decimal] | None, tier_of: Callable[[int], object] | None,
               limit: Decimal | None, hours_limit: bool) -> tuple[int, Decimal | None]:
    """Days from ``days[start]`` on (at most ``bound``) in the same plan year, delivery and copay tier, after no
    closure, that the limit still covers; with the limit left after them. ``tier_of`` None: the terms have no day-tiered copays
    (every day's tier is None)."""
    end = min(len(days), start + bound)
    if end <= start:
        return 0, limit
    # Days are in date order and plan years follow one another, so the year ends the run at one place: found
    # by halving instead of asking every day's plan year.
    if plan_year_of(days[end - 1].date) != year:
        low, high = start, end - 1
        while low < high:
            middle = (low + high) // 2
            if plan_year_of(days[middle].date) != year:
                high = middle
            else:
                low = middle + 1
        end = low
    if tier_of is None and limit is None:  # only the delivery and closures can end the run
        for index in range(start, end):
            day = days[index]
            if day.telehealth != telehealth or day.after_closures:
                return index - start, limit
        return end - start, limit
    count = 0
    for index in range(start, end):
        day = days[index]
        if day.telehealth != telehealth or day.after_closures or (tier_of is not None
                                                                  and tier_of(day.number) != tier):
            break
        if limit is not None:
            units = day.hours if hours_limit else 1
            if limit < units:
                break
            limit -= units
        count += 1
    return count, limit
