"""Every /v1 route × every role, read from the app itself, so routes added later are covered.

For each route and method: no credentials → 401; a role its guard does not allow → 403; an
allowed role → neither 401 nor 403 (usually 400 for an empty body, or 404 for a made-up id).
A /v1 route without an ``allow(...)`` guard fails the test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.routes import HTTPRoute

from service.access.roles import Role

_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
_DUMMY = {"int": "1", "date": "2025-01-06", "float": "1"}
_NIL_UUID = "00000000-0000-0000-0000-000000000000"


def _concrete(path: str) -> str:
    return _PARAM.sub(lambda m: _DUMMY.get(m.group(2) or "str", _NIL_UUID), path)


def _v1_operations(app: Any) -> list[tuple[str, str, frozenset[Role] | None]]:
    operations = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/v1/"):
            continue
        for handler in route.route_handlers:
            allowed: set[Role] | None = None
            for guard in handler.resolve_guards():
                name = getattr(getattr(guard, "func", guard), "__name__", "")
                if name.startswith("allow_"):
                    roles = {Role(part) for part in name.removeprefix("allow_").split("_")}
                    allowed = roles if allowed is None else allowed & roles
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                operations.append((method, route.path, None if allowed is None else frozenset(allowed)))
    return operations


def _call(client: Any, method: str, path: str, headers: dict[str, str]) -> Any:
    if method in {"POST", "PUT", "PATCH"}:
        return client.request(method, path, json={}, headers=headers)
    return client.request(method, path, headers=headers)


def test_every_v1_route_declares_a_role_guard(client) -> None:
    operations = _v1_operations(client.app)
    assert len(operations) >= 7  # at least the access area's own routes
    unguarded = [f"{m} {p}" for m, p, allowed in operations if not allowed]
    assert unguarded == []


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "operation" in metafunc.fixturenames:
        from service.app import create_app  # noqa: PLC0415
        from service.config import load_settings  # noqa: PLC0415

        app = create_app(load_settings({"PORTAL_TOKEN_SECRET": "collect-only"}))
        ops = _v1_operations(app)
        metafunc.parametrize("operation", ops, ids=[f"{m} {p}" for m, p, _ in ops])


def test_route_guard(client, headers, operation) -> None:  # noqa: ANN001
    method, path, allowed = operation
    concrete = _concrete(path)
    assert allowed, f"{method} {path} has no allow(...) guard"

    anonymous = _call(client, method, concrete, {})
    assert anonymous.status_code == 401, f"{method} {path} without credentials"
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert _call(client, method, concrete, {"X-API-Key": "bek_00000000_not-a-key"}).status_code == 401

    for role in Role:
        # A stated reason, as break-glass routes (reason_required_for) ask of some roles; test_audit_gaps covers its absence.
        response = _call(client, method, concrete, {**headers[role.value], "X-Access-Reason": "guard test"})
        if role in allowed:
            assert response.status_code not in (401, 403), f"{role.value} → {method} {path}: {response.text[:200]}"
        else:
            assert response.status_code == 403, f"{role.value} → {method} {path}: {response.status_code}"
            assert response.json()["type"].endswith("/forbidden")
