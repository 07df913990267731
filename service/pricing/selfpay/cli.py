"""``benefits-estimator self-pay ...``: FPL calculator, sliding fee schedules and payment plan rules."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import Decimal, InvalidOperation

import asyncpg
import msgspec

from contracts.selfpay import PaymentPlanRulesCreate, SlidingFeeSchedule, SlidingFeeScheduleCreate
from service.cli_support import run_with_db
from service.config import Settings
from service.errors import ProblemError
from service.pricing.selfpay import store
from service.pricing.selfpay.payment_plans import validate_rules
from service.pricing.selfpay.poverty import determine_fpl
from service.pricing.selfpay.sliding_fee import tier_for, tier_range_text, validate_schedule

_encoder = msgspec.json.Encoder(decimal_format="string")


def _print_json(value: object) -> None:
    sys.stdout.write(msgspec.json.format(_encoder.encode(value), indent=2).decode() + "\n")


def _problem(exc: ProblemError) -> int:
    print(f"error: {exc.detail or exc.title}", file=sys.stderr)
    for error in exc.errors:
        print(f"  {error.field}: {error.reason}", file=sys.stderr)
    return 1


def _fpl(args: argparse.Namespace, settings: Settings) -> int:
    try:
        income = Decimal(args.income)
    except InvalidOperation:
        print("error: --income must be an amount such as 35000 or 35000.00", file=sys.stderr)
        return 2
    on = dt.date.fromisoformat(args.date) if args.date else dt.date.today()
    try:
        determination = determine_fpl(household_size=args.size, annual_income=income, state=args.state, on=on)
    except ProblemError as exc:
        return _problem(exc)

    async def work(conn: asyncpg.Connection) -> None:
        schedule, version = await store.schedule_in_force(conn, on, args.organization)
        index, tier = tier_for(schedule, determination.percent_exact)
        print(determination.explanation)
        source = "example schedule" if schedule.is_example else f"schedule version {version}"
        print(f"Tier {tier.code} ({tier_range_text(schedule, index)}): {tier.label} [{source}: {schedule.name}]")

    run_with_db(settings, work)
    return 0


def _read_body(path: str, kind: type) -> object:
    with open(path, "rb") as handle:
        return msgspec.json.decode(handle.read(), type=kind, strict=False)


def _schedules_add(args: argparse.Namespace, settings: Settings) -> int:
    try:
        body = _read_body(args.file, SlidingFeeScheduleCreate)
    except (OSError, msgspec.ValidationError, msgspec.DecodeError) as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        validate_schedule(SlidingFeeSchedule(**{f: getattr(body, f) for f in body.__struct_fields__}))
    except ProblemError as exc:
        return _problem(exc)

    async def work(conn: asyncpg.Connection) -> None:
        _print_json(await store.insert_schedule(conn, body, created_by="cli", today=dt.date.today()))

    run_with_db(settings, work)
    return 0


def _schedules_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(conn: asyncpg.Connection) -> None:
        for s in await store.list_schedules(conn, today=dt.date.today(), organization_id=args.organization):
            mark = "*" if s.current else " "
            sch = s.schedule
            print(f"{mark} {sch.organization_id:<20} v{s.version:<3} from {sch.effective_from} "
                  f"to {sch.effective_to or '-':<10} {sch.name}")

    run_with_db(settings, work)
    return 0


def _rules_add(args: argparse.Namespace, settings: Settings) -> int:
    try:
        body = _read_body(args.file, PaymentPlanRulesCreate)
        validate_rules(body.rules)
    except (OSError, msgspec.ValidationError, msgspec.DecodeError) as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    except ProblemError as exc:
        return _problem(exc)

    async def work(conn: asyncpg.Connection) -> None:
        _print_json(await store.insert_rules(conn, body, created_by="cli", today=dt.date.today()))

    run_with_db(settings, work)
    return 0


def _rules_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(conn: asyncpg.Connection) -> None:
        for r in await store.list_rules(conn, today=dt.date.today(), organization_id=args.organization):
            mark = "*" if r.current else " "
            print(f"{mark} {r.organization_id:<20} v{r.version:<3} from {r.effective_from} "
                  f"min ${r.rules.minimum_monthly_payment} terms {r.rules.allowed_terms_months} "
                  f"APR {r.rules.apr_percent} %")

    run_with_db(settings, work)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    selfpay = sub.add_parser(
        "self-pay", help="poverty level / sliding fee tier, sliding fee schedules, payment plan rules",
        description="Self-pay tools. Schedules and rules are versioned: adding one never changes an earlier one.",
    )
    actions = selfpay.add_subparsers(dest="selfpay_command", required=True, metavar="ACTION")

    fpl = actions.add_parser("fpl", help="percent of the poverty guideline and sliding fee tier for a household")
    fpl.add_argument("--size", type=int, required=True, help="people in the household")
    fpl.add_argument("--income", required=True, help="annual household income, e.g. 35000")
    fpl.add_argument("--state", required=True, help="two-letter state code, e.g. CA")
    fpl.add_argument("--date", help="determination date YYYY-MM-DD (default today)")
    fpl.add_argument("--organization", default="default", help="organization id (default 'default')")
    fpl.set_defaults(handler=_fpl)

    schedules = actions.add_parser("schedules", help="list or add sliding fee schedule versions")
    sched = schedules.add_subparsers(dest="schedules_command", required=True, metavar="ACTION")
    add = sched.add_parser("add", help="add a version from a JSON file (the POST /v1/admin/sliding-fee-schedules body)")
    add.add_argument("file")
    add.set_defaults(handler=_schedules_add)
    listing = sched.add_parser("list", help="list versions; * = in force today")
    listing.add_argument("--organization", help="only this organization")
    listing.set_defaults(handler=_schedules_list)

    rules = actions.add_parser("rules", help="list or add payment plan rules versions")
    rsub = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    radd = rsub.add_parser("add", help="add a version from a JSON file (the POST /v1/admin/payment-plan-rules body)")
    radd.add_argument("file")
    radd.set_defaults(handler=_rules_add)
    rlist = rsub.add_parser("list", help="list versions; * = in force today")
    rlist.add_argument("--organization", help="only this organization")
    rlist.set_defaults(handler=_rules_list)
