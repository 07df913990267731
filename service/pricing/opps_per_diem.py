"""Medicare's payment for one IOP or PHP day under OPPS (CY2024+). Pure.

The APC is chosen by the number of qualifying services that day - 3, or 4 or more - and by the
provider type: hospital outpatient department (APCs 5861-5864) or community mental health
center (5851-5854); see medicare.json ``opps_per_diem``. A day with fewer than 3 services is not
a per-diem day (refused in ``course.check_medicare_program_hours``).

Which payment is used, in order:
1. the facility's own Medicare per diem for that APC tier, from its Medicare fee schedule (what
   its MAC pays it, already wage-adjusted);
2. else the APC's national unadjusted rate for the calendar year of the day, wage-adjusted:
   rate x (labor-related share x wage index + (1 - labor-related share)), with the provider's
   wage index from the setting ``MEDICARE_OPPS_WAGE_INDEX`` (unset: 1.0000, assumed and said);
3. else refused: the year's national rates are marked "to be imported" (Addendum A) and the
   facility has no per diem on file - the answer says what to load.

When the course does not state ``services_per_day``, one qualifying service per treatment hour
is assumed (3 hours = 3 services) and said.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contracts.benefits import Level
from contracts.estimate import FacilityType
from service.money import cents, format_usd
from service.pricing.course import ServiceDay
from service.pricing.engine import Notes
from service.pricing.program_figures import OppsPerDiem
from service.pricing.rates import LevelRates, RatesMissing

SETTINGS = ("hospital_outpatient", "cmhc")
SETTING_WORDS = {"hospital_outpatient": "hospital outpatient department", "cmhc": "community mental health center"}
NATIONAL_WAGE_INDEX = Decimal("1.0000")


@dataclass(frozen=True, slots=True)
class MedicareOutpatient:
    """The provider's Medicare outpatient facts (settings ``MEDICARE_OUTPATIENT_SETTING``, ``MEDICARE_OPPS_WAGE_INDEX``)."""

    setting: str = "hospital_outpatient"  # "hospital_outpatient" | "cmhc"
    wage_index: Decimal | None = None

    def for_facility(self, facility_type: FacilityType | None) -> str:
        """The request's facility type, when it names an outpatient setting, wins over the provider's setting."""
        if facility_type is FacilityType.CMHC:
            return "cmhc"
        if facility_type is FacilityType.HOSPITAL_OUTPATIENT:
            return "hospital_outpatient"
        return self.setting

    def to_dict(self) -> dict[str, Any]:
        return {"setting": self.setting, "wage_index": None if self.wage_index is None else str(self.wage_index)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> MedicareOutpatient:
        if not data:
            return cls()
        wage = data.get("wage_index")
        return cls(setting=data.get("setting") or "hospital_outpatient",
                   wage_index=None if wage is None else Decimal(str(wage)))


def services_of(day: ServiceDay) -> int:
    """Qualifying services that day: as planned, else one per whole treatment hour."""
    return day.services if day.services is not None else int(day.hours)


def outpatient_per_diem(level: Level, day: ServiceDay, rates: LevelRates, opps: OppsPerDiem,
                        outpatient: MedicareOutpatient, facility_type: FacilityType | None,
                        notes: Notes) -> tuple[Decimal, str]:
    """(Medicare payment for the day, words naming the APC and how the amount was found)."""
    services = services_of(day)
    if day.services is None:
        notes.assume(f"qualifying services a day not given: one service per treatment hour assumed "
                     f"({day.hours.normalize():f} hours = {services} services)")
    setting = outpatient.for_facility(facility_type)
    apc = opps.apc(setting, level.value, services)
    four_plus = services >= opps.four_or_more_from
    tier = "4 or more services" if four_plus else "3 services"
    own = rates.medicare_per_diem_4plus_services if four_plus else rates.medicare_per_diem_3_services
    if own is not None:
        return own, f"a day of {tier}, APC {apc}, the facility's Medicare rate"
    year = day.date.year
    national = opps.national_rates.get(year, {}).get(apc)
    if national is None:
        raise RatesMissing(
            f"no Medicare per diem for APC {apc} ({level.value.upper()}, {tier}, {SETTING_WORDS[setting]}) on "
            f"{day.date.isoformat()}: the CY{year} national rate is to be imported from the OPPS Addendum A "
            f"({opps.sources.get(year, 'that year’s OPPS final rule')}) into medicare.json, or load the facility's "
            "Medicare per diems as a fee schedule of kind medicare", field="rate_table_version")
    wage_index = outpatient.wage_index
    if wage_index is None:
        wage_index = NATIONAL_WAGE_INDEX
        notes.assume("the provider's OPPS wage index is not set (MEDICARE_OPPS_WAGE_INDEX): 1.0000, the national "
                     "average, was used")
    share = opps.labor_related_share
    adjusted = cents(national * (share * wage_index + (1 - share)))
    return adjusted, (f"a day of {tier}, APC {apc} for a {SETTING_WORDS[setting]}: CY{year} national "
                      f"{format_usd(national)} with its {share * 100:.0f}% labor share wage-adjusted by index "
                      f"{wage_index:.4f}")


