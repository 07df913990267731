"""Pricing an estimate and storing it (service.price_then_store): every store is generation-checked, a reading that
changed or a kept reading that refused is replaced by a fresh one, a bounded number of times."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from service.errors import Unprocessable
from service.pricing.service import READINGS, ReferenceDataChanging, price_then_store
from tests.unit.pricing.test_pricing_inputs_cache import D, _reading


class _ReferenceData:
    """Readings numbered by generation (the first kept, the others fresh), and what was priced and stored."""

    def __init__(self, *, current: list[int], refused_by: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.current = current  # the current generation when each store is tried, in turn
        self.refused_by = refused_by  # generations whose readings refuse the estimate
        self.readings: list[tuple[int, bool]] = []  # (generation, fresh)
        self.stores: list[int] = []  # the generation each store was given
        self.stored: list[str] = []

    async def read(self, fresh: bool) -> Any:
        generation = len(self.readings) + 1
        self.readings.append((generation, fresh))
        return dataclasses.replace(_reading(generation, D(2026, 1, 1), None), kept=not fresh)

    async def price(self, inputs: Any) -> str:
        if inputs.generation in self.refused_by:
            raise Unprocessable(f"refused by reading {inputs.generation}")
        return f"priced from reading {inputs.generation}"

    async def store(self, priced: str, generation: int) -> bool:
        self.stores.append(generation)
        if generation != self.current[len(self.stores) - 1]:
            return False
        self.stored.append(priced)
        return True

    def run(self) -> str:
        return asyncio.run(price_then_store(self.read, self.price, self.store))


def test_a_reading_still_current_is_stored_at_once() -> None:
    data = _ReferenceData(current=[1])
    assert data.run() == "priced from reading 1"
    assert (data.readings, data.stores) == ([(1, False)], [1])


def test_a_reading_that_changed_before_the_insert_is_priced_again_from_a_fresh_one() -> None:
    data = _ReferenceData(current=[2, 2])  # changed after the first reading, not after the second
    assert data.run() == "priced from reading 2"
    assert (data.readings, data.stores, data.stored) == ([(1, False), (2, True)], [1, 2], ["priced from reading 2"])


def test_reference_data_changing_under_every_reading_stores_nothing_and_asks_to_try_again() -> None:
    data = _ReferenceData(current=[99] * READINGS)  # every store finds a newer generation than its reading's
    with pytest.raises(ReferenceDataChanging) as refused:
        data.run()
    assert (refused.value.status, refused.value.retry_after_seconds) == (503, 1)
    # every pricing's store was checked against its own reading's generation (none unchecked), none stored
    assert data.stores == [1, 2, 3] and data.stored == [] and len(data.readings) == READINGS == 3


def test_a_kept_reading_that_refuses_is_checked_against_a_fresh_one() -> None:
    data = _ReferenceData(current=[2], refused_by={1})
    assert data.run() == "priced from reading 2"
    assert data.readings == [(1, False), (2, True)]


def test_a_fresh_reading_that_refuses_is_the_answer() -> None:
    data = _ReferenceData(current=[2, 2], refused_by={1, 2})
    with pytest.raises(Unprocessable, match="refused by reading 2"):
        data.run()
    assert (data.readings, data.stores) == ([(1, False), (2, True)], [])
