"""A circuit breaker per payer, in process memory.

States: **closed** (calls go through; consecutive failures are counted) → **open** after
``failure_threshold`` consecutive failures (calls fail fast, no network) → **half-open**
once ``reset_seconds`` have passed (one trial call goes through; others still fail fast) →
closed again on success, or open again (for another ``reset_seconds``) on failure.

Why per payer: one payer being down must not stop checks for every other payer behind the
same clearinghouse. Why in memory: the state is a short-lived health signal; each replica
learns it for itself within ``failure_threshold`` calls.

The clock is injectable (``clock``) so tests can move time without sleeping.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["BreakerOpen", "PayerBreaker", "BreakerRegistry"]


class BreakerOpen(Exception):
    """The payer's circuit is open; ``retry_after`` is whole seconds until a trial call is allowed."""

    def __init__(self, payer_id: str, retry_after: int) -> None:
        super().__init__(f"circuit open for payer {payer_id}")
        self.payer_id = payer_id
        self.retry_after = retry_after


@dataclass
class PayerBreaker:
    payer_id: str
    failure_threshold: int
    reset_seconds: float
    clock: Callable[[], float] = time.monotonic
    state: str = "closed"  # closed | open | half_open
    failures: int = 0
    opened_at: float = 0.0
    trial_in_flight: bool = False

    def before_call(self) -> None:
        """Raise :class:`BreakerOpen` unless a call may go out now."""
        if self.state == "closed":
            return
        now = self.clock()
        if self.state == "open":
            waited = now - self.opened_at
            if waited < self.reset_seconds:
                raise BreakerOpen(self.payer_id, max(1, math.ceil(self.reset_seconds - waited)))
            self.state = "half_open"
            self.trial_in_flight = False
        # half-open: exactly one trial call at a time
        if self.trial_in_flight:
            raise BreakerOpen(self.payer_id, max(1, math.ceil(self.reset_seconds)))
        self.trial_in_flight = True

    def on_success(self) -> None:
        self.state, self.failures, self.trial_in_flight = "closed", 0, False

    def on_failure(self) -> None:
        self.trial_in_flight = False
        if self.state == "half_open":
            self._open()
            return
        self.failures += 1
        if self.failures >= self.failure_threshold:
            self._open()

    def on_neutral(self) -> None:
        """The call ended without telling anything about the payer's health (e.g. our own 4xx)."""
        self.trial_in_flight = False
        if self.state == "half_open":
            self.state = "open"  # keep waiting; the next call after reset tries again
            self.opened_at = self.clock() - self.reset_seconds

    def _open(self) -> None:
        self.state, self.opened_at = "open", self.clock()


class BreakerRegistry:
    """One :class:`PayerBreaker` per payer id (upper-cased)."""

    def __init__(self, failure_threshold: int, reset_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self.clock = clock
        self._breakers: dict[str, PayerBreaker] = {}
        self._lock = threading.Lock()

    def for_payer(self, payer_id: str) -> PayerBreaker:
        key = payer_id.strip().upper()
        with self._lock:
            breaker = self._breakers.get(key)
            if breaker is None:
                breaker = self._breakers[key] = PayerBreaker(key, self.failure_threshold, self.reset_seconds, self.clock)
            return breaker

    def states(self) -> dict[str, str]:
        return {k: b.state for k, b in self._breakers.items()}
