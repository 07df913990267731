"""Fee schedules in PostgreSQL: versioned, immutable, effective-dated; import validation; lookup.

Four kinds of version, each filling its own columns of a per-level row:

* ``chargemaster``  - the provider's gross charge and self-pay rate (never payer-specific);
* ``contract``      - a payer's (or plan's) contracted in-network rate and out-of-network allowed amount;
                      ``payer_id`` NULL = the default contract for payers without their own;
* ``medicare``      - Medicare per diems (OPPS IOP/PHP, the facility's IPF per diem);
* ``medicaid``      - the Medicaid per-day rate (``payer_id`` = a state/plan, NULL = default).

:func:`rate_table_of` composes the versions chosen into one :class:`service.pricing.rates.RateTable`
(a :class:`StoredRateTable` that also carries the version ids); an estimate reads the versions in force
on its date (migration 0970's ``fee_schedule_versions_in_force``) with its other inputs in one statement
(``estimate_inputs.py``). Versions never change (a trigger refuses UPDATE/DELETE): a new version
supersedes an old one by its effective date. Among versions in force, a plan's own beats its payer's,
which beats the default, then a provider's own beats the demo, then the latest ``effective_from``, then
the latest created.

The demo table (``demo_rates.json``, labelled DEMO with its basis) is seeded on first use.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

import asyncpg

from contracts.benefits import Level
from service.errors import FieldError, NotFound, ProblemError, Unprocessable
from service.pricing.rates import LevelRates, RateTable, RatesMissing

KINDS = ("chargemaster", "contract", "medicare", "medicaid")
MONEY_COLUMNS = (
    "gross_charge_per_day", "self_pay_per_day", "contracted_in_network_per_day",
    "contracted_out_of_network_allowed_per_day", "medicare_per_diem_3_services",
    "medicare_per_diem_4plus_services", "medicare_inpatient_per_diem", "medicaid_per_day",
)
#: kind -> (money columns it may fill, of which required)
KIND_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "chargemaster": (("gross_charge_per_day", "self_pay_per_day"), ("gross_charge_per_day", "self_pay_per_day")),
    "contract": (("contracted_in_network_per_day", "contracted_out_of_network_allowed_per_day"), ()),
    "medicare": (("medicare_per_diem_3_services", "medicare_per_diem_4plus_services", "medicare_inpatient_per_diem"),
                 ()),
    "medicaid": (("medicaid_per_day",), ("medicaid_per_day",)),
}
CODE_COLUMNS = ("level", "revenue_code", "hcpcs", "basis")
ALL_COLUMNS = CODE_COLUMNS + MONEY_COLUMNS
DEMO_CREATED_BY = "seed:demo_rates.json"
_DEMO_NAMESPACE = uuid.UUID("6f1d1f3e-9d7a-4c55-9b3e-2f0c5a9e0200")


class FeeScheduleInvalid(Unprocessable):
    slug, title = "fee-schedule-invalid", "The fee schedule has invalid rows; nothing was stored"


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One problem in an import: the row (1-based, or the file line for CSV), the column and why."""

    row: int
    column: str
    reason: str

    def text(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason}"


@dataclass(frozen=True, slots=True)
class FeeRow:
    level: Level
    revenue_code: str
    hcpcs: str | None
    amounts: Mapping[str, Decimal | None]
    basis: str | None = None


@dataclass(frozen=True, slots=True)
class VersionHeader:
    version: str
    kind: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    payer_id: str | None = None
    plan_code: str | None = None
    basis: str | None = None
    demo: bool = False


@dataclass(frozen=True, slots=True)
class StoredVersion:
    id: uuid.UUID
    header: VersionHeader
    created_at: dt.datetime
    created_by: str
    rows: tuple[FeeRow, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredRateTable(RateTable):
    """A composed :class:`RateTable` plus the fee-schedule version ids (and labels by kind) it came from."""

    version_ids: tuple[str, ...] = ()
    versions_by_kind: Mapping[str, str] = field(default_factory=dict)


# --- validation -------------------------------------------------------------------------------


def _money(value: Any, row: int, column: str, issues: list[RowIssue]) -> Decimal | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, bool):
        issues.append(RowIssue(row, column, "must be an amount such as 300.00"))
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if isinstance(value, str) else Decimal(str(value))
    except InvalidOperation:
        issues.append(RowIssue(row, column, f"{str(value)[:30]!r} is not an amount (write e.g. 300.00)"))
        return None
    if not amount.is_finite():
        issues.append(RowIssue(row, column, "must be a finite amount"))
        return None
    if amount < 0:
        issues.append(RowIssue(row, column, "must not be negative"))
        return None
    if amount >= Decimal("10000000000"):
        issues.append(RowIssue(row, column, "is too large for a per-day rate"))
        return None
    if amount != amount.quantize(Decimal("0.01")):
        issues.append(RowIssue(row, column, f"{value} has more than 2 decimal places (cents)"))
        return None
    return amount.quantize(Decimal("0.01"))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def validate_rows(kind: str, raw_rows: Sequence[Mapping[str, Any]], *, row_numbers: Sequence[int] | None = None,
                  header_issues: Iterable[RowIssue] = ()) -> list[FeeRow]:
    """Check every row; raise :class:`FeeScheduleInvalid` listing all problems, else the rows.

    ``row_numbers`` gives the number to report for each row (CSV: the file line); default 1, 2, ...
    """
    issues: list[RowIssue] = list(header_issues)
    if kind not in KINDS:
        issues.append(RowIssue(0, "kind", f"must be one of {', '.join(KINDS)}"))
        raise _invalid(issues)
    allowed, required = KIND_COLUMNS[kind]
    rows: list[FeeRow] = []
    seen: dict[str, int] = {}
    if not raw_rows:
        issues.append(RowIssue(0, "rows", "no rows: give one row per level of care (iop, php, inpatient)"))
    for index, raw in enumerate(raw_rows):
        n = row_numbers[index] if row_numbers is not None else index + 1
        unknown = [k for k in raw if k not in ALL_COLUMNS]
        for column in unknown:
            issues.append(RowIssue(n, str(column), f"unknown column (known: {', '.join(ALL_COLUMNS)})"))
        level_text = (_text(raw.get("level")) or "").lower()
        level: Level | None = None
        if not level_text:
            issues.append(RowIssue(n, "level", "missing: one of iop, php, inpatient"))
        else:
            try:
                level = Level(level_text)
            except ValueError:
                issues.append(RowIssue(n, "level", f"{level_text[:20]!r} is not one of iop, php, inpatient"))
        if level is not None:
            if level.value in seen:
                issues.append(RowIssue(n, "level", f"a second row for {level.value} (first on row {seen[level.value]})"))
            else:
                seen[level.value] = n
        revenue = _text(raw.get("revenue_code"))
        if revenue is None:
            issues.append(RowIssue(n, "revenue_code", "missing: a 4-digit UB-04 revenue code such as 0905"))
        elif not (len(revenue) == 4 and revenue.isascii() and revenue.isdigit()):
            issues.append(RowIssue(n, "revenue_code", f"{revenue[:20]!r} is not a 4-digit revenue code (e.g. 0905)"))
        hcpcs = _text(raw.get("hcpcs"))
        if hcpcs is not None:
            hcpcs = hcpcs.upper()
            if not (len(hcpcs) == 5 and hcpcs.isascii() and hcpcs.isalnum()):
                issues.append(RowIssue(n, "hcpcs", f"{hcpcs[:20]!r} is not a 5-character HCPCS code (e.g. S9480)"))
        amounts: dict[str, Decimal | None] = {}
        for column in MONEY_COLUMNS:
            value = raw.get(column)
            present = not (value is None or (isinstance(value, str) and value.strip() == ""))
            if present and column not in allowed:
                issues.append(RowIssue(n, column, f"not part of a {kind} fee schedule (its columns: {', '.join(allowed)})"))
                continue
            amount = _money(value, n, column, issues)
            if column in required and not present:
                issues.append(RowIssue(n, column, f"missing: required in a {kind} fee schedule"))
            amounts[column] = amount
        if kind in ("contract", "medicare") and not any(raw.get(c) not in (None, "") for c in allowed):
            issues.append(RowIssue(n, allowed[0], f"no amount: a {kind} row needs at least one of {', '.join(allowed)}"))
        basis = _text(raw.get("basis"))
        if level is not None and revenue is not None:
            rows.append(FeeRow(level=level, revenue_code=revenue, hcpcs=hcpcs, amounts=amounts, basis=basis))
    if issues:
        raise _invalid(issues)
    return rows


def _invalid(issues: list[RowIssue]) -> FeeScheduleInvalid:
    shown = issues[:200]
    more = f" (and {len(issues) - len(shown)} more)" if len(issues) > len(shown) else ""
    return FeeScheduleInvalid(
        f"{len(issues)} problem(s){more}: " + "; ".join(i.text() for i in shown[:5]) + ("; ..." if len(shown) > 5 else ""),
        errors=[FieldError(field=f"$.rows[{i.row - 1}].{i.column}" if i.row > 0 else f"$.{i.column}", reason=i.text())
                for i in shown],
    )


def validate_header(header: VersionHeader) -> list[RowIssue]:
    issues = []
    if header.kind not in KINDS:
        issues.append(RowIssue(0, "kind", f"must be one of {', '.join(KINDS)}"))
    if header.kind == "chargemaster" and (header.payer_id or header.plan_code):
        issues.append(RowIssue(0, "payer_id", "a chargemaster is the provider's own: it has no payer or plan"))
    if header.plan_code and not header.payer_id:
        issues.append(RowIssue(0, "plan_code", "a plan code needs the payer_id it belongs to"))
    if header.effective_to is not None and header.effective_to <= header.effective_from:
        issues.append(RowIssue(0, "effective_to", "must be after effective_from"))
    if not header.version or len(header.version) > 120:
        issues.append(RowIssue(0, "version", "must be 1-120 characters"))
    return issues


def rows_from_csv(text: str) -> tuple[list[dict[str, Any]], list[int]]:
    """CSV with a header row -> (rows as dicts, file line of each row)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None:
        return [], []
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    rows, lines = [], []
    for record in reader:
        if not any((v or "").strip() for k, v in record.items() if k is not None):
            continue  # blank line
        extra = record.pop(None, None)  # type: ignore[call-overload]
        row = {k: v for k, v in record.items()}
        if extra:
            row["(extra cells)"] = extra
        rows.append(row)
        lines.append(reader.line_num)
    return rows, lines


def rows_from_json(text: str) -> list[dict[str, Any]]:
    """A JSON list of rows, ``{"rows": [...]}``, or the demo file's ``{"levels": {"iop": {...}}}`` shape."""
    data = json.loads(text, parse_float=Decimal)
    if isinstance(data, dict) and "rows" in data:
        data = data["rows"]
    elif isinstance(data, dict) and "levels" in data:
        data = [{"level": k, **v} for k, v in data["levels"].items()]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise FeeScheduleInvalid("a JSON fee schedule is a list of row objects (or {\"rows\": [...]})",
                                 errors=[FieldError(field="$", reason="expected a list of row objects")])
    return data


# --- storage ------------------------------------------------------------------------------------


_VERSION_COLUMNS = "id, version, kind, payer_id, plan_code, effective_from, effective_to, basis, demo, created_at, created_by"


def _header_of(row: Mapping[str, Any]) -> VersionHeader:
    return VersionHeader(version=row["version"], kind=row["kind"], effective_from=row["effective_from"],
                         effective_to=row["effective_to"], payer_id=row["payer_id"], plan_code=row["plan_code"],
                         basis=row["basis"], demo=row["demo"])


def _fee_row_of(row: Mapping[str, Any]) -> FeeRow:
    return FeeRow(level=Level(row["level"]), revenue_code=row["revenue_code"], hcpcs=row["hcpcs"],
                  amounts={c: row[c] for c in MONEY_COLUMNS}, basis=row["basis"])


async def create_version(conn: asyncpg.Connection, header: VersionHeader, rows: Sequence[FeeRow], *,
                         created_by: str, version_id: uuid.UUID | None = None) -> StoredVersion:
    """Store a new version and its rows in one transaction. 409 if the version label exists."""
    vid = version_id or uuid.uuid4()
    async with conn.transaction():
        try:
            created = await conn.fetchrow(
                f"""INSERT INTO fee_schedule_versions (id, version, kind, payer_id, plan_code, effective_from,
                                                       effective_to, basis, demo, created_by)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {_VERSION_COLUMNS}""",
                vid, header.version, header.kind, header.payer_id, header.plan_code, header.effective_from,
                header.effective_to, header.basis, header.demo, created_by)
        except asyncpg.UniqueViolationError:
            raise ProblemError(f"a fee-schedule version named {header.version!r} already exists; versions never "
                               "change - import under a new name", status=409, slug="conflict",
                               title="Conflicts with the current state", field="$.version") from None
        await conn.executemany(
            f"""INSERT INTO fee_schedule_rows (version_id, level, revenue_code, hcpcs, {', '.join(MONEY_COLUMNS)}, basis)
                VALUES ($1, $2, $3, $4, {', '.join(f'${i}' for i in range(5, 5 + len(MONEY_COLUMNS)))}, ${5 + len(MONEY_COLUMNS)})""",
            [(vid, r.level.value, r.revenue_code, r.hcpcs, *(r.amounts.get(c) for c in MONEY_COLUMNS), r.basis)
             for r in rows])
    return StoredVersion(id=vid, header=_header_of(created), created_at=created["created_at"],
                         created_by=created["created_by"], rows=tuple(rows))


async def list_versions(conn: asyncpg.Connection | asyncpg.Pool, *, kind: str | None = None,
                        payer_id: str | None = None) -> list[StoredVersion]:
    await seed_demo_rates(conn)
    rows = await conn.fetch(
        f"""SELECT {_VERSION_COLUMNS} FROM fee_schedule_versions
            WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR payer_id = $2)
            ORDER BY kind, payer_id NULLS FIRST, plan_code NULLS FIRST, effective_from DESC, created_at DESC""",
        kind, payer_id)
    return [StoredVersion(id=r["id"], header=_header_of(r), created_at=r["created_at"], created_by=r["created_by"])
            for r in rows]


async def get_version(conn: asyncpg.Connection | asyncpg.Pool, version_id: uuid.UUID) -> StoredVersion:
    found = await conn.fetchrow(f"SELECT {_VERSION_COLUMNS} FROM fee_schedule_versions WHERE id = $1", version_id)
    if found is None:
        raise NotFound(f"no fee-schedule version {version_id}")
    rows = await conn.fetch("SELECT * FROM fee_schedule_rows WHERE version_id = $1 ORDER BY array_position("
                            "ARRAY['iop','php','inpatient'], level)", version_id)
    return StoredVersion(id=found["id"], header=_header_of(found), created_at=found["created_at"],
                         created_by=found["created_by"], rows=tuple(_fee_row_of(r) for r in rows))


# --- the demo table -----------------------------------------------------------------------------


def demo_versions() -> list[tuple[uuid.UUID, VersionHeader, list[FeeRow]]]:
    """demo_rates.json split into one version per kind, with deterministic ids (seeding is idempotent)."""
    data = json.loads(resources.files("service.pricing").joinpath("demo_rates.json").read_text("utf-8"),
                      parse_float=Decimal)
    label = data["version"]
    effective = dt.date.fromisoformat(data["effective_date"])
    found = []
    for kind in KINDS:
        allowed, _required = KIND_COLUMNS[kind]
        rows = []
        for key, raw in data["levels"].items():
            amounts = {c: (Decimal(str(raw[c])) if raw.get(c) is not None and c in allowed else None)
                       for c in MONEY_COLUMNS}
            rows.append(FeeRow(level=Level(key), revenue_code=raw["revenue_code"], hcpcs=raw.get("hcpcs"),
                               amounts=amounts, basis=f"DEMO value, basis: {raw.get('basis', '')}"))
        version = f"{label}-{kind}"
        header = VersionHeader(version=version, kind=kind, effective_from=effective, demo=True,
                               basis=f"DEMO values ({label}): {data.get('DEMO', '')} Load the provider's own "
                                     f"{kind} rates with `benefits-estimator fees import`.")
        found.append((uuid.uuid5(_DEMO_NAMESPACE, version), header, rows))
    return found


_seeded: set[int] = set()


async def seed_demo_rates(conn: asyncpg.Connection | asyncpg.Pool) -> None:
    """Insert the demo versions unless present (safe to call concurrently and repeatedly)."""
    key = id(conn) if isinstance(conn, asyncpg.Pool) else None
    if key is not None and key in _seeded:
        return
    for vid, header, rows in demo_versions():
        async def insert(c: asyncpg.Connection, vid=vid, header=header, rows=rows) -> None:
            async with c.transaction():
                inserted = await c.fetchval(
                    """INSERT INTO fee_schedule_versions (id, version, kind, effective_from, basis, demo, created_by)
                       VALUES ($1, $2, $3, $4, $5, true, $6) ON CONFLICT DO NOTHING RETURNING id""",
                    vid, header.version, header.kind, header.effective_from, header.basis, DEMO_CREATED_BY)
                if inserted is not None:
                    await c.executemany(
                        f"""INSERT INTO fee_schedule_rows (version_id, level, revenue_code, hcpcs,
                                {', '.join(MONEY_COLUMNS)}, basis)
                            VALUES ($1, $2, $3, $4, {', '.join(f'${i}' for i in range(5, 5 + len(MONEY_COLUMNS)))},
                                    ${5 + len(MONEY_COLUMNS)}) ON CONFLICT DO NOTHING""",
                        [(vid, r.level.value, r.revenue_code, r.hcpcs, *(r.amounts[c] for c in MONEY_COLUMNS), r.basis)
                         for r in rows])
        if isinstance(conn, asyncpg.Pool):
            async with conn.acquire() as c:
                await insert(c)
        else:
            await insert(conn)
    if key is not None:
        _seeded.add(key)


# --- lookup -------------------------------------------------------------------------------------


def rate_table_of(chosen: Mapping[str, Mapping[str, Any]], by_version: Mapping[Any, Mapping[str, Mapping[str, Any]]],
                  *, payer_id: str | None, plan_code: str | None, on: dt.date) -> StoredRateTable:
    """The rate table of the versions ``chosen`` per kind (rows of ``fee_schedule_versions``), whose rows
    ``by_version`` holds (version id -> level -> row of ``fee_schedule_rows``). 422 without a chargemaster."""
    if "chargemaster" not in chosen:
        raise RatesMissing(f"no chargemaster in force on {on.isoformat()}: import one with "
                           "`benefits-estimator fees import FILE --kind chargemaster`", field="$.start_date")
    ids = [chosen[k]["id"] for k in KINDS if k in chosen]
    levels: dict[Level, LevelRates] = {}
    charge_rows = by_version.get(chosen["chargemaster"]["id"], {})
    for level in Level:
        base = charge_rows.get(level.value)
        if base is None:
            continue
        values: dict[str, Decimal | None] = {"gross_charge_per_day": base["gross_charge_per_day"],
                                             "self_pay_per_day": base["self_pay_per_day"]}
        for kind in ("contract", "medicare", "medicaid"):
            if kind in chosen:
                other = by_version.get(chosen[kind]["id"], {}).get(level.value)
                for column in KIND_COLUMNS[kind][0]:
                    values[column] = other[column] if other is not None else None
        levels[level] = LevelRates(level=level, revenue_code=base["revenue_code"], hcpcs=base["hcpcs"],
                                   **values)  # type: ignore[arg-type]
    labels = [chosen[k]["version"] for k in KINDS if k in chosen]
    return StoredRateTable(
        version=" + ".join(labels), effective_date=max(chosen[k]["effective_from"] for k in chosen), levels=levels,
        payer_id=payer_id, plan_code=plan_code, demo=any(chosen[k]["demo"] for k in chosen),
        demo_kinds=frozenset(k for k in chosen if chosen[k]["demo"]),
        basis="; ".join(f"{k}: {chosen[k]['version']}" for k in KINDS if k in chosen),
        version_ids=tuple(str(i) for i in ids), versions_by_kind={k: chosen[k]["version"] for k in chosen},
    )


# --- a copy of a rate table, for an estimate ----------------------------------------------------


def rate_table_to_dict(table: RateTable) -> dict[str, Any]:
    """The shape :func:`service.pricing.rates.rate_table_from_dict` reads (amounts as strings)."""
    def money(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    out: dict[str, Any] = {
        "version": table.version, "effective_date": table.effective_date.isoformat(), "demo": table.demo,
        "demo_kinds": sorted(table.demo_kinds),
        "basis": table.basis, "payer_id": table.payer_id, "plan_code": table.plan_code, "levels": {},
    }
    if isinstance(table, StoredRateTable):
        out["version_ids"] = list(table.version_ids)
        out["versions_by_kind"] = dict(table.versions_by_kind)
    for level, rates in table.levels.items():
        out["levels"][level.value] = {
            "revenue_code": rates.revenue_code, "hcpcs": rates.hcpcs,
            **{c: money(getattr(rates, c)) for c in MONEY_COLUMNS},
        }
    return out


def stored_rate_table_from_dict(data: Mapping[str, Any]) -> StoredRateTable:
    from service.pricing.rates import rate_table_from_dict  # noqa: PLC0415

    base = rate_table_from_dict(data)
    return StoredRateTable(version=base.version, effective_date=base.effective_date, levels=base.levels,
                           payer_id=base.payer_id, plan_code=base.plan_code, demo=base.demo, basis=base.basis,
                           demo_kinds=base.demo_kinds,
                           version_ids=tuple(data.get("version_ids") or ()),
                           versions_by_kind=dict(data.get("versions_by_kind") or {}))


# --- import (CLI and REST share this) -----------------------------------------------------------


def default_label(kind: str, payer_id: str | None, plan_code: str | None, effective_from: dt.date) -> str:
    parts = [kind, payer_id, plan_code, effective_from.isoformat(), uuid.uuid4().hex[:6]]
    return "-".join(p for p in parts if p)


async def import_fee_schedule(conn: asyncpg.Connection, header: VersionHeader, raw_rows: Sequence[Mapping[str, Any]],
                              *, created_by: str, row_numbers: Sequence[int] | None = None,
                              dry_run: bool = False) -> StoredVersion:
    """Validate every row (all problems at once, nothing stored if any) and store a new version."""
    rows = validate_rows(header.kind, raw_rows, row_numbers=row_numbers, header_issues=validate_header(header))
    if dry_run:
        return StoredVersion(id=uuid.UUID(int=0), header=header, created_at=dt.datetime.now(dt.UTC),
                             created_by=created_by, rows=tuple(rows))
    return await create_version(conn, header, rows, created_by=created_by)


def version_to_wire(version: StoredVersion, *, dry_run: bool = False) -> Any:
    from contracts.fee_schedules import FeeScheduleRow, FeeScheduleVersion  # noqa: PLC0415

    h = version.header
    return FeeScheduleVersion(
        id=None if dry_run else str(version.id), version=h.version, kind=h.kind, payer_id=h.payer_id,  # type: ignore[arg-type]
        plan_code=h.plan_code, effective_from=h.effective_from, effective_to=h.effective_to, basis=h.basis,
        demo=h.demo, created_at=None if dry_run else version.created_at,
        created_by=None if dry_run else version.created_by, dry_run=dry_run,
        rows=[FeeScheduleRow(level=r.level.value, revenue_code=r.revenue_code, hcpcs=r.hcpcs, basis=r.basis,
                             **{c: r.amounts.get(c) for c in MONEY_COLUMNS}) for r in version.rows],
    )
