"""A POST the reused-check path takes is under the request timeout as the route's is: a body that stops coming is a
504 problem after REQUEST_TIMEOUT_SECONDS, whichever path reads it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import msgspec
import pytest

PATH = "/v1/eligibility/checks"


async def _post_stalled(app: Any, key: str, query: bytes, first_part: bytes) -> list[dict[str, Any]]:
    """POST ``first_part`` of a body whose rest never comes; the messages the app sent (none after 5 s: hung)."""
    sent: list[dict[str, Any]] = []
    never = asyncio.Event()
    parts = [{"type": "http.request", "body": first_part, "more_body": True}]

    async def receive() -> dict[str, Any]:
        if parts:
            return parts.pop(0)
        await never.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": PATH, "raw_path": PATH.encode(), "root_path": "", "query_string": query,
             "headers": [(b"host", b"testserver"), (b"x-api-key", key.encode()),
                         (b"content-type", b"application/json")],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
    try:
        await asyncio.wait_for(app(scope, receive, send), 5)
    except TimeoutError:
        sent.append({"type": "hung"})
    return sent


@pytest.mark.parametrize("query", [b"refresh=false", b""], ids=["route", "reused-check path"])
def test_a_body_that_stops_coming_is_a_504_on_either_path(client, api_keys, query: bytes) -> None:  # noqa: ANN001
    state = client.app.state
    settings = state["settings"]
    state["settings"] = msgspec.structs.replace(settings, request_timeout_seconds=0.5)
    try:
        sent = client.blocking_portal.call(_post_stalled, client.app, api_keys["intake"], query, b'{"payer_id": ')
    finally:
        state["settings"] = settings
    assert sent and sent[0]["type"] == "http.response.start", sent
    assert sent[0]["status"] == 504
    assert json.loads(b"".join(m.get("body", b"") for m in sent[1:]))["type"].endswith("request-timeout")
