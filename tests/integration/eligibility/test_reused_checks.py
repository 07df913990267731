"""The reused check answered before routing (service/eligibility/reused_checks.py) answers every request exactly as
the route does: status, headers, body and audit rows.

Each request is sent twice: as it is (the fast path takes it when it can), and with ``?refresh=false`` - what the
route reads as no ``refresh`` at all, and a query string the fast path always leaves to the route."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from service.access.keys import create_key
from service.access.roles import Role
from service.access.shared_ratelimit import SPENT
from service.eligibility import service
from tests.integration.eligibility.helpers import body_for

PATH = "/v1/eligibility/checks"


def _both(client: Any, key: dict[str, str], body: Any, *, path: str = PATH, **extra: Any) -> tuple[Any, Any]:
    """The answers and audit rows of the request sent to the fast path and to the route, with their request ids
    written as ``<id>`` (each request has its own, to find its audit rows)."""
    compared = []
    for query in ("", "?refresh=false"):
        request_id = f"fast-{uuid.uuid4().hex[:12]}"
        answer = client.post(path + query, headers={**key, "X-Request-Id": request_id, **extra.get("headers", {})},
                             **({"content": body} if isinstance(body, (bytes, str)) else {"json": body}))
        compared.append((_answer(answer, request_id), _audit_rows(client, request_id)))
    return compared[0], compared[1]


def _answer(answer: Any, request_id: str) -> tuple[int, list[tuple[str, str]], Any]:
    headers = [(k, v.replace(request_id, "<id>")) for k, v in answer.headers.items() if k != "content-length"]
    assert int(answer.headers["content-length"]) == len(answer.content)
    text = answer.content.decode().replace(request_id, "<id>")
    body: Any = json.loads(text) if text else text
    if isinstance(body, dict) and isinstance(body.get("age_seconds"), int):
        body["age_seconds"] = "<seconds since the check>"  # both read the same check, a few ms apart
    return answer.status_code, headers, body


def _audit_rows(client: Any, request_id: str) -> list[tuple[Any, ...]]:
    rows = client.blocking_portal.call(
        client.app.state.pool.fetch,
        "SELECT actor, role, action, resource_type, resource_id, patient_key, outcome, reason, organization_id "
        "FROM audit_log WHERE request_id = $1 ORDER BY id", request_id)
    return [tuple(row) for row in rows]


@pytest.fixture(scope="module")
def reused(client, headers) -> dict[str, Any]:  # noqa: ANN001
    body = body_for("PPO-FAM-006")
    made = client.post(PATH, json=body, headers=headers["intake"])
    assert made.status_code == 201, made.text
    return body


def test_a_reused_check_is_answered_before_routing_as_the_route_answers_it(client, headers, reused,
                                                                           monkeypatch) -> None:  # noqa: ANN001
    def route_not_called(*_: Any, **__: Any) -> Any:
        raise AssertionError("the route answered")

    with monkeypatch.context() as patched:  # the route's service call, for the request the fast path takes
        patched.setattr(service, "create_check_answer", route_not_called)
        fast = client.post(PATH, json=reused, headers=headers["billing"])
    assert fast.status_code == 200 and fast.json()["from_cache"] is True, fast.text

    first, second = _both(client, headers["intake"], reused)
    assert first == second
    assert first[0][0] == 200 and [row[2] for row in first[1]] == ["eligibility.cache_hit"]


@pytest.mark.parametrize(("case", "status"), [
    ("no key", 401), ("a role the route refuses", 403), ("a date out of bounds", 400),
    ("a field of the wrong type", 400), ("a birth after the date of service", 400), ("not JSON", 400), ("a NUL in a name", 400), ("declared as text", 415),
    ("a path beside it", 404), ("the payer down", 503), ("an invalid Host header", 400),
])
def test_every_other_outcome_is_the_routes(client, headers, reused, case: str, status: int) -> None:  # noqa: ANN001
    key, body, path, extra = headers["intake"], dict(reused), PATH, {}
    if case == "no key":
        key = {}
    elif case == "a role the route refuses":
        key = headers["admin"]
    elif case == "a date out of bounds":
        body["date_of_service"] = "1800-01-01"
    elif case == "a birth after the date of service":  # decodes and is within bounds: the 270's own check refuses it
        body["subscriber"] = {**body["subscriber"], "date_of_birth": "2099-01-01"}
    elif case == "a field of the wrong type":
        body["payer_id"] = 12
    elif case == "not JSON":
        body = b'{"payer_id": '
    elif case == "a NUL in a name":
        body = {**body, "subscriber": {**body["subscriber"], "first_name": "DAN\u0000IEL"}}
    elif case == "declared as text":
        body, extra = json.dumps(body), {"headers": {"Content-Type": "text/plain"}}
    elif case == "a path beside it":
        path = PATH + "z"
    elif case == "an invalid Host header":  # Litestar's router refuses it before any route
        extra = {"headers": {"Host": "bad host"}}
    elif case == "the payer down":
        body = body_for("ERR-DOWN-042", payer_id="SBFASTDOWN")  # no stored check: the route asks the payer
    first, second = _both(client, key, body, path=path, **extra)
    if case == "the payer down":  # the audited disclosure names the 270's trace number, new for each request
        first, second = [(answer, [row[:4] + row[5:] for row in rows]) for answer, rows in (first, second)]
    assert first == second
    assert first[0][0] == status, first


def test_a_caller_over_the_rate_limit_is_refused_as_the_route_refuses_it(client, reused) -> None:  # noqa: ANN001
    issued = client.blocking_portal.call(
        lambda: create_key(client.app.state.pool, name="over its limit", role=Role.INTAKE))
    key = {"X-API-Key": issued.secret}
    assert client.post(PATH, json=reused, headers=key).status_code == 200  # the limiter now knows the caller
    limit = client.app.state.rate_limit
    clock, now = limit.clock, limit.clock()
    limit.clock = lambda: now  # both refusals say the same Retry-After
    limit._left[issued.id] = SPENT  # noqa: SLF001 - its minute's budget spent
    try:
        first, second = _both(client, key, reused)
    finally:
        limit.clock = clock
        limit._left.pop(issued.id, None)  # noqa: SLF001
    assert first == second
    assert first[0][0] == 429 and first[1] == []


def test_a_rate_limit_that_fails_is_answered_as_the_route_answers_it(client, headers, reused,
                                                                     monkeypatch) -> None:  # noqa: ANN001
    assert client.post(PATH, json=reused, headers=headers["intake"]).status_code == 200  # the limiter is built
    limit = client.app.state.rate_limit

    async def broken(_caller: str) -> float:
        raise RuntimeError("the limiter failed")

    monkeypatch.setattr(limit, "take", broken)
    first, second = _both(client, headers["intake"], reused)
    monkeypatch.undo()
    assert first == second
    assert first[0][0] == 500 and first[1] == []  # not answered (nor audited) past a limit that could not be counted
