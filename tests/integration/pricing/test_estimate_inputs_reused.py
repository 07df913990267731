"""What an estimate prices with is read once and reused (estimate_inputs.py, migration 0991): never after it changed,
never for a first service day on which other rows are in force."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from service.pricing import estimate_inputs, service
from tests.integration.pricing.helpers import estimate_body, ppo_manual, totals

pytestmark = pytest.mark.integration


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The first service days the inputs are read from PostgreSQL for, from now on."""
    days: list[Any] = []
    read = estimate_inputs.read_estimate_inputs

    async def counted(pool: Any, **kwargs: Any) -> Any:
        days.append(kwargs["on"])
        return await read(pool, **kwargs)

    monkeypatch.setattr(estimate_inputs, "read_estimate_inputs", counted)
    return days


def _inserts(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each estimate insert stored its estimate, from now on."""
    stored: list[bool] = []
    insert = service.insert_estimate

    async def recorded(pool: Any, **kwargs: Any) -> bool:
        stored.append(await insert(pool, **kwargs))
        return stored[-1]

    monkeypatch.setattr(service, "insert_estimate", recorded)
    return stored


def test_reused_inputs_that_changed_since_are_read_again_and_the_estimate_stored_once(
        client, headers, db, monkeypatch) -> None:
    reads, stored = _reads(monkeypatch), _inserts(monkeypatch)
    body = estimate_body(manual={**ppo_manual(), "payer_id": "REUSEDPPO"}, levels=["iop"])
    for _ in range(2):
        made = client.post("/v1/estimates", json=body, headers=headers["intake"])
        assert made.status_code == 201, made.text
        # demo contract 300.00/day: 5 x 300.00 deductible + 19 x 60.00 = 2640.00
        assert totals(made.json()) == {"iop": "2640.00"}
    assert (len(reads), stored) == (1, [True, True])  # the second estimate priced with the first one's reading

    # The payer's own contract rates, written as any process could: this app is not told.
    imported = client.post("/v1/admin/fee-schedules", headers=headers["admin"], json={
        "kind": "contract", "payer_id": "REUSEDPPO", "effective_from": "2026-01-01", "version": "reused-2026",
        "rows": [{"level": "iop", "revenue_code": "0905", "hcpcs": "S9480", "contracted_in_network_per_day": "200"}]})
    assert imported.status_code == 201, imported.text
    estimates_before = db.fetchval("SELECT count(*) FROM estimates")

    new = client.post("/v1/estimates", json=body, headers=headers["intake"])
    assert new.status_code == 201, new.text
    # new contract 200.00/day: days 1-7 deductible 7 x 200.00 = 1400.00; day 8 deductible 100.00 + 20% x 100.00
    # = 20.00; days 9-24: 16 x 40.00 = 640.00 -> 1400.00 + 120.00 + 640.00 = 2160.00
    assert totals(new.json()) == {"iop": "2160.00"}
    assert imported.json()["id"] in new.json()["rate_version_ids"]
    # priced with the kept reading, refused by the insert (the rates had changed), read again, priced, stored
    assert (len(reads), stored[2:]) == (2, [False, True])
    assert db.fetchval("SELECT count(*) FROM estimates") == estimates_before + 1
    audited = db.fetch("SELECT action, resource_id FROM audit_log WHERE request_id = $1",
                       new.headers["x-request-id"])
    assert [(r["action"], r["resource_id"]) for r in audited] == [("estimate.create", new.json()["estimate_id"])]


def test_a_reading_serves_the_first_service_days_on_which_the_same_rates_are_in_force(
        client, headers, monkeypatch) -> None:
    for version, start, per_day in (("window-jan", "2026-01-01", "200.00"), ("window-mar", "2026-03-01", "100.00")):
        imported = client.post("/v1/admin/fee-schedules", headers=headers["admin"], json={
            "kind": "contract", "payer_id": "WINDOWPPO", "effective_from": start, "version": version,
            "rows": [{"level": "iop", "revenue_code": "0905", "hcpcs": "S9480",
                      "contracted_in_network_per_day": per_day}]})
        assert imported.status_code == 201, imported.text
    reads = _reads(monkeypatch)
    manual = {**ppo_manual(), "payer_id": "WINDOWPPO"}

    def iop_total(start: str) -> tuple[str, str]:
        made = client.post("/v1/estimates", json={**estimate_body(manual=manual, levels=["iop"]), "start_date": start},
                           headers=headers["intake"])
        assert made.status_code == 201, made.text
        return totals(made.json())["iop"], made.json()["comparison"]["figures"]["rate_table_version"]

    # 200.00/day from Monday 2026-02-02 (24 days, 3 a week, all before March): 2160.00 as in the test above
    assert iop_total("2026-02-02")[0] == "2160.00"
    # from Monday 2026-03-02, 100.00/day: days 1-15 deductible 15 x 100.00 = 1500.00; days 16-24: 9 x 20% x 100.00
    # = 180.00 -> 1680.00
    total, version = iop_total("2026-03-02")
    assert (total, "window-mar" in version) == ("1680.00", True)
    # from Monday 2026-02-09, still the January rates (a course's rates are those in force on its first day)
    total, version = iop_total("2026-02-09")
    assert (total, "window-jan" in version) == ("2160.00", True)
    # read for the February course and the March course; the other February course reused the first reading
    assert [day.isoformat() for day in reads] == ["2026-02-02", "2026-03-02"]


def test_reference_data_changing_after_every_reading_is_a_503_and_nothing_is_stored(
        client, headers, db, database_url, monkeypatch) -> None:
    reads, stored = _reads(monkeypatch), _inserts(monkeypatch)
    read = estimate_inputs.read_estimate_inputs

    async def read_then_changed(pool: Any, **kwargs: Any) -> Any:
        reading = await read(pool, **kwargs)
        conn = await asyncpg.connect(database_url)  # another process's write to the rates, after this reading
        try:
            await conn.execute("UPDATE reference_data_generation SET generation = generation + 1")
        finally:
            await conn.close()
        return reading

    monkeypatch.setattr(estimate_inputs, "read_estimate_inputs", read_then_changed)
    body = estimate_body(manual={**ppo_manual(), "payer_id": "CHURNPPO"}, levels=["iop"])
    estimates_before = db.fetchval("SELECT count(*) FROM estimates")

    refused = client.post("/v1/estimates", json=body, headers=headers["intake"])

    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("/reference-data-changing") and refused.headers["retry-after"] == "1"
    # three readings (the first not kept: none was), each pricing's insert checked and refused: nothing stored
    assert (len(reads), stored) == (3, [False, False, False])
    assert db.fetchval("SELECT count(*) FROM estimates") == estimates_before
    assert db.fetch("SELECT action FROM audit_log WHERE request_id = $1", refused.headers["x-request-id"]) == []
