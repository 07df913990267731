"""The patient page: one patient's own estimate in plain language, opened with a portal token.

Where the token travels (decided): the portal link is ``/portal#token=<token>``. A URL fragment is never
sent to a server, so the token appears in no request line, access log, proxy log or Referer header. A
small script (``static/portal.js``) moves it into a form and POSTs it to ``/portal/session``; the server
checks it (signature, expiry, revocation) and answers with an HttpOnly, SameSite=Strict cookie scoped to
``/portal`` that lives no longer than the token. Without script the page shows the same form, where the
patient can paste the code. Every page view re-checks the token, so revoking it ends access at once.

Shown: what the patient would pay per level, when (the dates of care and of the payment plan), the
payment plans, what could change the amount, and their Good Faith Estimates. Not shown: anything
internal (rate-table versions, reference file names, per-day rows, staff wording, names or birth dates).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import Cookie

from contracts.estimate import EstimateResponse
from service.access.audit import record
from service.db.tenant import act_for
from service.access.roles import Caller
from service.access.tokens import estimate_patient_key, portal_view, read_estimate
from service.console import sessions
from service.console.views import level_rows, long_date, page
from service.errors import request_id_of
from service.pricing.selfpay import store as gfe_store
from service.pricing.selfpay.gfe import render_html

TOKEN_COOKIE = "portal_token"
FORM_COOKIE = "portal_form"


def _cookie(request: Request[Any, Any, Any], key: str, value: str, max_age: int) -> Cookie:
    return Cookie(key=key, value=value, path="/portal", httponly=True, samesite="strict",
                  secure=request.url.scheme == "https", max_age=max_age)


def _base(request: Request[Any, Any, Any], csrf_token: str) -> dict[str, Any]:
    return {"provider_name": request.app.state.settings.provider_name, "area": "Your cost estimate",
            "session": None, "csrf_token": csrf_token, "title": "Your cost estimate"}


def _open_page(request: Request[Any, Any, Any], *, status: int = 200, gone: bool = False) -> Response[str]:
    token = sessions.new_token()
    cookies = [_cookie(request, FORM_COOKIE, token, 1800)]
    if gone:
        cookies.append(_cookie(request, TOKEN_COOKIE, "", 0))
    return page("patient_open.html", status=status, script=True, cookies=cookies, gone=gone,
                **_base(request, token))


async def _caller(request: Request[Any, Any, Any], token: str | None) -> Caller | None:
    if not token:
        return None
    caller = await request.app.state.portal_tokens.resolve(request.app.state.pool, token)
    if caller is not None:
        act_for(caller.organization_id)  # the rest of this request reads the token's organization only
    return caller


def _checked_form(request: Request[Any, Any, Any], data: Any) -> bool:
    return sessions.same_token(request.cookies.get(FORM_COOKIE), data.get("csrf_token"))


def plain_words(response: EstimateResponse, *, self_pay: bool) -> list[str]:
    """What could change the amount, in the patient's words (never the internal warnings)."""
    changes = ["The number of days or weeks of care you actually receive.",
               "The services your care team decides you need."]
    if self_pay:
        changes.append("Your household size or income, if the sliding-scale discount is checked again.")
    else:
        changes += ["Other medical bills that count toward your deductible or out-of-pocket maximum before "
                    "this care starts.",
                    "How your plan processes each claim, including any prior authorization it requires."]
    return changes


class PatientPageController(Controller):
    path = "/portal"
    include_in_schema = False

    @get("", operation_id="patientPage", media_type=MediaType.HTML)
    async def home(self, request: Request[Any, Any, Any]) -> Response[str]:
        token = request.cookies.get(TOKEN_COOKIE)
        caller = await _caller(request, token)
        if caller is None:
            return _open_page(request, status=401 if token else 200, gone=bool(token))
        pool = request.app.state.pool
        estimate = await read_estimate(pool, caller.estimate_scope or "")
        await record(pool, caller=caller, action="estimate.read_page", resource_type="estimate",
                     resource_id=caller.estimate_scope, request_id=request_id_of(request.scope),
                     patient=estimate_patient_key(estimate) if estimate else None,
                     outcome="success" if estimate else "not_found")
        if estimate is None:
            return _open_page(request, status=404, gone=True)
        view = portal_view(estimate)
        response = msgspec.convert(view.estimate, EstimateResponse, strict=False)
        self_pay = view.benefits_source == "self_pay"
        gfes = await pool.fetch("SELECT id, version, issued_at FROM good_faith_estimates WHERE estimate_id = $1 "
                                "ORDER BY version", caller.estimate_scope)
        form_token = sessions.new_token()
        return page("patient.html", script=False, cookies=[_cookie(request, FORM_COOKIE, form_token, 1800)],
                    rows=level_rows(response), changes=plain_words(response, self_pay=self_pay),
                    self_pay=self_pay, payer=" ".join(x for x in (view.payer_name, view.plan_name) if x) or None,
                    made_on=long_date(view.created_at), disclaimer=response.disclaimer,
                    gfes=[{"id": str(g["id"]), "version": g["version"], "issued": long_date(g["issued_at"])}
                          for g in gfes],
                    **_base(request, form_token))

    @post("/session", operation_id="patientOpen", media_type=MediaType.HTML, status_code=303)
    async def open(self, request: Request[Any, Any, Any]) -> Response[str]:
        data = await request.form()
        if not _checked_form(request, data):
            return _open_page(request, status=403)
        token = str(data.get("token") or "").strip()
        caller = await _caller(request, token)
        if caller is None:
            await record(request.app.state.pool, caller=None, action="portal.open", resource_type="estimate",
                         request_id=request_id_of(request.scope), outcome="denied")
            return _open_page(request, status=401, gone=True)
        payload = request.app.state.portal_tokens.verify(token)
        max_age = max(1, int(payload.exp - dt.datetime.now(dt.UTC).timestamp())) if payload else 60
        return Response("", status_code=303, headers={"Location": "/portal", "Cache-Control": "no-store"},
                        cookies=[_cookie(request, TOKEN_COOKIE, token, max_age)])

    @post("/good-faith-estimate", operation_id="patientGoodFaithEstimate", media_type=MediaType.HTML)
    async def good_faith_estimate(self, request: Request[Any, Any, Any]) -> Response[str]:
        data = await request.form()
        caller = await _caller(request, request.cookies.get(TOKEN_COOKIE))
        if caller is None or not _checked_form(request, data):
            return _open_page(request, status=401, gone=caller is None)
        pool = request.app.state.pool
        found = await gfe_store.get_gfe(pool, str(data.get("gfe_id") or ""))
        if found is not None and found[0].estimate_id != caller.estimate_scope:
            found = None  # another patient's: the same answer as none at all
        await record(pool, caller=caller, action="good_faith_estimate.read_page", resource_type="good_faith_estimate",
                     resource_id=found[0].id if found else None, patient=found[1] if found else None,
                     request_id=request_id_of(request.scope), outcome="success" if found else "not_found")
        if found is None:
            return page("message.html", status=404, message="That Good Faith Estimate is not available.",
                        **_base(request, ""))
        return Response(render_html(found[0].gfe), status_code=200, media_type=MediaType.HTML, headers={
            "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})

    @post("/sign-out", operation_id="patientSignOut", media_type=MediaType.HTML)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Response[str]:
        data = await request.form()
        if not _checked_form(request, data):
            return _open_page(request, status=403)
        return page("message.html", heading="You have closed your estimate",
                    message="To see it again, open the link you were sent.",
                    cookies=[_cookie(request, TOKEN_COOKIE, "", 0)], **_base(request, ""))


CONTROLLERS = [PatientPageController]
