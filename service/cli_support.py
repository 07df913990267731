"""What every command needs: a migrated database connection for the length of one command.

Area CLIs (``service/*/cli.py``) import from here, and ``service.cli`` imports them: the arrows point down.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import structlog

from service.config import Settings


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A migrated connection to the configured (or embedded) database, for one command."""
    from service.db.app_role import least_privileged_url  # noqa: PLC0415
    from service.db.embedded import start_embedded  # noqa: PLC0415
    from service.db.pool import _init_connection, migrate_url  # noqa: PLC0415
    from service.db.tenant import OrganizationConnection  # noqa: PLC0415

    embedded = start_embedded(settings.embedded_pg_dir) if settings.database_url is None else None
    url = settings.database_url or embedded.url  # type: ignore[union-attr]
    try:
        await migrate_url(url)
        await least_privileged_url(  # `migrate` also grants the app role what it needs
            url, app_url=settings.app_database_url, embedded_dir=settings.embedded_pg_dir if embedded else None,
            log=structlog.get_logger("service.cli"),
        )
        # As the owner (not subject to row-level security); rows it writes go to the organization the command acts
        # for (service/db/tenant.py: 'default' unless the command says otherwise).
        conn = await asyncpg.connect(url, connection_class=OrganizationConnection)
        await _init_connection(conn)
        try:
            yield conn
        finally:
            await conn.close()
    finally:
        if embedded is not None:
            embedded.stop()


def run_with_db(settings: Settings, work: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with database(settings) as conn:
            return await work(conn)

    return asyncio.run(main())
