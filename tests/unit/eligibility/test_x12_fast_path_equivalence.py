"""The restructured (faster) 271 path gives what the reference gives, on generated 271s.

``reference_rows_levels.py`` holds ``rows.to_benefit_row`` and ``levels.py`` as they were before they were
restructured for speed. Hypothesis writes 271s with random EB rows (known and unknown codes, every network,
odd amounts, percents and quantities, procedures, repeated DTPs, MSGs about prior authorization and
telehealth, HSD, III, REF, AAA, 2120 entities, a dependent), and each must give the same rows (warnings
included) and the same six levels (notes included) through the package as through the reference.
Also: the tokenizer's fast printable check answers as ``str.isprintable`` does.
"""

from __future__ import annotations

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.eligibility.benefits.rows import to_benefit_row
from service.eligibility.levels import choose_levels
from service.eligibility.x12.reader_271 import read_271
from service.eligibility.x12.tokenizer import X12FormatError, _printable
from service.eligibility.x12.writer import Composite

from . import reference_rows_levels as reference
from .helpers import make_271

CODES = ["1", "3", "6", "A", "B", "C", "D", "F", "G", "I", "J", "K", "L", "MC", "R", "X", "CB"]
STCS = ["30", "1", "MH", "A8", "CF", "CH", "BB", "A7", "CG", "CE", "A4", "A5", "48", "88", "98"]
MESSAGES = ["BENEFIT NOTE", "PRIOR AUTHORIZATION REQUIRED", "PRE-CERT NEEDED", "TELEHEALTH $10 COPAY",
            "VIRTUAL VISITS 20% COINSURANCE DEDUCTIBLE WAIVED", "POS 02 TELEMEDICINE", "VIDEO", "PRIOR", "AUTH"]
DATES = [("RD8", "20260101-20261231"), ("D8", "20260105"), ("RD8", "20250101-20251231"), ("D8", "20261340")]

_opt = st.sampled_from


def _eb_loop():
    eb = st.builds(
        lambda code, level, stcs, ins, desc, period, amount, pct, qq, qty, auth, net, proc: [
            "EB", code, level, stcs, ins, desc, period, amount, pct, qq, qty, auth, net, proc],
        _opt(CODES), _opt(["", "IND", "FAM", "EMP", "ESP", "CHD"]),
        st.lists(_opt(STCS), max_size=3),
        _opt(["", "PR", "HM", "MA", "MB", "MC", "QM", "HN"]), _opt(["", "GOLD PPO"]),
        _opt(["", "22", "23", "24", "26", "27", "29", "33", "36", "7"]),
        _opt(["", "100", "100.00", "12.345", "-5", "1E5", "0", "abc", "25", "900"]),
        _opt(["", "0.2", "1", "0", "1.5", "x", "0.125"]), _opt(["", "DY", "VS", "HS", "99", "LA"]),
        _opt(["", "30", "5.5", "x", "0"]), _opt(["", "Y", "N", "U"]), _opt(["", "Y", "N", "W", "U", "X"]),
        _opt(["", "", "", Composite(["HC", "90837"])]),
    )
    extra = st.lists(st.one_of(
        st.builds(lambda q, d: ["DTP", q, *d], _opt(["291", "292", "307", "346", "347", "356", "357", "193"]),
                  _opt(DATES)),
        st.builds(lambda m: ["MSG", m], _opt(MESSAGES)),
        st.builds(lambda u, n: ["HSD", u, n, "WK", "3", "34", "1"], _opt(["DY", "VS", "XX"]), _opt(["12", "x"])),
        st.builds(lambda q, p: ["III", q, p], _opt(["ZZ", "BF"]), _opt(["02", "10", "11"])),
        st.builds(lambda q, v: ["REF", q, v], _opt(["18", "6P"]), _opt(["H1234", "S5678"])),
        st.just(["AAA", "N", "", "42", "C"]),
        st.builds(lambda e: [["LS", "2120"], ["NM1", e, "2", "CARVE OUT BH", "", "", "", "", "PI", "999"],
                             ["PER", "IC", "", "TE", "8005551212"], ["LE", "2120"]], _opt(["PRP", "X3", "P3"])),
    ), max_size=4)
    return st.tuples(eb, extra).map(
        lambda pair: [pair[0]] + [seg for item in pair[1] for seg in (item if isinstance(item[0], list) else [item])])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(loops=st.lists(_eb_loop(), max_size=14), dependent=st.booleans())
def test_rows_and_levels_equal_the_reference(loops, dependent):
    text = make_271([seg for loop in loops for seg in loop], dependent=dependent)
    try:
        parsed = read_271(text)
    except X12FormatError:
        return
    ebs = parsed.all_benefits()
    warnings: list[str] = []
    expected_warnings: list[str] = []
    rows = [to_benefit_row(eb, warnings) for eb in ebs]
    expected = [reference.to_benefit_row(eb, expected_warnings) for eb in ebs]
    assert rows == expected and warnings == expected_warnings
    encode = msgspec.json.encode
    assert encode(choose_levels(rows)) == encode(reference.choose_levels(rows))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=st.characters(max_codepoint=127))))
def test_the_printable_check_answers_as_isprintable(text):
    assert _printable(text) == text.isprintable()
