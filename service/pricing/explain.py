"""Day lines -> sentences intake staff can read aloud, one per run of days treated alike.

Consecutive days with the same treatment (same kind and wording) form one line: "Days 5-24
(Jan 12-Feb 20): 20% coinsurance of $400.00 = $80.00 a day, $1,600.00 in all". Milestones
(out-of-pocket maximum reached, new plan year, limit reached) are lines of their own and
always end a run.

A hybrid course (some days in person, some by telehealth) is told as two runs of days, the
in-person days first, then the telehealth days ("24 in-person days, day 1 to day 35 (...)"), so
a week that alternates does not become one line per day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal

from contracts.estimate import ExplanationLine, LineKind
from service.money import ZERO, format_usd
from service.pricing.engine import DayLine, DayRun, days_and_patient_total, short_date

_KINDS = {
    "deductible": LineKind.DEDUCTIBLE, "copay": LineKind.COPAY, "coinsurance": LineKind.COINSURANCE,
    "reserve": LineKind.COINSURANCE, "cost_share": LineKind.COST_SHARE, "medicaid": LineKind.COST_SHARE,
    "plan_pays_all": LineKind.PLAN_PAYS_ALL, "oop_met": LineKind.OOP_MET, "not_covered": LineKind.NOT_COVERED,
    "psych_limit": LineKind.NOT_COVERED, "self_pay": LineKind.NOT_COVERED, "over_limit": LineKind.OVER_LIMIT,
    "exhausted": LineKind.OVER_LIMIT, "waived": LineKind.WAIVED, "coordinated": LineKind.COST_SHARE,
}


def _span(first: DayLine, last_number: int, last_date: dt.date, days: int) -> str:
    if days == 1:
        return f"Day {first.number} ({short_date(first.date)})"
    dates = f"{short_date(first.date)}\u2013{short_date(last_date)}"
    if last_number - first.number + 1 != days:  # one stream of a hybrid course: not every day between
        kind = "telehealth" if first.telehealth else "in-person"
        return f"{days} {kind} days, day {first.number} to day {last_number} ({dates})"
    return f"Days {first.number}\u2013{last_number} ({dates})"


def _group_text(group: Sequence[DayRun], last_number: int, last_date: dt.date) -> tuple[str, Decimal]:
    first = group[0].line
    days, total = days_and_patient_total(group)
    span = _span(first, last_number, last_date, days)
    if first.kind == "deductible":
        remaining = first.remaining_before
        deductible = sum((run.line.deductible * run.count for run in group), ZERO)
        toward = f"{format_usd(deductible)} toward your remaining "
        toward += f"{format_usd(remaining)} " if remaining is not None else ""
        # balance-bill wording, if any, follows the deductible name
        name, sep, extra = first.label.partition(";")
        text = f"{span}: {toward}{name}" + (f";{extra}; you pay {format_usd(total)} in all" if sep else "")
        return text, total
    text = f"{span}: {first.label}"
    if days > 1:
        if first.kind == "waived":
            waived = sum((run.line.waived * run.count for run in group), ZERO)
            text += f" ({format_usd(waived)} in all, which you do not pay)" if waived else ""
        elif total:
            text += f", {format_usd(total)} in all"
    return text, total


def explain(runs: Sequence[DayRun]) -> list[ExplanationLine]:
    """The explanation of a level's days, taken run by run (a run of identical days is one stretch of a line)."""
    virtual = [run for run in runs if run.line.telehealth]
    if virtual and len(virtual) != len(runs):
        return [*_explain_run([run for run in runs if not run.line.telehealth]), *_explain_run(virtual)]
    return _explain_run(runs)


def _explain_run(runs: Sequence[DayRun]) -> list[ExplanationLine]:
    out: list[ExplanationLine] = []
    group: list[DayRun] = []
    for run in _each_cost_share_day_alone(runs):
        line = run.line
        if group and (line.events_before or group[-1].events_after or line.kind != group[0].line.kind
                      or line.label != group[0].line.label or line.kind == "cost_share"):
            _flush(group, out)
            group = []
        for event in line.events_before:
            out.append(ExplanationLine(kind=LineKind.EVENT, text=event, first_day=line.number,
                                       last_day=line.number, first_date=line.date, last_date=line.date))
        group.append(run)
    if group:
        _flush(group, out)
    return out


def _each_cost_share_day_alone(runs: Sequence[DayRun]) -> Iterator[DayRun]:
    """``runs``, each day of a run of cost-sharing days as a run of its own (every such day is a line of its own)."""
    for run in runs:
        if run.more and run.line.kind == "cost_share":
            yield from (DayRun(day) for day in run.lines())
        else:
            yield run


def _flush(group: Sequence[DayRun], out: list[ExplanationLine]) -> None:
    """The explanation line of a group of runs told alike, and the events after its last day."""
    first, last = group[0].line, group[-1]
    last_number, last_date = last.last_number, last.last_date
    text, total = _group_text(group, last_number, last_date)
    out.append(ExplanationLine(kind=_KINDS.get(first.kind, LineKind.COST_SHARE), text=text,
                               first_day=first.number, last_day=last_number, first_date=first.date,
                               last_date=last_date, patient_pays=total))
    for event in last.events_after:
        out.append(ExplanationLine(kind=LineKind.EVENT, text=event, first_day=last_number, last_day=last_number,
                                   first_date=last_date, last_date=last_date))
