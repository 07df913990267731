"""Choosing the network from the payer-contract registry (service/pricing/network.py)."""

import datetime as dt

from contracts.benefits import Network
from service.pricing.network import ContractTerms, NetworkChoice, choose_network

ON = dt.date(2026, 3, 2)


def _c(key: str, version: int, *, plan=None, network="CHOICE PLUS", in_network=True, start="2026-01-01", end=None,
       payer="SBPPO"):
    return ContractTerms(contract_key=key, version=version, payer_id=payer, payer_name="SANDBOX PPO",
                         network_name=network, in_network=in_network, effective_from=dt.date.fromisoformat(start),
                         effective_to=dt.date.fromisoformat(end) if end else None, plan_code=plan)


def _choose(contracts, plan_codes=(None,), any_in_force=True) -> NetworkChoice:
    return choose_network(contracts, payer_id="SBPPO", payer_name="SANDBOX PPO", plan_codes=plan_codes, on=ON,
                          any_in_force=any_in_force)


def test_payer_wide_contract_puts_the_payer_in_network_and_says_through_which():
    choice = _choose([_c("A", 1)])
    assert choice.network is Network.IN
    assert choice.basis == "in network with SANDBOX PPO through CHOICE PLUS"


def test_latest_version_in_force_wins_and_a_later_one_does_not_count_yet():
    left = [_c("A", 1), _c("A", 2, in_network=False, start="2026-02-01"), _c("A", 3, start="2026-06-01")]
    choice = _choose(left)
    assert choice.network is Network.OUT and choice.contract.version == 2


def test_plan_specific_contract_beats_the_payer_wide_one():
    contracts = [_c("A", 1), _c("B", 1, plan="GOLD PPO 1500", in_network=False)]
    assert _choose(contracts, plan_codes=(None, "gold ppo  1500")).network is Network.OUT
    assert _choose(contracts, plan_codes=(None, "SILVER PPO 2000")).network is Network.IN


def test_no_contract_for_the_payer_is_out_of_network_and_none_loaded_is_assumed_in():
    other = [_c("X", 1, payer="OTHER")]
    choice = _choose(other)
    assert choice.network is Network.OUT
    assert choice.basis == "out of network: no contract with SANDBOX PPO on file for 2026-03-02"
    nothing = _choose([], any_in_force=False)
    assert nothing.network is Network.IN and nothing.assumed


def test_choice_round_trips_for_reproduction():
    choice = _choose([_c("A", 1, end="2027-01-01")])
    assert NetworkChoice.from_dict(choice.to_dict()) == choice


def test_unknown_out_of_network_deductible_is_a_range_never_zero():
    from pricing_support import D, CourseOfCare, Level, commercial, level_benefits, one

    lb = level_benefits(network=Network.OUT, coinsurance_percent=D(40))
    est = one(commercial(lb), CourseOfCare(level=Level.IOP), network="out")
    # OON allowed 250.00, balance bill (400.00 - 250.00) x 24 = 3600.00, no OOP maximum reported.
    # low (no deductible): 24 x 40% x 250.00 = 2400.00 + 3600.00 = 6000.00
    # high (deductible covers every allowed amount): 24 x 250.00 = 6000.00 + 3600.00 = 9600.00
    # no in-network deductible to assume from: the quote is the high end
    assert (est.patient_pays_range.low, est.patient_pays_range.high) == (D("6000.00"), D("9600.00"))
    assert est.totals.patient_pays == D("9600.00")
    assert any("the out-of-network deductible was not reported: ask the payer" in w for w in est.warnings)
