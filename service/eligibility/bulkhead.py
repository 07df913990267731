"""A bulkhead per payer: one slow payer cannot take the capacity every other payer's checks need.

Each payer gets its own compartment: at most ``max_in_flight`` checks at the clearinghouse at once, at most
``max_waiting`` more waiting for one of those slots, each for at most ``max_wait_seconds``. A check beyond that is
refused at once with 503 ``payer-busy`` and a Retry-After, instead of queueing behind the slow payer (and holding
a request, a connection and memory while it waits).

Memory is bounded: a compartment exists only while its payer has checks in flight or waiting, and at most
``max_payers`` compartments exist at once (a check for yet another payer is then refused the same way).
The compartments are per process; PAYER_MAX_IN_FLIGHT is therefore per replica.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from service.errors import UpstreamError

__all__ = ["PayerBulkheads", "payer_busy"]


def payer_busy(payer_id: str, retry_after: int) -> UpstreamError:
    return UpstreamError(
        f"Too many checks for payer {payer_id} are waiting on the payer right now; try again in {retry_after} "
        "seconds.", status=503, slug="payer-busy", title="The payer is busy right now",
        retry_after_seconds=retry_after,
    )


@dataclass
class _Compartment:
    slots: asyncio.Semaphore
    users: int = 0  # in flight + waiting
    waiting: int = 0


class PayerBulkheads:
    def __init__(self, *, max_in_flight: int, max_waiting: int, max_wait_seconds: float,
                 max_payers: int = 1024) -> None:
        self.max_in_flight = max_in_flight
        self.max_waiting = max_waiting
        self.max_wait_seconds = max_wait_seconds
        self.max_payers = max_payers
        self._compartments: dict[str, _Compartment] = {}

    def in_flight(self, payer_id: str) -> int:
        compartment = self._compartments.get(payer_id.strip().upper())
        return 0 if compartment is None else compartment.users - compartment.waiting

    def __len__(self) -> int:
        return len(self._compartments)

    @asynccontextmanager
    async def slot(self, payer_id: str) -> AsyncIterator[None]:
        """Hold one of the payer's slots for the duration of the block, or raise 503 ``payer-busy``."""
        key = payer_id.strip().upper()
        retry_after = max(1, round(self.max_wait_seconds))
        compartment = self._compartments.get(key)
        if compartment is None:
            if len(self._compartments) >= self.max_payers:
                raise payer_busy(key, retry_after)
            compartment = self._compartments[key] = _Compartment(asyncio.Semaphore(self.max_in_flight))
        if compartment.slots.locked() and compartment.waiting >= self.max_waiting:
            raise payer_busy(key, retry_after)
        compartment.users += 1
        try:
            if compartment.slots.locked():
                compartment.waiting += 1
                try:
                    await asyncio.wait_for(compartment.slots.acquire(), self.max_wait_seconds)
                except TimeoutError:
                    raise payer_busy(key, retry_after) from None
                finally:
                    compartment.waiting -= 1
            else:
                await compartment.slots.acquire()
            try:
                yield
            finally:
                compartment.slots.release()
        finally:
            compartment.users -= 1
            if compartment.users == 0:
                del self._compartments[key]
