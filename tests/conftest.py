"""Shared fixtures: a real PostgreSQL (embedded, or DATABASE_URL when set) and the app.

Each test session gets its own fresh database on that server, so tests never see data
from a previous run and can be run against a shared server safely.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from hypothesis import settings as hypothesis_settings

# CI runs the same examples every time (a red build must reproduce); locally each run explores anew.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None, print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

from service.access.keys import create_key
from service.access.roles import Role
from service.config import load_settings


def _with_database(url: str, name: str) -> str:
    from urllib.parse import urlparse, urlunparse  # noqa: PLC0415

    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """URL of a PostgreSQL server: DATABASE_URL, or an embedded one for this session."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield configured
        return
    from service.db.embedded import start_embedded  # noqa: PLC0415

    data_dir = Path(tempfile.mkdtemp(prefix="benefits-test-pg-"))
    embedded = start_embedded(data_dir)
    try:
        yield embedded.url
    finally:
        embedded.stop()


@contextlib.contextmanager
def fresh_database(server_url: str, prefix: str) -> Iterator[str]:
    """Create an empty database on the server, yield its URL, drop it afterwards."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(server_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(server_url, name)
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty database for this test session (dropped at the end)."""
    with fresh_database(postgres_server_url, "benefits_test") as url:
        yield url


@pytest.fixture(scope="session")
def app_database_url(database_url: str) -> Iterator[str | None]:
    """A login role of its own for this session's app (least privilege, granted at start-up), or None when the
    server's user may not create roles (the app then runs as the owner)."""
    from service.db.app_role import ensure_login_role, url_as  # noqa: PLC0415

    role, password = f"benefits_app_{os.getpid()}_{secrets.token_hex(3)}", secrets.token_urlsafe(16)

    async def run(work: Any) -> Any:
        conn = await asyncpg.connect(database_url)
        try:
            return await work(conn)
        finally:
            await conn.close()

    try:
        asyncio.run(run(lambda conn: ensure_login_role(conn, role, password)))
    except asyncpg.InsufficientPrivilegeError:
        yield None
        return
    try:
        yield url_as(database_url, role, password)
    finally:
        asyncio.run(run(lambda conn: conn.execute(f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')))


@pytest.fixture(scope="session")
def settings(database_url: str, app_database_url: str | None):  # noqa: ANN201
    env = {
        "DATABASE_URL": database_url,
        **({"APP_DATABASE_URL": app_database_url} if app_database_url else {}),
        "LOG_LEVEL": "WARNING",
        "PORTAL_TOKEN_SECRET": "test-secret-not-for-production",
        "RATE_LIMIT_PER_MINUTE": "100000",
    }
    return load_settings(env)


@pytest.fixture(scope="session")
def client(settings) -> Iterator[Any]:  # noqa: ANN001
    """One running app (lifespan: pool, migrations, sandbox) for the whole session."""
    from litestar.testing import TestClient  # noqa: PLC0415

    from service.app import create_app  # noqa: PLC0415

    with TestClient(app=create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


class Db:
    """Run queries on the app's own pool from sync tests (through the client's event loop)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def _call(self, method: str, sql: str, *args: Any) -> Any:
        pool = self._client.app.state.pool
        return self._client.blocking_portal.call(getattr(pool, method), sql, *args)

    def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return self._call("fetch", sql, *args)

    def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        return self._call("fetchrow", sql, *args)

    def fetchval(self, sql: str, *args: Any) -> Any:
        return self._call("fetchval", sql, *args)

    def execute(self, sql: str, *args: Any) -> str:
        return self._call("execute", sql, *args)


@pytest.fixture(scope="session")
def db(client: Any) -> Db:
    return Db(client)


@pytest.fixture(scope="session")
def api_keys(client: Any) -> dict[str, str]:
    """One active API key secret per role: {"intake": "bek_...", ...}."""
    pool = client.app.state.pool
    keys = {}
    for role in Role:
        issued = client.blocking_portal.call(lambda r=role: create_key(pool, name=f"test {r.value}", role=r))
        keys[role.value] = issued.secret
    return keys


@pytest.fixture(scope="session")
def headers(api_keys: dict[str, str]) -> dict[str, dict[str, str]]:
    """Request headers per role: headers["intake"] → {"X-API-Key": ...}."""
    return {role: {"X-API-Key": secret} for role, secret in api_keys.items()}


@pytest.fixture(scope="session")
def live_service(settings, client):  # noqa: ANN001, ANN201 - client first: migrations and keys exist
    """A second instance of the app under uvicorn on loopback (real HTTP, same database): (app, base URL)."""
    from service.app import create_app  # noqa: PLC0415
    from service.threaded_server import ThreadedServer  # noqa: PLC0415

    app = create_app(settings)
    server = ThreadedServer(app, "127.0.0.1", 0)
    base_url = server.start(timeout=60)
    try:
        yield app, base_url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def new_organization(client: Any, database_url: str) -> Any:
    """``new_organization()`` → (organization id, request headers per role) for a fresh organization of its own.

    The organization is made as the platform operator makes one (the owner; the app role may not), its keys as
    an admin of that organization would (acting for it: row-level security refuses any other)."""
    from service.access.organizations import create_organization  # noqa: PLC0415
    from service.db.tenant import acting_for  # noqa: PLC0415

    def make(prefix: str = "org") -> tuple[str, dict[str, dict[str, str]]]:
        organization_id = f"{prefix}-{secrets.token_hex(4)}"

        async def as_owner() -> None:
            conn = await asyncpg.connect(database_url)
            try:
                await create_organization(conn, organization_id=organization_id, name=f"Test {organization_id}")
            finally:
                await conn.close()

        async def keys() -> dict[str, dict[str, str]]:
            with acting_for(organization_id):
                return {role.value: {"X-API-Key": (await create_key(client.app.state.pool, name=f"{role.value} key",
                                                                    role=role)).secret} for role in Role}

        client.blocking_portal.call(as_owner)
        return organization_id, client.blocking_portal.call(keys)

    return make
