"""The sandbox's TA1 and 999 answers for its acknowledgement test members (no clock: ``now`` is an input).

| member id | answer instead of a 271 |
|---|---|
| ERR-TA1-006 | TA1 rejecting the interchange: TA104 R, TA105 006 (invalid interchange sender id, ISA06) |
| ERR-999-NM1 | 999 rejecting the 270: IK3 NM1 at position 8 in loop 2100C (data element errors), IK4 NM109 (data element 67) invalid character; IK5 R, AK9 R |

Both are written with the project's X12 writer and read with ``service.eligibility.acknowledgements``.
"""

from __future__ import annotations

import datetime as dt

from service.eligibility.x12.reader_270 import Parsed270
from service.eligibility.x12.writer import DEFAULT_DELIMITERS, Envelope, isa_segment, write_interchange, write_segment

__all__ = ["ACK_MEMBERS", "author_ta1", "author_999"]

ACK_MEMBERS = {"ERR-TA1-006": "TA1", "ERR-999-NM1": "999"}


def _reply_envelope(q: Parsed270, now: dt.datetime, control_number: int, **kw: str) -> Envelope:
    return Envelope(
        sender_id=(q.envelope.receiver_id or "SANDBOXCH")[:15], receiver_id=(q.envelope.sender_id or "SUBMITTER")[:15],
        interchange_control_number=control_number, group_control_number=control_number, created=now, **kw,
    )


def author_ta1(q: Parsed270, *, now: dt.datetime, control_number: int) -> str:
    """An interchange holding only a TA1 that rejects the 270's interchange for its sender id."""
    envelope = _reply_envelope(q, now, control_number)
    received = q.envelope.interchange_control_number or "000000000"
    ta1 = ["TA1", received.zfill(9), now.strftime("%y%m%d"), now.strftime("%H%M"), "R", "006"]
    return (isa_segment(envelope) + write_segment(ta1, DEFAULT_DELIMITERS)
            + write_segment(["IEA", "0", f"{control_number:09d}"], DEFAULT_DELIMITERS))


def author_999(q: Parsed270, *, now: dt.datetime, control_number: int) -> str:
    """A 999 rejecting the 270's transaction at the subscriber's NM1 (its NM109 member id)."""
    envelope = _reply_envelope(q, now, control_number, functional_id="FA", transaction_set_id="999",
                               version="005010X231A1")
    body = [
        ["AK1", "HS", q.envelope.group_control_number or "1", "005010X279A1"],
        ["AK2", "270", q.envelope.transaction_control_number or "0001", "005010X279A1"],
        ["IK3", "NM1", "8", "2100C", "8"],
        ["IK4", "9", "67", "6"],
        ["IK5", "R", "5"],
        ["AK9", "R", "1", "1", "0"],
    ]
    return write_interchange([body], envelope)
