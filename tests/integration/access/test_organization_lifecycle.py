"""The operator disables an organization (a customer leaves, or access must stop now) and enables it again:
its keys, portal tokens and console sessions stop at once on a replica that had them cached, its records stay,
and both changes are audited as the organization's own rows."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import subprocess
import sys
import time
from typing import Any

import asyncpg

from service.access.organizations import rename_organization, set_organization_disabled
from service.console.staff import create_staff
from service.db.tenant import acting_for
from tests.integration.access.conftest import bearer, records_of
from tests.integration.console.conftest import PASSWORD, csrf_of, sign_in


def _as_owner(database_url: str, work: Any) -> Any:
    async def run() -> Any:
        conn = await asyncpg.connect(database_url)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(run())


def _status_within(seconds: float, request: Any, wanted: int) -> int:
    """The status of ``request()``, retried until it is ``wanted`` or ``seconds`` pass (a NOTIFY is asynchronous)."""
    deadline = time.monotonic() + seconds
    status = request().status_code
    while status != wanted and time.monotonic() < deadline:
        time.sleep(0.05)
        status = request().status_code
    return status


def test_a_disabled_organization_is_shut_out_at_once_keeps_its_records_and_comes_back(  # noqa: ANN001
        client, new_organization, database_url) -> None:
    org, keys = new_organization("leaving")
    records = records_of(client, keys)
    estimate_url, token = f"/v1/estimates/{records['estimate']}", records["token"]["token"]
    username = f"leaving{secrets.token_hex(3)}"
    client.blocking_portal.call(lambda: create_staff(client.app.state.pool, username=username, password=PASSWORD,
                                                     organization_id=org))
    sign_in(client, username)
    assert client.get("/console", follow_redirects=False).status_code == 200
    assert client.get(estimate_url, headers=keys["intake"]).status_code == 200  # the key is cached now

    # The real command, as another process (another replica's view of the change: NOTIFY, not the cache's TTL).
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    disabled = subprocess.run([sys.executable, "-m", "service", "organizations", "disable", org], env=env,
                              capture_output=True, text=True, timeout=60)
    assert disabled.returncode == 0, disabled.stderr[-2000:]
    listed = subprocess.run([sys.executable, "-m", "service", "organizations", "list"], env=env,
                            capture_output=True, text=True, timeout=60).stdout
    assert any(line.startswith(org) and " disabled " in line for line in listed.splitlines()), listed

    assert _as_owner(database_url, lambda conn: conn.fetchval(
        "SELECT count(*) FROM console_sessions WHERE organization_id = $1", org)) == 0  # ended by the command
    assert _status_within(2.0, lambda: client.get(estimate_url, headers=keys["intake"]), 401) == 401
    assert client.get("/v1/portal/estimate", headers=bearer(token)).status_code == 401
    page = client.get("/console", follow_redirects=False)
    assert page.status_code != 200 or 'name="password"' in page.text  # the session ended
    client.cookies.clear()
    form = client.get("/console")
    refused = client.post("/console/sign-in", data={"csrf_token": csrf_of(form.text), "username": username,
                                                    "password": PASSWORD}, follow_redirects=False)
    assert refused.status_code != 303  # no new session for a disabled organization's staff

    assert _as_owner(database_url, lambda conn: rename_organization(conn, org, "Leaving Health (closed)"))
    assert _as_owner(database_url, lambda conn: set_organization_disabled(conn, org, disabled=False))
    assert _status_within(2.0, lambda: client.get(estimate_url, headers=keys["intake"]), 200) == 200  # kept
    assert client.get("/v1/portal/estimate", headers=bearer(token)).status_code == 200
    sign_in(client, username)
    client.cookies.clear()

    audited = _as_owner(database_url, lambda conn: conn.fetch(
        "SELECT action, actor, organization_id FROM audit_log WHERE resource_type = 'organization' "
        "AND resource_id = $1 ORDER BY id", org))
    assert [(r["action"], r["actor"], r["organization_id"]) for r in audited] == [
        ("organization.disable", "command-line", org), ("organization.rename", "command-line", org),
        ("organization.enable", "command-line", org)]


def test_a_sign_in_that_races_the_disable_gets_no_session_that_works(client, new_organization,  # noqa: ANN001
                                                                     database_url) -> None:
    """A sign-in checked the password before the disable committed and stores its session after the disable
    deleted the organization's sessions: that session must not let its holder in."""
    from service.console import sessions  # noqa: PLC0415

    org, _keys = new_organization("racing")
    username = f"racing{secrets.token_hex(3)}"
    staff = client.blocking_portal.call(lambda: create_staff(client.app.state.pool, username=username,
                                                             password=PASSWORD, organization_id=org))
    assert _as_owner(database_url, lambda conn: set_organization_disabled(conn, org, disabled=True))

    async def late_session() -> str:  # what the sign-in does after its password check
        with acting_for(org):
            return await sessions.start_session(client.app.state.pool, actor_id=staff.actor_id, actor_name=username,
                                                now=dt.datetime.now(dt.UTC), organization_id=org)

    session_id = client.blocking_portal.call(late_session)
    client.cookies.clear()
    client.cookies.set(sessions.SESSION_COOKIE, session_id, path="/console")
    try:
        page = client.get("/console", follow_redirects=False)
    finally:
        client.cookies.clear()
    assert page.status_code != 200 or 'name="password"' in page.text, page.status_code
