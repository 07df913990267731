"""Schemathesis against the served OpenAPI, over real HTTP: no input may produce a 500.

The app runs under uvicorn on loopback (a second instance on the test database). Each
operation is called with an API key of a role its guard admits, so generated requests
reach the handlers instead of stopping at 401/403. Both schema-valid (positive) and
schema-invalid (negative) requests are generated; invalid ones must get a 4xx. Every answer
must be a status the document declares for that operation, with a body of its schema.
Bounded: a fixed number of examples per operation and mode, derandomized (a fixed seed) so a
failure reproduces; the test counts the requests it sent and needs at least MIN_REQUESTS.

(schemathesis's own pytest plugin does not load under pytest 9, so operations are
iterated here and each is run as a hypothesis test.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)


EXAMPLES_PER_OPERATION = 25
#: Both modes together: positive and negative requests over every operation.
MIN_REQUESTS = 1000
_sent: dict[str, int] = {}
#: Valid requests to these would store provider-wide facts every later test prices with (a payer contract in force
#: makes every payer without one out of network): only invalid requests are sent to them.
NEGATIVE_ONLY = {"addPayerContract"}


def _role_by_operation(app: Any) -> dict[str, str]:
    """operationId → a role allowed by the route's guard (guards are named allow_<roles>)."""
    roles: dict[str, str] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            operation_id = getattr(handler, "operation_id", None)
            if not isinstance(operation_id, str):
                continue
            for guard in handler.resolve_guards():
                name = getattr(guard, "__name__", "")
                if name.startswith("allow_"):
                    allowed = name.removeprefix("allow_").split("_")
                    roles[operation_id] = "intake" if "intake" in allowed else allowed[0]
    return roles


@pytest.fixture(scope="module")
def live_app(live_service):  # noqa: ANN001, ANN201
    return live_service


def _operations(base_url: str) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json")
    # Unknown query parameters are ignored (HTTP custom), not refused; the API key is sent by the test itself.
    schema.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_input_breaks_the_api(live_app, headers, mode: GenerationMode) -> None:  # noqa: ANN001
    app, base_url = live_app
    role_for = _role_by_operation(app)
    failures: list[str] = []
    operations = _operations(base_url)
    assert len(operations) >= 3
    for operation in operations:
        operation_id = operation.definition.raw.get("operationId", "")
        role = role_for.get(operation_id, "admin")
        if mode is GenerationMode.POSITIVE and operation_id in NEGATIVE_ONLY:
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            _sent[mode.value] = _sent.get(mode.value, 0) + 1
            case.call_and_validate(
                base_url=base_url,
                headers={**(case.headers or {}), **headers[role]},
                checks=[not_a_server_error, response_schema_conformance, status_code_conformance,
                        negative_data_rejection],
            )

        try:
            run()
        except Unsatisfiable:  # an operation without inputs has no invalid request to send
            continue
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report all
            failures.append(f"{operation.method.upper()} {operation.path} ({operation_id}, {mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
    if len(_sent) == 2:  # both modes have run: the budget was really spent
        print(f"schemathesis requests sent: {_sent}")
        assert sum(_sent.values()) >= MIN_REQUESTS, _sent
