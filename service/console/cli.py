"""``staff`` command: create console accounts, set a password, disable an account.

The password is read from the terminal (asked twice, never echoed) or, for scripts, from standard input
with ``--password-stdin``; never from the command line, where it would land in shell history.
"""

from __future__ import annotations

import argparse
import getpass
import sys

import asyncpg

from service.cli_support import run_with_db
from service.config import Settings
from service.console.staff import StaffAccountError, check_new_account, create_staff, disable_staff, set_password


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("Same password again: ") != first:
        raise StaffAccountError("password: the two entries differ")
    return first


def _create(args: argparse.Namespace, settings: Settings) -> int:

    try:
        password = _password(args)
        check_new_account(args.username, password)

        async def work(conn: asyncpg.Connection):  # noqa: ANN202
            return await create_staff(conn, username=args.username, password=password, display_name=args.name,
                                      organization_id=args.organization)

        member = run_with_db(settings, work)
    except StaffAccountError as exc:
        print(f"not created: {exc}", file=sys.stderr)
        return 1
    print(f"created staff account {member.username} ({member.display_name}) in organization "
          f"{member.organization_id}; sign in at /console")
    return 0


def _set_password(args: argparse.Namespace, settings: Settings) -> int:

    try:
        password = _password(args)
        check_new_account(args.username, password)

        async def work(conn: asyncpg.Connection) -> bool:
            return await set_password(conn, username=args.username, password=password)

        changed = run_with_db(settings, work)
    except StaffAccountError as exc:
        print(f"not changed: {exc}", file=sys.stderr)
        return 1
    print(f"password set for {args.username}" if changed else f"no staff account {args.username}")
    return 0 if changed else 1


def _disable(args: argparse.Namespace, settings: Settings) -> int:

    async def work(conn: asyncpg.Connection) -> bool:
        return await disable_staff(conn, args.username)

    if run_with_db(settings, work):
        print(f"disabled {args.username}")
        return 0
    print(f"no active staff account {args.username}")
    return 1


def register(sub: argparse._SubParsersAction) -> None:
    staff = sub.add_parser("staff", help="create and manage intake console accounts",
                           description="Staff accounts for the intake console at /console (role intake).")
    actions = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create an account (asks for the password)")
    create.add_argument("--username", required=True, help="sign-in name, e.g. 'jsmith'")
    create.add_argument("--name", help="name shown in the console, e.g. 'Jo Smith'")
    create.add_argument("--organization", default="default",
                        help="the organization the account belongs to; the console shows only its records")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.set_defaults(handler=_create)
    password = actions.add_parser("set-password", help="set a new password (also lifts a lockout)")
    password.add_argument("--username", required=True)
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    password.set_defaults(handler=_set_password)
    disable = actions.add_parser("disable", help="disable an account (it can no longer sign in)")
    disable.add_argument("--username", required=True)
    disable.set_defaults(handler=_disable)
