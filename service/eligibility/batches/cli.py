"""``worker`` (run batch lanes) and ``batches submit FILE.csv`` / ``batches show ID`` commands.

The CSV has a header; columns (only the first six are required)::

    payer_id, first_name, last_name, date_of_birth, member_id, date_of_service,
    payer_name, service_type_codes (| separated), dependent_first_name, dependent_last_name,
    dependent_date_of_birth, dependent_relationship

Dates are YYYY-MM-DD. A bad row stops the import with its row number and field; nothing is queued.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
from pathlib import Path
from typing import Any

import msgspec

from contracts.batches import MAX_BATCH_ITEMS, BatchRequest
from contracts.eligibility import EligibilityCheckRequest
from service.config import Settings

__all__ = ["register", "read_batch_csv", "BatchFileError"]

REQUIRED = ("payer_id", "first_name", "last_name", "date_of_birth", "member_id", "date_of_service")


class BatchFileError(ValueError):
    pass


def _request(row: dict[str, str]) -> dict[str, Any]:
    value = {k: (v or "").strip() for k, v in row.items() if k}
    body: dict[str, Any] = {
        "payer_id": value["payer_id"],
        "subscriber": {k: value[k] for k in ("first_name", "last_name", "date_of_birth", "member_id")},
        "date_of_service": value["date_of_service"],
    }
    if value.get("payer_name"):
        body["payer_name"] = value["payer_name"]
    if value.get("service_type_codes"):
        body["service_type_codes"] = [c.strip() for c in value["service_type_codes"].split("|") if c.strip()]
    if value.get("dependent_last_name"):
        body["dependent"] = {
            "first_name": value.get("dependent_first_name", ""), "last_name": value["dependent_last_name"],
            "date_of_birth": value.get("dependent_date_of_birth", ""),
            **({"relationship": value["dependent_relationship"]} if value.get("dependent_relationship") else {}),
        }
    return body


def read_batch_csv(text: str) -> BatchRequest:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise BatchFileError(f"the CSV header lacks {', '.join(missing)}")
    items = []
    for number, row in enumerate(reader, start=2):
        try:
            items.append(msgspec.convert(_request(row), EligibilityCheckRequest))
        except msgspec.ValidationError as exc:
            raise BatchFileError(f"row {number}: {exc}") from None
        if len(items) > MAX_BATCH_ITEMS:
            raise BatchFileError(f"more than {MAX_BATCH_ITEMS} members; split the file")
    if not items:
        raise BatchFileError("the CSV lists no members")
    return BatchRequest(items=items)


async def _with_service(settings: Settings, work: Any) -> Any:
    from service.db.embedded import start_embedded  # noqa: PLC0415
    from service.db.pool import create_pool, migrate_url  # noqa: PLC0415
    from service.eligibility.batches.queue import ensure_queue_schema, make_queue  # noqa: PLC0415

    embedded = start_embedded(settings.embedded_pg_dir) if settings.database_url is None else None
    url = settings.database_url or embedded.url  # type: ignore[union-attr]
    try:
        await migrate_url(url)
        pool = await create_pool(url, min_size=1, max_size=2)
        try:
            async with pool.acquire() as conn:
                await ensure_queue_schema(conn)
            queue = make_queue(url, pool_max=1)
            async with queue.open_async():
                return await work(pool, queue)
        finally:
            await pool.close()
    finally:
        if embedded is not None:
            embedded.stop()


def _print(batch: Any) -> None:
    p = batch.progress
    print(f"batch {batch.id}: {batch.status}; {p.done} done, {p.failed} failed, {p.pending} pending of {p.total}; "
          f"{p.flagged_for_billing} flagged for billing")
    for item in batch.items:
        if item.coverage_changes or item.problem:
            why = ", ".join(item.coverage_changes) or f"{item.problem.status} {item.problem.type}"
            print(f"  row {item.position + 2}: {item.payer_id} {item.check_status or item.status}: {why}")


def _submit(args: argparse.Namespace, settings: Settings) -> int:
    from service.eligibility.batches import service  # noqa: PLC0415

    try:
        request = read_batch_csv(Path(args.file).read_text(encoding="utf-8-sig"))
    except (OSError, BatchFileError) as exc:
        print(f"{args.file}: {exc}; nothing queued", file=sys.stderr)
        return 1

    async def work(pool: Any, queue: Any) -> Any:
        return await service.create_batch(pool, queue, settings, request, actor="cli:batches-submit")

    batch = asyncio.run(_with_service(settings, work))
    print(f"queued batch {batch.id}: {batch.progress.total} members in {batch.lanes} lanes; "
          "workers (benefits-estimator worker) run it")
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    from service.eligibility.batches import service  # noqa: PLC0415

    async def work(pool: Any, _queue: Any) -> Any:
        return await service.read_batch(pool, args.batch_id, audit=False)

    _print(asyncio.run(_with_service(settings, work)))
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from service.eligibility.batches.worker import run_worker  # noqa: PLC0415
    from service.logging import configure_logging  # noqa: PLC0415

    configure_logging(settings.log_level, settings.log_format, stream=sys.stderr)
    try:
        asyncio.run(run_worker(settings, concurrency=args.concurrency))
    except KeyboardInterrupt:
        pass
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    worker = sub.add_parser("worker", help="run batch re-verification jobs (start as many as you like, anywhere)",
                            description="Run eligibility batch lanes from the PostgreSQL queue until stopped.")
    worker.add_argument("--concurrency", type=int, help="lanes run at once by this worker "
                        "(default BATCH_CLEARINGHOUSE_CONCURRENCY)")
    worker.set_defaults(handler=_worker)
    batches = sub.add_parser("batches", help="queue a CSV of members for re-verification, or show a batch")
    batches_sub = batches.add_subparsers(dest="batches_command", required=True, metavar="ACTION")
    submit = batches_sub.add_parser("submit", help="queue the members of a CSV (see the header in --help)",
                                    description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    submit.add_argument("file", help="CSV of members and dates of service")
    submit.set_defaults(handler=_submit)
    show = batches_sub.add_parser("show", help="progress and the members that need attention")
    show.add_argument("batch_id")
    show.set_defaults(handler=_show)
