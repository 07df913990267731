"""The payer-contract registry in PostgreSQL: add a version, list (an estimate reads the versions in force with its
other inputs in one statement: ``estimate_inputs.py``, migration 0970's ``payer_contracts_in_force``).

Versions never change (a trigger refuses UPDATE/DELETE); a new version of the same contract key
(payer, plan, network) takes over from its ``effective_from``. Numbering is per key under an advisory
lock, so two concurrent adds get 1 and 2, never the same number. The rule choosing a network from
these versions is pure, in ``service/pricing/network.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg

from contracts.payer_contracts import PayerContract, PayerContractIn
from service.errors import Unprocessable
from service.pricing.network import ContractTerms

_COLUMNS = ("id, contract_key, version, payer_id, payer_name, plan_code, network_name, in_network, effective_from, "
            "effective_to, fee_schedule_version, notes, created_at, created_by")


class ContractInvalid(Unprocessable):
    slug, title = "payer-contract-invalid", "The payer contract is not consistent"


def contract_key(payer_id: str, plan_code: str | None, network_name: str) -> str:
    return "|".join((payer_id.strip().upper(), (plan_code or "*").strip().upper(), network_name.strip().upper()))


def _wire(row: Mapping[str, Any]) -> PayerContract:
    return PayerContract(id=str(row["id"]), **{k: row[k] for k in _COLUMNS.split(", ") if k != "id"})


def contract_terms(row: Mapping[str, Any]) -> ContractTerms:
    """A ``payer_contracts`` row as the pure network rule takes it."""
    return ContractTerms(contract_key=row["contract_key"], version=row["version"], payer_id=row["payer_id"],
                         payer_name=row["payer_name"], network_name=row["network_name"],
                         in_network=row["in_network"], effective_from=row["effective_from"],
                         effective_to=row["effective_to"], plan_code=row["plan_code"],
                         fee_schedule_version=row["fee_schedule_version"])


async def add_contract(conn: asyncpg.Connection, data: PayerContractIn, *, created_by: str) -> PayerContract:
    """Store ``data`` as the next version of its contract key. 422 naming the field when inconsistent."""
    if data.effective_to is not None and data.effective_to <= data.effective_from:
        raise ContractInvalid("effective_to must be after effective_from", field="$.effective_to")
    key = contract_key(data.payer_id, data.plan_code, data.network_name)
    async with conn.transaction():
        if data.fee_schedule_version is not None:
            kind = await conn.fetchval("SELECT kind FROM fee_schedule_versions WHERE version = $1",
                                       data.fee_schedule_version)
            if kind != "contract":
                raise ContractInvalid(f"no contract fee-schedule version named {data.fee_schedule_version[:120]!r}",
                                      field="$.fee_schedule_version")
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('payer_contracts:' || $1))", key)
        version = await conn.fetchval("SELECT coalesce(max(version), 0) + 1 FROM payer_contracts "
                                      "WHERE contract_key = $1", key)
        row = await conn.fetchrow(
            f"""INSERT INTO payer_contracts (contract_key, version, payer_id, payer_name, plan_code, network_name,
                                             in_network, effective_from, effective_to, fee_schedule_version, notes,
                                             created_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {_COLUMNS}""",
            key, version, data.payer_id, data.payer_name, data.plan_code, data.network_name, data.in_network,
            data.effective_from, data.effective_to, data.fee_schedule_version, data.notes, created_by)
    return _wire(row)


async def list_contracts(conn: asyncpg.Connection | asyncpg.Pool, *, payer_id: str | None = None) -> list[PayerContract]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM payer_contracts WHERE ($1::text IS NULL OR payer_id = $1) "
                            "ORDER BY payer_id, contract_key, version", payer_id)
    return [_wire(r) for r in rows]
