"""Per-day rows stored packed (packed_days.py) come back exactly as the rows built at once: the same figures, written
the same way (a Decimal's equality would take 300.0 for 300.00; the JSON compared here would not)."""

import datetime as dt
from decimal import Decimal as D

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import estimate_engine
from service.pricing.closures import FEDERAL_HOLIDAYS
from service.pricing.course import ServiceDay
from service.pricing.engine import DayLine, DayRun, lines_of, runs_of
from service.pricing.estimate import estimate_levels
from service.pricing.packed_days import PackedDays, day_rows, pack_days, unpack_days
from service.pricing.totals import level_totals

_encode = msgspec.json.Encoder(decimal_format="string").encode

figures = st.sampled_from([D("0.00"), D("0"), D("0.0"), D("300.00"), D("300.0"), D("60.00"), D("12.34"), D("240.00")])


@st.composite
def day_lines(draw):
    """Days with figures drawn from a few values written several ways; some days repeat the day before with the very
    same Decimal objects (as the engine's runs of identical days do)."""
    lines: list[DayLine] = []
    date = dt.date(2026, 1, 5)
    for number in range(1, draw(st.integers(1, 40)) + 1):
        previous = lines[-1] if lines else None
        how = draw(st.sampled_from(["repeat", "rewrite", "new"])) if previous is not None else "new"
        if previous is not None and how != "new":
            # "rewrite": the day before's figures, some written with a third decimal place (equal, not the same)
            rewrite = draw(st.lists(st.booleans(), min_size=11, max_size=11)) if how == "rewrite" else [False] * 11
            amounts = [value + D("0.000") if again else value for value, again in zip(
                (previous.gross, previous.allowed, previous.payer, previous.deductible, previous.copay,
                 previous.coinsurance, previous.not_covered, previous.over_limit, previous.self_pay,
                 previous.balance_bill, previous.waived), rewrite, strict=True)]
            gross, allowed, *rest = amounts
            line = DayLine(number, date, previous.hours, gross, previous.telehealth, allowed, *rest)
        else:
            line = DayLine(number=number, date=date, hours=draw(st.sampled_from([D(3), D("3.0"), D(24)])),
                           gross=draw(figures), telehealth=draw(st.booleans()), allowed=draw(figures),
                           payer=draw(figures), deductible=draw(figures), copay=draw(figures),
                           coinsurance=draw(figures), not_covered=draw(figures), over_limit=draw(figures),
                           self_pay=draw(figures), balance_bill=draw(figures), waived=draw(figures))
        lines.append(line)
        date += dt.timedelta(days=draw(st.integers(1, 3)))
    return lines


@settings(max_examples=100, deadline=None)
@given(day_lines())
def test_packed_rows_come_back_as_the_rows_built_at_once(lines):
    packed = pack_days(runs_of(lines))
    stored = msgspec.json.decode(_encode(packed), type=PackedDays)  # as the estimates table keeps them
    assert _encode(unpack_days(stored)) == _encode(day_rows(runs_of(lines)))
    assert stored.patient_pays() == [row.patient_pays for row in day_rows(runs_of(lines))]
    assert len(packed.money) <= len(lines)


def test_a_three_level_estimate_packs_to_its_rows_in_a_few_money_rows():
    # the three-level 12-week PPO estimate of the benchmarks, over federal holidays
    inp = estimate_engine.THREE
    import dataclasses  # noqa: PLC0415

    inp = dataclasses.replace(inp, calendar=FEDERAL_HOLIDAYS)
    packed: list[PackedDays] = []
    comparison = estimate_levels(inp, estimate_engine.PPO, estimate_engine.RATES, estimate_engine.FIGURES,
                                 packed_days=packed)
    assert len(packed) == len(comparison.estimates) == 3
    for level, days in zip(comparison.estimates, packed, strict=True):
        assert _encode(unpack_days(days)) == _encode(level.days)
        assert len(days.numbers) == level.service_days
        assert len(days.money) <= 6  # deductible days, a crossing day, coinsurance days (and the like)


@settings(max_examples=30, deadline=None)
@given(day_lines(), st.lists(st.integers(0, 4), min_size=40, max_size=40))
def test_runs_give_the_rows_and_packing_of_their_days_one_by_one(lines, repeats):
    # each drawn day followed by 0-4 days that repeat it (engine.DayRun): the rows, the packing and the totals of the
    # runs are those of their days taken one by one
    runs, number, date = [], 1, dt.date(2026, 1, 5)
    for line, extra in zip(lines, repeats):
        first = DayLine(number, date, line.hours, line.gross, line.telehealth, line.allowed, line.payer,
                        line.deductible, line.copay, line.coinsurance, line.not_covered, line.over_limit,
                        line.self_pay, line.balance_bill, line.waived, remaining_before=D("500.00"))
        more = [ServiceDay(number + k, date + dt.timedelta(days=k), D(k % 3 + 1)) for k in range(1, extra + 1)]
        runs.append(DayRun(first, more))
        number, date = number + extra + 1, date + dt.timedelta(days=extra + 1)
    one_by_one = runs_of(lines_of(runs))
    assert _encode(day_rows(runs)) == _encode(day_rows(one_by_one))
    assert _encode(pack_days(runs)) == _encode(pack_days(one_by_one))
    assert _encode(list(level_totals(runs))) == _encode(list(level_totals(one_by_one)))
