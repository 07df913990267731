"""asyncpg pool with JSON codecs (msgspec) so jsonb columns read and write Python values."""

from __future__ import annotations

import asyncpg
import msgspec

from service.db.migrate import apply_migrations
from service.db.tenant import OrganizationConnection

_json_encoder = msgspec.json.Encoder(decimal_format="string")


def _encode_json(value: object) -> str:
    """Any Python value (Structs, dicts, Decimals) becomes JSON; ``bytes`` are taken as JSON text."""
    if isinstance(value, bytes):
        return value.decode()
    return _json_encoder.encode(value).decode()


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(type_name, encoder=_encode_json, decoder=msgspec.json.decode, schema="pg_catalog")


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """Release without asyncpg's default reset query (a round trip per pool use).

    asyncpg still rolls back an open transaction on release. What the default query would also undo - session
    settings, LISTEN, session advisory locks, cursors - the service never leaves on a pool connection: it takes
    only transaction-level advisory locks, listens on a connection of its own and sets nothing per session
    (the organization setting is transaction-local: service/db/tenant.py).
    """


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    # timeout: connecting gives up after 5 s (asyncpg's default is 60), so an unreachable server is a prompt 503.
    # OrganizationConnection: every transaction acts for the caller's organization (service/db/tenant.py).
    return await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, init=_init_connection,
                                     reset=_keep_session, command_timeout=30, timeout=5,
                                     connection_class=OrganizationConnection)


async def migrate_url(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return await apply_migrations(conn)
    finally:
        await conn.close()
