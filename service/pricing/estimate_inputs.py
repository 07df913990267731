"""What an estimate reads from PostgreSQL before it prices, in one statement (migration 0970's ``estimate_inputs``).

The payer's contracts in force (for the network), the fee-schedule versions in force and those the request or the
payer's contracts may pin (for the rates), and the organization's sliding-fee schedule and payment-plan rules in force
on the first day of the course (for affordability): one round trip instead of a transaction of five, the database
function setting the organization for its own body (as the audited check reads of migration 0952 do). The rules
choosing what is in force are migration 0970's functions, which the single reads (``selfpay/store.py``) call too; the
rate table and the affordability policy are built by the same code as theirs (:func:`.schedules.rate_table_of`,
:func:`.selfpay.store.affordability_config_of`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from service.db.tenant import DEFAULT_ORGANIZATION, current_organization
from service.pricing.contracts_registry import contract_terms
from service.pricing.network import ContractTerms
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

    def pinned_kind(self, label: str) -> str | None:
        """The kind of the version named ``label`` (None: no such version)."""
        found = self.by_label.get(label)
        return None if found is None else found["kind"]

    def rate_table(self, pinned: Mapping[str, str] | None) -> StoredRateTable:
        """The rates in force on the course's first day, with the versions ``pinned`` (kind -> label) instead."""
        chosen = dict(self.in_force)
        for kind, label in (pinned or {}).items():
            if label in self.by_label:
                chosen[kind] = self.by_label[label]
        return rate_table_of(chosen, self.rows, payer_id=self.payer_id, plan_code=self.plan_code, on=self.on)

    def config_on(self, day: dt.date) -> Mapping[str, Any] | None:
        """:attr:`config` if it is in force on ``day`` too, else None (read it for that day)."""
        through = self.config["config_through"]
        return self.config if self.on <= day and (through is None or day <= through) else None


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
        rows=rows, organization_id=organization_id, config=row)
