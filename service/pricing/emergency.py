"""An inpatient admission through an emergency department to an out-of-network hospital. Pure.

No Surprises Act (PHS Act 2799A-1, 45 CFR 149.110; commercial group and individual plans): emergency services,
including post-stabilization inpatient care, are charged the plan's in-network cost sharing, counted toward the
in-network deductible and out-of-pocket maximum, and the out-of-network facility may not balance bill - until the
patient, once stable, signs notice and consent (45 CFR 149.420) to out-of-network post-stabilization care. From
the day consent is signed the plan's out-of-network terms and balance billing apply.

Cost sharing is figured on the recognized amount (the qualifying payment amount, which the provider does not know
in advance): the provider's in-network contracted rate stands in for it, and the estimate says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from contracts.estimate import EmergencyAdmissionIn
from service.money import ZERO, format_usd
from service.pricing.course import ServiceDay
from service.pricing.engine import DayLine, Notes, short_date

PriceDays = Callable[[Sequence[ServiceDay], bool], list[DayLine]]  # (days, out of network) -> day lines


def protects(emergency: EmergencyAdmissionIn | None) -> bool:
    return emergency is not None and emergency.through_emergency_department


def price_emergency_admission(days: Sequence[ServiceDay], emergency: EmergencyAdmissionIn, price_days: PriceDays,
                              notes: Notes) -> list[DayLine]:
    consent = emergency.notice_and_consent_signed
    protected = [d for d in days if consent is None or d.date < consent]
    after = [d for d in days if consent is not None and d.date >= consent]
    lines = price_days(protected, False) if protected else []
    notes.assume("emergency admission to an out-of-network hospital (No Surprises Act): in-network cost sharing "
                 "and no balance bill" + (f" until notice and consent was signed on {consent.isoformat()}"
                                          if after else "; no notice and consent for post-stabilization care is "
                                                        "recorded"))
    notes.assume("the qualifying payment amount is not known: the in-network contracted rate stands in for the "
                 "recognized amount")
    if lines:
        lines[0].events_before.append(f"Emergency admission (No Surprises Act): from day {lines[0].number} "
                                      f"({short_date(lines[0].date)}) you pay in-network cost sharing and no "
                                      "balance bill")
    if after:
        rest = price_days(after, True)
        rest[0].events_before.append(f"Notice and consent for out-of-network care signed {consent.isoformat()}: "
                                     f"from day {rest[0].number} ({short_date(rest[0].date)}) out-of-network "
                                     "cost sharing and balance billing apply")
        notes.warn("the patient signed notice and consent: days from then are out of network and may be balance "
                   "billed")
        if notes.patient_pays_range is not None and lines:  # the range was figured on the later days only
            before = sum((line.patient for line in lines), ZERO)
            low, high, _ = notes.patient_pays_range
            notes.patient_pays_range = (low + before, high + before, (
                f"the out-of-network deductible was not reported: ask the payer. Depending on it the patient pays "
                f"between {format_usd(low + before)} and {format_usd(high + before)} for this level"))
        lines += rest
    return lines
