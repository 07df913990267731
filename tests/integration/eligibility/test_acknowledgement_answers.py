"""The sandbox answers a TA1 or a 999 for its acknowledgement members: the check reports it, never a 'bad 271'."""

from __future__ import annotations

import datetime as dt

import pytest

from service.eligibility.sandbox.acknowledgements import author_999
from service.eligibility.x12.reader_270 import read_270
from tests.integration.eligibility.helpers import body_for
from tests.unit.eligibility.core_example import example_270


@pytest.mark.parametrize(
    ("member_id", "words"),
    [
        ("ERR-TA1-006", ["interchange acknowledgement (TA1)", "ISA06", "X12_SUBMITTER_ID"]),
        ("ERR-999-NM1", ["implementation acknowledgement (999)", "segment NM1 at position 8 in loop 2100C",
                         "element NM109 (data element 67)"]),
    ],
)
def test_an_acknowledgement_instead_of_a_271_is_reported_in_plain_words(client, headers, member_id, words):
    r = client.post("/v1/eligibility/checks", json=body_for(member_id, payer_id="SBACK"), headers=headers["intake"])
    assert r.status_code == 502, r.text
    problem = r.json()
    assert problem["type"].endswith("/x12-rejected")
    assert all(w in problem["detail"] for w in words), problem["detail"]
    assert "271" not in problem["title"] and "not a readable 271" not in problem["detail"]


def test_a_posted_999_is_refused_as_an_acknowledgement_not_a_broken_271(client, headers):
    text = author_999(read_270(example_270()), now=dt.datetime(2026, 11, 30, 9, 30), control_number=3)
    r = client.post("/v1/eligibility/parse-271", json={"x12": text}, headers=headers["billing"])
    assert r.status_code == 422, r.text
    assert "999 acknowledgement, not a 271" in r.json()["detail"] and "NM109" in r.json()["detail"]
