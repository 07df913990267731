"""Pricing runs of identical days at once gives every day line, event and note of day-by-day pricing (hypothesis),
and the arithmetic of how many days fit in what is left."""

import datetime as dt
from decimal import Decimal as D

from hypothesis import example, given, settings
from hypothesis import strategies as st

from contracts.benefits import (
    Accumulator,
    CopayTier,
    Level,
    LevelBenefits,
    Limit,
    Network,
    TelehealthCostShare,
)
from service.pricing.calendar import plan_year_start
from service.pricing.course import ServiceDay
from service.pricing.day_runs import repeats_below
from service.pricing.engine import (
    DayLine,
    DayRun,
    Notes,
    accumulate_commercial,
    commercial_runs,
    days_and_patient_total,
    lines_of,
    resolve_terms,
    runs_of,
    self_pay_runs,
    telehealth_terms,
)

# Round figures as often as odd cents: a deductible or maximum that is an exact multiple of a day's share puts
# the crossing on a run's last day, where an off-by-one would hide.
money = st.one_of(st.integers(0, 60).map(lambda n: D(n * 50)),
                  st.integers(min_value=0, max_value=300_000).map(lambda c: D(c) / 100))
day_money = st.one_of(st.integers(0, 20).map(lambda n: D(n * 50)),
                      st.integers(min_value=0, max_value=200_000).map(lambda c: D(c) / 100))
maybe = st.one_of


percent = st.one_of(st.sampled_from([D(0), D(10), D(20), D(50), D(100)]), st.integers(0, 100).map(D))
accumulators = maybe(st.none(), st.builds(Accumulator, total=maybe(st.none(), money),
                                          remaining=maybe(st.none(), money)))
tier_lists = maybe(st.just([]), st.builds(lambda last, amount: [CopayTier(first_day=1, last_day=last, amount=amount)],
                                          st.integers(1, 10), day_money),
                   st.builds(lambda first, amount: [CopayTier(first_day=first, amount=amount)],
                             st.integers(1, 10), day_money))
limits = maybe(st.none(), st.builds(
    Limit, quantity=maybe(st.none(), st.integers(0, 60)), unit=st.sampled_from(["days", "visits", "hours"]),
    period=st.sampled_from([None, "calendar_year", "lifetime"]), used=maybe(st.none(), st.integers(0, 30)),
    remaining=maybe(st.none(), st.integers(0, 60))))
virtual_terms = maybe(st.none(), st.builds(TelehealthCostShare, copay=maybe(st.none(), day_money),
                                           coinsurance_percent=maybe(st.none(), percent),
                                           deductible_applies=maybe(st.none(), st.booleans())))
plans = st.builds(
    LevelBenefits, level=st.sampled_from([Level.IOP, Level.INPATIENT]), network=st.just(Network.IN),
    covered=st.sampled_from([True, True, True, None, False]),
    deductible_individual=accumulators, deductible_family=accumulators, oop_max_individual=accumulators,
    oop_max_family=accumulators, coinsurance_percent=maybe(st.none(), percent), copay=maybe(st.none(), day_money),
    copay_per=st.sampled_from([None, "day", "visit", "admission"]), copay_tiers=tier_lists, limit=limits,
    deductible_applies=st.sampled_from([None, True, False]), copay_with_coinsurance=st.sampled_from([None, True, False]),
    family_deductible_embedded=st.sampled_from([None, True, False]), telehealth=virtual_terms)


@st.composite
def courses(draw):
    """Dated days on a repeating pattern of gaps and hours, switching between in person and telehealth at a few
    days (or alternating), crossing plan years at times."""
    date = draw(st.dates(dt.date(2025, 9, 1), dt.date(2026, 12, 20)))
    gaps = draw(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=1, max_size=5))
    hours = draw(st.lists(st.integers(1, 8).map(D), min_size=1, max_size=3))
    count = draw(st.integers(1, 90))
    switches = set(draw(st.lists(st.integers(1, count), max_size=4)))
    alternate = draw(st.integers(0, 9)) == 0
    days, telehealth = [], False
    for number in range(1, count + 1):
        telehealth = (number % 2 == 0) if alternate else telehealth != (number in switches)
        days.append(ServiceDay(number=number, date=date, hours=hours[number % len(hours)], telehealth=telehealth))
        date += dt.timedelta(days=gaps[number % len(gaps)])
    return days


def _days(count, telehealth=False):
    return [ServiceDay(number=n, date=dt.date(2026, 3, 1) + dt.timedelta(days=n), hours=D(3), telehealth=telehealth)
            for n in range(1, count + 1)]


# Crossings on a run's last day: the out-of-pocket maximum reached exactly (500.00 room = 10 days of 20 % of
# 250.00) and the family deductible met exactly (750.00 = 3 days of 250.00, the individual one larger).
@example(LevelBenefits(level=Level.IOP, network=Network.IN, covered=True, coinsurance_percent=D(20),
                       oop_max_individual=Accumulator(total=D(500), remaining=D(500))),
         _days(20), D(250), D(400), D(200), False, None)
@example(LevelBenefits(level=Level.IOP, network=Network.IN, covered=True, coinsurance_percent=D(20),
                       deductible_individual=Accumulator(total=D(2000), remaining=D(2000)),
                       deductible_family=Accumulator(total=D(750), remaining=D(750))),
         _days(20), D(250), D(400), D(200), False, None)
@settings(max_examples=200, deadline=None)
@given(plans, courses(), day_money, day_money, day_money, st.booleans(),
       maybe(st.none(), st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31))))
def test_runs_price_every_day_as_day_by_day_pricing(lb, days, allowed, gross, self_pay, out, plan_begin):
    def price(runs: bool):
        notes = Notes()
        terms = resolve_terms(lb, notes, "in-network")
        virtual = telehealth_terms(lb, terms, notes) if any(d.telehealth for d in days) else None
        year_of = lambda d: plan_year_start(d, plan_begin)  # noqa: E731
        lines = accumulate_commercial(days, terms, allowed_per_day=allowed, gross_per_day=gross,
                                      self_pay_per_day=self_pay, plan_year_of=year_of,
                                      current_plan_year=year_of(days[0].date), out_of_network=out,
                                      is_inpatient=lb.level is Level.INPATIENT, notes=notes, virtual_terms=virtual,
                                      repeat=runs)
        return lines, notes

    by_run, by_day = price(True), price(False)
    assert by_run[0] == by_day[0]  # every field of every day: amounts, kind, label, events, remaining deductible
    assert by_run[1] == by_day[1]


def test_a_twelve_week_coinsurance_course_is_a_handful_of_runs():
    # 36 IOP days at 300.00 allowed, deductible 900.00 left, 20 %, OOP 2,000.00 left (the deductible counts):
    # days 1-3 deductible 300.00 each (the third takes the last 300.00), leaving 2,000.00 - 900.00 = 1,100.00
    # of out-of-pocket room; days 4-36 20 % of 300.00 = 60.00 each: 1,100.00 / 60.00 = 18 days (1,080.00,
    # days 4-21), day 22 pays the last 20.00, days 23-36 $0.00.
    lb = LevelBenefits(level=Level.IOP, network=Network.IN, covered=True,
                       deductible_individual=Accumulator(total=D(1500), remaining=D(900)),
                       oop_max_individual=Accumulator(total=D(5000), remaining=D(2000)),
                       coinsurance_percent=D(20))
    notes = Notes()
    days = [ServiceDay(number=n, date=dt.date(2026, 1, 5) + dt.timedelta(days=n), hours=D(3)) for n in range(1, 37)]
    lines = accumulate_commercial(days, resolve_terms(lb, notes, "in-network"), allowed_per_day=D(300),
                                  gross_per_day=D(400), self_pay_per_day=D(250), plan_year_of=lambda d: dt.date(2026, 1, 1),
                                  current_plan_year=dt.date(2026, 1, 1), out_of_network=False, is_inpatient=False,
                                  notes=notes)
    patient = [line.deductible + line.copay + line.coinsurance for line in lines]
    assert patient == [D("300.00")] * 3 + [D("60.00")] * 18 + [D("20.00")] + [D("0.00")] * 14
    assert sum(patient) == D("2000.00")  # the whole out-of-pocket room: 900.00 + 1,080.00 + 20.00
    assert [line.remaining_before for line in lines[:4]] == [D(900), D(600), D(300), D(0)]


def test_repeats_below_counts_days_strictly_inside_the_room():
    assert repeats_below(D("500.00"), D("100.00")) == 4  # 100, 200, 300, 400 < 500; 500 is the crossing day
    assert repeats_below(D("501.00"), D("100.00")) == 5
    assert repeats_below(D("99.99"), D("100.00")) == 0
    assert repeats_below(D("0.00"), D("60.00")) == 0


def test_days_and_patient_total_add_up_each_days_patient_share():
    # explanations add a run's patient shares without DayLine.patient's call a day: the same sum
    lines = [DayLine(number=1, date=dt.date(2026, 3, 2), hours=D(3), gross=D("400.00"), deductible=D("250.00"),
                     coinsurance=D("10.00"), balance_bill=D("100.00")),
             DayLine(number=2, date=dt.date(2026, 3, 3), hours=D(3), gross=D("400.00"), copay=D("25.00"),
                     not_covered=D("1.50"), over_limit=D("2.25"), self_pay=D("0.25"))]
    # day 1: 250.00 + 10.00 + 100.00 = 360.00; day 2: 25.00 + 1.50 + 2.25 + 0.25 = 29.00; 389.00 in all
    assert days_and_patient_total(runs_of(lines))[1] == sum((line.patient for line in lines), D(0)) == D("389.00")
    assert days_and_patient_total([]) == (0, D("0.00"))
    # day 1 repeated on two more days: 3 x 360.00 + 29.00 = 1109.00, on 3 + 1 = 4 days
    repeated = DayRun(lines[0], more=_days(3)[1:])
    assert days_and_patient_total([repeated, DayRun(lines[1])]) == (4, D("1109.00"))
    assert sum((line.patient for line in repeated.lines()), D(0)) == D("1080.00")


def test_a_day_after_a_closure_starts_a_run_for_its_explanation_event():
    # 20 coinsurance days, the program closed before days 8 and 15: the runs are days 1-7, 8-14 and 15-20 (the
    # closure note goes on a run's first day), in covered and in self-pay pricing alike
    days = [day._replace(after_closures=((day.date - dt.timedelta(days=1), "staff training"),))
            if day.number in (8, 15) else day for day in _days(20)]
    lb = LevelBenefits(level=Level.IOP, network=Network.IN, covered=True, coinsurance_percent=D(20))
    covered = commercial_runs(days, resolve_terms(lb, Notes(), "in-network"), allowed_per_day=D(300),
                              gross_per_day=D(400), self_pay_per_day=D(250), plan_year_of=lambda d: dt.date(2026, 1, 1),
                              current_plan_year=dt.date(2026, 1, 1), out_of_network=False, is_inpatient=False,
                              notes=Notes())
    self_pay = self_pay_runs(days, D(400), D(250), bucket="self_pay", label="self-pay", kind="self_pay")
    for runs in (covered, self_pay):
        assert [(run.line.number, run.last_number) for run in runs] == [(1, 7), (8, 14), (15, 20)]
        assert [line.number for line in lines_of(runs)] == list(range(1, 21))


@settings(max_examples=100, deadline=None)
@given(st.none() | st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
       st.lists(st.dates(dt.date(2023, 1, 1), dt.date(2029, 12, 31)), min_size=1, max_size=12))
@example(dt.date(2024, 2, 29), [dt.date(2025, 2, 28), dt.date(2025, 2, 27), dt.date(2028, 2, 29), dt.date(2028, 2, 28)])
def test_one_plans_years_kept_answer_as_plan_year_start(plan_begin, days):
    # a 29 February plan begin starts 28 February in other years; asked in any order, the kept years answer alike
    from service.pricing.calendar import plan_years  # noqa: PLC0415

    year_of = plan_years(plan_begin)
    assert [year_of(day) for day in days] == [plan_year_start(day, plan_begin) for day in days]
