"""Making an estimate: resolve the benefits source -> rates in force -> the pure engine -> affordability -> store.

The edge (a route, a CLI) passes "today"; nothing here reads a clock. An estimate reads what it prices
with in one statement (or reuses an earlier estimate's reading, ``estimate_inputs.py``), and writes its row with
its audit row in another, one transaction (migrations 0970, 0991), with the estimates other requests store meanwhile
(0996). :func:`reproduce` re-runs the pure engine from what an estimate stored (request, benefits, its
own copy of the rates, its as-of date), so a later fee-schedule version or benefits change never alters
an estimate already made.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import msgspec

from contracts.benefits import NormalizedBenefits
from contracts.estimate import EstimateComparison, EstimateRequest, EstimateResponse, LevelEstimate
from service import read_aloud
from service.access.audit import patient_key
from service.access.roles import Caller
from service.config import Settings
from service.errors import FieldError, InvalidInput, NotFound, ProblemError, Unprocessable
from service.money import format_usd
from service.pricing.closures import ProgramCalendar
from service.pricing.cob import Coverage, coverage_from_dict, coverage_of, coverage_to_dict
from service.pricing.estimate import (
    PricingInput,
    check_one_source,
    estimate_levels,
    has_networks,
    pricing_input_from_request,
)
from service.pricing.estimate_inputs import EstimateInputs, estimate_inputs
from service.pricing.medicaid_imd import MedicaidImdSettings
from service.pricing.network import NetworkChoice, choose_network
from service.pricing.opps_per_diem import MedicareOutpatient
from service.pricing.packed_days import PackedDays
from service.pricing.professional_fees import fee_schedule_from_reference
from service.pricing.program_figures import ProgramFigures, load_program_figures
from service.pricing.schedules import StoredRateTable, seed_demo_rates
from service.pricing.selfpay.coverage_screen import coverage_screen, load_expansion
from service.pricing.store import insert_estimate, load_estimate, read_answer_audited
from service.pricing.stored_answer import with_stored_detail

PricedT = TypeVar("PricedT")

#: Days after a level's first service day that its first payment-plan payment falls due.
FIRST_PAYMENT_AFTER_DAYS = 30
#: Readings of the reference data one estimate is priced from, at most (``price_then_store``).
READINGS = 3


@dataclass(frozen=True, slots=True)
class ResolvedBenefits:
    kind: str  # eligibility_check | x12_271 | manual | self_pay
    benefits: NormalizedBenefits | None
    patient_key: str | None = None
    eligibility_check_id: uuid.UUID | None = None
    payer_id: str | None = None
    #: The date of service the payer answered for (a stored check's), None when not known.
    date_of_service: dt.date | None = None


class CheckNotQuotable(Unprocessable):
    slug, title = "eligibility-not-quotable", "These benefits cannot be priced"


def _refuse_unanswered(benefits: NormalizedBenefits, status: str, field: str) -> None:
    """A check the payer rejected, or answered without saying whether coverage is active, is no basis for a
    quote: pricing it would silently show the caller as self-pay. Say what to fix instead."""
    if status not in ("rejected", "unknown"):
        return
    from service.eligibility.service import message_for  # noqa: PLC0415

    fix = ("correct the member id, name or date of birth and run a new eligibility check"
           if status == "rejected" else "confirm coverage with the payer by phone")
    raise CheckNotQuotable(f"{message_for(benefits, status)} No estimate was made: {fix}, or enter the benefits "
                           "by hand (manual), or quote self-pay (self_pay: true).", field=field)


def _prefixed(errors: list[tuple[str, str]], prefix: str) -> list[FieldError]:
    return [FieldError(field=f"{prefix}.{f}" if not f.startswith("$") else f, reason=r) for f, r in errors]


async def _check_benefits(pool: asyncpg.Pool | asyncpg.Connection, text: str,
                          field: str) -> tuple[NormalizedBenefits, dict[str, Any], uuid.UUID]:
    from service.eligibility.service import get_check_benefits  # noqa: PLC0415

    try:
        check_id = uuid.UUID(text)
    except ValueError:
        raise NotFound("No eligibility check with this id.", field=field) from None
    try:
        benefits, facts = await get_check_benefits(pool, check_id)
    except NotFound as exc:
        raise NotFound(exc.detail or "No eligibility check with this id.", field=field) from None
    _refuse_unanswered(benefits, facts.get("status") or _status_of(benefits), field)
    return benefits, facts, check_id


def _manual_benefits(entry: Any, field: str) -> NormalizedBenefits:
    from service.eligibility.manual import ManualEntryError, benefits_from_manual  # noqa: PLC0415

    try:
        return benefits_from_manual(entry)
    except ManualEntryError as exc:
        raise Unprocessable(exc.detail, slug="manual-benefits-invalid", title=exc.title,
                            errors=_prefixed(exc.errors, field)) from None


async def resolve_benefits(pool: asyncpg.Pool | asyncpg.Connection, request: EstimateRequest) -> ResolvedBenefits:
    """The request's one benefits source as :class:`NormalizedBenefits` (None for self-pay)."""
    if request.eligibility_check_id is not None:
        benefits, facts, check_id = await _check_benefits(pool, request.eligibility_check_id, "$.eligibility_check_id")
        return ResolvedBenefits("eligibility_check", benefits, facts.get("patient_key"), check_id,
                                facts.get("payer_id") or benefits.payer_id, facts.get("date_of_service"))
    if request.x12_271 is not None:
        from service.eligibility.service import read_held_271  # noqa: PLC0415

        _parsed, benefits, key = await read_held_271(request.x12_271, field="$.x12_271")
        _refuse_unanswered(benefits, _status_of(benefits), "$.x12_271")
        return ResolvedBenefits("x12_271", benefits, key, None, benefits.payer_id)
    if request.manual is not None:
        return ResolvedBenefits("manual", _manual_benefits(request.manual, "$.manual"), None, None,
                                request.manual.payer_id)
    return ResolvedBenefits("self_pay", None)


async def resolve_other_coverage(pool: asyncpg.Pool | asyncpg.Connection,
                                 request: EstimateRequest) -> tuple[Coverage, ...]:
    """The request's other plans with their terms (a second check, or benefits entered by hand)."""
    found = []
    for i, entry in enumerate(request.other_coverage):
        field = f"$.other_coverage[{i}]"
        if (entry.eligibility_check_id is None) == (entry.manual is None):
            raise InvalidInput("give exactly one of eligibility_check_id or manual for each other plan", field=field)
        if entry.eligibility_check_id is not None:
            benefits = (await _check_benefits(pool, entry.eligibility_check_id, f"{field}.eligibility_check_id"))[0]
        else:
            benefits = _manual_benefits(entry.manual, f"{field}.manual")
        if benefits.active is not True:
            raise Unprocessable(f"the plan in other_coverage[{i}] is not active on the date of service: remove it",
                                field=field)
        found.append(coverage_of(benefits, order=entry.order, method=entry.cob_method,
                                 birthday=entry.subscriber_birthday))
    return tuple(found)


def _status_of(benefits: NormalizedBenefits) -> str:
    from service.eligibility.benefits import check_status  # noqa: PLC0415

    return check_status(benefits)


def _patient_key(request: EstimateRequest, resolved: ResolvedBenefits) -> str | None:
    if resolved.patient_key is not None:
        return resolved.patient_key
    p = request.patient
    if p is None:
        return None
    return patient_key(p.last_name, p.first_name, p.date_of_birth.isoformat() if p.date_of_birth else "", p.member_id)


def _pinned(inputs: EstimateInputs, label: str | None) -> dict[str, str] | None:
    if label is None:
        return None
    kind = inputs.pinned_kind(label)
    if kind is None:
        raise Unprocessable(f"no fee-schedule version named {label[:120]!r}", field="$.rate_table_version")
    return {kind: label}


def _figures_used(comparison: EstimateComparison, table: StoredRateTable, extra: dict[str, Any]) -> dict[str, Any]:
    f = comparison.figures
    return {"medicare_calendar_years": f.medicare_calendar_years, "ipf_fiscal_years": f.ipf_fiscal_years,
            "medicaid_basis": f.medicaid_basis, "poverty_guideline_year": f.poverty_guideline_year,
            "rate_table_version": table.version, "rate_versions_by_kind": dict(table.versions_by_kind), **extra}


def _course_dates(request: EstimateRequest, resolved: ResolvedBenefits, as_of: dt.date) -> dict[str, dt.date]:
    """Where a course starts when the request gives no start date, and the date the benefits' remaining amounts
    are as of: the date of service the payer answered for (a stored check's), else the estimate's as-of date.
    Starting on the server's date instead could cross into another plan year and charge a second deductible."""
    dos = resolved.date_of_service
    return {"course_default_start": dos or as_of, "benefits_as_of": request.as_of or dos or as_of}


def _iso(dates: dict[str, dt.date]) -> dict[str, str]:
    return {k: v.isoformat() for k, v in dates.items()}


def _stored_date(figures: dict[str, Any], key: str, fallback: dt.date) -> dt.date:
    value = figures.get(key)
    return dt.date.fromisoformat(value) if value else fallback


def compute(inp: PricingInput, benefits: NormalizedBenefits | None, table: StoredRateTable,
            figures: ProgramFigures, *, packed_days: list[PackedDays] | None = None) -> EstimateComparison:
    """The pure engine (the one place both a new estimate and :func:`reproduce` call it), plus the coverage
    screen for an uninsured or inactive caller (``selfpay/coverage_screen.py``); ``packed_days`` as
    :func:`estimate_levels` takes it."""
    comparison = estimate_levels(inp, benefits, table, figures, packed_days=packed_days)
    if not (inp.self_pay or benefits is None or benefits.active is False):
        return comparison
    annual = inp.annual_income if inp.annual_income is not None else (
        inp.monthly_income * 12 if inp.monthly_income is not None else None)
    screen = coverage_screen(state=inp.state, household_size=inp.household_size, annual_income=annual,
                             on=min(c.start_date for c in inp.courses), figures=figures, expansion=load_expansion())
    if not screen:
        return comparison
    return msgspec.structs.replace(comparison, warnings=[*comparison.warnings, *screen],
                                   summary=f"{comparison.summary} {screen[0]}")


async def _with_affordability(pool: asyncpg.Pool, comparison: EstimateComparison, request: EstimateRequest, *,
                              inputs: EstimateInputs, assistance_policy: str, table: StoredRateTable,
                              packed_days: list[PackedDays],
                              with_schedules: bool = True) -> tuple[EstimateComparison, dict[str, Any]]:
    try:
        from service.pricing.selfpay.affordability import (  # noqa: PLC0415
            SharedHouseholdFacts,
            affordability_for_level,
            discount_could_apply,
            household_for_affordability,
        )
        from service.pricing.selfpay.financial_assistance import government_payment  # noqa: PLC0415
        from service.pricing.selfpay.store import affordability_config_of, load_affordability_config  # noqa: PLC0415
    except ImportError:  # self-pay area not installed: the section stays None
        return comparison, {}
    # The poverty guideline and the sliding-fee schedule are those in force on the date of service (the first
    # service day), as the engine's Medicaid band is, not on the day the estimate is made: those read with the
    # inputs (in force on the course's first day) unless a new version starts by the first service day.
    first_day = min(level.first_service_date for level in comparison.estimates)
    in_force = inputs.config_on(first_day)
    config = (affordability_config_of(in_force, inputs.organization_id, assistance_policy) if in_force is not None
              else await load_affordability_config(pool, first_day, inputs.organization_id,
                                                   assistance_policy=assistance_policy))
    could_discount = discount_could_apply(config, self_pay=request.self_pay)
    household = household_for_affordability(request.household, income_matters=could_discount)
    levels: list[LevelEstimate] = []
    shared = SharedHouseholdFacts()
    for level, days in zip(comparison.estimates, packed_days, strict=True):
        section = affordability_for_level(
            level, household=household, config=config, on=level.first_service_date, self_pay=request.self_pay,
            first_due_date=level.first_service_date + dt.timedelta(days=FIRST_PAYMENT_AFTER_DAYS),
            proof_of_income_seen=bool(request.household and request.household.proof_of_income_seen),
            government=None if config.policy.uses_sliding_fee else government_payment(table, level), shared=shared,
            # each day's share only where a sliding fee could discount it day by day
            day_patient_pays=days.patient_pays() if could_discount else None, with_schedules=with_schedules)
        levels.append(msgspec.structs.replace(level, affordability=section))
    summary = comparison.summary
    assisted = [lv for lv in levels if lv.affordability and lv.affordability.financial_assistance is not None
                and lv.affordability.discount > 0]
    if assisted:  # said as intake reads it out: what the caller would owe under the organization's policy
        owed = "; ".join(f"{lv.level.value.upper()}: {format_usd(lv.affordability.balance_after_discount)}"  # type: ignore[union-attr]
                         for lv in assisted)
        summary += f" Under the {config.policy.title}: {owed}."
    discounted = [lv for lv in levels if lv.affordability and lv.affordability.sliding_fee is not None
                  and lv.affordability.discount > 0]
    if discounted:  # what intake reads out should be what the caller would owe after the sliding fee
        tier = discounted[0].affordability.sliding_fee.tier_code  # type: ignore[union-attr]
        owed = "; ".join(f"{lv.level.value.upper()}: {format_usd(lv.affordability.balance_after_discount)}"  # type: ignore[union-attr]
                         for lv in discounted)
        summary += f" After the sliding-fee discount (tier {tier}): {owed}."
    used = {"affordability": {"organization_id": config.organization_id,
                              "financial_assistance_policy": config.policy.code,
                              "sliding_fee_schedule_version": config.schedule_version,
                              "payment_plan_rules_version": config.rules_version}}
    return msgspec.structs.replace(comparison, estimates=levels, summary=summary), used


def program_calendar(settings: Settings) -> ProgramCalendar:
    """The day programs' closed days as the settings give them (federal holidays, the provider's own)."""
    return ProgramCalendar(federal_holidays=settings.program_federal_holidays,
                           closed_dates=dict(settings.program_closed_dates))


def _network_choice(request: EstimateRequest, resolved: ResolvedBenefits, inputs: EstimateInputs) -> NetworkChoice | None:
    """The payer-contract registry's network for a plan with networks: commercial, Medicare Advantage, and a Medicaid
    managed-care plan, matched on its name (None for any other payer)."""
    benefits = resolved.benefits
    if benefits is None or benefits.active is not True or request.self_pay:
        return None
    mco = benefits.medicaid.managed_care_plan if benefits.medicaid is not None else None
    if not has_networks(benefits, request.self_pay) and mco is None:
        return None
    return choose_network(inputs.contracts, payer_id=resolved.payer_id, payer_name=mco or benefits.payer_name,
                          plan_codes=(request.plan_code, benefits.plan_name, mco), on=inputs.on,
                          any_in_force=inputs.any_contract_in_force)


class ReferenceDataChanging(ProblemError):
    status, slug, title = 503, "reference-data-changing", "The rates are being changed"


@dataclass(frozen=True, slots=True)
class _Priced:
    """An estimate priced from one reading of the reference data, as it will be stored."""

    estimate_id: uuid.UUID
    response: EstimateResponse
    table: StoredRateTable
    packed: list[PackedDays]
    figures_used: dict[str, Any]


async def price_then_store(read_inputs: Callable[[bool], Awaitable[EstimateInputs]],
                           price: Callable[[EstimateInputs], Awaitable[PricedT]],
                           store: Callable[[PricedT, int], Awaitable[bool]]) -> PricedT:
    """Price from a reading of the reference data (``read_inputs(fresh)``: the first may be one kept from an earlier
    estimate, ``estimate_inputs.py``), and store what was priced, generation-checked: ``store`` stores nothing, and
    answers False, when the reference data changed after that reading was taken. Then, and when a kept reading
    refuses the estimate (rows imported since by any process would be missing from it), price again from a fresh
    reading; a fresh reading's refusal is the answer. At most :data:`READINGS` readings: reference data that changes
    under every one of them is a 503 (try again), never an estimate stored from rows that had changed."""
    for reading in range(READINGS):
        inputs = await read_inputs(reading > 0)
        if inputs.generation is None:
            raise RuntimeError("a reading without its generation cannot be stored checked")
        try:
            priced = await price(inputs)
        except ProblemError:
            if not inputs.kept:
                raise
            continue
        if await store(priced, inputs.generation):
            return priced
    raise ReferenceDataChanging(f"The fee schedules, contracts or affordability rules changed {READINGS} times "
                                "while this estimate was priced; nothing was stored. Send it again.",
                                retry_after_seconds=1)


def medicare_outpatient(settings: Settings) -> MedicareOutpatient:
    """The provider's Medicare outpatient setting and OPPS wage index, as the settings give them."""
    return MedicareOutpatient(setting=settings.medicare_outpatient_setting,
                              wage_index=settings.medicare_opps_wage_index)


def medicaid_imd(settings: Settings) -> MedicaidImdSettings:
    """The hospital's bed count and its state's IMD choices, as the settings give them."""
    return MedicaidImdSettings(psychiatric_beds=settings.provider_psychiatric_beds,
                               state_1115_waiver=settings.medicaid_imd_1115_waiver,
                               mco_in_lieu_of=settings.medicaid_mco_imd_in_lieu_of)


def with_professional_fees(figures: ProgramFigures, fees: dict[str, Any] | None) -> ProgramFigures:
    """The figures with the practice's own professional fee schedule, when it has one."""
    if fees is None:
        return figures
    return dataclasses.replace(figures, professional=fee_schedule_from_reference(fees))


def provider_terms(settings: Settings) -> dict[str, Any]:
    """Everything :func:`create_estimate` takes from the settings (closures, Medicare outpatient setting, IMD facts,
    the financial-assistance policy, the practitioners' visits and fees), for every caller of it (the REST route and
    the console)."""
    return {"calendar": program_calendar(settings), "outpatient": medicare_outpatient(settings),
            "imd": medicaid_imd(settings), "assistance_policy": settings.financial_assistance_policy,
            "professional_default": settings.professional_services_in_estimates,
            "professional_fees": settings.professional_fees}


async def create_estimate(pool: asyncpg.Pool, request: EstimateRequest, *, caller: Caller | None,
                          request_id: str | None, today: dt.date, now: dt.datetime,
                          calendar: ProgramCalendar, outpatient: MedicareOutpatient,
                          imd: MedicaidImdSettings, assistance_policy: str, professional_default: bool = False,
                          professional_fees: dict[str, Any] | None = None, with_days: bool = True,
                          with_schedules: bool = True) -> EstimateResponse:
    """Compute, store and audit one estimate; return what the caller is shown (with its id).

    The per-day rows are stored packed and the payment plans without their schedules (``stored_answer.py``); the
    answer carries the rows only ``with_days``, the schedules only ``with_schedules``.

    ``professional_default`` (PROFESSIONAL_SERVICES_IN_ESTIMATES) stands in for a request that does not say
    ``professional_services``; the stored request records the value used, so the estimate reproduces.
    ``professional_fees`` (PROFESSIONAL_FEES_FILE) is the practice's own professional fee schedule, kept with the
    estimate's figures for the same reason."""
    if request.professional_services is None:
        request = msgspec.structs.replace(request, professional_services=professional_default)
    as_of = request.as_of or today
    figures = with_professional_fees(load_program_figures(), professional_fees)
    check_one_source(request)
    resolved = await resolve_benefits(pool, request)
    dates = _course_dates(request, resolved, as_of)
    inp = pricing_input_from_request(request, default_start=dates["course_default_start"], figures=figures,
                                     benefits_as_of=dates["benefits_as_of"], calendar=calendar,
                                     medicare_outpatient=outpatient, medicaid_imd=imd)
    inp = dataclasses.replace(inp, include_days=False)  # packed instead, below
    on = min(c.start_date for c in inp.courses)
    others = await resolve_other_coverage(pool, request)  # audited reads of other checks: committed on their own
    key = _patient_key(request, resolved)
    await seed_demo_rates(pool)  # once per pool, on a connection of its own, before this request takes one
    # The provider's contracts, rates and affordability rules in one statement (or kept from an earlier estimate of
    # this pool, estimate_inputs.py), and the estimate stored with its audit row in another (migrations 0970, 0996):
    # each sets the organization for itself, in its own transaction.

    async def read_inputs(fresh: bool) -> EstimateInputs:
        return await estimate_inputs(pool, payer_id=resolved.payer_id, plan_code=request.plan_code, on=on,
                                     pinned_label=request.rate_table_version, fresh=fresh)

    async def price(inputs: EstimateInputs) -> _Priced:
        choice = _network_choice(request, resolved, inputs)
        priced_inp = dataclasses.replace(inp, network_choice=choice, other_coverage=others)
        pinned = _pinned(inputs, request.rate_table_version)
        if pinned is None and choice is not None and choice.contract is not None and choice.contract.in_network \
                and choice.contract.fee_schedule_version and has_networks(resolved.benefits, request.self_pay):
            pinned = {"contract": choice.contract.fee_schedule_version}  # the contract's own rates
        table = inputs.rate_table(pinned)
        packed: list[PackedDays] = []
        comparison = compute(priced_inp, resolved.benefits, table, figures, packed_days=packed)
        comparison, extra = await _with_affordability(pool, comparison, request, inputs=inputs,
                                                      assistance_policy=assistance_policy, table=table,
                                                      packed_days=packed, with_schedules=False)
        extra["program_calendar"] = calendar.to_dict()
        extra["network_choice"] = choice.to_dict() if choice is not None else None
        extra["other_coverage"] = [coverage_to_dict(c) for c in others]
        extra["medicare_outpatient"] = outpatient.to_dict()
        extra["medicaid_imd"] = imd.to_dict()
        if professional_fees is not None:
            extra["professional_fees"] = professional_fees
        estimate_id = uuid.uuid4()
        response = EstimateResponse(estimate_id=str(estimate_id), comparison=comparison,
                                    benefits_source=resolved.kind, rate_version_ids=list(table.version_ids),
                                    created_at=now, read_aloud=read_aloud.for_estimate(resolved.benefits, comparison,
                                                                                       request))
        return _Priced(estimate_id, response, table, packed, _figures_used(comparison, table, {**extra, **_iso(dates)}))

    async def store(priced: _Priced, generation: int) -> bool:
        return await insert_estimate(pool, estimate_id=priced.estimate_id, created_at=now,
                                     caller=caller, request_id=request_id, patient_key=key, request=request,
                                     benefits_source=resolved.kind, eligibility_check_id=resolved.eligibility_check_id,
                                     as_of=as_of, benefits=resolved.benefits, rates=priced.table,
                                     figures=priced.figures_used, response=priced.response,
                                     packed_days=priced.packed, inputs_generation=generation)

    priced = await price_then_store(read_inputs, price, store)
    return with_stored_detail(priced.response, priced.packed, days=with_days, schedules=with_schedules)


async def read_estimate(pool: asyncpg.Pool, estimate_id: uuid.UUID, *, caller: Caller | None,
                        request_id: str | None, detail: frozenset[str] | None = None) -> EstimateResponse:
    """The estimate exactly as it was returned when made (audited, in the same statement; a miss is audited as
    not_found); with ``detail``, only the per-day rows and payment schedules it names are built (as
    ``load_estimate``)."""
    answer = await read_answer_audited(pool, estimate_id, caller=caller, request_id=request_id, detail=detail)
    if answer is None:
        raise NotFound(f"no estimate {estimate_id}")
    return answer


async def reproduce(conn: asyncpg.Pool | asyncpg.Connection, estimate_id: uuid.UUID | str, *,
                    figures: ProgramFigures | None = None) -> EstimateComparison:
    """Re-run the pure engine from the stored request, benefits, rates copy and as-of date.

    Returns the engine's comparison (without the affordability sections, which depend on the
    organization's schedule); equal to the stored response's comparison with those removed.
    """
    stored = await load_estimate(conn, estimate_id, with_benefits=True)
    figures = with_professional_fees(figures or load_program_figures(), stored.figures.get("professional_fees"))
    inp = pricing_input_from_request(
        stored.request, default_start=_stored_date(stored.figures, "course_default_start", stored.as_of),
        figures=figures, benefits_as_of=_stored_date(stored.figures, "benefits_as_of", stored.as_of),
        calendar=ProgramCalendar.from_dict(stored.figures.get("program_calendar")),
        medicare_outpatient=MedicareOutpatient.from_dict(stored.figures.get("medicare_outpatient")),
        medicaid_imd=MedicaidImdSettings.from_dict(stored.figures.get("medicaid_imd")))
    inp = dataclasses.replace(inp, network_choice=NetworkChoice.from_dict(stored.figures.get("network_choice")),
                              other_coverage=tuple(coverage_from_dict(c)
                                                   for c in stored.figures.get("other_coverage") or ()))
    return compute(inp, stored.benefits, stored.rates, figures)


def without_affordability(comparison: EstimateComparison) -> EstimateComparison:
    return msgspec.structs.replace(
        comparison, estimates=[msgspec.structs.replace(e, affordability=None) for e in comparison.estimates])


__all__ = ["create_estimate", "read_estimate", "reproduce", "resolve_benefits", "without_affordability",
           "InvalidInput"]
