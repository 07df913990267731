"""Orchestration: pricing input + normalized benefits + rates + figures -> side-by-side estimates. Pure.

The integrator's entry points:

* :func:`pricing_input_from_request` - wire :class:`EstimateRequest` -> :class:`PricingInput`
  (validates the courses; the default start date is passed in, never read from a clock);
* :func:`estimate_levels` - :class:`PricingInput` + :class:`NormalizedBenefits` (None for
  self-pay) + :class:`RateTable` + :class:`ProgramFigures` -> :class:`EstimateComparison`.

Which calculator prices a level: self-pay (or no active coverage) -> the self-pay rate;
Original Medicare -> ``medicare.py`` (Part B for IOP/PHP, Part A inpatient); Medicare
Advantage -> the plan's own benefits through the commercial engine; Medicaid ->
``medicaid.py``; commercial -> ``engine.py`` with the IN or OUT level benefits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from contracts.benefits import (CoverageOrder, InsuranceType, Level, LevelBenefits, MedicaidDetails, MedicareDetails, Network,
                                NormalizedBenefits, PayerClass, Source)
from contracts.estimate import (AuthorizationIn, AuthorizationOut, EmergencyAdmissionIn, CourseOfCare, EstimateComparison, EstimateRequest,
                                ExplanationLine, FacilityType, FiguresUsed, LevelEstimate, LineKind,
                                MedicareVirtualBilling, NetworkPreference, PatientPaysRange, PayerShare)
from service.errors import InvalidInput, ProblemError
from service.money import ZERO, cents, format_usd
from service.read_aloud import DELIVERY_WORDS as _DELIVERY_WORDS  # one wording for both summaries
from service.pricing.calendar import plan_years
from service.pricing.closure_notes import note_closures
from service.pricing.closures import NO_CLOSURES, ProgramCalendar
from service.pricing.course import (Course, ServiceDay, build_course, check_medicare_program_hours, has_telehealth,
                                    service_days)
from service.pricing.engine import (DayLine, DayRun, Notes, PlanTerms, accumulate_commercial, commercial_runs,
                                    lines_of, resolve_terms, runs_of, self_pay_runs, telehealth_terms)
from service.pricing.explain import explain
from service.pricing.medicaid_exemptions import MedicaidPerson
from service.pricing.medicaid_imd import MedicaidImdSettings
from service.pricing.medicaid_level import MedicaidHousehold, price_medicaid_level
from service.pricing.medicare import price_part_b
from service.pricing.medicare_part_a import price_part_a
from service.pricing.opps_per_diem import MedicareOutpatient
from service.pricing.professional import (MedicaidFacts, ProfessionalRequest, ProfessionalResult, coordinate_visits,
                                          price_professional)
from service.pricing.professional_fees import PlannedVisits, course_visits
from service.pricing.plan_design import (advantage_notes, is_medicare_advantage, require_advantage_terms,
                                         without_office_copay)
from service.pricing.cob import (Coordination, Coverage, PayerTotal, coordinate, named_coverages, order_coverages,
                                 plan_name, without_medigap_flags)
from service.pricing.authorization import apply_authorization, authorization_phone
from service.pricing.emergency import price_emergency_admission, protects
from service.pricing.network import NetworkChoice
from service.pricing.out_of_network import deductible_unknown, price_with_unknown_deductible
from service.pricing.packed_days import PackedDays, day_rows, pack_days
from service.pricing.program_figures import ProgramFigures
from service.pricing.rates import LevelRates, RatesMissing, RateTable, commercial_allowed
from service.pricing.telehealth import medicaid_parity, medicare_virtual_billing
from service.pricing.totals import level_totals

ALL_LEVELS = (Level.IOP, Level.PHP, Level.INPATIENT)
REFERENCE_FILES = ["medicare.json", "medicaid.json", "poverty-guidelines.json", "aca.json", "levels-of-care.json"]


@dataclass(frozen=True, slots=True)
class PricingInput:
    """Everything the engine needs besides benefits, rates and figures. Build with
    :func:`pricing_input_from_request` or directly (tests)."""

    courses: tuple[Course, ...]
    #: None = the network the registry chose (``network_choice``), in network without one.
    network: NetworkPreference | None = None
    self_pay: bool = False
    household_size: int | None = None
    annual_income: Decimal | None = None
    monthly_income: Decimal | None = None
    state: str | None = None
    medicaid_exempt: bool = False
    medicaid_cap_period: str = "month"
    facility_type: FacilityType | None = None
    medicare_virtual_billing: MedicareVirtualBilling | None = None
    #: the date the benefits' "remaining" amounts are as of (default: the first service day)
    benefits_as_of: dt.date | None = None
    include_days: bool = True
    warnings: tuple[str, ...] = field(default=())  # from course validation
    #: the day programs' closed days (federal holidays, the provider's own closures); see closures.py
    calendar: ProgramCalendar = NO_CLOSURES
    #: The provider's payer-contract registry's answer for this payer and date (None = not consulted).
    network_choice: NetworkChoice | None = None
    #: The caller's other plans with their terms (resolved at the edge), and the subscriber's MM-DD birthday.
    other_coverage: tuple[Coverage, ...] = ()
    subscriber_birthday: str | None = None
    authorization: AuthorizationIn | None = None
    emergency: EmergencyAdmissionIn | None = None
    #: The request field the benefits came from (named in a refusal about them).
    benefits_field: str = "$.eligibility_check_id"
    #: date of birth, pregnancy, institutional status: Medicaid exemption (medicaid_exemptions.py)
    medicaid_person: MedicaidPerson = MedicaidPerson()
    #: the hospital's bed count and the state's IMD choices (medicaid_imd.py)
    medicaid_imd: MedicaidImdSettings = MedicaidImdSettings()
    #: False = the patient chooses not to use Medicare lifetime reserve days (42 CFR 409.65)
    use_lifetime_reserve_days: bool = True
    #: the provider's Medicare outpatient setting (hospital or CMHC APCs) and OPPS wage index
    medicare_outpatient: MedicareOutpatient = MedicareOutpatient()
    #: which courses carry the practitioners' visits billed apart from the facility (professional.py)
    professional: ProfessionalRequest = ProfessionalRequest()


def check_one_source(request: EstimateRequest) -> None:
    """Exactly one benefits source, or a 400 naming it."""
    sources = [name for name, given in (("eligibility_check_id", request.eligibility_check_id is not None),
                                        ("x12_271", request.x12_271 is not None),
                                        ("manual", request.manual is not None),
                                        ("self_pay", request.self_pay)) if given]
    if len(sources) != 1:
        raise InvalidInput("give exactly one benefits source: eligibility_check_id, x12_271, manual or self_pay "
                           f"(got {', '.join(sources) or 'none'})", field="$.eligibility_check_id")


def pricing_input_from_request(request: EstimateRequest, *, default_start: dt.date, figures: ProgramFigures,
                               benefits_as_of: dt.date | None = None,
                               calendar: ProgramCalendar = NO_CLOSURES,
                               medicare_outpatient: MedicareOutpatient = MedicareOutpatient(),
                               medicaid_imd: MedicaidImdSettings = MedicaidImdSettings()) -> PricingInput:
    """Validate and convert a wire request. Raises :class:`InvalidInput` naming the field."""
    check_one_source(request)
    levels = list(request.levels) if request.levels else list(ALL_LEVELS)
    if len(set(levels)) != len(levels):
        raise InvalidInput("levels are repeated", field="$.levels")
    # One course per level, or several of one level when their delivery differs (in-person IOP beside virtual).
    by_level: dict[Level, list[tuple[int, CourseOfCare]]] = {}
    for i, course in enumerate(request.courses):
        if course.level not in levels:
            raise InvalidInput(f"a course for {course.level.value}, which is not among the requested levels",
                               field=f"$.courses[{i}].level")
        same = by_level.setdefault(course.level, [])
        if any(other.delivery is course.delivery for _, other in same):
            raise InvalidInput(f"two {course.delivery.value.replace('_', '-')} courses for {course.level.value}: "
                               "courses of one level are compared only when their delivery differs",
                               field=f"$.courses[{i}].delivery")
        same.append((i, course))
    notes: list[str] = []
    courses = []
    professional_visits: dict[str, tuple[PlannedVisits, ...]] = {}
    start = request.start_date or default_start
    for level in levels:
        for index, wire in by_level.get(level, [(None, None)]):
            path = f"$.courses[{index}]" if index is not None else f"$.courses[{level.value}]"
            courses.append(build_course(wire, level, default_start=start, defaults=figures.level_defaults[level],
                                        path=path, warnings=notes))
            if wire is not None and wire.professional_visits is not None:
                professional_visits[path] = tuple(PlannedVisits(code=v.code, visits=v.visits)
                                                  for v in wire.professional_visits)
    household = request.household
    return PricingInput(
        courses=tuple(courses), network=request.network, self_pay=request.self_pay,
        household_size=household.size if household else None,
        annual_income=household.annual_income if household else None,
        monthly_income=household.monthly_income if household else None,
        state=household.state if household else None, medicaid_exempt=request.medicaid_exempt,
        medicaid_cap_period=request.medicaid_cap_period.value, facility_type=request.facility_type,
        medicare_virtual_billing=request.medicare_virtual_billing,
        benefits_as_of=benefits_as_of, warnings=tuple(notes), calendar=calendar,
        benefits_field=_benefits_field(request), subscriber_birthday=request.subscriber_birthday,
        authorization=request.authorization, emergency=request.emergency_admission,
        medicare_outpatient=medicare_outpatient, use_lifetime_reserve_days=request.use_lifetime_reserve_days,
        medicaid_person=MedicaidPerson(
            birth_date=request.patient.date_of_birth if request.patient else None,
            pregnant_or_postpartum=request.pregnant_or_postpartum, institutionalized=request.institutionalized),
        medicaid_imd=medicaid_imd,
        professional=ProfessionalRequest(all_courses=bool(request.professional_services), visits=professional_visits),
    )


def _benefits_field(request: EstimateRequest) -> str:
    return ("$.x12_271" if request.x12_271 is not None else "$.manual" if request.manual is not None
            else "$.eligibility_check_id")




@dataclass(slots=True)
class _Used:
    medicare_years: set[int] = field(default_factory=set)
    ipf_years: set[str] = field(default_factory=set)
    medicaid_basis: str | None = None
    poverty_year: int | None = None


def _find_benefits(benefits: NormalizedBenefits, level: Level, network: Network) -> LevelBenefits | None:
    exact = [lb for lb in benefits.levels if lb.level is level and lb.network is network]
    if exact:
        return exact[0]
    both = [lb for lb in benefits.levels if lb.level is level and lb.network in (Network.BOTH, Network.UNKNOWN)]
    return both[0] if both else None


def _self_pay_runs(days: Sequence[ServiceDay], rates: LevelRates, label: str, bucket: str = "self_pay",
                   kind: str = "self_pay") -> list[DayRun]:
    return self_pay_runs(days, rates.gross_charge_per_day, rates.self_pay_per_day, bucket=bucket, kind=kind,
                         label=f"{label}: self-pay rate {format_usd(cents(rates.self_pay_per_day))} a day")




def _price_level(inp: PricingInput, course: Course, days: Sequence[ServiceDay], network: Network,
                 benefits: NormalizedBenefits | None, rates: LevelRates, figures: ProgramFigures, notes: Notes,
                 used: _Used) -> tuple[list[DayRun], PayerClass]:
    level = course.level
    if inp.self_pay or benefits is None or benefits.payer_class is PayerClass.SELF_PAY:
        return _self_pay_runs(days, rates, "self-pay"), PayerClass.SELF_PAY
    if benefits.active is not True:
        notes.warn("coverage is not active (or the payer rejected the request): shown at the self-pay rate")
        return _self_pay_runs(days, rates, "no active coverage"), benefits.payer_class
    as_of = inp.benefits_as_of or days[0].date
    payer = benefits.payer_class

    if payer is PayerClass.MEDICARE and not is_medicare_advantage(benefits):
        details = benefits.medicare or MedicareDetails()
        if level is Level.INPATIENT:
            if benefits.insurance_type is InsuranceType.MEDICARE_PART_B:
                notes.warn("Medicare Part B only: inpatient hospital care is a Part A benefit")
                return _self_pay_runs(days, rates, "not covered without Medicare Part A", "not_covered",
                                       "not_covered"), payer
            if rates.medicare_inpatient_per_diem is not None:
                notes.rates_used.add("medicare")
            freestanding = None if inp.facility_type is None else (
                inp.facility_type is FacilityType.FREESTANDING_PSYCHIATRIC_HOSPITAL)
            return price_part_a(days, rates, details, figures, freestanding_psychiatric=freestanding, notes=notes,
                                years_used=used.medicare_years, ipf_years_used=used.ipf_years,
                                use_lifetime_reserve_days=inp.use_lifetime_reserve_days), payer
        if benefits.insurance_type is InsuranceType.MEDICARE_PART_A:
            notes.warn("Medicare Part A only: IOP and PHP are Part B benefits")
            return _self_pay_runs(days, rates, "not covered without Medicare Part B", "not_covered",
                                   "not_covered"), payer
        check_medicare_program_hours(course, figures.medicare_rules)
        notes.rates_used.add("medicare")
        billing = (medicare_virtual_billing(inp.medicare_virtual_billing, inp.facility_type)
                   if has_telehealth(days) else None)
        return price_part_b(days, rates, details, figures, current_year=as_of.year, notes=notes,
                            years_used=used.medicare_years, virtual_billing=billing,
                            outpatient=inp.medicare_outpatient, facility_type=inp.facility_type), payer

    if payer is PayerClass.MEDICAID:
        if rates.medicaid_per_day is None:
            raise RatesMissing(f"no Medicaid rate for {level.value}", field="rate_table_version")
        used.medicaid_basis = figures.medicaid.in_force(days[0].date).label
        notes.rates_used.add("medicaid")
        covered_days, virtual_not_covered, rule = _medicaid_telehealth(days, figures, benefits.medicaid, inp, rates,
                                                                       notes)
        lines: list[DayLine] = []
        if covered_days:
            result = price_medicaid_level(
                covered_days, inpatient=level is Level.INPATIENT, rates=rates, benefits=benefits,
                level_benefits=_find_benefits(benefits, level, Network.IN),
                household=MedicaidHousehold(size=inp.household_size, annual_income=inp.annual_income,
                                            monthly_income=inp.monthly_income, state=inp.state),
                person=dataclasses.replace(inp.medicaid_person, stated_exempt=inp.medicaid_exempt),
                cap_period=inp.medicaid_cap_period, figures=figures, notes=notes, imd=inp.medicaid_imd,
                freestanding_psychiatric=inp.facility_type is FacilityType.FREESTANDING_PSYCHIATRIC_HOSPITAL,
                network_choice=inp.network_choice)
            used.poverty_year = result.poverty_year or used.poverty_year
            lines = result.lines
        for line in lines:
            if line.telehealth:
                line.label = f"telehealth day ({rule}): {line.label}"
        return runs_of(sorted([*lines, *virtual_not_covered], key=lambda line: line.number)), payer

    # Commercial (and Medicare Advantage, which has its own plan benefits).
    advantage = payer is PayerClass.MEDICARE
    if advantage:
        require_advantage_terms(benefits, inp.benefits_field)
    out = network is Network.OUT
    word = "out-of-network" if out else "in-network"
    lb = _find_benefits(benefits, level, network)
    if lb is not None:
        lb = without_office_copay(benefits, lb, notes)
        if advantage:
            advantage_notes(benefits, lb, notes)
    if lb is None:
        notes.warn(f"no {word} benefits reported for {level.value.upper()}: shown at the self-pay rate until benefits "
                   "are confirmed")
        return _self_pay_runs(days, rates, f"no {word} benefits reported", "not_covered", "not_covered"), payer
    if lb.fell_back_to_plan:
        notes.assume(f"the payer gave no behavioral-health amounts: the plan-level (STC 30) {word} figures were used")
    terms = resolve_terms(lb, notes, word)
    if payer is PayerClass.MEDICARE and rates.contracted_in_network_per_day is None \
            and level is Level.INPATIENT and rates.medicare_inpatient_per_diem is not None:
        allowed, assumption = rates.medicare_inpatient_per_diem, "allowed amount estimated: Medicare per diem used"
        notes.rates_used.add("medicare")
    else:
        allowed, assumption = commercial_allowed(rates, out)
        if allowed != rates.gross_charge_per_day or not assumption:
            notes.rates_used.add("contract")
    if assumption:
        notes.assume(assumption)
    emergency = out and level is Level.INPATIENT and payer is PayerClass.COMMERCIAL and protects(inp.emergency)
    if out and not emergency:
        notes.warn("out of network: the provider may bill you the difference between its charge and the plan's "
                   "allowed amount (balance billing), which does not count toward your out-of-pocket maximum")
    plan_begin = benefits.plan_begin
    year_of = plan_years(plan_begin)
    if not out and not advantage and lb.oop_max_individual and lb.oop_max_individual.total is not None:
        limit = figures.aca_self_only.get(year_of(days[0].date).year)
        if limit is not None and lb.oop_max_individual.total > limit:
            notes.warn(f"the reported in-network out-of-pocket maximum {format_usd(lb.oop_max_individual.total)} is "
                       f"above the ACA limit {format_usd(limit)}; check the benefits")
    virtual = telehealth_terms(lb, terms, notes) if has_telehealth(days) else None

    def price(plan_terms, plan_notes: Notes, on_days: Sequence[ServiceDay] = days, oon: bool = out,  # noqa: ANN001
              per_day: Decimal = allowed) -> list[DayLine]:
        return accumulate_commercial(on_days, plan_terms, allowed_per_day=per_day,
                                     gross_per_day=rates.gross_charge_per_day, self_pay_per_day=rates.self_pay_per_day,
                                     plan_year_of=year_of, current_plan_year=year_of(as_of), out_of_network=oon,
                                     is_inpatient=level is Level.INPATIENT, notes=plan_notes, virtual_terms=virtual)

    def price_runs(plan_terms: PlanTerms, on_days: Sequence[ServiceDay]) -> list[DayRun]:
        return commercial_runs(on_days, plan_terms, allowed_per_day=allowed,
                               gross_per_day=rates.gross_charge_per_day, self_pay_per_day=rates.self_pay_per_day,
                               plan_year_of=year_of, current_plan_year=year_of(as_of), out_of_network=out,
                               is_inpatient=level is Level.INPATIENT, notes=notes, virtual_terms=virtual)

    def price_out(on_days: Sequence[ServiceDay]) -> list[DayLine]:
        if deductible_unknown(terms):
            return price_with_unknown_deductible(
                terms, _find_benefits(benefits, level, Network.IN), cents(allowed) * len(on_days),
                lambda t, n: price(t, n, on_days=on_days), notes)
        return price(terms, notes, on_days=on_days)

    in_lb = _find_benefits(benefits, level, Network.IN) if emergency else None
    if emergency and in_lb is not None:
        in_terms = resolve_terms(in_lb, notes, "in-network")
        recognized = rates.contracted_in_network_per_day or allowed
        return runs_of(price_emergency_admission(days, inp.emergency, lambda ds, oon: price_out(ds) if oon else price(
            in_terms, notes, on_days=ds, oon=False, per_day=recognized), notes)), payer
    if out and deductible_unknown(terms):
        return runs_of(price_out(days)), payer
    return price_runs(terms, days), payer


def _medicaid_telehealth(days: Sequence[ServiceDay], figures: ProgramFigures, details: MedicaidDetails | None,
                         inp: PricingInput, rates: LevelRates, notes: Notes,
                         ) -> tuple[list[ServiceDay], list[DayLine], str]:
    """(days Medicaid pays, virtual days it does not, the rule in words) under the state's telehealth setting."""
    if not has_telehealth(days):
        return list(days), [], ""
    state = (details.state if details else None) or inp.state
    parity = medicaid_parity(figures.telehealth, state)
    where = f"{state.upper()} Medicaid" if state else "the state's Medicaid program"
    if parity is None:
        notes.assume(f"whether {where} pays telehealth program days like in-person days is not known: they are "
                     "priced as in person")
        notes.warn(f"confirm with {where} (or the managed-care plan) that telehealth program days are covered")
        return list(days), [], "state telehealth coverage not known: priced as in person"
    if parity:
        notes.assume(f"{where} pays telehealth program days like in-person days (state setting)")
        return list(days), [], "the state pays telehealth like in person"
    notes.warn(f"{where} does not cover telehealth program days (state setting): they are shown at the self-pay rate")
    return [d for d in days if not d.telehealth], lines_of(_self_pay_runs(
        [d for d in days if d.telehealth], rates, f"telehealth day not covered by {where}", "not_covered",
        "not_covered")), ""


def _sum(lines: Sequence[DayLine], attr: str) -> Decimal:
    return sum((getattr(d, attr) for d in lines), ZERO)


def _level_estimate(inp: PricingInput, course: Course, network: Network, benefits: NormalizedBenefits | None,
                    table: RateTable, figures: ProgramFigures, used: _Used,
                    others: Sequence[Coverage] = (), packed: list[PackedDays] | None = None) -> LevelEstimate:
    notes = Notes()
    rates = table.for_level(course.level)
    days = service_days(course, inp.calendar)
    runs, payer = _price_level(inp, course, days, network, benefits, rates, figures, notes, used)
    authorized = None
    if inp.authorization is not None and not inp.self_pay and benefits is not None and benefits.active is True:
        lines = lines_of(runs)  # flagged and repriced day by day
        authorized = apply_authorization(lines, course.level, inp.authorization, benefits, rates.self_pay_per_day,
                                         notes)
        runs = runs_of(lines)
    coordination = None
    if others and benefits is not None:
        def as_primary(plan: NormalizedBenefits) -> list[DayLine] | None:
            try:  # what this plan would pay alone on the same days (its own notes are not the patient's)
                return lines_of(_price_level(inp, course, days, Network.IN, plan, rates, figures, Notes(), _Used())[0])
            except ProblemError:
                return None

        lines = lines_of(runs)  # each plan pays its part day by day
        coordination = coordinate(lines, course.level, plan_name(benefits),
                                  others, as_primary=as_primary,
                                  qmb=bool(benefits.medicare and benefits.medicare.qmb), notes=notes)
        runs = runs_of(lines)
    note_closures(runs, days, course, inp.calendar, notes)
    professional = _professional(inp, course, network, benefits, days, runs, figures, notes, used)
    visits_paid_by = [] if professional is None or coordination is None or benefits is None else coordinate_visits(
        professional, primary_name=plan_name(benefits), others=others, notes=notes,
        qmb=bool(benefits.medicare and benefits.medicare.qmb),
        reprice=lambda plan: _professional(inp, course, Network.IN, plan, days, [], figures, Notes(), _Used()))
    first, last = runs[0].line.date, runs[-1].last_date
    if first < table.effective_date:
        notes.warn(f"rate table {table.version} takes effect {table.effective_date.isoformat()}, after the first "
                   "service day; its rates were used anyway")
    demo = sorted(kind for kind in notes.rates_used if table.is_demo(kind))
    if demo:
        notes.warn(f"DEMO rates ({table.version}): the {' and '.join(demo)} figures used are not the provider's own")
    above = [run for run in runs if run.line.allowed > run.line.gross > 0]
    if above:
        notes.warn(f"the allowed amount {format_usd(above[0].line.allowed)} a day is above the provider's charge "
                   f"{format_usd(above[0].line.gross)} on {sum(run.count for run in above)} day(s): check the fee "
                   "schedule (payers rarely allow more than the charge)")
    if benefits is not None and benefits.source is Source.MANUAL:
        notes.warn("benefits were entered by hand: confirm them with the payer")
    coverage_ends = benefits.eligibility_end if benefits is not None and not inp.self_pay else None
    if coverage_ends is not None:
        after = sum(1 for day in days if day.date > coverage_ends)
        if after:
            notes.warn(f"coverage ends {coverage_ends.isoformat()} per the payer: {after} service day(s) after that "
                       "are priced as if still covered; confirm coverage before scheduling them")
    totals, hours = level_totals(runs)
    patient = totals.patient_pays
    weeks = course.weeks
    if professional is not None:
        totals = professional.add_to(totals)
        patient = totals.patient_pays
    explanation = explain(runs)
    if professional is not None:
        explanation.append(ExplanationLine(kind=LineKind.SUMMARY, text=professional.summary,
                                           patient_pays=professional.section.patient_pays))
    basis = _network_basis(inp, network, benefits)
    if basis is not None and inp.network_choice is not None and not inp.network_choice.assumed:
        explanation.insert(0, ExplanationLine(kind=LineKind.EVENT, text=basis[0].upper() + basis[1:] + "."))
    spread = notes.patient_pays_range
    auth_phone = _authorization_phone(benefits, network, course.level, notes)
    payers = [] if coordination is None else _payer_shares(
        coordination, [*lines_of(runs), *(professional.lines if professional and professional.section.in_totals else [])],
        visits_paid_by)
    if payers:
        explanation.append(ExplanationLine(kind=LineKind.SUMMARY, text="Who pays: " + "; ".join(
            [f"{p.name} {format_usd(p.pays)}" for p in payers]
            + ([f"written off by the provider {format_usd(totals.provider_write_off)}"]
               if totals.provider_write_off else [])
            + [f"you {format_usd(totals.patient_pays)}"]) + "."))
    days_out = day_rows(runs) if inp.include_days else []
    if packed is not None:
        packed.append(pack_days(runs))
    return LevelEstimate(
        level=course.level, network=network, payer_class=payer, delivery=course.delivery,
        service_days=sum(run.count for run in runs),
        telehealth_days=sum(run.count for run in runs if run.line.telehealth), treatment_hours=hours,
        weeks=weeks.quantize(Decimal("0.01")), first_service_date=first, last_service_date=last, totals=totals,
        patient_pays_per_week=cents(patient / weeks) if weeks else patient,
        patient_pays_per_treatment_hour=cents(patient / hours) if hours else patient,
        explanation=explanation, assumptions=notes.assumptions,
        warnings=[*(w for w in inp.warnings if w.startswith(course.field_path) or course.level.value.upper() in w),
                  *notes.warnings],
        days=days_out, network_basis=basis, payers=payers,
        authorization=None if authorized is None else AuthorizationOut(
            number=authorized.number, approved=authorized.approved, unit=authorized.unit,
            days_authorized=authorized.days_authorized, days_past=authorized.days_past,
            first_day_past=authorized.first_day_past, next_review=authorized.next_review, phone=authorized.phone,
            over_authorization=authorized.treatment),
        authorization_phone=auth_phone,
        patient_pays_range=None if spread is None else PatientPaysRange(low=spread[0], high=spread[1],
                                                                         reason=spread[2]),
        professional=None if professional is None else professional.section,
    )


def _professional(inp: PricingInput, course: Course, network: Network, benefits: NormalizedBenefits | None,
                  days: Sequence[ServiceDay], runs: Sequence[DayRun], figures: ProgramFigures, notes: Notes,
                  used: _Used) -> ProfessionalResult | None:
    """The practitioners' visits of this course, priced with its payer (professional.py), when asked for."""
    if not inp.professional.wanted(course.field_path) or figures.professional is None:
        return None
    visits, typical = course_visits(figures.professional, course.level, days,
                                    inp.professional.visits.get(course.field_path), course.field_path)
    if typical:
        notes.assume(typical)
    return price_professional(
        visits, level=course.level, network=network, benefits=benefits, self_pay=inp.self_pay,
        level_benefits=None if benefits is None else _find_benefits(benefits, course.level, network),
        facility_lines=lines_of(runs), schedule=figures.professional, figures=figures,
        as_of=inp.benefits_as_of or days[0].date, notes=notes, medicare_years_used=used.medicare_years,
        medicaid=MedicaidFacts(person=dataclasses.replace(inp.medicaid_person, stated_exempt=inp.medicaid_exempt),
                               household_size=inp.household_size, annual_income=inp.annual_income,
                               monthly_income=inp.monthly_income, state=inp.state,
                               cap_period=inp.medicaid_cap_period))


def _authorization_phone(benefits: NormalizedBenefits | None, network: Network, level: Level,
                         notes: Notes) -> str | None:
    """The payer's authorization line, when this level needs an authorization."""
    if benefits is None:
        return None
    lb = _find_benefits(benefits, level, network)
    if lb is None or not lb.prior_authorization_required:
        return None
    phone = authorization_phone(benefits)
    if phone:
        notes.warn(f"the payer's authorization line: {phone}")
    return phone


def _payer_shares(coordination: Coordination, lines: Sequence[DayLine],
                  visits_paid_by: Sequence[PayerTotal] = ()) -> list[PayerShare]:
    """Who pays what of the level (days and the practitioners' visits), primary first."""
    primary = coordination.payers[0]
    primary.pays = _sum(lines, "payer")
    for visits in visits_paid_by:
        for payer in coordination.payers:
            if payer.order == visits.order:
                payer.pays += visits.pays
    return [PayerShare(order=p.order, name=p.name, kind=p.kind, pays=p.pays, note=p.note) for p in coordination.payers]


def _network_basis(inp: PricingInput, network: Network, benefits: NormalizedBenefits | None) -> str | None:
    if not has_networks(benefits, inp.self_pay) or benefits is None or benefits.active is not True:
        return None
    choice = inp.network_choice
    if choice is not None and choice.network is network:
        return choice.basis
    words = "in network" if network is Network.IN else "out of network"
    return f"{words}: as the request asked" if inp.network is not None else f"{words}: assumed"


def has_networks(benefits: NormalizedBenefits | None, self_pay: bool) -> bool:
    """Commercial and Medicare Advantage plans have provider networks (and are priced by the commercial engine)."""
    return benefits is not None and not self_pay and (
        benefits.payer_class is PayerClass.COMMERCIAL
        or (benefits.payer_class is PayerClass.MEDICARE and is_medicare_advantage(benefits)))


def _networks(inp: PricingInput, benefits: NormalizedBenefits | None, notes: Notes) -> list[Network]:
    commercial_like = has_networks(benefits, inp.self_pay)
    choice = inp.network_choice if commercial_like else None
    if inp.network is None:
        wanted = [choice.network if choice is not None else Network.IN]
    else:
        wanted = {NetworkPreference.IN: [Network.IN], NetworkPreference.OUT: [Network.OUT],
                  NetworkPreference.BOTH: [Network.IN, Network.OUT]}[inp.network]
        if choice is not None and not choice.assumed and choice.network not in wanted:
            notes.warn(f"priced {' and '.join(n.value for n in wanted)} of network as asked, but the provider's "
                       f"contracts say: {choice.basis}")
    if choice is not None and choice.assumed:
        notes.assume(choice.basis)
    if not commercial_like and Network.OUT in wanted:
        if benefits is not None and not inp.self_pay and benefits.payer_class is not PayerClass.SELF_PAY:
            notes.warn("networks apply to commercial and Medicare Advantage plans only: one estimate is shown")
        return [Network.IN]
    return wanted


def estimate_levels(inp: PricingInput, benefits: NormalizedBenefits | None, rates: RateTable,
                    figures: ProgramFigures, *, packed_days: list[PackedDays] | None = None) -> EstimateComparison:
    """Price every requested level (and network) and compare them for the patient. With ``packed_days`` (a list to
    fill) each level's days are also packed into it, in the order of the estimates (``packed_days.py``; with
    ``include_days=False`` the rows themselves are then never built)."""
    if not inp.courses:
        raise InvalidInput("no levels to estimate", field="$.levels")
    notes = Notes()
    for warning in inp.warnings:
        notes.warn(warning)
    if benefits is not None and not inp.self_pay:
        for warning in benefits.warnings:  # what the payer's answer lacked travels with every estimate from it
            notes.warn(f"benefits: {warning}")
    used = _Used()
    others: list[Coverage] = []
    if benefits is not None and not inp.self_pay and benefits.active is True:
        given = [*inp.other_coverage, *named_coverages(benefits, inp.other_coverage)]
        if given or any(o.order is CoverageOrder.PRIMARY for o in benefits.other_payers):
            benefits, others = order_coverages(benefits, inp.subscriber_birthday, given, notes)
            benefits = without_medigap_flags(benefits, others)
    estimates = [_level_estimate(inp, course, network, benefits, rates, figures, used, others, packed_days)
                 for course in inp.courses for network in _networks(inp, benefits, notes)]
    # Each level's total, unranked: which level of care fits is a clinical decision, not a price one.
    summary = "; ".join(
        f"{e.level.value.upper()}{_DELIVERY_WORDS[e.delivery]}{' out of network' if e.network is Network.OUT else ''}: "
        f"{format_usd(e.totals.patient_pays)} for {e.service_days} days" for e in estimates) + "."
    figures_used = FiguresUsed(
        medicare_calendar_years=sorted(used.medicare_years), ipf_fiscal_years=sorted(used.ipf_years),
        medicaid_basis=used.medicaid_basis, poverty_guideline_year=used.poverty_year,
        rate_table_version=rates.version, rate_table_effective=rates.effective_date, reference_files=REFERENCE_FILES,
    )
    return EstimateComparison(estimates=estimates, summary=summary,
                              figures=figures_used, assumptions=notes.assumptions, warnings=notes.warnings)


def estimate(inp: PricingInput, benefits: NormalizedBenefits | None, rates: RateTable,
             figures: ProgramFigures | None = None) -> EstimateComparison:
    """:func:`estimate_levels` with the shipped reference figures (loaded once, cached)."""
    if figures is None:
        from service.pricing.program_figures import load_program_figures

        figures = load_program_figures()
    return estimate_levels(inp, benefits, rates, figures)
