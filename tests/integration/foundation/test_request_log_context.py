"""Every log line written while a request is handled names that request's id, and no other request's."""

from __future__ import annotations

import io
import json

from service.logging import configure_logging
from tests.integration.eligibility.helpers import body_for, fresh_dos


def test_each_requests_log_lines_carry_its_own_request_id(client, headers) -> None:  # noqa: ANN001
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    seen: dict[str, set[str | None]] = {}
    try:
        for request_id in ("log-context-first-01", "log-context-second-02"):
            start = len(stream.getvalue())
            answer = client.post("/v1/eligibility/checks", json=body_for("PPO-FAM-006", dos=fresh_dos()),
                                 headers={**headers["intake"], "X-Request-Id": request_id})
            assert answer.status_code == 201  # a new check: its creation is logged
            lines = [json.loads(line) for line in stream.getvalue()[start:].splitlines() if line.startswith("{")]
            assert any(line.get("event") == "eligibility_check_created" for line in lines)
            seen[request_id] = {line.get("request_id") for line in lines}
    finally:
        configure_logging("WARNING", "json")
    assert seen == {"log-context-first-01": {"log-context-first-01"}, "log-context-second-02": {"log-context-second-02"}}
