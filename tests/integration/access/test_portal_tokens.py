"""Patient-portal tokens over HTTP: issue, read the one estimate, expiry, revocation, audit."""

from __future__ import annotations

import base64
import datetime as dt
import json

from tests.integration.access.conftest import bearer


def _issue(client, headers, estimate_id: str, role: str = "intake", **body) -> dict:  # noqa: ANN001
    response = client.post(f"/v1/estimates/{estimate_id}/portal-tokens", json=body or None, headers=headers[role])
    assert response.status_code == 201, response.text
    return response.json()


def test_token_reads_its_estimate_with_minimum_necessary(client, headers, make_estimate) -> None:
    estimate_id = make_estimate(member_id="XJH123456789", first_name="Ada")
    issued = _issue(client, headers, estimate_id)
    assert issued["estimate_id"] == estimate_id
    expires = dt.datetime.fromisoformat(issued["expires_at"])
    assert dt.timedelta(minutes=59) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=1)

    response = client.get("/v1/portal/estimate", headers=bearer(issued["token"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["estimate_id"] == estimate_id
    assert body["member_id_masked"] == "********6789"
    assert body["payer_name"] == "DEMO PPO"
    assert body["as_of"] == "2025-01-06"
    assert body["estimate"]["comparison"]["summary"] == "IOP is cheapest"
    text = response.text
    for phi in ("XJH123456789", "Ada", "Lovelace", "1980-02-03", "ISA*", "pk_test_"):
        assert phi not in text
    assert set(body) == {
        "estimate_id", "created_at", "as_of", "benefits_source", "member_id_masked", "payer_name", "plan_name", "estimate",
    }


def test_billing_may_issue_and_ttl_can_be_shortened(client, headers, make_estimate) -> None:
    issued = _issue(client, headers, make_estimate(), role="billing", ttl_seconds=60)
    left = dt.datetime.fromisoformat(issued["expires_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(seconds=55) < left <= dt.timedelta(seconds=60)


def test_unknown_estimate_is_404_and_issues_nothing(client, headers, db) -> None:
    before = db.fetchval("SELECT count(*) FROM portal_tokens")
    response = client.post("/v1/estimates/4b1d3c7e-0000-4000-8000-000000000000/portal-tokens", headers=headers["intake"])
    assert response.status_code == 404
    assert db.fetchval("SELECT count(*) FROM portal_tokens") == before


def test_token_expires(client, headers, make_estimate) -> None:
    issued = _issue(client, headers, make_estimate(), ttl_seconds=60)
    tokens = client.app.state.portal_tokens
    real_clock = tokens.clock
    try:
        tokens.clock = lambda: real_clock() + 59
        assert client.get("/v1/portal/estimate", headers=bearer(issued["token"])).status_code == 200
        tokens.clock = lambda: real_clock() + 61
        expired = client.get("/v1/portal/estimate", headers=bearer(issued["token"]))
        assert expired.status_code == 401
        assert expired.headers["content-type"].startswith("application/problem+json")
    finally:
        tokens.clock = real_clock


def test_revoked_token_stops_working_at_once(client, headers, make_estimate, db) -> None:
    issued = _issue(client, headers, make_estimate())
    assert client.get("/v1/portal/estimate", headers=bearer(issued["token"])).status_code == 200
    assert client.delete(f"/v1/portal-tokens/{issued['id']}", headers=headers["billing"]).status_code == 204
    assert client.get("/v1/portal/estimate", headers=bearer(issued["token"])).status_code == 401
    assert client.delete(f"/v1/portal-tokens/{issued['id']}", headers=headers["intake"]).status_code == 404
    assert client.delete("/v1/portal-tokens/not-a-uuid", headers=headers["admin"]).status_code == 404
    revoked_by = db.fetchval("SELECT revoked_by FROM portal_tokens WHERE id = $1::uuid", issued["id"])
    assert revoked_by and not revoked_by.startswith("portal-token:")


def _forge(token: str, **changes) -> str:  # noqa: ANN003
    prefix, payload, mac = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{prefix}.{forged}.{mac}"


def test_token_cannot_reach_another_estimate(client, headers, make_estimate) -> None:
    mine, other = make_estimate(member_id="MINE00001111"), make_estimate(member_id="OTHER0002222")
    token = _issue(client, headers, mine)["token"]
    body = client.get("/v1/portal/estimate", headers=bearer(token)).json()
    assert body["estimate_id"] == mine and "2222" not in json.dumps(body)

    # Changing the estimate id (or expiry) in the payload breaks the signature: 401, nothing read.
    assert client.get("/v1/portal/estimate", headers=bearer(_forge(token, eid=other))).status_code == 401
    assert client.get("/v1/portal/estimate", headers=bearer(_forge(token, exp=4102444800))).status_code == 401
    assert client.get("/v1/portal/estimate", headers=bearer("pt1.e30.AAAA")).status_code == 401
    assert client.get("/v1/portal/estimate", headers=bearer("garbage")).status_code == 401

    # A portal token opens no staff route, whatever the id: the same 403 for existing and made-up ids.
    for path in ("/v1/admin/keys", "/v1/billing/estimates", "/v1/admin/audit"):
        assert client.get(path, headers=bearer(token)).status_code == 403
    for estimate_id in (other, "4b1d3c7e-0000-4000-8000-000000000000"):
        answer = client.post(f"/v1/estimates/{estimate_id}/portal-tokens", headers=bearer(token))
        assert answer.status_code == 403
    for route in client.app.routes:
        if route.path.startswith("/v1/estimates/{") and route.path.count("/") == 3 and "GET" in route.methods:
            existing = client.get(f"/v1/estimates/{other}", headers=bearer(token))
            made_up = client.get("/v1/estimates/4b1d3c7e-0000-4000-8000-000000000000", headers=bearer(token))
            assert existing.status_code == made_up.status_code == 403


def test_a_token_signed_with_another_secret_is_refused(client, make_estimate) -> None:
    from service.access.tokens import PortalTokens  # noqa: PLC0415

    estimate_id = make_estimate()
    other = PortalTokens("a-different-secret", 3600)
    forged = other.sign("5f0c1e2a-1111-4222-8333-444455556666", estimate_id, 4102444800)
    assert client.get("/v1/portal/estimate", headers=bearer(forged)).status_code == 401


def test_every_portal_access_is_audited(client, headers, make_estimate, db) -> None:
    estimate_id = make_estimate(patient_key="pk_audit_portal_0001")
    issued = _issue(client, headers, estimate_id)
    read = client.get("/v1/portal/estimate", headers=bearer(issued["token"]))
    client.delete(f"/v1/portal-tokens/{issued['id']}", headers=headers["intake"])

    rows = db.fetch(
        "SELECT actor, role, action, resource_id, patient_key, request_id, outcome FROM audit_log "
        "WHERE resource_id = $1 ORDER BY id",
        estimate_id,
    )
    actions = [(r["action"], r["role"]) for r in rows]
    assert actions == [("portal_token.issue", "intake"), ("estimate.read", "portal"), ("portal_token.revoke", "intake")]
    assert rows[0]["patient_key"] == rows[1]["patient_key"] == "pk_audit_portal_0001"
    assert rows[1]["actor"] == f"portal-token:{issued['id']}"
    assert rows[1]["request_id"] == read.headers["x-request-id"]


def test_portal_role_api_key_names_no_estimate(client, headers) -> None:
    response = client.get("/v1/portal/estimate", headers=headers["portal"])
    assert response.status_code == 404
