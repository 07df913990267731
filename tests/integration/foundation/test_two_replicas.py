"""Two replicas (two `serve` processes, one PostgreSQL) behave as one service.

Shown on each: a rate limit counted across both, a payer's circuit opened by one and seen by the other, a
portal link made on one working on the other, an idempotent POST replayed by the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import asyncpg
import httpx

from service.access.keys import create_key
from service.access.roles import Role
from tests.processes import stop_all

LIMIT = 12
ESTIMATE = {
    "as_of": "2026-01-02",
    "start_date": "2026-01-05",
    "manual": {
        "payer_name": "REPLICA PPO", "payer_id": "REPLPPO", "payer_class": "commercial",
        "insurance_type": "commercial_ppo", "plan_begin": "2026-01-01", "active": True,
        "in_network": {"deductible_individual": {"total": "1000.00", "remaining": "400.00"},
                       "oop_max_individual": {"total": "5000.00", "remaining": "4000.00"},
                       "coinsurance_percent": "20"},
        "heard_from": {"representative_name": "replica test"},
    },
    "courses": [{"level": "iop", "weeks": 2}],
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _replicas(database_url: str, n: int) -> Iterator[list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "CLEARINGHOUSE_URL"}
    env.update({"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "WORKERS": "1",
                "PORTAL_TOKEN_SECRET": "replica-secret-from-config", "RATE_LIMIT_PER_MINUTE": str(LIMIT),
                "BREAKER_FAILURE_THRESHOLD": "2", "BREAKER_RESET_SECONDS": "60", "CLEARINGHOUSE_ATTEMPTS": "1"})
    ports = [_free_port() for _ in range(n)]
    procs = [subprocess.Popen([sys.executable, "-m", "service", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 120
        for base in bases:
            while True:
                assert time.monotonic() < deadline, f"{base} did not become ready within 120 s"
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base + "/ready", timeout=2).status_code == 200:
                        break
                time.sleep(0.2)
        yield bases
    finally:
        stop_all(procs)


def _keys(database_url: str, n: int) -> list[str]:
    async def make() -> list[str]:
        conn = await asyncpg.connect(database_url)
        try:
            return [(await create_key(conn, name=f"replica test {i}", role=Role.INTAKE)).secret for i in range(n)]
        finally:
            await conn.close()

    return asyncio.run(make())


def _not_near_a_minute_boundary() -> None:
    """The limit is per calendar minute: start the count with time to spare in this one."""
    second = dt.datetime.now(dt.UTC).second
    if second > 45:
        time.sleep(61 - second)


def test_two_replicas_behave_as_one_service(client, database_url) -> None:  # noqa: ANN001 - client: migrated DB
    limited_key, key = _keys(database_url, 2)
    with _replicas(database_url, 2) as (a, b):
        http = httpx.Client(timeout=30)
        auth = {"X-API-Key": key}

        # a rate limit counted across both: LIMIT requests in all, alternating, then both refuse
        _not_near_a_minute_boundary()
        probe = "/v1/estimates/00000000-0000-0000-0000-000000000000"
        statuses = [http.get((a, b)[i % 2] + probe, headers={"X-API-Key": limited_key}).status_code
                    for i in range(LIMIT + 2)]
        assert statuses == [404] * LIMIT + [429, 429], statuses

        # a payer's circuit opened by A (two failures) is open on B: B fails fast, sends nothing
        payer = "SBDOWN" + uuid.uuid4().hex[:6].upper()
        down = {"payer_id": payer, "date_of_service": "2026-03-02",
                "subscriber": {"first_name": "ALEX", "last_name": "TESTER", "date_of_birth": "1980-01-01",
                               "member_id": "ERR-DOWN-042"}}
        for _ in range(2):
            failed = http.post(a + "/v1/eligibility/checks", json=down, headers=auth)
            assert failed.status_code == 503 and failed.json()["type"].endswith("/payer-unavailable"), failed.text
        on_b = http.post(b + "/v1/eligibility/checks", json=down, headers=auth)
        assert on_b.status_code == 503 and on_b.json()["type"].endswith("/circuit-open"), on_b.text

        # a portal link made on A works on B (the signing secret comes from config; the token row is shared)
        estimate = http.post(a + "/v1/estimates", json=ESTIMATE, headers=auth)
        assert estimate.status_code == 201, estimate.text
        estimate_id = estimate.json()["estimate_id"]
        link = http.post(f"{a}/v1/estimates/{estimate_id}/portal-tokens", headers=auth)
        assert link.status_code == 201, link.text
        portal = http.get(b + "/v1/portal/estimate", headers={"Authorization": f"Bearer {link.json()['token']}"})
        assert portal.status_code == 200 and portal.json()["estimate_id"] == estimate_id, portal.text

        # an idempotent POST made on A is replayed by B, byte for byte, without a second estimate
        idem = {**auth, "Idempotency-Key": f"replica-{uuid.uuid4()}"}
        first = http.post(a + "/v1/estimates", json=ESTIMATE, headers=idem)
        again = http.post(b + "/v1/estimates", json=ESTIMATE, headers=idem)
        assert first.status_code == again.status_code == 201
        assert again.headers.get("idempotent-replayed") == "true" and again.content == first.content
