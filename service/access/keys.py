"""API keys: random secrets handed out once, stored only as SHA-256 hashes.

Key format: ``bek_<prefix>_<secret>``; the prefix is stored in clear to find and revoke a
key without the secret. SHA-256 (not a slow password hash) is right here: the secret has
256 bits of entropy, so there is nothing to brute-force, and every request checks a key.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from service.access.caller_cache import CallerCache
from service.access.audit import record
from service.access.roles import Caller, Role
from service.db.tenant import current_organization

#: Who the audit trail names for key changes made with ``benefits-estimator keys``.
COMMAND_LINE = Caller(actor_id="command-line", actor_name="benefits-estimator keys", role=Role.ADMIN)


@dataclass(frozen=True)
class IssuedKey:
    id: str
    name: str
    role: Role
    prefix: str
    secret: str  # shown once
    organization_id: str


def hash_key(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


async def create_key(
    conn: asyncpg.Connection | asyncpg.Pool, *, name: str, role: Role, by: Caller | None = None,
    request_id: str | None = None, organization_id: str | None = None,
) -> IssuedKey:
    """Create a key and its audit row in one transaction (``by`` None: the command line).

    The key belongs to ``organization_id``, by default the organization this work acts for (an admin's own:
    row-level security refuses any other for a request)."""
    prefix = secrets.token_hex(4)
    secret = f"bek_{prefix}_{secrets.token_urlsafe(32)}"
    organization_id = organization_id or current_organization()
    async with _transaction(conn) as tx:
        row = await tx.fetchrow(
            """INSERT INTO api_keys (name, role, prefix, key_hash, organization_id) VALUES ($1, $2, $3, $4, $5)
               RETURNING id""",
            name,
            role.value,
            prefix,
            hash_key(secret),
            organization_id,
        )
        await record(tx, caller=by or COMMAND_LINE, action="api_key.create", resource_type="api_key",
                     resource_id=row["id"], request_id=request_id)
    return IssuedKey(id=str(row["id"]), name=name, role=role, prefix=prefix, secret=secret,
                     organization_id=organization_id)


async def revoke_key(
    conn: asyncpg.Connection | asyncpg.Pool, key: str, *, by: Caller | None = None, request_id: str | None = None
) -> bool:
    """Revoke an active key named by its prefix, its id or its full secret; audited whether found or not."""
    async with _transaction(conn) as tx:
        revoked_id = await tx.fetchval(
            """UPDATE api_keys SET revoked_at = now()
               WHERE revoked_at IS NULL AND (prefix = $1 OR id::text = $1 OR key_hash = $2) RETURNING id""",
            key,
            hash_key(key),
        )
        await record(tx, caller=by or COMMAND_LINE, action="api_key.revoke", resource_type="api_key",
                     resource_id=revoked_id if revoked_id is not None else key_label(key), request_id=request_id,
                     outcome="success" if revoked_id is not None else "not_found")
    return revoked_id is not None


def key_label(key: str) -> str:
    """How a key named by a caller may be shown (responses, audit): a full secret shrinks to its prefix."""
    if key.startswith("bek_") and key.count("_") >= 2:
        return "bek_" + key.split("_")[1][:8] + "_..."
    return key[:64]


@asynccontextmanager
async def _transaction(conn: asyncpg.Connection | asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as acquired, acquired.transaction():
            yield acquired
    else:
        async with conn.transaction():
            yield conn


async def list_keys(conn: asyncpg.Connection, organization_id: str | None = None) -> list[asyncpg.Record]:
    """The keys of ``organization_id`` (None: every key the connection may see - all of them for the owner)."""
    return await conn.fetch(
        """SELECT id, name, role, prefix, created_at, revoked_at, last_used_at, organization_id FROM api_keys
           WHERE $1::text IS NULL OR organization_id = $1 ORDER BY created_at""",
        organization_id,
    )


async def caller_for_key(pool: asyncpg.Pool, secret: str, cache: CallerCache | None = None) -> Caller | None:
    """The caller an API key stands for, or None; kept in ``cache`` (see caller_cache.py)."""
    if not secret.startswith("bek_") or len(secret) > 200:
        return None
    key_hash = hash_key(secret)
    if cache is None:
        return await _caller_of_hash(pool, key_hash)
    return await cache.caller(key_hash, _caller_of_hash, pool)


async def _caller_of_hash(pool: asyncpg.Pool, key_hash: bytes) -> Caller | None:
    # Before the organization is known: a SECURITY DEFINER look-up across organizations (migration 0900).
    row = await pool.fetchrow("SELECT id, name, role, organization_id FROM authenticate_api_key($1)", key_hash)
    if row is None:
        return None  # unknown keys are not cached: a key created a moment ago works at once
    return Caller(actor_id=str(row["id"]), actor_name=row["name"], role=Role(row["role"]),
                  organization_id=row["organization_id"])
