"""Batches: create (items stored, one job per lane queued) and read (progress and results), each audited."""

from __future__ import annotations

import uuid
from typing import Any

import structlog

from contracts.batches import Batch, BatchItem, BatchProgress, BatchRequest, ItemProblem
from service.access.audit import record
from service.eligibility.batches import queue as batch_queue
from service.eligibility.batches import store
from service.eligibility.batches.lanes import assign_lanes
from service.eligibility.service import _patient_key_for  # the key the check itself stores
from service.errors import NotFound, UpstreamError

__all__ = ["create_batch", "read_batch", "queue_for"]

log = structlog.get_logger("service.eligibility.batches")


async def queue_for(state: Any) -> Any:
    """The app's procrastinate App, opened on first use (serve defers jobs; workers run them)."""
    queue = state.get("batch_queue")
    if queue is None:
        # The queue's schema was made at start-up, before the grants (service/lifecycle.py): the queue runs as
        # the least-privileged role requests run as.
        database_url = state.get("requests_database_url") or state.get("database_url")
        if database_url is None:
            raise UpstreamError("The batch queue has no database.", status=503, slug="queue-unavailable",
                                title="Batches cannot be queued right now", retry_after_seconds=30)
        queue = batch_queue.make_queue(database_url)
        await queue.open_async()
        state.batch_queue = queue
    return queue


async def create_batch(pool: Any, queue: Any, settings: Any, request: BatchRequest, *, actor: str,
                       caller: Any = None, request_id: str | None = None) -> Batch:
    items = request.items
    lanes = max(1, min(settings.batch_clearinghouse_concurrency, len(items)))
    assigned = assign_lanes([i.payer_id for i in items], lanes, settings.batch_payer_concurrency)
    rows = [(lane, i.payer_id.upper(), i, _patient_key_for(i.subscriber, i.dependent))
            for lane, i in zip(assigned, items)]
    async with pool.acquire() as conn, conn.transaction():
        batch_id = await store.insert_batch(conn, created_by=actor, lanes=lanes, items=rows)
        await record(conn, caller=caller, action="eligibility_batch.create", resource_type="eligibility_batch",
                     resource_id=batch_id, patient=None, request_id=request_id)
    await batch_queue.defer_lanes(queue, str(batch_id), lanes)
    log.info("eligibility_batch_created", batch_id=str(batch_id), items=len(items), lanes=lanes)
    return await read_batch(pool, str(batch_id), audit=False)


def _item(row: Any) -> BatchItem:
    problem = row["problem"]
    return BatchItem(
        position=row["position"], payer_id=row["payer_id"], status=row["status"],
        check_id=str(row["check_id"]) if row["check_id"] else None, check_status=row["check_status"],
        previous_check_id=str(row["previous_check_id"]) if row["previous_check_id"] else None,
        coverage_changes=list(row["coverage_changes"]), flagged_for_billing=bool(row["coverage_changes"]),
        problem=ItemProblem(status=problem["status"], type=problem["type"], detail=problem.get("detail"))
        if problem else None,
        attempts=row["attempts"],
    )


async def read_batch(pool: Any, batch_id: str, *, attention_only: bool = False, audit: bool = True,
                     caller: Any = None, request_id: str | None = None) -> Batch:
    try:
        bid = uuid.UUID(batch_id)
    except ValueError:
        raise NotFound("No eligibility batch with this id.") from None
    batch = await store.fetch_batch(pool, bid)
    if batch is None:
        raise NotFound("No eligibility batch with this id.")
    if audit:
        await record(pool, caller=caller, action="eligibility_batch.read", resource_type="eligibility_batch",
                     resource_id=bid, patient=None, request_id=request_id)
    counts = await store.progress(pool, bid)
    items = await store.fetch_items(pool, bid, attention_only=attention_only)
    return Batch(
        id=str(bid), status="complete" if counts["pending"] == 0 else "running", created_at=batch["created_at"],
        lanes=batch["lanes"],
        progress=BatchProgress(total=counts["total"], pending=counts["pending"], done=counts["done"],
                               failed=counts["failed"], flagged_for_billing=counts["flagged"]),
        items=[_item(r) for r in items],
    )
