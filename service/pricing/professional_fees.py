"""The professional fee schedule and the visits a course of care brings with it. Pure.

Figures come from ``service/reference/data/professional-fees.json`` (codes, the provider's charge
for each, Medicare's PFS facility amount by calendar year, the typical visits per level), built
once into a :class:`ProfessionalFeeSchedule`. A Medicare year that is not loaded falls back to the
nearest loaded year and says so; amounts marked ``demo`` are example figures and every estimate
that uses them says so (the same pattern as the OPPS per diem and the telehealth rates).

Visits are dated: each lands on a service day of the course, so the Part B deductible (calendar
year) and a plan's deductible (plan year) restart where they should.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contracts.benefits import Level
from service.errors import InvalidInput
from service.pricing.year_figures import for_year

if TYPE_CHECKING:  # course.py imports program_figures, which imports this module
    from service.pricing.course import ServiceDay

DAYS_PER_WEEK = 7


@dataclass(frozen=True, slots=True)
class ProfessionalCode:
    code: str
    description: str
    practitioner: str


@dataclass(frozen=True, slots=True)
class PfsYear:
    """One calendar year of Medicare PFS facility amounts."""

    year: int
    amounts: dict[str, Decimal]
    source: str
    demo: bool
    import_from: str = ""
    fallback: bool = False  # True when the visit's year is not loaded and this is the nearest


@dataclass(frozen=True, slots=True)
class VisitRule:
    """When a code is billed in a course: ``first_day``, ``last_day``, ``each_day_between``, ``every_weeks``."""

    code: str
    on: str
    every_weeks: int = 1


@dataclass(frozen=True, slots=True)
class ProfessionalFeeSchedule:
    codes: dict[str, ProfessionalCode]
    charges: dict[str, Decimal]
    charges_demo: bool
    medicare_years: dict[int, PfsYear]
    frequency: dict[Level, tuple[VisitRule, ...]]

    def medicare_year(self, year: int) -> PfsYear:
        return for_year(self.medicare_years, year)


@dataclass(frozen=True, slots=True)
class Visit:
    """One practitioner visit on one service day."""

    code: str
    date: dt.date
    day_number: int


@dataclass(frozen=True, slots=True)
class PlannedVisits:
    """Visits of one code, as the request or the typical pattern set them."""

    code: str
    visits: int


def _d(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def fee_schedule_from_reference(data: dict[str, Any]) -> ProfessionalFeeSchedule:
    codes = {code: ProfessionalCode(code=code, description=c["description"], practitioner=c["practitioner"])
             for code, c in data["codes"].items()}
    charges = data["provider_charges"]
    years = {int(y): PfsYear(year=int(y), amounts={k: _d(v) for k, v in cy["amounts"].items()}, source=cy["source"],
                             demo=cy["status"] == "demo", import_from=cy.get("import_from", ""))
             for y, cy in data["medicare_pfs"]["calendar_years"].items()}
    frequency = {Level(level): tuple(VisitRule(code=r["code"], on=r["on"], every_weeks=int(r.get("every_weeks", 1)))
                                     for r in data["visit_frequency"][level.value])
                 for level in Level}
    schedule = ProfessionalFeeSchedule(codes=codes, charges={k: _d(v) for k, v in charges["amounts"].items()},
                                       charges_demo=charges["status"] == "demo", medicare_years=years,
                                       frequency=frequency)
    for code in codes:  # a code without a charge or a Medicare amount would price as nothing: refuse the file
        missing = [name for name, amounts in (("provider_charges", schedule.charges),
                                              *((f"medicare_pfs {y.year}", y.amounts) for y in years.values()))
                   if code not in amounts]
        if missing:
            raise ValueError(f"professional-fees.json: code {code} has no amount in {', '.join(missing)}")
    unknown = {r.code for rules in frequency.values() for r in rules} - set(codes)
    if unknown:
        raise ValueError(f"professional-fees.json: visit_frequency names unknown codes {sorted(unknown)}")
    return schedule


def read_fee_schedule_file(path: Path) -> dict[str, Any]:
    """A provider's fee schedule file, parsed (fractions as Decimal) and checked; ValueError says what is wrong."""
    data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    try:
        fee_schedule_from_reference(data)
    except (KeyError, TypeError, AttributeError, ArithmeticError) as exc:
        raise ValueError(f"missing or malformed entry {exc}") from None
    return data


@functools.cache
def load_fee_schedule() -> ProfessionalFeeSchedule:
    """The shipped professional fee schedule (read once, cached; call outside the engine)."""
    from service.reference import load

    return fee_schedule_from_reference(load("professional-fees"))


def typical_visits(rules: Sequence[VisitRule], days: Sequence[ServiceDay]) -> list[Visit]:
    """The typical pattern on the course's service days (see professional-fees.json ``visit_frequency``)."""
    if not days:
        return []
    first, last = days[0], days[-1]
    visits: list[Visit] = []
    for rule in rules:
        if rule.on == "first_day":
            chosen: list[ServiceDay] = [first]
        elif rule.on == "last_day":
            chosen = [last] if len(days) > 1 else []
        elif rule.on == "each_day_between":
            chosen = list(days[1:-1])
        elif rule.on == "every_weeks":
            seen: set[int] = set()
            chosen = []
            for day in days:
                week = (day.date - first.date).days // DAYS_PER_WEEK
                if week > 0 and week % rule.every_weeks == 0 and week not in seen:
                    seen.add(week)
                    chosen.append(day)
        else:
            raise ValueError(f"unknown visit rule {rule.on!r}")
        visits.extend(Visit(code=rule.code, date=d.date, day_number=d.number) for d in chosen)
    return visits


def requested_visits(planned: Sequence[PlannedVisits], days: Sequence[ServiceDay]) -> list[Visit]:
    """Visits the request set by count, spread evenly over the service days (the first visit on day 1)."""
    visits: list[Visit] = []
    for plan in planned:
        for i in range(plan.visits):
            day = days[i * len(days) // plan.visits]
            visits.append(Visit(code=plan.code, date=day.date, day_number=day.number))
    return visits


def check_requested(planned: Sequence[PlannedVisits], schedule: ProfessionalFeeSchedule, days: int,
                    path: str) -> None:
    """Codes must be on the fee schedule and a code's visits fit the course (one a day at most): else 400."""
    seen: set[str] = set()
    for i, plan in enumerate(planned):
        field = f"{path}.professional_visits[{i}]"
        if plan.code not in schedule.codes:
            known = ", ".join(sorted(schedule.codes))
            raise InvalidInput(f"code {plan.code} is not on the professional fee schedule (known: {known})",
                               field=f"{field}.code")
        if plan.code in seen:
            raise InvalidInput(f"code {plan.code} is listed twice", field=f"{field}.code")
        seen.add(plan.code)
        if plan.visits > days:
            raise InvalidInput(f"{plan.visits} visits of {plan.code} in a course of {days} service days: at most one "
                               "a day", field=f"{field}.visits")


def course_visits(schedule: ProfessionalFeeSchedule, level: Level, days: Sequence[ServiceDay],
                  planned: Sequence[PlannedVisits] | None, path: str) -> tuple[list[Visit], str | None]:
    """The course's visits and, when the level's typical pattern was used, the assumption that says so."""
    if planned is not None:
        check_requested(planned, schedule, len(days), path)
        return requested_visits(planned, days), None
    visits = typical_visits(schedule.frequency[level], days)
    counts = ", ".join(f"{sum(1 for v in visits if v.code == code)} x {code} ({schedule.codes[code].description})"
                       for code in dict.fromkeys(v.code for v in visits))
    return visits, (f"typical practitioner visits for {level.value.upper()} assumed: {counts or 'none'}; give the "
                    f"course's professional_visits to change them")
