"""Least privilege: the service's requests run as a role that owns nothing and may change no history.

Migrations run as the owner (``DATABASE_URL``, or the embedded server's superuser). The pool
connects as the app role: DML on the service's tables, INSERT and SELECT only on ``audit_log``,
SELECT only on ``schema_migrations``, sequences, and nothing else - no DDL, no TRUNCATE, no
trigger or replication-mode tricks (those need ownership or superuser). So even a bug or an
injected statement in a request cannot rewrite the audit trail.

- Embedded PostgreSQL: the role ``benefits_app`` is created with a generated password, kept in
  ``<EMBEDDED_PG_DIR>.secrets.json`` (mode 0600) beside the data it protects.
- An external server: create a login role yourself and set ``APP_DATABASE_URL`` to it; after each
  migration run the owner grants it exactly :func:`grant_app_privileges`. Without
  ``APP_DATABASE_URL`` the service runs as the owner and says so at start-up.

The grants are re-applied after every migration run, so tables added later are covered.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse, urlunparse

import asyncpg

from service.local_secrets import embedded_secrets_file, local_secret

EMBEDDED_APP_ROLE = "benefits_app"
#: The only table the app role may not change at all once written, and those it may only read (organizations are
#: made by the platform's operator on the command line, never by a request).
APPEND_ONLY_TABLES = ("audit_log",)
READ_ONLY_TABLES = ("schema_migrations", "organizations")

_ROLE_LOCK_KEY = 7_270_272  # pg_advisory_lock key for creating the embedded app role (migrations use ...271)
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _ident(role: str) -> str:
    if not _ROLE_NAME.match(role):
        raise ValueError(f"role name {role!r} must be lower-case letters, digits and underscores")
    return f'"{role}"'


def role_of(url: str) -> str | None:
    """The user a PostgreSQL URL logs in as (None when the URL leaves it to the driver's default)."""
    return urlparse(url).username or None


def url_as(url: str, role: str, password: str) -> str:
    """``url`` with its user and password replaced (same host, socket and database)."""
    parsed = urlparse(url)
    host = parsed.netloc.rsplit("@", 1)[-1]
    return urlunparse(parsed._replace(netloc=f"{quote(role, safe='')}:{quote(password, safe='')}@{host}"))


async def ensure_login_role(owner: asyncpg.Connection, role: str, password: str) -> None:
    """Create (or reset the password of) a login role with no special powers."""
    name = _ident(role)
    exists = await owner.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    verb = "ALTER" if exists else "CREATE"
    # Passwords cannot be bound parameters in DDL; the literal is quoted by PostgreSQL itself.
    literal = await owner.fetchval("SELECT quote_literal($1)", password)
    await owner.execute(
        f"{verb} ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD {literal}"
    )


async def grant_app_privileges(owner: asyncpg.Connection, role: str) -> None:
    """Exactly what the service's requests need on the current database, idempotently."""
    name = _ident(role)
    database = await owner.fetchval("SELECT quote_ident(current_database())")
    statements = [
        f"GRANT CONNECT ON DATABASE {database} TO {name}",
        f"REVOKE CREATE ON SCHEMA public FROM {name}",
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
        *(f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {t} FROM {name}" for t in APPEND_ONLY_TABLES),
        *(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {t} FROM {name}" for t in READ_ONLY_TABLES),
    ]
    async with owner.transaction():
        # Workers and replicas start together: concurrent GRANTs on one object fail with "tuple concurrently
        # updated", so they take turns (the lock ends with the transaction).
        await owner.execute("SELECT pg_advisory_xact_lock($1)", _ROLE_LOCK_KEY)
        for statement in statements:
            await owner.execute(statement)


async def is_privileged(conn: asyncpg.Connection) -> bool:
    """Whether this connection's role is a superuser or owns the audit trail (it could rewrite it)."""
    return bool(
        await conn.fetchval(
            """SELECT r.rolsuper OR pg_has_role(current_user, c.relowner, 'USAGE')
               FROM pg_roles r, pg_class c
               WHERE r.rolname = current_user AND c.oid = 'public.audit_log'::regclass"""
        )
    )


async def least_privileged_url(
    owner_url: str, *, app_url: str | None, embedded_dir: Path | None, log: Any
) -> str:
    """After migrations: grant the app role its privileges and return the URL the pool should use."""
    owner = await asyncpg.connect(owner_url)
    try:
        if app_url is not None:
            role = role_of(app_url)
            if role is None:
                raise ValueError("APP_DATABASE_URL must name its user")
            await grant_app_privileges(owner, role)
            return app_url
        if embedded_dir is not None:
            password = local_secret(embedded_secrets_file(embedded_dir), "app_role_password")
            await owner.execute("SELECT pg_advisory_lock($1)", _ROLE_LOCK_KEY)  # two processes starting at once
            try:
                await ensure_login_role(owner, EMBEDDED_APP_ROLE, password)
            finally:
                await owner.execute("SELECT pg_advisory_unlock($1)", _ROLE_LOCK_KEY)
            await grant_app_privileges(owner, EMBEDDED_APP_ROLE)
            return url_as(owner_url, EMBEDDED_APP_ROLE, password)
        log.warning(
            "service_runs_as_database_owner",
            hint="set APP_DATABASE_URL to a role without ownership; the audit trail is then append-only for it",
        )
        return owner_url
    finally:
        await owner.close()
