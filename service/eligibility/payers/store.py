"""The payer directory in PostgreSQL (table ``payer_directory``, migration 0110); no PHI here."""

from __future__ import annotations

from importlib import resources
from typing import Any

import asyncpg

from service.eligibility.payers.directory import PayerEntry, read_directory

__all__ = ["replace_directory", "entries", "find", "load_sandbox_directory", "SANDBOX_CLEARINGHOUSE"]

SANDBOX_CLEARINGHOUSE = "sandbox"


async def replace_directory(conn: asyncpg.Connection, clearinghouse: str, payers: list[PayerEntry]) -> int:
    """Make ``payers`` the clearinghouse's whole directory (one transaction: a failed import changes nothing)."""
    async with conn.transaction():
        await conn.execute("DELETE FROM payer_directory WHERE clearinghouse = $1", clearinghouse)
        await conn.copy_records_to_table(
            "payer_directory",
            columns=["clearinghouse", "payer_id", "name", "aliases", "real_time_270", "batch_270"],
            records=[(clearinghouse, p.payer_id, p.name, list(p.aliases), p.real_time_270, p.batch_270) for p in payers],
        )
    return len(payers)


def _entry(row: asyncpg.Record) -> PayerEntry:
    return PayerEntry(payer_id=row["payer_id"], name=row["name"], aliases=tuple(row["aliases"]),
                      real_time_270=row["real_time_270"], batch_270=row["batch_270"])


async def entries(db: Any, clearinghouse: str) -> list[PayerEntry]:
    rows = await db.fetch(
        "SELECT payer_id, name, aliases, real_time_270, batch_270 FROM payer_directory WHERE clearinghouse = $1 "
        "ORDER BY name", clearinghouse,
    )
    return [_entry(r) for r in rows]


async def find(db: Any, clearinghouse: str, payer_id: str) -> PayerEntry | None:
    """A payer by its id (or an alias the clearinghouse lists for it); None when unknown."""
    row = await db.fetchrow(
        "SELECT payer_id, name, aliases, real_time_270, batch_270 FROM payer_directory "
        "WHERE clearinghouse = $1 AND (payer_id = $2 OR $2 = ANY(aliases)) ORDER BY payer_id = $2 DESC LIMIT 1",
        clearinghouse, payer_id.strip().upper(),
    )
    return _entry(row) if row else None


async def load_sandbox_directory(db: Any) -> int:
    """Import the shipped sandbox directory unless the sandbox already has one (start-up with the sandbox)."""
    if await db.fetchval("SELECT EXISTS (SELECT 1 FROM payer_directory WHERE clearinghouse = $1)", SANDBOX_CLEARINGHOUSE):
        return 0
    content = resources.files("service.eligibility.payers").joinpath("data/sandbox.csv").read_bytes()
    async with db.acquire() as conn:
        try:
            return await replace_directory(conn, SANDBOX_CLEARINGHOUSE, read_directory(content))
        except asyncpg.UniqueViolationError:  # another replica loaded it at the same moment
            return 0
