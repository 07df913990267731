"""``fees`` command: import a provider's chargemaster or contract rates (CSV or JSON), list versions.
``contracts`` command: record and list the provider's payer contracts (network participation)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import asyncpg

from service.cli_support import run_with_db
from service.config import Settings
from service.errors import ProblemError

CSV_HELP = ("CSV: a header row with level,revenue_code,hcpcs and the kind's money columns "
            "(chargemaster: gross_charge_per_day,self_pay_per_day; contract: contracted_in_network_per_day,"
            "contracted_out_of_network_allowed_per_day; medicare: medicare_per_diem_3_services,"
            "medicare_per_diem_4plus_services,medicare_inpatient_per_diem; medicaid: medicaid_per_day), optional basis. "
            "JSON: a list of row objects with the same keys, or {\"rows\": [...]}.")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from service.pricing import schedules  # noqa: PLC0415

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        print(f"cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        if path.suffix.lower() == ".json":
            raw_rows, lines = schedules.rows_from_json(text), None
        else:
            raw_rows, lines = schedules.rows_from_csv(text)
    except ValueError as exc:  # malformed JSON
        print(f"{path}: not valid JSON: {exc}", file=sys.stderr)
        return 2
    except ProblemError as exc:
        print(f"{path}: {exc.detail}", file=sys.stderr)
        return 2
    header = schedules.VersionHeader(
        version=args.version or schedules.default_label(args.kind, args.payer_id, args.plan_code, args.effective_from),
        kind=args.kind, effective_from=args.effective_from, effective_to=args.effective_to, payer_id=args.payer_id,
        plan_code=args.plan_code, basis=args.basis or f"imported from {path.name}")

    async def work(conn: asyncpg.Connection) -> schedules.StoredVersion:
        return await schedules.import_fee_schedule(conn, header, raw_rows, row_numbers=lines,
                                                   created_by=f"cli:{args.created_by}", dry_run=args.dry_run)

    try:
        if args.dry_run:
            stored = _validate_only(header, raw_rows, lines)
        else:
            stored = run_with_db(settings, work)
    except ProblemError as exc:
        print(f"{path}: nothing stored - {len(exc.errors) or 1} problem(s)"
              + (" (row numbers are file lines; the header is line 1)" if lines is not None else "") + ":",
              file=sys.stderr)
        for error in exc.errors or []:
            print(f"  {error.reason}", file=sys.stderr)
        if not exc.errors:
            print(f"  {exc.detail}", file=sys.stderr)
        return 1
    what = "valid (dry run, nothing stored)" if args.dry_run else f"stored as version {stored.header.version} ({stored.id})"
    print(f"{path}: {len(stored.rows)} rows, {args.kind}"
          + (f" for payer {args.payer_id}" if args.payer_id else "") + (f" plan {args.plan_code}" if args.plan_code else "")
          + f", effective {args.effective_from.isoformat()}: {what}")
    return 0


def _validate_only(header, raw_rows, lines):  # noqa: ANN001, ANN202 - no database needed for a dry run
    from service.pricing import schedules  # noqa: PLC0415

    rows = schedules.validate_rows(header.kind, raw_rows, row_numbers=lines,
                                   header_issues=schedules.validate_header(header))
    import uuid  # noqa: PLC0415

    return schedules.StoredVersion(id=uuid.UUID(int=0), header=header, created_at=dt.datetime.now(dt.UTC),
                                   created_by="dry-run", rows=tuple(rows))


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from service.pricing import schedules  # noqa: PLC0415

    async def work(conn: asyncpg.Connection) -> list[schedules.StoredVersion]:
        return await schedules.list_versions(conn, kind=args.kind)

    for v in run_with_db(settings, work):
        h = v.header
        scope = "/".join(p for p in (h.payer_id, h.plan_code) if p) or "default"
        until = h.effective_to.isoformat() if h.effective_to else "…"
        print(f"{v.id}  {h.kind:<12} {scope:<20} {h.effective_from.isoformat()}..{until:<10} "
              f"{'DEMO ' if h.demo else ''}{h.version}")
    return 0


def _contract_add(args: argparse.Namespace, settings: Settings) -> int:
    from contracts.payer_contracts import PayerContractIn  # noqa: PLC0415
    from service.pricing import contracts_registry  # noqa: PLC0415

    data = PayerContractIn(payer_id=args.payer_id, payer_name=args.payer_name, plan_code=args.plan_code,
                           network_name=args.network, in_network=not args.not_in_network,
                           effective_from=args.effective_from, effective_to=args.effective_to,
                           fee_schedule_version=args.fee_schedule_version, notes=args.notes)

    async def work(conn: asyncpg.Connection):  # noqa: ANN202
        return await contracts_registry.add_contract(conn, data, created_by=f"cli:{args.created_by}")

    try:
        stored = run_with_db(settings, work)
    except ProblemError as exc:
        print(f"nothing stored: {exc.detail}", file=sys.stderr)
        return 1
    print(f"{stored.contract_key} version {stored.version}: {'in' if stored.in_network else 'NOT in'} network "
          f"from {stored.effective_from.isoformat()} ({stored.id})")
    return 0


def _contract_list(args: argparse.Namespace, settings: Settings) -> int:
    from service.pricing import contracts_registry  # noqa: PLC0415

    async def work(conn: asyncpg.Connection):  # noqa: ANN202
        return await contracts_registry.list_contracts(conn, payer_id=args.payer_id)

    for c in run_with_db(settings, work):
        until = c.effective_to.isoformat() if c.effective_to else "…"
        print(f"{c.payer_id:<10} {c.plan_code or '(all plans)':<14} {c.network_name:<20} v{c.version} "
              f"{'in' if c.in_network else 'OUT'} {c.effective_from.isoformat()}..{until}")
    return 0


def _register_contracts(sub: argparse._SubParsersAction) -> None:
    contracts = sub.add_parser("contracts", help="record and list payer contracts (which networks the provider is in)",
                               description="Each change is a new immutable version; estimates take their network "
                                           "from the versions in force on the date of service.")
    contracts_sub = contracts.add_subparsers(dest="contracts_command", required=True, metavar="ACTION")
    add = contracts_sub.add_parser("add", help="add a contract version")
    add.add_argument("--payer-id", required=True)
    add.add_argument("--payer-name", required=True)
    add.add_argument("--plan-code", help="one plan or product of the payer (default: every plan)")
    add.add_argument("--network", required=True, help="the network name, e.g. 'CHOICE PLUS'")
    add.add_argument("--not-in-network", action="store_true", help="record leaving the network from the date")
    add.add_argument("--effective-from", required=True, type=_date)
    add.add_argument("--effective-to", type=_date, help="first date it no longer applies to (optional)")
    add.add_argument("--fee-schedule-version", help="label of the contract fee schedule with this contract's rates")
    add.add_argument("--notes")
    add.add_argument("--created-by", default="admin")
    add.set_defaults(handler=_contract_add)
    listing = contracts_sub.add_parser("list", help="list contract versions")
    listing.add_argument("--payer-id")
    listing.set_defaults(handler=_contract_list)


def register(sub: argparse._SubParsersAction) -> None:
    _register_contracts(sub)
    fees = sub.add_parser("fees", help="import and list fee schedules (chargemaster, payer contracts)",
                          description="Fee schedules are versioned and never change once imported; a new version "
                                      "takes over from its effective date. Estimates keep the rates they used.")
    fees_sub = fees.add_subparsers(dest="fees_command", required=True, metavar="ACTION")
    imp = fees_sub.add_parser("import", help="validate and import a CSV or JSON fee schedule as a new version",
                              description="Every row is checked and all problems are listed (row, column, reason); "
                                          "nothing is stored if any row is bad. " + CSV_HELP)
    imp.add_argument("file", help="a .csv or .json file")
    imp.add_argument("--kind", required=True, choices=["chargemaster", "contract", "medicare", "medicaid"],
                     help="what the file holds")
    imp.add_argument("--payer-id", help="the payer a contract (or Medicaid rate) is with; omit for the default")
    imp.add_argument("--plan-code", help="a plan of that payer (needs --payer-id)")
    imp.add_argument("--effective-from", required=True, type=_date, help="first date of service it applies to")
    imp.add_argument("--effective-to", type=_date, help="first date it no longer applies to (optional)")
    imp.add_argument("--version", help="a unique label (default: generated from kind, payer, plan and date)")
    imp.add_argument("--basis", help="where the figures come from (default: the file name)")
    imp.add_argument("--created-by", default="admin", help="who imports it (recorded with the version)")
    imp.add_argument("--dry-run", action="store_true", help="check the file only; store nothing")
    imp.set_defaults(handler=_import)
    listing = fees_sub.add_parser("list", help="list fee-schedule versions")
    listing.add_argument("--kind", choices=["chargemaster", "contract", "medicare", "medicaid"])
    listing.set_defaults(handler=_list)
