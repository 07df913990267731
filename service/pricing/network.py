"""Which network an estimate prices a commercial or Medicare Advantage plan in, and why. Pure.

The provider's payer-contract registry (``contracts_registry.py``) lists the payers and plans it is
contracted with, by network and dates. The rule, for the payer and date of service:

1. Contracts in force on the date for this payer: for each contract key (payer, plan, network) the
   latest version whose dates hold the date. A plan-specific contract (its ``plan_code`` matches the
   request's plan code or the plan name the payer reported) beats a payer-wide one (``plan_code`` None).
2. The most specific contract decides: ``in_network`` True -> in network ("in network with SANDBOX
   PPO through CHOICE PLUS"), False (the provider left, or is not contracted for that plan) -> out of
   network, naming it.
3. No contract for the payer -> out of network, "no contract with <payer> on file".
4. No contract in force on that date for any payer (a provider that has not loaded its contracts)
   -> in network, stated as an assumption, as before the registry existed.

A caller may still ask for ``network: in | out | both`` explicitly; the estimate then says when the
request disagrees with the registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from contracts.benefits import Network


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """One version of a payer contract, as the registry holds it."""

    contract_key: str
    version: int
    payer_id: str
    payer_name: str
    network_name: str
    in_network: bool
    effective_from: dt.date
    effective_to: dt.date | None = None  # exclusive
    plan_code: str | None = None
    fee_schedule_version: str | None = None

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


@dataclass(frozen=True, slots=True)
class NetworkChoice:
    network: Network
    #: Words intake can read out: why this network.
    basis: str
    #: True when no contracts are loaded at all and in-network was assumed.
    assumed: bool = False
    contract: ContractTerms | None = None

    def to_dict(self) -> dict[str, object]:
        c = self.contract
        return {"network": self.network.value, "basis": self.basis, "assumed": self.assumed,
                "contract": None if c is None else {
                    "contract_key": c.contract_key, "version": c.version, "payer_id": c.payer_id,
                    "payer_name": c.payer_name, "network_name": c.network_name, "in_network": c.in_network,
                    "effective_from": c.effective_from.isoformat(),
                    "effective_to": c.effective_to.isoformat() if c.effective_to else None,
                    "plan_code": c.plan_code, "fee_schedule_version": c.fee_schedule_version}}

    @classmethod
    def from_dict(cls, data: dict | None) -> NetworkChoice | None:
        if not data:
            return None
        raw = data.get("contract")
        contract = None if raw is None else ContractTerms(
            contract_key=raw["contract_key"], version=raw["version"], payer_id=raw["payer_id"],
            payer_name=raw["payer_name"], network_name=raw["network_name"], in_network=raw["in_network"],
            effective_from=dt.date.fromisoformat(raw["effective_from"]),
            effective_to=dt.date.fromisoformat(raw["effective_to"]) if raw["effective_to"] else None,
            plan_code=raw["plan_code"], fee_schedule_version=raw["fee_schedule_version"])
        return cls(network=Network(data["network"]), basis=data["basis"], assumed=data["assumed"], contract=contract)


def _norm(text: str | None) -> str:
    return " ".join((text or "").upper().split())


def choose_network(contracts: Sequence[ContractTerms], *, payer_id: str | None, payer_name: str | None,
                   plan_codes: Sequence[str | None], on: dt.date, any_in_force: bool) -> NetworkChoice:
    """The network for ``payer_id`` on ``on`` (see the module docstring). ``contracts`` may hold other payers'
    and other dates' versions; ``any_in_force`` says whether any payer has a contract in force on ``on``."""
    payer_words = payer_name or payer_id or "this payer"
    if not any_in_force:
        return NetworkChoice(Network.IN, "no payer contracts are loaded for this date: in network assumed "
                                         "(load them with `benefits-estimator contracts add`)", assumed=True)
    latest: dict[str, ContractTerms] = {}
    for c in contracts:
        if c.payer_id == payer_id and c.in_force(on):
            held = latest.get(c.contract_key)
            if held is None or c.version > held.version:
                latest[c.contract_key] = c
    plans = {_norm(p) for p in plan_codes if p}
    specific = [c for c in latest.values() if c.plan_code is not None and _norm(c.plan_code) in plans]
    wide = [c for c in latest.values() if c.plan_code is None]
    for group in (specific, wide):
        if not group:
            continue
        group.sort(key=lambda c: (not c.in_network, c.network_name))
        chosen = group[0]
        name = chosen.payer_name or payer_words
        plan = f" ({chosen.plan_code})" if chosen.plan_code else ""
        if chosen.in_network:
            return NetworkChoice(Network.IN, f"in network with {name}{plan} through {chosen.network_name}",
                                 contract=chosen)
        return NetworkChoice(Network.OUT, f"out of network: the provider is not contracted with {name}{plan} in "
                                          f"{chosen.network_name} on {on.isoformat()}", contract=chosen)
    return NetworkChoice(Network.OUT, f"out of network: no contract with {payer_words} on file for {on.isoformat()}")
