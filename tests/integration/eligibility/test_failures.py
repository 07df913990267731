"""Payer rejections (a completed check) and upstream failures (502 / 503 / 504, breaker)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.config import load_settings
from service.eligibility.wires import SANDBOX_TOKEN
from tests.integration.eligibility.helpers import body_for


def sandbox_calls(client) -> dict[str, int]:
    return httpx.get(client.app.state.clearinghouse_url + "/sandbox/calls").json()


def test_member_not_found_is_a_completed_check(client, headers):
    r = client.post("/v1/eligibility/checks", json=body_for("NOPE-12345678"), headers=headers["intake"])
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "rejected" and out["benefits"]["active"] is None
    [rej] = out["benefits"]["rejections"]
    assert rej["reason_code"] == "75" and "could not find the member" in rej["reason"]
    assert "could not find the member" in out["message"] and "member ID" in out["message"]


@pytest.mark.parametrize(("change", "code"), [({"last_name": "SMITH"}, "73"), ({"date_of_birth": "1951-03-15"}, "58")])
def test_name_or_birth_date_mismatch(client, headers, change, code):
    r = client.post("/v1/eligibility/checks", json=body_for("MCR-PARTB-001", subscriber=change), headers=headers["intake"])
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "rejected"
    assert [x["reason_code"] for x in out["benefits"]["rejections"]] == [code]


def test_payer_unavailable_retries_then_503(client, headers, settings):
    before = sandbox_calls(client).get("ERR-DOWN-042", 0)
    r = client.post("/v1/eligibility/checks", json=body_for("ERR-DOWN-042", payer_id="SBDOWN1"), headers=headers["intake"])
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert int(r.headers["retry-after"]) >= 1
    problem = r.json()
    assert problem["type"].endswith("/payer-unavailable") and "42" in problem["detail"]
    assert sandbox_calls(client)["ERR-DOWN-042"] - before == settings.clearinghouse_attempts  # 3 tries


def test_malformed_271_is_502(client, headers):
    r = client.post("/v1/eligibility/checks", json=body_for("ERR-BAD-502", payer_id="SBBAD"), headers=headers["intake"])
    assert r.status_code == 502, r.text
    assert r.json()["type"].endswith("/clearinghouse-bad-response")
    assert "not a readable 271" in r.json()["detail"]


@pytest.fixture(scope="module")
def strict_client(client, database_url) -> Iterator[Any]:
    """A second app on the same database and sandbox: 0.5 s read timeout, breaker opens after 2 failures."""
    settings = load_settings({
        "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "PORTAL_TOKEN_SECRET": "test-secret-not-for-production",
        "RATE_LIMIT_PER_MINUTE": "100000", "CLEARINGHOUSE_URL": client.app.state.clearinghouse_url,
        "CLEARINGHOUSE_USERNAME": SANDBOX_TOKEN.username, "CLEARINGHOUSE_PASSWORD": SANDBOX_TOKEN.password,
        "CLEARINGHOUSE_READ_TIMEOUT": "0.5", "BREAKER_FAILURE_THRESHOLD": "2", "BREAKER_RESET_SECONDS": "60",
    })
    with TestClient(app=create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_slow_payer_is_504(strict_client, headers):
    started = time.monotonic()
    r = strict_client.post("/v1/eligibility/checks", json=body_for("ERR-SLOW-504", payer_id="SBSLOW"), headers=headers["intake"])
    assert r.status_code == 504, r.text
    assert r.json()["type"].endswith("/clearinghouse-timeout")
    assert time.monotonic() - started < 3  # one try: a read timeout is not retried


def test_breaker_opens_and_fails_fast(strict_client, client, headers):
    body = body_for("ERR-DOWN-042", payer_id="SBBREAKER")
    for _ in range(2):  # threshold 2
        r = strict_client.post("/v1/eligibility/checks", json=body, headers=headers["intake"])
        assert r.status_code == 503 and r.json()["type"].endswith("/payer-unavailable")
    before = sandbox_calls(client).get("ERR-DOWN-042", 0)
    started = time.monotonic()
    r = strict_client.post("/v1/eligibility/checks", json=body, headers=headers["intake"])
    assert r.status_code == 503, r.text
    assert r.json()["type"].endswith("/circuit-open")
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert time.monotonic() - started < 0.5
    assert sandbox_calls(client).get("ERR-DOWN-042", 0) == before  # nothing was sent
    # another payer is not affected
    ok = strict_client.post("/v1/eligibility/checks", json=body_for("PPO-FAM-006", payer_id="SBPPO"), headers=headers["intake"])
    assert ok.status_code in (200, 201), ok.text
