"""The payers intake staff pick from: the clearinghouse's payer directory (those that answer real-time 270s),
then any other payer this service has recently checked with."""

from __future__ import annotations

from typing import Any

import asyncpg

from service.eligibility.payers import store as directory

RECENT_PAYERS = 50


async def payer_choices(pool: asyncpg.Pool, settings: Any) -> dict[str, str]:
    """payer id -> name: the directory's real-time payers by name, then the most recently checked others."""
    choices = {e.payer_id: e.name for e in await directory.entries(pool, settings.clearinghouse_name)
               if e.real_time_270}
    rows = await pool.fetch(
        """SELECT payer_id, (array_agg(payer_name ORDER BY created_at DESC))[1] AS payer_name
           FROM eligibility_checks WHERE payer_id IS NOT NULL
           GROUP BY payer_id ORDER BY max(created_at) DESC LIMIT $1""", RECENT_PAYERS)
    for row in rows:
        choices.setdefault(row["payer_id"], row["payer_name"] or row["payer_id"])
    return choices
