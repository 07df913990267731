"""Reference data changed twice while one estimate was being made (each time right after the estimate read its
inputs, as another process could change it): the estimate is stored once, with one audit row, priced from the
rates in force after the second change - never from the first or second reading."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest

from service.pricing import estimate_inputs
from service.pricing.schedules import VersionHeader, import_fee_schedule
from tests.integration.pricing.helpers import estimate_body, ppo_manual, totals

pytestmark = pytest.mark.integration

PAYER = "TWICEPPO"


def _contract(version: str, per_day: str) -> tuple[VersionHeader, list[dict[str, Any]]]:
    return (VersionHeader(version=version, kind="contract", payer_id=PAYER, effective_from=dt.date(2026, 1, 1)),
            [{"level": "iop", "revenue_code": "0905", "hcpcs": "S9480", "contracted_in_network_per_day": per_day}])


def test_an_estimate_during_two_rate_changes_is_priced_from_the_last(client, headers, db, database_url,
                                                                        monkeypatch) -> None:
    first = client.post("/v1/admin/fee-schedules", headers=headers["admin"], json={
        "kind": "contract", "payer_id": PAYER, "effective_from": "2026-01-01", "version": "twice-300",
        "rows": [{"level": "iop", "revenue_code": "0905", "hcpcs": "S9480", "contracted_in_network_per_day": "300"}]})
    assert first.status_code == 201, first.text
    changes = [_contract("twice-250", "250"), _contract("twice-150", "150")]
    imported: list[str] = []
    read = estimate_inputs.read_estimate_inputs

    async def read_then_change(pool: Any, **kwargs: Any) -> Any:
        reading = await read(pool, **kwargs)
        if changes:  # another process imports a version right after this reading
            conn = await asyncpg.connect(database_url)
            try:
                header, rows = changes.pop(0)
                imported.append(str((await import_fee_schedule(conn, header, rows, created_by="test")).id))
            finally:
                await conn.close()
        return reading

    monkeypatch.setattr(estimate_inputs, "read_estimate_inputs", read_then_change)
    body = estimate_body(manual={**ppo_manual(), "payer_id": PAYER}, levels=["iop"])
    estimates_before = db.fetchval("SELECT count(*) FROM estimates")

    made = client.post("/v1/estimates", json=body, headers=headers["intake"])
    assert made.status_code == 201, made.text
    assert len(imported) == 2  # both changes happened while the estimate was made
    # 150.00/day (twice-150): days 1-10 deductible 10 x 150.00 = 1500.00; days 11-24: 14 x 20% x 150.00
    # = 14 x 30.00 = 420.00 -> 1920.00 (from twice-300: 2640.00; twice-250: 6 x 250 + 18 x 50 = 2400.00)
    assert totals(made.json()) == {"iop": "1920.00"}
    assert imported[1] in made.json()["rate_version_ids"], made.json()["rate_version_ids"]
    assert db.fetchval("SELECT count(*) FROM estimates") == estimates_before + 1
    audited = db.fetch("SELECT action, resource_id FROM audit_log WHERE request_id = $1", made.headers["x-request-id"])
    assert [(r["action"], r["resource_id"]) for r in audited] == [("estimate.create", made.json()["estimate_id"])]
    stored = client.get(f"/v1/estimates/{made.json()['estimate_id']}", headers=headers["intake"])
    assert stored.status_code == 200 and totals(stored.json()) == {"iop": "1920.00"}, stored.text

    again = client.post("/v1/estimates", json=body, headers=headers["intake"])  # nothing changed since
    assert again.status_code == 201 and totals(again.json()) == {"iop": "1920.00"}, again.text
