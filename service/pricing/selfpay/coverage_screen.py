"""Tell an uninsured (or inactive) caller about coverage they may qualify for. Pure.

From the household's income, size and state (reference data ``medicaid-expansion.json``):

* in a state whose ACA Medicaid expansion was in effect on the first service day, income at or
  under 138 % of the poverty guideline -> the caller may qualify for Medicaid, which can also
  pay for the 3 months before the month of application (retroactive coverage; some states waive
  it) - apply before the care is billed as self-pay;
* in a state without the expansion -> adults generally do not qualify by income alone (children,
  pregnancy, parents and disability have their own limits), and below 100 % FPL there is no
  Marketplace premium tax credit either (the coverage gap);
* from 100 % FPL -> a Marketplace plan with premium tax credits may be available (the upper
  limit depends on the year's law); losing coverage opens a 60-day special enrollment period.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from service.pricing.program_figures import ProgramFigures


@dataclass(frozen=True, slots=True)
class ExpansionFigures:
    expanded_since: dict[str, dt.date]
    notes: dict[str, str]
    adult_limit_percent: Decimal
    retroactive_months: int
    marketplace_min_percent: Decimal


@functools.cache
def load_expansion() -> ExpansionFigures:
    from service.reference import load  # noqa: PLC0415 (reads package data once; call outside the engine)

    raw = load("medicaid-expansion")
    return ExpansionFigures(
        expanded_since={s: dt.date.fromisoformat(v["effective"]) for s, v in raw["expanded"].items()},
        notes=dict(raw["not_expanded_notes"]),
        adult_limit_percent=Decimal(raw["adult_income_limit_percent_fpl"]),
        retroactive_months=int(raw["retroactive_months"]),
        marketplace_min_percent=Decimal(raw["marketplace_min_percent_fpl"]),
    )


def coverage_screen(*, state: str | None, household_size: int | None, annual_income: Decimal | None, on: dt.date,
                    figures: ProgramFigures, expansion: ExpansionFigures) -> list[str]:
    """Sentences intake can read to an uninsured caller (empty when income, size or state is not known)."""
    if not state or not household_size or annual_income is None:
        return []
    state = state.upper()
    percent, year = figures.poverty_percent(household_size=household_size, annual_income=annual_income, state=state,
                                            on=on)
    shown = f"{percent.quantize(Decimal(1))}% of the {year} poverty guideline"
    since = expansion.expanded_since.get(state)
    out: list[str] = []
    if since is not None and since <= on:
        if percent <= expansion.adult_limit_percent:
            out.append(
                f"Household income is {shown}, within {state}'s Medicaid limit for adults "
                f"({expansion.adult_limit_percent}% of the poverty level; {state} expanded Medicaid from "
                f"{since.isoformat()}): the caller may qualify for Medicaid, which can also pay for care in the "
                f"{expansion.retroactive_months} months before the month they apply (retroactive coverage, unless "
                f"{state} has waived it). Help them apply before billing the care as self-pay.")
    else:
        note = expansion.notes.get(state)
        out.append(f"{state} has not expanded Medicaid" + (f" ({note})" if note else "") +
                   ": adults generally do not qualify by income alone; children, pregnancy, parents and disability "
                   "have their own limits.")
        if percent < expansion.marketplace_min_percent:
            out.append(f"Household income is {shown}: below 100%, so no Marketplace premium tax credit either (the "
                       "coverage gap); ask about the provider's financial assistance.")
    if percent >= expansion.marketplace_min_percent and not (
            since is not None and since <= on and percent <= expansion.adult_limit_percent):
        out.append(f"Household income is {shown}: the caller may qualify for a Marketplace plan with premium tax "
                   "credits (HealthCare.gov or the state's exchange); losing other coverage opens a 60-day special "
                   "enrollment period.")
    return out
