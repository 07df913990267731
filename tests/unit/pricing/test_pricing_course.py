"""Course of care: defaults, weekday patterns, step-down phases, validation naming the field."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing_support import FIGURES, D, CourseOfCare, Level, dt, request
from contracts.estimate import Phase, Weekday
from service.errors import InvalidInput
from service.pricing.course import Course, PhasePlan, build_course, planned_last_day, service_days
from service.pricing.estimate import pricing_input_from_request


def days_of(course, start=dt.date(2026, 1, 5)):
    c = build_course(course, course.level, default_start=start, defaults=FIGURES.level_defaults[course.level],
                     path="$.courses[0]")
    return service_days(c)


def test_defaults_from_levels_of_care():
    inp = pricing_input_from_request(request(), default_start=dt.date(2026, 1, 5), figures=FIGURES)
    counts = [len(service_days(c)) for c in inp.courses]
    # IOP 3 x 8 = 24; PHP 5 x 3 = 15; inpatient 10 days
    assert counts == [24, 15, 10]


def test_three_days_a_week_is_mon_wed_fri_from_any_start_day():
    days = days_of(CourseOfCare(level=Level.IOP, weeks=1), start=dt.date(2026, 1, 8))  # a Thursday
    assert [d.date for d in days] == [dt.date(2026, 1, 9), dt.date(2026, 1, 12), dt.date(2026, 1, 14)]


def test_four_days_is_mon_to_thu():
    days = days_of(CourseOfCare(level=Level.IOP, weeks=1, days_per_week=4))
    assert [d.date.weekday() for d in days] == [0, 1, 2, 3]


def test_explicit_weekdays():
    days = days_of(CourseOfCare(level=Level.IOP, weeks=1, weekdays=[Weekday.TUE, Weekday.THU, Weekday.FRI]))
    assert [d.date.weekday() for d in days] == [1, 3, 4]


def test_step_down_phases():
    phases = [Phase(weeks=3, days_per_week=4, hours_per_day=D(3)), Phase(weeks=3, days_per_week=3, hours_per_day=D(3)),
              Phase(weeks=2, days_per_week=2, hours_per_day=D(3))]
    days = days_of(CourseOfCare(level=Level.IOP, phases=phases))
    assert len(days) == 25  # 12 + 9 + 4, as levels-of-care.json step_down_example


def test_inpatient_every_day():
    days = days_of(CourseOfCare(level=Level.INPATIENT, length_of_stay_days=3))
    assert [d.date for d in days] == [dt.date(2026, 1, 5), dt.date(2026, 1, 6), dt.date(2026, 1, 7)]


@pytest.mark.parametrize(("course", "field"), [
    (CourseOfCare(level=Level.IOP, hours_per_day=D(0)), "$.courses[0].hours_per_day"),
    (CourseOfCare(level=Level.IOP, hours_per_day=D(25)), "$.courses[0].hours_per_day"),
    (CourseOfCare(level=Level.IOP, days_per_week=0), "$.courses[0].days_per_week"),
    (CourseOfCare(level=Level.IOP, days_per_week=8), "$.courses[0].days_per_week"),
    (CourseOfCare(level=Level.IOP, days_per_week=6), "$.courses[0].days_per_week"),
    (CourseOfCare(level=Level.IOP, weeks=53), "$.courses[0].weeks"),
    (CourseOfCare(level=Level.INPATIENT, length_of_stay_days=0), "$.courses[0].length_of_stay_days"),
    (CourseOfCare(level=Level.IOP, phases=[Phase(weeks=1, days_per_week=9, hours_per_day=D(3))]),
     "$.courses[0].phases[0].days_per_week"),
])
def test_impossible_values_refused_naming_the_field(course, field):
    with pytest.raises(InvalidInput) as err:
        pricing_input_from_request(request(course), default_start=dt.date(2026, 1, 5), figures=FIGURES)
    assert err.value.errors[0].field == field


def test_outside_typical_range_warns_not_refuses():
    inp = pricing_input_from_request(request(CourseOfCare(level=Level.IOP, hours_per_day=D(5))),
                                     default_start=dt.date(2026, 1, 5), figures=FIGURES)
    assert any("outside the typical IOP 2-4 hours" in w for w in inp.warnings)


def test_exactly_one_benefits_source():
    with pytest.raises(InvalidInput):
        pricing_input_from_request(request(self_pay=True, eligibility_check_id="x"), default_start=dt.date(2026, 1, 5), figures=FIGURES)


_phase_plans = st.builds(
    lambda weeks, weekdays, hours: PhasePlan(weeks=weeks, days_per_week=len(weekdays), hours_per_day=D(hours),
                                             weekdays=tuple(sorted(weekdays))),
    st.integers(1, 12), st.sets(st.integers(0, 6), min_size=1, max_size=7), st.integers(1, 8))


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)), st.lists(_phase_plans, min_size=1, max_size=3),
       st.sampled_from([Level.IOP, Level.PHP, Level.INPATIENT]), st.integers(1, 90))
def test_the_planned_last_day_is_the_last_service_day_without_closures(start, phases, level, stay):
    # closure notes say where a course would have ended; planned_last_day works it out without dating every day
    if level is Level.INPATIENT:
        course = Course(level=level, start_date=start, length_of_stay_days=stay)
    else:
        course = Course(level=level, start_date=start, phases=tuple(phases))
    assert planned_last_day(course) == service_days(course)[-1].date
