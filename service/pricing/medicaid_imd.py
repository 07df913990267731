"""The IMD exclusion: which Medicaid inpatient days Medicaid cannot pay for. Pure.

Medicaid pays nothing for a patient aged 21-64 in an institution for mental disease (IMD) - a
hospital of more than 16 beds primarily caring for mental disease, such as a freestanding
psychiatric hospital (Social Security Act 1905(a), the IMD exclusion after its numbered paragraphs, and 1905(i);
42 CFR 435.1009-435.1010).
A psychiatric unit of a general hospital is not an IMD; under 21 (the psych under-21 benefit)
and 65 or over are outside the exclusion. Two ways Medicaid still pays:

* the state has a section 1115 demonstration waiving it for mental illness (state setting
  ``MEDICAID_IMD_1115_WAIVER``);
* a managed-care plan may cover a short stay in an IMD in lieu of other care, for no more than
  15 days in the month (42 CFR 438.6(e)); the state allows it (``MEDICAID_MCO_IMD_IN_LIEU_OF``).

Unknown facts are assumed the way that does not understate the patient's cost, and said: an IMD
when the bed count is not set, aged 21-64 when the date of birth is not given, no waiver and no
in-lieu-of stays when the state settings are not set. Excluded days are priced at the self-pay rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.pricing.course import ServiceDay
from service.pricing.engine import Notes
from service.pricing.medicaid_exemptions import birthday

IMD_MIN_BEDS = 17  # "more than 16 beds"
ADULT_FROM, ADULT_UNTIL = 21, 65
IN_LIEU_OF_DAYS_A_MONTH = 15
EXCLUDED = ("Medicaid cannot pay for this stay: a freestanding psychiatric hospital of more than 16 beds is an "
            "institution for mental disease, where Medicaid pays nothing for adults 21-64 (Social Security Act "
            "1905(a) and (i); 42 CFR 435.1009)")


@dataclass(frozen=True, slots=True)
class MedicaidImdSettings:
    """The provider's bed count and its state's choices (settings; None = not set)."""

    psychiatric_beds: int | None = None
    state_1115_waiver: bool | None = None
    mco_in_lieu_of: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"psychiatric_beds": self.psychiatric_beds, "state_1115_waiver": self.state_1115_waiver,
                "mco_in_lieu_of": self.mco_in_lieu_of}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> MedicaidImdSettings:
        return cls(**data) if data else cls()


def imd_excluded_days(days: Sequence[ServiceDay], *, freestanding_psychiatric: bool, birth_date: dt.date | None,
                      managed_care: bool, settings: MedicaidImdSettings, notes: Notes) -> tuple[set[int], str]:
    """(numbers of the days Medicaid cannot pay for, the words for them)."""
    if not freestanding_psychiatric or not days:
        return set(), ""
    if settings.psychiatric_beds is None:
        notes.assume("the hospital's bed count is not set (PROVIDER_PSYCHIATRIC_BEDS): assumed more than 16 beds, "
                     "an institution for mental disease under Medicaid")
    elif settings.psychiatric_beds < IMD_MIN_BEDS:
        return set(), ""
    if birth_date is None:
        notes.assume("date of birth not given: the patient is assumed to be 21-64, the ages Medicaid's IMD "
                     "exclusion applies to")
        adult = list(days)
    else:
        start, end = birthday(birth_date, ADULT_FROM), birthday(birth_date, ADULT_UNTIL)
        adult = [d for d in days if start <= d.date < end]
    if not adult:
        return set(), ""
    if settings.state_1115_waiver:
        notes.assume("the state's section 1115 waiver lets Medicaid pay for stays in an institution for mental "
                     "disease (state setting MEDICAID_IMD_1115_WAIVER)")
        return set(), ""
    if managed_care and settings.mco_in_lieu_of:
        per_month: dict[tuple[int, int], int] = {}
        excluded = set()
        for day in adult:
            key = (day.date.year, day.date.month)
            per_month[key] = per_month.get(key, 0) + 1
            if per_month[key] > IN_LIEU_OF_DAYS_A_MONTH:
                excluded.add(day.number)
        notes.assume("the managed-care plan may cover a stay in an institution for mental disease in lieu of other "
                     "care, up to 15 days in a month (42 CFR 438.6(e); state setting MEDICAID_MCO_IMD_IN_LIEU_OF)")
        if excluded:
            notes.warn("the stay runs past 15 days in a month: an in-lieu-of stay in an institution for mental "
                       "disease is at most 15 days a month (42 CFR 438.6(e)); later days are shown at the self-pay "
                       "rate, and the plan may decline the whole stay - ask it before admission")
        return excluded, ("past 15 days in the month, Medicaid's managed-care plan cannot pay for a stay in an "
                          "institution for mental disease (42 CFR 438.6(e))")
    if settings.state_1115_waiver is None:
        notes.warn("whether the state waives Medicaid's IMD exclusion (section 1115) is not set "
                   "(MEDICAID_IMD_1115_WAIVER): the exclusion was applied")
    if managed_care and settings.mco_in_lieu_of is None:
        notes.warn("whether the state lets managed-care plans pay for short stays in an institution for mental "
                   "disease in lieu of other care is not set (MEDICAID_MCO_IMD_IN_LIEU_OF): not assumed")
    notes.warn("Medicaid's IMD exclusion: Medicaid pays nothing for this stay for an adult 21-64 in a freestanding "
               "psychiatric hospital of more than 16 beds; the days are shown at the self-pay rate")
    return {d.number for d in adult}, EXCLUDED
