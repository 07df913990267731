"""Command line: ``benefits-estimator <command>`` (also ``python -m service``).

Commands live here or in an area's ``cli.py`` that exposes ``register(subparsers)``; each
command's help says what it does. Every command reads the same environment variables as
the service (see README) and uses the embedded PostgreSQL when DATABASE_URL is unset.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import asyncpg

from service.access import cli as access_cli
from service.cli_support import run_with_db
from service.config import ConfigError, Settings, load_settings
from service.console import cli as console_cli
from service.eligibility.batches import cli as batches_cli
from service.eligibility.payers import cli as payers_cli
from service.pricing import cli as pricing_cli
from service.pricing.selfpay import cli as selfpay_cli

#: Areas that add commands, imported by name: each has ``register(subparsers) -> None``.
COMMAND_MODULES = (payers_cli, batches_cli, pricing_cli, selfpay_cli, access_cli, console_cli)

__all__ = ["build_parser", "main", "openapi_document", "run_with_db"]


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from service.serving import serve  # noqa: PLC0415

    serve(settings, args.host, args.port)
    return 0


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    from service.db.migrate import available_migrations  # noqa: PLC0415

    async def work(conn: asyncpg.Connection) -> None:
        rows = await conn.fetch("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
        for row in rows:
            print(f"{row['version']}  {row['name']:<40} applied {row['applied_at']:%Y-%m-%d %H:%M:%S}")
        print(f"{len(rows)} of {len(available_migrations())} migrations applied")

    run_with_db(settings, work)
    return 0


def _openapi(args: argparse.Namespace, settings: Settings) -> int:
    import json  # noqa: PLC0415

    text = json.dumps(openapi_document(settings), indent=2, sort_keys=True) + "\n"
    if args.write:
        with open(args.write, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"wrote {args.write}")
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benefits-estimator",
        description=(
            "Eligibility, benefits and patient cost estimates for IOP, PHP and inpatient psychiatric care. "
            "Configuration comes from environment variables (see README)."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser(
        "serve",
        help="run the HTTP service (embedded PostgreSQL and sandbox payer unless configured)",
        description="Run the HTTP API (SERVER with WORKERS processes). Applies pending migrations at start-up.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    serve.set_defaults(handler=_serve)
    migrate = sub.add_parser(
        "migrate",
        help="apply pending database migrations and list what is applied",
        description="Apply the SQL files in service/db/migrations in order, each once, in a transaction.",
    )
    migrate.set_defaults(handler=_migrate)
    openapi = sub.add_parser(
        "openapi",
        help="print the OpenAPI document (or --write it, e.g. to contracts/openapi.json)",
        description="Print the service's OpenAPI document. Regenerate the checked-in snapshot after a deliberate "
        "contract change with: benefits-estimator openapi --write contracts/openapi.json",
    )
    openapi.add_argument("--write", metavar="PATH", help="write to PATH instead of standard output")
    openapi.set_defaults(handler=_openapi)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command != "serve":
        # Commands print their answer on stdout (a key's secret, a listing): logs go to stderr, quietly.
        from service.logging import configure_logging  # noqa: PLC0415

        level = settings.log_level if "LOG_LEVEL" in os.environ else "WARNING"
        configure_logging(level, settings.log_format, stream=sys.stderr)
    return int(args.handler(args, settings) or 0)


def openapi_document(settings: Settings) -> dict[str, Any]:
    """The OpenAPI document exactly as the service serves it (no database needed)."""
    from service.app import _forbid_unknown_fields_in_schema, create_app  # noqa: PLC0415
    from service.openapi import finished_document  # noqa: PLC0415

    app = create_app(settings)
    _forbid_unknown_fields_in_schema(app)
    return finished_document(app)
