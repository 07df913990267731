"""Between a check and the clearinghouse: the payer's circuit breaker, then the payer's bulkhead.

Every wire adapter (whatever speaks to the clearinghouse) is called through :meth:`PayerGate.exchange`, so one
slow or failing payer is contained the same way whatever the wire:

1. the breaker (``breaker.py``, shared by every replica through PostgreSQL): while the payer's circuit is open
   the check fails at once with 503 ``circuit-open`` and nothing is sent;
2. the bulkhead (``bulkhead.py``, per process): at most PAYER_MAX_IN_FLIGHT checks at that payer at once and
   PAYER_MAX_WAITING waiting for a turn; beyond, 503 ``payer-busy`` at once.

What the breaker counts: transport failures only - 503 (unreachable, 5xx or "try later" after the retries) and
504 (no answer in time). A 502 is one answer that could not be used (an unreadable 271 for one member, a request
the clearinghouse refused): the payer is up, and opening its circuit would stop every other member's checks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog

from service.eligibility.breaker import BreakerOpen, SharedBreakers
from service.eligibility.bulkhead import PayerBulkheads
from service.errors import UpstreamError

__all__ = ["PayerGate", "counts_against_payer"]

log = structlog.get_logger("service.eligibility.payer_gate")

T = TypeVar("T")


def counts_against_payer(exc: UpstreamError) -> bool:
    """A failure that says the payer (or the way to it) is down, as opposed to one unusable answer."""
    return exc.status in (503, 504) and exc.slug not in ("circuit-open", "payer-busy")


class PayerGate:
    def __init__(self, breakers: SharedBreakers, bulkheads: PayerBulkheads) -> None:
        self.breakers = breakers
        self.bulkheads = bulkheads

    async def exchange(self, payer_id: str, send: Callable[[], Awaitable[T]]) -> T:
        try:
            permit = await self.breakers.before_call(payer_id)
        except BreakerOpen as exc:
            log.warning("clearinghouse_circuit_open", payer_id=exc.payer_id, retry_after=exc.retry_after)
            raise UpstreamError(
                f"Checks for payer {exc.payer_id} are paused after repeated failures; "
                f"try again in {exc.retry_after} seconds.",
                status=503, slug="circuit-open", title="The payer is unavailable right now",
                retry_after_seconds=exc.retry_after,
            ) from None
        try:
            async with self.bulkheads.slot(payer_id):
                result = await send()
        except UpstreamError as exc:
            if counts_against_payer(exc):
                await self.breakers.on_failure(permit)
            else:
                await self.breakers.on_neutral(permit)
            raise
        except Exception:
            await self.breakers.on_neutral(permit)
            raise
        # (a cancelled trial call is not reported: its turn passes to another caller when trial_seconds are up)
        await self.breakers.on_success(permit)
        return result
