"""Rates the engine prices with: in-memory, per level, versioned. No tables, no I/O here.

A fee-schedule/chargemaster store (written later) builds a :class:`RateTable`; the engine
only reads it. All amounts are per service day (per diem).

Allowed amount by payer (see :func:`allowed_per_day`):
  Medicare -> the Medicare per diem (IOP/PHP: the APC for 3, or 4 or more, qualifying
  services that day - see ``opps_per_diem.py``; inpatient: the
  facility's IPF per diem, else the unadjusted IPF federal base rate of the fiscal year of
  the date of service, flagged); Medicaid -> the Medicaid rate; commercial in network ->
  the contracted rate; out of network -> the contracted out-of-network allowed amount if
  given, else ASSUMED equal to the in-network contracted rate (flagged "allowed amount
  estimated": plans often allow less, which raises the balance bill), else 100 % of the
  gross charge (flagged; then no balance bill is shown); self-pay -> the self-pay rate.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

from contracts.benefits import Level
from service.errors import Unprocessable


class RatesMissing(Unprocessable):
    slug, title = "rates-missing", "The rate table has no rate for this level of care or payer"


@dataclass(frozen=True, slots=True)
class LevelRates:
    level: Level
    revenue_code: str  # UB-04 revenue code: 0905 IOP, 0913 PHP, 0114 inpatient
    hcpcs: str | None  # S9480 IOP, S0201 PHP, None inpatient (room and board)
    gross_charge_per_day: Decimal  # chargemaster
    self_pay_per_day: Decimal
    contracted_in_network_per_day: Decimal | None = None
    contracted_out_of_network_allowed_per_day: Decimal | None = None
    medicare_per_diem_3_services: Decimal | None = None  # IOP / PHP (OPPS APC, 3 services a day)
    medicare_per_diem_4plus_services: Decimal | None = None  # IOP / PHP (4 or more services a day)
    medicare_inpatient_per_diem: Decimal | None = None  # inpatient: facility IPF per diem
    medicaid_per_day: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RateTable:
    version: str
    effective_date: dt.date
    levels: Mapping[Level, LevelRates]
    payer_id: str | None = None
    plan_code: str | None = None
    demo: bool = False
    basis: str | None = None
    #: Which kinds of figures (chargemaster, contract, medicare, medicaid) are DEMO values; empty with
    #: ``demo`` set = all of them (a table built from demo_rates.json, or stored before kinds were recorded).
    demo_kinds: frozenset[str] = frozenset()

    def is_demo(self, kind: str) -> bool:
        """Whether figures of this kind are DEMO values (so an estimate priced with them must say so)."""
        return self.demo and (not self.demo_kinds or kind in self.demo_kinds)

    def for_level(self, level: Level) -> LevelRates:
        found = self.levels.get(level)
        if found is None:
            raise RatesMissing(f"rate table {self.version} has no rates for {level.value}", field="rate_table_version")
        return found


def commercial_allowed(rates: LevelRates, out_of_network: bool) -> tuple[Decimal, str | None]:
    """(allowed per day, assumption or None) for a commercial plan."""
    if not out_of_network:
        if rates.contracted_in_network_per_day is None:
            return rates.gross_charge_per_day, (
                "allowed amount estimated: no contracted in-network rate on file, the gross charge was used")
        return rates.contracted_in_network_per_day, None
    if rates.contracted_out_of_network_allowed_per_day is not None:
        return rates.contracted_out_of_network_allowed_per_day, None
    if rates.contracted_in_network_per_day is not None:
        return rates.contracted_in_network_per_day, (
            "allowed amount estimated: the plan's out-of-network allowed amount is not known; assumed equal to the "
            "in-network contracted rate (plans often allow less, which would raise the balance bill)")
    return rates.gross_charge_per_day, (
        "allowed amount estimated: no out-of-network allowed amount on file; assumed 100% of the gross charge "
        "(so no balance bill is shown)")


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def rate_table_from_dict(data: Mapping[str, Any]) -> RateTable:
    """Build a table from plain data (the demo JSON's shape): amounts as strings."""
    levels = {}
    for key, raw in data["levels"].items():
        level = Level(key)
        levels[level] = LevelRates(
            level=level, revenue_code=raw["revenue_code"], hcpcs=raw.get("hcpcs"),
            gross_charge_per_day=Decimal(str(raw["gross_charge_per_day"])),
            self_pay_per_day=Decimal(str(raw["self_pay_per_day"])),
            contracted_in_network_per_day=_money(raw.get("contracted_in_network_per_day")),
            contracted_out_of_network_allowed_per_day=_money(raw.get("contracted_out_of_network_allowed_per_day")),
            medicare_per_diem_3_services=_money(raw.get("medicare_per_diem_3_services")),
            medicare_per_diem_4plus_services=_money(raw.get("medicare_per_diem_4plus_services")),
            medicare_inpatient_per_diem=_money(raw.get("medicare_inpatient_per_diem")),
            medicaid_per_day=_money(raw.get("medicaid_per_day")),
        )
    return RateTable(version=data["version"], effective_date=dt.date.fromisoformat(data["effective_date"]),
                     levels=levels, payer_id=data.get("payer_id"), plan_code=data.get("plan_code"),
                     demo=bool(data.get("demo")), basis=data.get("basis"),
                     demo_kinds=frozenset(data.get("demo_kinds") or ()))


@functools.cache
def load_demo_rates() -> RateTable:
    """The DEMO rate table (service/pricing/demo_rates.json). Never for a real patient's estimate."""
    text = resources.files(__package__).joinpath("demo_rates.json").read_text(encoding="utf-8")
    return rate_table_from_dict(json.loads(text))
