"""Say where a course runs over the program's closed days (see ``closures.py`` for the rule). Pure."""

from __future__ import annotations

from collections.abc import Sequence

from service.pricing.calendar import weekday_date
from service.pricing.closures import ProgramCalendar, closure_words
from service.pricing.course import Course, ServiceDay, planned_last_day
from service.pricing.engine import DayRun, Notes


def note_closures(runs: Sequence[DayRun], days: Sequence[ServiceDay], course: Course, calendar: ProgramCalendar,
                  notes: Notes) -> None:
    """An explanation event before each day that follows a closure, and one warning with the new last day. Such a
    day starts a run (``day_runs.py``, ``engine.self_pay_runs``), so its line is a run's first."""
    after = [day for day in days if day.after_closures]
    if not after:
        return
    skipped = [closed for day in after for closed in day.after_closures]
    by_number = {run.line.number: run.line for run in runs}
    for day in after:
        if day.number in by_number:
            by_number[day.number].events_before.insert(0, (
                f"The program is closed on {closure_words(day.after_closures)}: no session then, so day "
                f"{day.number} is {weekday_date(day.date)}"))
    planned_last = planned_last_day(course)
    notes.warn(f"{course.level.value.upper()} runs over {len(skipped)} closed day(s), "
               f"{closure_words(skipped)}: the course keeps its {len(days)} program days and ends "
               f"{weekday_date(days[-1].date)} instead of {weekday_date(planned_last)}")
