"""Each wire against the running sandbox over real HTTP: CORE SOAP (the default), raw-X12 JSON, text/plain."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.config import load_settings
from service.eligibility.wires import SANDBOX_API_KEY, SANDBOX_TOKEN
from service.eligibility.wires.core_envelope import UsernameToken
from service.eligibility.wires.core_soap import CoreSoapClient
from service.eligibility.wires.raw_x12_json import RawX12JsonClient
from service.errors import UpstreamError
from tests.integration.eligibility.helpers import body_for
from tests.unit.eligibility.core_example import example_270


def _exchange(make) -> Any:
    async def go():
        async with httpx.AsyncClient() as http:
            return await make(http).exchange("SBPPO", example_270())

    try:
        return asyncio.run(go())
    except UpstreamError as exc:
        return exc


def test_the_service_checks_eligibility_over_core_soap_by_default(client, headers):
    assert client.app.state.settings.clearinghouse_protocol == "core_soap"
    r = client.post("/v1/eligibility/checks", json=body_for("PPO-FAM-006"), headers=headers["intake"])
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "active"
    assert type(client.app.state.eligibility_client) is CoreSoapClient


def test_a_wrong_username_token_is_a_sender_fault_502_not_retried(client):
    url = client.app.state.clearinghouse_url
    exc = _exchange(lambda http: CoreSoapClient(
        http, url, token=UsernameToken("sandbox", "wrong"),
        sender_id="DEMOSUBMITTER", receiver_id="SANDBOXCH",
    ))
    assert isinstance(exc, UpstreamError) and exc.status == 502 and exc.slug == "clearinghouse-refused"
    assert "FailedAuthentication" in exc.detail


def test_the_json_wire_carries_the_270_and_needs_the_api_key(client):
    url = client.app.state.clearinghouse_url
    reply = _exchange(lambda http: RawX12JsonClient(http, url, api_key=SANDBOX_API_KEY))
    assert reply.parsed.subscriber.demographics.member_id == "PPO-INACT-008"
    exc = _exchange(lambda http: RawX12JsonClient(http, url, api_key="wrong"))
    assert exc.status == 502 and exc.slug == "clearinghouse-refused" and "HTTP 401" in exc.detail


@pytest.fixture(scope="module")
def json_client(client, database_url) -> Iterator[Any]:
    """The same service with CLEARINGHOUSE_PROTOCOL=json, pointed at the running sandbox."""
    settings = load_settings({
        "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "PORTAL_TOKEN_SECRET": "test-secret-not-for-production",
        "RATE_LIMIT_PER_MINUTE": "100000", "CLEARINGHOUSE_URL": client.app.state.clearinghouse_url,
        "CLEARINGHOUSE_PROTOCOL": "json", "CLEARINGHOUSE_API_KEY": SANDBOX_API_KEY,
    })
    with TestClient(app=create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_switching_to_the_json_wire_runs_the_same_checks(json_client, headers):
    r = json_client.post("/v1/eligibility/checks", json=body_for("MCR-PARTB-001"), headers=headers["intake"])
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "active" and r.json()["benefits"]["medicare"] is not None
    assert type(json_client.app.state.eligibility_client) is RawX12JsonClient
    r = json_client.post("/v1/eligibility/checks", json=body_for("ERR-BAD-502", payer_id="SBJSON"),
                         headers=headers["intake"])
    assert r.status_code == 502 and "not a readable 271" in r.json()["detail"]
