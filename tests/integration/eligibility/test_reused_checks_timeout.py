"""A POST the reused-check path takes is under the request timeout as the route's is: a body that stops coming is a
504 problem after REQUEST_TIMEOUT_SECONDS, whichever path reads it."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import msgspec
import pytest

from service.eligibility import service, store
from tests.integration.eligibility.helpers import body_for

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


async def _payer_never_answers(*_: Any, **__: Any) -> None:
    await asyncio.Event().wait()


def _timed_post(client: Any, headers: Any, monkeypatch: Any, query: str, dos: str, timeout: float) -> float:
    """POST a check (``query`` chooses the path) whose payer never answers, under ``timeout``: the seconds until its
    504 request-timeout problem."""
    monkeypatch.setattr(service, "require_known", _payer_never_answers)
    state = client.app.state
    settings = state["settings"]
    state["settings"] = msgspec.structs.replace(settings, request_timeout_seconds=timeout)
    try:
        started = time.perf_counter()
        answer = client.post(PATH + query, json=body_for("PPO-FAM-006", dos=dos), headers=headers["intake"])
        elapsed = time.perf_counter() - started
    finally:
        state["settings"] = settings
    assert answer.status_code == 504 and answer.json()["type"].endswith("request-timeout"), answer.text
    return elapsed


@pytest.mark.parametrize("query", ["?refresh=false", ""], ids=["route", "reused-check path"])
def test_a_check_not_reused_has_one_request_timeout_in_all(client, headers, monkeypatch, query: str) -> None:  # noqa: ANN001
    """The look-up for a stored check takes 0.6 s and finds none, then the payer never answers: with a 1 s timeout
    the caller has its 504 after 1 s, not after the look-up's 0.6 s and another whole timeout (1.6 s)."""
    real_find = store.find_cached

    async def slow_miss(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.6)
        await real_find(*args, **kwargs)
        return None

    monkeypatch.setattr(store, "find_cached", slow_miss)
    assert _timed_post(client, headers, monkeypatch, query, "2026-05-07", timeout=1.0) < 1.4


@pytest.mark.parametrize("query", ["?refresh=false", ""], ids=["route", "reused-check path"])
def test_the_rate_limits_wait_is_not_the_requests_time(client, headers, monkeypatch, query: str) -> None:  # noqa: ANN001
    """The route counts the request before its timer starts: a rate limit that takes 0.4 s to answer leaves the
    request its whole 0.5 s (the payer never answers: 504 after 0.9 s), on this path too."""
    assert client.post(PATH, json=body_for("PPO-FAM-006"), headers=headers["intake"]).status_code in (200, 201)
    limit = client.app.state.rate_limit

    async def slow_take(_caller: str) -> float:
        await asyncio.sleep(0.4)
        return 0.0

    monkeypatch.setattr(limit, "take", slow_take)
    assert _timed_post(client, headers, monkeypatch, query, "2026-05-08", timeout=0.5) >= 0.85
