"""TA1 and 999 acknowledgements read into plain words naming the segment and element; a 271 is not one."""

from __future__ import annotations

import datetime as dt

from service.eligibility.acknowledgements import read_acknowledgement
from service.eligibility.sandbox.acknowledgements import author_999, author_ta1
from service.eligibility.x12.reader_270 import read_270

from .core_example import example_270, example_response
from .helpers import make_271

NOW = dt.datetime(2026, 11, 30, 9, 30)
ISA = "ISA*00*          *00*          *ZZ*CH             *ZZ*US             *261130*0930*^*00501*000000009*0*T*:~"


def test_a_ta1_rejection_names_the_isa_element_and_the_setting_behind_it():
    ack = read_acknowledgement(author_ta1(read_270(example_270()), now=NOW, control_number=9))
    assert ack.kind == "TA1" and not ack.accepted
    assert ack.findings == ["TA1 code 006: invalid interchange sender id (element ISA06, set by X12_SUBMITTER_ID)"]
    assert "rejected the 270" in ack.sentence()


def test_a_999_rejection_names_segment_position_loop_and_element():
    ack = read_acknowledgement(author_999(read_270(example_270()), now=NOW, control_number=9))
    assert ack.kind == "999" and not ack.accepted
    assert ack.findings == [
        "transaction rejected",
        "segment NM1 at position 8 in loop 2100C: segment has data element errors",
        "element NM109 (data element 67): invalid character in data element",
    ]


def test_a_999_component_error_and_a_bare_transaction_error_read_in_words():
    text = (ISA + "GS*FA*CH*US*20261130*0930*9*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HS*1*005010X279A1~"
            "AK2*270*0001*005010X279A1~IK3*EQ*14*2110C*I6~IK4*1:1*1365*7*ZZ~IK5*R*I5*4~AK9*R*1*1*0~SE*8*0001~"
            "GE*1*9~IEA*1*000000009~")
    ack = read_acknowledgement(text)
    assert ack.findings == [
        "transaction rejected",
        "segment EQ at position 14 in loop 2110C: implementation dependent segment missing",
        "element EQ01-1 (data element 1365): invalid code value",
        "number of included segments does not match actual count",
    ]
    assert "ZZ" not in ack.sentence()  # IK404, a copy of the bad data, is never repeated (it may be PHI)


def test_an_accepted_999_is_accepted_and_a_271_or_garbage_is_no_acknowledgement():
    accepted = (ISA + "GS*FA*CH*US*20261130*0930*9*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HS*1*005010X279A1~"
                "AK2*270*0001*005010X279A1~IK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*9~IEA*1*000000009~")
    ack = read_acknowledgement(accepted)
    assert ack.accepted and "accepted the 270 but sent no 271" in ack.sentence()
    assert read_acknowledgement(make_271([["EB", "1", "", "30"]])) is None
    assert read_acknowledgement("not x12") is None
    assert read_acknowledgement(example_response().decode()) is None  # XML, not X12
