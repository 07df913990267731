"""Program days joined by telehealth: what pays for them, by payer class. Pure.

Rules and their sources are in ``service/reference/data/telehealth.json``:

* Original Medicare: a virtual IOP/PHP day is never the OPPS per diem (that pays for services at the
  hospital outpatient department or CMHC). A hospital bills it as remote mental health services by hospital
  staff (C7900 15-29 min, C7901 30-60 min, C7902 each further whole 15 minutes; OPPS, so each day's
  coinsurance is capped like any OPPS service); a CMHC cannot bill those hospital codes, so its
  practitioners bill their own telehealth services (group psychotherapy 90853, one session per hour of
  programming). Either way the Part B deductible, then 20 % coinsurance.
* Medicaid: a state setting says whether telehealth days are paid like in-person days; unknown -> priced
  as in person with a warning; not covered -> the self-pay rate.
* Commercial: the plan's telehealth cost sharing where it states one, else the in-person terms (said).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contracts.estimate import FacilityType, MedicareVirtualBilling
from service.errors import Unprocessable
from service.money import ZERO, cents, format_usd
from service.pricing.year_figures import for_year

MINUTES_PER_HOUR = 60


class VirtualBillingNotPossible(Unprocessable):
    slug, title = "virtual-billing-not-possible", "Virtual program days cannot be billed that way here"


@dataclass(frozen=True, slots=True)
class MedicareTelehealthYear:
    """One calendar year's payment amounts for program sessions joined from home."""

    year: int
    remote_15_29: Decimal  # C7900
    remote_30_60: Decimal  # C7901
    remote_each_15: Decimal  # C7902
    group_session: Decimal  # 90853
    demo: bool
    fallback: bool = False


@dataclass(frozen=True, slots=True)
class TelehealthFigures:
    medicare_years: dict[int, MedicareTelehealthYear]
    #: state -> True (paid like in person) / False (not covered); a state not listed is unknown
    medicaid_parity: dict[str, bool]

    def medicare_year(self, year: int) -> MedicareTelehealthYear:
        return for_year(self.medicare_years, year)


def _d(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def telehealth_figures_from_reference(data: dict[str, Any]) -> TelehealthFigures:
    remote = data["medicare"]["hospital_remote_services"]["calendar_years"]
    group = data["medicare"]["professional_telehealth"]["calendar_years"]
    years = {}
    for key, r in remote.items():
        g = group[key]
        years[int(key)] = MedicareTelehealthYear(
            year=int(key), remote_15_29=_d(r["C7900"]), remote_30_60=_d(r["C7901"]), remote_each_15=_d(r["C7902"]),
            group_session=_d(g["90853"]), demo="demo" in (r["status"], g["status"]))
    parity = {state: bool(v["parity"]) for state, v in data["medicaid"]["iop_telehealth_parity_by_state"].items()}
    return TelehealthFigures(medicare_years=years, medicaid_parity=parity)


def medicare_virtual_billing(requested: MedicareVirtualBilling | None,
                             facility: FacilityType | None) -> MedicareVirtualBilling:
    """How virtual days are billed to Original Medicare (see the module docstring); refuses the impossible."""
    if facility is FacilityType.CMHC:
        if requested is MedicareVirtualBilling.HOSPITAL_REMOTE_SERVICES:
            raise VirtualBillingNotPossible(
                "a community mental health center cannot bill Medicare's hospital remote mental health services "
                "(C7900-C7902); its practitioners bill professional telehealth services instead",
                field="$.medicare_virtual_billing")
        return MedicareVirtualBilling.PROFESSIONAL_TELEHEALTH
    return requested or MedicareVirtualBilling.HOSPITAL_REMOTE_SERVICES


@dataclass(frozen=True, slots=True)
class VirtualDayPrice:
    allowed: Decimal
    words: str  # what was billed, for the explanation
    opps: bool  # an OPPS service (its coinsurance is capped at the Part A deductible)


def medicare_virtual_day(hours: Decimal, figures: MedicareTelehealthYear,
                         billing: MedicareVirtualBilling) -> VirtualDayPrice:
    """Medicare's allowed amount for one virtual program day of ``hours``."""
    if billing is MedicareVirtualBilling.PROFESSIONAL_TELEHEALTH:
        sessions = int(hours)  # one group session per whole hour of programming
        allowed = cents(figures.group_session * sessions)
        return VirtualDayPrice(allowed=allowed, opps=False, words=(
            f"{sessions} group psychotherapy telehealth session{'s' if sessions != 1 else ''} (90853, "
            f"{format_usd(figures.group_session)} each) = {format_usd(allowed)}"))
    minutes = int(hours * MINUTES_PER_HOUR)
    if minutes < 15:
        return VirtualDayPrice(allowed=ZERO, opps=True, words="under 15 minutes: not a billable remote service")
    if minutes < 30:
        return VirtualDayPrice(allowed=cents(figures.remote_15_29), opps=True,
                               words=f"hospital remote mental health service C7900 = {format_usd(figures.remote_15_29)}")
    extra = max(minutes - MINUTES_PER_HOUR, 0) // 15
    allowed = cents(figures.remote_30_60 + figures.remote_each_15 * extra)
    words = f"hospital remote mental health services C7901 {format_usd(figures.remote_30_60)}"
    if extra:
        words += f" + {extra} x C7902 {format_usd(figures.remote_each_15)}"
    return VirtualDayPrice(allowed=allowed, opps=True, words=f"{words} = {format_usd(allowed)}")


def medicaid_parity(figures: TelehealthFigures | None, state: str | None) -> bool | None:
    """True: the state's Medicaid pays telehealth days like in person; False: not covered; None: not known."""
    if figures is None or not state:
        return None
    return figures.medicaid_parity.get(state.upper())
