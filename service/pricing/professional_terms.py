"""The plan's terms for a practitioner's visit billed apart from the facility. Pure.

In order: what intake entered (``NormalizedBenefits.professional``, the setting's own entry before an
"any" entry), else the 271's rows for the professional service types of the setting - during a stay
CE (mental health provider - inpatient) then 99 (professional visit - inpatient); in a day program
CF (mental health provider - outpatient), A0 (professional visit - outpatient), then 98 (professional
visit - office) - a copay (EB01 B) and/or a coinsurance (EB01 A) on the network's rows. None when
neither says anything: the caller then leaves the visits out of the total and says so, rather than
guessing terms that change the money.
"""

from __future__ import annotations

from decimal import Decimal

from contracts.benefits import BenefitRow, Level, Network, NormalizedBenefits, ProfessionalCostShare
from service.eligibility.rows_json import rows_of

#: Professional service types by setting, most specific first.
PROFESSIONAL_STCS = {"inpatient": ("CE", "99"), "outpatient": ("CF", "A0", "98")}


def setting_of(level: Level) -> str:
    return "inpatient" if level is Level.INPATIENT else "outpatient"


def _row_applies(row: BenefitRow, network: Network) -> bool:
    return row.network in (network, Network.BOTH, Network.UNKNOWN)


def _first(rows: list[BenefitRow], code: str, attr: str) -> Decimal | None:
    values = [getattr(r, attr) for r in rows if r.code == code and getattr(r, attr) is not None]
    return values[0] if values else None


def professional_terms(benefits: NormalizedBenefits, level: Level, network: Network) -> ProfessionalCostShare | None:
    """The terms for the level's practitioner visits on ``network`` (IN or OUT), or None when not known."""
    setting = setting_of(level)
    net = "out" if network is Network.OUT else "in"
    stated = [p for p in benefits.professional if p.network == net and p.setting in (setting, "any")]
    if stated:
        return min(stated, key=lambda p: p.setting != setting)
    all_rows = rows_of(benefits)  # a stored check keeps its rows as JSON
    for stc in PROFESSIONAL_STCS[setting]:
        rows = [r for r in all_rows if stc in r.service_type_codes and _row_applies(r, network)]
        copay = _first(rows, "B", "amount")
        coinsurance = _first(rows, "A", "percent")
        if copay is not None or coinsurance is not None:
            return ProfessionalCostShare(network=net, setting=setting, copay=copay, coinsurance_percent=coinsurance,
                                         source=f"271 EB on service type {stc}")
    return None
