"""Eligibility orchestration: request → 270 → clearinghouse → 271 → normalized benefits → store.

The routes stay thin and call the functions here. Each function that reads or writes a
check writes its audit row (actions ``eligibility.create``, ``eligibility.read``,
``eligibility.cache_hit``, ``eligibility.read_x12``) in the same transaction as the write.

Other code prices from a check with :func:`get_check_benefits` (no HTTP, no PHI returned).
"""

from __future__ import annotations

import datetime as dt
import math
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec
import structlog

from contracts.benefits import CoverageOrder, NormalizedBenefits, Source
from contracts.eligibility import EligibilityCheckRequest, Parse271Request
from contracts.eligibility_api import EligibilityCheck, EligibilityX12, ManualCheckRequest, PatientSummary
from service.access.audit import audit_params, mask_member_id, patient_key, record
from service.access.roles import Caller
from service.eligibility import store
from service.eligibility.acknowledgements import read_acknowledgement
from service.eligibility.benefits import check_status, parse_d8
from service.eligibility.breaker import SharedBreakers
from service.eligibility.check_views import CheckView, CheckViews, HeldCheck
from service.eligibility.valid_inquiries import ValidInquiries
from service.eligibility.bulkhead import PayerBulkheads
from service.eligibility.clearinghouse import ClearinghouseClient
from service.eligibility.parsing import read_and_normalize
from service.eligibility.payer_gate import PayerGate
from service.eligibility.wires import client_from_settings
from service.eligibility.payers.lookup import require_known
from service.eligibility.manual import ManualEntryError, benefits_from_manual, nul_errors
from service.eligibility.x12.builder_270 import (
    Dependent, EligibilityInquiry, Payer, Provider, Subscriber, build_270,
)
from service.eligibility.x12.reader_271 import Parsed271
from service.eligibility.x12.tokenizer import X12FormatError
from service.eligibility.x12.writer import Envelope, X12ValueError
from service.access import metrics
from service import read_aloud
from service.read_aloud import rejection_words
from service.db.tenant import current_organization
from service.errors import FieldError, InvalidInput, NotFound, Unprocessable, UpstreamError

__all__ = [
    "Context", "create_check", "create_check_answer", "reused_check_key", "reused_check_answer", "read_check", "read_check_x12", "parse_posted_271", "create_manual_check",
    "get_check_benefits", "client_for", "context_for", "gate_for", "gate_from_settings",
]

log = structlog.get_logger("service.eligibility")

#: X12ValueError field names from the 270 builder -> JSON paths of EligibilityCheckRequest.
_FIELD_PATHS = {"payer.id": "$.payer_id", "payer.name": "$.payer_name"}


#: Whether this task's last read of a stored check (:func:`read_check`, :func:`reused_check_answer`) found it and
#: committed its audit row. The paths answered before routing (checks_by_id.py, reused_checks.py) hand a read that
#: failed to the route only when it did not: the route would read, and audit, the check a second time.
READ_AUDITED: ContextVar[bool] = ContextVar("read_audited", default=False)


@dataclass(frozen=True)
class Context:
    """What one call needs from the running app."""

    pool: asyncpg.Pool
    settings: Any
    client: ClearinghouseClient | None
    caller: Caller | None
    request_id: str | None = None
    #: the payer's breaker and bulkhead every clearinghouse call goes through (payer_gate.py)
    gate: PayerGate | None = None
    #: the app's audited reads of stored checks, batched across requests (store.CheckReads); None: made per call
    reads: store.CheckReads | None = None


def client_for(state: Any) -> ClearinghouseClient | None:
    """The app's clearinghouse client (one per app)."""
    client = state.get("eligibility_client")
    if client is None:
        url = state.get("clearinghouse_url")
        http = state.get("http")
        if url is None or http is None:
            return None
        client = client_from_settings(http, url, state.settings)
        state.eligibility_client = client
    return client


def context_for(state: Any, caller: Caller | None, request_id: str | None) -> Context:
    """What one call needs, from the running app's state (the REST routes and the console build it the same way).

    The state is read by key: Litestar's ``State`` answers an attribute only after Python's own look-up failed, about
    eight times the cost of ``state["pool"]``, on every request."""
    return Context(pool=state["pool"], settings=state["settings"], client=client_for(state), gate=gate_for(state),
                   reads=reads_for(state), caller=caller, request_id=request_id)


def reads_for(state: Any) -> store.CheckReads:
    """The app's audited reads of stored checks (one per app: reads of concurrent requests go together)."""
    reads = state.get("check_reads")
    if reads is None or reads.pool is not state["pool"]:  # a new lifespan's pool gets reads of its own
        reads = state["check_reads"] = store.CheckReads(state["pool"])
    return reads


def _reads(ctx: Context) -> store.CheckReads:
    return ctx.reads if ctx.reads is not None else store.CheckReads(ctx.pool)


def gate_for(state: Any) -> PayerGate:
    """The app's payer gate (one per app: its bulkheads are per process, its breakers in PostgreSQL)."""
    gate = state.get("payer_gate")
    if gate is None:
        gate = state.payer_gate = gate_from_settings(state.pool, state.settings)
    return gate


def gate_from_settings(pool: asyncpg.Pool, settings: Any) -> PayerGate:
    breakers = SharedBreakers(
        pool, failure_threshold=settings.breaker_failure_threshold, reset_seconds=settings.breaker_reset_seconds,
        trial_seconds=settings.clearinghouse_connect_timeout + settings.clearinghouse_read_timeout + 5,
    )
    bulkheads = PayerBulkheads(max_in_flight=settings.payer_max_in_flight, max_waiting=settings.payer_max_waiting,
                               max_wait_seconds=settings.payer_queue_seconds)
    return PayerGate(breakers, bulkheads)




def message_for(benefits: NormalizedBenefits, status: str) -> str:
    """Plain words for intake staff."""
    payer = benefits.payer_name or "The payer"
    if status == "active":
        plan = f" ({benefits.plan_name})" if benefits.plan_name else ""
        text = f"Coverage with {payer}{plan} is active on the date of service."
        auth = [lv.level.value.upper() for lv in benefits.levels if lv.prior_authorization_required and lv.network.value == "in"]
        if auth:
            text += f" Prior authorization is required for {', '.join(dict.fromkeys(auth))}."
        return text + _coverage_order_words(benefits, payer)
    if status == "inactive":
        return f"Coverage with {payer} is not active on the date of service."
    if status == "rejected":
        return rejection_words(benefits)
    return f"{payer} answered without saying whether coverage is active; confirm by phone."


def _coverage_order_words(benefits: NormalizedBenefits, payer: str) -> str:
    """Who pays: a Medicare Advantage plan instead of Original Medicare, other plans before or after."""
    text = ""
    advantage = benefits.medicare.advantage if benefits.medicare else None
    if advantage is not None:
        contract = f" (contract {advantage.contract_number})" if advantage.contract_number else ""
        text += (f" Medicare Advantage: {advantage.plan_name or 'a Medicare Advantage plan'}{contract} "
                 "pays instead of Original Medicare; bill the plan.")
    for other in benefits.other_payers:
        name = other.name or "another plan"
        if other.order is CoverageOrder.PRIMARY:
            text += f" {name} pays first; {payer} pays second."
        elif other.order is CoverageOrder.SECONDARY:
            text += f" {name} pays after {payer}."
        elif other.order is CoverageOrder.TERTIARY:
            text += f" {name} pays third."
        else:
            text += f" The patient also has {name}; ask which plan pays first."
    auth_line = next((c.phone for c in benefits.contacts if c.role == "prior_authorization" and c.phone), None)
    if auth_line:
        text += f" Prior authorization line: {auth_line}."
    return text


def _to_resource(row: asyncpg.Record, *, from_cache: bool = False,
                 benefits: NormalizedBenefits | None = None) -> EligibilityCheck:
    """The API resource of a stored check; ``benefits`` when the caller holds them (no decode of the row's)."""
    if benefits is not None:
        view = _view_of(row, benefits)
    else:  # a stored row: decoded and put into words once per row version (check_views.py)
        view = _VIEWS.view(current_organization(), row, lambda: _view_of(row, store.decode_benefits(row)))
    return _resource(row, view, from_cache=from_cache)


def _resource(row: asyncpg.Record, view: CheckView, *, from_cache: bool = False) -> EligibilityCheck:
    return EligibilityCheck(
        id=str(row["id"]),
        status=row["status"],
        source=row["source"],
        from_cache=from_cache,
        age_seconds=_age_seconds(row),
        message=view.message,
        read_aloud=list(view.read_aloud),
        payer_id=row["payer_id"],
        payer_name=row["payer_name"],
        date_of_service=row["date_of_service"],
        service_type_codes=list(row["service_type_codes"] or []),
        patient=_patient_of(row),
        benefits=view.benefits,
        attempts=row["attempts"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _patient_of(row: asyncpg.Record) -> PatientSummary:
    is_dependent = row["dependent_last_name"] is not None
    return PatientSummary(
        first_name=row["dependent_first_name"] if is_dependent else row["subscriber_first_name"],
        last_name=row["dependent_last_name"] if is_dependent else row["subscriber_last_name"],
        date_of_birth=row["dependent_dob"] if is_dependent else row["subscriber_dob"],
        member_id_masked=mask_member_id(row["member_id"]),
        is_dependent=is_dependent,
        patient_key=row["patient_key"],
    )


def _age_seconds(row: asyncpg.Record) -> int:
    return max(0, int(math.floor(row["age"] or 0)))


def _held_version(held: HeldCheck | None) -> tuple[Any, Any, Any]:
    return store.NOTHING_HELD if held is None else (held.check_id, *held.version)


def _answer(row: asyncpg.Record, held: HeldCheck | None, *, from_cache: bool, cache_key: str | None = None) -> bytes:
    """The encoded answer (what Litestar would make of :func:`_to_resource`) of a stored row this caller was given,
    read with :func:`_held_version` of ``held``: without its benefits when ``held`` is still that row's version."""
    if held is not None and row["created_at"] is None:  # left out by the database: this process holds the answer
        answer = held.answer
    else:
        answer = _VIEWS.answer(current_organization(), row, lambda: _view_of(row, store.decode_benefits(row)),
                               lambda view: _resource(row, view), cache_key=cache_key)
    assert answer is not None
    return answer.encode(from_cache=from_cache, age_seconds=_age_seconds(row), patient=_patient_of(row))


_VIEWS = CheckViews()
_VALID_INQUIRIES = ValidInquiries()


def _view_of(row: asyncpg.Record, benefits: NormalizedBenefits) -> CheckView:
    return CheckView(benefits=benefits, message=message_for(benefits, row["status"]),
                     read_aloud=tuple(read_aloud.for_check(benefits)))


def _actor(ctx: Context) -> str:
    return ctx.caller.actor_id if ctx.caller else "anonymous"


def _x12_input_error(exc: X12ValueError) -> InvalidInput:
    path = _FIELD_PATHS.get(exc.field) or ("$." + exc.field if not exc.field.startswith("$") else exc.field)
    return InvalidInput(f"{path}: {exc.reason}", errors=[FieldError(field=path, reason=exc.reason)])


def _patient_key_for(req_sub: Any, dep: Any) -> str:
    person = dep or req_sub
    return patient_key(person.last_name, person.first_name, person.date_of_birth.isoformat(), req_sub.member_id)


async def create_check(ctx: Context, req: EligibilityCheckRequest, *, refresh: bool = False) -> tuple[EligibilityCheck, bool]:
    """Run (or reuse) a check. Returns (resource, created)."""
    check, created = await _create_check(ctx, req, refresh=refresh, encoded=False)
    return check, created  # type: ignore[return-value]


async def create_check_answer(ctx: Context, req: EligibilityCheckRequest, *,
                              refresh: bool = False) -> tuple[EligibilityCheck | bytes, bool]:
    """:func:`create_check` for the REST route: a reused check comes as its answer already encoded (check_views.py)."""
    return await _create_check(ctx, req, refresh=refresh, encoded=True)


def reused_check_key(ctx: Context, req: EligibilityCheckRequest) -> str:
    """The cache key of ``req``, whose every value was checked as :func:`create_check_answer` checks it (else the
    400 naming the value): what :func:`reused_check_answer` is given."""
    return _checked_inquiry(ctx, req)[0]


async def reused_check_answer(ctx: Context, key: str) -> bytes | None:
    """The encoded answer of a stored check a request with cache key ``key`` (:func:`reused_check_key`) may reuse
    (audited, as :func:`create_check_answer` reuses one), or None when there is none: then nothing was written and
    nothing asked of the payer (``service/eligibility/reused_checks.py`` answers the reused checks of the REST route
    with it and leaves the rest to the route)."""
    reused = await _reused(ctx, key, encoded=True)
    return reused  # type: ignore[return-value]


def _checked_inquiry(ctx: Context, req: EligibilityCheckRequest) -> tuple[str, list[str]]:
    """(cache key, service type codes) of a request whose every value makes a valid inquiry, else a 400 naming it."""
    settings = ctx.settings
    sub, dep = req.subscriber, req.dependent
    provider = req.provider
    npi = provider.npi if provider else settings.provider_npi
    stcs = list(dict.fromkeys(req.service_type_codes))
    key = store.cache_key(
        req.payer_id, sub.member_id, sub.last_name, sub.first_name, sub.date_of_birth,
        dep.last_name if dep else None, dep.first_name if dep else None, dep.date_of_birth if dep else None,
        req.date_of_service, ",".join(sorted(stcs)), npi,
    )
    try:  # every value (delimiters, lengths) validated before any I/O, once per distinct request (valid_inquiries.py)
        _VALID_INQUIRIES.validate(_request_values(req, settings), lambda: _inquiry(req, settings, stcs, _ANY_TRACE))
    except X12ValueError as exc:
        raise _x12_input_error(exc) from None
    return key, stcs


async def _reused(ctx: Context, key: str, *, encoded: bool) -> EligibilityCheck | bytes | None:
    """The stored check a request with cache key ``key`` reuses, read with its audit row; None: none (no row)."""
    # One statement, hit or miss, with the reads of concurrent requests; a hit with its audit row (store.py).
    held = _VIEWS.held_for_key(current_organization(), key) if encoded else None
    cached = await store.find_cached(_reads(ctx), key, ctx.settings.eligibility_cache_ttl_seconds,
                                     audit_params(ctx.caller, "eligibility.cache_hit", ctx.request_id),
                                     _held_version(held))
    if cached is None:
        return None
    READ_AUDITED.set(True)
    metrics.record_cache_hit("eligibility")
    if encoded:
        return _answer(cached, held, from_cache=True, cache_key=key)
    return _to_resource(cached, from_cache=True)


async def _create_check(ctx: Context, req: EligibilityCheckRequest, *, refresh: bool,
                        encoded: bool) -> tuple[EligibilityCheck | bytes, bool]:
    settings = ctx.settings
    sub, dep = req.subscriber, req.dependent
    key, stcs = _checked_inquiry(ctx, req)
    if not refresh:
        reused = await _reused(ctx, key, encoded=encoded)
        if reused is not None:
            return reused, False

    await require_known(ctx.pool, settings, req.payer_id, req.payer_name)  # PAYER_DIRECTORY_REQUIRED: 422 + closest
    if ctx.client is None or ctx.gate is None:
        raise UpstreamError("No clearinghouse is configured or running.", status=503, slug="clearinghouse-unavailable",
                            title="The payer is unavailable right now", retry_after_seconds=30)
    if not refresh:
        metrics.record_cache_miss("eligibility")
    pkey = _patient_key_for(sub, dep)
    trace = uuid.uuid4().hex[:20].upper()
    control = await store.next_control_number(ctx.pool)
    raw_270 = build_270(_inquiry(req, settings, stcs, trace), _envelope(settings, control))
    started = time.perf_counter()
    try:
        reply = await ctx.gate.exchange(req.payer_id, lambda: ctx.client.exchange(req.payer_id, raw_270))
    except UpstreamError as exc:
        metrics.record_clearinghouse_exchange(req.payer_id, exc.slug, time.perf_counter() - started)
        metrics.record_eligibility_outcome(req.payer_id, exc.slug)
        # The 270 (PHI) may have reached the clearinghouse: the disclosure is audited even without an answer.
        await record(ctx.pool, caller=ctx.caller, action="eligibility.create", resource_type="eligibility_check",
                     resource_id=trace, patient=pkey, request_id=ctx.request_id, outcome="upstream_error")
        raise
    metrics.record_clearinghouse_exchange(req.payer_id, "ok", time.perf_counter() - started)
    benefits = _check_trace(reply.parsed, trace, reply.benefits)  # read once, by the client (clearinghouse.py)
    status = check_status(benefits)
    metrics.record_eligibility_outcome(req.payer_id, status)
    new = store.NewCheck(
        source="clearinghouse", status=status, benefits=benefits, created_by=_actor(ctx),
        payer_id=req.payer_id.upper(), payer_name=benefits.payer_name or req.payer_name,
        date_of_service=req.date_of_service, service_type_codes=stcs,
        subscriber_first_name=sub.first_name, subscriber_last_name=sub.last_name, subscriber_dob=sub.date_of_birth,
        member_id=sub.member_id,
        dependent_first_name=dep.first_name if dep else None, dependent_last_name=dep.last_name if dep else None,
        dependent_dob=dep.date_of_birth if dep else None, dependent_relationship=dep.relationship if dep else None,
        request=req, raw_270=raw_270, raw_271=reply.raw_271, patient_key=pkey, trace_number=trace,
        cache_key=key, attempts=reply.attempts,
    )
    async with ctx.pool.acquire() as conn, conn.transaction():
        row = await store.insert_check(conn, new)
        await record(conn, caller=ctx.caller, action="eligibility.create", resource_type="eligibility_check",
                     resource_id=row["id"], patient=pkey, request_id=ctx.request_id)
    log.info("eligibility_check_created", check_id=str(row["id"]), status=status, source="clearinghouse",
             attempts=reply.attempts)
    return _to_resource(row), True


#: A trace number of the service's own shape (it makes every trace: always valid), for validating an inquiry.
_ANY_TRACE = "0" * 20


def _request_values(req: EligibilityCheckRequest, settings: Any) -> bytes:
    """Every value :func:`_inquiry` makes an inquiry from (the trace aside), encoded."""
    return b"\x1f".join((_request_encoder.encode(req), settings.provider_npi.encode(), settings.provider_name.encode()))


_request_encoder = msgspec.json.Encoder()


def _inquiry(req: EligibilityCheckRequest, settings: Any, stcs: list[str], trace: str) -> EligibilityInquiry:
    sub, dep, provider = req.subscriber, req.dependent, req.provider
    return EligibilityInquiry(
        payer=Payer(id=req.payer_id, name=req.payer_name or req.payer_id),
        provider=Provider(npi=provider.npi if provider else settings.provider_npi,
                          name=provider.name if provider else settings.provider_name,
                          first_name=provider.first_name if provider else None),
        subscriber=Subscriber(last_name=sub.last_name, first_name=sub.first_name,
                              date_of_birth=sub.date_of_birth, member_id=sub.member_id),
        dependent=Dependent(last_name=dep.last_name, first_name=dep.first_name, date_of_birth=dep.date_of_birth,
                            relationship=dep.relationship) if dep else None,
        date_of_service=req.date_of_service,
        service_type_codes=stcs,
        trace_number=trace,
    )


def _envelope(settings: Any, control: int) -> Envelope:
    return Envelope(
        sender_id=settings.submitter_id, receiver_id=settings.receiver_id, interchange_control_number=control,
        group_control_number=control, created=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
        usage="T" if settings.uses_sandbox_clearinghouse else "P",
    )


def _check_trace(parsed: Any, trace: str, benefits: NormalizedBenefits) -> NormalizedBenefits:
    patient = parsed.patient
    traces = [t[1] for t in (patient.traces if patient else []) if len(t) > 1]
    if parsed.subscriber and patient is not parsed.subscriber:
        traces += [t[1] for t in parsed.subscriber.traces if len(t) > 1]
    if traces and trace not in traces:
        return msgspec.structs.replace(
            benefits, warnings=[*benefits.warnings, "the 271 trace number (TRN) does not match the 270 sent"]
        )
    return benefits


async def read_check(ctx: Context, check_id: str) -> bytes:
    """A stored check's answer, encoded (404 for an unknown or malformed id), audited in the same statement - a
    probe for an id that does not exist (or is another organization's) too, as ``not_found``."""
    cid = store.parse_id(check_id)
    held = _VIEWS.held(current_organization(), cid) if cid is not None else None
    row = await store.fetch_check_audited(_reads(ctx), cid, check_id,
                                          audit_params(ctx.caller, "eligibility.read", ctx.request_id),
                                          _held_version(held))
    if row is None:
        raise NotFound("No eligibility check with this id.")
    READ_AUDITED.set(True)
    return _answer(row, held, from_cache=False)


async def read_check_x12(ctx: Context, check_id: str) -> EligibilityX12:
    """The raw X12 of a stored check, audited as :func:`read_check`."""
    row = await store.fetch_x12_audited(_reads(ctx), store.parse_id(check_id), check_id,
                                        audit_params(ctx.caller, "eligibility.read_x12", ctx.request_id))
    if row is None:
        raise NotFound("No eligibility check with this id.")
    return EligibilityX12(id=str(row["id"]), source=row["source"], raw_270=row["raw_270"], raw_271=row["raw_271"])


async def read_held_271(text: str, *, field: str) -> tuple[Parsed271, NormalizedBenefits, str | None]:
    """A 271 someone already holds → (parsed, normalized benefits, pseudonymous patient key).

    Shared by ``POST /v1/eligibility/parse-271`` and estimates priced from a posted 271. A document
    that is not a readable 271 is a 422 naming ``field``. A large one is parsed off the event loop and its
    ``benefit_rows`` stay JSON (read them with ``rows_json.rows_of``).
    """
    acknowledgement = read_acknowledgement(text)
    if acknowledgement is not None:
        raise Unprocessable(
            f"The document is a {acknowledgement.kind} acknowledgement, not a 271. {acknowledgement.sentence()}",
            errors=[FieldError(field=field, reason=f"a {acknowledgement.kind} acknowledgement, not a 271")],
            slug="not-a-271",
        )
    try:
        parsed, benefits = await read_and_normalize(text, source=Source.POSTED_271)
    except X12FormatError as exc:
        raise Unprocessable(
            f"The document is not a readable 271: {exc.detail}",
            errors=[FieldError(field=field, reason=exc.detail)], slug="not-a-271",
        ) from None
    sub = parsed.subscriber.demographics if parsed.subscriber else None
    dep = parsed.dependent.demographics if parsed.dependent else None
    person = dep or sub
    pkey = None
    if person is not None and person.last_name:
        pkey = patient_key(person.last_name, person.first_name or "", _iso_d8(person.date_of_birth) or "",
                           sub.member_id if sub else None)
    return parsed, benefits, pkey


async def parse_posted_271(ctx: Context, req: Parse271Request) -> EligibilityCheck:
    # Stored and answered, never read row by row here: a large 271's rows stay JSON (see parsing.py).
    parsed, benefits, pkey = await read_held_271(req.x12, field="$.x12")
    sub = parsed.subscriber.demographics if parsed.subscriber else None
    dep = parsed.dependent.demographics if parsed.dependent else None

    status = check_status(benefits)
    new = store.NewCheck(
        source="posted_271", status=status, benefits=benefits, created_by=_actor(ctx),
        payer_id=(benefits.payer_id or "").upper() or None, payer_name=benefits.payer_name,
        subscriber_first_name=sub.first_name if sub else None, subscriber_last_name=sub.last_name if sub else None,
        subscriber_dob=parse_d8(sub.date_of_birth) if sub else None, member_id=sub.member_id if sub else None,
        dependent_first_name=dep.first_name if dep else None, dependent_last_name=dep.last_name if dep else None,
        dependent_dob=parse_d8(dep.date_of_birth) if dep else None, raw_271=req.x12, patient_key=pkey,
        trace_number=_first_trace(parsed),
    )
    async with ctx.pool.acquire() as conn, conn.transaction():
        row = await store.insert_check(conn, new)
        await record(conn, caller=ctx.caller, action="eligibility.create", resource_type="eligibility_check",
                     resource_id=row["id"], patient=pkey, request_id=ctx.request_id)
    log.info("eligibility_check_created", check_id=str(row["id"]), status=status, source="posted_271")
    return _to_resource(row, benefits=benefits)


def _iso_d8(value: str | None) -> str | None:
    parsed = parse_d8(value)
    return parsed.isoformat() if parsed else None


def _first_trace(parsed: Any) -> str | None:
    for member in (parsed.dependent, parsed.subscriber):
        if member and member.traces and len(member.traces[0]) > 1:
            return member.traces[0][1]
    return None


async def create_manual_check(ctx: Context, req: ManualCheckRequest) -> EligibilityCheck:
    person_errors = [FieldError(field=f"$.{f}", reason=r)
                     for part in ("subscriber", "dependent") for f, r in nul_errors(getattr(req, part), part)]
    try:
        benefits = benefits_from_manual(req.benefits)
        exc_errors: list[tuple[str, str]] = []
    except ManualEntryError as exc:
        exc_errors = exc.errors
    if person_errors or exc_errors:
        errors = person_errors + [FieldError(field=_manual_path(f), reason=r) for f, r in exc_errors]
        raise Unprocessable(
            "; ".join(f"{e.field}: {e.reason}" for e in errors), errors=errors, slug="manual-benefits-invalid",
            title=ManualEntryError.title,
        ) from None
    sub, dep = req.subscriber, req.dependent
    pkey = _patient_key_for(sub, dep)
    new = store.NewCheck(
        source="manual", status=check_status(benefits), benefits=benefits, created_by=_actor(ctx),
        payer_id=(req.benefits.payer_id or "").upper() or None, payer_name=req.benefits.payer_name,
        date_of_service=req.date_of_service,
        subscriber_first_name=sub.first_name, subscriber_last_name=sub.last_name, subscriber_dob=sub.date_of_birth,
        member_id=sub.member_id,
        dependent_first_name=dep.first_name if dep else None, dependent_last_name=dep.last_name if dep else None,
        dependent_dob=dep.date_of_birth if dep else None, dependent_relationship=dep.relationship if dep else None,
        request=req, patient_key=pkey,
    )
    async with ctx.pool.acquire() as conn, conn.transaction():
        row = await store.insert_check(conn, new)
        await record(conn, caller=ctx.caller, action="eligibility.create", resource_type="eligibility_check",
                     resource_id=row["id"], patient=pkey, request_id=ctx.request_id)
    log.info("eligibility_check_created", check_id=str(row["id"]), source="manual")
    return _to_resource(row)


def _manual_path(field: str) -> str:
    field = field.removeprefix("$.").removeprefix("$")
    return "$.benefits." + field if field else "$.benefits"


async def get_check_benefits(pool: asyncpg.Pool, check_id: str | uuid.UUID) -> tuple[NormalizedBenefits, dict]:
    """Benefits of a stored check for pricing, and facts about the check (no PHI).

    The dict has ``check_id``, ``source``, ``status``, ``payer_id``, ``payer_name``,
    ``date_of_service`` (date or None), ``service_type_codes``, ``patient_key``,
    ``created_at`` and ``age_seconds``. Raises :class:`NotFound` for an unknown or invalid id.
    The caller audits its own use (e.g. ``estimate.create`` with the same patient_key).
    """
    cid = check_id if isinstance(check_id, uuid.UUID) else store.parse_id(check_id)
    if cid is None:
        raise NotFound("No eligibility check with this id.", field="eligibility_check_id")
    row = await store.fetch_check(pool, cid)
    if row is None:
        raise NotFound("No eligibility check with this id.", field="eligibility_check_id")
    facts = {
        "check_id": str(row["id"]),
        "source": row["source"],
        "status": row["status"],
        "payer_id": row["payer_id"],
        "payer_name": row["payer_name"],
        "date_of_service": row["date_of_service"],
        "service_type_codes": list(row["service_type_codes"] or []),
        "patient_key": row["patient_key"],
        "created_at": row["created_at"],
        "age_seconds": max(0, int(row["age"] or 0)),
    }
    return store.decode_benefits(row), facts
