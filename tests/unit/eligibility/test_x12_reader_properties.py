"""Property tests: real 271s, mutated, never make the reader fail with anything but X12FormatError.

Two properties over the sample 271s (``tests/data/x12``) and hand-written Medicare /
Medicaid / PPO 271s:

1. structural mutations (drop, duplicate, swap, shuffle segments; drop, blank or replace
   elements, including numeric elements with odd numbers) give either normalized benefits that
   encode to JSON, or :class:`X12FormatError` (a 422) - never another exception (a 500);
2. writing the same document with other separators (element, repetition, component, segment
   terminator, with or without line breaks) gives identical normalized benefits.
"""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from service.eligibility.benefits import benefits_from_271
from service.eligibility.x12.tokenizer import X12FormatError, tokenize

from .helpers import SAMPLES, make_271, public_samples


def _eb(code, lvl="", stc=(), ins="", desc="", period="", amt="", pct="", qq="", qty="", auth="", net=""):
    return ["EB", code, lvl, list(stc), ins, desc, period, amt, pct, qq, qty, auth, net]


HAND_WRITTEN = [
    make_271(
        [
            _eb("1", "IND", ["30"], "PR", "ACME PPO GOLD"),
            _eb("C", "IND", ["30"], "PR", period="23", amt="1500", net="Y"),
            _eb("C", "IND", ["30"], "PR", period="29", amt="900", net="Y"),
            _eb("C", "FAM", ["30"], "PR", period="23", amt="3000", net="Y"),
            _eb("C", "FAM", ["30"], "PR", period="24", amt="1000", net="Y"),
            _eb("G", "IND", ["30"], "PR", period="23", amt="5000", net="W"),
            _eb("A", "", ["MH", "A8"], "PR", pct="0.2", net="Y"),
            _eb("B", "", ["A8"], "PR", period="27", amt="25", net="Y"),
            ["MSG", "PRIOR AUTHORIZATION REQUIRED"],
            _eb("F", "", ["A7"], "PR", period="23", qq="DY", qty="30", net="W"),
            ["HSD", "VS", "12", "WK", "3", "34", "1"],
            ["DTP", "292", "RD8", "20260101-20261231"],
            ["LS", "2120"],
            ["NM1", "PRP", "2", "CARVE OUT BH", "", "", "", "", "PI", "999"],
            ["LE", "2120"],
        ],
        member_segments=[["REF", "6P", "GRP100", "ACME EMPLOYER"], ["DTP", "291", "RD8", "20260101-20261231"]],
    ),
    make_271(
        [
            _eb("1", "", ["30", "MH", "A7"], "MA"),
            ["DTP", "307", "RD8", "20130301-20991231"],
            _eb("1", "", ["30", "MH", "A8"], "MB"),
            _eb("C", "IND", ["30"], "MB", period="29", amt="120"),
            _eb("F", "", ["A7"], "MA", period="32", qq="DY", qty="190"),
            _eb("F", "", ["A7"], "MA", period="33", qq="DY", qty="145"),
            _eb("K", "", ["30"], "MA", qq="LA", qty="60"),
            _eb("R", "", ["30"], "MC"),
            ["LS", "2120"],
            ["NM1", "PRP", "2", "STATE MEDICAID", "", "", "", "", "PI", "SBMCD"],
            ["LE", "2120"],
        ],
        payer="MEDICARE",
    ),
    make_271(
        [
            _eb("1", "", ["30"], "MC"),
            _eb("MC", "", ["30"], "MC"),
            ["MSG", "COST SHARING CATEGORY EXEMPT"],
            ["MSG", "STATE TX"],
            _eb("B", "", ["MH"], "MC", period="27", amt="0"),
            ["AAA", "Y", "", "42", "R"],
        ],
        dependent=True,
    ),
]
DOCUMENTS = [p.read_text() for p in public_samples("*.271")] + HAND_WRITTEN

# Values a payer (or a broken payer) might put in an element, numeric ones above all.
ODD_VALUES = st.one_of(
    st.sampled_from([
        "", " ", "0", "-1", "1E+30", "1E+999999999", "-1E-999999999", "NaN", "Infinity", "1.5", "0.20",
        ".2", "99999999999999999999", "1e5", "0x10", "12,50", "2026-01-01", "20261301", "20260101-2026",
        "RD8", "D8", "29", "24", "DY", "99", "Y", "N", "W", "U", "IND", "FAM", "MH", "30", "A7", "MA", "MB",
        "QM", "HN", "MC", "2120", "23", "22", "20", "21", "\u00b2", "\u0663",
    ]),
    st.text(alphabet="0123456789.-E+ABCDXYZ ", max_size=12),
)


def _segments(text: str) -> tuple[list[list[str]], object]:
    tok = tokenize(text)
    return tok.segments, tok.delimiters


def _write(segments: list[list[str]], d, *, element=None, repetition=None, component=None, terminator=None,
           newline: str = "") -> str:
    """Re-join tokenized segments, optionally with other separators (values keep their content)."""
    element = element or d.element
    repetition = repetition or d.repetition
    component = component or d.component
    terminator = terminator or d.segment
    table = {ord(d.component): component}
    if d.repetition:
        table[ord(d.repetition)] = repetition
    out = []
    for seg in segments:
        if seg[0] == "ISA":
            isa = list(seg)
            if d.repetition:
                isa[11] = repetition
            isa[16] = component
            out.append(element.join(isa))
        else:
            out.append(element.join(v.translate(table) for v in seg))
    return (terminator + newline).join(out) + terminator + newline


def _outcome(text: str):
    try:
        nb = benefits_from_271(text)
    except X12FormatError as exc:
        assert exc.status == 422 and exc.detail
        return None
    msgspec.json.encode(nb)  # the wire form must encode (no NaN, no unencodable value)
    return nb


MUTATION = st.tuples(
    st.sampled_from(["drop", "duplicate", "swap", "shuffle", "drop_element", "blank_element", "set_element",
                     "insert", "set_eb_number", "set_hsd"]),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=10_000),
    ODD_VALUES,
    st.randoms(use_true_random=False),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=st.sampled_from(DOCUMENTS), mutations=st.lists(MUTATION, min_size=1, max_size=4))
def test_mutated_271s_give_benefits_or_x12formaterror_only(doc, mutations):
    segs, d = _segments(doc)
    segs = [list(s) for s in segs]
    for kind, i, j, value, rnd in mutations:
        if not segs:
            break
        # the ISA stays first in most cases so the mutation reaches the walker; sometimes it moves too
        lo = 1 if len(segs) > 1 and i % 7 else 0
        a = lo + i % max(1, len(segs) - lo)
        b = lo + j % max(1, len(segs) - lo)
        if kind == "drop":
            del segs[a]
        elif kind == "duplicate":
            segs.insert(b, list(segs[a]))
        elif kind == "swap":
            segs[a], segs[b] = segs[b], segs[a]
        elif kind == "shuffle":
            body = segs[lo:]
            rnd.shuffle(body)
            segs[lo:] = body
        elif kind == "insert":
            segs.insert(b, [rnd.choice(["EB", "LS", "LE", "HL", "AAA", "MSG", "DTP", "NM1", "SE", "ST", "HSD"]),
                            *[value] * (j % 14)])
        elif kind == "set_eb_number":
            ebs = [s for s in segs if s[0] == "EB"]
            if ebs:
                row = ebs[i % len(ebs)]
                row += [""] * (11 - len(row))
                row[6 + j % 5] = value  # EB06 period .. EB10 quantity
        elif kind == "set_hsd":
            segs.insert(a, ["HSD", rnd.choice(["DY", "VS", "HS"]), value, "WK", "", value])
        elif segs[a][0] != "ISA" and len(segs[a]) > 1:
            k = 1 + j % (len(segs[a]) - 1)
            if kind == "drop_element":
                del segs[a][k]
            elif kind == "blank_element":
                segs[a][k] = ""
            else:
                segs[a][k] = value
    text = _write(segs, d)
    _outcome(text)


SEPARATORS = "*|!^>:~`{}\\<@#$%&+=?;"


@settings(max_examples=200, deadline=None)
@given(
    doc=st.sampled_from(DOCUMENTS),
    chosen=st.permutations(SEPARATORS).map(lambda p: p[:4]),
    newline=st.sampled_from(["", "\n", "\r\n"]),
    newline_terminator=st.booleans(),
)
def test_other_separators_give_identical_normalized_benefits(doc, chosen, newline, newline_terminator):
    segs, d = _segments(doc)
    data_chars = {c for s in segs for v in s[1:] for c in v} - set(d.all())
    assume(not data_chars.intersection(chosen))
    element, repetition, component, terminator = chosen
    if newline_terminator:
        terminator, newline = "\n", ""
    redelimited = _write(segs, d, element=element, repetition=repetition, component=component,
                         terminator=terminator, newline=newline)
    again = tokenize(redelimited).delimiters
    assert (again.element, again.component, again.segment) == (element, component, terminator)
    assert benefits_from_271(redelimited) == benefits_from_271(doc)


@pytest.mark.parametrize("doc", DOCUMENTS[-3:], ids=["ppo", "medicare", "medicaid-dependent"])
def test_hand_written_271s_are_valid_to_begin_with(doc):
    nb = benefits_from_271(doc)
    assert nb.benefit_rows and not any("not expected" in w for w in nb.warnings)


@settings(max_examples=300, deadline=None)
@given(
    doc=st.sampled_from(DOCUMENTS),
    row=st.integers(min_value=0, max_value=100),
    element=st.integers(min_value=6, max_value=10),
    value=ODD_VALUES,
)
def test_odd_numbers_in_eb_elements_give_benefits_or_x12formaterror_only(doc, row, element, value):
    segs, d = _segments(doc)
    segs = [list(s) for s in segs]
    ebs = [s for s in segs if s[0] == "EB"]
    assume(ebs)
    target = ebs[row % len(ebs)]
    target += [""] * (11 - len(target))
    target[element] = value
    _outcome(_write(segs, d))
