"""When a Good Faith Estimate is due (45 CFR 149.610(b); reference data good-faith-estimate.md). Pure.

Business days are Monday to Friday other than US federal holidays (observed days included, from
the ``holidays`` library via ``closures.federal_holiday``). Counted from the day the service is
scheduled (or the GFE requested), that day not counted:

* scheduled at least 10 business days ahead -> due within 3 business days after scheduling;
* scheduled at least 3 business days ahead  -> due within 1 business day after scheduling;
* scheduled fewer than 3 business days ahead -> no GFE is required (one may still be given);
* requested without scheduling             -> due within 3 business days after the request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from service.pricing.closures import federal_holiday


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and federal_holiday(day) is None


def add_business_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th business day after ``day``."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_business_day(day)
    return count


@dataclass(frozen=True, slots=True)
class GfeTiming:
    due_date: dt.date | None  # None = no GFE required
    rule: str  # the rule in words, to read out or print


def gfe_due(*, scheduled_on: dt.date | None, service_date: dt.date | None, requested_on: dt.date) -> GfeTiming:
    """The GFE's due date from when the service was scheduled (None = requested without scheduling)."""
    if scheduled_on is None or service_date is None:
        due = add_business_days(requested_on, 3)
        return GfeTiming(due, f"requested without scheduling on {requested_on.isoformat()}: due within 3 business "
                              f"days, by {due.isoformat()}")
    ahead = business_days_between(scheduled_on, service_date)
    if ahead >= 10:
        due = add_business_days(scheduled_on, 3)
        return GfeTiming(due, f"scheduled {ahead} business days ahead (10 or more) on {scheduled_on.isoformat()}: "
                              f"due within 3 business days, by {due.isoformat()}")
    if ahead >= 3:
        due = add_business_days(scheduled_on, 1)
        return GfeTiming(due, f"scheduled {ahead} business days ahead (3 to 9) on {scheduled_on.isoformat()}: due "
                              f"within 1 business day, by {due.isoformat()}")
    return GfeTiming(None, f"scheduled {ahead} business day(s) ahead on {scheduled_on.isoformat()}: fewer than 3, "
                           "so no Good Faith Estimate is required (one is given anyway)")
