"""The payer-contract registry over REST and the CLI, and the network estimates take from it.

Dates are in 2031 (contracts end 2032-01-01) so that the contracts these tests load are the only ones in force
on their dates: the test database is shared, and other tests price 2025-2027 with no contracts loaded (in network
assumed). Demo rates: IOP gross 400.00, contracted 300.00/day, no out-of-network allowed amount on file (the
in-network 300.00 is assumed, balance bill 100.00/day). IOP default course 24 days from Mon 2031-02-03.
"""

from __future__ import annotations

import asyncpg
import pytest

from service.cli import build_parser
from tests.integration.pricing.helpers import HEARD, totals

pytestmark = pytest.mark.integration


def _ppo(payer_id: str, payer_name: str) -> dict:
    return {"payer_name": payer_name, "payer_id": payer_id, "payer_class": "commercial",
            "insurance_type": "commercial_ppo", "active": True,
            "in_network": {"deductible_individual": {"total": "1500", "remaining": "1500"},
                           "oop_max_individual": {"total": "5000", "remaining": "5000"}, "coinsurance_percent": "20"},
            "out_of_network": {"oop_max_individual": {"total": "10000", "remaining": "10000"},
                               "coinsurance_percent": "40"},
            "heard_from": HEARD}


def _estimate(client, headers, manual: dict, start: str = "2031-02-03"):  # noqa: ANN001, ANN202
    made = client.post("/v1/estimates?include=explanation", headers=headers["intake"], json={
        "manual": manual, "levels": ["iop"], "as_of": "2031-01-27", "start_date": start})
    assert made.status_code == 201, made.text
    return made.json()


def _own_2031_rates(client, headers) -> None:  # noqa: ANN001
    """This test's own chargemaster and default contract for 2031 (other tests load later-dated versions that
    would otherwise be in force): IOP charge 400.00, self-pay 300.00, contracted 300.00, no out-of-network amount."""
    for body in ({"kind": "chargemaster", "rows": [{"level": "iop", "revenue_code": "0905", "hcpcs": "S9480",
                                                     "gross_charge_per_day": "400.00", "self_pay_per_day": "300.00"}]},
                 {"kind": "contract", "rows": [{"level": "iop", "revenue_code": "0905", "hcpcs": "S9480",
                                                "contracted_in_network_per_day": "300.00"}]}):
        made = client.post("/v1/admin/fee-schedules", headers=headers["admin"], json={
            **body, "effective_from": "2031-01-01", "effective_to": "2032-01-01",
            "version": f"payer-contract-test-{body['kind']}-2031"})
        assert made.status_code == 201, made.text


def test_network_follows_the_contracts_in_force(client, headers, db) -> None:  # noqa: ANN001
    _own_2031_rates(client, headers)
    added = client.post("/v1/admin/payer-contracts", headers=headers["admin"], json={
        "payer_id": "SBPPO", "payer_name": "SANDBOX PPO", "network_name": "CHOICE PLUS",
        "effective_from": "2031-01-01", "effective_to": "2032-01-01"})
    assert added.status_code == 201, added.text
    assert added.json()["version"] == 1 and added.json()["in_network"] is True
    assert client.post("/v1/admin/payer-contracts", headers=headers["intake"], json={}).status_code == 403
    assert client.get("/v1/admin/payer-contracts?payer_id=%00", headers=headers["admin"]).status_code == 400

    contracted = _estimate(client, headers, _ppo("SBPPO", "SANDBOX PPO"))
    iop = contracted["comparison"]["estimates"][0]
    # in network: deductible 5 x 300.00 = 1500.00; days 6-24: 19 x 20% x 300.00 = 1140.00 -> 2640.00
    assert (iop["network"], totals(contracted)["iop"]) == ("in", "2640.00")
    assert iop["network_basis"] == "in network with SANDBOX PPO through CHOICE PLUS"
    assert iop["explanation"][0]["text"] == "In network with SANDBOX PPO through CHOICE PLUS."

    other = _estimate(client, headers, _ppo("OTHERPPO", "OTHER PPO"))
    oon = other["comparison"]["estimates"][0]
    assert oon["network"] == "out"
    assert oon["network_basis"] == "out of network: no contract with OTHER PPO on file for 2031-02-03"
    # out of network, deductible not reported -> assumed the in-network 1500.00, none met:
    #   days 1-5 5 x 300.00 = 1500.00; days 6-24 19 x 40% x 300.00 = 19 x 120.00 = 2280.00; balance bill
    #   24 x (400.00 - 300.00) = 2400.00 -> 1500.00 + 2280.00 + 2400.00 = 6180.00
    # range: no deductible 24 x 120.00 + 2400.00 = 5280.00; deductible covering all 24 x 300.00 = 7200.00
    #   (under the 10000.00 OOP maximum) + 2400.00 = 9600.00
    assert totals(other)["iop"] == "6180.00"
    assert oon["patient_pays_range"]["low"] == "5280.00" and oon["patient_pays_range"]["high"] == "9600.00"
    assert "ask the payer" in oon["patient_pays_range"]["reason"]

    left = client.post("/v1/admin/payer-contracts", headers=headers["admin"], json={
        "payer_id": "SBPPO", "payer_name": "SANDBOX PPO", "network_name": "CHOICE PLUS", "in_network": False,
        "effective_from": "2031-07-01", "effective_to": "2032-01-01"})
    assert left.status_code == 201 and left.json()["version"] == 2
    later = _estimate(client, headers, _ppo("SBPPO", "SANDBOX PPO"), start="2031-07-07")
    assert later["comparison"]["estimates"][0]["network_basis"] == (
        "out of network: the provider is not contracted with SANDBOX PPO in CHOICE PLUS on 2031-07-07")
    # the estimate made before the change keeps its network
    again = client.get(f"/v1/estimates/{contracted['estimate_id']}", headers=headers["intake"]).json()
    assert again["comparison"]["estimates"][0]["network"] == "in"

    with pytest.raises(asyncpg.PostgresError):
        db.execute("UPDATE payer_contracts SET in_network = false WHERE id = $1::uuid", added.json()["id"])


def test_cli_adds_and_lists_contract_versions(client, settings, capsys) -> None:  # noqa: ANN001
    args = build_parser().parse_args(["contracts", "add", "--payer-id", "CLIPPO", "--payer-name", "CLI PPO",
                                      "--plan-code", "GOLD", "--network", "OPEN ACCESS",
                                      "--effective-from", "2031-01-01", "--effective-to", "2032-01-01"])
    assert args.handler(args, settings) == 0
    assert "CLIPPO|GOLD|OPEN ACCESS version 1: in network from 2031-01-01" in capsys.readouterr().out
    args = build_parser().parse_args(["contracts", "list", "--payer-id", "CLIPPO"])
    assert args.handler(args, settings) == 0
    assert "OPEN ACCESS" in capsys.readouterr().out


def _medicaid_mco(plan: str) -> dict:
    return {"payer_name": "STATE MEDICAID", "payer_id": "STMCO", "payer_class": "medicaid",
            "insurance_type": "medicaid_managed_care", "active": True, "in_network": {},
            "medicaid": {"cost_sharing_category": "at_or_below_100", "state": "OH", "managed_care_plan": plan},
            "heard_from": HEARD}


def test_a_medicaid_managed_care_plans_network_comes_from_the_contracts(client, headers) -> None:  # noqa: ANN001
    # The provider is contracted with one of the state's managed-care plans (plan_code = the plan's name) in 2031.
    added = client.post("/v1/admin/payer-contracts", headers=headers["admin"], json={
        "payer_id": "STMCO", "payer_name": "STATE MEDICAID", "plan_code": "SUNRISE HEALTH PLAN",
        "network_name": "SUNRISE MEDICAID", "effective_from": "2031-01-01", "effective_to": "2032-01-01"})
    assert added.status_code == 201, added.text
    inside = _estimate(client, headers, _medicaid_mco("SUNRISE HEALTH PLAN"))["comparison"]["estimates"][0]
    assert any("in network with STATE MEDICAID (SUNRISE HEALTH PLAN) through SUNRISE MEDICAID" in a
               for a in inside["assumptions"]), inside["assumptions"]
    outside = _estimate(client, headers, _medicaid_mco("MOONRISE CARE"))["comparison"]["estimates"][0]
    assert any("pays for care outside its network only with its prior approval" in w for w in outside["warnings"])
    # priced as if approved either way: 24 IOP days x $4.00 (at or below 100% FPL, 42 CFR 447.52(b)) = $96.00
    assert inside["totals"]["patient_pays"] == outside["totals"]["patient_pays"] == "96.00"
