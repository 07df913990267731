"""Organizations: the tenants. Each key, staff account and patient record belongs to exactly one.

Only the platform's operator makes organizations (``benefits-estimator organizations create``, as the database
owner); the role requests run as may read the table but not change it. An organization id is a slug
(``acme-behavioral``): it appears in audit rows and in the transaction setting row-level security reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import asyncpg

from service.access.audit import record
from service.access.roles import Caller
from service.errors import NotFound

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class OrganizationError(ValueError):
    """A bad organization id or name, or one that exists already (the message names the field)."""


@dataclass(frozen=True)
class Organization:
    id: str
    name: str


async def create_organization(conn: asyncpg.Connection, *, organization_id: str, name: str) -> Organization:
    if not SLUG.match(organization_id):
        raise OrganizationError(
            f"id: {organization_id!r} must be 1-63 lower-case letters, digits and hyphens, starting with a letter "
            "or digit")
    if not 1 <= len(name.strip()) <= 200:
        raise OrganizationError("name: must be 1-200 characters")
    created = await conn.fetchval(
        "INSERT INTO organizations (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id",
        organization_id, name.strip())
    if created is None:
        raise OrganizationError(f"id: organization {organization_id!r} already exists")
    return Organization(id=organization_id, name=name.strip())


async def list_organizations(conn: asyncpg.Connection) -> list[Organization]:
    return [Organization(id=r["id"], name=r["name"])
            for r in await conn.fetch("SELECT id, name FROM organizations ORDER BY id")]


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
