"""Who owes no Medicaid cost sharing, worked out from what intake knows (42 CFR 447.56(a)(1)). Pure.

Exempt, day by day: children under the state's age (18 by federal rule; a state may extend it to
19, 20 or 21 - a state setting), a person who is pregnant or postpartum, and a person living in
an institution who spends all but a personal-needs allowance on the cost of care; also anyone
the payer reports (271) or intake states as exempt. The age is worked out from the date of birth
on each service day, so a course that runs past the 18th birthday is exempt only before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

FEDERAL_CHILD_AGE = 18


def birthday(birth_date: dt.date, age: int) -> dt.date:
    """The day a person born on ``birth_date`` turns ``age`` (29 February -> 28 February in other years)."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:
        return dt.date(birth_date.year + age, 2, 28)


@dataclass(frozen=True, slots=True)
class MedicaidPerson:
    """What intake knows about the patient that decides exemption (date of birth is PHI: never logged)."""

    birth_date: dt.date | None = None
    pregnant_or_postpartum: bool = False
    institutionalized: bool = False
    stated_exempt: bool = False  # intake says so
    reported_exempt: bool = False  # the payer says so (271 cost-sharing category)


def exemption_on(person: MedicaidPerson, child_age: int = FEDERAL_CHILD_AGE) -> Callable[[dt.date], str | None]:
    """A function day -> why the patient is exempt that day (words to read out), or None."""
    standing = None
    if person.reported_exempt:
        standing = "as the payer reports"
    elif person.pregnant_or_postpartum:
        standing = "as a pregnant or postpartum patient (42 CFR 447.56(a)(1))"
    elif person.institutionalized:
        standing = ("as a person in an institution paying all but a personal-needs allowance toward care "
                    "(42 CFR 447.56(a)(1))")
    elif person.stated_exempt:
        standing = "as stated at intake"
    grown_up = birthday(person.birth_date, child_age) if person.birth_date else None

    def why(day: dt.date) -> str | None:
        if standing is not None:
            return standing
        if grown_up is not None and day < grown_up:
            return f"as a child under {child_age} on that day (42 CFR 447.56(a)(1))"
        return None

    return why
