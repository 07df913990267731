"""A revoked API key stops working at once on a replica that had it cached (NOTIFY, not the cache's TTL)."""

from __future__ import annotations

import asyncio
import time

import asyncpg

from service.access.keys import create_key, revoke_key
from service.access.roles import Role


def test_revocation_by_another_process_takes_effect_in_under_two_seconds(client, database_url) -> None:  # noqa: ANN001
    async def issue_key() -> tuple[str, str]:
        conn = await asyncpg.connect(database_url)
        try:
            issued = await create_key(conn, name="revoked elsewhere", role=Role.INTAKE)
            return issued.prefix, issued.secret
        finally:
            await conn.close()

    prefix, secret = asyncio.run(issue_key())
    headers = {"X-API-Key": secret}
    assert client.get("/v1/estimates/00000000-0000-0000-0000-000000000000", headers=headers).status_code == 404
    cache = client.app.state.caller_cache
    assert cache.active and len(cache) >= 1  # the key is now served from memory (TTL 10 s)

    async def revoke() -> bool:  # as another replica (or `benefits-estimator keys revoke`) would
        conn = await asyncpg.connect(database_url)
        try:
            return await revoke_key(conn, prefix)
        finally:
            await conn.close()

    assert asyncio.run(revoke())
    deadline = time.monotonic() + 2.0
    status = 404
    while time.monotonic() < deadline:
        status = client.get("/v1/estimates/00000000-0000-0000-0000-000000000000", headers=headers).status_code
        if status == 401:
            break
        time.sleep(0.05)
    assert status == 401, "the revoked key still worked 2 s after the revocation committed"


def test_while_the_listener_is_cut_off_no_cached_key_is_trusted_and_it_reconnects(client) -> None:  # noqa: ANN001
    cache = client.app.state.caller_cache
    assert cache.active
    pool = client.app.state.pool
    killed = client.blocking_portal.call(
        pool.fetchval,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %access_changed%'")
    assert killed >= 1
    deadline = time.monotonic() + 2.0
    while cache.active and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not cache.active and len(cache) == 0  # a revocation sent now could be missed: the cache is off
    deadline = time.monotonic() + 10.0
    while not cache.active and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cache.active  # listening again (RECONNECT_SECONDS later), and cleared of anything from before
