"""``GET /v1/payers``: find a payer id by name in the clearinghouse's payer directory (intake picks by name)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get
from litestar.params import Parameter

from contracts.payers import PayerSearchResult
from service.access.roles import Role, allow
from service.eligibility.payers import lookup


class PayersController(Controller):
    path = "/v1/payers"
    tags = ["payers"]
    security = [{"ApiKey": []}]

    @get(
        "/",
        operation_id="searchPayers",
        summary="Search the payer directory by name, alias or id (best matches first, score 0-100)",
        description=(
            "The payers of `clearinghouse` (default CLEARINGHOUSE_NAME) whose name, aliases or id match `name`, "
            "fuzzy (misspellings and word order tolerated), with what each takes (real-time 270, batch). "
            "Load a directory with `benefits-estimator payers import`."
        ),
        guards=[allow(Role.INTAKE, Role.BILLING, Role.ADMIN)],
    )
    async def search_payers(
        self,
        request: Request,
        name: Annotated[str, Parameter(min_length=1, max_length=100, description="payer name, alias or id")],
        clearinghouse: Annotated[str | None, Parameter(min_length=1, max_length=60,
                                                       description="whose directory; default CLEARINGHOUSE_NAME")] = None,
        limit: Annotated[int, Parameter(ge=1, le=25, description="most matches returned")] = 10,
    ) -> PayerSearchResult:
        settings = request.app.state.settings
        return await lookup.search(request.app.state.pool, clearinghouse or settings.clearinghouse_name, name,
                                   limit=limit)


CONTROLLERS = [PayersController]
