"""Days a day program (IOP, PHP) is closed, and what a course does about them. Pure.

Closed days are US federal holidays (by default) and the provider's own closures (a staff
training day, Christmas Eve ...), given as data: ``PROGRAM_CLOSED_DATES`` in the settings.

Federal holidays come from the ``holidays`` library rather than a list kept here: they move
every year (Thanksgiving, Martin Luther King Jr. Day, Juneteenth since 2021) and have
"observed" days when they fall on a weekend (Friday 3 July 2026 for Independence Day). The
library computes them for any year without I/O, so the engine stays pure.

Rule (a documented choice): a planned session that falls on a closed day is not held; the
patient attends the next day of the course's weekly pattern instead, so the course keeps its
planned number of program days and ends later. Each closure skipped is said in the
explanation, and the level warns with the new last day. Inpatient care runs every day: a
hospital does not close, so closures never move an inpatient stay.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import holidays

from service.pricing.calendar import weekday_date

#: A weekly pattern that finds no open day in this many days is refused (every day closed).
MAX_CLOSED_RUN_DAYS = 366


@functools.cache
def _federal_holidays(year: int) -> Mapping[dt.date, str]:
    # holidays.US() without a state is the federal list (Title 5 U.S.C. 6103), observed days included.
    return dict(holidays.US(years=year))


def federal_holiday(day: dt.date) -> str | None:
    """The US federal holiday (observed days included) on ``day``, or None."""
    return _federal_holidays(day.year).get(day)


@dataclass(frozen=True, slots=True)
class ProgramCalendar:
    """Which days the day programs are closed."""

    federal_holidays: bool = False
    #: the provider's own closures: date -> reason read out ("staff training day")
    closed_dates: Mapping[dt.date, str] = field(default_factory=dict)

    @property
    def has_closures(self) -> bool:
        """False when no day is ever closed (no federal holidays, no closures of the provider's own)."""
        return self.federal_holidays or bool(self.closed_dates)

    def closure(self, day: dt.date) -> str | None:
        """Why the program is closed on ``day``, or None when it is open."""
        own = self.closed_dates.get(day)
        if own is not None:
            return own
        if self.federal_holidays:
            return federal_holiday(day)
        return None

    def closed_days(self, year: int) -> Mapping[dt.date, str]:
        """Every closed day of ``year`` with its reason, as :meth:`closure` gives them (the provider's own reason
        wins over a federal holiday's): one look-up a day for a course instead of two calls."""
        found = dict(_federal_holidays(year)) if self.federal_holidays else {}
        found.update((day, why) for day, why in self.closed_dates.items() if day.year == year)
        return found

    def to_dict(self) -> dict[str, Any]:
        """Plain data stored with an estimate, so it can be reproduced with the same closures."""
        return {"federal_holidays": self.federal_holidays,
                "closed_dates": {d.isoformat(): why for d, why in sorted(self.closed_dates.items())}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ProgramCalendar:
        if not data:
            return NO_CLOSURES
        return cls(federal_holidays=bool(data.get("federal_holidays")),
                   closed_dates={dt.date.fromisoformat(d): str(why)
                                 for d, why in (data.get("closed_dates") or {}).items()})


NO_CLOSURES = ProgramCalendar()
FEDERAL_HOLIDAYS = ProgramCalendar(federal_holidays=True)


def parse_closed_dates(raw: str) -> dict[dt.date, str]:
    """``2026-12-24=Christmas Eve, 2026-12-31`` -> {date: reason}. Raises ValueError naming the bad item."""
    closed: dict[dt.date, str] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        day_text, _, reason = item.partition("=")
        try:
            day = dt.date.fromisoformat(day_text.strip())
        except ValueError:
            raise ValueError(f"{day_text.strip()!r} is not a date (YYYY-MM-DD)") from None
        closed[day] = reason.strip() or "program closed"
        if len(closed[day]) > 80:
            raise ValueError(f"the reason for {day.isoformat()} is longer than 80 characters")
    return closed


def closure_words(skipped: Sequence[tuple[dt.date, str]]) -> str:
    """"Thu Nov 26 (Thanksgiving Day) and Fri Dec 25 (Christmas Day)"."""
    parts = [f"{weekday_date(day)} ({why})" for day, why in skipped]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
