"""The per-payer bulkhead: a bounded number in flight, a bounded queue, a fast 503 beyond; bounded memory."""

from __future__ import annotations

import asyncio

import pytest

from service.eligibility.bulkhead import PayerBulkheads
from service.errors import UpstreamError


async def _hold(bulkheads: PayerBulkheads, payer: str, release: asyncio.Event, outcomes: list[str]) -> None:
    try:
        async with bulkheads.slot(payer):
            outcomes.append("in")
            await release.wait()
    except UpstreamError as exc:
        outcomes.append(exc.slug)


def test_a_busy_payer_queues_a_few_and_refuses_the_rest_at_once_while_others_pass() -> None:
    async def scenario() -> None:
        bulkheads = PayerBulkheads(max_in_flight=2, max_waiting=3, max_wait_seconds=30)
        release = asyncio.Event()
        outcomes: list[str] = []
        slow = [asyncio.create_task(_hold(bulkheads, "SLOW", release, outcomes)) for _ in range(10)]
        await asyncio.sleep(0.01)
        assert outcomes.count("in") == 2 and outcomes.count("payer-busy") == 5  # 2 in flight, 3 queued, 5 refused
        assert bulkheads.in_flight("slow") == 2
        async with asyncio.timeout(0.5):  # another payer is not held up by SLOW's queue
            async with bulkheads.slot("FAST"):
                pass
        release.set()
        await asyncio.gather(*slow)
        assert outcomes.count("in") == 5  # the queued three had their turn
        assert len(bulkheads) == 0  # nothing kept for payers with nothing in flight

    asyncio.run(scenario())


def test_a_wait_longer_than_max_wait_seconds_is_refused() -> None:
    async def scenario() -> None:
        bulkheads = PayerBulkheads(max_in_flight=1, max_waiting=5, max_wait_seconds=0.05)
        release = asyncio.Event()
        outcomes: list[str] = []
        holder = asyncio.create_task(_hold(bulkheads, "P", release, outcomes))
        await asyncio.sleep(0.01)
        with pytest.raises(UpstreamError) as exc:
            async with bulkheads.slot("P"):
                pass
        assert exc.value.status == 503 and exc.value.slug == "payer-busy" and exc.value.retry_after_seconds >= 1
        release.set()
        await holder

    asyncio.run(scenario())


def test_at_most_max_payers_compartments_at_once() -> None:
    async def scenario() -> None:
        bulkheads = PayerBulkheads(max_in_flight=1, max_waiting=0, max_wait_seconds=1, max_payers=2)
        release = asyncio.Event()
        outcomes: list[str] = []
        held = [asyncio.create_task(_hold(bulkheads, p, release, outcomes)) for p in ("A", "B", "C")]
        await asyncio.sleep(0.01)
        assert outcomes == ["in", "in", "payer-busy"] and len(bulkheads) == 2
        release.set()
        await asyncio.gather(*held)
        assert len(bulkheads) == 0

    asyncio.run(scenario())
