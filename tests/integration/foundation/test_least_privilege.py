"""The service's own database role cannot rewrite history: only the owner (migrations) could."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import asyncpg
import pytest
import structlog

from service.db.app_role import EMBEDDED_APP_ROLE, grant_app_privileges, is_privileged, least_privileged_url
from service.local_secrets import embedded_secrets_file

FORBIDDEN = [
    "UPDATE audit_log SET outcome = 'rewritten'",
    "DELETE FROM audit_log",
    "TRUNCATE audit_log",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
    "DROP TRIGGER audit_log_no_update ON audit_log",
    "DROP TABLE audit_log",
    "SET session_replication_role = replica",
    "CREATE TABLE shadow_audit (id int)",
    "ALTER TABLE estimates ADD COLUMN smuggled text",
    "DELETE FROM schema_migrations",
]


@pytest.mark.parametrize("sql", FORBIDDEN)
def test_the_services_role_cannot_change_the_audit_trail_or_the_schema(db, app_database_url, sql) -> None:
    if app_database_url is None:
        pytest.skip("the database server's user may not create roles")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        db.execute(sql)


def test_the_services_role_is_neither_superuser_nor_owner_and_can_still_append(client, db, app_database_url) -> None:
    if app_database_url is None:
        pytest.skip("the database server's user may not create roles")
    assert db.fetchval("SELECT current_user") == app_database_url.split("//")[1].split(":")[0]
    assert client.blocking_portal.call(_privileged, client.app.state.pool) is False
    before = db.fetchval("SELECT count(*) FROM audit_log")
    db.execute("INSERT INTO audit_log (actor, role, action, resource_type, outcome) VALUES ('t', 'admin', 't', 'x', 'success')")
    assert db.fetchval("SELECT count(*) FROM audit_log") == before + 1


async def _privileged(pool: asyncpg.Pool) -> bool:
    async with pool.acquire() as conn:
        return await is_privileged(conn)


def test_embedded_mode_makes_its_own_role_with_a_kept_password(database_url, tmp_path: Path) -> None:
    async def scenario() -> tuple[str, str, bool]:
        first = await least_privileged_url(database_url, app_url=None, embedded_dir=tmp_path, log=structlog.get_logger())
        again = await least_privileged_url(database_url, app_url=None, embedded_dir=tmp_path, log=structlog.get_logger())
        conn = await asyncpg.connect(first)
        try:
            return first, again, await is_privileged(conn)
        finally:
            await conn.close()

    try:
        first, again, privileged = asyncio.run(scenario())
    except asyncpg.InsufficientPrivilegeError:
        pytest.skip("the database server's user may not create roles")
    assert first == again and f"//{EMBEDDED_APP_ROLE}:" in first and privileged is False
    assert stat.S_IMODE(embedded_secrets_file(tmp_path).stat().st_mode) == 0o600


def test_workers_starting_together_grant_without_tripping_over_each_other(client, database_url,  # noqa: ANN001
                                                                          app_database_url) -> None:
    """Several workers (or replicas) grant the app role at the same start-up: concurrent GRANTs on one object
    failed with 'tuple concurrently updated' and stopped a worker."""
    if app_database_url is None:
        pytest.skip("the database server's user may not create roles")
    role = app_database_url.split("//")[1].split(":")[0]

    async def grant_once() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            await grant_app_privileges(conn, role)
        finally:
            await conn.close()

    async def together() -> list[BaseException | None]:
        return await asyncio.gather(*(grant_once() for _ in range(8)), return_exceptions=True)

    assert [r for r in asyncio.run(together()) if r is not None] == []


def test_the_embedded_server_asks_the_app_role_for_its_password(app_database_url) -> None:
    """pg_hba.conf trusts only the owner over the data directory's socket: the app role's password is checked."""
    import os  # noqa: PLC0415

    from service.db.app_role import role_of, url_as  # noqa: PLC0415

    if app_database_url is None or os.environ.get("DATABASE_URL"):
        pytest.skip("only the embedded server's authentication is the service's to set")

    async def connect(url: str) -> int:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetchval("SELECT 1")
        finally:
            await conn.close()

    role = role_of(app_database_url)
    with pytest.raises(asyncpg.InvalidPasswordError):
        asyncio.run(connect(url_as(app_database_url, role, "not-the-password")))
    assert asyncio.run(connect(app_database_url)) == 1
