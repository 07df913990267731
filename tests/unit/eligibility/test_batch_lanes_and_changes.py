"""Batch lanes keep both concurrency limits; coverage changes between two checks are named for billing."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.benefits import (
    Accumulator, Level, LevelBenefits, MedicareDetails, Network, NormalizedBenefits, PayerClass, Source,
)
from service.eligibility.batches.changes import coverage_changes
from service.eligibility.batches.lanes import assign_lanes


@given(
    payers=st.lists(st.sampled_from(["SBMCR", "SBMCD", "SBPPO", "60054", "94036"]), min_size=1, max_size=300),
    lanes=st.integers(1, 25), per_payer=st.integers(1, 25),
)
def test_a_payer_never_gets_more_lanes_than_its_limit_and_lanes_stay_in_range(payers, lanes, per_payer):
    assigned = assign_lanes(payers, lanes, per_payer)
    used: dict[str, set[int]] = defaultdict(set)
    for payer, lane in zip(payers, assigned):
        used[payer].add(lane)
    assert all(0 <= lane < lanes for lane in assigned)
    assert all(len(s) <= min(per_payer, lanes) for s in used.values())


def test_one_payer_spreads_evenly_over_its_lanes():
    loads = Counter(assign_lanes(["SBPPO"] * 100, 20, 5))
    assert sorted(loads.values()) == [20] * 5  # 100 items over 5 lanes: 20 each


def test_with_the_limits_equal_a_mixed_batch_fills_every_lane_evenly():
    payers = ["SBMCR", "SBMCD", "SBPPO"] * 334
    loads = Counter(assign_lanes(payers, 20, 20))
    assert len(loads) == 20 and max(loads.values()) - min(loads.values()) <= 1


def _benefits(active: bool | None, *, plan: str | None = None, deductible_left: str | None = None,
              part_b_left: str | None = None) -> NormalizedBenefits:
    levels = []
    if deductible_left is not None:
        levels.append(LevelBenefits(level=Level("iop"), network=Network.IN, deductible_individual=Accumulator(
            total=Decimal("1500"), remaining=Decimal(deductible_left))))
    return NormalizedBenefits(
        source=Source.CLEARINGHOUSE_271, active=active, payer_class=PayerClass.COMMERCIAL, payer_id="SBPPO",
        plan_name=plan, levels=levels,
        medicare=MedicareDetails(part_b_deductible_remaining=Decimal(part_b_left)) if part_b_left else None,
    )


@pytest.mark.parametrize(
    ("before", "after", "changes"),
    [
        (_benefits(True), _benefits(False), ["became_inactive"]),
        (_benefits(False), _benefits(True), ["became_active"]),
        (_benefits(True, plan="SILVER PPO 2000"), _benefits(True, plan="GOLD PPO 1500"), ["plan_changed"]),
        (_benefits(True, deductible_left="250.00"), _benefits(True, deductible_left="0.00"), ["deductible_met"]),
        (_benefits(True, part_b_left="120.00"), _benefits(True, part_b_left="0.00"), ["deductible_met"]),
        (_benefits(True, deductible_left="250.00"), _benefits(True, deductible_left="100.00"), []),
        (_benefits(True, plan="GOLD PPO 1500"), _benefits(True, plan="gold ppo 1500"), []),
        (None, _benefits(False), []),  # no earlier check: nothing to compare
        (_benefits(True), _benefits(None), []),  # rejected: coverage unknown, nothing flagged
    ],
)
def test_coverage_changes_name_what_billing_must_look_at(before, after, changes):
    assert coverage_changes(before, after) == changes
