"""A level's per-day rows, packed: what an estimate stores instead of one JSON object a day. Pure.

A 12-week course has 36 to 84 service days but only a handful of distinct money rows (the deductible days, the
crossing day, the coinsurance days, the days after the out-of-pocket maximum): the days are stored as columns
(number, date, hours, telehealth) and an index into the distinct money rows. Packing reads the engine's runs of
identical days (``engine.DayRun``) once; :func:`unpack_days` gives back exactly the ``ServiceDayOut`` rows
:func:`day_rows` builds from the same runs (the unit tests hold the two equal), so an estimate answers the same days whether they were built at once or
read back from the store. An estimate made without ``?include=days`` never builds the rows at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from operator import attrgetter

import msgspec

from contracts.estimate import ServiceDayOut
from service.pricing.engine import DayLine, DayRun

_number, _date, _hours = attrgetter("number"), attrgetter("date"), attrgetter("hours")

#: One money row: gross, allowed, payer_pays, patient_pays, deductible, copay, coinsurance, not_covered,
#: over_limit, balance_bill, waived_cost_sharing (ServiceDayOut's money fields, in its order).
MoneyRow = tuple[Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal]


class PackedDays(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    """One level's service days as columns, and their distinct money rows (stored as a JSON array)."""

    numbers: list[int]
    dates: list[dt.date]
    hours: list[Decimal]
    telehealth: list[bool]
    money: list[MoneyRow]
    #: per day, the index of its row in ``money``
    money_of_day: list[int]

    def patient_pays(self) -> list[Decimal]:
        """Each day's patient share, in day order (what the sliding fee discounts day by day)."""
        shares = [row[3] for row in self.money]
        return [shares[index] for index in self.money_of_day]


def _money(line: DayLine) -> MoneyRow:
    return (line.gross, line.allowed, line.payer, line.patient, line.deductible, line.copay, line.coinsurance,
            line.not_covered + line.self_pay, line.over_limit, line.balance_bill, line.waived)


def day_rows(runs: Sequence[DayRun]) -> list[ServiceDayOut]:
    """The per-day rows of a level's days (the answer's ``days``): a run's days carry its first day's figures."""
    rows: list[ServiceDayOut] = []
    for run in runs:
        d = run.line
        patient, not_covered = d.patient, d.not_covered + d.self_pay
        rows.append(ServiceDayOut(day=d.number, date=d.date, hours=d.hours, telehealth=d.telehealth, gross=d.gross,
                                  allowed=d.allowed, payer_pays=d.payer, patient_pays=patient,
                                  deductible=d.deductible, copay=d.copay, coinsurance=d.coinsurance,
                                  not_covered=not_covered, over_limit=d.over_limit, balance_bill=d.balance_bill,
                                  waived_cost_sharing=d.waived))
        rows.extend([ServiceDayOut(day=day.number, date=day.date, hours=day.hours, telehealth=d.telehealth,
                                   gross=d.gross, allowed=d.allowed, payer_pays=d.payer, patient_pays=patient,
                                   deductible=d.deductible, copay=d.copay, coinsurance=d.coinsurance,
                                   not_covered=not_covered, over_limit=d.over_limit, balance_bill=d.balance_bill,
                                   waived_cost_sharing=d.waived) for day in run.more])
    return rows


def _text(row: MoneyRow) -> tuple[str, ...]:
    return tuple(map(str, row))


def pack_days(runs: Sequence[DayRun]) -> PackedDays:
    """A level's days as :class:`PackedDays`, run by run (a run's days share its money row). Two days share a money
    row only when every figure is written the same (Decimal equality alone would take ``300.0`` for ``300.00``, and
    the answer would then say it differently)."""
    # keyed by the figures as written: that is what two days must share (and a fresh Decimal's hash costs more)
    index_of: dict[tuple[str, ...], int] = {}
    money: list[MoneyRow] = []
    money_of_day: list[int] = []
    numbers: list[int] = []
    dates: list[dt.date] = []
    hours: list[Decimal] = []
    telehealth: list[bool] = []
    for run in runs:
        line = run.line
        row = _money(line)
        found = index_of.setdefault(_text(row), len(money))
        if found == len(money):
            money.append(row)
        numbers.append(line.number)
        dates.append(line.date)
        hours.append(line.hours)
        telehealth.append(line.telehealth)
        if run.more:
            money_of_day.extend([found] * run.count)
            numbers.extend(map(_number, run.more))
            dates.extend(map(_date, run.more))
            hours.extend(map(_hours, run.more))
            telehealth.extend([line.telehealth] * len(run.more))
        else:
            money_of_day.append(found)
    return PackedDays(numbers=numbers, dates=dates, hours=hours, telehealth=telehealth, money=money,
                      money_of_day=money_of_day)


def unpack_days(packed: PackedDays) -> list[ServiceDayOut]:
    """The per-day rows :func:`day_rows` gives for the lines ``packed`` was made from."""
    money = packed.money
    return [ServiceDayOut(day=number, date=date, hours=hours, telehealth=telehealth, gross=row[0], allowed=row[1],
                          payer_pays=row[2], patient_pays=row[3], deductible=row[4], copay=row[5], coinsurance=row[6],
                          not_covered=row[7], over_limit=row[8], balance_bill=row[9], waived_cost_sharing=row[10])
            for number, date, hours, telehealth, row in zip(
                packed.numbers, packed.dates, packed.hours, packed.telehealth,
                (money[index] for index in packed.money_of_day), strict=True)]
