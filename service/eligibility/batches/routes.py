"""Batch re-verification routes (thin): queue a batch, read its progress and results."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, Parameter

from contracts.batches import Batch, BatchRequest
from service.access.roles import Role, allow, caller_of
from service.eligibility.batches import service
from service.errors import request_id_of

#: 10,000 members at a few hundred bytes each: larger than MAX_BODY_BYTES, which fits single requests.
BATCH_MAX_BODY_BYTES = 8 * 1024 * 1024


class EligibilityBatchController(Controller):
    path = "/v1/eligibility/batches"
    tags = ["eligibility"]
    security = [{"ApiKey": []}]

    @post(
        "/",
        operation_id="createEligibilityBatch",
        summary="Queue members and dates of service (up to 10,000) to check again with their payers",
        description=(
            "202 with the batch (all items pending). Workers (`benefits-estimator worker`) run the checks, at most "
            "BATCH_CLEARINGHOUSE_CONCURRENCY at once and BATCH_PAYER_CONCURRENCY per payer, across all workers. "
            "Each item is a full eligibility check request; a check whose coverage changed since the patient's "
            "previous check (became inactive, deductible met, plan changed) is flagged for billing. Follow progress "
            "with GET /v1/eligibility/batches/{batch_id}."
        ),
        guards=[allow(Role.INTAKE, Role.BILLING)],
        status_code=202,
        request_max_body_size=BATCH_MAX_BODY_BYTES,
    )
    async def create_batch(self, request: Request, data: JSONBody[BatchRequest]) -> Batch:
        caller = caller_of(request)
        queue = await service.queue_for(request.app.state)
        return await service.create_batch(
            request.app.state.pool, queue, request.app.state.settings, data,
            actor=caller.actor_id if caller else "anonymous", caller=caller, request_id=request_id_of(request.scope),
        )

    @get(
        "/{batch_id:str}",
        operation_id="getEligibilityBatch",
        summary="A batch's progress and per-member results (check id, status, coverage changes, problem)",
        description=(
            "`status` is `running` while any item is pending, then `complete`. Each item names its check (GET "
            "/v1/eligibility/checks/{check_id}), the check's status, the patient's previous check and the coverage "
            "changes since it (`flagged_for_billing`), or the problem that failed it. `?items=attention` lists only "
            "flagged and failed items."
        ),
        guards=[allow(Role.INTAKE, Role.BILLING)],
    )
    async def get_batch(
        self,
        request: Request,
        batch_id: FromPath[str],
        items: Annotated[Literal["all", "attention"], Parameter(
            description="all items, or only those flagged for billing or failed")] = "all",
    ) -> Batch:
        return await service.read_batch(
            request.app.state.pool, batch_id, attention_only=items == "attention", caller=caller_of(request),
            request_id=request_id_of(request.scope),
        )


CONTROLLERS = [EligibilityBatchController]
