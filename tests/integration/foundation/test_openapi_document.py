"""The served OpenAPI document is true to the service: errors, roles, headers, names, examples.

Each check is made against behaviour where it can be (a role outside ``x-roles`` really gets 403,
a 201 with a declared ``Location`` really carries it), so the document cannot drift from the code.
"""

from __future__ import annotations

import typing
from typing import Any

import msgspec
import pytest

from contracts.examples import BODIES, PARAMETERS
from service.openapi import _handlers

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
METHODS = ("get", "post", "delete", "put", "patch")


@pytest.fixture(scope="module")
def document(client: Any) -> dict[str, Any]:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def _url(path: str, op: dict[str, Any]) -> str:
    for parameter in op.get("parameters", []):
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", str(parameter.get("example", "x")))
    return path


def test_every_error_is_one_problem_schema(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status"} <= set(problem["required"])
    for path, method, op in _operations(document):
        responses = op["responses"]
        # every route runs under the request timeout but the probes, which wait on nothing or bound their own wait
        assert ("504" in responses) is (path not in ("/health", "/ready")), (path, method)
        if path.startswith("/v1/"):
            assert {"401", "403", "429", "503"} <= set(responses), (path, method)
        if "requestBody" in op:
            assert {"400", "413", "415"} <= set(responses), (path, method)
        if method == "post":
            assert {"409", "422"} <= set(responses), (path, method)
        if any(p["in"] == "path" for p in op.get("parameters", [])):
            assert "404" in responses, (path, method)
        for status, response in responses.items():
            if int(status) >= 400 and path != "/ready":
                assert response["content"] == {"application/problem+json": {"schema": PROBLEM_REF}}, (path, status)
                assert response["description"]
        for status in ("429", "503"):
            if status in responses and path.startswith("/v1/"):
                assert "Retry-After" in responses[status]["headers"], (path, status)
        if "401" in responses:
            assert "WWW-Authenticate" in responses["401"]["headers"]


def test_headers_and_success_statuses(document: dict[str, Any]) -> None:
    for path, method, op in _operations(document):
        if method == "post":
            names = [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
            assert "Idempotency-Key" in names, path
    created = {op["operationId"]: op["responses"]["201"] for _, _, op in _operations(document) if "201" in op["responses"]}
    for operation_id in ("createEligibilityCheck", "createEstimate", "issueGoodFaithEstimate", "parseEligibility271"):
        assert "Location" in created[operation_id]["headers"], operation_id
    check = document["paths"]["/v1/eligibility/checks"]["post"]["responses"]
    assert check["200"]["content"] == check["201"]["content"]  # a reused check is a 200 with the same body


def test_schema_names_are_unique_and_are_the_titles(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    titles = [schema.get("title") for schema in schemas.values()]
    assert titles == list(schemas)  # each title is its own (unique) component name
    assert all(name[:1].isupper() and "_" not in name for name in schemas)
    assert {"EstimateHousehold", "SelfpayHousehold"} <= set(schemas)


def test_every_operation_is_described_with_an_example(client: Any, document: dict[str, Any]) -> None:
    handlers = _handlers(client.app)
    for path, method, op in _operations(document):
        text = op.get("description", "").split("**Roles:**")[0].strip()
        assert len(text) >= 20, f"{op['operationId']} needs a description"
        for parameter in op.get("parameters", []):
            if parameter["in"] in ("path", "query"):
                assert "example" in parameter, (op["operationId"], parameter["name"])
        if "requestBody" not in op:
            continue
        example = op["requestBody"]["content"]["application/json"].get("example")
        assert example is not None, f"add an example body for {op['operationId']} to contracts/examples.py"
        hint = typing.get_type_hints(handlers[op["operationId"]].fn, include_extras=True)["data"]
        body_type = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Annotated else hint
        msgspec.json.decode(msgspec.json.encode(example), type=body_type)  # the example matches the contract
    assert set(BODIES) <= {op["operationId"] for _, _, op in _operations(document)}  # no stale examples
    assert PARAMETERS


def test_roles_in_the_document_are_the_roles_the_guards_admit(client: Any, headers: dict[str, dict[str, str]],
                                                              document: dict[str, Any]) -> None:
    for path, method, op in _operations(document):
        roles = op.get("x-roles")
        if roles is None:
            assert not path.startswith("/v1/"), path
            continue
        assert f"**Roles:** {', '.join(roles)}." in op["description"]
        url = _url(path, op)
        for role in ("intake", "portal", "billing", "admin"):
            # With a stated reason, as break-glass routes ask of admins (test_audit_gaps covers its absence).
            sent = {**headers[role], "X-Access-Reason": "roles test"}
            status = client.request(method.upper(), url, json=None, headers=sent).status_code
            if role in roles:
                assert status not in (401, 403), (op["operationId"], role, status)
            else:
                assert status == 403, (op["operationId"], role, status)


def test_401_says_how_to_authenticate(client: Any) -> None:
    response = client.get("/v1/estimates/5d2f3c1a-8b7e-4c6d-9e0f-1a2b3c4d5e6f")
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert 'header="X-API-Key"' in challenge and "Bearer" in challenge


def test_201_carries_the_location_of_what_was_created(client: Any, headers: dict[str, dict[str, str]]) -> None:
    body = {"self_pay": True, "household": {"size": 3, "annual_income": "35000", "state": "CA"}}
    created = client.post("/v1/estimates", json=body, headers={**headers["intake"], "Idempotency-Key": "loc-test-1"})
    assert created.status_code == 201
    location = created.headers["location"]
    assert location == f"/v1/estimates/{created.json()['estimate_id']}"
    assert client.get(location, headers=headers["intake"]).json() == created.json()
    replay = client.post("/v1/estimates", json=body, headers={**headers["intake"], "Idempotency-Key": "loc-test-1"})
    assert replay.status_code == 201 and replay.headers["location"] == location


def test_a_body_that_is_not_json_is_415(client: Any, headers: dict[str, dict[str, str]]) -> None:
    body = b'{"household": {"size": 3, "annual_income": "35000", "state": "CA"}}'
    as_text = client.post("/v1/self-pay/fpl", content=body, headers={**headers["intake"], "Content-Type": "text/plain"})
    assert as_text.status_code == 415 and as_text.json()["type"].endswith("/unsupported-media-type")
    as_json = client.post("/v1/self-pay/fpl", content=body,
                          headers={**headers["intake"], "Content-Type": "application/json; charset=utf-8"})
    assert as_json.status_code == 200


def test_x_access_reason_is_declared_exactly_where_an_admin_without_it_gets_403(
        client: Any, headers: dict[str, dict[str, str]], document: dict[str, Any]) -> None:
    declared = set()
    for path, method, op in _operations(document):
        if any(p["in"] == "header" and p["name"] == "X-Access-Reason" for p in op.get("parameters", [])):
            declared.add(op["operationId"])
        if "admin" in (op.get("x-roles") or []):
            status = client.request(method.upper(), _url(path, op), json=None, headers=headers["admin"]).status_code
            assert (status == 403) == (op["operationId"] in declared), (op["operationId"], status)
    assert declared == {"getEligibilityCheckX12", "pullEstimates", "pullEligibilityChecks"}
