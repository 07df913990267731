"""``payers`` command: import a clearinghouse's payer directory file, search it by name."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import asyncpg

from service.cli_support import run_with_db
from service.config import Settings
from service.eligibility.payers import lookup, store
from service.eligibility.payers.directory import DirectoryFileError, read_directory


def _import(args: argparse.Namespace, settings: Settings) -> int:

    clearinghouse = args.clearinghouse or settings.clearinghouse_name
    try:
        payers = read_directory(Path(args.file).read_bytes())
    except (OSError, DirectoryFileError) as exc:
        print(f"{args.file}: {getattr(exc, 'detail', exc)}; nothing imported", file=sys.stderr)
        return 1

    async def work(conn: asyncpg.Connection) -> int:
        return await store.replace_directory(conn, clearinghouse, payers)

    count = run_with_db(settings, work)
    real_time = sum(p.real_time_270 for p in payers)
    print(f"imported {count} payers for {clearinghouse} ({real_time} take real-time 270s); the previous list is replaced")
    return 0


def _search(args: argparse.Namespace, settings: Settings) -> int:

    async def work(conn: asyncpg.Connection):  # noqa: ANN202
        return await lookup.search(conn, args.clearinghouse or settings.clearinghouse_name, args.name, limit=args.limit)

    result = run_with_db(settings, work)
    for m in result.matches:
        takes = ", ".join(t for t, ok in (("real-time 270", m.real_time_270), ("batch", m.batch_270)) if ok) or "neither"
        print(f"{m.score:>3}  {m.payer_id:<12} {m.name}  [{takes}]")
    if not result.matches:
        print(f"no payer in the {result.clearinghouse} directory looks like {args.name!r}")
    return 0 if result.matches else 1


def register(sub: argparse._SubParsersAction) -> None:
    payers = sub.add_parser("payers", help="import or search a clearinghouse's payer directory",
                            description="The payer ids a clearinghouse routes to, with names, aliases and capabilities.")
    payers_sub = payers.add_subparsers(dest="payers_command", required=True, metavar="ACTION")
    imp = payers_sub.add_parser("import", help="replace a clearinghouse's directory with a CSV or JSON file",
                                description="Columns: payer_id, name, aliases (| separated), real_time_270, batch_270 "
                                "(CSV), or a JSON list of payers (Stedi's payer-network shape is read too).")
    imp.add_argument("file", help="the directory file the clearinghouse publishes (CSV or JSON)")
    imp.add_argument("--clearinghouse", help="whose directory (default CLEARINGHOUSE_NAME)")
    imp.set_defaults(handler=_import)
    find = payers_sub.add_parser("search", help="find payer ids by name")
    find.add_argument("name", help="payer name, alias or id")
    find.add_argument("--clearinghouse", help="whose directory (default CLEARINGHOUSE_NAME)")
    find.add_argument("--limit", type=int, default=10, help="most matches shown (default 10)")
    find.set_defaults(handler=_search)
