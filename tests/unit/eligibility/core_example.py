"""The recorded CORE envelope pair's inputs: one 270 for sandbox member PPO-INACT-008, fixed ids and times.

``python -m tests.unit.eligibility.core_example`` rewrites ``tests/data/core/*.xml`` (only after a
deliberate change to the envelope; the test then shows the new bytes in review).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from service.eligibility.sandbox.app import author_271
from service.eligibility.wires import core_envelope as core
from service.eligibility.x12.builder_270 import EligibilityInquiry, Payer, Provider, Subscriber, build_270
from service.eligibility.x12.reader_270 import read_270
from service.eligibility.x12.writer import Envelope

DATA = Path(__file__).resolve().parents[2] / "data" / "core"
PAYLOAD_ID = "3f2b8c1e-7d4a-4b9e-9c61-2a5d8e0f4b17"
SENT_AT = dt.datetime(2026, 11, 30, 9, 30, 0, tzinfo=dt.timezone.utc)
TOKEN = core.UsernameToken(username="demo-account", password="demo-api-key")


def example_270() -> str:
    inquiry = EligibilityInquiry(
        payer=Payer(id="SBPPO", name="SANDBOX PPO"),
        provider=Provider(npi="1234567893", name="DEMO BEHAVIORAL HEALTH"),
        subscriber=Subscriber(last_name="CHEN", first_name="ROBERT", date_of_birth=dt.date(1970, 4, 18),
                              member_id="PPO-INACT-008"),
        date_of_service=dt.date(2026, 12, 7), service_type_codes=["MH"], trace_number="TRACE0001",
    )
    envelope = Envelope(sender_id="DEMOSUBMITTER", receiver_id="SANDBOXCH", interchange_control_number=101,
                        group_control_number=101, created=SENT_AT.replace(tzinfo=None))
    return build_270(inquiry, envelope)


def example_response() -> bytes:
    answered = dt.datetime(2026, 11, 30, 9, 30, 1)
    x12_271 = author_271(read_270(example_270()), now=answered, control_number=7001)
    return core.build_response(core.RealTimeMessage(
        payload_type=core.PAYLOAD_271, payload_id=PAYLOAD_ID, timestamp=core.core_timestamp(answered),
        sender_id="SANDBOXCH", receiver_id="DEMOSUBMITTER", payload=x12_271, error_code=core.SUCCESS,
        error_message="None",
    ))


if __name__ == "__main__":
    from service.eligibility.wires.core_soap import CoreSoapClient

    client = CoreSoapClient(None, "http://unused", token=TOKEN, sender_id="DEMOSUBMITTER",
                            receiver_id="SANDBOXCH", payload_id=lambda: PAYLOAD_ID, clock=lambda: SENT_AT)
    (DATA / "realtime_request.xml").write_bytes(client.wrap("SBPPO", example_270()).content)
    (DATA / "realtime_response.xml").write_bytes(example_response())
    print("wrote", *sorted(p.name for p in DATA.iterdir()))
