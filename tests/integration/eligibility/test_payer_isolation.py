"""One slow payer does not stall the others: its bulkhead fills, the surplus is refused at once (503 payer-busy),
and a healthy payer's check answers while the slow payer's checks are still in flight."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from typing import Any

import httpx
from litestar.testing import TestClient

from service.app import create_app
from service.config import load_settings
from service.eligibility.wires import SANDBOX_TOKEN
from tests.integration.eligibility.helpers import body_for


def test_a_slow_payer_with_many_checks_in_flight_does_not_hold_up_a_healthy_payer(client, database_url, headers):  # noqa: ANN001
    settings = load_settings({
        "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "PORTAL_TOKEN_SECRET": "test-secret-not-for-production",
        "RATE_LIMIT_PER_MINUTE": "100000", "CLEARINGHOUSE_URL": client.app.state.clearinghouse_url,
        "CLEARINGHOUSE_USERNAME": SANDBOX_TOKEN.username, "CLEARINGHOUSE_PASSWORD": SANDBOX_TOKEN.password,
        "CLEARINGHOUSE_READ_TIMEOUT": "4", "PAYER_MAX_IN_FLIGHT": "4", "PAYER_MAX_WAITING": "2",
        "PAYER_QUEUE_SECONDS": "1", "BREAKER_FAILURE_THRESHOLD": "1000",
    })
    slow_payer = "SBSLOW" + uuid.uuid4().hex[:6].upper()
    with TestClient(app=create_app(settings), raise_server_exceptions=False) as app_client:
        app = app_client.app

        async def scenario() -> dict[str, Any]:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://service", timeout=30,
                                         headers=headers["intake"]) as http:
                async def slow_check(i: int) -> httpx.Response:
                    body = body_for("ERR-SLOW-504", payer_id=slow_payer, dos=f"2026-02-{i + 1:02d}")
                    return await http.post("/v1/eligibility/checks", json=body)

                slow = [asyncio.create_task(slow_check(i)) for i in range(20)]
                # until the slow payer's four are out (a fixed sleep was too short on a loaded machine)
                deadline = time.monotonic() + 3
                while time.monotonic() < deadline:  # the gate is made by the first check that reaches it
                    gate = app.state.get("payer_gate")
                    if gate is not None and gate.bulkheads.in_flight(slow_payer) >= 4:
                        break
                    await asyncio.sleep(0.02)
                started = time.monotonic()
                healthy = await http.post("/v1/eligibility/checks?refresh=true", json=body_for("PPO-FAM-006"))
                healthy_seconds = time.monotonic() - started
                slow_in_flight_then = app.state.payer_gate.bulkheads.in_flight(slow_payer)
                answers = await asyncio.gather(*slow)
            return {"healthy": healthy, "healthy_seconds": healthy_seconds, "slow_in_flight": slow_in_flight_then,
                    "slow": Counter((r.status_code, r.json()["type"].rsplit("/", 1)[-1]) for r in answers)}

        outcome = app_client.blocking_portal.call(scenario)

    assert outcome["healthy"].status_code == 201, outcome["healthy"].text
    assert outcome["slow_in_flight"] == 4  # the healthy check answered while the slow payer's four were still out
    assert outcome["healthy_seconds"] < 3.5  # before the first slow check could even time out (4 s)
    # 4 in flight time out (504); 2 waited 1 s for a turn and 14 were refused at once: 503 payer-busy
    assert outcome["slow"] == {(504, "clearinghouse-timeout"): 4, (503, "payer-busy"): 16}, outcome["slow"]
