"""Telehealth cost sharing a payer reports in a 271, kept apart from the in-person figures.

A row is about telehealth when its III segments limit it to place of service 02 or 10 (telehealth
provided other than in / in the patient's home), or a MSG on it speaks of telehealth / telemedicine /
virtual visits. Such rows never supply a level's in-person figures (a $0 virtual copay is not the
program's copay); for the level's service types (or plan-level 30) and network they give
``LevelBenefits.telehealth``: a copay (EB01 B, EB07; or "$n copay" in the MSG), a coinsurance
(EB01 A, EB08; or "n% coinsurance"), and the deductible waived when the MSG says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from contracts.benefits import BenefitRow, Network, TelehealthCostShare

__all__ = ["TELEHEALTH_PLACES", "is_telehealth_row", "mentions_telehealth", "telehealth_cost_share"]

TELEHEALTH_PLACES = frozenset({"02", "10"})
_WORDS = re.compile(r"\b(TELE ?HEALTH|TELE ?MEDICINE|VIRTUAL|VIDEO VISIT|POS 0?2|POS 10)\b", re.IGNORECASE)
_COPAY = re.compile(r"\$\s?(\d{1,5}(?:\.\d{2})?)\s*(?:CO-?PAY|COPAY)", re.IGNORECASE)
_COINSURANCE = re.compile(r"(\d{1,3}(?:\.\d+)?)\s?%\s*(?:CO-?INSURANCE|COINSURANCE)", re.IGNORECASE)
_NO_DEDUCTIBLE = re.compile(r"DEDUCTIBLE (?:DOES NOT APPLY|WAIVED|NOT APPLICABLE)|NO DEDUCTIBLE", re.IGNORECASE)
_PERIODS = {"7": "day", "27": "visit"}


def is_telehealth_row(row: BenefitRow, text: str | None = None, upper: str | None = None) -> bool:
    """The row is about telehealth: its places of service (all telehealth ones), or else its messages.

    The messages are searched once, joined by a character no pattern matches (``text``, and ``upper`` the same
    upper-cased, when the caller has them already; else joined by line breaks here). The expression runs only when
    a word it starts with is there at all: most rows' messages are about something else."""
    if row.places_of_service:
        return TELEHEALTH_PLACES.issuperset(row.places_of_service)
    if not row.messages:
        return False
    if text is None:
        text = "\n".join(row.messages)
    return mentions_telehealth(text, text.upper() if upper is None else upper)


def mentions_telehealth(text: str, upper: str) -> bool:
    """Messages ``text`` (and ``upper``, the same upper-cased) speak of telehealth."""
    return ("TELE" in upper or "VIRTUAL" in upper or "VIDEO" in upper or "POS" in upper) and (
        _WORDS.search(text) is not None)


def telehealth_cost_share(rows: Iterable[BenefitRow], service_types: Iterable[str],
                          network: Network) -> TelehealthCostShare | None:
    """The stated telehealth terms for one level (its service types, in preference order) and network."""
    codes = [*service_types, "30"]
    applying = (network, Network.BOTH, Network.UNKNOWN)
    fitting = [r for r in rows if r.network in applying
               and set(r.service_type_codes) & set(codes)]
    fitting.sort(key=lambda r: min(codes.index(c) for c in r.service_type_codes if c in codes))
    copay = coinsurance = per = None
    deductible_applies = None
    for row in fitting:
        text = " ".join(row.messages)
        if copay is None:
            if row.code == "B" and row.amount is not None:
                copay, per = row.amount, _PERIODS.get(row.time_period or "", "visit")
            elif (hit := _COPAY.search(text)) is not None:
                copay, per = Decimal(hit.group(1)), "visit"
        if coinsurance is None:
            if row.code == "A" and row.percent is not None:
                coinsurance = row.percent
            elif (hit := _COINSURANCE.search(text)) is not None:
                coinsurance = Decimal(hit.group(1))
        if deductible_applies is None and _NO_DEDUCTIBLE.search(text):
            deductible_applies = False
    if copay is None and coinsurance is None and deductible_applies is None:
        return None
    where = "the payer's telehealth rows (place of service 02/10 or telehealth messages) in the 271"
    # A program day is one visit: a per-visit telehealth copay is charged once per program day.
    return TelehealthCostShare(copay=copay, copay_per="day" if per else None, coinsurance_percent=coinsurance,
                               deductible_applies=deductible_applies, source=where)
