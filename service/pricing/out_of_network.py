"""An out-of-network deductible the payer did not report is a question to ask, never $0. Pure.

When the OUT benefits carry no deductible (individual or family) and the plan does not waive it,
the level is priced three times with the same terms otherwise:

* low: no deductible at all;
* high: a deductible at least as large as every allowed amount of the course (the patient pays the
  allowed amounts until the out-of-network out-of-pocket maximum, if any);
* the quote itself: the in-network deductible's total, none of it met, when the payer reported one
  (out-of-network deductibles are rarely lower), else the high case.

``totals.patient_pays`` is the quote; ``patient_pays_range`` gives low and high with the reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

from contracts.benefits import LevelBenefits
from service.money import ZERO, format_usd
from service.pricing.engine import DayLine, Notes, PlanTerms


def deductible_unknown(terms: PlanTerms) -> bool:
    return terms.covered and terms.deductible_applies and terms.ded_ind == (None, None) \
        and terms.ded_fam == (None, None)


def _patient(lines: list[DayLine]) -> Decimal:
    return sum((line.patient for line in lines), ZERO)


def price_with_unknown_deductible(terms: PlanTerms, in_network: LevelBenefits | None, course_allowed: Decimal,
                                  price: Callable[[PlanTerms, Notes], list[DayLine]],
                                  notes: Notes) -> list[DayLine]:
    """The quote's day lines; the range and the question to ask go into ``notes``."""
    low = _patient(price(terms, Notes()))
    high_terms = dataclasses.replace(terms, ded_ind=(course_allowed, course_allowed))
    high = _patient(price(high_terms, Notes()))
    in_total = None
    if in_network is not None and in_network.deductible_individual is not None:
        in_total = in_network.deductible_individual.total
    if in_total is not None:
        lines = price(dataclasses.replace(terms, ded_ind=(in_total, in_total)), notes)
        notes.assume(f"the out-of-network deductible was not reported: assumed equal to the in-network deductible "
                     f"{format_usd(in_total)}, none of it met")
    else:
        lines = price(high_terms, notes)
        notes.assume("the out-of-network deductible was not reported (nor an in-network one): assumed it is not met "
                     "during this course, so the patient pays the allowed amounts up to any out-of-pocket maximum")
    reason = (f"the out-of-network deductible was not reported: ask the payer. Depending on it the patient pays "
              f"between {format_usd(low)} and {format_usd(high)} for this level")
    notes.warn(reason)
    notes.patient_pays_range = (low, high, reason)
    return lines
