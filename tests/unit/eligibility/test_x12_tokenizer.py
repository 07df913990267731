from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from service.eligibility.x12.reader_271 import read_271
from service.eligibility.x12.tokenizer import X12FormatError, expect_transaction, tokenize

from .helpers import SAMPLES, public_samples

ISA_CARET = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260105*0930*^*00501*000000042*0*T*:~"
)


@pytest.mark.parametrize("path", public_samples("*.27[01]"), ids=lambda p: p.name)
def test_every_sample_tokenizes_with_delimiters_from_its_isa(path):
    text = path.read_text()
    tok = tokenize(text)
    assert tok.delimiters.element == "*"
    assert tok.delimiters.component == ":"
    assert tok.delimiters.segment == "~"
    assert tok.delimiters.repetition == ("^" if path.name.startswith("lfh-") else ">")
    assert tok.segments[0][0] == "ISA" and tok.segments[-1][0] == "IEA"
    assert len(tok.segments) == text.count("~")


def test_crlf_and_extra_whitespace_between_segments_and_trailing_element_spaces():
    text = ISA_CARET + "\r\n  GS*HB*A*B*20260105*0930*7*X*005010X279A1~\r\n\tST*271*0001*005010X279A1 ~\n\nSE*2*0001~"
    tok = tokenize(text)
    assert [s[0] for s in tok.segments] == ["ISA", "GS", "ST", "SE"]
    assert tok.segments[2] == ["ST", "271", "0001", "005010X279A1"]


@pytest.mark.parametrize("brk", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_line_break_after_every_terminator_gives_the_segments_of_the_one_line_document(brk):
    body = "GS*HB*A*B*20260105*0930*7*X*005010X279A1~ST*271*0001~MSG*A B~SE*3*0001~GE*1*7~IEA*1*000000042~"
    one_line = tokenize(ISA_CARET + body)
    assert tokenize(ISA_CARET + brk + body.replace("~", "~" + brk)).segments == one_line.segments
    # Two segments on the last line, and a line break inside a segment: read as before (the break is dropped)
    two_on_last = ISA_CARET + body.replace("~", "~" + brk).replace("~" + brk + "IEA", "~IEA")
    assert tokenize(two_on_last).segments == one_line.segments
    broken = tokenize(ISA_CARET + body.replace("~", "~" + brk).replace("MSG*A B", "MSG*A B" + brk))
    assert broken.segments == one_line.segments
    assert tokenize(ISA_CARET + body.replace("MSG*A B", "MSG*A\tB")).segments[3] == ["MSG", "A\tB"]


@pytest.mark.parametrize("isa", [
    ISA_CARET.replace("SENDER         ", "SENDER"),  # fields not padded: the 16th separator comes early
    ISA_CARET.replace("SENDER         ", "SENDER          "),  # one character too many: it comes late
], ids=["short", "long"])
def test_an_isa_of_another_length_is_read_by_its_separators_with_a_warning(isa):
    body = "GS*HB*A*B*20260105*0930*7*X*005010X279A1~ST*271*0001~SE*2*0001~"
    tok = tokenize(isa + body)
    assert tok.delimiters == tokenize(ISA_CARET + body).delimiters
    assert tok.segments[1:] == tokenize(ISA_CARET + body).segments[1:]
    assert tok.warnings == [f"ISA segment is {len(isa)} characters long, expected 106 (fields not padded)"]


def test_unusual_delimiters_are_read_from_the_isa():
    isa = ISA_CARET.replace("*", "|").replace("^", "!").replace(":", ">").replace("~", "\n")
    tok = tokenize(isa + "GS|HB|A|B|20260105|0930|7|X|005010X279A1\nST|271|1\nEB|1||MH!A8\n")
    assert tok.delimiters.element == "|" and tok.delimiters.repetition == "!"
    assert tok.delimiters.component == ">" and tok.delimiters.segment == "\n"
    assert tok.segments[-1] == ["EB", "1", "", "MH!A8"]


def test_not_x12_error_is_clear_and_does_not_echo_the_input():
    with pytest.raises(X12FormatError) as exc:
        tokenize("NM1*IL*1*SMITH*JOHN****MI*123456789~")
    assert "ISA" in str(exc.value)
    assert "SMITH" not in str(exc.value) and "123456789" not in str(exc.value)
    assert isinstance(exc.value, ValueError) and exc.value.status == 422


def test_a_270_where_a_271_is_expected_is_refused():
    text = (SAMPLES / "lfh-demo.270").read_text()
    with pytest.raises(X12FormatError, match="expected an X12 271.*found a 270"):
        read_271(text)


def test_bad_segment_id_reports_position_only():
    with pytest.raises(X12FormatError) as exc:
        tokenize(ISA_CARET + "GS*HB~smith john secret~")
    assert "segment 3" in str(exc.value) and "smith" not in str(exc.value)


def test_expect_transaction_without_st():
    with pytest.raises(X12FormatError, match="no ST segment"):
        expect_transaction(tokenize(ISA_CARET + "GS*HB~"), "271")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_tokenizer_raises_only_x12formaterror_on_arbitrary_text(text):
    try:
        tokenize(text)
    except X12FormatError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ISA*^:~>\n ABCDEF0123|!")), max_size=300))
def test_tokenizer_and_reader_only_raise_x12formaterror_on_x12_like_text(text):
    for candidate in (text, ISA_CARET + text, "ISA" + text):
        try:
            read_271(candidate)
        except X12FormatError:
            pass


def test_a_nul_character_is_a_format_error_not_a_database_failure():
    # PostgreSQL text/jsonb cannot hold U+0000: a posted 271 with one was a 500 when stored.
    for text in (ISA_CARET + "GS*HB~ST*271*1~MSG*HEL\x00LO~", ISA_CARET.replace("*", "\x00")):
        with pytest.raises(X12FormatError, match="NUL"):
            tokenize(text)


def test_a_document_with_several_bad_segment_ids_is_refused_for_its_first_whatever_the_hash_seed():
    """The 422 of a damaged 271 names the first segment without a valid identifier, the same in every process:
    the ids were checked in the order of a set of strings, which Python's per-process hash seed shuffles, so two
    replicas (or two runs) named different segments of one document."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    bad = ["x1", "y2", "z3", "#A", "b-", "q9", "m?", "w!"]  # eight distinct invalid ids, from segment 3 on
    text = ISA_CARET + "GS*HB*A*B*20260105*0930*7*X*005010X279A1~" + "".join(f"{i}*E~" for i in bad) + "IEA*1*1~"
    script = ("import sys; from service.eligibility.x12.tokenizer import tokenize\n"
              "try:\n    tokenize(sys.stdin.read())\nexcept Exception as exc:\n    print(exc)")
    messages = {subprocess.run([sys.executable, "-c", script], input=text, capture_output=True, text=True, check=True,
                               env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout.strip() for seed in range(4)}
    assert messages == {"segment 3 does not start with a valid segment identifier (2-3 upper-case letters or digits)"}
