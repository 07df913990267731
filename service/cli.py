"""Command line: ``benefits-estimator <command>`` (also ``python -m service``).

Commands live here or in an area's ``cli.py`` that exposes ``register(subparsers)``; each
command's help says what it does. Every command reads the same environment variables as
the service (see README) and uses the embedded PostgreSQL when DATABASE_URL is unset.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import msgspec
import structlog

from service import installed_modules
from service.config import ConfigError, Settings, load_settings

#: Modules that add commands: each has ``register(subparsers) -> None``.
COMMAND_MODULES = ("service.eligibility.payers.cli", "service.eligibility.batches.cli", "service.pricing.cli",
                   "service.pricing.selfpay.cli", "service.access.cli", "service.console.cli")


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A migrated connection to the configured (or embedded) database, for one command."""
    from service.db.app_role import least_privileged_url  # noqa: PLC0415
    from service.db.embedded import start_embedded  # noqa: PLC0415
    from service.db.pool import _init_connection, migrate_url  # noqa: PLC0415

    embedded = start_embedded(settings.embedded_pg_dir) if settings.database_url is None else None
    url = settings.database_url or embedded.url  # type: ignore[union-attr]
    try:
        await migrate_url(url)
        await least_privileged_url(  # `migrate` also grants the app role what it needs
            url, app_url=settings.app_database_url, embedded_dir=settings.embedded_pg_dir if embedded else None,
            log=structlog.get_logger("service.cli"),
        )
        conn = await asyncpg.connect(url)
        await _init_connection(conn)
        try:
            yield conn
        finally:
            await conn.close()
    finally:
        if embedded is not None:
            embedded.stop()


def run_with_db(settings: Settings, work: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with database(settings) as conn:
            return await work(conn)

    return asyncio.run(main())


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
    for module in installed_modules(COMMAND_MODULES):
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
