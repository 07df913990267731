"""Pure parts of the access area: token signing, buckets, cursors, hashing, masking, metrics, timeout."""

from __future__ import annotations

import asyncio

import pytest
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.testing import TestClient

from service.access import metrics
from service.access.billing_pull import decode_cursor, encode_cursor
from service.access.idempotency import _storable, request_hash
from service.access.ratelimit import TokenBuckets
from service.route_layer import RouteLayer
from service.access.audit import mask_member_id
from service.access.tokens import PortalTokens, _scrub
from service.config import load_settings
from service.errors import InvalidInput, exception_handlers

TOKEN_ID = "5f0c1e2a-1111-4222-8333-444455556666"


def test_token_round_trip_and_expiry_with_an_injected_clock() -> None:
    now = [1_000_000.0]
    tokens = PortalTokens("secret", 600, clock=lambda: now[0])
    token = tokens.sign(TOKEN_ID, "est-1", int(now[0]) + 600)
    payload = tokens.verify(token)
    assert payload is not None and (payload.tid, payload.eid) == (TOKEN_ID, "est-1")
    now[0] += 599
    assert tokens.verify(token) is not None
    now[0] += 1
    assert tokens.verify(token) is None


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: "pt2" + t[3:],
    lambda t: t + ".x",
    lambda t: "",
    lambda t: "x" * 5000,
    lambda t: "pt1.!!!.###",
])
def test_tampered_tokens_are_refused(mangle) -> None:  # noqa: ANN001
    tokens = PortalTokens("secret", 600, clock=lambda: 0.0)
    assert tokens.verify(mangle(tokens.sign(TOKEN_ID, "est-1", 600))) is None


def test_another_secret_does_not_verify() -> None:
    token = PortalTokens("one", 600, clock=lambda: 0.0).sign(TOKEN_ID, "e", 600)
    assert PortalTokens("two", 600, clock=lambda: 0.0).verify(token) is None


def test_token_bucket_refills_at_the_per_minute_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(60, clock=lambda: now[0])  # 60/min = one token a second
    assert [buckets.take("k") for _ in range(60)] == [0.0] * 60
    assert buckets.take("k") == pytest.approx(1.0)
    assert buckets.take("other") == 0.0
    now[0] += 1.0
    assert buckets.take("k") == 0.0
    assert buckets.take("k") > 0


def test_cursor_round_trip_and_rejection() -> None:
    assert decode_cursor("estimates", encode_cursor("estimates", 745, 12)) == (745, 12)
    assert decode_cursor("estimates", None) == (0, 0)
    with pytest.raises(InvalidInput):
        decode_cursor("estimates", encode_cursor("eligibility-checks", 1, 1))
    with pytest.raises(InvalidInput):
        decode_cursor("estimates", "not base64 json")


def test_request_hash_separates_parts() -> None:
    assert request_hash("POST", "/a", b"", b"bc") != request_hash("POST", "/ab", b"", b"c")
    assert request_hash("post", "/a", b"q=1", b"{}") == request_hash("POST", "/a", b"q=1", b"{}")
    assert request_hash("POST", "/a", b"q=1", b"{}") != request_hash("POST", "/a", b"q=2", b"{}")


def test_which_statuses_are_stored() -> None:
    assert [s for s in (200, 201, 204, 400, 404, 409, 413, 422, 429, 500, 502, 503, 504) if _storable(s)] == [
        200, 201, 204, 400, 404, 413, 422,
    ]


def test_member_id_masking_and_scrub() -> None:
    assert mask_member_id("XJH123456789") == "********6789"
    assert mask_member_id("1234") == "****"
    assert mask_member_id(None) is None
    scrubbed = _scrub({"a": [{"member_id": "ABCDEFGH", "first_name": "Ada", "raw_271": "ISA"}], "b": 1})
    assert scrubbed == {"a": [{"member_id": "****EFGH"}], "b": 1}


def test_metric_labels_are_cleaned_and_bounded(monkeypatch) -> None:  # noqa: ANN001
    from prometheus_client import CollectorRegistry, Counter, generate_latest  # noqa: PLC0415

    registry = CollectorRegistry()
    counter = Counter("t", "test", ("payer_id",), registry=registry)
    metrics._bounded(counter, metrics._clean('evil"\n{x}')).inc()
    assert 't_total{payer_id="evil___x_"} 1.0' in generate_latest(registry).decode()
    monkeypatch.setattr(metrics, "MAX_SERIES", 2)
    for i in range(5):
        metrics._bounded(counter, f"p{i}").inc()
    # evil___x_ and p0 fill the two series; p1..p4 are counted under "other"
    assert 't_total{payer_id="other"} 4.0' in generate_latest(registry).decode()


def test_slow_handler_is_cancelled_with_a_504_problem() -> None:
    cancelled = []

    @get("/slow")
    async def slow() -> str:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise
        return "late"

    @get("/fast")
    async def fast() -> str:
        return "ok"

    settings = load_settings({"REQUEST_TIMEOUT_SECONDS": "0.1", "PORTAL_TOKEN_SECRET": "x"})
    app = Litestar([slow, fast], middleware=[RouteLayer], state=State({"settings": settings}),
                   exception_handlers=exception_handlers())
    with TestClient(app) as client:
        response = client.get("/slow")
        assert response.status_code == 504
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"].endswith("/request-timeout")
        assert cancelled == [True]
        assert client.get("/fast").text == "ok"
