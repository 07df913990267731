"""One level of care for a Medicaid member: band, exemption, 5 % cap basis, then ``medicaid.py``. Pure.

* Income band: the 271's cost-sharing category, else worked out from the household's income
  against the poverty guideline, else the highest band (so the estimate is not too low), said.
* Exemption from the date of birth, pregnancy and institutional status (``medicaid_exemptions.py``).
* The 5 % household cap (42 CFR 447.56(f)) needs monthly income. When income is not given but
  the band has an upper limit, the cap is worked out from income at the top of the band for the
  household's size (a household of 1 when the size is not given): the highest cap the band
  allows, so the estimate is not too low - said as an assumption.
* At or below 100 % of the poverty level the provider may not refuse care because cost sharing
  is unpaid (42 CFR 447.52(e)): said first in the explanation, for intake to read out.
* Managed care: the MCO's in-network terms are used and the plan is named. Its network is the payer-contract
  registry's (``network_choice``, as for commercial plans, matched on the plan's name): in network is said; out of
  it, the plan pays only with its prior approval (emergencies aside), which is warned and the days are priced as if
  approved; with no contracts loaded, in network is assumed and said.
* Inpatient in a freestanding psychiatric hospital: the IMD exclusion (``medicaid_imd.py``);
  days Medicaid cannot pay for are at the self-pay rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from contracts.benefits import InsuranceType, LevelBenefits, Network, NormalizedBenefits
from service.money import cents, format_usd
from service.pricing.course import ServiceDay
from service.pricing.engine import DayLine, Notes, self_pay_day
from service.pricing.medicaid import CATEGORY_TO_BAND, band_for_percent, price_medicaid
from service.pricing.medicaid_exemptions import MedicaidPerson, exemption_on
from service.pricing.medicaid_imd import MedicaidImdSettings, imd_excluded_days
from service.pricing.network import NetworkChoice
from service.pricing.program_figures import ProgramFigures
from service.pricing.rates import LevelRates, RatesMissing

#: the upper edge of each income band, percent of the poverty guideline (None = no upper edge)
BAND_TOP = {"<=100": Decimal(100), "101-150": Decimal(150), ">150": None}
NO_REFUSAL = ("At or below 100% of the poverty level, the provider may not refuse care because Medicaid copays "
              "are unpaid (42 CFR 447.52(e)); the copays can still be billed")


@dataclass(frozen=True, slots=True)
class MedicaidHousehold:
    size: int | None = None
    annual_income: Decimal | None = None
    monthly_income: Decimal | None = None
    state: str | None = None


@dataclass(frozen=True, slots=True)
class MedicaidLevelResult:
    lines: list[DayLine]
    basis: str
    poverty_year: int | None


def price_medicaid_level(days: Sequence[ServiceDay], *, inpatient: bool, rates: LevelRates,
                         benefits: NormalizedBenefits, level_benefits: LevelBenefits | None,
                         household: MedicaidHousehold, person: MedicaidPerson, cap_period: str,
                         figures: ProgramFigures, notes: Notes, freestanding_psychiatric: bool = False,
                         imd: MedicaidImdSettings = MedicaidImdSettings(),
                         network_choice: NetworkChoice | None = None) -> MedicaidLevelResult:
    if rates.medicaid_per_day is None:
        raise RatesMissing(f"no Medicaid rate for {rates.level.value}", field="rate_table_version")
    details = benefits.medicaid
    state = household.state or (details.state if details else None)
    first_day = days[0].date
    maxima = figures.medicaid.in_force(first_day)
    band = CATEGORY_TO_BAND.get(details.cost_sharing_category or "") if details else None
    person = MedicaidPerson(birth_date=person.birth_date, pregnant_or_postpartum=person.pregnant_or_postpartum,
                            institutionalized=person.institutionalized, stated_exempt=person.stated_exempt,
                            reported_exempt=bool(details and details.cost_sharing_category == "exempt"))
    exempt_on = exemption_on(person)
    annual = household.annual_income if household.annual_income is not None else (
        household.monthly_income * 12 if household.monthly_income is not None else None)
    poverty_year = None
    if band is None and annual is not None and household.size:
        percent, poverty_year = figures.poverty_percent(household_size=household.size, annual_income=annual,
                                                        state=state, on=first_day)
        band = band_for_percent(percent)
        notes.assume(f"household income is {percent.quantize(Decimal(1))}% of the {poverty_year} poverty guideline")
    always_exempt = all(exempt_on(d.date) is not None for d in days)
    if band is None and not always_exempt:
        band = ">150"
        notes.assume("Medicaid income band not known: the highest band (above 150% of the poverty level) was "
                     "assumed, so the estimate is not too low")
    band = band or ">150"
    monthly = household.monthly_income if household.monthly_income is not None else (
        household.annual_income / 12 if household.annual_income is not None else None)
    cap_words = None
    if monthly is None and BAND_TOP[band] is not None and not always_exempt:
        monthly, cap_words, poverty_year = top_of_band_income(band, household, state, first_day, figures)
    if details and details.managed_care_plan:
        _managed_care_network(details.managed_care_plan, network_choice, notes)
    excluded, excluded_words = (imd_excluded_days(
        days, freestanding_psychiatric=freestanding_psychiatric, birth_date=person.birth_date,
        managed_care=_managed_care(benefits), settings=imd, notes=notes) if inpatient else (set(), ""))
    self_pay = cents(rates.self_pay_per_day)
    not_paid = [self_pay_day(d, rates.gross_charge_per_day, self_pay, bucket="not_covered", kind="not_covered",
                             label=f"{excluded_words}: self-pay rate {format_usd(self_pay)} a day")
                for d in days if d.number in excluded]
    days = [d for d in days if d.number not in excluded]
    if not days:
        return MedicaidLevelResult(lines=not_paid, basis=maxima.label, poverty_year=poverty_year)
    lines = price_medicaid(days, allowed_per_day=rates.medicaid_per_day, gross_per_day=rates.gross_charge_per_day,
                           self_pay_per_day=rates.self_pay_per_day, inpatient=inpatient, benefits=level_benefits,
                           band=band, exempt_on=exempt_on, monthly_income=monthly, cap_period_name=cap_period,
                           maxima=maxima, notes=notes, cap_words=cap_words)
    if band == "<=100" and lines and not always_exempt:
        lines[0].events_before.insert(0, NO_REFUSAL)
    lines = sorted([*lines, *not_paid], key=lambda line: line.number)
    return MedicaidLevelResult(lines=lines, basis=maxima.label, poverty_year=poverty_year)


def _managed_care_network(plan: str, choice: NetworkChoice | None, notes: Notes) -> None:
    """Say which network of the managed-care plan the provider is in (the payer-contract registry's choice)."""
    if choice is None or choice.assumed:
        notes.assume(f"priced with the managed-care plan's in-network terms ({plan}); out of its network the plan "
                     "usually pays only with its approval" + (f" ({choice.basis})" if choice is not None else ""))
    elif choice.network is Network.IN:
        notes.assume(f"priced with the managed-care plan's in-network terms: {choice.basis}")
    else:
        notes.warn(f"{choice.basis}: a Medicaid managed-care plan ({plan}) pays for care outside its network only "
                   "with its prior approval (emergencies aside); ask the plan for approval before the first day. "
                   "Priced as if approved, with the Medicaid copay")


def _managed_care(benefits: NormalizedBenefits) -> bool:
    return benefits.insurance_type is InsuranceType.MEDICAID_MANAGED_CARE or bool(
        benefits.medicaid and benefits.medicaid.managed_care_plan)


def top_of_band_income(band: str, household: MedicaidHousehold, state: str | None, on: dt.date,
                       figures: ProgramFigures) -> tuple[Decimal, str, int]:
    """Monthly income at the top of ``band`` when the household's is not given (the highest 5 % cap the band
    allows), the words saying so, and the poverty guideline's year; the facility days and the practitioners'
    visits (``professional.py``) assume the same."""
    size = household.size or 1
    top = BAND_TOP[band]
    assert top is not None
    guideline, year = figures.poverty_guideline(household_size=size, state=state, on=on)
    annual = guideline * top / 100
    words = (f"household income not given: assumed at the top of the band, {top.normalize():f}% of the {year} "
             f"poverty guideline for a household of {size}{'' if household.size else ' (size not given)'} = "
             f"{format_usd(annual)} a year")
    return annual / 12, words, year
