"""The read-aloud summary: short sentences intake staff say to a caller, in a fixed order.

Carried on an eligibility check (``EligibilityCheck.read_aloud``) and on an estimate
(``EstimateResponse.read_aloud``). Each sentence says what it is about (``topic``) so a screen can
group or highlight them; the order of the list is the order to read them in:

coverage → deductible → out_of_pocket → network → prior_authorization → limits → medicare_days →
qmb → managed_care → level (one per level of care) → next_question → good_faith_estimate.
"""

from __future__ import annotations

import enum

import msgspec

from contracts.benefits import Level, Network


class SpokenTopic(str, enum.Enum):
    COVERAGE = "coverage"
    DEDUCTIBLE = "deductible"
    OUT_OF_POCKET = "out_of_pocket"
    NETWORK = "network"
    PRIOR_AUTHORIZATION = "prior_authorization"
    LIMITS = "limits"
    MEDICARE_DAYS = "medicare_days"
    QMB = "qmb"
    MANAGED_CARE = "managed_care"
    LEVEL = "level"
    NEXT_QUESTION = "next_question"
    GOOD_FAITH_ESTIMATE = "good_faith_estimate"


class SpokenLine(msgspec.Struct, kw_only=True, frozen=True):
    """One or two short sentences to read out."""

    topic: SpokenTopic
    text: str
    #: For ``level`` lines (and limits / prior authorization about one level): which level and network.
    level: Level | None = None
    network: Network | None = None


__all__ = ["SpokenLine", "SpokenTopic"]
