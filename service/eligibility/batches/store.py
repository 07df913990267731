"""asyncpg queries for batches and their items (tables from migration 0120). Items hold PHI: never log rows."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import msgspec

__all__ = [
    "insert_batch", "fetch_batch", "fetch_items", "next_pending", "finish_item", "fail_item",
    "previous_check", "progress",
]

async def insert_batch(
    conn: asyncpg.Connection, *, created_by: str, lanes: int, items: list[tuple[int, str, Any, str]],
) -> uuid.UUID:
    """One batch and its items ``(lane, payer_id, request, patient_key)``, in the caller's transaction."""
    batch_id = await conn.fetchval(
        "INSERT INTO eligibility_batches (created_by, total, lanes) VALUES ($1, $2, $3) RETURNING id",
        created_by, len(items), lanes,
    )
    # One statement for up to 10,000 rows; the requests travel as JSON text and become jsonb in the database.
    await conn.execute(
        """INSERT INTO eligibility_batch_items (batch_id, position, lane, payer_id, request, patient_key)
           SELECT $1, p, l, payer, req::jsonb, pk
             FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[]) AS t(p, l, payer, req, pk)""",
        batch_id, list(range(len(items))), [lane for lane, _, _, _ in items], [payer for _, payer, _, _ in items],
        [msgspec.json.encode(request).decode() for _, _, request, _ in items], [key for _, _, _, key in items],
    )
    return batch_id


async def fetch_batch(db: Any, batch_id: uuid.UUID) -> asyncpg.Record | None:
    return await db.fetchrow("SELECT * FROM eligibility_batches WHERE id = $1", batch_id)


async def progress(db: Any, batch_id: uuid.UUID) -> asyncpg.Record:
    return await db.fetchrow(
        """SELECT count(*) AS total,
                  count(*) FILTER (WHERE status = 'pending') AS pending,
                  count(*) FILTER (WHERE status = 'done') AS done,
                  count(*) FILTER (WHERE status = 'failed') AS failed,
                  count(*) FILTER (WHERE cardinality(coverage_changes) > 0) AS flagged
             FROM eligibility_batch_items WHERE batch_id = $1""",
        batch_id,
    )


async def fetch_items(db: Any, batch_id: uuid.UUID, *, attention_only: bool = False) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT position, payer_id, status, check_id, check_status, previous_check_id, coverage_changes, problem, "
        "attempts, processed_by FROM eligibility_batch_items WHERE batch_id = $1 "
        "AND (NOT $2 OR status = 'failed' OR cardinality(coverage_changes) > 0) ORDER BY position",
        batch_id, attention_only,
    )


async def next_pending(db: Any, batch_id: uuid.UUID, lane: int) -> asyncpg.Record | None:
    """The lane's first pending item, its attempt counted (a worker that dies mid-item leaves the count behind)."""
    return await db.fetchrow(
        """UPDATE eligibility_batch_items AS item SET attempts = item.attempts + 1
            WHERE item.batch_id = $1 AND item.position = (
                  SELECT position FROM eligibility_batch_items
                   WHERE batch_id = $1 AND lane = $2 AND status = 'pending' ORDER BY position LIMIT 1)
        RETURNING item.position, item.request, item.attempts, item.patient_key,
                  (SELECT created_by FROM eligibility_batches WHERE id = $1) AS created_by""",
        batch_id, lane,
    )


async def finish_item(
    db: Any, batch_id: uuid.UUID, position: int, *, check_id: uuid.UUID, check_status: str,
    previous_check_id: uuid.UUID | None, changes: list[str], worker: str,
) -> None:
    await db.execute(
        "UPDATE eligibility_batch_items SET status = 'done', check_id = $3, check_status = $4, previous_check_id = $5, "
        "coverage_changes = $6, problem = NULL, finished_at = now(), processed_by = $7 "
        "WHERE batch_id = $1 AND position = $2",
        batch_id, position, check_id, check_status, previous_check_id, changes, worker,
    )


async def fail_item(db: Any, batch_id: uuid.UUID, position: int, problem: dict[str, Any], worker: str) -> None:
    await db.execute(
        "UPDATE eligibility_batch_items SET status = 'failed', problem = $3, finished_at = now(), processed_by = $4 "
        "WHERE batch_id = $1 AND position = $2",
        batch_id, position, problem, worker,
    )


async def previous_check(db: Any, patient_key: str, check_id: uuid.UUID) -> asyncpg.Record | None:
    """The patient's last check before ``check_id`` that said whether coverage is active (any source)."""
    return await db.fetchrow(
        """SELECT id, benefits FROM eligibility_checks
            WHERE patient_key = $1 AND id <> $2 AND status IN ('active', 'inactive')
              AND created_at <= (SELECT created_at FROM eligibility_checks WHERE id = $2)
            ORDER BY created_at DESC, id DESC LIMIT 1""",
        patient_key, check_id,
    )
