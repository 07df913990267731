"""The clearinghouse client against a mock transport: retries, Retry-After, status mapping, no PHI in logs."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils

import httpx
import msgspec
import pytest
from structlog.testing import capture_logs

from contracts.benefits import Source
from service.eligibility import parsing
from service.eligibility.benefits import benefits_from_271
from service.eligibility.rows_json import rows_of
from service.eligibility.wires.text_plain import TextPlainClient
from service.errors import UpstreamError

from .helpers import make_271

OK_271 = make_271([["EB", "1", "", "30"]])
AAA42_271 = make_271([["EB", "1", "", "30"], ["AAA", "N", "", "42", "R"]])
#: Stands in for a 270: every value here is PHI and must never reach a log event.
PHI_270 = "ISA*00*SECRET~NM1*IL*1*ZYXWVUT*QPONM****MI*PHIMEMBER77~DMG*D8*19510314~"


def _exchange(handler, *, attempts: int = 3, wait_max: float = 0.05):
    calls: list[float] = []

    def h(request: httpx.Request) -> httpx.Response:
        calls.append(asyncio.get_event_loop().time())
        return handler(request, len(calls))

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(h)) as http:
            client = TextPlainClient(
                http, "http://clearinghouse.test", attempts=attempts,
                wait_initial=0.01, wait_max=wait_max, wait_jitter=0,
            )
            return await client.exchange("SBPPO", PHI_270)

    try:
        return asyncio.run(go()), calls
    except UpstreamError as exc:
        return exc, calls


@pytest.mark.parametrize("value", ["inf", "1e400", "nan", "-5", "soon", "", "3.5"])
def test_a_retry_after_that_is_not_delay_seconds_or_a_date_is_ignored_not_a_500(value):
    exc, calls = _exchange(lambda r, n: httpx.Response(503, headers={"Retry-After": value}))
    assert isinstance(exc, UpstreamError) and exc.status == 503 and exc.slug == "payer-unavailable"
    assert len(calls) == 3
    assert exc.retry_after_seconds == 30  # unavailable_retry_after (the breaker's reset time), as without a Retry-After


def test_retry_after_within_the_wait_bound_is_waited_then_retried():
    exc, calls = _exchange(
        lambda r, n: httpx.Response(429, headers={"Retry-After": "1"}) if n == 1 else httpx.Response(200, text=OK_271),
        wait_max=2.0,
    )
    assert exc.attempts == 2
    assert calls[1] - calls[0] >= 0.95  # waited the second the clearinghouse asked for


def test_retry_after_longer_than_the_wait_bound_stops_retrying_and_is_passed_on():
    # Retrying after wait_max when the clearinghouse said 120 s only earns another 429.
    exc, calls = _exchange(lambda r, n: httpx.Response(429, headers={"Retry-After": "120"}))
    assert len(calls) == 1
    assert exc.status == 503 and exc.retry_after_seconds == 120


def test_retry_after_passed_on_is_whole_seconds_and_bounded():
    exc, _ = _exchange(lambda r, n: httpx.Response(503, headers={"Retry-After": "99999999999"}))
    assert exc.retry_after_seconds == 3600
    when = email.utils.format_datetime(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=90), usegmt=True)
    exc, calls = _exchange(lambda r, n: httpx.Response(503, headers={"Retry-After": when}))
    assert len(calls) == 1 and 85 <= exc.retry_after_seconds <= 91
    exc, calls = _exchange(lambda r, n: httpx.Response(503, headers={"Retry-After": "0"}))
    assert len(calls) == 3 and exc.retry_after_seconds >= 1


def test_aaa_42_is_retried_then_503():
    exc, calls = _exchange(lambda r, n: httpx.Response(200, text=AAA42_271))
    assert len(calls) == 3 and exc.status == 503 and "AAA 42" in exc.detail


def test_read_timeout_is_504_without_retry_and_4xx_is_not_retried():
    def slow(r, n):
        raise httpx.ReadTimeout("slow", request=r)

    exc, calls = _exchange(slow)
    assert exc.status == 504 and len(calls) == 1
    exc, calls = _exchange(lambda r, n: httpx.Response(400))
    assert exc.status == 502 and exc.slug == "clearinghouse-refused" and len(calls) == 1


def test_malformed_271_is_502():
    exc, calls = _exchange(lambda r, n: httpx.Response(200, text=OK_271[:60]))
    assert exc.status == 502 and exc.slug == "clearinghouse-bad-response" and len(calls) == 1


def test_the_270_never_reaches_a_log_event():
    def flaky(r, n):
        if n == 1:
            raise httpx.ConnectError("refused", request=r)
        if n == 2:
            return httpx.Response(503)
        return httpx.Response(200, text="not x12 " + r.content.decode())

    with capture_logs() as events:
        exc, calls = _exchange(flaky)
    assert exc.status == 502 and len(calls) == 3
    logged = repr(events)
    assert events and not any(s in logged for s in ("ZYXWVUT", "QPONM", "PHIMEMBER77", "19510314", "SECRET"))


def test_a_large_271_is_read_once_off_the_loop_and_its_retryable_aaa_still_retries(monkeypatch):
    """Past the off-loop threshold the client reads the 271 in a worker process, once, benefits and all; a 2110C
    AAA 42 on a row among hundreds still makes the exchange retry, and an answer without one keeps its trace."""
    rows = [["EB", "A", "IND", ["MH"], "PR", "", "", "", "0.2"], ["MSG", "A NOTE ON THIS BENEFIT ROW"]] * 300
    large_42 = make_271(rows + [["EB", "1", "", "30"], ["AAA", "N", "", "42", "R"]])
    large_ok = make_271(rows + [["EB", "1", "", "30"]])
    pool, sent = parsing._executor(), []

    class Counting:
        def submit(self, fn, *args):
            sent.append(fn.__name__)
            return pool.submit(fn, *args)

    monkeypatch.setattr(parsing, "_executor", Counting)
    reply, calls = _exchange(lambda r, n: httpx.Response(200, text=large_42 if n == 1 else large_ok))
    assert not isinstance(reply, UpstreamError) and len(calls) == 2
    assert sent == ["_in_worker", "_in_worker"]  # one reading per answer received, nothing read twice
    assert reply.raw_271 == large_ok and reply.parsed.subscriber.traces[0][1] == "TRACE1"
    assert reply.parsed.all_benefits() == []  # a large answer's loops stay in the worker
    inline = benefits_from_271(large_ok, source=Source.CLEARINGHOUSE_271)
    assert isinstance(reply.benefits.benefit_rows, msgspec.Raw) and rows_of(reply.benefits) == inline.benefit_rows
    assert msgspec.json.encode(reply.benefits) == msgspec.json.encode(inline)
