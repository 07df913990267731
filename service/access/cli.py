"""``keys`` and ``organizations`` commands: API keys (each in one organization) and the organizations themselves."""

from __future__ import annotations

import argparse
import sys

import asyncpg

from service.cli_support import run_with_db
from service.access.keys import create_key, key_label, list_keys, revoke_key
from service.access.organizations import (OrganizationError, create_organization, list_organizations,
                                          organization_exists, rename_organization, set_organization_disabled)
from service.access.roles import Role
from service.config import Settings
from service.db.tenant import DEFAULT_ORGANIZATION


def _keys_create(args: argparse.Namespace, settings: Settings) -> int:

    async def work(conn: asyncpg.Connection):  # noqa: ANN202
        if not await organization_exists(conn, args.organization):
            return None
        return await create_key(conn, name=args.name, role=Role(args.role), organization_id=args.organization)

    issued = run_with_db(settings, work)
    if issued is None:
        print(f"no organization {args.organization!r} (benefits-estimator organizations list)", file=sys.stderr)
        return 1
    print(f"created {issued.role.value} key {issued.prefix} ({issued.name}) in organization "
          f"{issued.organization_id}; shown once, store it now:")
    print(issued.secret)
    return 0


def _keys_list(args: argparse.Namespace, settings: Settings) -> int:

    rows = run_with_db(settings, lambda conn: list_keys(conn, args.organization))
    for row in rows:
        state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "active"
        print(f"{row['prefix']}  {row['role']:<8} {state:<18} {row['organization_id']:<20} {row['name']}")
    return 0


def _organizations_create(args: argparse.Namespace, settings: Settings) -> int:
    try:
        made = run_with_db(settings, lambda conn: create_organization(conn, organization_id=args.id, name=args.name))
    except OrganizationError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"created organization {made.id} ({made.name})")
    return 0


def _organizations_list(_args: argparse.Namespace, settings: Settings) -> int:
    for organization in run_with_db(settings, list_organizations):
        state = f"disabled {organization.disabled_at:%Y-%m-%d %H:%M}" if organization.disabled_at else "active"
        print(f"{organization.id:<30} {state:<22} {organization.name}")
    return 0


def _keys_revoke(args: argparse.Namespace, settings: Settings) -> int:

    async def work(conn: asyncpg.Connection) -> bool:
        return await revoke_key(conn, args.key)

    if run_with_db(settings, work):
        print(f"revoked {key_label(args.key)}")
        return 0
    print(f"no active key {key_label(args.key)}")
    return 1


def _organizations_rename(args: argparse.Namespace, settings: Settings) -> int:
    try:
        renamed = run_with_db(settings, lambda conn: rename_organization(conn, args.id, args.name))
    except OrganizationError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if not renamed:
        print(f"no organization {args.id!r}", file=sys.stderr)
        return 1
    print(f"renamed organization {args.id}")
    return 0


def _organizations_set_disabled(args: argparse.Namespace, settings: Settings) -> int:
    changed = run_with_db(settings, lambda conn: set_organization_disabled(conn, args.id, disabled=args.disable))
    if not changed:
        print(f"no organization {args.id!r}", file=sys.stderr)
        return 1
    print(f"{'disabled' if args.disable else 'enabled'} organization {args.id}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    keys = sub.add_parser("keys", help="create, list and revoke API keys", description="Manage API keys.")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = keys_sub.add_parser("create", help="create a key and print its secret once")
    create.add_argument("--name", required=True, help="who or what uses the key, e.g. 'front desk 1'")
    create.add_argument("--role", required=True, choices=[r.value for r in Role], help="the key's role")
    create.add_argument("--organization", default=DEFAULT_ORGANIZATION,
                        help=f"the organization the key belongs to and reaches (default {DEFAULT_ORGANIZATION!r})")
    create.set_defaults(handler=_keys_create)
    listing = keys_sub.add_parser("list", help="list keys (prefix, role, state, organization); never the secret")
    listing.add_argument("--organization", help="only this organization's keys")
    listing.set_defaults(handler=_keys_list)
    revoke = keys_sub.add_parser("revoke", help="revoke a key by its prefix, id or full secret")
    revoke.add_argument("key", help="key prefix (8 hex characters), id, or the whole secret (bek_...)")
    revoke.set_defaults(handler=_keys_revoke)

    organizations = sub.add_parser("organizations", help="create, list, rename, disable and enable organizations (tenants)",
                                   description="Organizations: each key, staff account and record belongs to one.")
    organizations_sub = organizations.add_subparsers(dest="organizations_command", required=True, metavar="ACTION")
    make = organizations_sub.add_parser("create", help="create an organization")
    make.add_argument("--id", required=True, help="a slug: lower-case letters, digits and hyphens, e.g. acme-health")
    make.add_argument("--name", required=True, help="the organization's name")
    make.set_defaults(handler=_organizations_create)
    organizations_sub.add_parser("list", help="list organizations").set_defaults(handler=_organizations_list)
    rename = organizations_sub.add_parser("rename", help="give an organization a new name (its id stays)")
    rename.add_argument("id", help="the organization's id")
    rename.add_argument("--name", required=True, help="the new name")
    rename.set_defaults(handler=_organizations_rename)
    for action, text in (("disable", "stop every key, portal token and console session of an organization at once "
                                     "(its records are kept)"),
                         ("enable", "let a disabled organization's keys, portal tokens and staff in again")):
        command = organizations_sub.add_parser(action, help=text)
        command.add_argument("id", help="the organization's id")
        command.set_defaults(handler=_organizations_set_disabled, disable=action == "disable")
