"""Eligibility checks in PostgreSQL (table ``eligibility_checks``, migration 0100).

Rows hold PHI (names, dates of birth, member id, the request, raw X12): callers write the
audit row in the same transaction (see ``service.py``); nothing here logs.

Cache: a clearinghouse check with the same :func:`cache_key` whose status is active or
inactive and whose age is under the TTL is reused. Rejected checks (AAA) are never reused:
they usually mean a typo that intake staff are about to correct, or a payer-side fix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any

import asyncpg
import msgspec

from contracts.benefits import NormalizedBenefits
from service.db.tenant import current_organization
from service.eligibility.read_batches import ReadBatches
from service.eligibility.rows_json import with_rows_json

__all__ = ["CheckReads", "NewCheck", "cache_key", "insert_check", "find_cached", "fetch_check", "fetch_check_audited", "fetch_x12_audited", "next_control_number", "parse_id"]

_COLUMNS = (
    "source", "status", "payer_id", "payer_name", "date_of_service", "service_type_codes",
    "subscriber_first_name", "subscriber_last_name", "subscriber_dob", "member_id",
    "dependent_first_name", "dependent_last_name", "dependent_dob", "dependent_relationship",
    "request", "raw_270", "raw_271", "patient_key", "trace_number", "cache_key", "benefits", "attempts", "created_by",
)


@dataclass
class NewCheck:
    source: str
    status: str
    benefits: NormalizedBenefits
    created_by: str
    payer_id: str | None = None
    payer_name: str | None = None
    date_of_service: dt.date | None = None
    service_type_codes: list[str] = field(default_factory=list)
    subscriber_first_name: str | None = None
    subscriber_last_name: str | None = None
    subscriber_dob: dt.date | None = None
    member_id: str | None = None
    dependent_first_name: str | None = None
    dependent_last_name: str | None = None
    dependent_dob: dt.date | None = None
    dependent_relationship: str | None = None
    request: Any = None
    raw_270: str | None = None
    raw_271: str | None = None
    patient_key: str | None = None
    trace_number: str | None = None
    cache_key: str | None = None
    attempts: int = 0


def cache_key(*parts: object) -> str:
    """sha256 over the normalized parts (upper-cased, stripped); the key itself reveals no PHI."""
    text = "\x1f".join("" if p is None else str(p).strip().upper() for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()


def parse_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None


async def next_control_number(conn: asyncpg.Connection | asyncpg.Pool) -> int:
    return int(await conn.fetchval("SELECT nextval('x12_interchange_control_seq')"))


async def insert_check(conn: asyncpg.Connection, check: NewCheck) -> dict[str, Any]:
    """Insert a check; the stored row as a mapping (the values given, the ids and times the database set).

    Only ``id``, ``created_at`` and ``updated_at`` come back from the database: returning the benefits
    jsonb (megabytes for a large 271) would decode it into Python objects again on the event loop.
    """
    values = []
    for name in _COLUMNS:
        value = getattr(check, name)
        if name in ("benefits", "request") and value is not None:
            value = msgspec.json.encode(value)  # bytes: the pool's jsonb codec takes them as JSON text
        values.append(value)
    placeholders = ", ".join(
        f"${i}::jsonb" if name in ("benefits", "request") else f"${i}" for i, name in enumerate(_COLUMNS, 1)
    )
    returned = await conn.fetchrow(
        f"INSERT INTO eligibility_checks ({', '.join(_COLUMNS)}) VALUES ({placeholders}) "
        "RETURNING id, created_at, updated_at",
        *values,
    )
    return {**{name: getattr(check, name) for name in _COLUMNS}, **dict(returned), "age": 0.0}


#: A stored check as read back: every column but ``benefits``, which comes as its head (everything but the
#: rows) and its rows as JSON text, split by PostgreSQL. The rows are never decoded here: a large 271's ten
#: thousand rows stay JSON into the answer (``rows_json.py``); :func:`decode_benefits` puts them together.
_READ_COLUMNS = ", ".join(("id", "created_at", "updated_at", *(c for c in _COLUMNS if c != "benefits"),
                           "(benefits - 'benefit_rows')::text AS benefits_head",
                           "(benefits -> 'benefit_rows')::text AS benefit_rows_json"))
_FETCH_CHECK = (f"SELECT {_READ_COLUMNS}, extract(epoch FROM now() - created_at)::float8 AS age "
                "FROM eligibility_checks WHERE id = $1")
_FETCH_CHECK_FOR_PRICING = "SELECT * FROM read_check_for_pricing($1, $2)"
#: The audited reads of stored checks, made in batches (``read_batches.py``): the reads of concurrent requests and
#: their audit rows in one statement and one commit (migration 0952). Arrays, one element per read: $1 the
#: organizations, then the ids, cache keys, reuse windows, the ids asked for (audited as not found when nothing is),
#: the five audit parameters (``service.access.audit.audit_params``) and the version of the check whose answer the
#: caller holds ($11-$13: id, updated_at, status; NULL: none). Each row is numbered by its read (n) and has the
#: columns of a check's answer - the version's own (created_at ... benefits) NULL while it is the one held - or,
#: for the raw X12 reads, the id, source and raw 270 and 271.
_AUDITED = ("SELECT * FROM read_eligibility_checks_audited($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
            "{with_x12})")
_READ_ANSWERS_AUDITED = _AUDITED.format(with_x12="false")
_READ_X12_AUDITED = _AUDITED.format(with_x12="true")
#: No version held: every column of the answer comes back.
NOTHING_HELD: tuple[Any, Any, Any] = (None, None, None)


class CheckReads:
    """One pool's audited reads of stored checks - answers and raw X12 - each kind in batches."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.answers = ReadBatches(pool, _READ_ANSWERS_AUDITED)
        self.x12 = ReadBatches(pool, _READ_X12_AUDITED)


async def find_cached(reads: CheckReads, key: str, ttl_seconds: int, audit: tuple[str | None, ...],
                      held: tuple[Any, Any, Any] = NOTHING_HELD) -> asyncpg.Record | None:
    """The newest reusable check, read with its audit row (``audit``: ``audit_params``) in one statement: the
    columns of its answer, the version's own (created_at ... benefits) NULL while it is the version ``held``."""
    if ttl_seconds <= 0:
        return None
    return await reads.answers.read(None, key, float(ttl_seconds), None, *audit, *held)


async def fetch_check(conn: asyncpg.Connection | asyncpg.Pool, check_id: uuid.UUID) -> asyncpg.Record | None:
    """What pricing reads of a check (no raw X12, no names; :func:`decode_benefits` takes it), in one statement that
    sets the organization itself (migration 0993); inside a transaction, a plain SELECT of the same."""
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as held:
            rows = await held.fetch_setting_its_own(_FETCH_CHECK_FOR_PRICING, current_organization(), check_id)
        return rows[0] if rows else None
    return await conn.fetchrow(_FETCH_CHECK, check_id)


async def fetch_check_audited(reads: CheckReads, check_id: uuid.UUID | None, asked_for: str,
                              audit: tuple[str | None, ...], held: tuple[Any, Any, Any] = NOTHING_HELD,
                              ) -> asyncpg.Record | None:
    """One check by id, read with its audit row (``audit``: ``audit_params``) in one statement, as
    :func:`find_cached` reads it.

    ``check_id`` None (an id that is not one) finds nothing. Finding nothing - also another organization's check,
    which row-level security hides - writes the audit row ``not_found`` naming ``asked_for``, in the same statement.
    """
    return await reads.answers.read(check_id, None, None, asked_for, *audit, *held)


async def fetch_x12_audited(reads: CheckReads, check_id: uuid.UUID | None, asked_for: str,
                            audit: tuple[str | None, ...]) -> asyncpg.Record | None:
    """A check's id, source and raw X12, audited as :func:`fetch_check_audited`."""
    return await reads.x12.read(check_id, None, None, asked_for, *audit, *NOTHING_HELD)


_head_decoder = msgspec.json.Decoder(NormalizedBenefits)


def decode_benefits(record: Mapping[str, Any]) -> NormalizedBenefits:
    """The benefits of a stored check. A row read here (:data:`_READ_COLUMNS`) keeps its rows as JSON."""
    head = record.get("benefits_head")
    if head is not None:
        return with_rows_json(_head_decoder.decode(head), record.get("benefit_rows_json"))
    raw = record["benefits"]
    if isinstance(raw, NormalizedBenefits):  # a row insert_check returned
        return raw
    if isinstance(raw, str):
        return msgspec.json.decode(raw, type=NormalizedBenefits)
    return msgspec.json.decode(msgspec.json.encode(raw), type=NormalizedBenefits)
