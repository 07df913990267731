"""The per-payer breaker in PostgreSQL: closed → open → half-open (one trial, on any replica) → closed.

Time is moved by setting the row's times in the database (no sleeping): the breaker reads the database's clock.
"""

from __future__ import annotations

import uuid

import pytest

from service.eligibility.breaker import BreakerOpen, Permit, SharedBreakers
from service.eligibility.payer_gate import PayerGate
from service.eligibility.bulkhead import PayerBulkheads
from service.errors import UpstreamError


@pytest.fixture
def run(client):  # noqa: ANN001, ANN201
    """Run a coroutine function on the app's event loop (where its pool lives)."""
    return lambda fn, *args: client.blocking_portal.call(fn, *args)


@pytest.fixture
def breakers(client) -> SharedBreakers:  # noqa: ANN001
    return SharedBreakers(client.app.state.pool, failure_threshold=3, reset_seconds=30, trial_seconds=20)


def _payer() -> str:
    return "SBTEST" + uuid.uuid4().hex[:8].upper()


def _time_passes(db, payer: str) -> None:  # noqa: ANN001
    db.execute("UPDATE payer_circuits SET opened_until = now() - interval '1 second' WHERE payer_id = $1", payer)


def test_closed_open_half_open_closed(breakers, run, db) -> None:  # noqa: ANN001
    payer = _payer()
    for _ in range(3):
        run(breakers.on_failure, run(breakers.before_call, payer.lower()))
    with pytest.raises(BreakerOpen) as exc:
        run(breakers.before_call, payer)
    assert 28 <= exc.value.retry_after <= 30
    # another replica (another SharedBreakers on the same database) sees the same open circuit
    other = SharedBreakers(breakers.pool, failure_threshold=3, reset_seconds=30, trial_seconds=20)
    with pytest.raises(BreakerOpen):
        run(other.before_call, payer)

    _time_passes(db, payer)
    trial = run(breakers.before_call, payer)
    assert trial == Permit(payer, trial=True)
    with pytest.raises(BreakerOpen):
        run(other.before_call, payer)  # only one trial at a time, service-wide
    run(breakers.on_failure, trial)
    with pytest.raises(BreakerOpen):
        run(breakers.before_call, payer)  # open again for another reset period

    _time_passes(db, payer)
    run(breakers.on_success, run(other.before_call, payer))
    assert db.fetchval("SELECT count(*) FROM payer_circuits WHERE payer_id = $1", payer) == 0  # closed = no row
    assert run(breakers.before_call, payer) == Permit(payer)


def test_a_success_resets_the_consecutive_count(breakers, run) -> None:  # noqa: ANN001
    payer = _payer()
    for outcome in ("failure", "failure", "success", "failure", "failure"):
        permit = run(breakers.before_call, payer)
        run(breakers.on_failure if outcome == "failure" else breakers.on_success, permit)
    run(breakers.before_call, payer)  # 2 consecutive failures of 3: still closed


def test_a_neutral_trial_passes_the_turn_on(breakers, run, db) -> None:  # noqa: ANN001
    payer = _payer()
    for _ in range(3):
        run(breakers.on_failure, Permit(payer))
    _time_passes(db, payer)
    trial = run(breakers.before_call, payer)
    run(breakers.on_neutral, trial)
    assert run(breakers.before_call, payer).trial  # the next caller makes the trial call


@pytest.mark.parametrize(("status", "slug", "counts"), [
    (502, "clearinghouse-bad-response", False),  # one member's unreadable 271: the payer answered
    (502, "clearinghouse-refused", False),
    (503, "payer-unavailable", True),
    (504, "clearinghouse-timeout", True),
])
def test_only_transport_failures_open_the_payers_circuit(breakers, run, db, status, slug, counts) -> None:  # noqa: ANN001
    payer = _payer()
    gate = PayerGate(breakers, PayerBulkheads(max_in_flight=4, max_waiting=4, max_wait_seconds=1))

    async def failing() -> None:
        raise UpstreamError("upstream", status=status, slug=slug, title="upstream")

    for _ in range(5):
        with pytest.raises(UpstreamError) as exc:
            run(gate.exchange, payer, failing)
        if exc.value.slug == "circuit-open":
            break
    opened = db.fetchval("SELECT opened_until > now() FROM payer_circuits WHERE payer_id = $1", payer)
    assert bool(opened) is counts
