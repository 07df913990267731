"""Liveness and readiness."""

from __future__ import annotations

import asyncio

import msgspec
from litestar import Controller, Request, get
from litestar.response import Response


class Health(msgspec.Struct, kw_only=True, omit_defaults=True):
    status: str
    database: str | None = None
    clearinghouse: str | None = None


class HealthController(Controller):
    path = ""
    tags = ["operations"]

    @get("/health", operation_id="getHealth", description="Liveness only: answers while the process runs, without touching the database.", summary="The process is alive", include_in_schema=True)
    async def health(self) -> Health:
        return Health(status="ok")

    @get("/ready", operation_id="getReady", description="Readiness: 200 when the database answers within 2 s, else 503 with the same body (`database: unreachable`).", opt={"also": {503: "Not ready: the database does not answer."}}, summary="The database answers; ready for traffic")
    async def ready(self, request: Request) -> Response[Health]:
        pool = request.app.state.get("pool")
        try:
            if pool is None:
                raise RuntimeError("no pool")
            await asyncio.wait_for(pool.fetchval("SELECT 1"), timeout=2)
        except Exception:  # noqa: BLE001 - readiness reports, never raises
            return Response(Health(status="unavailable", database="unreachable"), status_code=503)
        mode = "sandbox" if request.app.state.settings.uses_sandbox_clearinghouse else "configured"
        return Response(Health(status="ready", database="ok", clearinghouse=mode), status_code=200)
