"""``keys`` command: create, list and revoke API keys."""

from __future__ import annotations

import argparse

import asyncpg

from service.cli_support import run_with_db
from service.access.keys import create_key, key_label, list_keys, revoke_key
from service.access.roles import Role
from service.config import Settings


def _keys_create(args: argparse.Namespace, settings: Settings) -> int:

    async def work(conn: asyncpg.Connection):  # noqa: ANN202
        return await create_key(conn, name=args.name, role=Role(args.role))

    issued = run_with_db(settings, work)
    print(f"created {issued.role.value} key {issued.prefix} ({issued.name}); shown once, store it now:")
    print(issued.secret)
    return 0


def _keys_list(_args: argparse.Namespace, settings: Settings) -> int:

    rows = run_with_db(settings, list_keys)
    for row in rows:
        state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "active"
        print(f"{row['prefix']}  {row['role']:<8} {state:<18} {row['name']}")
    return 0


def _keys_revoke(args: argparse.Namespace, settings: Settings) -> int:

    async def work(conn: asyncpg.Connection) -> bool:
        return await revoke_key(conn, args.key)

    if run_with_db(settings, work):
        print(f"revoked {key_label(args.key)}")
        return 0
    print(f"no active key {key_label(args.key)}")
    return 1


def register(sub: argparse._SubParsersAction) -> None:
    keys = sub.add_parser("keys", help="create, list and revoke API keys", description="Manage API keys.")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = keys_sub.add_parser("create", help="create a key and print its secret once")
    create.add_argument("--name", required=True, help="who or what uses the key, e.g. 'front desk 1'")
    create.add_argument("--role", required=True, choices=[r.value for r in Role], help="the key's role")
    create.set_defaults(handler=_keys_create)
    listing = keys_sub.add_parser("list", help="list keys (prefix, role, state); never the secret")
    listing.set_defaults(handler=_keys_list)
    revoke = keys_sub.add_parser("revoke", help="revoke a key by its prefix, id or full secret")
    revoke.add_argument("key", help="key prefix (8 hex characters), id, or the whole secret (bek_...)")
    revoke.set_defaults(handler=_keys_revoke)
