"""A level's totals from its days, in one pass over its runs of identical days. Pure.

Totals are sums of the rounded days (never rounded again); ``patient_pays`` is the sum of each day's
patient share, so it equals the per-day rows added up.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from operator import attrgetter

from contracts.estimate import CostBreakdown
from service.money import ZERO
from service.pricing.engine import DayRun

_hours = attrgetter("hours")


def level_totals(runs: Sequence[DayRun]) -> tuple[CostBreakdown, Decimal]:
    """(the cost breakdown, the treatment hours) of a level's days, run by run (a run's figures times its days:
    the exact sums of the days, written as the day by day sums are)."""
    gross = allowed = payer = deductible = copay = coinsurance = not_covered = over_limit = ZERO
    balance_bill = waived = other_paid = write_off = ZERO
    hours = ZERO  # as the rows: hours carry two places (a Decimal sum started at 0.00)
    for run in runs:
        line = run.line
        hours += line.hours
        if run.more:
            n = run.count
            hours += sum(map(_hours, run.more), ZERO)
            gross += line.gross * n
            allowed += line.allowed * n
            payer += line.payer * n
            deductible += line.deductible * n
            copay += line.copay * n
            coinsurance += line.coinsurance * n
            not_covered += (line.not_covered + line.self_pay) * n
            over_limit += line.over_limit * n
            balance_bill += line.balance_bill * n
            waived += line.waived * n
            write_off += line.write_off * n
            continue  # a repeat has no other payers (engine.DayRun)
        gross += line.gross
        allowed += line.allowed
        payer += line.payer
        deductible += line.deductible
        copay += line.copay
        coinsurance += line.coinsurance
        not_covered += line.not_covered + line.self_pay
        over_limit += line.over_limit
        balance_bill += line.balance_bill
        waived += line.waived
        write_off += line.write_off
        if line.other_paid:
            other_paid += sum(line.other_paid.values(), ZERO)
    patient = deductible + copay + coinsurance + not_covered + over_limit + balance_bill
    return CostBreakdown(gross_charges=gross, allowed=allowed, payer_pays=payer, patient_pays=patient,
                         deductible=deductible, copay=copay, coinsurance=coinsurance, not_covered=not_covered,
                         over_limit=over_limit, balance_bill=balance_bill, waived_cost_sharing=waived,
                         other_payers_pay=other_paid, provider_write_off=write_off), hours
