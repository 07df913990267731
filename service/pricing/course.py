"""A course of care as dated service days, with its validation.

Weekly pattern (documented choice): a course runs in 7-day program weeks starting on the
start date; in each program week the patient attends on the pattern's weekdays. Default
patterns spread sessions through the week: 1 day = Mon; 2 = Mon, Thu; 3 = Mon, Wed, Fri;
4 = Mon-Thu; 5 = Mon-Fri; 6 = Mon-Sat; 7 = every day. Because every 7-day window holds
each weekday once, a course always has exactly ``weeks x days_per_week`` service days,
whatever weekday it starts on. Inpatient: every day from admission for the length of stay
(the discharge day is not a billed day).

Delivery: a course (or each step-down phase) is in person, by telehealth, or hybrid. A hybrid week
has ``telehealth_days_per_week`` virtual days, by default the last program days of the week
(Mon/Wed/Fri with one virtual day: Friday is virtual), or the ``telehealth_weekdays`` named.
Every service day says whether it is virtual; an inpatient stay is always in person.

Refused (400, naming the field): impossible values (days/week outside 1-7, hours/day not in
(0, 24], weeks outside 1-52, length of stay outside 1-365, 6-7 days/week without weekends).
Refused for Medicare coverage only (422, citing the rule): IOP outside 9-19 h/week, PHP
under 20 h/week. Outside the provider's typical ranges: a warning, never a refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from contracts.benefits import Level
from contracts.estimate import CourseOfCare, Delivery, Weekday
from service.errors import InvalidInput, Unprocessable
from service.pricing.closures import MAX_CLOSED_RUN_DAYS, NO_CLOSURES, ProgramCalendar
from service.pricing.program_figures import LevelDefaults, MedicareRules

_WEEKDAY_INDEX = {w: i for i, w in enumerate(Weekday)}
_PATTERNS: dict[int, tuple[int, ...]] = {
    1: (0,), 2: (0, 3), 3: (0, 2, 4), 4: (0, 1, 2, 3), 5: (0, 1, 2, 3, 4), 6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}
MAX_WEEKS = 52
MAX_LENGTH_OF_STAY = 365
MAX_SERVICES_PER_DAY = 12


class InvalidCourse(InvalidInput):
    slug, title = "invalid-course", "The course of care is not possible"


class CourseNotCoverable(Unprocessable):
    slug, title = "course-not-coverable", "The course of care does not meet the payer's program rules"


@dataclass(frozen=True, slots=True)
class PhasePlan:
    weeks: int
    days_per_week: int
    hours_per_day: Decimal
    weekdays: tuple[int, ...]  # 0 = Monday
    telehealth_weekdays: tuple[int, ...] = ()  # of ``weekdays``, those joined by telehealth
    services_per_day: int | None = None  # qualifying services a day, as planned (None = not stated)


@dataclass(frozen=True, slots=True)
class Course:
    """A validated course: outpatient phases, or an inpatient stay."""

    level: Level
    start_date: dt.date
    phases: tuple[PhasePlan, ...] = ()
    length_of_stay_days: int | None = None
    field_path: str = "courses[0]"  # for messages about this course

    @property
    def is_inpatient(self) -> bool:
        return self.level is Level.INPATIENT

    @property
    def weeks(self) -> Decimal:
        if self.is_inpatient:
            return Decimal(self.length_of_stay_days or 0) / Decimal(7)
        return Decimal(sum(p.weeks for p in self.phases))


    @property
    def delivery(self) -> Delivery:
        """In person, telehealth or hybrid, from the days actually planned."""
        if not any(p.telehealth_weekdays for p in self.phases):
            return Delivery.IN_PERSON
        if all(p.telehealth_weekdays == p.weekdays for p in self.phases):
            return Delivery.TELEHEALTH
        return Delivery.HYBRID


class ServiceDay(NamedTuple):
    """One dated day of a course (immutable; a named tuple because a course builds one per day, per request)."""

    number: int  # 1-based within the course
    date: dt.date
    hours: Decimal
    services: int | None = None  # qualifying services that day (None = not stated)
    #: closed days (date, why) passed over since the previous program day (see ``closures.py``)
    after_closures: tuple[tuple[dt.date, str], ...] = ()
    telehealth: bool = False


INPATIENT_HOURS_PER_DAY = Decimal(24)
#: timedelta(days=n) for the offsets within a week (and one week), made once: a course dates a day per session.
_DAYS = tuple(dt.timedelta(days=n) for n in range(8))
_new = tuple.__new__
_telehealth = attrgetter("telehealth")
_from_ordinal = dt.date.fromordinal


def build_course(wire: CourseOfCare | None, level: Level, *, default_start: dt.date, defaults: LevelDefaults,
                 path: str, warnings: list[str] | None = None) -> Course:
    """Validate a wire course (or the level's defaults when None) into a :class:`Course`.

    ``warnings`` collects non-blocking notes (outside the provider's typical ranges).
    """
    wire = wire or CourseOfCare(level=level)
    if wire.level is not level:
        raise InvalidCourse(f"course is for {wire.level.value}, expected {level.value}", field=f"{path}.level")
    start = wire.start_date or default_start
    notes = warnings if warnings is not None else []
    if level is Level.INPATIENT:
        los = wire.length_of_stay_days if wire.length_of_stay_days is not None else defaults.length_of_stay_days
        if los is None or not 1 <= los <= MAX_LENGTH_OF_STAY:
            raise InvalidCourse(f"length of stay must be 1-{MAX_LENGTH_OF_STAY} days, got {los}",
                                field=f"{path}.length_of_stay_days")
        if wire.include_weekends is False:
            raise InvalidCourse("an inpatient stay includes every day; include_weekends cannot be false",
                                field=f"{path}.include_weekends")
        for name in ("weeks", "days_per_week", "phases", "weekdays", "telehealth_days_per_week",
                     "telehealth_weekdays", "services_per_day"):
            if getattr(wire, name):
                raise InvalidCourse(f"{name} does not apply to an inpatient stay; use length_of_stay_days",
                                    field=f"{path}.{name}")
        if wire.delivery is not Delivery.IN_PERSON:
            raise InvalidCourse("an inpatient stay is in person", field=f"{path}.delivery")
        return Course(level=level, start_date=start, length_of_stay_days=los, field_path=path)

    if wire.length_of_stay_days is not None:
        raise InvalidCourse("length_of_stay_days applies to inpatient stays only", field=f"{path}.length_of_stay_days")
    weekends = bool(wire.include_weekends)
    explicit = None
    if wire.weekdays:
        explicit = tuple(sorted({_WEEKDAY_INDEX[w] for w in wire.weekdays}))
        if len(explicit) != len(wire.weekdays):
            raise InvalidCourse("weekdays are repeated", field=f"{path}.weekdays")
        if not weekends and any(i >= 5 for i in explicit):
            raise InvalidCourse("weekend days chosen but include_weekends is not true", field=f"{path}.weekdays")

    if wire.phases:
        if any(v is not None for v in (wire.weeks, wire.days_per_week, wire.hours_per_day, wire.services_per_day)):
            raise InvalidCourse("give either phases or weeks/days_per_week/hours_per_day/services_per_day, not both",
                                field=f"{path}.phases")
        raw = [(p.weeks, p.days_per_week, p.hours_per_day, f"{path}.phases[{i}]", p.delivery or wire.delivery,
                p.telehealth_days_per_week if p.telehealth_days_per_week is not None else wire.telehealth_days_per_week,
                p.services_per_day)
               for i, p in enumerate(wire.phases)]
    else:
        raw = [(
            wire.weeks if wire.weeks is not None else defaults.weeks,
            wire.days_per_week if wire.days_per_week is not None else defaults.days_per_week,
            wire.hours_per_day if wire.hours_per_day is not None else defaults.hours_per_day,
            path, wire.delivery, wire.telehealth_days_per_week, wire.services_per_day,
        )]
    virtual_named = None
    if wire.telehealth_weekdays:
        virtual_named = tuple(sorted({_WEEKDAY_INDEX[w] for w in wire.telehealth_weekdays}))
        if len(virtual_named) != len(wire.telehealth_weekdays):
            raise InvalidCourse("telehealth weekdays are repeated", field=f"{path}.telehealth_weekdays")
    phases = []
    total_weeks = 0
    for weeks, days, hours, where, delivery, virtual_count, services in raw:
        if weeks is None or not 1 <= weeks <= MAX_WEEKS:
            raise InvalidCourse(f"weeks must be 1-{MAX_WEEKS}, got {weeks}", field=f"{where}.weeks")
        if days is None or not 1 <= days <= 7:
            raise InvalidCourse(f"days per week must be 1-7, got {days}", field=f"{where}.days_per_week")
        if hours is None or not Decimal(0) < hours <= Decimal(24):
            raise InvalidCourse(f"hours per day must be more than 0 and at most 24, got {hours}",
                                field=f"{where}.hours_per_day")
        if services is not None and not 1 <= services <= MAX_SERVICES_PER_DAY:
            raise InvalidCourse(f"services per day must be 1-{MAX_SERVICES_PER_DAY}, got {services}",
                                field=f"{where}.services_per_day")
        if explicit is not None:
            if len(explicit) != days:
                raise InvalidCourse(f"{len(explicit)} weekdays chosen for {days} days per week",
                                    field=f"{path}.weekdays")
            pattern = explicit
        else:
            if days > 5 and not weekends:
                raise InvalidCourse(f"{days} days per week needs include_weekends: true",
                                    field=f"{where}.days_per_week")
            pattern = _PATTERNS[days]
        total_weeks += weeks
        virtual = _telehealth_weekdays(pattern, delivery, virtual_count, virtual_named, where, path)
        phases.append(PhasePlan(weeks=weeks, days_per_week=days, hours_per_day=hours, weekdays=pattern,
                                telehealth_weekdays=virtual, services_per_day=services))
        _typical_range_notes(level, days, hours, where, defaults, notes)
    if total_weeks > MAX_WEEKS:
        raise InvalidCourse(f"the phases add up to {total_weeks} weeks; at most {MAX_WEEKS}", field=f"{path}.phases")
    if defaults.typical_weeks and not defaults.typical_weeks[0] <= total_weeks <= defaults.typical_weeks[1]:
        notes.append(f"{level.value.upper()} course of {total_weeks} weeks is outside the provider's typical "
                     f"{defaults.typical_weeks[0]}-{defaults.typical_weeks[1]} weeks")
    return Course(level=level, start_date=start, phases=tuple(phases), field_path=path)


def _telehealth_weekdays(pattern: tuple[int, ...], delivery: Delivery, count: int | None,
                         named: tuple[int, ...] | None, where: str, path: str) -> tuple[int, ...]:
    """Which of a phase's weekdays are joined by telehealth (see the module docstring)."""
    if delivery is Delivery.IN_PERSON:
        if count:
            raise InvalidCourse("telehealth days need delivery hybrid or telehealth",
                                field=f"{where}.telehealth_days_per_week")
        return ()
    if delivery is Delivery.TELEHEALTH:
        if count is not None and count != len(pattern):
            raise InvalidCourse(f"a telehealth course has all {len(pattern)} days by telehealth; use hybrid for a mix",
                                field=f"{where}.telehealth_days_per_week")
        return pattern
    if named is not None:
        if not set(named) < set(pattern):
            raise InvalidCourse("hybrid telehealth weekdays must be some, not all, of the program weekdays",
                                field=f"{path}.telehealth_weekdays")
        if count is not None and count != len(named):
            raise InvalidCourse(f"{len(named)} telehealth weekdays named for {count} telehealth days a week",
                                field=f"{where}.telehealth_days_per_week")
        return named
    if count is None or not 1 <= count < len(pattern):
        raise InvalidCourse(f"a hybrid week of {len(pattern)} days needs 1-{len(pattern) - 1} telehealth days a week"
                            f", got {count}", field=f"{where}.telehealth_days_per_week")
    return pattern[len(pattern) - count:]


def _typical_range_notes(level: Level, days: int, hours: Decimal, where: str, defaults: LevelDefaults,
                         notes: list[str]) -> None:
    name = level.value.upper()
    if defaults.typical_days_per_week and not defaults.typical_days_per_week[0] <= days <= defaults.typical_days_per_week[1]:
        lo, hi = defaults.typical_days_per_week
        notes.append(f"{where}: {days} days a week is outside the typical {name} {lo}-{hi} days")
    if defaults.typical_hours_per_day and not defaults.typical_hours_per_day[0] <= hours <= defaults.typical_hours_per_day[1]:
        lo, hi = defaults.typical_hours_per_day
        notes.append(f"{where}: {hours} hours a day is outside the typical {name} {lo}-{hi} hours")


def check_medicare_program_hours(course: Course, rules: MedicareRules) -> None:
    """Refuse a course Medicare would not pay as IOP/PHP (hours per week rule), naming the field."""
    for i, phase in enumerate(course.phases):
        where = f"{course.field_path}.phases[{i}]" if len(course.phases) > 1 else course.field_path
        per_week = phase.hours_per_day * phase.days_per_week
        if course.level is Level.IOP and not rules.iop_hours_per_week_min <= per_week <= rules.iop_hours_per_week_max:
            raise CourseNotCoverable(
                f"Medicare pays IOP for {rules.iop_hours_per_week_min}-{rules.iop_hours_per_week_max} hours of "
                f"services a week (physician-certified minimum of 9 hours, condition code 92; 20 or more hours is "
                f"PHP); this course plans {per_week} hours a week", field=f"{where}.hours_per_day")
        if course.level is Level.PHP and per_week < rules.php_hours_per_week_min:
            raise CourseNotCoverable(
                f"Medicare pays PHP only for at least {rules.php_hours_per_week_min} hours of services a week "
                f"(Medicare Benefit Policy Manual ch. 6 sec. 70.3); this course plans {per_week} hours a week",
                field=f"{where}.hours_per_day")
        services = phase.services_per_day if phase.services_per_day is not None else int(phase.hours_per_day)
        if services < rules.per_diem_min_services:
            stated = phase.services_per_day is not None
            raise CourseNotCoverable(
                f"Medicare pays an IOP/PHP day as a per diem only with at least {rules.per_diem_min_services} "
                f"qualifying services that day (OPPS APCs for 3, or 4 or more, services); this course plans "
                f"{services} a day" + ("" if stated else f" (one per hour of its {phase.hours_per_day} hours; give "
                                                          "services_per_day if it holds more)"),
                field=f"{where}.services_per_day" if stated else f"{where}.hours_per_day")


def service_days(course: Course, calendar: ProgramCalendar = NO_CLOSURES) -> tuple[ServiceDay, ...]:
    """The dated service days of a course, in order; outpatient sessions skip the calendar's closed days.

    Each phase holds ``weeks x days_per_week`` sessions on its weekly pattern; a closed pattern day
    moves the session to the next open pattern day, and the next phase starts on the program-week
    boundary after the phase's last session (without closures: exactly ``weeks`` weeks later).
    """
    if course.is_inpatient:
        before = course.start_date.toordinal() - 1
        return tuple([_new(ServiceDay, (number, _from_ordinal(before + number), INPATIENT_HOURS_PER_DAY, None, (),
                                        False))
                      for number in range(1, (course.length_of_stay_days or 0) + 1)])
    days: list[ServiceDay] = []
    week_start = course.start_date
    # the calendar's closed days, a year at a time (None: it closes on no day)
    closed: dict[int, Mapping[dt.date, str]] | None = {} if calendar.has_closures else None
    for phase in course.phases:
        wanted = phase.weeks * phase.days_per_week
        held = 0
        skipped: list[tuple[dt.date, str]] = []
        # The pattern's days, week after week, in date order (only they can hold a session).
        offsets = sorted({(weekday - week_start.weekday()) % 7 for weekday in phase.weekdays})
        end = week_start  # the day after the phase's last session
        week = week_start
        hours, services, virtual = phase.hours_per_day, phase.services_per_day, phase.telehealth_weekdays
        # each offset falls on one weekday, week after week: whether it is a telehealth day is known once
        by_telehealth = [(offset, (week_start.weekday() + offset) % 7 in virtual) for offset in offsets]
        while held < wanted:
            for offset, telehealth in by_telehealth:
                date = week + _DAYS[offset]
                if closed is None:
                    reason = None
                else:
                    year_closed = closed.get(date.year)
                    if year_closed is None:
                        year_closed = closed[date.year] = calendar.closed_days(date.year)
                    reason = year_closed.get(date)
                if reason is not None:
                    skipped.append((date, reason))
                    if (date - skipped[0][0]).days > MAX_CLOSED_RUN_DAYS:
                        raise InvalidCourse(f"the program is closed on every course day from "
                                            f"{skipped[0][0].isoformat()}: check the program's closed dates",
                                            field=f"{course.field_path}.start_date")
                    continue
                held += 1
                # the tuple itself: a named tuple's own constructor costs more, and this runs once a session
                if skipped:
                    days.append(_new(ServiceDay, (len(days) + 1, date, hours, services, tuple(skipped), telehealth)))
                    skipped = []
                else:
                    days.append(_new(ServiceDay, (len(days) + 1, date, hours, services, (), telehealth)))
                if held == wanted:
                    end = date + _DAYS[1]
                    break
            week += _DAYS[7]
        weeks_used = -(-(end - week_start).days // 7)  # ceiling: a partly used program week counts whole
        week_start += dt.timedelta(days=7 * weeks_used)
    return tuple(days)


def has_telehealth(days: Sequence[ServiceDay]) -> bool:
    """Whether any of ``days`` is joined by telehealth (without a Python step a day)."""
    return any(map(_telehealth, days))


def planned_last_day(course: Course) -> dt.date:
    """The last service day of the course as planned, no day closed: ``service_days(course)[-1].date`` without
    dating every day (a course over closed days says where it would have ended)."""
    if course.is_inpatient:
        return course.start_date + dt.timedelta(days=(course.length_of_stay_days or 1) - 1)
    week_start = last = course.start_date
    for phase in course.phases:
        offsets = sorted({(weekday - week_start.weekday()) % 7 for weekday in phase.weekdays})
        full_weeks, extra = divmod(phase.weeks * phase.days_per_week, len(offsets))
        if extra:
            last = week_start + dt.timedelta(days=7 * full_weeks + offsets[extra - 1])
        else:
            last = week_start + dt.timedelta(days=7 * (full_weeks - 1) + offsets[-1])
        weeks_used = -(-(last + _DAYS[1] - week_start).days // 7)
        week_start += dt.timedelta(days=7 * weeks_used)
    return last
