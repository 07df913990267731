"""Self-pay REST routes: admin sliding fee schedules and payment plan rules, the FPL calculator,
payment plans on an estimate, and Good Faith Estimates (issue, JSON, printable page, FHIR bundle).

Estimates are read with ``service.pricing.store.load_estimate`` (the pricing area). A level's
affordability (balance after the sliding fee, monthly income, plan rules) is taken from the
estimate when it carries it, else recomputed with the configuration in force on the day the
estimate was made. GFEs are issued with self-pay (cash) prices as charges - a GFE is for
uninsured and self-pay patients - and list sliding fee discounts only for self-pay estimates.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Response

from contracts.benefits import Level
from contracts.estimate import LevelEstimate
from contracts.selfpay import (
    AcceptedPaymentPlan,
    AffordabilitySection,
    CodeSystem,
    EstimatePaymentPlanRequest,
    FplCalculatorRequest,
    FplCalculatorResponse,
    GfeAddress,
    GfeDisclaimer,
    GfeDiscountLine,
    GfeItem,
    GfeIssueRequest,
    GfePatient,
    GfePrimaryService,
    GfeProvider,
    GoodFaithEstimateRequest,
    IssuedGoodFaithEstimate,
    PaymentPlanRulesCreate,
    PaymentPlanRulesList,
    SlidingFeeSchedule,
    SlidingFeeScheduleCreate,
    SlidingFeeScheduleList,
    StoredPaymentPlanRules,
    StoredSlidingFeeSchedule,
)
from service.access.audit import patient_key, record
from service.access.organizations import own_organization
from service.access.roles import Caller, Role, allow, caller_of
from service.errors import FieldError, InvalidInput, NotFound, ProblemError, Unprocessable, request_id_of
from service.money import cents, percent_of
from service.pricing.selfpay import store
from service.pricing.selfpay.affordability import affordability_for_level, household_for_affordability
from service.pricing.selfpay.gfe import GfeInvalid, build_gfe, co_provider_item_fields, render_html
from service.pricing.selfpay.financial_assistance import DEFAULT_POLICY
from service.pricing.selfpay.gfe_fhir import encode_bundle, to_fhir_bundle
from service.pricing.selfpay.payment_plans import (
    PaymentPlanRulesInvalid,
    PlanRuleViolation,
    amortize,
    plan_violations,
    rules_errors,
)
from service.pricing.selfpay.poverty import determine_fpl
from service.pricing.selfpay.sliding_fee import default_schedule, tier_for, tier_range_text, validate_schedule

FHIR_JSON = "application/fhir+json"

LEVEL_DESCRIPTIONS = {
    Level.IOP: "Intensive outpatient program (IOP) for mental health",
    Level.PHP: "Partial hospitalization program (PHP) for mental health",
    Level.INPATIENT: "Inpatient psychiatric hospital care",
}


#: Said on a GFE issued from an estimate priced with the patient's insurance (the patient chose self-pay).
SELF_PAY_CHOICE = GfeDisclaimer(
    code="self_pay_chosen",
    text=(
        "You have health coverage but chose to pay for this care yourself (self-pay), without a claim to your plan. "
        "The prices shown are self-pay prices."
    ),
)


def _provider_address(settings: Any) -> GfeAddress:
    """Where care is given, from the PROVIDER_ADDRESS_LINE / _CITY / _STATE / _POSTAL_CODE settings."""
    return GfeAddress(
        lines=[settings.provider_address_line],
        city=settings.provider_city,
        state=settings.provider_state,
        postal_code=settings.provider_postal_code,
    )


class EstimatesUnavailable(ProblemError):
    status, slug, title = 503, "estimates-unavailable", "Stored estimates cannot be read right now"


def _pool(request: Request) -> asyncpg.Pool:
    return request.app.state.pool



def _today() -> dt.date:
    return dt.date.today()


def _first_of_next_month(today: dt.date) -> dt.date:
    return dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)


# --------------------------------------------------------------------------- stored estimates (pricing area)


async def _load_estimate(conn: Any, estimate_id: str, *, caller: Caller | None, action: str,
                         request_id: str | None) -> Any:
    """The stored estimate; a probe for one that does not exist (or is another organization's) is audited, then 404."""
    try:
        from service.pricing.store import load_estimate
    except ImportError as exc:  # the pricing store has not landed
        raise EstimatesUnavailable("the estimate store is not available in this build") from exc
    try:
        return await load_estimate(conn, estimate_id)
    except NotFound:
        await record(conn, caller=caller, action=action, resource_type="estimate", resource_id=estimate_id[:64],
                     request_id=request_id, outcome="not_found")
        raise


def _levels_of(stored: Any) -> list[LevelEstimate]:
    return list(stored.response.comparison.estimates)


def _find_level(stored: Any, level: str, network: str | None, field: str) -> LevelEstimate:
    try:
        wanted = Level(level)
    except ValueError:
        raise InvalidInput(f"{level!r} is not a level of care (iop, php, inpatient)", field=field) from None
    matches = [e for e in _levels_of(stored) if e.level is wanted and (network is None or e.network.value == network)]
    if not matches:
        raise Unprocessable(
            f"the estimate has no {wanted.value}{' ' + network + '-network' if network else ''} level", field=field
        )
    return matches[0]


def _self_pay(stored: Any) -> bool:
    return bool(getattr(stored.request, "self_pay", False))


def _created_on(stored: Any) -> dt.date:
    as_of = getattr(stored, "as_of", None)
    if isinstance(as_of, dt.date):
        return as_of
    created = getattr(stored, "created_at", None)
    return created.date() if isinstance(created, dt.datetime) else _today()


async def _affordability(conn: Any, stored: Any, level: LevelEstimate) -> AffordabilitySection:
    section = getattr(level, "affordability", None)
    if section is not None:
        return section
    on = _created_on(stored)
    used = (getattr(stored, "figures", None) or {}).get("affordability") or {}
    config = await store.load_affordability_config(
        conn, on, assistance_policy=used.get("financial_assistance_policy") or DEFAULT_POLICY)
    return affordability_for_level(
        level,
        household=household_for_affordability(getattr(stored.request, "household", None)),
        config=config,
        on=on,
        self_pay=_self_pay(stored),
        first_due_date=_first_of_next_month(on),
    )


def _patient_on_estimate(stored: Any) -> GfePatient | None:
    name = getattr(stored, "patient_name", None)
    if name is None:
        first, last = getattr(stored, "patient_first_name", None), getattr(stored, "patient_last_name", None)
        name = " ".join(part for part in (first, last) if part) or None
    dob = getattr(stored, "patient_date_of_birth", None) or getattr(stored, "patient_dob", None)
    if name and isinstance(dob, dt.date):
        return GfePatient(name=name, date_of_birth=dob)
    return None


def _patient_key_of(stored: Any, patient: GfePatient | None) -> str | None:
    key = getattr(stored, "patient_key", None)
    if key:
        return key
    if patient is None:
        return None
    return patient_key(patient.name, "", patient.date_of_birth.isoformat(), None)


def _level_rates(stored: Any, level: Level) -> Any:
    rates = stored.rates
    if hasattr(rates, "for_level"):
        return rates.for_level(level)
    if isinstance(rates, dict):
        from service.pricing.rates import rate_table_from_dict

        return rate_table_from_dict(rates).for_level(level)
    raise EstimatesUnavailable("the stored estimate's rates cannot be read")


# --------------------------------------------------------------------------- admin


class SelfPayAdminController(Controller):
    path = "/v1/admin"
    tags = ["self-pay admin"]
    security = [{"ApiKey": []}]
    guards = [allow(Role.ADMIN)]

    @post(
        "/sliding-fee-schedules",
        operation_id="createSlidingFeeSchedule",
        opt={"problems": {404: "organization_id names an organization other than the key's own (deprecated field: omit it)."}},
        summary="Add a version of an organization's sliding fee schedule (supersedes earlier ones from effective_from)",
        description=(
            "Versions are immutable. The schedule in force on a date is the one with the latest effective_from on "
            "or before it (ties: the newer version). 400 lists every invalid field by path (e.g. "
            "`$.tiers[1].patient_pays_percent`); HRSA requires a full discount at or below 100 % FPL."
        ),
        status_code=201,
    )
    async def create_schedule(self, request: Request, data: JSONBody[SlidingFeeScheduleCreate]) -> StoredSlidingFeeSchedule:
        data = msgspec.structs.replace(data, organization_id=await _organization(request, data.organization_id,
                                                                                   "$.organization_id"))
        validate_schedule(
            SlidingFeeSchedule(
                organization_id=data.organization_id, name=data.name, effective_from=data.effective_from,
                effective_to=data.effective_to, applies_to=data.applies_to,
                proof_of_income_required=data.proof_of_income_required, tiers=data.tiers,
            )
        )
        caller = caller_of(request)
        async with _pool(request).acquire() as conn:
            return await store.insert_schedule(conn, data, created_by=_actor(caller), today=_today())

    @get(
        "/sliding-fee-schedules",
        opt={"problems": {404: "organization_id names an organization other than the key's own (deprecated field: omit it)."}},
        operation_id="listSlidingFeeSchedules", description="The organization's sliding-fee schedule versions, newest first, and the example schedule used when none is in force.",
        summary="Every sliding fee schedule version, newest first; the one in force today is marked current",
    )
    async def list_schedules(
        self,
        request: Request,
        organization_id: Annotated[str | None, QueryParameter(description="deprecated: the key's own organization is used; another one is a 404", max_length=80,
                                                              pattern=r"^[^\x00-\x1f]*$")] = None,
    ) -> SlidingFeeScheduleList:
        organization_id = await _organization(request, organization_id, "organization_id")
        schedules = await store.list_schedules(_pool(request), today=_today(), organization_id=organization_id)
        return SlidingFeeScheduleList(schedules=schedules, fallback=default_schedule(organization_id))

    @post(
        "/payment-plan-rules",
        operation_id="createPaymentPlanRules",
        opt={"problems": {404: "organization_id names an organization other than the key's own (deprecated field: omit it)."}},
        summary="Add a version of an organization's payment plan rules (in force from effective_from)",
        description="400 lists every invalid field by path (e.g. `$.rules.term_limits[0].max_balance`).",
        status_code=201,
    )
    async def create_rules(self, request: Request, data: JSONBody[PaymentPlanRulesCreate]) -> StoredPaymentPlanRules:
        errors = rules_errors(data.rules)
        if errors:
            errors = _rules_paths(errors)
            raise PaymentPlanRulesInvalid("; ".join(f"{e.field}: {e.reason}" for e in errors), errors=errors)
        data = msgspec.structs.replace(data, organization_id=await _organization(request, data.organization_id,
                                                                                   "$.organization_id"))
        caller = caller_of(request)
        async with _pool(request).acquire() as conn:
            return await store.insert_rules(conn, data, created_by=_actor(caller), today=_today())

    @get(
        "/payment-plan-rules",
        opt={"problems": {404: "organization_id names an organization other than the key's own (deprecated field: omit it)."}},
        operation_id="listPaymentPlanRules", description="The organization's payment-plan rule versions, newest first; the one in force today is marked `current`.",
        summary="Every payment plan rules version, newest first; the one in force today is marked current",
    )
    async def list_rules(
        self,
        request: Request,
        organization_id: Annotated[str | None, QueryParameter(description="deprecated: the key's own organization is used; another one is a 404", max_length=80,
                                                              pattern=r"^[^\x00-\x1f]*$")] = None,
    ) -> PaymentPlanRulesList:
        organization_id = await _organization(request, organization_id, "organization_id")
        rules = await store.list_rules(_pool(request), today=_today(), organization_id=organization_id)
        return PaymentPlanRulesList(rules=rules, fallback=store.DEFAULT_PLAN_RULES)


def _rules_paths(errors: list[FieldError]) -> list[FieldError]:
    """Rule errors name fields of the rules object; in the request body they live under ``$.rules``."""
    return [
        e if e.field == "$.organization_id" else FieldError(field="$.rules" + e.field.removeprefix("$"), reason=e.reason)
        for e in errors
    ]


async def _organization(request: Request, named: str | None, field: str) -> str:
    """The caller's own organization; a body or query naming another one is a 404 (audited)."""
    return await own_organization(_pool(request), caller_of(request), named, field=field,
                                  request_id=request_id_of(request.scope))


def _actor(caller: Caller | None) -> str:
    return caller.actor_id if caller else "anonymous"


# --------------------------------------------------------------------------- calculator, plans, GFEs


class SelfPayController(Controller):
    path = "/v1"
    tags = ["self-pay"]
    security = [{"ApiKey": []}]

    @post(
        "/self-pay/fpl",
        operation_id="calculateFplTier",
        opt={"problems": {404: "organization_id names an organization other than the key's own (deprecated field: omit it)."}},
        summary="Household size and income -> percent of the poverty guideline and the sliding fee tier",
        description=(
            "For the first phone call: nothing is stored. The tier is from the organization's schedule in force on "
            "the determination date (default today), else the example HRSA-style schedule (`schedule_is_example`)."
        ),
        guards=[allow(Role.INTAKE, Role.BILLING)],
        status_code=200,
    )
    async def fpl(self, request: Request, data: JSONBody[FplCalculatorRequest]) -> FplCalculatorResponse:
        on = data.determination_date or _today()
        h = data.household
        determination = determine_fpl(household_size=h.size, annual_income=h.annual_income, state=h.state, on=on)
        organization_id = await _organization(request, data.organization_id, "$.organization_id")
        schedule, version = await store.schedule_in_force(_pool(request), on, organization_id)
        index, tier = tier_for(schedule, determination.percent_exact)
        return FplCalculatorResponse(
            determination=determination.to_wire(),
            organization_id=organization_id,
            schedule_name=schedule.name,
            schedule_is_example=schedule.is_example,
            schedule_version=version,
            tier_code=tier.code,
            tier_label=tier.label,
            tier_kind=tier.kind,
            tier_range=tier_range_text(schedule, index),
            patient_pays_percent=tier.patient_pays_percent,
            nominal_amount=cents(tier.nominal_amount) if tier.nominal_amount is not None else None,
            proof_of_income_required=schedule.proof_of_income_required,
        )

    @post(
        "/estimates/{estimate_id:str}/payment-plans",
        operation_id="createEstimatePaymentPlan", opt={"problems": {404: "No such estimate.", 422: "The plan breaks one of the organization's rules (`errors[0].field` names the rule)."}},
        summary="Agree a payment plan for one level of an estimate (balance after the sliding fee)",
        description=(
            "201 with the plan and its full amortization schedule, stored. 422 `payment-plan-rule-violation` when "
            "the plan breaks one of the organization's rules; the problem's `errors[0].field` names the rule "
            "(e.g. `$.rules.minimum_monthly_payment`, `$.rules.term_limits`, `$.rules.max_percent_of_monthly_income`)."
        ),
        guards=[allow(Role.INTAKE, Role.BILLING)],
        status_code=201,
    )
    async def create_plan(
        self, request: Request, estimate_id: FromPath[str], data: JSONBody[EstimatePaymentPlanRequest]
    ) -> AcceptedPaymentPlan:
        caller = caller_of(request)
        pool = _pool(request)
        async with pool.acquire() as conn:
            stored = await _load_estimate(conn, estimate_id, caller=caller, action="payment_plan.create",
                                          request_id=request_id_of(request.scope))
            try:
                level, section, plan = await _plan_for(conn, stored, data)
            except ProblemError:  # a plan the rules turn down is audited as refused
                await record(
                    conn, caller=caller, action="payment_plan.create", resource_type="estimate", resource_id=estimate_id,
                    patient=_patient_key_of(stored, _patient_on_estimate(stored)),
                    request_id=request_id_of(request.scope), outcome="refused",
                )
                raise
            patient = _patient_on_estimate(stored)
            async with conn.transaction():
                accepted = await store.insert_accepted_plan(
                    conn, estimate_id=estimate_id, level=level.level.value, network=level.network.value, plan=plan,
                    rules_version=section.payment_plan_rules_version, patient_key=_patient_key_of(stored, patient),
                    created_by=_actor(caller),
                )
                await record(
                    conn, caller=caller, action="payment_plan.create", resource_type="estimate",
                    resource_id=estimate_id, patient=_patient_key_of(stored, patient), request_id=request_id_of(request.scope),
                )
        return accepted

    @post(
        "/estimates/{estimate_id:str}/good-faith-estimates",
        operation_id="issueGoodFaithEstimate", opt={"problems": {404: "No such estimate.", 422: "A level is not in the estimate, has no code in the rate table, or the patient is missing."}, "location": "/v1/good-faith-estimates/{id}"},
        summary="Issue a Good Faith Estimate (45 CFR 149.610) from an estimate; immutable, re-issuing makes a new version",
        description=(
            "One line per included level (revenue code + HCPCS from the estimate's rates, quantity = service days, "
            "self-pay price per day, dates = the course's first and last service day) plus sliding fee discount lines "
            "for self-pay estimates. From an estimate priced with insurance, only with `patient_chose_self_pay: true` "
            "(else 422); the GFE then says the patient chose self-pay. The patient's name and date of birth are "
            "required in the body when the estimate "
            "does not carry them. 422 when a level has no HCPCS code in the rate table."
        ),
        guards=[allow(Role.INTAKE, Role.BILLING)],
        status_code=201,
    )
    async def issue_gfe(
        self, request: Request, estimate_id: FromPath[str], data: JSONBody[GfeIssueRequest]
    ) -> IssuedGoodFaithEstimate:
        async with _pool(request).acquire() as conn:
            return await issue_good_faith_estimate(
                conn, settings=request.app.state.settings, estimate_id=estimate_id, data=data,
                caller=caller_of(request), request_id=request_id_of(request.scope))

    @get(
        "/good-faith-estimates/{gfe_id:str}",
        operation_id="getGoodFaithEstimate", description="An issued Good Faith Estimate (45 CFR 149.610 content) as JSON. Issued GFEs never change; re-issuing makes a new version. A portal token opens the GFEs of its own estimate only; any other is 404.",
        summary="An issued Good Faith Estimate (JSON, PHI)",
        guards=[allow(Role.INTAKE, Role.BILLING, Role.PORTAL)],
    )
    async def get_gfe(self, request: Request, gfe_id: FromPath[str]) -> IssuedGoodFaithEstimate:
        return await _read_gfe(request, gfe_id, "good_faith_estimate.read")

    @get(
        "/good-faith-estimates/{gfe_id:str}/page",
        operation_id="getGoodFaithEstimatePage",
        summary="An issued Good Faith Estimate as a printable HTML page",
        description="The portal role may open the GFE of the one estimate its token names; any other is 404.",
        guards=[allow(Role.INTAKE, Role.BILLING, Role.PORTAL)],
        media_type=MediaType.HTML,
    )
    async def get_gfe_page(self, request: Request, gfe_id: FromPath[str]) -> Response[str]:
        issued = await _read_gfe(request, gfe_id, "good_faith_estimate.read_page")
        return Response(
            render_html(issued.gfe), media_type=MediaType.HTML,
            headers={"Cache-Control": "no-store", "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
        )

    @get(
        "/good-faith-estimates/{gfe_id:str}/fhir",
        operation_id="getGoodFaithEstimateFhir", description="The same GFE as a Da Vinci Patient Cost Transparency GFE Bundle (FHIR R4, `application/fhir+json`), amounts equal to the JSON and the page.",
        summary="An issued Good Faith Estimate as a Da Vinci Patient Cost Transparency GFE Bundle",
        guards=[allow(Role.INTAKE, Role.BILLING, Role.PORTAL)],
        media_type=FHIR_JSON,
    )
    async def get_gfe_fhir(self, request: Request, gfe_id: FromPath[str]) -> Response[bytes]:
        issued, key = await _read_gfe_and_key(request, gfe_id, "good_faith_estimate.read_fhir")
        bundle = to_fhir_bundle(
            issued.gfe, issued_at=issued.issued_at, patient_key=key or _patient_key_of(None, issued.gfe.patient) or ""
        )
        return Response(encode_bundle(bundle), media_type=FHIR_JSON, headers={"Cache-Control": "no-store"})



async def issue_good_faith_estimate(conn: asyncpg.Connection, *, settings: Any, estimate_id: str, data: GfeIssueRequest,
                                    caller: Caller | None, request_id: str | None) -> IssuedGoodFaithEstimate:
    """Issue, store and audit a Good Faith Estimate from a stored estimate (the route's work; the console calls
    it in-process too)."""
    stored = await _load_estimate(conn, estimate_id, caller=caller, action="good_faith_estimate.issue",
                                  request_id=request_id)
    insured = not _self_pay(stored)
    if insured and not data.patient_chose_self_pay:
        raise Unprocessable(
            "this estimate uses the patient's insurance; a Good Faith Estimate is for uninsured or self-pay "
            "patients. Send patient_chose_self_pay: true once the patient has chosen to pay for this care "
            "without a claim to the plan (or make a self-pay estimate)",
            field="$.patient_chose_self_pay",
        )
    patient = data.patient or _patient_on_estimate(stored)
    if patient is None:
        raise Unprocessable("the estimate has no patient name and date of birth; send them", field="$.patient")
    location = data.service_location or _provider_address(settings)
    if not isinstance(location, GfeAddress):
        raise Unprocessable(
            "the provider's address is not configured; send the service location", field="$.service_location"
        )
    items: list[GfeItem] = []
    discounts: list[GfeDiscountLine] = []
    seen: set[tuple[str, str]] = set()
    for i, name in enumerate(data.levels):
        level = _find_level(stored, name, data.network, f"$.levels[{i}]")
        if (level.level.value, level.network.value) in seen:
            raise InvalidInput("levels are repeated", field=f"$.levels[{i}]")
        seen.add((level.level.value, level.network.value))
        rates = _level_rates(stored, level.level)
        if not rates.hcpcs and not rates.revenue_code:
            raise Unprocessable(
                f"the rate table has no HCPCS or revenue code for {level.level.value}",
                field=f"$.levels[{i}]",
            )
        unit = cents(rates.self_pay_per_day)
        items.append(
            GfeItem(
                description=f"{LEVEL_DESCRIPTIONS[level.level]}, {level.service_days} days",
                service_code=rates.hcpcs or None, revenue_code=rates.revenue_code or None,
                period_start=level.first_service_date, period_end=level.last_service_date,
                quantity=level.service_days, unit_charge=unit,
            )
        )
        # the practitioners' visits the estimate priced, at their charges (professional claims, CPT codes)
        items += [GfeItem(description=f"{line.practitioner.capitalize()}: {line.description}", service_code=line.code,
                          service_code_system=CodeSystem.CPT, period_start=line.first_date,
                          period_end=line.last_date, quantity=line.visits, unit_charge=cents(line.gross / line.visits))
                  for line in (level.professional.lines if level.professional else []) if line.visits]
        if _self_pay(stored):
            section = await _affordability(conn, stored, level)
            fee, assistance = section.sliding_fee, section.financial_assistance
            if fee is not None and fee.discount > 0:
                discounts.append(
                    GfeDiscountLine(
                        description=f"Sliding fee discount for {level.level.value.upper()} ({fee.tier_label})",
                        amount=fee.discount, tier_code=fee.tier_code, provisional=fee.provisional,
                    )
                )
            elif assistance is not None and assistance.discount > 0:
                discounts.append(
                    GfeDiscountLine(description=f"Financial assistance for {level.level.value.upper()} "
                                                f"({assistance.title})", amount=assistance.discount)
                )
    first = min(item.period_start for item in items)
    co_npis = {p.npi for p in data.co_providers}
    priced = {item.service_code for item in items if item.service_code_system is CodeSystem.CPT}
    for i, extra in enumerate(data.co_provider_items):
        if extra.provider_npi not in co_npis:
            raise InvalidInput("a co-provider's item names one of co_providers by its NPI",
                               field=f"$.co_provider_items[{i}].provider_npi")
        if extra.service_code in priced:
            raise Unprocessable(
                f"the estimate already lists the practitioners' {extra.service_code} visits (professional_services): "
                "list them once - drop this co-provider item, or make the estimate without professional_services "
                "when another practice bills them", field=f"$.co_provider_items[{i}].service_code")
    try:
        gfe = build_gfe(
            GoodFaithEstimateRequest(
                gfe_id=store.new_gfe_id(),
                issue_date=_today(),
                patient=patient,
                primary_service=GfePrimaryService(
                    description=" / ".join(LEVEL_DESCRIPTIONS[Level(n)] for n in data.levels), scheduled_date=first
                ),
                convening_provider=GfeProvider(
                    name=settings.provider_name, npi=settings.provider_npi, tin=settings.provider_tin,
                    address=location, taxonomy=settings.provider_taxonomy,
                ),
                co_providers=list(data.co_providers),
                items=[*items, *data.co_provider_items],
                diagnosis_codes=list(data.diagnosis_codes),
                discounts=discounts,
                scheduled_on=data.scheduled_on,
            )
        )
    except GfeInvalid as exc:
        raise co_provider_item_fields(exc, level_items=len(items)) from None
    if insured:
        gfe = msgspec.structs.replace(gfe, disclaimers=[*gfe.disclaimers, SELF_PAY_CHOICE])
    key = _patient_key_of(stored, patient)
    async with conn.transaction():
        issued = await store.insert_gfe(
            conn, gfe=gfe, estimate_id=estimate_id, issued_by=_actor(caller), patient_key=key
        )
        await record(
            conn, caller=caller, action="good_faith_estimate.issue", resource_type="good_faith_estimate",
            resource_id=issued.id, patient=key, request_id=request_id,
        )
    return issued


async def _plan_for(conn: Any, stored: Any, data: EstimatePaymentPlanRequest) -> tuple[LevelEstimate, AffordabilitySection, Any]:
    """The level, its affordability and the amortized plan asked for; a ProblemError when the rules refuse it."""
    level = _find_level(stored, data.level, data.network, "$.level")
    section = await _affordability(conn, stored, level)
    balance = section.balance_after_discount
    if balance <= 0:
        raise Unprocessable("nothing is owed for this level after the discount; no plan is needed", field="$.level")
    rules = section.payment_plan_rules
    required_down = cents(percent_of(balance, rules.down_payment_percent))
    down = required_down if data.down_payment is None else data.down_payment
    if not down.is_finite() or down < 0:
        raise InvalidInput("must be 0 or more", field="$.down_payment")
    if down < required_down:
        raise PlanRuleViolation(
            "down_payment_percent",
            f"the down payment must be at least {rules.down_payment_percent.normalize():f} % of the balance "
            f"({required_down})",
        )
    if section.monthly_household_income is None and rules.max_percent_of_monthly_income is not None:
        rules = msgspec.structs.replace(rules, max_percent_of_monthly_income=None)
    plan = amortize(
        balance=balance, term_months=data.term_months, apr_percent=rules.apr_percent, down_payment=down,
        first_due_date=data.first_due_date or _first_of_next_month(_today()),
    )
    violations = plan_violations(plan, rules, section.monthly_household_income)
    if violations:
        raise violations[0]
    return level, section, plan


async def _read_gfe(request: Request, gfe_id: str, action: str) -> IssuedGoodFaithEstimate:
    return (await _read_gfe_and_key(request, gfe_id, action))[0]


async def _read_gfe_and_key(request: Request, gfe_id: str, action: str) -> tuple[IssuedGoodFaithEstimate, str | None]:
    caller = caller_of(request)
    pool = _pool(request)
    found = await store.get_gfe(pool, gfe_id)
    if found is not None and caller is not None and caller.role is Role.PORTAL:
        if caller.estimate_scope is None or caller.estimate_scope != found[0].estimate_id:
            found = None  # the same answer as a missing GFE: existence is not revealed
    if found is None:
        await record(
            pool, caller=caller, action=action, resource_type="good_faith_estimate", resource_id=gfe_id,
            request_id=request_id_of(request.scope), outcome="not_found",
        )
        raise NotFound(f"no Good Faith Estimate {gfe_id}")
    issued, key = found
    await record(
        pool, caller=caller, action=action, resource_type="good_faith_estimate", resource_id=issued.id, patient=key,
        request_id=request_id_of(request.scope),
    )
    return issued, key


CONTROLLERS = [SelfPayAdminController, SelfPayController]
