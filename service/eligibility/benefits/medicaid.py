"""Medicaid facts from a 271 (state Medicaid companion-guide shapes) -> :class:`MedicaidDetails`.

- Managed care: an EB*MC row (plan = its 2120 NM1 name, else EB05), or a 2120 NM1 on a Medicaid row, or EB04
  HM on an active row -> ``medicaid_managed_care``; else FFS. A payer whose name says Medicaid stays Medicaid
  when one row says HM (a managed-care carve-in) or QM (the state pays Medicare cost sharing).
- Cost-sharing category: a MSG (or an EB*D EB05) reading "COST SHARING CATEGORY X" where X is EXEMPT, AT OR
  BELOW 100, 101 TO 150 (or 101-150) or ABOVE 150 (punctuation between words is free, but a ':' is the usual
  component separator - write "=" or nothing instead); or exempt when an EB*B / EB*C row has EB07 0 and a MSG
  containing "EXEMPT".
- State: a MSG that is exactly "STATE XX" or "STATE=XX" (two-letter code).
"""

from __future__ import annotations

import re

from contracts.benefits import MedicaidDetails
from service.eligibility.benefits.rows import decimal, entity_name
from service.eligibility.x12 import codes
from service.eligibility.x12.reader_271 import EBLoop

__all__ = ["medicaid_details", "is_managed_care", "MEDICAID_NAMES"]

MEDICAID_NAMES = re.compile(r"MEDICAID|MEDI-CAL|MEDICAL ASSISTANCE", re.IGNORECASE)
_STATE_MSG = re.compile(r"^\s*STATE\s*[:=]?\s*([A-Z]{2})\s*$")
_CATEGORIES = (
    ("AT OR BELOW 100", "at_or_below_100"), ("101 TO 150", "101_to_150"), ("101 150", "101_to_150"),
    ("ABOVE 150", "above_150"), ("EXEMPT", "exempt"),
)


def is_managed_care(loops: list[EBLoop]) -> bool:
    non_r = [eb for eb in loops if eb.code != "R"]
    return (
        any(eb.code == "MC" for eb in loops)
        or any(eb.insurance_type == "HM" for eb in non_r)
        or any(eb.entities for eb in non_r if eb.insurance_type == "MC")
    )


def _plan(loops: list[EBLoop]) -> str | None:
    for eb in loops:
        if eb.code == "MC" and (plan := entity_name(eb) or eb.eb(5) or None):
            return plan
    for eb in loops:
        if eb.insurance_type in ("MC", "HM") and eb.code != "R" and (plan := entity_name(eb)):
            return plan
    for eb in loops:
        if eb.code in codes.ACTIVE_CODES and eb.insurance_type == "HM" and eb.eb(5):
            return eb.eb(5)
    return None


def medicaid_details(loops: list[EBLoop], warnings: list[str]) -> MedicaidDetails:
    texts = [m for eb in loops for m in eb.messages] + [eb.eb(5) for eb in loops if eb.code == "D" and eb.eb(5)]
    categories = set()
    state = None
    for t in texts:
        norm = " ".join(re.sub(r"[^A-Z0-9]+", " ", t.upper()).split())
        if "COST SHARING" in norm:
            tail = norm.split("COST SHARING", 1)[1]
            for phrase, cat in _CATEGORIES:
                if phrase in tail:
                    categories.add(cat)
                    break
        hit = _STATE_MSG.search(t.upper())
        if hit and state is None:
            state = hit.group(1)
    if not categories:
        for eb in loops:
            if eb.code in ("B", "C") and eb.eb(7) and decimal(eb.eb(7), "an amount", []) == 0 and any(
                "EXEMPT" in m.upper() for m in eb.messages
            ):
                categories.add("exempt")
    category = None
    if len(categories) == 1:
        category = categories.pop()
    elif len(categories) > 1:
        warnings.append("the payer sent conflicting Medicaid cost-sharing categories; category left unknown")
    return MedicaidDetails(managed_care_plan=_plan(loops), cost_sharing_category=category, state=state)
