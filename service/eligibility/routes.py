"""Eligibility REST routes (thin: parse, guard, call ``service.py``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Response

from contracts.eligibility import EligibilityCheckRequest, Parse271Request
from contracts.eligibility_api import EligibilityCheck, EligibilityX12, ManualCheckRequest
from service.access.roles import Role, allow, caller_of, reason_required_for
from service.eligibility import service
from service.errors import request_id_of


def _ctx(request: Request) -> service.Context:
    return service.context_for(request.app.state, caller_of(request), request_id_of(request.scope))


class EligibilityController(Controller):
    path = "/v1/eligibility"
    tags = ["eligibility"]
    security = [{"ApiKey": []}]

    @post(
        "/checks",
        operation_id="createEligibilityCheck", opt={"also": {200: "A stored identical check younger than ELIGIBILITY_CACHE_TTL_SECONDS was reused (`from_cache: true`)."}, "problems": {502: "The clearinghouse answered with something unusable.", 503: "The payer is unavailable (retried `CLEARINGHOUSE_ATTEMPTS` times) or its circuit is open; retry after `Retry-After`.", 504: "The payer did not answer within `CLEARINGHOUSE_READ_TIMEOUT`."}, "location": "/v1/eligibility/checks/{id}"},
        summary="Check coverage and benefits with the payer (270/271), or reuse a recent identical check",
        description=(
            "201 with a new check; 200 when a stored check for the same payer, member, date of service and service "
            "types younger than ELIGIBILITY_CACHE_TTL_SECONDS is reused (`from_cache: true`, `age_seconds`). "
            "`?refresh=true` always asks the payer. A payer rejection (member not found, name or date of birth "
            "wrong) is a completed check with status `rejected` and plain-words `message`. 502: the clearinghouse "
            "answered with something unusable; 503: the payer is unavailable (Retry-After); 504: no answer in time."
        ),
        guards=[allow(Role.INTAKE, Role.BILLING)],
        status_code=201,
    )
    async def create_check(
        self,
        request: Request,
        data: JSONBody[EligibilityCheckRequest],
        refresh: Annotated[bool, QueryParameter(description="ask the payer even if a recent check exists")] = False,
    ) -> Response[EligibilityCheck]:
        check, created = await service.create_check_answer(_ctx(request), data, refresh=refresh)
        return Response(check, status_code=201 if created else 200)  # a reused check comes encoded already

    @get(
        "/checks/{check_id:str}",
        operation_id="getEligibilityCheck", description="A stored check: coverage status, benefits per level of care, a plain-words `message`; the member id is masked.",
        summary="One eligibility check (benefits, status, patient with masked member id)",
        guards=[allow(Role.INTAKE, Role.BILLING)],
    )
    async def get_check(self, request: Request, check_id: FromPath[str]) -> Response[EligibilityCheck]:
        return Response(await service.read_check(_ctx(request), check_id))  # encoded already (check_views.py)

    @get(
        "/checks/{check_id:str}/x12",
        operation_id="getEligibilityCheckX12", description="The raw 270 sent and 271 received (PHI), for billing staff reconciling with the payer. Administrators must send `X-Access-Reason` (audited with the read); billing systems need not.",
        summary="The raw 270 sent and 271 received for a check (PHI)",
        guards=[allow(Role.BILLING, Role.ADMIN), reason_required_for(Role.ADMIN)],
    )
    async def get_check_x12(self, request: Request, check_id: FromPath[str]) -> EligibilityX12:
        return await service.read_check_x12(_ctx(request), check_id)

    @post(
        "/parse-271",
        operation_id="parseEligibility271", opt={"problems": {422: "The document is not a readable 271; the problem says what was wrong."}, "location": "/v1/eligibility/checks/{id}"},
        summary="Normalize a 271 the caller already holds; stored as a check (source posted_271)",
        description="422 when the document is not a readable 271 (the problem says what was wrong).",
        guards=[allow(Role.BILLING, Role.INTAKE)],
        status_code=201,
    )
    async def parse_271(self, request: Request, data: JSONBody[Parse271Request]) -> EligibilityCheck:
        return await service.parse_posted_271(_ctx(request), data)

    @post(
        "/manual",
        operation_id="createManualEligibilityCheck", opt={"problems": {422: "The figures are inconsistent; each error names its field."}, "location": "/v1/eligibility/checks/{id}"},
        summary="Store benefits heard from the payer by phone (source manual)",
        description="422 when the figures are inconsistent (each error names its field).",
        guards=[allow(Role.INTAKE, Role.BILLING)],
        status_code=201,
    )
    async def manual(self, request: Request, data: JSONBody[ManualCheckRequest]) -> EligibilityCheck:
        return await service.create_manual_check(_ctx(request), data)


CONTROLLERS = [EligibilityController]
