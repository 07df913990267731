"""The payers intake staff pick from: the sandbox payer's roster when the sandbox answers, and every payer
this service has recently checked with (so a deployment's own payers appear once used via the API)."""

from __future__ import annotations

import asyncpg

RECENT_PAYERS = 50


def _sandbox_payers() -> dict[str, str]:
    from service.eligibility.sandbox.roster import ROSTER  # noqa: PLC0415

    return {m.payer_id: m.payer_name for m in ROSTER.values()}


async def payer_choices(pool: asyncpg.Pool, *, sandbox: bool) -> dict[str, str]:
    """payer id -> name, sandbox payers first, then the most recently checked."""
    choices = _sandbox_payers() if sandbox else {}
    rows = await pool.fetch(
        """SELECT payer_id, (array_agg(payer_name ORDER BY created_at DESC))[1] AS payer_name
           FROM eligibility_checks WHERE payer_id IS NOT NULL
           GROUP BY payer_id ORDER BY max(created_at) DESC LIMIT $1""", RECENT_PAYERS)
    for row in rows:
        choices.setdefault(row["payer_id"], row["payer_name"] or row["payer_id"])
    return choices
