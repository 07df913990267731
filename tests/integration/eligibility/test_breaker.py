"""Breaker state machine with a fake clock (no sleeping)."""

from __future__ import annotations

import pytest

from service.eligibility.breaker import BreakerOpen, BreakerRegistry


def test_closed_open_half_open_closed():
    now = [0.0]
    reg = BreakerRegistry(failure_threshold=3, reset_seconds=30, clock=lambda: now[0])
    b = reg.for_payer("sbppo")
    for _ in range(3):
        b.before_call()
        b.on_failure()
    assert b.state == "open"
    now[0] = 10.0
    with pytest.raises(BreakerOpen) as exc:
        b.before_call()
    assert exc.value.retry_after == 20  # 30 - 10
    now[0] = 31.0
    b.before_call()  # the trial call
    assert b.state == "half_open"
    with pytest.raises(BreakerOpen):
        b.before_call()  # only one trial at a time
    b.on_failure()
    assert b.state == "open" and b.opened_at == 31.0
    now[0] = 62.0
    b.before_call()
    b.on_success()
    assert b.state == "closed" and b.failures == 0
    assert reg.for_payer("SBPPO") is b


def test_success_resets_consecutive_count():
    reg = BreakerRegistry(failure_threshold=2, reset_seconds=30, clock=lambda: 0.0)
    b = reg.for_payer("X")
    b.on_failure()
    b.on_success()
    b.on_failure()
    assert b.state == "closed"
