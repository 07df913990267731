"""The provider's payer contracts: which payers and plans it is in network with, through which network, when.

A contract is identified by payer, plan (optional: all of the payer's plans) and network name. Each change is
a new immutable version (number 1, 2, ...): a version with ``in_network: false`` records that the provider left
the network (or is not contracted for that plan) from its ``effective_from``. Estimates take their network from
the versions in force on the date of service and say which they used.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class PayerContractIn(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    payer_id: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    payer_name: Name
    #: A plan or product of the payer (its plan code, or the plan name the payer reports); omitted = every plan.
    plan_code: Annotated[str, msgspec.Meta(min_length=1, max_length=80)] | None = None
    #: The network the provider is contracted through ("CHOICE PLUS").
    network_name: Name
    #: False = not (or no longer) in this network from ``effective_from``.
    in_network: bool = True
    effective_from: dt.date
    effective_to: dt.date | None = None  # exclusive
    #: Label of the ``contract`` fee-schedule version holding this contract's rates (optional; default: the
    #: payer's contract fee schedule in force).
    fee_schedule_version: Annotated[str, msgspec.Meta(min_length=1, max_length=120)] | None = None
    notes: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class PayerContract(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    contract_key: str
    version: int
    payer_id: str
    payer_name: str
    plan_code: str | None = None
    network_name: str
    in_network: bool
    effective_from: dt.date
    effective_to: dt.date | None = None
    fee_schedule_version: str | None = None
    notes: str | None = None
    created_at: dt.datetime
    created_by: str


class PayerContractList(msgspec.Struct, kw_only=True, frozen=True):
    contracts: list[PayerContract]


__all__ = ["PayerContract", "PayerContractIn", "PayerContractList"]
