"""The CAQH CORE SOAP adapter: the recorded envelope pair byte for byte, and how CORE answers map to problems."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from service.eligibility.wires import core_envelope as core
from service.eligibility.wires.core_soap import CoreSoapClient
from service.errors import UpstreamError

from .core_example import DATA, PAYLOAD_ID, SENT_AT, TOKEN, example_270

RECORDED_REQUEST = (DATA / "realtime_request.xml").read_bytes()
RECORDED_RESPONSE = (DATA / "realtime_response.xml").read_bytes()
SOAP = {"content-type": "application/soap+xml; charset=utf-8"}


def _client(http: httpx.AsyncClient | None, **kw) -> CoreSoapClient:
    return CoreSoapClient(
        http, "http://clearinghouse.test", token=TOKEN, sender_id="DEMOSUBMITTER",
        receiver_id="SANDBOXCH", clock=lambda: SENT_AT, wait_initial=0.01, wait_max=0.05, wait_jitter=0, **kw,
    )


def _exchange(handler):
    seen: list[httpx.Request] = []

    def h(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request, len(seen))

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(h)) as http:
            return await _client(http).exchange("SBPPO", example_270())

    try:
        return asyncio.run(go()), seen
    except UpstreamError as exc:
        return exc, seen


def _core_answer(code: str, message: str = "", payload: str = "") -> bytes:
    return core.build_response(core.RealTimeMessage(
        payload_type=core.PAYLOAD_ERROR if code != core.SUCCESS else core.PAYLOAD_271, payload_id=PAYLOAD_ID,
        timestamp="2026-11-30T09:30:01Z", sender_id="SANDBOXCH", receiver_id="DEMOSUBMITTER", payload=payload,
        error_code=code, error_message=message,
    ))


def test_the_request_envelope_is_the_recorded_bytes():
    wire = _client(None, payload_id=lambda: PAYLOAD_ID).wrap("SBPPO", example_270())
    assert wire.content == RECORDED_REQUEST
    assert wire.headers["Content-Type"].startswith("application/soap+xml")
    message, token = core.read_request(wire.content)
    assert token == TOKEN and message.payload == example_270() and message.payload_type == core.PAYLOAD_270


def test_the_271_is_taken_from_the_recorded_response_envelope():
    reply, seen = _exchange(lambda r, n: httpx.Response(200, content=RECORDED_RESPONSE, headers=SOAP))
    assert len(seen) == 1
    assert reply.raw_271.startswith("ISA*") and reply.raw_271.endswith("IEA*1*000007001~")
    assert reply.parsed.subscriber.demographics.member_id == "PPO-INACT-008"
    assert [eb.elements[0] for eb in reply.parsed.subscriber.benefits] == ["6"]  # EB01 6: coverage inactive


def test_every_attempt_gets_its_own_payload_id():
    answers = iter([httpx.Response(503), httpx.Response(200, content=RECORDED_RESPONSE, headers=SOAP)])
    reply, seen = _exchange(lambda r, n: next(answers))
    ids = [core.read_request(r.content)[0].payload_id for r in seen]
    assert reply.attempts == 2 and len(set(ids)) == 2


@pytest.mark.parametrize("code", ["ServerBusy", "Receiver Down"])
def test_a_busy_or_down_receiver_is_retried_then_503(code):
    exc, seen = _exchange(lambda r, n: httpx.Response(200, content=_core_answer(code, "try later"), headers=SOAP))
    assert isinstance(exc, UpstreamError) and exc.status == 503 and exc.slug == "payer-unavailable"
    assert len(seen) == 3 and code in exc.detail


@pytest.mark.parametrize("code", ["PayloadTypeIllegal", "VersionMismatch", "SenderIDRequired", "UnAuthorized"])
def test_an_envelope_error_is_502_refused_without_retry(code):
    exc, seen = _exchange(lambda r, n: httpx.Response(200, content=_core_answer(code, "fix it"), headers=SOAP))
    assert exc.status == 502 and exc.slug == "clearinghouse-refused" and len(seen) == 1
    assert f"ErrorCode {code}" in exc.detail


def test_a_sender_fault_is_502_refused_and_a_receiver_fault_is_retried():
    sender = core.build_fault(core.SoapFault("Sender", "token rejected", "wsse:FailedAuthentication"))
    exc, seen = _exchange(lambda r, n: httpx.Response(400, content=sender, headers=SOAP))
    assert exc.status == 502 and exc.slug == "clearinghouse-refused" and len(seen) == 1
    assert "wsse:FailedAuthentication" in exc.detail and "CLEARINGHOUSE_USERNAME" in exc.detail
    receiver = core.build_fault(core.SoapFault("Receiver", "database offline"))
    exc, seen = _exchange(lambda r, n: httpx.Response(500, content=receiver, headers=SOAP))
    assert exc.status == 503 and len(seen) == 3 and "database offline" in exc.detail


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html>gateway</html>", "not a SOAP 1.2 envelope"),
        (b"not xml at all", "not well-formed XML"),
        (_core_answer(core.SUCCESS), "empty Payload"),
    ],
)
def test_an_unusable_answer_is_502(body, words):
    exc, seen = _exchange(lambda r, n: httpx.Response(200, content=body, headers=SOAP))
    assert exc.status == 502 and exc.slug == "clearinghouse-bad-response" and words in exc.detail and len(seen) == 1


def test_entities_are_never_expanded():
    hostile = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
               + RECORDED_RESPONSE.split(b"?>", 1)[1].replace(b"<ErrorMessage>None", b"<ErrorMessage>&e;"))
    answer = core.read_response(hostile)
    assert "root:" not in (answer.error_message or "")
