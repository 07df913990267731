"""The CAQH CORE vC2.2.0 real-time SOAP wire (the default ``CLEARINGHOUSE_PROTOCOL``).

One POST per 270 to ``{base_url}/2025-06-01/protocols/caqh-core`` (Stedi's published path;
``CLEARINGHOUSE_PATH`` points elsewhere), ``Content-Type: application/soap+xml``, the envelope
from :mod:`core_envelope` with a fresh ``PayloadID`` per attempt and the WS-Security
UsernameToken (``CLEARINGHOUSE_USERNAME`` / ``CLEARINGHOUSE_PASSWORD``).

How answers map to the service's problems (the same 502/503/504 as every wire):

| answer | meaning | becomes |
|---|---|---|
| ``ErrorCode`` Success, PayloadType 271 (or a TA1 / 999 acknowledgement) | the payer's answer | read as X12 |
| ``ErrorCode`` saying the receiver is busy, down or timed out | their side, for now | retried, then **503** |
| any other ``ErrorCode`` (``...Required``, ``...Illegal``, ``VersionMismatch``, unauthorized ...) | our envelope or credentials | **502** refused, not retried |
| SOAP fault ``soap:Sender`` (bad token, bad envelope) | ours | **502** refused, not retried |
| SOAP fault ``soap:Receiver`` | theirs | retried, then **503** |
| not a CORE envelope, no payload, another PayloadType | unusable | **502** |
| read timeout | | **504** (as every wire) |

Only the error code reaches the log, never the ErrorMessage or the payload.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import structlog

from service.eligibility.clearinghouse import (
    HttpClearinghouse, Transient, WireRequest, bad_gateway, refused, retry_after_header,
)
from service.eligibility.wires.core_envelope import (
    CONTENT_TYPE, PAYLOAD_270, PAYLOAD_271, PAYLOAD_999, PAYLOAD_TA1, SUCCESS, EnvelopeError, RealTimeMessage,
    SoapFault, UsernameToken, build_request, core_timestamp, read_response,
)

__all__ = ["CoreSoapClient", "PATH", "TRANSIENT_ERROR_CODES"]

log = structlog.get_logger("service.eligibility.clearinghouse")

PATH = "/2025-06-01/protocols/caqh-core"

#: CORE ErrorCodes that say "not now" rather than "not like this" (compared without spaces, case-insensitive).
TRANSIENT_ERROR_CODES = frozenset({
    "serverbusy", "receiverbusy", "receiverdown", "receiverunavailable", "serviceunavailable", "timeout",
    "receivertimeout", "requesttimedout",
})
#: What a real-time answer may carry in its Payload.
ANSWER_PAYLOADS = frozenset({PAYLOAD_271, PAYLOAD_TA1, PAYLOAD_999})
_MAX_WORDS = 200


def _words(text: str | None) -> str:
    return " ".join((text or "").split())[:_MAX_WORDS] or "no message"


class CoreSoapClient(HttpClearinghouse):
    path = PATH
    protocol = "core_soap"

    def __init__(
        self, *args: Any, token: UsernameToken, sender_id: str, receiver_id: str,
        payload_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.token, self.sender_id, self.receiver_id = token, sender_id, receiver_id
        self.payload_id, self.clock = payload_id, clock

    def wrap(self, payer_id: str, x12_270: str) -> WireRequest:
        message = RealTimeMessage(
            payload_type=PAYLOAD_270, payload_id=self.payload_id(), timestamp=core_timestamp(self.clock()),
            sender_id=self.sender_id, receiver_id=self.receiver_id, payload=x12_270,
        )
        return WireRequest(content=build_request(message, self.token), headers={"Content-Type": CONTENT_TYPE})

    def unwrap(self, response: httpx.Response) -> str:
        try:
            answer = read_response(response.content)
        except EnvelopeError as exc:
            log.warning("clearinghouse_bad_envelope", reason=exc.reason)
            raise bad_gateway(f"The clearinghouse's answer is not a CORE envelope: {exc.reason}.") from None
        if isinstance(answer, SoapFault):
            raise self._fault(answer)
        if answer.error_code != SUCCESS:
            raise self._core_error(answer)
        if answer.payload_type not in ANSWER_PAYLOADS:
            raise bad_gateway(f"The clearinghouse answered with PayloadType {answer.payload_type[:60]!r}, not a 271.")
        if not answer.payload.strip():
            raise bad_gateway("The clearinghouse's CORE envelope has an empty Payload.")
        return answer.payload

    def refusal(self, response: httpx.Response) -> Exception | None:
        """SOAP 1.2 sends faults with HTTP 400/500: read them before the generic status rules."""
        if "xml" not in response.headers.get("content-type", ""):
            return None
        try:
            answer = read_response(response.content)
        except EnvelopeError:
            return None
        if isinstance(answer, SoapFault):
            return self._fault(answer, response)
        if answer.error_code and answer.error_code != SUCCESS:
            return self._core_error(answer)
        return None

    def _fault(self, fault: SoapFault, response: httpx.Response | None = None) -> Exception:
        log.warning("clearinghouse_soap_fault", code=fault.code, subcode=fault.subcode)
        if fault.is_ours:
            what = fault.subcode or fault.code
            return refused(f"The clearinghouse refused the SOAP request ({what}): {_words(fault.reason)}. "
                           "Check CLEARINGHOUSE_USERNAME / CLEARINGHOUSE_PASSWORD and the CORE settings.")
        retry_after = retry_after_header(response) if response is not None else None
        return Transient("soap_fault", f"The clearinghouse reported a fault: {_words(fault.reason)}", retry_after)

    def _core_error(self, answer: RealTimeMessage) -> Exception:
        code = answer.error_code or ""
        log.warning("clearinghouse_core_error", error_code=code[:60])
        if code.replace(" ", "").lower() in TRANSIENT_ERROR_CODES:
            return Transient("core_error", f"The clearinghouse answered CORE ErrorCode {code}: {_words(answer.error_message)}")
        return refused(f"The clearinghouse refused the CORE envelope: ErrorCode {code[:60]} "
                       f"({_words(answer.error_message)}).")
