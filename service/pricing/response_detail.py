"""How much of an estimate the API answers: the ordinary answer is small; per-day rows and the
long line-by-line explanation come only on request (``?include=days,explanation``).

Stored estimates are always complete (``service.pricing.store``); this trims only what is sent.
"""

from __future__ import annotations

import msgspec

from contracts.estimate import EstimateResponse
from contracts.selfpay import AffordabilitySection

DETAILS = ("days", "explanation", "payment_schedules")
_ONE = "(" + "|".join(DETAILS) + ")"
#: The ``include`` query parameter: a comma-separated list of :data:`DETAILS`.
INCLUDE_PATTERN = rf"^{_ONE}(,{_ONE}){{0,2}}$"
INCLUDE_DESCRIPTION = (
    "Extra detail per level, comma-separated: `days` (one row per service day), `explanation` (the long "
    "line-by-line explanation), `payment_schedules` (every payment of each payment plan). Omitted: none of them, "
    "so the answer stays small; the stored estimate keeps all."
)


def parse_include(value: str | None) -> frozenset[str]:
    return frozenset(part for part in (value or "").split(",") if part in DETAILS)


def with_detail(response: EstimateResponse, include: frozenset[str]) -> EstimateResponse:
    """The response with per-day rows and explanations emptied unless ``include`` names them."""
    if include >= set(DETAILS):
        return response
    levels = [
        msgspec.structs.replace(level, days=level.days if "days" in include else [],
                                explanation=level.explanation if "explanation" in include else [],
                                affordability=_schedules(level.affordability, "payment_schedules" in include))
        for level in response.comparison.estimates
    ]
    return msgspec.structs.replace(response, comparison=msgspec.structs.replace(response.comparison, estimates=levels))


def _schedules(section: AffordabilitySection | None, keep: bool) -> AffordabilitySection | None:
    if section is None or keep:
        return section
    return msgspec.structs.replace(
        section, payment_plans=[msgspec.structs.replace(plan, lines=[]) for plan in section.payment_plans])
