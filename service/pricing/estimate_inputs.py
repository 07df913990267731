"""What an estimate reads from PostgreSQL before it prices, in one statement (migration 0970's ``estimate_inputs``).

The payer's contracts in force (for the network), the fee-schedule versions in force and those the request or the
payer's contracts may pin (for the rates), and the organization's sliding-fee schedule and payment-plan rules in force
on the first day of the course (for affordability): one round trip instead of a transaction of five, the database
function setting the organization for its own body (as the audited check reads of migration 0952 do). The rules
choosing what is in force are migration 0970's functions, which the single reads (``selfpay/store.py``) call too; the
rate table and the affordability policy are built by the same code as theirs (:func:`.schedules.rate_table_of`,
:func:`.selfpay.store.affordability_config_of`).

What is read is kept for the next estimates of the same pool (:class:`InputsCache`, migration 0991): the same
organization, payer, plan and pinned label, and a first service day in the window of days on which the same rows
are in force. Each reading carries the generation of the reference data it was read at; the estimate's insert
stores nothing when that generation is no longer the current one (any write to the contracts, fee schedules or
affordability rules moves it on, in any process), and the estimate is then priced again from a fresh reading
(``service.create_estimate``). So an estimate is never stored from rows that had changed before it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from service.db.tenant import DEFAULT_ORGANIZATION, current_organization
from service.pricing.contracts_registry import contract_terms
from service.pricing.network import ContractTerms
from service.pricing.pool_state import kept_for_pool
from service.pricing.schedules import StoredRateTable, rate_table_of

_READ = "SELECT * FROM estimate_inputs($1, $2, $3, $4, $5, $6)"


@dataclass(frozen=True, slots=True)
class EstimateInputs:
    on: dt.date
    payer_id: str | None
    plan_code: str | None
    any_contract_in_force: bool
    contracts: list[ContractTerms]
    #: kind -> the version in force (a row of fee_schedule_versions)
    in_force: dict[str, Mapping[str, Any]]
    #: label -> a version the request or a contract in force names
    by_label: dict[str, Mapping[str, Any]]
    #: version id -> level -> its row of fee_schedule_rows
    rows: dict[Any, dict[str, Mapping[str, Any]]]
    organization_id: str
    #: The organization's sliding-fee schedule and payment-plan rules in force on ``on``, as
    #: :func:`.selfpay.store.affordability_config_of` takes them, and the last day they stay in force (None: for good).
    config: Mapping[str, Any]
    #: The generation of the reference data these rows were read at (migration 0991).
    generation: int | None = None
    #: The first service days [valid_from, valid_until) on which the same rows are in force (None: unbounded).
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    #: The rate tables built from these rows, by the versions pinned (shared by the reading's re-dated copies: a
    #: table depends on the rows alone).
    tables: dict[tuple[tuple[str, str], ...], StoredRateTable] = dataclasses.field(default_factory=dict)
    #: Served from the readings kept for the pool (read for an earlier estimate), not read for this one: a refusal
    #: priced from it is checked against a fresh reading (``service.create_estimate``).
    kept: bool = False

    def covers(self, day: dt.date) -> bool:
        """Whether a course starting on ``day`` reads these same rows."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_until is None
                                                                         or day < self.valid_until)

    def pinned_kind(self, label: str) -> str | None:
        """The kind of the version named ``label`` (None: no such version)."""
        found = self.by_label.get(label)
        return None if found is None else found["kind"]

    def rate_table(self, pinned: Mapping[str, str] | None) -> StoredRateTable:
        """The rates in force on the course's first day, with the versions ``pinned`` (kind -> label) instead."""
        key = tuple(sorted(pinned.items())) if pinned else ()
        table = self.tables.get(key)
        if table is None:
            chosen = dict(self.in_force)
            for kind, label in (pinned or {}).items():
                if label in self.by_label:
                    chosen[kind] = self.by_label[label]
            table = self.tables[key] = rate_table_of(chosen, self.rows, payer_id=self.payer_id,
                                                     plan_code=self.plan_code, on=self.on)
        return table

    def config_on(self, day: dt.date) -> Mapping[str, Any] | None:
        """:attr:`config` if it is in force on ``day`` too, else None (read it for that day)."""
        through = self.config["config_through"]
        return self.config if self.on <= day and (through is None or day <= through) else None


_Key = tuple[str | None, str, str | None, str | None, str | None]


class InputsCache:
    """The readings of one pool, by organization, payer, plan and pinned label, a few windows of days each; the
    least recently used key goes first past ``max_keys``."""

    def __init__(self, *, max_keys: int = 256, windows_per_key: int = 4) -> None:
        self.max_keys = max_keys
        self.windows_per_key = windows_per_key
        self._entries: OrderedDict[_Key, list[EstimateInputs]] = OrderedDict()

    def get(self, key: _Key, on: dt.date) -> EstimateInputs | None:
        readings = self._entries.get(key)
        if readings is None:
            return None
        for reading in readings:
            if reading.covers(on):
                self._entries.move_to_end(key)
                return reading
        return None

    def put(self, key: _Key, reading: EstimateInputs) -> None:
        readings = [r for r in self._entries.pop(key, []) if r.generation == reading.generation]
        self._entries[key] = [reading, *readings][: self.windows_per_key]
        while len(self._entries) > self.max_keys:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


#: id(pool) -> (the pool, its readings); a closed pool's are dropped when the next pool is first seen.
_CACHES: dict[int, tuple[asyncpg.Pool, InputsCache]] = {}


def inputs_cache(pool: asyncpg.Pool) -> InputsCache:
    """The readings kept for ``pool`` (one database: they are never used with another)."""
    return kept_for_pool(_CACHES, pool, InputsCache)


async def estimate_inputs(pool: asyncpg.Pool, *, payer_id: str | None, plan_code: str | None, on: dt.date,
                          pinned_label: str | None, fresh: bool = False) -> EstimateInputs:
    """:func:`read_estimate_inputs`, from the readings kept for ``pool`` when one covers ``on`` (not ``fresh``)."""
    acting = current_organization()
    key = (acting, acting or DEFAULT_ORGANIZATION, payer_id, plan_code, pinned_label)
    cache = inputs_cache(pool)
    if not fresh:
        kept = cache.get(key, on)
        if kept is not None:
            return kept if kept.on == on else dataclasses.replace(kept, on=on)
    reading = await read_estimate_inputs(pool, payer_id=payer_id, plan_code=plan_code, on=on,
                                         pinned_label=pinned_label)
    cache.put(key, dataclasses.replace(reading, kept=True))  # the same tables: they depend on the rows alone
    return reading


async def read_estimate_inputs(pool: asyncpg.Pool, *, payer_id: str | None, plan_code: str | None, on: dt.date,
                               pinned_label: str | None) -> EstimateInputs:
    """Everything an estimate reads before pricing a course starting ``on``, for the organization this work acts for."""
    acting = current_organization()
    organization_id = acting or DEFAULT_ORGANIZATION
    async with pool.acquire() as conn:
        row = (await conn.fetch_setting_its_own(_READ, acting, organization_id, payer_id, plan_code, on,
                                                pinned_label))[0]
    rows: dict[Any, dict[str, Mapping[str, Any]]] = {}
    for rate_row in row["rate_rows"]:
        rows.setdefault(rate_row["version_id"], {})[rate_row["level"]] = rate_row
    return EstimateInputs(
        on=on, payer_id=payer_id, plan_code=plan_code, any_contract_in_force=row["any_contract_in_force"],
        contracts=[contract_terms(c) for c in row["contracts"]],
        in_force={v["kind"]: v for v in row["rates_in_force"]},
        by_label={v["version"]: v for v in row["pinned_versions"]},
        rows=rows, organization_id=organization_id, config=row, generation=row["generation"],
        valid_from=row["valid_from"], valid_until=row["valid_until"])
