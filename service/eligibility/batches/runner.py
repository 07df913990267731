"""Running one lane of a batch inside a worker: each pending item becomes a fresh check, compared with the last one.

The worker process (``worker.py``) puts a :class:`WorkerResources` in procrastinate's job context.
Each item: take the lane's next pending one and count the attempt → :func:`service.eligibility.service.create_check` with ``refresh`` (a
re-verification always asks the payer) → the patient's previous check → :func:`coverage_changes` →
the item is ``done``. A problem the check raises (502/503/504, 422) makes the item ``failed`` with
that problem; the lane goes on. An item that already took ``MAX_ATTEMPTS`` attempts (each one ended
by a dying worker) is failed instead of tried again, so one poisonous item cannot stop a lane.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog

from contracts.eligibility import EligibilityCheckRequest
from service.access.roles import Caller, Role
from service.db.tenant import NO_ORGANIZATION, acting_for
from service.eligibility import service as eligibility
from service.eligibility import store as checks_store
from service.eligibility.batches import store
from service.eligibility.batches.changes import coverage_changes
from service.errors import ProblemError

__all__ = ["WorkerResources", "verify_lane", "MAX_ATTEMPTS"]

log = structlog.get_logger("service.eligibility.batches")

MAX_ATTEMPTS = 3
_decode_request = msgspec.json.Decoder(EligibilityCheckRequest)


@dataclass(frozen=True)
class WorkerResources:
    pool: Any
    settings: Any
    client: Any
    gate: Any
    name: str = f"{socket.gethostname()}:{os.getpid()}"


def _request_of(raw: Any) -> EligibilityCheckRequest:
    return msgspec.convert(raw, EligibilityCheckRequest) if isinstance(raw, dict) else _decode_request.decode(raw)


async def verify_lane(context: Any, batch_id: str, lane: int) -> None:
    resources: WorkerResources = context.additional_context["eligibility"]
    bid = uuid.UUID(batch_id)
    done = 0
    # The lane's checks, audit rows and items belong to the batch's organization (service/db/tenant.py).
    organization = await resources.pool.fetchval("SELECT batch_organization($1)", bid)  # migration 0901
    with acting_for(organization or NO_ORGANIZATION):
        while (item := await store.next_pending(resources.pool, bid, lane)) is not None:
            await _verify_item(resources, bid, item, organization)
            done += 1
    log.info("batch_lane_finished", batch_id=batch_id, lane=lane, items=done, worker=resources.name)


async def _verify_item(resources: WorkerResources, batch_id: uuid.UUID, item: Any, organization: str) -> None:
    position = item["position"]
    if item["attempts"] > MAX_ATTEMPTS:
        await store.fail_item(resources.pool, batch_id, position, {
            "status": 500, "type": "worker-lost",
            "detail": f"a worker stopped while checking this member {MAX_ATTEMPTS} times; check it on its own",
        }, resources.name)
        return
    caller = Caller(actor_id=item["created_by"], actor_name=f"batch {batch_id}", role=Role.BILLING,
                    organization_id=organization)
    ctx = eligibility.Context(pool=resources.pool, settings=resources.settings, client=resources.client,
                              caller=caller, request_id=f"batch-{batch_id}", gate=resources.gate)
    try:
        check, _created = await eligibility.create_check(ctx, _request_of(item["request"]), refresh=True)
    except ProblemError as exc:
        await store.fail_item(resources.pool, batch_id, position,
                              {"status": exc.status, "type": exc.slug, "detail": exc.detail}, resources.name)
        return
    check_id = uuid.UUID(check.id)
    previous = await store.previous_check(resources.pool, item["patient_key"], check_id)
    changes = coverage_changes(checks_store.decode_benefits(previous) if previous else None, check.benefits)
    await store.finish_item(
        resources.pool, batch_id, position, check_id=check_id, check_status=check.status,
        previous_check_id=previous["id"] if previous else None, changes=changes, worker=resources.name,
    )
