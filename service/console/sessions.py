"""Console sessions in PostgreSQL, so several replicas share them; cookies and CSRF tokens.

The browser holds a random 256-bit session id in an HttpOnly, SameSite=Strict cookie; the table holds
only its SHA-256. A session ends at sign-out, after :data:`IDLE_MINUTES` without a request, or
:data:`MAX_HOURS` after sign-in, whichever comes first. Each session has its own CSRF token, sent in a
hidden field of every form and compared in constant time on every POST. Before sign-in, the sign-in
form is protected the same way by a short-lived cookie (double submit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import asyncpg

from service.access.roles import Caller, Role
from service.db.tenant import DEFAULT_ORGANIZATION

IDLE_MINUTES = 15
MAX_HOURS = 12
SESSION_COOKIE = "console_session"
PRE_SESSION_COOKIE = "console_form"


@dataclass(frozen=True)
class ConsoleSession:
    actor_id: str
    actor_name: str
    csrf_token: str
    last_seen_at: dt.datetime
    organization_id: str = DEFAULT_ORGANIZATION

    @property
    def caller(self) -> Caller:
        """Who the service's own functions audit: console users act as intake staff of their organization."""
        return Caller(actor_id=self.actor_id, actor_name=self.actor_name, role=Role.INTAKE,
                      organization_id=self.organization_id)


def _hash(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode()).digest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())  # type: ignore[union-attr]


async def start_session(pool: asyncpg.Pool, *, actor_id: str, actor_name: str, now: dt.datetime,
                        organization_id: str = DEFAULT_ORGANIZATION) -> str:
    """Store a new session and return the id for the cookie (never stored itself)."""
    session_id = new_token()
    await pool.execute(
        """INSERT INTO console_sessions (id_hash, actor_id, actor_name, csrf_token, created_at, last_seen_at,
                                         expires_at, organization_id)
           VALUES ($1, $2, $3, $4, $5, $5, $6, $7)""",
        _hash(session_id), actor_id, actor_name, new_token(), now, now + dt.timedelta(hours=MAX_HOURS),
        organization_id)
    return session_id


async def resume_session(pool: asyncpg.Pool, session_id: str | None, *,
                         now: dt.datetime) -> tuple[ConsoleSession | None, bool]:
    """The live session for a cookie, its last-seen time moved to ``now``; and whether it just timed out."""
    if not session_id or len(session_id) > 100:
        return None, False
    row = await pool.fetchrow(
        """UPDATE console_sessions AS s SET last_seen_at = $2
           WHERE id_hash = $1 AND last_seen_at > $2::timestamptz - make_interval(mins => $3::int) AND expires_at > $2
             -- a session stored by a sign-in that raced the organization's disable (which deleted the others)
             AND NOT EXISTS (SELECT 1 FROM organizations AS o
                              WHERE o.id = s.organization_id AND o.disabled_at IS NOT NULL)
           RETURNING actor_id, actor_name, csrf_token, last_seen_at, organization_id""",
        _hash(session_id), now, IDLE_MINUTES)
    if row is not None:
        return ConsoleSession(**dict(row)), False
    ended = await pool.fetchval("DELETE FROM console_sessions WHERE id_hash = $1 RETURNING 1", _hash(session_id))
    return None, ended is not None


async def end_session(pool: asyncpg.Pool, session_id: str | None) -> None:
    if session_id:
        await pool.execute("DELETE FROM console_sessions WHERE id_hash = $1", _hash(session_id))


async def prune_sessions(pool: asyncpg.Pool, *, now: dt.datetime) -> None:
    """Forget sessions that can no longer be resumed (called at sign-in; no background job needed)."""
    await pool.execute(
        "DELETE FROM console_sessions WHERE last_seen_at < $1::timestamptz - make_interval(mins => $2::int) OR expires_at < $1",
        now, IDLE_MINUTES)
