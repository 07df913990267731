"""What changed in a patient's coverage between two checks (pure): the reasons a batch flags a check for billing.

| change | when |
|---|---|
| ``became_inactive`` | the previous check said active, this one inactive |
| ``became_active`` | the previous check said inactive, this one active |
| ``plan_changed`` | both name a plan (plan name, or group number) and they differ, or the payer changed |
| ``deductible_met`` | an individual deductible (any level, in network; Medicare Part A / B) had something left before and nothing now |

A rejected check (coverage unknown) is compared with nothing: it flags nothing, and the item says it was rejected.
"""

from __future__ import annotations

from decimal import Decimal

from contracts.benefits import NormalizedBenefits

__all__ = ["coverage_changes"]

ZERO = Decimal("0")


def _deductibles_left(benefits: NormalizedBenefits) -> dict[str, Decimal]:
    left: dict[str, Decimal] = {}
    for level in benefits.levels:
        acc = level.deductible_individual
        if level.network.value.lower().startswith("in") and acc is not None and acc.remaining is not None:
            left[f"{level.level.value} deductible"] = Decimal(acc.remaining)
    medicare = benefits.medicare
    if medicare is not None:
        for name in ("part_a_deductible_remaining", "part_b_deductible_remaining"):
            value = getattr(medicare, name)
            if value is not None:
                left[name] = Decimal(value)
    return left


def _plan(benefits: NormalizedBenefits) -> tuple[str, str] | None:
    name = (benefits.plan_name or benefits.group_number or "").strip().upper()
    payer = (benefits.payer_id or benefits.payer_name or "").strip().upper()
    return (payer, name) if name else None


def coverage_changes(previous: NormalizedBenefits | None, current: NormalizedBenefits) -> list[str]:
    """The changes from ``previous`` to ``current`` (see the module table); empty when nothing to flag."""
    if previous is None or current.active is None or previous.active is None:
        return []
    changes: list[str] = []
    if previous.active and not current.active:
        changes.append("became_inactive")
    elif not previous.active and current.active:
        changes.append("became_active")
    before, now = _plan(previous), _plan(current)
    if before and now and before != now:
        changes.append("plan_changed")
    if current.active:
        left_before, left_now = _deductibles_left(previous), _deductibles_left(current)
        if any(left_before.get(k, ZERO) > ZERO and v == ZERO for k, v in left_now.items()):
            changes.append("deductible_met")
    return changes
