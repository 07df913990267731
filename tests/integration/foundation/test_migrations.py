"""Migrations against a scratch database: applied in order, once, and a changed file is refused."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from service.db import migrate
from service.db.migrate import MigrationError, apply_migrations
from tests.conftest import fresh_database


@pytest.fixture()
def scratch_url(postgres_server_url: str):
    with fresh_database(postgres_server_url, "scratch") as url:
        yield url


def test_apply_twice_applies_once_and_refuses_an_edited_file(scratch_url, monkeypatch) -> None:
    async def scenario() -> None:
        conn = await asyncpg.connect(scratch_url)
        try:
            first = await apply_migrations(conn)
            assert first == [m.version for m in migrate.available_migrations()]
            assert await apply_migrations(conn) == []
            original = migrate.available_migrations

            def edited():
                found = original()
                found[0] = migrate.Migration(found[0].version, found[0].name, found[0].sql + "\n-- edited")
                return found

            monkeypatch.setattr(migrate, "available_migrations", edited)
            with pytest.raises(MigrationError, match="changed after it was applied"):
                await apply_migrations(conn)
        finally:
            await conn.close()

    asyncio.run(scenario())


def test_a_failing_migration_leaves_nothing_half_applied(scratch_url, monkeypatch) -> None:
    async def scenario() -> None:
        conn = await asyncpg.connect(scratch_url)
        try:
            await apply_migrations(conn)
            original = migrate.available_migrations
            broken = migrate.Migration("9999", "broken", "CREATE TABLE half_done (id int); SELECT no_such_function();")
            monkeypatch.setattr(migrate, "available_migrations", lambda: [*original(), broken])
            with pytest.raises(asyncpg.UndefinedFunctionError):
                await apply_migrations(conn)
            assert await conn.fetchval("SELECT to_regclass('half_done')") is None
            assert await conn.fetchval("SELECT count(*) FROM schema_migrations WHERE version = '9999'") == 0
        finally:
            await conn.close()

    asyncio.run(scenario())
