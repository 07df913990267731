"""A stored check read by id, answered before routing (service/eligibility/checks_by_id.py), answers every request
exactly as the route does: status, headers, body and audit rows.

Each request is sent twice: as it is (the fast path takes it when it can), and with a query string the route
ignores and the fast path always leaves to the route."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import msgspec
import pytest

from service.access.keys import create_key
from service.access.roles import Role
from service.access.shared_ratelimit import SPENT
from service.db.tenant import acting_for
from service.eligibility import routes
from tests.integration.eligibility.helpers import body_for
from tests.integration.eligibility.test_reused_checks import _answer

PATH = "/v1/eligibility/checks/"


def _both(client: Any, key: dict[str, str], path: str, organization: str = "default",
          **extra: Any) -> tuple[Any, Any]:
    """The answers and audit rows (as ``organization`` reads them) of the request sent to the fast path and to the
    route, with their request ids written as ``<id>``."""
    compared = []
    for query in ("", "?via=route"):
        request_id = f"byid-{uuid.uuid4().hex[:12]}"
        answer = client.get(path + query, headers={**key, "X-Request-Id": request_id, **extra.get("headers", {})})
        compared.append((_answer(answer, request_id), _audit_rows_of(client, organization, request_id)))
    return compared[0], compared[1]


def _audit_rows_of(client: Any, organization: str, request_id: str) -> list[tuple[Any, ...]]:
    """The audit rows of a request, as ``organization`` reads them (row-level security)."""
    async def read() -> list[tuple[Any, ...]]:
        with acting_for(organization):
            rows = await client.app.state.pool.fetch(
                "SELECT actor, role, action, resource_type, resource_id, patient_key, outcome, reason, organization_id "
                "FROM audit_log WHERE request_id = $1 ORDER BY id", request_id)
        return [tuple(row) for row in rows]

    return client.blocking_portal.call(read)


@pytest.fixture(scope="module")
def stored(client, headers) -> str:  # noqa: ANN001
    made = client.post("/v1/eligibility/checks", json=body_for("PPO-FAM-006"), headers=headers["intake"])
    assert made.status_code in (200, 201), made.text
    return made.json()["id"]


def test_a_stored_check_is_read_before_routing_as_the_route_reads_it(client, headers, stored,
                                                                     monkeypatch) -> None:  # noqa: ANN001
    def route_not_called(*_: Any, **__: Any) -> Any:
        raise AssertionError("the route answered")

    with monkeypatch.context() as patched:
        patched.setattr(routes, "_ctx", route_not_called)  # only the route builds its context here
        fast = client.get(PATH + stored, headers=headers["billing"])
    assert fast.status_code == 200 and fast.json()["id"] == stored, fast.text

    first, second = _both(client, headers["intake"], PATH + stored)
    assert first == second
    assert first[0][0] == 200 and [row[2:7] for row in first[1]] == [
        ("eligibility.read", "eligibility_check", stored, first[1][0][5], "success")]


@pytest.mark.parametrize(("case", "status"), [
    ("an id no check has", 404), ("not an id", 404), ("another organization's check", 404), ("no key", 401),
    ("a role the route refuses", 403), ("an invalid Host header", 400),
])
def test_every_other_outcome_is_the_routes(client, headers, stored, new_organization, case: str,  # noqa: ANN001
                                           status: int) -> None:
    key, path, extra, organization = headers["intake"], PATH + stored, {}, "default"
    if case == "an id no check has":
        path = PATH + str(uuid.uuid4())
    elif case == "not an id":
        path = PATH + "not-a-check"
    elif case == "another organization's check":
        organization, other_keys = new_organization("byid")
        key = other_keys["intake"]
    elif case == "no key":
        key = {}
    elif case == "a role the route refuses":
        key = headers["admin"]
    elif case == "an invalid Host header":
        extra = {"headers": {"Host": "bad host"}}
    first, second = _both(client, key, path, organization, **extra)
    assert first == second
    assert first[0][0] == status, first
    if status == 404:
        assert [(row[2], row[6]) for row in first[1]] == [("eligibility.read", "not_found")]


def test_a_caller_over_the_rate_limit_is_refused_as_the_route_refuses_it(client, stored) -> None:  # noqa: ANN001
    issued = client.blocking_portal.call(
        lambda: create_key(client.app.state.pool, name="byid over its limit", role=Role.INTAKE))
    key = {"X-API-Key": issued.secret}
    assert client.get(PATH + stored, headers=key).status_code == 200  # the limiter now knows the caller
    limit = client.app.state.rate_limit
    clock, now = limit.clock, limit.clock()
    limit.clock = lambda: now  # both refusals say the same Retry-After
    limit._left[issued.id] = SPENT  # its minute's budget spent
    try:
        first, second = _both(client, key, PATH + stored)
    finally:
        limit.clock = clock
        limit._left.pop(issued.id, None)
    assert first == second
    assert first[0][0] == 429 and first[1] == []


def test_a_rate_limit_that_fails_is_answered_as_the_route_answers_it(client, headers, stored,
                                                                     monkeypatch) -> None:  # noqa: ANN001
    assert client.get(PATH + stored, headers=headers["intake"]).status_code == 200  # the limiter is built
    limit = client.app.state.rate_limit

    async def broken(_caller: str) -> float:
        raise RuntimeError("the limiter failed")

    monkeypatch.setattr(limit, "take", broken)
    first, second = _both(client, headers["intake"], PATH + stored)
    monkeypatch.undo()
    assert first == second
    assert first[0][0] == 500 and first[1] == []


def test_a_read_that_fails_is_answered_by_the_route_once(client, headers, stored, monkeypatch) -> None:  # noqa: ANN001
    from service.eligibility import service  # noqa: PLC0415

    calls = []
    read_check = service.read_check

    async def failing_once(ctx: Any, check_id: str) -> bytes:
        calls.append(check_id)
        if len(calls) == 1:
            raise RuntimeError("the read failed before its batch was sent")
        return await read_check(ctx, check_id)

    monkeypatch.setattr(service, "read_check", failing_once)
    request_id = f"byid-{uuid.uuid4().hex[:12]}"
    answer = client.get(PATH + stored, headers={**headers["intake"], "X-Request-Id": request_id})
    assert answer.status_code == 200 and json.loads(answer.content)["id"] == stored
    assert calls == [stored, stored]  # the fast path's, then the route's
    assert [row[6] for row in _audit_rows_of(client, "default", request_id)] == ["success"]  # one read, one row


def test_a_read_past_the_request_timeout_is_the_routes_504(client, headers, stored, monkeypatch) -> None:  # noqa: ANN001
    from service.eligibility import service  # noqa: PLC0415

    async def slow(_ctx: Any, _check_id: str) -> bytes:
        await asyncio.sleep(5)
        raise AssertionError("not cancelled")

    monkeypatch.setattr(service, "read_check", slow)
    state = client.app.state
    settings = state["settings"]
    state["settings"] = msgspec.structs.replace(settings, request_timeout_seconds=0.3)
    try:
        first, second = _both(client, headers["intake"], PATH + stored)
    finally:
        state["settings"] = settings
    assert first == second
    assert first[0][0] == 504 and first[0][2]["type"].endswith("request-timeout")
