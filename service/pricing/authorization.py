"""A payer's authorization on the estimate: which days it approves, and what happens to the days past it. Pure.

An authorization (number, approved days or units per level, dates, next review) covers a level's service days
in date order: a day inside the approved dates counts against the approved number until it is used up. Days
outside the dates or past the number are flagged and priced as the provider chooses (``over_authorization``):

* ``pending_review`` (default): priced as the plan would pay if it extends the authorization at the next review;
* ``at_risk``: the provider treats without authorization; the plan pays nothing and an in-network provider may not
  bill the patient for a missing authorization, so the day is the provider's loss (written off);
* ``self_pay``: the patient agrees to pay the provider's self-pay rate for those days.

The payer's authorization phone number comes from the 271's contacts (role ``prior_authorization`` or
``utilization_management``), else the plan's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from contracts.benefits import Contact, Level, NormalizedBenefits
from contracts.estimate import AuthorizationIn
from service.money import ZERO, cents, format_usd
from service.pricing.engine import DayLine, Notes, short_date

PHONE_ROLES = ("prior_authorization", "utilization_management", "precertification", "medicare_advantage_plan", "payer",
               "member_services")


@dataclass(frozen=True, slots=True)
class AuthorizationResult:
    number: str | None
    approved: int | None
    unit: str
    days_authorized: int
    days_past: int
    first_day_past: dt.date | None
    next_review: dt.date | None
    phone: str | None
    treatment: str


def authorization_phone(benefits: NormalizedBenefits | None) -> str | None:
    if benefits is None:
        return None
    contacts: list[Contact] = list(benefits.contacts)
    if benefits.medicare and benefits.medicare.advantage:
        contacts += benefits.medicare.advantage.contacts
    for role in PHONE_ROLES:
        for contact in contacts:
            if contact.role == role and contact.phone:
                return contact.phone + (f" ext. {contact.phone_extension}" if contact.phone_extension else "")
    return None


def apply_authorization(lines: list[DayLine], level: Level, auth: AuthorizationIn, benefits: NormalizedBenefits | None,
                        self_pay_per_day, notes: Notes) -> AuthorizationResult | None:  # noqa: ANN001
    """Flag (and price, as chosen) the days of ``lines`` past ``auth``; None when it has nothing for ``level``."""
    entry = next((e for e in auth.levels if e.level is level), None)
    if entry is None:
        return None
    phone = authorization_phone(benefits)
    left = entry.approved_days if entry.approved_days is not None else entry.approved_units
    unit = "days" if entry.approved_days is not None else "units"
    past: list[DayLine] = []
    for line in lines:
        inside = (entry.start is None or line.date >= entry.start) and (entry.end is None or line.date <= entry.end)
        if inside and (left is None or left > 0):
            if left is not None:
                left -= 1
            continue
        past.append(line)
    treatment = auth.over_authorization
    if past:
        first = past[0]
        words = {"pending_review": "priced as if the plan extends the authorization at its next review",
                 "at_risk": "the plan pays nothing and the provider does not bill you for them (at the provider's "
                            "risk)",
                 "self_pay": f"at the self-pay rate {format_usd(cents(self_pay_per_day))} a day, as agreed"}[treatment]
        call = f"; call {phone} to extend it" if phone else ""
        review = f" (next review {auth.next_review.isoformat()})" if auth.next_review else ""
        notes.warn(f"authorization {auth.number or '(no number)'}: {len(past)} {level.value.upper()} day(s) from "
                   f"{first.date.isoformat()} are past what it approves{review}: {words}{call}")
        first.events_before.append(f"Authorization {auth.number or ''} ends before day {first.number} "
                                   f"({short_date(first.date)}): {words}".replace("  ", " "))
        for line in past:
            _price_past(line, treatment, self_pay_per_day)
    return AuthorizationResult(number=auth.number, approved=entry.approved_days or entry.approved_units, unit=unit,
                               days_authorized=len(lines) - len(past), days_past=len(past),
                               first_day_past=past[0].date if past else None, next_review=auth.next_review,
                               phone=phone, treatment=treatment)


def _price_past(line: DayLine, treatment: str, self_pay_per_day) -> None:  # noqa: ANN001
    if treatment == "pending_review":
        line.label = f"{line.label} (past the authorization: pending review)"
        return
    kept_events = (line.events_before, line.events_after)
    for bucket in ("deductible", "copay", "coinsurance", "not_covered", "over_limit", "self_pay", "balance_bill",
                   "waived", "payer"):
        setattr(line, bucket, ZERO)
    line.other_paid = {}
    line.write_off = ZERO
    if treatment == "at_risk":
        line.write_off = line.allowed
        line.kind, line.label = "waived", ("past the authorization, at the provider's risk: the plan pays nothing, "
                                           "you pay $0.00")
    else:
        line.self_pay = cents(self_pay_per_day)
        line.kind, line.label = "self_pay", (f"past the authorization: self-pay rate {format_usd(line.self_pay)} a "
                                             "day, as agreed")
    line.events_before, line.events_after = kept_events


def levels_with_authorization(auth: AuthorizationIn | None) -> Sequence[Level]:
    return [] if auth is None else [e.level for e in auth.levels]
