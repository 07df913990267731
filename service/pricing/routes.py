"""REST: estimates (intake, billing) and fee schedules (admin). Thin: the work is in service.py / schedules.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from contracts.estimate import EstimateRequest, EstimateResponse
from contracts.fee_schedules import FeeScheduleImport, FeeScheduleList, FeeScheduleVersion
from contracts.payer_contracts import PayerContract, PayerContractIn, PayerContractList
from service.access.audit import record
from service.access.roles import Role, allow, caller_of
from service.errors import request_id_of
from service.request_body import BOUNDS_CHECKED_BY_HANDLER  # every row is checked and listed by schedules
from service.pricing import contracts_registry, schedules
from service.pricing.response_detail import INCLUDE_DESCRIPTION, INCLUDE_PATTERN, parse_include, with_detail
from service.pricing.service import create_estimate, provider_terms, read_estimate

IncludeParam = Annotated[str | None, QueryParameter(pattern=INCLUDE_PATTERN, max_length=60,
                                                    description=INCLUDE_DESCRIPTION)]


#: A payer id filter; control characters (NUL above all, which PostgreSQL text refuses) are a 400, not a 500.
PayerIdParam = Annotated[str | None, QueryParameter(max_length=80, pattern=r"^[^\x00-\x1f]*$")]


class EstimatesController(Controller):
    path = "/v1/estimates"
    tags = ["estimates"]
    guards = [allow(Role.INTAKE, Role.BILLING)]
    security = [{"ApiKey": []}]

    @post("", operation_id="createEstimate", description="From a stored eligibility check (`eligibility_check_id`), benefits heard by phone (`manual`), a 271 (`x12_271`) or self-pay (`self_pay` with a `household`): what the patient pays for each level of care, line by line, with warnings. 404 when the eligibility check does not exist; 422 when the benefits cannot support a quote (the problem says what to fix).", opt={"problems": {404: "The eligibility check named does not exist.", 422: "The estimate cannot be made from these benefits or rates; the problem names what to fix."}, "location": "/v1/estimates/{estimate_id}"}, status_code=201,
          summary="Estimate what the patient pays for IOP, PHP and inpatient care, side by side (stored)")
    async def create(self, request: Request[Any, Any, Any], data: JSONBody[EstimateRequest],
                     include: IncludeParam = None) -> EstimateResponse:
        now = dt.datetime.now(dt.UTC)
        detail = parse_include(include)
        # "today" is read here, at the edge, and handed to the pure engine (the request's as_of wins).
        response = await create_estimate(request.app.state.pool, data, caller=caller_of(request),
                                         request_id=request_id_of(request.scope), today=dt.date.today(),
                                         now=now, with_days="days" in detail,
                                         with_schedules="payment_schedules" in detail,
                                         **provider_terms(request.app.state.settings))
        return with_detail(response, detail)

    @get("/{estimate_id:uuid}", operation_id="getEstimate", description="The stored estimate exactly as it was answered when made (rates and figures of that day).",
         summary="An estimate exactly as it was given when it was made")
    async def read(self, request: Request[Any, Any, Any], estimate_id: FromPath[UUID],
                   include: IncludeParam = None) -> EstimateResponse:
        detail = parse_include(include)
        response = await read_estimate(request.app.state.pool, estimate_id, caller=caller_of(request),
                                       request_id=request_id_of(request.scope), detail=detail)
        return with_detail(response, detail)


class FeeSchedulesController(Controller):
    path = "/v1/admin/fee-schedules"
    tags = ["admin"]
    guards = [allow(Role.ADMIN)]
    security = [{"ApiKey": []}]

    @post("", operation_id="importFeeSchedule", opt={"problems": {422: "A row is invalid; every problem is listed (row, column, reason)."}, "location": "/v1/admin/fee-schedules/{id}", BOUNDS_CHECKED_BY_HANDLER: ("$.rows",)}, status_code=201,
          summary="Import a new fee-schedule version (chargemaster, contract, Medicare or Medicaid rates)",
          description="Every row is checked; all problems are listed (row, column, reason) and nothing is stored "
                      "if any row is bad. A version never changes once created: estimates already made keep "
                      "their rates. With dry_run the rows are only checked.")
    async def create(self, request: Request[Any, Any, Any], data: JSONBody[FeeScheduleImport]) -> FeeScheduleVersion:
        header = schedules.VersionHeader(
            version=data.version or schedules.default_label(data.kind, data.payer_id, data.plan_code,
                                                            data.effective_from),
            kind=data.kind, effective_from=data.effective_from, effective_to=data.effective_to,
            payer_id=data.payer_id, plan_code=data.plan_code, basis=data.basis)
        raw_rows = [msgspec.structs.asdict(row) for row in data.rows]
        caller = caller_of(request)
        pool = request.app.state.pool
        async with pool.acquire() as conn:
            stored = await schedules.import_fee_schedule(conn, header, raw_rows, dry_run=data.dry_run,
                                                         created_by=caller.actor_id if caller else "anonymous")
            if not data.dry_run:
                await record(conn, caller=caller, action="fee_schedule.create", resource_type="fee_schedule",
                             resource_id=stored.id, request_id=request_id_of(request.scope))
        return schedules.version_to_wire(stored, dry_run=data.dry_run)

    @get("", operation_id="listFeeSchedules", description="Every fee-schedule version (chargemaster, contract, Medicare, Medicaid), optionally of one kind or payer.", summary="Fee-schedule versions, newest first within each kind")
    async def list(
        self,
        request: Request[Any, Any, Any],
        kind: Annotated[str | None, QueryParameter(pattern="^(chargemaster|contract|medicare|medicaid)$")] = None,
        payer_id: PayerIdParam = None,
    ) -> FeeScheduleList:
        versions = await schedules.list_versions(request.app.state.pool, kind=kind, payer_id=payer_id)
        return FeeScheduleList(versions=[schedules.version_to_wire(v) for v in versions])

    @get("/{version_id:uuid}", operation_id="getFeeSchedule", description="One version with all its rows; versions never change once imported.", summary="One fee-schedule version with its rows")
    async def read(self, request: Request[Any, Any, Any], version_id: FromPath[UUID]) -> FeeScheduleVersion:
        return schedules.version_to_wire(await schedules.get_version(request.app.state.pool, version_id))


class PayerContractsController(Controller):
    path = "/v1/admin/payer-contracts"
    tags = ["admin"]
    guards = [allow(Role.ADMIN)]
    security = [{"ApiKey": []}]

    @post("", operation_id="addPayerContract", status_code=201,
          summary="Record a payer contract (network participation) as a new immutable version",
          description="A contract is keyed by payer, plan (omitted = every plan) and network name; each call adds "
                      "the next version of that key. in_network false records leaving the network. Estimates take "
                      "their network from the versions in force on the date of service and say which they used.")
    async def add(self, request: Request[Any, Any, Any], data: JSONBody[PayerContractIn]) -> PayerContract:
        caller = caller_of(request)
        async with request.app.state.pool.acquire() as conn:
            stored = await contracts_registry.add_contract(conn, data,
                                                           created_by=caller.actor_id if caller else "anonymous")
            await record(conn, caller=caller, action="payer_contract.create", resource_type="payer_contract",
                         resource_id=stored.id, request_id=request_id_of(request.scope))
        return stored

    @get("", operation_id="listPayerContracts", summary="Every payer-contract version, by payer and version",
         description="The provider's payer contracts (payer, plan, network, dates, in or out), every version, "
                     "optionally of one payer.")
    async def list(
        self, request: Request[Any, Any, Any],
        payer_id: PayerIdParam = None,
    ) -> PayerContractList:
        return PayerContractList(contracts=await contracts_registry.list_contracts(request.app.state.pool,
                                                                                   payer_id=payer_id))


CONTROLLERS = [EstimatesController, FeeSchedulesController, PayerContractsController]
