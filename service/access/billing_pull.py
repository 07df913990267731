"""Billing pull: rows changed since an opaque cursor, in pages, stable under concurrent writes.

Tracked tables carry ``change_xid`` (the writing transaction) and ``change_seq`` (a global
sequence), stamped by the ``access_stamp_change`` trigger (migration 0400). A page holds rows
ordered by ``(change_xid, change_seq)`` after the cursor, and only rows whose ``change_xid`` is
below ``pg_snapshot_xmin(pg_current_snapshot())``, the oldest transaction still running.

Guarantee: every committed version of a row is handed out at or after the cursor that
precedes it, none is skipped, and a row is handed out again only when it changed again.
Why: below the horizon every transaction has ended, so no new row can ever sort before a
row already handed out (new writes get larger xids). Sequence values alone would not do:
they are taken in one order and committed in another. Cost: a long-running transaction
anywhere on the server holds back the feed until it ends.

Each pulled row is PHI: one ``audit_log`` row per item (action ``<resource>.pull``).
Raw X12 and request payloads are left out (minimum necessary).
TODO(pricing integrator): estimate export as JSON and as the FHIR GFE bundle will be
offered next to this feed; this feed returns the stored row minus the excluded columns.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec

from service.access import audit
from service.access.roles import Caller
from service.errors import InvalidInput, ProblemError


@dataclass(frozen=True)
class Feed:
    name: str  # cursor tag and URL name
    table: str
    resource_type: str
    excluded: tuple[str, ...]
    #: turns a stored row into the item handed out (None: as stored)
    finish: Callable[[dict[str, Any]], dict[str, Any]] | None = None


def _estimate_as_answered(item: dict[str, Any]) -> dict[str, Any]:
    """An estimate row with its answer whole: the pricing area keeps the per-day rows packed beside it."""
    from service.pricing.stored_answer import answered_data  # noqa: PLC0415 - the pricing area's storage format

    day_rows = item.pop("day_rows", None)
    return {**item, "response": answered_data(item["response"], day_rows)}


FEEDS = {
    "eligibility-checks": Feed(
        "eligibility-checks", "eligibility_checks", "eligibility_check", ("raw_270", "raw_271", "request", "cache_key")
    ),
    # request may hold a raw 271; rates is a full copy of the rate table (not needed to bill).
    "estimates": Feed("estimates", "estimates", "estimate", ("request", "rates", "request_hash"),
                      _estimate_as_answered),
}


class _Cursor(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    f: str  # feed name: a cursor of one feed is refused by another
    x: int  # change_xid of the last row handed out
    s: int  # change_seq of the last row handed out


def encode_cursor(feed: str, xid: int, seq: int) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(_Cursor(f=feed, x=xid, s=seq))).rstrip(b"=").decode()


def decode_cursor(feed: str, cursor: str | None) -> tuple[int, int]:
    if not cursor:
        return (0, 0)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = msgspec.json.decode(raw, type=_Cursor)
    except (ValueError, TypeError, msgspec.DecodeError, msgspec.ValidationError):
        raise InvalidInput("The cursor is not one this service handed out.", field="cursor") from None
    if value.f != feed or value.x < 0 or value.s < 0:
        raise InvalidInput("The cursor belongs to a different feed.", field="cursor")
    return (value.x, value.s)


class FeedUnavailable(ProblemError):
    status, slug, title = 503, "feed-unavailable", "This change feed is not set up on the database yet"


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str
    has_more: bool


async def _tracked(conn: asyncpg.Pool, table: str) -> bool | None:
    """None: no such table; False: table without change tracking; True: ready."""
    row = await conn.fetchrow(
        """SELECT to_regclass($1) IS NOT NULL AS present,
                  EXISTS (SELECT 1 FROM information_schema.columns
                          WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'change_xid') AS tracked""",
        table,
    )
    if not row["present"]:
        return None
    return bool(row["tracked"])


async def pull(
    pool: asyncpg.Pool, feed: Feed, *, cursor: str | None, limit: int, caller: Caller, request_id: str | None
) -> Page:
    after_xid, after_seq = decode_cursor(feed.name, cursor)
    tracked = await _tracked(pool, feed.table)
    if tracked is None:  # the owning area has not created its table: nothing has changed
        return Page(items=[], next_cursor=encode_cursor(feed.name, after_xid, after_seq), has_more=False)
    if not tracked:
        raise FeedUnavailable(f"Run SELECT access_track_changes('{feed.table}') in a migration to enable it.")
    excluded = "".join(f" - '{column}'" for column in feed.excluded)
    # One statement, so the horizon and the rows come from the same snapshot.
    rows = await pool.fetch(
        f"""SELECT t.change_xid::text::bigint AS xid, t.change_seq AS seq, to_jsonb(t){excluded} AS data
            FROM {feed.table} t
            WHERE (t.change_xid, t.change_seq) > ($1::text::xid8, $2::bigint)
              AND t.change_xid < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY t.change_xid, t.change_seq
            LIMIT $3""",  # noqa: S608 - table and columns come from FEEDS, not from input
        str(after_xid),
        after_seq,
        limit + 1,
    )
    page = rows[:limit]
    items = []
    for row in page:
        data = dict(row["data"])
        data.pop("change_xid", None)
        items.append(feed.finish(data) if feed.finish is not None else data)
    if page:
        after_xid, after_seq = page[-1]["xid"], page[-1]["seq"]
    async with pool.acquire() as conn, conn.transaction():
        for item in items:
            await audit.record(
                conn,
                caller=caller,
                action=f"{feed.resource_type}.pull",
                resource_type=feed.resource_type,
                resource_id=item.get("id"),
                patient=item.get("patient_key"),
                request_id=request_id,
            )
    return Page(items=items, next_cursor=encode_cursor(feed.name, after_xid, after_seq), has_more=len(rows) > limit)
