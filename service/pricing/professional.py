"""Practitioners' visits billed apart from the facility, priced with the level's payer. Pure.

The psychiatrist's admission evaluation and daily hospital visits during a stay, and the evaluation and
medication-management visits in a day program, are billed by the practitioner on their own claim
(42 CFR 409.10; Medicare Benefit Policy Manual ch. 6 sec. 70.3), so a quote of the facility alone is not
what the patient will pay. Each visit is dated (``professional_fees.py``) and priced after the facility
days, on what the facility days left of the deductible and out-of-pocket maximum - the deductible is
taken once, facility days first (the total differs from strict date order only when the two carry
different cost sharing; said):

* **Original Medicare (Part B)**: the PFS facility amount of the visit's calendar year; the Part B
  deductible (what the 271 says is left, less what IOP/PHP days took that year: they are Part B too;
  an inpatient stay is Part A and leaves it untouched), then 20 % coinsurance. No per-day cap and no
  out-of-pocket limit. QMB owes $0 and a Medigap plan paying the Part B coinsurance pays it (shown as
  waived). Part A only: the visits are not covered (the practitioner's charge).
* **Medicare Advantage and commercial plans**: the plan's professional terms
  (``professional_terms.py``: a per-visit copay and/or a coinsurance) with the level's own deductible and
  out-of-pocket maximum (MOOP), through the engine's accumulation one visit at a time. Unknown terms:
  the visits are listed with their charges but kept out of the total, with a warning saying what to ask.
  The allowed amount is the provider's charge unless a contract says otherwise (assumed, said).
* **Medicaid**: a copay per visit - the state's as reported, bounded by the federal maximum for an
  outpatient service in the income band, else that maximum (42 CFR 447.52) - exempt people pay $0 and
  the 5 % household cap is shared with the facility days (income not given: the top of the band's income, as
  for the facility days; no cap above 150 % FPL without income).
* **Self-pay** (or coverage not active): the provider's charge; a sliding-fee discount is taken on the
  level's total as for the facility days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from contracts.benefits import (
    InsuranceType,
    Level,
    LevelBenefits,
    MedicareDetails,
    Network,
    NormalizedBenefits,
    PayerClass,
    ProfessionalCostShare,
)
from contracts.estimate import CostBreakdown, ProfessionalLine, ProfessionalServices
from service.errors import ProblemError
from service.money import ZERO, cents, format_usd, percent_of
from service.pricing.calendar import cap_period, plan_years
from service.pricing.cob import Coverage, PayerTotal, coordinate
from service.pricing.course import ServiceDay
from service.pricing.engine import DayLine, Notes, PlanTerms, accumulate_commercial, resolve_terms, runs_of
from service.pricing.medicaid import (
    BAND_WORDS,
    CATEGORY_TO_BAND,
    _bounded_by_federal_maximum,
    band_for_percent,
)
from service.pricing.medicaid_exemptions import MedicaidPerson, exemption_on
from service.pricing.medicaid_level import BAND_TOP, MedicaidHousehold, top_of_band_income
from service.pricing.medicare import QMB_TEXT, medicare_year, waive
from service.pricing.plan_design import is_medicare_advantage
from service.pricing.professional_fees import PlannedVisits, ProfessionalFeeSchedule, Visit
from service.pricing.professional_terms import PROFESSIONAL_STCS, professional_terms, setting_of
from service.pricing.program_figures import ProgramFigures
from service.pricing.totals import level_totals

ORDER_ASSUMPTION = ("the practitioners' visits are priced after the facility days: the deductible and out-of-pocket "
                    "maximum the facility days leave are what the visits use")


@dataclass(frozen=True, slots=True)
class ProfessionalRequest:
    """Which courses carry practitioner visits: every course (``professional_services``) or those that list
    their own (``professional_visits``, keyed by the course's field path)."""

    all_courses: bool = False
    visits: dict[str, tuple[PlannedVisits, ...]] = field(default_factory=dict)

    def wanted(self, field_path: str) -> bool:
        return self.all_courses or field_path in self.visits


@dataclass(frozen=True, slots=True)
class MedicaidFacts:
    """What the Medicaid visit copay depends on besides the benefits."""

    person: MedicaidPerson = field(default_factory=MedicaidPerson)
    household_size: int | None = None
    annual_income: Decimal | None = None
    monthly_income: Decimal | None = None
    state: str | None = None
    cap_period: str = "month"


@dataclass(slots=True)
class ProfessionalResult:
    section: ProfessionalServices
    lines: list[DayLine]  # one per visit, in the order of ``visits``
    summary: str  # the explanation line intake reads out
    visits: list[Visit]
    schedule: ProfessionalFeeSchedule
    words: str  # the payer's rule in words
    pfs_used: bool = False  # Medicare PFS amounts priced the visits (Medicare, or standing in for Medicaid's)

    def add_to(self, totals: CostBreakdown) -> CostBreakdown:
        """The level's totals with the visits in them (only when they were priced)."""
        if not self.section.in_totals:
            return totals
        visits, _hours = level_totals(runs_of(self.lines))
        return CostBreakdown(**{name: getattr(totals, name) + getattr(visits, name)
                                for name in CostBreakdown.__struct_fields__})


def price_professional(visits: Sequence[Visit], *, level: Level, network: Network, benefits: NormalizedBenefits | None,
                       self_pay: bool, level_benefits: LevelBenefits | None, facility_lines: Sequence[DayLine],
                       schedule: ProfessionalFeeSchedule, figures: ProgramFigures, as_of: dt.date,
                       medicaid: MedicaidFacts, notes: Notes, medicare_years_used: set[int]) -> ProfessionalResult | None:
    """Price one level's visits (see the module docstring); None when the course has none."""
    if not visits:
        return None
    visits = sorted(visits, key=lambda v: (v.date, v.day_number))
    if schedule.charges_demo:
        notes.warn("DEMO professional fees: the practitioners' charges are example figures; load the practice's own")
    if self_pay or benefits is None or benefits.payer_class is PayerClass.SELF_PAY or benefits.active is not True:
        lines = [_charged(v, schedule, "self_pay") for v in visits]
        return _result(lines, visits, schedule, True, "at the practitioner's charge (a sliding-fee discount, when "
                       "you qualify, is taken on the level's total)")
    payer = benefits.payer_class
    if payer is PayerClass.MEDICARE and not is_medicare_advantage(benefits):
        return _part_b(visits, level, benefits, facility_lines, schedule, figures, as_of, notes, medicare_years_used)
    if payer is PayerClass.MEDICAID:
        return _medicaid(visits, level, benefits, facility_lines, schedule, figures, medicaid, notes)
    return _plan(visits, level, network, benefits, level_benefits, facility_lines, schedule, as_of, notes)


# --- Original Medicare -------------------------------------------------------------------------------------------

def _pfs_amount(visit: Visit, schedule: ProfessionalFeeSchedule, notes: Notes, years_used: set[int]) -> Decimal:
    pfs = schedule.medicare_year(visit.date.year)
    if pfs.fallback:
        notes.warn(f"Medicare CY{visit.date.year} physician fee schedule amounts are not loaded: CY{pfs.year} "
                   "amounts used for those visits")
    if pfs.demo:
        notes.warn(f"DEMO Medicare physician fee schedule amounts (CY{pfs.year}) for the practitioners' visits: import "
                   f"them from the {pfs.import_from.split(';')[0]}")
    return cents(pfs.amounts[visit.code])


def _part_b(visits: Sequence[Visit], level: Level, benefits: NormalizedBenefits, facility_lines: Sequence[DayLine],
            schedule: ProfessionalFeeSchedule, figures: ProgramFigures, as_of: dt.date, notes: Notes,
            years_used: set[int]) -> ProfessionalResult:
    details = benefits.medicare or MedicareDetails()
    if benefits.insurance_type is InsuranceType.MEDICARE_PART_A:
        notes.warn("Medicare Part A only: the practitioners' visits are Part B services and are not covered")
        lines = [_charged(v, schedule, "not_covered") for v in visits]
        return _result(lines, visits, schedule, True, "not covered without Medicare Part B: the practitioner's "
                       "charge")
    remaining: dict[int, Decimal] = {}
    lines: list[DayLine] = []
    pct = ZERO
    for visit in visits:
        my = medicare_year(figures, visit.date.year, notes, years_used)
        pct = my.part_b_coinsurance_percent
        year = visit.date.year
        if year not in remaining:
            remaining[year] = _part_b_left(year, level, details, facility_lines, my.part_b_deductible, as_of, notes)
        allowed = _pfs_amount(visit, schedule, notes, years_used)
        room = remaining[year]
        ded = min(allowed, room)
        coins = cents(percent_of(allowed - ded, pct))
        remaining[year] = room - ded
        line = DayLine(number=visit.day_number, date=visit.date, hours=ZERO, gross=_charge(visit, schedule),
                       allowed=allowed, deductible=ded, coinsurance=coins, remaining_before=room,
                       kind="professional", label=visit.code)
        waive(line, details, part_a=False)
        lines.append(line)
    payer_share = 100 - pct
    words = f"Medicare pays {payer_share.normalize():f}% after your Part B deductible"
    if details.qmb:
        words = f"Medicare pays {payer_share.normalize():f}% after the Part B deductible; {QMB_TEXT}"
    elif details.medigap_pays_part_b_coinsurance:
        words += "; your Medigap plan pays the 20% coinsurance"
    return _result(lines, visits, schedule, True, words, pfs_used=True)


def _part_b_left(year: int, level: Level, details: MedicareDetails, facility_lines: Sequence[DayLine],
                 full: Decimal, as_of: dt.date, notes: Notes) -> Decimal:
    """The Part B deductible left for the visits of ``year``: the 271's remaining (current year) or the full
    deductible, less what that year's IOP/PHP days took (an inpatient stay is Part A: it takes none)."""
    if year == as_of.year and details.part_b_deductible_remaining is not None:
        start = cents(details.part_b_deductible_remaining)
    else:
        if year == as_of.year:
            notes.assume(f"Part B deductible remaining not reported: assumed the full CY{year} {format_usd(full)} "
                         "remains")
        start = cents(full)
    if level is Level.INPATIENT:
        return start
    in_year = [ln for ln in facility_lines if ln.date.year == year and ln.remaining_before is not None]
    if not in_year:
        return start
    last = in_year[-1]
    notes.assume(ORDER_ASSUMPTION)
    return last.remaining_before - min(last.allowed, last.remaining_before)


# --- Medicare Advantage and commercial plans ----------------------------------------------------------------------

def _plan(visits: Sequence[Visit], level: Level, network: Network, benefits: NormalizedBenefits,
          level_benefits: LevelBenefits | None, facility_lines: Sequence[DayLine],
          schedule: ProfessionalFeeSchedule, as_of: dt.date, notes: Notes) -> ProfessionalResult:
    advantage = benefits.payer_class is PayerClass.MEDICARE
    stated = professional_terms(benefits, level, network)
    if stated is None or level_benefits is None:
        lines = [_charged(v, schedule, "not_covered") for v in visits]
        kind = "specialist (professional) visit copay" if advantage else "professional (office / specialist) visit terms"
        stcs = "/".join(PROFESSIONAL_STCS[setting_of(level)])
        total = format_usd(sum((ln.gross for ln in lines), ZERO))
        notes.warn(f"the practitioners' visits during {level.value.upper()} are billed separately ({len(visits)} "
                   f"visits, {total} at the practitioner's charges) and are NOT in this total: the plan's {kind} "
                   f"{'is' if advantage else 'are'} not known. Ask the plan (service types {stcs}) or enter them "
                   "by hand (manual.professional)")
        return _result(lines, visits, schedule, False, f"billed separately; not in this total (the plan's {kind} are "
                       "not known)")
    terms = _visit_terms(resolve_terms(level_benefits, Notes(), "out-of-network" if network is Network.OUT
                                       else "in-network"), stated, notes)
    notes.assume(f"the practitioners' visits use the plan's professional terms ({stated.source or 'as stated'}); "
                 "the allowed amount is the practitioner's charge (no professional contract rate on file)")
    notes.assume(ORDER_ASSUMPTION)
    year_of = plan_years(benefits.plan_begin)
    states: dict[dt.date, PlanTerms] = {}
    lines: list[DayLine] = []
    # Runs of visits of one code in one plan year are priced in one pass of the engine (a stay's daily visits
    # are one run), the accumulators carried from run to run in date order.
    for (code, year), run in itertools.groupby(visits, key=lambda v: (v.code, year_of(v.date))):
        if year not in states:
            states[year] = _left_after_facility(terms, year, year_of, facility_lines,
                                                current=year == year_of(as_of))
        state = states[year]
        charge = cents(schedule.charges[code])
        run_lines = accumulate_commercial(
            [ServiceDay(number=v.day_number, date=v.date, hours=ZERO) for v in run], state, allowed_per_day=charge,
            gross_per_day=charge, self_pay_per_day=charge, plan_year_of=year_of, current_plan_year=year,
            out_of_network=False, is_inpatient=False, notes=Notes())
        ded = sum((ln.deductible for ln in run_lines), ZERO)
        share = sum((ln.deductible + ln.copay + ln.coinsurance for ln in run_lines), ZERO)
        states[year] = dataclasses.replace(
            state, ded_ind=_less(state.ded_ind, ded), ded_fam=_less(state.ded_fam, ded),
            oop_ind=_less(state.oop_ind, share), oop_fam=_less(state.oop_fam, share))
        lines.extend(run_lines)
    return _result(lines, visits, schedule, True, _plan_words(stated, terms))


def _visit_terms(level_terms: PlanTerms, stated: ProfessionalCostShare, notes: Notes) -> PlanTerms:
    """The level's accumulators with the visit's own copay / coinsurance."""
    applies = stated.deductible_applies
    if applies is None:
        applies = level_terms.deductible_applies
        if stated.copay is not None and applies:
            notes.assume("the plan did not say whether its professional visit copay waits for the deductible: the "
                         "deductible was assumed to apply first, so the estimate is not too low")
    return dataclasses.replace(level_terms, covered=True, copay=stated.copay, copay_per="visit",
                               coinsurance_percent=stated.coinsurance_percent or ZERO, deductible_applies=applies,
                               copay_replaces_coinsurance=False, copay_tiers=(), limit_total=None,
                               limit_remaining=None)


def _less(acc: tuple[Decimal | None, Decimal | None], amount: Decimal) -> tuple[Decimal | None, Decimal | None]:
    """(plan amount, remaining) after ``amount`` more counted toward it."""
    total, remaining = acc
    return total, None if remaining is None else max(remaining - amount, ZERO)


def _left_after_facility(terms: PlanTerms, year: dt.date, year_of: Callable[[dt.date], dt.date],
                         facility_lines: Sequence[DayLine], *, current: bool) -> PlanTerms:
    """The deductible and out-of-pocket maximum left for the visits of a plan year, after that year's facility
    days (the reported remaining for the current plan year, the full amounts for a later one)."""
    pick = 1 if current else 0
    in_year = [ln for ln in facility_lines if year_of(ln.date) == year]
    ded = sum((ln.deductible for ln in in_year), ZERO)
    share = sum((ln.deductible + ln.copay + ln.coinsurance for ln in in_year), ZERO)

    def left(acc: tuple[Decimal | None, Decimal | None], used: Decimal) -> tuple[Decimal | None, Decimal | None]:
        total, _ = acc
        start = acc[pick]
        return total, None if start is None else max(start - used, ZERO)

    return dataclasses.replace(terms, ded_ind=left(terms.ded_ind, ded), ded_fam=left(terms.ded_fam, ded),
                               oop_ind=left(terms.oop_ind, share), oop_fam=left(terms.oop_fam, share))


def _plan_words(stated: ProfessionalCostShare, terms: PlanTerms) -> str:
    parts = []
    if terms.deductible_applies and (terms.ded_ind[1] or terms.ded_fam[1]):
        parts.append("your deductible first")
    if stated.copay is not None:
        parts.append(f"a {format_usd(stated.copay)} copay a visit")
    if stated.coinsurance_percent:
        parts.append(f"{stated.coinsurance_percent.normalize():f}% coinsurance")
    rule = ", then ".join(parts) if parts else "no cost sharing"
    return f"your plan's professional terms: {rule}, up to your out-of-pocket maximum"


# --- Medicaid -----------------------------------------------------------------------------------------------------

def _medicaid(visits: Sequence[Visit], level: Level, benefits: NormalizedBenefits, facility_lines: Sequence[DayLine],
              schedule: ProfessionalFeeSchedule, figures: ProgramFigures, facts: MedicaidFacts,
              notes: Notes) -> ProfessionalResult:
    details = benefits.medicaid
    band = CATEGORY_TO_BAND.get(details.cost_sharing_category or "") if details else None
    annual = facts.annual_income if facts.annual_income is not None else (
        facts.monthly_income * 12 if facts.monthly_income is not None else None)
    if band is None and annual is not None and facts.household_size:
        percent, _year = figures.poverty_percent(household_size=facts.household_size, annual_income=annual,
                                                 state=facts.state, on=visits[0].date)
        band = band_for_percent(percent)
    band = band or ">150"  # the facility pricing says which band it assumed
    person = dataclasses.replace(facts.person, reported_exempt=bool(details and details.cost_sharing_category == "exempt"))
    exempt_on = exemption_on(person)
    maxima = figures.medicaid.in_force(visits[0].date)
    federal = maxima.outpatient[band]
    stated = professional_terms(benefits, level, Network.IN)
    notes.assume("Medicaid's fee for the practitioners' visits is not on file: the Medicare physician fee schedule "
                 "amount stands in for it (it matters only for a copay that is a percent of the payment)")
    monthly = facts.monthly_income if facts.monthly_income is not None else (annual / 12 if annual is not None
                                                                              else None)
    if monthly is None and BAND_TOP[band] is not None:
        # as the facility days: income at the top of the band, the highest cap it allows (said there)
        monthly, _words, _year = top_of_band_income(band, MedicaidHousehold(size=facts.household_size),
                                                    facts.state, visits[0].date, figures)
    cap = None
    spent: dict[tuple[int, int], Decimal] = {}
    if monthly is not None:  # the 5 % household cap (42 CFR 447.56(f)) is shared with the facility days
        months = 3 if facts.cap_period == "quarter" else 1
        cap = cents(percent_of(monthly * months, figures.medicaid.household_cap_percent))
        for ln in facility_lines:
            key = cap_period(ln.date, facts.cap_period)
            spent[key] = spent.get(key, ZERO) + ln.copay + ln.coinsurance
    lines: list[DayLine] = []
    words = ""
    for visit in visits:
        allowed = cents(schedule.medicare_year(visit.date.year).amounts[visit.code])
        if stated is not None and stated.copay is not None:
            due, source = _bounded_by_federal_maximum(cents(stated.copay), "state/plan copay as reported", federal,
                                                      per_stay=False, days=1, allowed=allowed, band=band,
                                                      maxima=maxima, notes=notes)
        elif federal.kind == "percent_of_agency_payment":
            due, source = cents(percent_of(allowed, federal.percent)), f"{maxima.label}, {BAND_WORDS[band]}"
        else:
            due, source = cents(federal.amount), f"{maxima.label}, {BAND_WORDS[band]}"
        if stated is None or stated.copay is None:
            notes.assume(f"Medicaid copay for the practitioners' visits: {source} (the state's own may be lower)")
        due = min(due, allowed)
        line = DayLine(number=visit.day_number, date=visit.date, hours=ZERO, gross=_charge(visit, schedule),
                       allowed=allowed, kind="professional", label=visit.code)
        why = exempt_on(visit.date)
        if why is not None:
            line.waived, line.payer = due, allowed
            lines.append(line)
            words = f"exempt from Medicaid cost sharing {why}: you pay $0.00"
            continue
        if cap is not None:
            key = cap_period(visit.date, facts.cap_period)
            due = min(due, max(cap - spent.get(key, ZERO), ZERO))
            spent[key] = spent.get(key, ZERO) + due
        line.copay, line.payer = due, allowed - due
        lines.append(line)
        words = f"a Medicaid copay a visit ({source})"
    return _result(lines, visits, schedule, True, words, pfs_used=True)


# --- shared -------------------------------------------------------------------------------------------------------

def _charge(visit: Visit, schedule: ProfessionalFeeSchedule) -> Decimal:
    return cents(schedule.charges[visit.code])


def _charged(visit: Visit, schedule: ProfessionalFeeSchedule, bucket: str) -> DayLine:
    charge = _charge(visit, schedule)
    line = DayLine(number=visit.day_number, date=visit.date, hours=ZERO, gross=charge, kind="professional",
                   label=visit.code)
    setattr(line, bucket, charge)
    return line


def _result(lines: list[DayLine], visits: Sequence[Visit], schedule: ProfessionalFeeSchedule, in_totals: bool,
            words: str, *, pfs_used: bool = False) -> ProfessionalResult:
    section, summary = _section(lines, visits, schedule, in_totals, words, pfs_used=pfs_used)
    return ProfessionalResult(section=section, lines=lines, summary=summary, visits=list(visits), schedule=schedule,
                              words=words, pfs_used=pfs_used)


def _section(lines: list[DayLine], visits: Sequence[Visit], schedule: ProfessionalFeeSchedule, in_totals: bool,
             words: str, others_pay: str = "", *, pfs_used: bool = False) -> tuple[ProfessionalServices, str]:
    """The wire section (one line per code, each with its sentence) and the level's summary sentence; ``others_pay``
    says what the patient's other plans pay of the visits."""
    out: list[ProfessionalLine] = []
    for code in dict.fromkeys(v.code for v in visits):
        mine = [ln for visit, ln in zip(visits, lines, strict=True) if visit.code == code]
        info = schedule.codes[code]
        n = len(mine)
        patient = sum((ln.patient for ln in mine), ZERO)
        gross = sum((ln.gross for ln in mine), ZERO)
        head = f"{info.practitioner.capitalize()}, {info.description} ({code}): {n} visit{'s' if n != 1 else ''}"
        text = (f"{head}, {words}; you pay about {format_usd(patient)}." if in_totals
                else f"{head}, {format_usd(gross)} at the practitioner's charges: {words}.")
        out.append(ProfessionalLine(
            code=code, description=info.description, practitioner=info.practitioner, visits=n,
            first_date=mine[0].date, last_date=mine[-1].date, gross=gross,
            allowed=sum((ln.allowed for ln in mine), ZERO),
            payer_pays=sum((ln.payer for ln in mine), ZERO) if in_totals else None,
            patient_pays=patient if in_totals else None,
            deductible=sum((ln.deductible for ln in mine), ZERO), copay=sum((ln.copay for ln in mine), ZERO),
            coinsurance=sum((ln.coinsurance for ln in mine), ZERO),
            not_covered=sum((ln.not_covered + ln.self_pay for ln in mine), ZERO) if in_totals else ZERO,
            waived_cost_sharing=sum((ln.waived for ln in mine), ZERO), text=text))
    gross = sum((ln.gross for ln in lines), ZERO)
    patient = sum((ln.patient for ln in lines), ZERO)
    practitioners = " and ".join(dict.fromkeys(schedule.codes[v.code].practitioner for v in visits))
    if in_totals:
        summary = (f"{practitioners.capitalize()} visits (billed by the practitioner, apart from the facility): "
                   f"{len(lines)} visits, {words}{'; ' + others_pay if others_pay else ''}; you pay about "
                   f"{format_usd(patient)}.")
    else:
        summary = (f"{practitioners.capitalize()} visits (billed by the practitioner, apart from the facility): "
                   f"{len(lines)} visits, {format_usd(gross)} at the practitioner's charges, not in this total: "
                   f"{words}.")
    section = ProfessionalServices(
        in_totals=in_totals, lines=out, gross=gross,
        allowed=sum((ln.allowed for ln in lines), ZERO),
        payer_pays=sum((ln.payer for ln in lines), ZERO) if in_totals else None,
        patient_pays=patient if in_totals else None,
        fee_schedule=_schedule_words(schedule, visits, pfs_used))
    return section, summary


def _schedule_words(schedule: ProfessionalFeeSchedule, visits: Sequence[Visit], pfs_used: bool) -> str:
    words = "the practitioners' charges" + (" (DEMO: example figures)" if schedule.charges_demo else "")
    if pfs_used:
        years = sorted({schedule.medicare_year(v.date.year).year for v in visits})
        demo = any(schedule.medicare_year(y).demo for y in years)
        words += (", Medicare physician fee schedule facility amounts CY" + "/".join(str(y) for y in years)
                  + (" (DEMO: example figures, to be imported)" if demo else ""))
    return words


def visit_amounts(section: ProfessionalServices | None) -> list[Decimal]:
    """What the patient pays for each visit of a priced section, for a per-visit sliding fee; a line's total is
    split evenly over its visits (cents left over on the last one, so the parts add up exactly)."""
    if section is None or not section.in_totals:
        return []
    amounts: list[Decimal] = []
    for line in section.lines:
        if not line.visits or line.patient_pays is None:
            continue
        each = Decimal(int(line.patient_pays * 100) // line.visits) / 100  # whole cents, never more than the share
        amounts.extend([each] * (line.visits - 1) + [line.patient_pays - each * (line.visits - 1)])
    return amounts


def coordinate_visits(result: ProfessionalResult, *, primary_name: str, others: Sequence[Coverage],
                      reprice: Callable[[NormalizedBenefits], ProfessionalResult | None], qmb: bool,
                      notes: Notes) -> list[PayerTotal]:
    """Let the patient's other plans pay their part of the visits' cost sharing, in payer order (``cob.py``), and
    rebuild the section; returns what each of them pays. ``reprice`` prices the same visits with another plan
    alone. One code at a time: two visits may fall on one day, and ``coordinate`` matches a plan's own day by date.
    """
    if not others or not result.section.in_totals:
        return []
    alone: dict[int, list[DayLine] | None] = {}

    def alone_lines(plan: NormalizedBenefits) -> list[DayLine] | None:
        if id(plan) not in alone:
            try:
                own = reprice(plan)
            except ProblemError:
                own = None
            alone[id(plan)] = own.lines if own is not None and own.section.in_totals else None
        return alone[id(plan)]

    payers: dict[int, PayerTotal] = {}
    for code in dict.fromkeys(v.code for v in result.visits):
        indexes = [i for i, v in enumerate(result.visits) if v.code == code]

        def as_primary(plan: NormalizedBenefits, indexes: list[int] = indexes) -> list[DayLine] | None:
            own = alone_lines(plan)
            return None if own is None else [own[i] for i in indexes]

        # The visits are Part B services whatever the level: a Medigap plan pays its Part B shares of them.
        coordination = coordinate([result.lines[i] for i in indexes], Level.IOP, primary_name, others,
                                  as_primary=as_primary, qmb=qmb, notes=notes)
        for payer in coordination.payers[1:]:
            total = payers.setdefault(payer.order, PayerTotal(order=payer.order, name=payer.name, kind=payer.kind,
                                                              note=payer.note))
            total.pays += payer.pays
    paid = [f"{p.name} pays {format_usd(p.pays)}" for p in payers.values() if p.pays]
    result.section, result.summary = _section(result.lines, result.visits, result.schedule, True, result.words,
                                              others_pay="; ".join(paid), pfs_used=result.pfs_used)
    return list(payers.values())
