"""Fee schedules: a provider's chargemaster, payer contracts, Medicare and Medicaid rates, versioned.

A version is immutable once created and takes effect from ``effective_from`` (until
``effective_to``, exclusive, or until a later version supersedes it). Rows are per level of care
and per service day. Amounts are two-decimal strings (a JSON number is accepted on input).
Which money columns a kind fills:

* chargemaster: ``gross_charge_per_day`` and ``self_pay_per_day`` (both required)
* contract: ``contracted_in_network_per_day``, ``contracted_out_of_network_allowed_per_day``
* medicare: ``medicare_per_diem_3_services``, ``medicare_per_diem_4plus_services``, ``medicare_inpatient_per_diem``
* medicaid: ``medicaid_per_day`` (required)
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from contracts.money import Money

FeeScheduleKind = Literal["chargemaster", "contract", "medicare", "medicaid"]


class FeeScheduleRowIn(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One level's rates. ``level``, codes and amounts are checked together and every problem is reported."""

    level: str | None = None  # iop | php | inpatient
    revenue_code: str | None = None  # 4 digits, e.g. 0905
    hcpcs: str | None = None  # 5 characters, e.g. S9480 (none for inpatient room and board)
    gross_charge_per_day: Money | None = None
    self_pay_per_day: Money | None = None
    contracted_in_network_per_day: Money | None = None
    contracted_out_of_network_allowed_per_day: Money | None = None
    medicare_per_diem_3_services: Money | None = None
    medicare_per_diem_4plus_services: Money | None = None
    medicare_inpatient_per_diem: Money | None = None
    medicaid_per_day: Money | None = None
    basis: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class FeeScheduleImport(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    kind: FeeScheduleKind
    effective_from: dt.date
    effective_to: dt.date | None = None
    #: A unique label; omitted = generated from kind, payer, plan and date.
    version: Annotated[str, msgspec.Meta(min_length=1, max_length=120)] | None = None
    payer_id: Annotated[str, msgspec.Meta(min_length=1, max_length=80)] | None = None
    plan_code: Annotated[str, msgspec.Meta(min_length=1, max_length=80)] | None = None
    basis: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    rows: Annotated[list[FeeScheduleRowIn], msgspec.Meta(max_length=50)]
    #: Validate only; store nothing.
    dry_run: bool = False


class FeeScheduleRow(msgspec.Struct, kw_only=True, frozen=True):
    level: str
    revenue_code: str
    hcpcs: str | None = None
    gross_charge_per_day: Money | None = None
    self_pay_per_day: Money | None = None
    contracted_in_network_per_day: Money | None = None
    contracted_out_of_network_allowed_per_day: Money | None = None
    medicare_per_diem_3_services: Money | None = None
    medicare_per_diem_4plus_services: Money | None = None
    medicare_inpatient_per_diem: Money | None = None
    medicaid_per_day: Money | None = None
    basis: str | None = None


class FeeScheduleVersion(msgspec.Struct, kw_only=True, frozen=True):
    id: str | None  # None for a dry run
    version: str
    kind: FeeScheduleKind
    payer_id: str | None = None
    plan_code: str | None = None
    effective_from: dt.date
    effective_to: dt.date | None = None
    basis: str | None = None
    #: True for the shipped DEMO values: load the provider's own rates.
    demo: bool = False
    created_at: dt.datetime | None = None
    created_by: str | None = None
    dry_run: bool = False
    rows: list[FeeScheduleRow] = []


class FeeScheduleList(msgspec.Struct, kw_only=True, frozen=True):
    versions: list[FeeScheduleVersion]


__all__ = ["FeeScheduleImport", "FeeScheduleKind", "FeeScheduleList", "FeeScheduleRow", "FeeScheduleRowIn",
           "FeeScheduleVersion"]
