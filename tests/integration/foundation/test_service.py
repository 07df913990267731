"""The running app: health, readiness, problem+json for every failure, OpenAPI, audit immutability."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg
import pytest

from service.cli import openapi_document

SNAPSHOT = Path(__file__).resolve().parents[3] / "contracts" / "openapi.json"


def test_health_and_ready(client) -> None:
    assert client.get("/health").json() == {"status": "ok", "database": "ok"}  # liveness, with the last seen state
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"
    assert len(ready.headers["x-request-id"]) >= 8


def test_health_answered_before_routing_answers_as_the_route_does(client) -> None:
    from service.access.metrics import HTTP  # noqa: PLC0415

    counted = HTTP.requests.get(("/health", "GET", 200), [0])[0]
    # GET /health is answered by the request-context middleware; a trailing slash or a query string is left to
    # the router and the route itself: the same answer, counted alike.
    fast, routed, queried = (client.get(path) for path in ("/health", "/health/", "/health?probe=1"))
    assert (fast.status_code, fast.json()) == (200, {"status": "ok", "database": "ok"})
    for other in (routed, queried):
        assert (other.status_code, other.content) == (fast.status_code, fast.content)
        assert [h for h in other.headers.items() if h[0] != "x-request-id"] == [
            h for h in fast.headers.items() if h[0] != "x-request-id"]
    assert fast.headers["x-request-id"] != routed.headers["x-request-id"]
    assert HTTP.requests[("/health", "GET", 200)][0] == counted + 3


def test_request_id_is_echoed_when_sent(client) -> None:
    response = client.get("/health", headers={"X-Request-ID": "intake-call-0001"})
    assert response.headers["x-request-id"] == "intake-call-0001"


def test_malformed_json_body_is_400_problem(client, headers) -> None:
    response = client.post(
        "/v1/admin/keys",
        content=b'{"name": "front desk", "role": ',
        headers={**headers["admin"], "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400
    assert problem["type"].endswith("/invalid-input")
    assert problem["instance"] == "/v1/admin/keys"
    assert problem["request_id"] == response.headers["x-request-id"]
    assert problem["errors"][0]["field"] == "$"
    assert "malformed" in problem["detail"].lower() or "json" in problem["detail"].lower()


def test_contract_violation_names_the_field(client, headers) -> None:
    response = client.post("/v1/admin/keys", json={"name": "x", "role": "janitor"}, headers=headers["admin"])
    assert response.status_code == 400
    problem = response.json()
    assert problem["errors"][0]["field"] == "$.role"
    assert "janitor" in problem["errors"][0]["reason"]

    unknown = client.post("/v1/admin/keys", json={"name": "x", "role": "intake", "extra": 1}, headers=headers["admin"])
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "$"
    assert "extra" in unknown.json()["errors"][0]["reason"]


def test_unknown_route_and_id_are_404_problem(client, headers) -> None:
    response = client.get("/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    gone = client.delete("/v1/admin/keys/deadbeef", headers=headers["admin"])
    assert gone.status_code == 404
    assert gone.json()["type"].endswith("/not-found")


def test_missing_key_is_401_and_wrong_role_is_403(client, headers) -> None:
    assert client.get("/v1/admin/keys").status_code == 401
    assert client.get("/v1/admin/keys", headers={"X-API-Key": "bek_nope_nope"}).status_code == 401
    forbidden = client.get("/v1/admin/keys", headers=headers["intake"])
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"].startswith("application/problem+json")


def test_body_over_the_limit_is_413(client, headers, settings) -> None:
    big = b'{"name": "' + b"x" * (settings.max_body_bytes + 10) + b'", "role": "intake"}'
    response = client.post("/v1/admin/keys", content=big, headers={**headers["admin"], "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


def test_key_lifecycle_over_rest(client, headers) -> None:
    created = client.post("/v1/admin/keys", json={"name": "front desk 2", "role": "intake"}, headers=headers["admin"])
    assert created.status_code == 201
    secret = created.json()["secret"]
    # the new key works, and is refused after revocation
    assert client.get("/v1/admin/keys", headers={"X-API-Key": secret}).status_code == 403
    assert client.delete(f"/v1/admin/keys/{created.json()['prefix']}", headers=headers["admin"]).status_code == 204
    assert client.get("/v1/admin/keys", headers={"X-API-Key": secret}).status_code == 401
    listed = client.get("/v1/admin/keys", headers=headers["admin"]).json()
    assert all("secret" not in k for k in listed)


def test_audit_log_rows_cannot_be_changed(client, db) -> None:
    db.execute(
        "INSERT INTO audit_log (actor, role, action, resource_type, outcome) VALUES ('t', 'admin', 'test', 'x', 'success')"
    )
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        db.execute("UPDATE audit_log SET outcome = 'changed'")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        db.execute("DELETE FROM audit_log")


def test_migrations_are_recorded_once(db) -> None:
    rows = db.fetch("SELECT version, count(*) AS n FROM schema_migrations GROUP BY version")
    assert rows and all(r["n"] == 1 for r in rows)
    assert "0001" in {r["version"] for r in rows}


def test_openapi_served_matches_the_checked_in_snapshot(client, settings) -> None:
    """A contract change must be deliberate: regenerate with `benefits-estimator openapi --write contracts/openapi.json`."""
    served = client.get("/schema/openapi.json").json()
    snapshot = json.loads(SNAPSHOT.read_text())
    assert served == snapshot, "OpenAPI drifted from contracts/openapi.json; regenerate it if the change is deliberate"
    assert openapi_document(settings) == snapshot


def test_every_route_has_an_operation_id(client) -> None:
    document = client.get("/schema/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                assert operation.get("operationId"), f"{method.upper()} {path} has no operationId"


def test_closed_request_schemas_say_so(client) -> None:
    schemas = client.get("/schema/openapi.json").json()["components"]["schemas"]
    assert schemas["ApiKeyCreate"]["additionalProperties"] is False


def test_unknown_route_gets_a_request_id(client) -> None:
    response = client.get("/v1/definitely-not-a-route", headers={"X-Request-ID": "unmatched-route-01"})
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "unmatched-route-01"
    assert response.json()["request_id"] == "unmatched-route-01"


def test_nul_character_in_any_body_is_400_not_500(client, headers) -> None:
    for path, role, body in (
        ("/v1/admin/keys", "admin", b'{"name": "front\\u0000desk", "role": "intake"}'),
        ("/v1/estimates", "intake", b'{"self_pay": true, "patient": {"first_name": "A\\u0000", "last_name": "B"}}'),
    ):
        response = client.post(path, content=body, headers={**headers[role], "Content-Type": "application/json"})
        assert response.status_code == 400, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "NUL" in response.json()["detail"]
    # an escaped backslash followed by the text "u0000" is ordinary text, not a NUL
    ok = client.post(
        "/v1/admin/keys", content=b'{"name": "path C:\\\\u0000x", "role": "intake"}',
        headers={**headers["admin"], "Content-Type": "application/json"},
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["name"] == "path C:\\u0000x"


def test_a_bad_query_parameter_is_named_as_the_client_wrote_it(client, headers) -> None:
    response = client.get("/v1/estimates/00000000-0000-0000-0000-000000000000?include=everything",
                          headers=headers["intake"])
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == "query.include"
