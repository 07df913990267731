"""Organizations: the tenants. Each key, staff account and patient record belongs to exactly one.

Only the platform's operator makes, renames, disables and enables organizations (``benefits-estimator organizations
...``, as the database owner); the role requests run as may read the table but not change it. A disabled
organization keeps its records; its keys and portal tokens stop authenticating (migration 0981), its staff cannot
sign in and their console sessions end. An organization id is a slug
(``acme-behavioral``): it appears in audit rows and in the transaction setting row-level security reads.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import asyncpg

from service.access.audit import record
from service.access.roles import Caller, Role
from service.errors import NotFound

#: Who the audit rows of the organizations commands name.
OPERATOR = Caller(actor_id="command-line", actor_name="benefits-estimator organizations", role=Role.ADMIN)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class OrganizationError(ValueError):
    """A bad organization id or name, or one that exists already (the message names the field)."""


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    disabled_at: dt.datetime | None = None


async def create_organization(conn: asyncpg.Connection, *, organization_id: str, name: str) -> Organization:
    if not SLUG.match(organization_id):
        raise OrganizationError(
            f"id: {organization_id!r} must be 1-63 lower-case letters, digits and hyphens, starting with a letter "
            "or digit")
    _check_name(name)
    created = await conn.fetchval(
        "INSERT INTO organizations (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id",
        organization_id, name.strip())
    if created is None:
        raise OrganizationError(f"id: organization {organization_id!r} already exists")
    return Organization(id=organization_id, name=name.strip())


def _check_name(name: str) -> None:
    if not 1 <= len(name.strip()) <= 200:
        raise OrganizationError("name: must be 1-200 characters")


async def list_organizations(conn: asyncpg.Connection) -> list[Organization]:
    return [Organization(id=r["id"], name=r["name"], disabled_at=r["disabled_at"])
            for r in await conn.fetch("SELECT id, name, disabled_at FROM organizations ORDER BY id")]


async def _changed_by_the_operator(conn: asyncpg.Connection, organization_id: str, action: str,
                                   change: str, *args: object) -> bool:
    """Run ``change`` (an UPDATE of the organization, $1 its id, returning a row when it found it) and audit it as the
    organization's own row, so its administrators see it and no other organization does; False when there is no such
    organization."""
    async with conn.transaction():
        await conn.execute("SELECT set_config('app.organization_id', $1, true)", organization_id)
        found = await conn.fetchval(change, organization_id, *args)
        await record(conn, caller=OPERATOR, action=action, resource_type="organization",
                     resource_id=organization_id[:64], outcome="success" if found else "not_found")
    return bool(found)


async def rename_organization(conn: asyncpg.Connection, organization_id: str, name: str) -> bool:
    _check_name(name)
    return await _changed_by_the_operator(conn, organization_id, "organization.rename",
                                          "UPDATE organizations SET name = $2 WHERE id = $1 RETURNING 1", name.strip())


async def set_organization_disabled(conn: asyncpg.Connection, organization_id: str, *, disabled: bool) -> bool:
    """Disable (or enable again) an organization; disabling ends its staff's console sessions in the same
    transaction. Its cached key look-ups are dropped by every replica when this commits (0981's trigger)."""
    if disabled:
        return await _changed_by_the_operator(
            conn, organization_id, "organization.disable",
            """WITH disabled AS (UPDATE organizations SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1
                                 RETURNING id),
                    ended AS (DELETE FROM console_sessions WHERE organization_id IN (SELECT id FROM disabled))
               SELECT 1 FROM disabled""")
    return await _changed_by_the_operator(conn, organization_id, "organization.enable",
                                          "UPDATE organizations SET disabled_at = NULL WHERE id = $1 RETURNING 1")


async def organization_exists(conn: asyncpg.Connection, organization_id: str) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM organizations WHERE id = $1", organization_id))


async def own_organization(pool: asyncpg.Pool, caller: Caller, named: str | None, *, field: str,
                           request_id: str | None) -> str:
    """The caller's organization, which a request may still name (``organization_id``, deprecated: omit it).

    Naming any other organization answers 404 - the same whether it exists or not, so nothing is revealed - and
    the probe is audited like any other 404."""
    if named is None or named == caller.organization_id:
        return caller.organization_id
    await record(pool, caller=caller, action="organization.read", resource_type="organization",
                 resource_id=named[:64], request_id=request_id, outcome="not_found")
    raise NotFound(f"{field}: no organization {named[:64]!r} for this key. Omit {field}: your key's own organization "
                   f"({caller.organization_id!r}) is used.", field=field)
