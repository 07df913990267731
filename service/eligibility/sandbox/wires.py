"""The sandbox's three wires around one ``answer_270(text, receive)`` (see ``sandbox/app.py``).

Each wire takes the request body and headers and returns ``(status, body, content type)``
(or None when the caller hung up), mirroring what the service's adapter for it expects:

- **CORE SOAP** (``CORE_PATH``): the envelope is read with the same :mod:`core_envelope` code the
  client uses. A body that is not a CORE envelope, or a missing / wrong UsernameToken, is a SOAP
  1.2 ``soap:Sender`` fault with HTTP 400 (WS-Security's ``wsse:FailedAuthentication`` for the
  token). A PayloadType, ProcessingMode or CORERuleVersion the sandbox does not take is a CORE
  response with that ErrorCode (``PayloadTypeIllegal``, ``ProcessingModeIllegal``,
  ``VersionMismatch``) and no payload. Otherwise the 271 goes back in the Payload with
  ``ErrorCode`` Success, the PayloadID echoed, sender and receiver swapped (a TA1 or 999 for the
  acknowledgement test members, with their PayloadTypes).
- **raw-X12 JSON** (``JSON_PATH``): ``Authorization`` must be the API key (else 401 JSON); the
  body must be ``{"x12": "..."}`` (else 400 JSON); the answer is ``{"x12": "<271>"}``.
- **text/plain** (``TEXT_PATH``): the body is the 270, the answer the 271.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from service.eligibility.wires import core_envelope as core
from service.eligibility.wires.core_soap import PATH as CORE_PATH
from service.eligibility.wires.raw_x12_json import PATH as JSON_PATH, decode_body, encode_body
from service.eligibility.wires.text_plain import PATH as TEXT_PATH

__all__ = ["Answer", "CORE_PATH", "JSON_PATH", "TEXT_PATH", "core_wire", "json_wire", "text_wire"]

#: (HTTP status, the X12 answer or a reason, its kind: "271", "TA1", "999" or "" for a refusal)
Answer = tuple[int, str, str]
Answer270 = Callable[[str, Any], Awaitable[Answer | None]]
Reply = tuple[int, bytes, str] | None
SOAP_CONTENT_TYPE = "application/soap+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
JSON = "application/json"


def text_wire(answer_270: Answer270) -> Callable[[bytes, dict, Any], Awaitable[Reply]]:
    async def handle(raw: bytes, headers: dict, receive: Any) -> Reply:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return 400, b"not a 270: the body is not UTF-8 text", TEXT
        answer = await answer_270(text, receive)
        return None if answer is None else (answer[0], answer[1].encode("utf-8"), TEXT)

    return handle


def json_wire(answer_270: Answer270, api_key: str) -> Callable[[bytes, dict, Any], Awaitable[Reply]]:
    def problem(status: int, message: str) -> Reply:
        return status, json.dumps({"message": message}).encode(), JSON

    async def handle(raw: bytes, headers: dict, receive: Any) -> Reply:
        if not hmac.compare_digest(headers.get("authorization", "").encode(), api_key.encode()):
            return problem(401, "missing or wrong API key in Authorization")
        try:
            text = decode_body(raw)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return problem(400, 'the body must be {"x12": "<a 270>"}')
        answer = await answer_270(text, receive)
        if answer is None:
            return None
        status, body, _kind = answer
        return (200, encode_body(body), JSON) if status == 200 else problem(status, body)

    return handle


_PAYLOAD_TYPES = {"271": core.PAYLOAD_271, "TA1": core.PAYLOAD_TA1, "999": core.PAYLOAD_999}


def _fault(reason: str, subcode: str | None = None) -> Reply:
    return 400, core.build_fault(core.SoapFault(code="Sender", reason=reason, subcode=subcode)), SOAP_CONTENT_TYPE


def core_wire(answer_270: Answer270, token: core.UsernameToken) -> Callable[[bytes, dict, Any], Awaitable[Reply]]:
    def respond(request: core.RealTimeMessage, payload_type: str, payload: str, code: str, message: str) -> Reply:
        reply = core.RealTimeMessage(
            payload_type=payload_type, payload_id=request.payload_id,
            timestamp=core.core_timestamp(dt.datetime.now(dt.timezone.utc)),
            sender_id=request.receiver_id, receiver_id=request.sender_id, payload=payload,
            error_code=code, error_message=message,
        )
        return 200, core.build_response(reply), SOAP_CONTENT_TYPE

    async def handle(raw: bytes, headers: dict, receive: Any) -> Reply:
        try:
            request, sent_token = core.read_request(raw)
        except core.EnvelopeError as exc:
            return _fault(f"Not a CORE real-time request: {exc.reason}")
        if sent_token is None or not (
            hmac.compare_digest(sent_token.username.encode(), token.username.encode())
            and hmac.compare_digest(sent_token.password.encode(), token.password.encode())
        ):
            return _fault("The WS-Security UsernameToken is missing or wrong.", "wsse:FailedAuthentication")
        if request.payload_type != core.PAYLOAD_270:
            return respond(request, core.PAYLOAD_ERROR, "", "PayloadTypeIllegal",
                           f"This endpoint takes {core.PAYLOAD_270}.")
        if request.processing_mode != core.REAL_TIME:
            return respond(request, core.PAYLOAD_ERROR, "", "ProcessingModeIllegal", "Only RealTime is offered here.")
        if request.rule_version != core.RULE_VERSION:
            return respond(request, core.PAYLOAD_ERROR, "", "VersionMismatch",
                           f"CORERuleVersion {core.RULE_VERSION} is expected.")
        answer = await answer_270(request.payload, receive)
        if answer is None:
            return None
        status, body, kind = answer
        if status != 200:
            return _fault(body)
        return respond(request, _PAYLOAD_TYPES[kind], body, core.SUCCESS, "None")

    return handle
