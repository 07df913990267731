"""The patient page over HTTP: token in the fragment -> POST -> HttpOnly cookie; plain words only; revocation."""

from __future__ import annotations

import re
from typing import Any

from tests.integration.console.conftest import csrf_of
from tests.integration.eligibility.helpers import fresh_dos

SELF_PAY = {"payer_id": "self-pay", "first_name": "RIVER", "last_name": "STONE", "date_of_birth": "1992-05-05",
            "household_size": "1", "annual_income": "30000"}


def _self_pay_estimate_with_link(console: Any) -> tuple[str, str]:
    home = console.get("/console")
    made = console.post("/console/estimate", data={"csrf_token": csrf_of(home.text), **SELF_PAY,
                                                   "date_of_service": fresh_dos()})
    assert made.status_code == 200, made.text
    estimate_id = re.search(r'name="estimate_id" value="([^"]+)"', made.text).group(1)
    gfe = console.post("/console/good-faith-estimate", data={"csrf_token": csrf_of(made.text),
                                                             "estimate_id": estimate_id, "level": "iop"})
    assert gfe.status_code == 200 and "Good Faith Estimate" in gfe.text and "RIVER STONE" in gfe.text
    linked = console.post("/console/portal-link", data={"csrf_token": csrf_of(made.text), "estimate_id": estimate_id})
    link = re.search(r'id="portal-link" readonly value="([^"]+)"', linked.text).group(1)
    assert "/portal#token=pt1." in link  # the token only in the fragment
    return estimate_id, link.split("#token=", 1)[1]


def test_patient_opens_their_estimate_with_the_token_and_sees_plain_words_only(console, client, headers, db) -> None:  # noqa: ANN001
    estimate_id, token = _self_pay_estimate_with_link(console)
    console.cookies.clear()
    opening = client.get("/portal")
    assert opening.status_code == 200 and 'src="/console/static/portal.js"' in opening.text
    opened = client.post("/portal/session", data={"csrf_token": csrf_of(opening.text), "token": token},
                         follow_redirects=False)
    assert opened.status_code == 303
    cookie = next(h for h in opened.headers.get_list("set-cookie") if h.startswith("portal_token="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/portal" in cookie
    mine = client.get("/portal")
    assert mine.status_code == 200
    text = mine.text
    assert "Intensive outpatient program (IOP)" in text and "You would pay about" in text
    assert "Good Faith Estimate 1" in text and "right to a Good Faith Estimate" in text
    stored = db.fetchrow("SELECT response -> 'comparison' -> 'figures' ->> 'rate_table_version' AS label, "
                         "response ->> 'rate_version_ids' AS ids FROM estimates WHERE id = $1::uuid", estimate_id)
    internal = [stored["label"], *re.findall(r"[0-9a-f-]{36}", stored["ids"]), ".json", "RIVER", "1992", "Ask:",
                "patient_pays", "Lowest"]
    assert not [word for word in internal if word in text]
    assert db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'estimate.read_page' AND resource_id = $1",
                       estimate_id) == 1
    # the patient's GFE opens from their page
    gfe_id = re.search(r'name="gfe_id" value="([^"]+)"', text).group(1)
    gfe = client.post("/portal/good-faith-estimate", data={"csrf_token": csrf_of(text), "gfe_id": gfe_id})
    assert gfe.status_code == 200 and "Good Faith Estimate" in gfe.text
    # revoked: the page stops working at once
    token_id = db.fetchval("SELECT id::text FROM portal_tokens WHERE estimate_id = $1", estimate_id)
    assert client.delete(f"/v1/portal-tokens/{token_id}", headers=headers["intake"]).status_code == 204
    gone = client.get("/portal")
    assert gone.status_code == 401 and "no longer works" in gone.text
    client.cookies.clear()


def test_a_forged_or_unknown_token_opens_nothing(client, db) -> None:  # noqa: ANN001
    client.cookies.clear()
    opening = client.get("/portal")
    refused = client.post("/portal/session", data={"csrf_token": csrf_of(opening.text), "token": "pt1.e30.bad"})
    assert refused.status_code == 401 and "no longer works" in refused.text
    assert db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'portal.open' AND outcome = 'denied'") >= 1
    client.cookies.clear()
