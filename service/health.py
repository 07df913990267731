"""Liveness and readiness."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.response import Response
from litestar.types import Send

from service.access.ratelimit import NO_REQUEST_TIMEOUT
from service.db.availability import RETRY_AFTER_SECONDS, availability_of


class Health(msgspec.Struct, kw_only=True, omit_defaults=True):
    status: str
    database: str | None = None
    clearinghouse: str | None = None


def liveness(app_state: Any) -> Health:
    """The liveness answer: how the database looked last, without asking it."""
    availability = availability_of(app_state)
    return Health(status="ok", database="unavailable" if availability and not availability.available else "ok")


#: GET /health as the request-context middleware answers it itself (service/middleware.py), without routing it:
#: what the route below answers, for a fraction of the work. The route stays for the OpenAPI document and for the
#: spellings the fast path leaves to Litestar (a query string, a trailing slash).
LIVENESS_PATH = "/health"
_JSON_HEADERS = ((b"content-type", b"application/json"),)


async def send_liveness(app_state: Any, send: Send) -> None:
    body = msgspec.json.encode(liveness(app_state))
    await send({"type": "http.response.start", "status": 200,
                "headers": [*_JSON_HEADERS, (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class HealthController(Controller):
    path = ""
    tags = ["operations"]

    @get(
        "/health", operation_id="getHealth", summary="Liveness: the process is alive (always 200 while it runs)",
        description="Liveness only: answers while the process runs, without touching the database (an outage must "
        "not get a live process restarted). `database` says how the database looked last (`ok`, or `unavailable` "
        "during an outage); load balancers should route on `/ready`.",
        opt={NO_REQUEST_TIMEOUT: True},
    )
    async def health(self, request: Request) -> Health:
        return liveness(request.app.state)

    @get("/ready", operation_id="getReady", description="Readiness: 200 when the database answers within 2 s, else 503 "
         "with the same body (`database: unreachable`) and Retry-After.",
         opt={"also": {503: "Not ready: the database does not answer."}, NO_REQUEST_TIMEOUT: True},
         summary="Readiness: the database answers (else 503 with Retry-After)")
    async def ready(self, request: Request) -> Response[Health]:
        pool = request.app.state.get("pool")
        try:
            if pool is None:
                raise RuntimeError("no pool")
            await asyncio.wait_for(pool.fetchval("SELECT 1"), timeout=2)
        except Exception:  # noqa: BLE001 - readiness reports, never raises
            return Response(
                Health(status="unavailable", database="unreachable"), status_code=503,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        mode = "sandbox" if request.app.state.settings.uses_sandbox_clearinghouse else "configured"
        return Response(Health(status="ready", database="ok", clearinghouse=mode), status_code=200)
