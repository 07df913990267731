"""Year-keyed Medicare, Medicaid, ACA and level-of-care figures from ``service.reference``.

The engine never reads files: it takes a :class:`ProgramFigures` (built once from the
reference set with :func:`load_program_figures`, or built by hand in tests). Every lookup is
by date of service and returns the figures *with* the year/label used, so a result can say
which figures produced it. A date past the last loaded year falls back to the latest year
and says so (``fallback=True``) rather than inventing a figure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from contracts.benefits import Level
from service.pricing.professional_fees import ProfessionalFeeSchedule, fee_schedule_from_reference
from service.pricing.telehealth import TelehealthFigures, telehealth_figures_from_reference
from service.pricing.year_figures import for_year

HUNDRED = Decimal(100)


def _d(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True, slots=True)
class MedicareYear:
    """One calendar year of Original Medicare cost sharing (medicare.json calendar_years)."""

    year: int
    part_b_deductible: Decimal
    part_b_coinsurance_percent: Decimal  # percent points (20)
    part_a_deductible: Decimal
    part_a_coinsurance_61_90: Decimal
    part_a_reserve_coinsurance: Decimal
    source: str
    fallback: bool = False  # True when the requested year was not loaded and this is the latest


@dataclass(frozen=True, slots=True)
class IpfFiscalYear:
    """IPF PPS figures for one federal fiscal year (Oct 1 - Sep 30)."""

    label: str  # "FY2026"
    start: dt.date
    end: dt.date
    federal_per_diem_base_rate: Decimal
    fallback: bool = False


@dataclass(frozen=True, slots=True)
class MedicareRules:
    benefit_period_gap_days: int = 60
    lifetime_reserve_days_total: int = 60
    psychiatric_lifetime_limit_days: int = 190
    iop_hours_per_week_min: Decimal = Decimal(9)
    iop_hours_per_week_max: Decimal = Decimal(19)
    php_hours_per_week_min: Decimal = Decimal(20)
    per_diem_min_services: int = 3  # fewer qualifying services a day is not an IOP/PHP per-diem day


@dataclass(frozen=True, slots=True)
class OppsPerDiem:
    """Medicare OPPS per diem APCs for IOP/PHP days (medicare.json ``opps_per_diem``)."""

    minimum_services: int
    four_or_more_from: int
    labor_related_share: Decimal  # fraction (0.6)
    #: setting ("hospital_outpatient" | "cmhc") -> level ("iop" | "php") -> ("3" | "4_or_more") -> APC
    apcs: dict[str, dict[str, dict[str, str]]]
    #: calendar year -> APC -> national unadjusted rate (None = to be imported from Addendum A)
    national_rates: dict[int, dict[str, Decimal | None]]
    sources: dict[int, str]

    def apc(self, setting: str, level: str, services: int) -> str:
        return self.apcs[setting][level]["4_or_more" if services >= self.four_or_more_from else "3"]


@dataclass(frozen=True, slots=True)
class MedicaidCharge:
    """One federal maximum: a fixed amount or a percent of the agency payment."""

    kind: str  # "fixed_per_service" | "fixed_per_stay" | "percent_of_agency_payment"
    amount: Decimal | None = None
    percent: Decimal | None = None  # percent points


@dataclass(frozen=True, slots=True)
class MedicaidNominalYear:
    """The fixed maxima at or below 100 % FPL for one federal fiscal year (medicaid.json)."""

    fiscal_year: int
    start: dt.date
    end: dt.date
    outpatient: Decimal
    inpatient: Decimal
    basis: str


def federal_fiscal_year(on: dt.date) -> int:
    """The federal fiscal year (October 1 - September 30) a date falls in, named by the year it ends in."""
    return on.year + 1 if on.month >= 10 else on.year


@dataclass(frozen=True, slots=True)
class MedicaidMaxima:
    #: band ("<=100" | "101-150" | ">150") -> charge
    outpatient: dict[str, MedicaidCharge]
    inpatient: dict[str, MedicaidCharge]
    household_cap_percent: Decimal  # percent points of household income (5)
    label: str = "federal base maximum (not indexed)"
    #: The fixed maxima by federal fiscal year; :meth:`in_force` picks one by the date of service.
    nominal_years: tuple[MedicaidNominalYear, ...] = ()
    #: Set by :meth:`in_force`: the fiscal year chosen, and whether its own fixed amounts are loaded.
    fiscal_year: int | None = None
    year_loaded: bool = True

    def in_force(self, on: dt.date) -> MedicaidMaxima:
        """The maxima for the federal fiscal year of ``on``. A year not loaded keeps the latest loaded fixed amounts
        (below the indexed ones) with ``year_loaded`` False and a label that says so; percent maxima are not
        indexed and hold every year."""
        year = federal_fiscal_year(on)
        found = next((y for y in self.nominal_years if y.start <= on <= y.end), None)
        if found is None and not self.nominal_years:
            return dataclasses.replace(self, fiscal_year=year, year_loaded=False)
        chosen = found or max(self.nominal_years, key=lambda y: y.start)
        label = (f"federal maximum for FFY {year} ({chosen.basis})" if found is not None else
                 f"federal maximum of FFY {chosen.fiscal_year} ({chosen.basis}): FFY {year}'s indexed amounts are not "
                 "loaded")
        fixed_out, fixed_in = self.outpatient["<=100"], self.inpatient["<=100"]
        return dataclasses.replace(
            self, label=label, fiscal_year=year, year_loaded=found is not None,
            outpatient={**self.outpatient, "<=100": dataclasses.replace(fixed_out, amount=chosen.outpatient)},
            inpatient={**self.inpatient, "<=100": dataclasses.replace(fixed_in, amount=chosen.inpatient)})


@dataclass(frozen=True, slots=True)
class PovertyYear:
    year: int
    effective: dt.date
    #: region -> (first_person, each_additional_person)
    regions: dict[str, tuple[Decimal, Decimal]]


@dataclass(frozen=True, slots=True)
class LevelDefaults:
    days_per_week: int | None
    hours_per_day: Decimal | None
    weeks: int | None
    length_of_stay_days: int | None
    #: provider's typical ranges (warn outside, never refuse)
    typical_days_per_week: tuple[int, int] | None = None
    typical_hours_per_day: tuple[Decimal, Decimal] | None = None
    typical_weeks: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class ProgramFigures:
    medicare_years: dict[int, MedicareYear]
    ipf_years: tuple[IpfFiscalYear, ...]
    medicare_rules: MedicareRules
    medicaid: MedicaidMaxima
    poverty_years: dict[int, PovertyYear]
    aca_self_only: dict[int, Decimal]
    level_defaults: dict[Level, LevelDefaults] = field(default_factory=dict)
    #: Virtual program days (telehealth.json); None = not loaded (virtual days then priced as in person, said).
    telehealth: TelehealthFigures | None = None
    opps: OppsPerDiem | None = None
    #: Practitioners' visits billed apart from the facility (professional-fees.json); None = not loaded.
    professional: ProfessionalFeeSchedule | None = None

    def medicare_year(self, year: int) -> MedicareYear:
        return for_year(self.medicare_years, year)

    def ipf_year(self, day: dt.date) -> IpfFiscalYear:
        for fy in self.ipf_years:
            if fy.start <= day <= fy.end:
                return fy
        ordered = sorted(self.ipf_years, key=lambda f: f.start)
        base = ordered[-1] if day > ordered[-1].end else ordered[0]
        return dataclasses.replace(base, fallback=True)  # the nearest fiscal year loaded, flagged (as for_year)

    def poverty_guideline(self, *, household_size: int, state: str | None, on: dt.date) -> tuple[Decimal, int]:
        """The poverty guideline in force on ``on`` for the household; (annual amount, guideline year)."""
        candidates = [p for p in self.poverty_years.values() if p.effective <= on]
        guide = max(candidates, key=lambda p: p.effective) if candidates else min(
            self.poverty_years.values(), key=lambda p: p.effective)
        region = {"AK": "alaska", "HI": "hawaii"}.get((state or "").upper(), "contiguous_48_and_dc")
        first, extra = guide.regions[region]
        return first + extra * (max(household_size, 1) - 1), guide.year

    def poverty_percent(self, *, household_size: int, annual_income: Decimal, state: str | None,
                        on: dt.date) -> tuple[Decimal, int]:
        """Household income as percent of the poverty guideline in force on ``on``; (percent, year)."""
        fpl, year = self.poverty_guideline(household_size=household_size, state=state, on=on)
        return annual_income / fpl * HUNDRED, year


def _charge(raw: dict[str, Any]) -> MedicaidCharge:
    kind = raw["type"]
    if kind.startswith("percent_of_agency_payment"):
        return MedicaidCharge(kind="percent_of_agency_payment", percent=_d(raw["rate"]) * HUNDRED)
    return MedicaidCharge(kind=kind, amount=_d(raw["amount"]))


def figures_from_reference(medicare: dict[str, Any], medicaid: dict[str, Any], poverty: dict[str, Any],
                           aca: dict[str, Any], levels: dict[str, Any],
                           telehealth: dict[str, Any] | None = None,
                           professional: dict[str, Any] | None = None) -> ProgramFigures:
    """Build :class:`ProgramFigures` from parsed reference files (pure; see :func:`load_program_figures`)."""
    years: dict[int, MedicareYear] = {}
    for key, cy in medicare["calendar_years"].items():
        years[int(key)] = MedicareYear(
            year=int(key),
            part_b_deductible=_d(cy["part_b"]["annual_deductible"]),
            part_b_coinsurance_percent=_d(cy["part_b"]["coinsurance_rate"]) * HUNDRED,
            part_a_deductible=_d(cy["part_a"]["inpatient_deductible_per_benefit_period"]),
            part_a_coinsurance_61_90=_d(cy["part_a"]["coinsurance_per_day_days_61_90"]),
            part_a_reserve_coinsurance=_d(cy["part_a"]["coinsurance_per_lifetime_reserve_day_days_91_150"]),
            source=cy["source"],
        )
    ipf = tuple(
        IpfFiscalYear(label=label, start=dt.date.fromisoformat(fy["from"]), end=dt.date.fromisoformat(fy["to"]),
                      federal_per_diem_base_rate=_d(fy["federal_per_diem_base_rate"]))
        for label, fy in medicare["inpatient_psychiatric_facility_pps"]["fiscal_years"].items()
    )
    part_a = medicare["part_a_rules"]
    iop = medicare["intensive_outpatient_and_partial_hospitalization"]
    rules = MedicareRules(
        benefit_period_gap_days=int(part_a["benefit_period_gap_days"]),
        lifetime_reserve_days_total=int(part_a["lifetime_reserve_days_total"]),
        psychiatric_lifetime_limit_days=int(part_a["psychiatric_hospital_lifetime_limit_days"]),
        iop_hours_per_week_min=_d(iop["iop"]["hours_per_week_min"]),
        iop_hours_per_week_max=_d(iop["iop"]["hours_per_week_max_before_php"]),
        php_hours_per_week_min=_d(iop["php"]["hours_per_week_min"]),
        per_diem_min_services=int(iop["opps_per_diem"]["minimum_services_per_day"]),
    )
    raw_opps = iop["opps_per_diem"]
    opps = OppsPerDiem(
        minimum_services=int(raw_opps["minimum_services_per_day"]),
        four_or_more_from=int(raw_opps["four_or_more_services_from"]),
        labor_related_share=_d(raw_opps["labor_related_share"]),
        apcs=raw_opps["apc_by_setting"],
        national_rates={int(y): {apc: None if v is None else _d(v) for apc, v in cy["rates"].items()}
                        for y, cy in raw_opps["national_unadjusted_rates"].items()},
        sources={int(y): cy["source"] for y, cy in raw_opps["national_unadjusted_rates"].items()},
    )
    maxima = medicaid["maximum_cost_sharing"]
    bands = medicaid["income_bands_percent_fpl"]
    medicaid_figs = MedicaidMaxima(
        outpatient={b: _charge(maxima["outpatient_service"][b]) for b in bands},
        inpatient={b: _charge(maxima["inpatient_stay"][b]) for b in bands},
        household_cap_percent=_d(medicaid["aggregate_household_cap"]["percent_of_family_income"]) * HUNDRED,
        nominal_years=tuple(
            MedicaidNominalYear(fiscal_year=int(y), start=dt.date.fromisoformat(v["from"]),
                                end=dt.date.fromisoformat(v["to"]), outpatient=_d(v["outpatient_service"]),
                                inpatient=_d(v["inpatient_stay"]), basis=v["basis"])
            for y, v in (medicaid.get("nominal_maxima_by_federal_fiscal_year") or {}).get("years", {}).items()),
    )
    poverty_years = {
        int(y): PovertyYear(
            year=int(y), effective=dt.date.fromisoformat(p["effective"]),
            regions={name: (_d(r["first_person"]), _d(r["each_additional_person"])) for name, r in p["regions"].items()},
        )
        for y, p in poverty["years"].items()
    }
    aca_limits = {int(y): _d(v["self_only"]) for y, v in aca["plan_years"].items()}
    lv = levels["levels"]
    defaults = {
        Level.IOP: LevelDefaults(
            days_per_week=lv["iop"]["typical_default"]["days_per_week"],
            hours_per_day=_d(lv["iop"]["typical_default"]["hours_per_day"]),
            weeks=lv["iop"]["typical_default"]["weeks"], length_of_stay_days=None,
            typical_days_per_week=tuple(lv["iop"]["schedule"]["days_per_week"]),
            typical_hours_per_day=tuple(_d(x) for x in lv["iop"]["schedule"]["hours_per_session"]),
            typical_weeks=(lv["iop"]["schedule"]["weeks"][0], lv["iop"]["schedule"]["weeks_extended_max"]),
        ),
        Level.PHP: LevelDefaults(
            days_per_week=lv["php"]["typical_default"]["days_per_week"],
            hours_per_day=_d(lv["php"]["typical_default"]["hours_per_day"]),
            weeks=lv["php"]["typical_default"]["weeks"], length_of_stay_days=None,
            typical_days_per_week=tuple(lv["php"]["schedule"]["days_per_week"]),
            typical_hours_per_day=tuple(_d(x) for x in lv["php"]["schedule"]["hours_per_day"]),
            typical_weeks=tuple(lv["php"]["typical_default"]["weeks_range"]),
        ),
        Level.INPATIENT: LevelDefaults(
            days_per_week=7, hours_per_day=_d(lv["inpatient"]["schedule"]["hours_per_day"]), weeks=None,
            length_of_stay_days=lv["inpatient"]["typical_default"]["length_of_stay_days"],
        ),
    }
    return ProgramFigures(medicare_years=years, ipf_years=ipf, medicare_rules=rules, medicaid=medicaid_figs,
                          poverty_years=poverty_years, aca_self_only=aca_limits, level_defaults=defaults,
                          telehealth=None if telehealth is None else telehealth_figures_from_reference(telehealth),
                          opps=opps,
                          professional=None if professional is None else fee_schedule_from_reference(professional))


@functools.cache
def load_program_figures() -> ProgramFigures:
    """The shipped reference set as :class:`ProgramFigures` (read once, cached; call outside the engine)."""
    from service.reference import load

    return figures_from_reference(load("medicare"), load("medicaid"), load("poverty-guidelines"), load("aca"),
                                  load("levels-of-care"), load("telehealth"), load("professional-fees"))
