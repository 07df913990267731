"""Program days skip closed days: US federal holidays (5 U.S.C. 6103(a), via the ``holidays`` library) and the
provider's own closures. A session on a closed day moves to the next day of the weekly pattern."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing_support import FIGURES, D, CourseOfCare, Level, commercial, dt, level_benefits, request
from service.config import ConfigError, load_settings
from service.pricing.closures import FEDERAL_HOLIDAYS, NO_CLOSURES, ProgramCalendar
from service.pricing.course import InvalidCourse, build_course, service_days
from service.pricing.estimate import estimate_levels, pricing_input_from_request
from pricing_support import RATES
from contracts.estimate import Phase

MON_2026_01_12 = dt.date(2026, 1, 12)


def _course(level=Level.IOP, **kw):
    wire = CourseOfCare(level=level, **kw)
    return build_course(wire, level, default_start=MON_2026_01_12, defaults=FIGURES.level_defaults[level],
                        path="$.courses[0]")


def test_mlk_day_moves_the_monday_session_and_the_course_ends_one_pattern_day_later():
    # Martin Luther King Jr. Day is the third Monday of January (5 U.S.C. 6103(a)): Mon 19 Jan 2026.
    # Mon/Wed/Fri x 2 weeks = 6 sessions: Jan 12, 14, 16, [19 closed], 21, 23, 26.
    days = service_days(_course(weeks=2, days_per_week=3), FEDERAL_HOLIDAYS)
    assert [d.date.day for d in days] == [12, 14, 16, 21, 23, 26]
    assert days[3].after_closures == ((dt.date(2026, 1, 19), "Martin Luther King Jr. Day"),)
    # without closures the same course ends Fri Jan 23
    assert service_days(_course(weeks=2, days_per_week=3), NO_CLOSURES)[-1].date == dt.date(2026, 1, 23)


def test_the_providers_own_closure_and_the_next_phase_starts_on_the_following_program_week():
    calendar = ProgramCalendar(closed_dates={dt.date(2026, 1, 14): "staff training day"})
    course = _course(phases=[Phase(weeks=1, days_per_week=3, hours_per_day=D(3)),
                             Phase(weeks=1, days_per_week=2, hours_per_day=D(3))])
    days = service_days(course, calendar)
    # phase 1 (Mon/Wed/Fri): Jan 12, [14 closed], 16, 19 -> it used 2 program weeks (from Jan 12 and Jan 19);
    # phase 2 (Mon/Thu) starts Mon Jan 26: Jan 26, 29.
    assert [d.date.day for d in days] == [12, 16, 19, 26, 29]
    assert [d.number for d in days] == [1, 2, 3, 4, 5]


def test_an_inpatient_stay_runs_through_holidays():
    days = service_days(_course(Level.INPATIENT, length_of_stay_days=10), FEDERAL_HOLIDAYS)
    assert [d.date.day for d in days] == list(range(12, 22))  # Jan 19 included
    assert not any(d.after_closures for d in days)


def test_every_day_closed_is_refused_naming_the_field():
    everything = ProgramCalendar(closed_dates={MON_2026_01_12 + dt.timedelta(days=i): "closed" for i in range(400)})
    with pytest.raises(InvalidCourse) as caught:
        service_days(_course(weeks=1, days_per_week=3), everything)
    assert caught.value.errors[0].field == "$.courses[0].start_date"


def test_the_estimate_says_which_closures_the_course_runs_over_and_keeps_its_days():
    # Commercial copay $50 a day, no deductible: PHP 5 days a week x 2 weeks from Mon Nov 23 2026 = 10 sessions.
    # Thanksgiving Day, the fourth Thursday of November (5 U.S.C. 6103(a)), is Nov 26: sessions Nov 23, 24, 25,
    # 27, 30, Dec 1, 2, 3, 4, 7. Ten days x $50 = $500.00, as without the closure.
    benefits = commercial(level_benefits(Level.PHP, copay=D(50)))
    course = CourseOfCare(level=Level.PHP, weeks=2, days_per_week=5, hours_per_day=D(6))
    inp = pricing_input_from_request(request(course), default_start=dt.date(2026, 11, 23), figures=FIGURES,
                                     calendar=FEDERAL_HOLIDAYS)
    est = estimate_levels(inp, benefits, RATES, FIGURES).estimates[0]
    assert est.service_days == 10
    assert est.totals.patient_pays == D("500.00")
    assert est.last_service_date == dt.date(2026, 12, 7)
    assert any(line.text == "The program is closed on Thu Nov 26 (Thanksgiving Day): no session then, so day 4 "
                            "is Fri Nov 27" for line in est.explanation)
    assert any("runs over 1 closed day(s), Thu Nov 26 (Thanksgiving Day): the course keeps its 10 program days "
               "and ends Mon Dec 7 instead of Fri Dec 4" in w for w in est.warnings)


def test_closed_dates_setting_is_parsed_and_a_bad_date_is_named():
    settings = load_settings({"PROGRAM_CLOSED_DATES": "2026-12-24=Christmas Eve, 2026-12-31"})
    assert settings.program_closed_dates == {dt.date(2026, 12, 24): "Christmas Eve",
                                             dt.date(2026, 12, 31): "program closed"}
    assert settings.program_federal_holidays is True
    with pytest.raises(ConfigError, match="PROGRAM_CLOSED_DATES must be YYYY-MM-DD"):
        load_settings({"PROGRAM_CLOSED_DATES": "2026-12-32"})


def test_calendar_round_trips_through_its_stored_form():
    calendar = ProgramCalendar(federal_holidays=True, closed_dates={dt.date(2026, 12, 24): "Christmas Eve"})
    assert ProgramCalendar.from_dict(calendar.to_dict()) == calendar


@settings(max_examples=150, deadline=None)
@given(st.booleans(), st.dictionaries(st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)),
                                      st.sampled_from(["staff training day", "Christmas Eve"]), max_size=6),
       st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)))
def test_a_years_closed_days_say_what_closure_says_for_each_day(federal, own, day):
    # service_days looks days up in closed_days(year); it must agree with closure(day), the provider's own
    # reason winning over a federal holiday's
    calendar = ProgramCalendar(federal_holidays=federal, closed_dates=own)
    assert calendar.closed_days(day.year).get(day) == calendar.closure(day)
    holiday = dt.date(2026, 7, 3)  # Independence Day, observed
    assert ProgramCalendar(federal_holidays=True, closed_dates={holiday: "ours"}).closed_days(2026)[holiday] == "ours"
    assert calendar.has_closures is (federal or bool(own))
