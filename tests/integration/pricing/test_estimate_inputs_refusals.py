"""A refusal made from a kept reading (estimate_inputs.py) is never one the current reference data would not make:
before the reading was kept, every estimate read the rows in force, so a version imported since (by any process)
priced at once. A kept reading that lacks it is read again before the estimate is refused."""

from __future__ import annotations

import pytest

from tests.integration.pricing.helpers import estimate_body, ppo_manual, totals

pytestmark = pytest.mark.integration


def test_a_version_imported_after_a_refusal_prices_the_next_estimate(client, headers) -> None:
    manual = {**ppo_manual(), "payer_id": "PINNEDLATE"}
    body = {**estimate_body(manual=manual, levels=["iop"]), "rate_table_version": "pinned-late-2026"}
    refused = client.post("/v1/estimates", json=body, headers=headers["intake"])
    assert refused.status_code == 422, refused.text  # no such version yet: refused, naming the field
    assert refused.json()["errors"][0]["field"] == "$.rate_table_version"

    # Imported as any process could (this app's reading is not told), then the same estimate again.
    imported = client.post("/v1/admin/fee-schedules", headers=headers["admin"], json={
        "kind": "contract", "payer_id": "PINNEDLATE", "effective_from": "2026-01-01", "version": "pinned-late-2026",
        "rows": [{"level": "iop", "revenue_code": "0905", "hcpcs": "S9480", "contracted_in_network_per_day": "200"}]})
    assert imported.status_code == 201, imported.text

    made = client.post("/v1/estimates", json=body, headers=headers["intake"])
    assert made.status_code == 201, made.text
    assert imported.json()["id"] in made.json()["rate_version_ids"]
    # 200.00/day (as test_estimate_inputs_reused.py): days 1-7 deductible 7 x 200.00 = 1400.00; day 8 deductible
    # 100.00 + 20% x 100.00 = 20.00; days 9-24: 16 x 40.00 = 640.00 -> 1400.00 + 120.00 + 640.00 = 2160.00
    assert totals(made.json()) == {"iop": "2160.00"}
