"""The reference data an estimate reads is kept for the next estimates (service/pricing/estimate_inputs.py): per
organization. Two organizations with their own sliding-fee schedules sending the very same self-pay estimate, one
after the other and back, each get their own schedule's discount, never the one the other's estimate read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

pytestmark = pytest.mark.integration

# $35,000 for a household of 3 in California: 2026 guideline for 3 is $27,320 -> 128.11 % of poverty, tier B
# (100-200 %) of both schedules below (test_selfpay_api.py's case)
BODY = {"self_pay": True, "as_of": "2026-03-02", "start_date": "2026-03-02", "levels": ["iop"],
        "household": {"size": 3, "annual_income": "35000", "state": "CA"}}


def _tiers(tier_b_pays: str) -> list[dict[str, Any]]:
    return [
        {"code": "A", "label": "full", "max_percent_fpl": "100", "kind": "nominal_per_day", "nominal_amount": "10.00"},
        {"code": "B", "label": "part", "max_percent_fpl": "200", "kind": "percent_of_charge",
         "patient_pays_percent": tier_b_pays},
        {"code": "C", "label": "full charge", "max_percent_fpl": None, "kind": "full_charge"},
    ]


def test_each_organization_prices_with_its_own_schedule_whichever_read_first(client, new_organization) -> None:
    organizations = []
    for pays in ("30", "70"):
        organization, keys = new_organization("kept")
        made = client.post("/v1/admin/sliding-fee-schedules", headers=keys["admin"], json={
            "name": f"tier B pays {pays} %", "effective_from": "2026-01-01", "tiers": _tiers(pays)})
        assert made.status_code == 201, made.text
        organizations.append((organization, keys, pays))

    def sliding_fee(keys: dict[str, dict[str, str]]) -> tuple[str, Any, Any]:
        made = client.post("/v1/estimates", json=BODY, headers=keys["intake"])
        assert made.status_code == 201, made.text
        section = made.json()["comparison"]["estimates"][0]["affordability"]
        fee = section["sliding_fee"]
        return section["organization_id"], fee["patient_pays_percent"], fee

    for organization, keys, pays in (*organizations, organizations[0]):  # the first again, after the second
        found, percent, fee = sliding_fee(keys)
        assert (found, percent, fee["tier_code"]) == (organization, pays, "B"), fee
        # tier B pays its percent of the gross charge: patient_amount = gross x percent / 100, to the cent
        assert Decimal(fee["patient_amount"]) == (Decimal(fee["gross_charge"]) * Decimal(pays) / 100).quantize(
            Decimal("0.01")), fee
