"""The intake console: sign-in, one screen from caller to comparison, Good Faith Estimate, portal link.

Server-rendered HTML forms (POST only for anything that carries PHI, so nothing personal is ever in a
URL). Every handler calls the service's own functions in-process (eligibility, estimates, Good Faith
Estimates, portal tokens), with the signed-in staff member as the caller, so each access is audited
exactly as the API audits it; sign-in and sign-out are audited here. Not in the OpenAPI document: these
are pages, not API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath

from contracts.selfpay import GfeIssueRequest, GfePatient
from service.access.audit import record
from service.access.keys import caller_for_key
from service.access.roles import Role
from service.access.tokens import issue_portal_token
from service.console import sessions
from service.console.forms import FACILITY_CHOICES, CallerForm, check_fields, eligibility_request, \
    estimate_request, read_form, rejection_errors
from service.console.payers import payer_choices
from service.console.sessions import ConsoleSession
from service.console.staff import authenticate
from service.db.tenant import act_for
from service.console.views import STATIC_TYPES, chart_for, level_rows, long_date, page, static_file
from service.eligibility import service as eligibility
from service.errors import NotFound, ProblemError, request_id_of
from service.pricing.selfpay.routes import issue_good_faith_estimate
from service.pricing.selfpay.gfe import render_html
from service.pricing.service import create_estimate, provider_terms, read_estimate
from service.pricing.store import load_estimate

PORTAL_PATH = "/portal"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _secure(request: Request[Any, Any, Any]) -> bool:
    return request.url.scheme == "https"


def session_cookie(request: Request[Any, Any, Any], value: str | None) -> Cookie:
    return Cookie(key=sessions.SESSION_COOKIE, value=value or "", path="/console", httponly=True, samesite="strict",
                  secure=_secure(request), max_age=sessions.MAX_HOURS * 3600 if value else 0)


def _base(request: Request[Any, Any, Any], session: ConsoleSession | None) -> dict[str, Any]:
    return {"provider_name": request.app.state.settings.provider_name, "area": "Intake console",
            "session": session, "csrf_token": session.csrf_token if session else None, "title": "Intake console"}


def sign_in_page(request: Request[Any, Any, Any], *, status: int = 200, notice: str | None = None,
                 error: str | None = None, clear_session: bool = False) -> Response[str]:
    """The sign-in page with a fresh pre-session CSRF cookie (double submit)."""
    token = sessions.new_token()
    cookies = [Cookie(key=sessions.PRE_SESSION_COOKIE, value=token, path="/console", httponly=True,
                      samesite="strict", secure=_secure(request), max_age=1800)]
    if clear_session:
        cookies.append(session_cookie(request, None))
    return page("sign_in.html", status=status, cookies=cookies, notice=notice, error=error,
                **{**_base(request, None), "csrf_token": token, "title": "Sign in"})


async def _session(request: Request[Any, Any, Any]) -> tuple[ConsoleSession | None, Response[str] | None]:
    """The signed-in session, or the sign-in page to answer instead."""
    session, timed_out = await sessions.resume_session(
        request.app.state.pool, request.cookies.get(sessions.SESSION_COOKIE), now=_now())
    if session is not None:
        act_for(session.organization_id)  # the rest of this request reaches the staff member's organization only
        return session, None
    notice = (f"You were signed out after {sessions.IDLE_MINUTES} minutes without activity. Sign in again."
              if timed_out else None)
    return None, sign_in_page(request, status=401 if request.method == "POST" else 200, notice=notice,
                              clear_session=timed_out)


async def _posted(request: Request[Any, Any, Any]) -> tuple[ConsoleSession, Any, Response[str] | None]:
    """A form posted by a signed-in session with its CSRF token; else the page to answer instead."""
    session, answer = await _session(request)
    if session is None:
        return None, None, answer  # type: ignore[return-value]
    data = await request.form()
    if not sessions.same_token(session.csrf_token, data.get("csrf_token")):
        return session, data, page("message.html", status=403, message="This form has expired. Go back, reload "
                                   "the page and try again.", **_base(request, session))
    return session, data, None


async def _console(request: Request[Any, Any, Any], session: ConsoleSession, form: CallerForm, *,
                   status: int = 200, **context: Any) -> Response[str]:
    state = request.app.state
    payers = await payer_choices(state.pool, state.settings)
    return page("console.html", status=status, form=form, payers=payers, facility_choices=FACILITY_CHOICES,
                **_base(request, session), **context)


def _empty_form(request: Request[Any, Any, Any]) -> CallerForm:
    return read_form({}, today=dt.date.today(), state=request.app.state.settings.provider_state)


def _estimate_context(response: Any) -> dict[str, Any]:
    return {"estimate": response, "lines": response.read_aloud, "rows": level_rows(response),
            "chart": chart_for(response)}


class ConsoleController(Controller):
    path = "/console"
    include_in_schema = False

    @get("", operation_id="consolePage", media_type=MediaType.HTML)
    async def home(self, request: Request[Any, Any, Any]) -> Response[str]:
        session, answer = await _session(request)
        if session is None:
            return answer  # type: ignore[return-value]
        return await _console(request, session, _empty_form(request))

    @get("/static/{name:str}", operation_id="consoleStatic")
    async def static(self, name: FromPath[str]) -> Response[bytes]:
        body = static_file(name)
        if body is None:
            raise NotFound("No such file.")
        return Response(body, media_type=STATIC_TYPES[name], headers={"Cache-Control": "public, max-age=3600",
                                                                       "X-Content-Type-Options": "nosniff"})

    @post("/sign-in", operation_id="consoleSignIn", status_code=303, media_type=MediaType.HTML)
    async def sign_in(self, request: Request[Any, Any, Any]) -> Response[Any]:
        data = await request.form()
        if not sessions.same_token(request.cookies.get(sessions.PRE_SESSION_COOKIE), data.get("csrf_token")):
            return sign_in_page(request, status=403, error="The sign-in form expired. Please try again.")
        pool, now = request.app.state.pool, _now()
        actor: tuple[str, str, str] | None = None
        if data.get("api_key"):
            caller = await caller_for_key(pool, str(data.get("api_key")).strip())
            if caller is not None and caller.role is Role.INTAKE:
                actor = (caller.actor_id, caller.actor_name, caller.organization_id)
            how = "api_key"
        else:
            staff = await authenticate(pool, str(data.get("username") or ""), str(data.get("password") or ""), now=now)
            actor = (staff.actor_id, staff.display_name, staff.organization_id) if staff else None
            how = "password"
        request_id = request_id_of(request.scope)
        if actor is None:
            await record(pool, caller=None, action=f"console.sign_in.{how}", resource_type="console_session",
                         request_id=request_id, outcome="denied")
            return sign_in_page(request, status=401, error="Those details are not right, the account is locked, or "
                                "the key is not an intake key.")
        await sessions.prune_sessions(pool, now=now)
        session_id = await sessions.start_session(pool, actor_id=actor[0], actor_name=actor[1], now=now,
                                                  organization_id=actor[2])
        session = ConsoleSession(actor_id=actor[0], actor_name=actor[1], csrf_token="", last_seen_at=now,
                                 organization_id=actor[2])
        act_for(session.organization_id)
        await record(pool, caller=session.caller, action=f"console.sign_in.{how}", resource_type="console_session",
                     request_id=request_id)
        return Response("", status_code=303, headers={"Location": "/console", "Cache-Control": "no-store"},
                        cookies=[session_cookie(request, session_id),
                                 Cookie(key=sessions.PRE_SESSION_COOKIE, value="", path="/console", max_age=0)])

    @post("/sign-out", operation_id="consoleSignOut", media_type=MediaType.HTML)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Response[str]:
        session, _data, refused = await _posted(request)
        if refused is not None:
            return refused
        await sessions.end_session(request.app.state.pool, request.cookies.get(sessions.SESSION_COOKIE))
        await record(request.app.state.pool, caller=session.caller, action="console.sign_out",
                     resource_type="console_session", request_id=request_id_of(request.scope))
        return sign_in_page(request, notice="You are signed out.", clear_session=True)

    @post("/estimate", operation_id="consoleEstimate", media_type=MediaType.HTML)
    async def estimate(self, request: Request[Any, Any, Any]) -> Response[str]:
        session, data, refused = await _posted(request)
        if refused is not None:
            return refused
        form = read_form(data, today=dt.date.today(), state=request.app.state.settings.provider_state)
        try:
            return await self._check_and_estimate(request, session, form)
        except ProblemError as problem:
            form.add(problem)
            return await _console(request, session, form, status=problem.status)

    async def _check_and_estimate(self, request: Request[Any, Any, Any], session: ConsoleSession,
                                  form: CallerForm) -> Response[str]:
        state, caller, request_id = request.app.state, session.caller, request_id_of(request.scope)
        check_id = None
        if not form.self_pay:
            payers = await payer_choices(state.pool, state.settings)
            check_fields(form, required=("first_name", "last_name", "date_of_birth", "member_id"))
            check_request = None if form.errors else eligibility_request(form, payers.get(form.values["payer_id"]))
            if check_request is None:
                return await _console(request, session, form, status=400)
            context = eligibility.context_for(state, caller, request_id)
            check, _created = await eligibility.create_check(context, check_request)
            if check.status != "active":
                form.errors.update(rejection_errors(check))
                return await _console(request, session, form, status=200, lines=check.read_aloud)
            check_id = check.id
        else:
            check_fields(form, required=("first_name", "last_name", "date_of_birth"))
        wanted = None if form.errors else estimate_request(form, eligibility_check_id=check_id)
        if wanted is None:
            return await _console(request, session, form, status=400)
        response = await create_estimate(state.pool, wanted, caller=caller, request_id=request_id,
                                         today=dt.date.today(), now=_now(), **provider_terms(state.settings))
        return await _console(request, session, form, **_estimate_context(response))

    @post("/portal-link", operation_id="consolePortalLink", media_type=MediaType.HTML)
    async def portal_link(self, request: Request[Any, Any, Any]) -> Response[str]:
        session, data, refused = await _posted(request)
        if refused is not None:
            return refused
        state, estimate_id = request.app.state, str(data.get("estimate_id") or "")
        request_id = request_id_of(request.scope)
        response = await _read(state.pool, estimate_id, session, request_id)
        issued = await issue_portal_token(state.pool, state.portal_tokens, estimate_id=estimate_id,
                                          caller=session.caller, request_id=request_id)
        link = f"{str(request.base_url).rstrip('/')}{PORTAL_PATH}#token={issued.token}"
        form = _empty_form(request)
        return await _console(request, session, form, portal_link=link,
                              portal_expires=f"{issued.expires_at:%H:%M} UTC, {long_date(issued.expires_at)}",
                              **_estimate_context(response))

    @post("/good-faith-estimate", operation_id="consoleGoodFaithEstimate", media_type=MediaType.HTML)
    async def good_faith_estimate(self, request: Request[Any, Any, Any]) -> Response[str]:
        session, data, refused = await _posted(request)
        if refused is not None:
            return refused
        pool, estimate_id = request.app.state.pool, str(data.get("estimate_id") or "")
        async with pool.acquire() as conn:
            try:
                stored = await load_estimate(conn, estimate_id)
            except (NotFound, ValueError):
                return page("message.html", status=404, message="No such estimate.", **_base(request, session))
            patient = stored.request.patient
            gfe_patient = (GfePatient(name=f"{patient.first_name} {patient.last_name}",
                                      date_of_birth=patient.date_of_birth)
                           if patient is not None and patient.date_of_birth is not None else None)
            level = str(data.get("level") or "")
            try:
                issued = await issue_good_faith_estimate(
                    conn, settings=request.app.state.settings, estimate_id=estimate_id,
                    data=GfeIssueRequest(levels=[level], patient=gfe_patient,
                                         patient_chose_self_pay=data.get("patient_chose_self_pay") == "yes"),
                    caller=session.caller, request_id=request_id_of(request.scope))
            except ProblemError as problem:
                return page("message.html", status=problem.status, message=problem.detail or problem.title,
                            **_base(request, session))
        return Response(render_html(issued.gfe), status_code=200, media_type=MediaType.HTML, headers={
            "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


async def _read(pool: Any, estimate_id: str, session: ConsoleSession, request_id: str | None) -> Any:
    import uuid  # noqa: PLC0415

    try:
        wanted = uuid.UUID(estimate_id)
    except ValueError:
        raise NotFound("No such estimate.") from None
    return await read_estimate(pool, wanted, caller=session.caller, request_id=request_id)


CONTROLLERS = [ConsoleController]
