"""Estimates in PostgreSQL: insert once, read back exactly as given.

An estimate row keeps the request, the benefits and a full copy of the rates it was computed
with (plus the fee-schedule version ids), and the response as returned; :func:`load_estimate`
gives all of it back typed. The row holds PHI (patient display fields, the request, the
benefits): callers write an audit row for every read and write (see service.pricing.service).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec

from contracts.benefits import NormalizedBenefits
from contracts.estimate import EstimateRequest, EstimateResponse
from service.access.audit import audit_params
from service.access.roles import Caller
from service.db.tenant import current_organization
from service.eligibility.read_batches import ReadBatches
from service.errors import NotFound
from service.pricing.packed_days import PackedDays
from service.pricing.pool_state import kept_for_pool
from service.pricing.schedules import StoredRateTable, rate_table_to_dict, stored_rate_table_from_dict
from service.pricing.stored_answer import response_as_stored

_encoder = msgspec.json.Encoder(decimal_format="string")


@dataclass(frozen=True, slots=True)
class StoredEstimate:
    """One stored estimate, typed. ``response`` is exactly what the caller was given at creation."""

    id: uuid.UUID
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str
    patient_key: str | None
    patient_first_name: str | None
    patient_last_name: str | None
    patient_dob: dt.date | None
    benefits_source: str  # eligibility_check | x12_271 | manual | self_pay
    eligibility_check_id: uuid.UUID | None
    as_of: dt.date
    request: EstimateRequest
    #: The benefits as stored (JSON), read only by ``load_estimate(..., with_benefits=True)``: an estimate from a
    #: 1 MB 271 holds megabytes of them, which reading the answer back never needs (see :attr:`benefits`).
    benefits_json: str | None
    benefits_loaded: bool
    rates: StoredRateTable
    rate_version_ids: tuple[str, ...]
    figures: dict[str, Any]
    response: EstimateResponse
    request_hash: str

    @property
    def benefits(self) -> NormalizedBenefits | None:
        """The benefits the estimate was priced with (None for self-pay), decoded when asked."""
        if not self.benefits_loaded:
            raise RuntimeError("the stored benefits were not read: load_estimate(..., with_benefits=True)")
        return None if self.benefits_json is None else msgspec.json.decode(self.benefits_json, type=NormalizedBenefits)

    @property
    def patient_name(self) -> str | None:
        if self.patient_first_name is None and self.patient_last_name is None:
            return None
        return " ".join(p for p in (self.patient_first_name, self.patient_last_name) if p)


def request_hash(request: EstimateRequest, as_of: dt.date) -> str:
    """sha256 of the canonical request and its as-of date: equal hashes = the same question asked."""
    return _hash_of(_encoder.encode(request), as_of)


def _hash_of(request_json: bytes, as_of: dt.date) -> str:
    return hashlib.sha256(request_json + b"|" + as_of.isoformat().encode()).hexdigest()


def _json(value: Any) -> bytes:
    return _encoder.encode(value)  # the pool's codec takes bytes as JSON text


#: The JSON copy of the last rate tables stored, by the table itself (estimates reusing one reading share its
#: tables: estimate_inputs.py); a table never changes once built.
_RATES_JSON: dict[int, tuple[StoredRateTable, bytes]] = {}
_RATES_JSON_KEPT = 64


def _rates_json(rates: StoredRateTable) -> bytes:
    found = _RATES_JSON.get(id(rates))
    if found is not None and found[0] is rates:
        return found[1]
    if len(_RATES_JSON) >= _RATES_JSON_KEPT:
        _RATES_JSON.pop(next(iter(_RATES_JSON)))
    encoded = _json(rate_table_to_dict(rates))
    _RATES_JSON[id(rates)] = (rates, encoded)
    return encoded


_COLUMNS = """id, created_at, updated_at, created_by, patient_key, patient_first_name, patient_last_name,
              patient_dob, benefits_source, eligibility_check_id, as_of, request::text AS request,
              rates::text AS rates, rate_version_ids, figures::text AS figures, response::text AS response,
              day_rows::text AS day_rows, request_hash"""


_SELECT = f"SELECT {_COLUMNS} FROM estimates"
_SELECT_WITH_BENEFITS = f"SELECT {_COLUMNS}, benefits::text AS benefits FROM estimates"


def _answer(row: Mapping[str, Any], detail: frozenset[str] | None) -> EstimateResponse:
    """A row's stored answer with the per-day rows and payment schedules ``detail`` names (None: all)."""
    return response_as_stored(row["response"], row["day_rows"], days=detail is None or "days" in detail,
                              schedules=detail is None or "payment_schedules" in detail)


def _from_row(row: Mapping[str, Any], *, with_benefits: bool, detail: frozenset[str] | None) -> StoredEstimate:
    return StoredEstimate(
        id=row["id"], created_at=row["created_at"], updated_at=row["updated_at"], created_by=row["created_by"],
        patient_key=row["patient_key"], patient_first_name=row["patient_first_name"],
        patient_last_name=row["patient_last_name"], patient_dob=row["patient_dob"],
        benefits_source=row["benefits_source"], eligibility_check_id=row["eligibility_check_id"], as_of=row["as_of"],
        request=msgspec.json.decode(row["request"], type=EstimateRequest),
        benefits_json=row["benefits"] if with_benefits else None, benefits_loaded=with_benefits,
        rates=stored_rate_table_from_dict(msgspec.json.decode(row["rates"])),
        rate_version_ids=tuple(str(i) for i in row["rate_version_ids"]),
        figures=msgspec.json.decode(row["figures"]),
        response=_answer(row, detail),
        request_hash=row["request_hash"],
    )


def _as_uuid(estimate_id: uuid.UUID | str) -> uuid.UUID:
    if isinstance(estimate_id, uuid.UUID):
        return estimate_id
    try:
        return uuid.UUID(str(estimate_id))
    except ValueError:
        raise NotFound(f"no estimate {str(estimate_id)[:40]!r}") from None


async def find_estimate(conn: asyncpg.Connection | asyncpg.Pool, estimate_id: uuid.UUID | str, *,
                        with_benefits: bool = False, detail: frozenset[str] | None = None) -> StoredEstimate | None:
    row = await conn.fetchrow((_SELECT_WITH_BENEFITS if with_benefits else _SELECT) + " WHERE id = $1",
                              _as_uuid(estimate_id))
    return None if row is None else _from_row(row, with_benefits=with_benefits, detail=detail)


async def load_estimate(pool_or_conn: asyncpg.Connection | asyncpg.Pool, estimate_id: uuid.UUID | str, *,
                        with_benefits: bool = False, detail: frozenset[str] | None = None) -> StoredEstimate:
    """The stored estimate (request, response, rates, created_at, patient fields); 404 problem if none.

    The benefits are read only ``with_benefits`` (re-running the engine needs them; answering, a payment plan or a
    Good Faith Estimate does not): from a 1 MB 271 they are megabytes that would be sent by PostgreSQL and decoded
    on the event loop for every read. ``detail`` (``response_detail.DETAILS``; None: all) names the per-day rows and
    payment schedules the caller will send: the others are left out of ``response``. Does not write an audit row:
    the caller does, with its own caller and action.
    """
    found = await find_estimate(pool_or_conn, estimate_id, with_benefits=with_benefits, detail=detail)
    if found is None:
        raise NotFound(f"no estimate {estimate_id}")
    return found


#: An estimate's answer read with its audit row (or the 'not_found' row), in one statement that sets the organization
#: itself (migrations 0972, 0973).
_READ_AUDITED = "SELECT * FROM read_estimate_audited($1, $2, $3, $4, $5, $6, $7)"


async def read_answer_audited(pool: asyncpg.Pool, estimate_id: uuid.UUID, *, caller: Caller | None,
                              request_id: str | None, detail: frozenset[str] | None = None) -> EstimateResponse | None:
    """The estimate's answer as it was given (None: no estimate of this id in the organization this work acts for),
    its read audited - a miss as ``not_found`` - and committed before this returns; ``detail`` as
    :func:`load_estimate` takes it."""
    actor, role, action, audit_request_id, reason = audit_params(caller, "estimate.read", request_id)
    async with pool.acquire() as conn:
        rows = await conn.fetch_setting_its_own(_READ_AUDITED, current_organization(), estimate_id, actor, role, action,
                                                audit_request_id, reason)
    return _answer(rows[0], detail) if rows else None


#: Estimates with their audit rows, stored in batches (``read_batches.py``): the estimates of concurrent requests in
#: one statement and one commit (migration 0996). Arrays, one element per estimate: $1 the organizations, then 0991's
#: arguments (the json copies as text, the version ids as an array literal); a row (n, stored) per estimate.
_INSERT_AUDITED = f"SELECT n, stored FROM insert_estimates_audited({', '.join(f'${i}' for i in range(1, 25))})"
#: Estimates per statement at most: an estimate from a posted 271 carries megabytes of benefits.
_MOST_PER_BATCH = 16

#: id(pool) -> (the pool, its batches of estimate inserts)
_WRITES: dict[int, tuple[asyncpg.Pool, ReadBatches]] = {}


def estimate_writes(pool: asyncpg.Pool) -> ReadBatches:
    """The batches ``pool``'s estimates are stored in (a closed pool's are dropped when the next pool is first seen)."""
    return kept_for_pool(_WRITES, pool, lambda: ReadBatches(pool, _INSERT_AUDITED, max_batch=_MOST_PER_BATCH))


def _text(value: Any) -> str:
    return _json(value).decode()


async def insert_estimate(
    pool: asyncpg.Pool,
    *,
    estimate_id: uuid.UUID,
    created_at: dt.datetime,
    caller: Caller | None,
    request_id: str | None,
    patient_key: str | None,
    request: EstimateRequest,
    benefits_source: str,
    eligibility_check_id: uuid.UUID | None,
    as_of: dt.date,
    benefits: NormalizedBenefits | None,
    rates: StoredRateTable,
    figures: Mapping[str, Any],
    response: EstimateResponse,
    inputs_generation: int,
    packed_days: Sequence[PackedDays] | None = None,
) -> bool:
    """Store an estimate with its audit row (``estimate.create``), both committed when this returns, for the
    organization this work acts for; with ``packed_days`` its levels' per-day rows are kept packed (``response``
    then has none). ``inputs_generation`` is the reference data's generation its inputs were read at
    (``estimate_inputs.py``): nothing is stored, and False returned, when the reference data has changed since.

    Sent with the estimates other requests are storing meanwhile, in one statement and one commit (migration 0996):
    this returns once that commit is done; an estimate the database refuses fails alone. Cancelled (the request
    timed out) before it was sent, it is not stored; once sent, this waits for the commit (``ReadBatches.write``)."""
    if inputs_generation is None:
        raise ValueError("an estimate is stored only checked against the generation of the rows it was priced from")
    patient = request.patient
    request_json = _json(request)
    actor, role, _action, audit_request_id, reason = audit_params(caller, "estimate.create", request_id)
    row = await estimate_writes(pool).write(
        estimate_id, created_at, actor, patient_key, patient.first_name if patient else None,
        patient.last_name if patient else None, patient.date_of_birth if patient else None, benefits_source,
        eligibility_check_id, as_of, request_json.decode(), None if benefits is None else _text(benefits),
        _rates_json(rates).decode(), "{" + ",".join(str(v) for v in rates.version_ids) + "}", _text(dict(figures)),
        _text(response), _hash_of(request_json, as_of), None if packed_days is None else _text(list(packed_days)),
        actor, role, audit_request_id, reason, inputs_generation)
    if row is None:  # pragma: no cover - the function answers every estimate of its batch
        raise RuntimeError(f"no answer for estimate {estimate_id} from its batch")
    return bool(row["stored"])
