"""A circuit breaker per payer, kept in PostgreSQL so that every replica sees the same breaker.

States: **closed** (calls go through; consecutive failures are counted) → **open** after ``failure_threshold``
consecutive failures (calls fail fast for ``reset_seconds``, nothing is sent) → **half-open** once that time has
passed (one trial call goes out, on any replica; the others still fail fast) → closed on success, or open again
for another ``reset_seconds`` on failure.

What counts (decided by the caller, ``payer_gate.py``): a transport failure - the payer or clearinghouse
unreachable, 5xx or "try later" after the retries, no answer in time. One member's unreadable 271 does not: the
payer answered, and opening the circuit would stop every other member's checks.

Why PostgreSQL: a replica that opened the circuit spares the others their ``failure_threshold`` failed calls,
and a trial call is made once for the whole service, not once per replica. The table holds a row only while a
payer is failing (a success deletes it), so nothing per payer stays in process memory and the table stays as
small as the set of payers that are down. Times are the database's clock, the same for every replica.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import asyncpg

__all__ = ["BreakerOpen", "Permit", "SharedBreakers"]


class BreakerOpen(Exception):
    """The payer's circuit is open; ``retry_after`` is whole seconds until a trial call is allowed."""

    def __init__(self, payer_id: str, retry_after: int) -> None:
        super().__init__(f"circuit open for payer {payer_id}")
        self.payer_id = payer_id
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Permit:
    """Leave to make one call to a payer; ``trial`` when it is the half-open circuit's one trial call."""

    payer_id: str
    trial: bool = False


_STATE = """SELECT opened_until > now() AS open, opened_until <= now() AS half_open,
                  extract(epoch FROM opened_until - now())::float8 AS wait
           FROM payer_circuits WHERE payer_id = $1"""
_CLAIM_TRIAL = """UPDATE payer_circuits SET trial_until = now() + make_interval(secs => $2), updated_at = now()
                  WHERE payer_id = $1 AND opened_until <= now() AND (trial_until IS NULL OR trial_until <= now())
                  RETURNING 1"""
_FAILED = """INSERT INTO payer_circuits AS c (payer_id, failures, opened_until)
             VALUES ($1, 1, CASE WHEN $3 <= 1 THEN now() + make_interval(secs => $2) END)
             ON CONFLICT (payer_id) DO UPDATE SET
                 failures = c.failures + 1,
                 opened_until = CASE WHEN $4 THEN now() + make_interval(secs => $2)
                                     WHEN c.opened_until > now() THEN c.opened_until
                                     WHEN c.failures + 1 >= $3 THEN now() + make_interval(secs => $2)
                                     ELSE c.opened_until END,
                 trial_until = CASE WHEN $4 THEN NULL ELSE c.trial_until END,
                 updated_at = now()"""


class SharedBreakers:
    def __init__(self, pool: asyncpg.Pool, *, failure_threshold: int, reset_seconds: float,
                 trial_seconds: float) -> None:
        self.pool = pool
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        #: how long a half-open trial call may take before another replica may try (the read timeout and more)
        self.trial_seconds = trial_seconds

    @staticmethod
    def key(payer_id: str) -> str:
        return payer_id.strip().upper()

    async def before_call(self, payer_id: str) -> Permit:
        """A permit for one call, or :class:`BreakerOpen` while the payer's circuit is open."""
        key = self.key(payer_id)
        row = await self.pool.fetchrow(_STATE, key)
        if row is None or not (row["open"] or row["half_open"]):
            return Permit(key)
        if row["open"]:
            raise BreakerOpen(key, max(1, math.ceil(row["wait"])))
        if await self.pool.fetchval(_CLAIM_TRIAL, key, self.trial_seconds) is None:
            raise BreakerOpen(key, max(1, math.ceil(min(self.trial_seconds, self.reset_seconds))))
        return Permit(key, trial=True)

    async def on_success(self, permit: Permit) -> None:
        await self.pool.execute("DELETE FROM payer_circuits WHERE payer_id = $1", permit.payer_id)

    async def on_failure(self, permit: Permit) -> None:
        await self.pool.execute(_FAILED, permit.payer_id, self.reset_seconds, self.failure_threshold, permit.trial)

    async def on_neutral(self, permit: Permit) -> None:
        """The call said nothing about the payer's health: a trial call's turn passes to the next caller."""
        if permit.trial:
            await self.pool.execute(
                "UPDATE payer_circuits SET trial_until = NULL, updated_at = now() WHERE payer_id = $1",
                permit.payer_id)

    async def states(self) -> dict[str, str]:
        """Payer id → ``open`` / ``half_open`` / ``closed`` for every payer with failures on record."""
        rows = await self.pool.fetch(
            """SELECT payer_id, CASE WHEN opened_until > now() THEN 'open'
                                     WHEN opened_until IS NOT NULL THEN 'half_open' ELSE 'closed' END AS state
               FROM payer_circuits""")
        return {row["payer_id"]: row["state"] for row in rows}
