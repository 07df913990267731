from __future__ import annotations

import pytest

from service.eligibility.benefits import benefits_from_271
from service.eligibility.x12.reader_270 import read_270
from service.eligibility.x12.reader_271 import read_271

from .helpers import SAMPLES, make_271, public_samples

SAMPLE_271 = public_samples("*.271")


@pytest.mark.parametrize("path", SAMPLE_271, ids=lambda p: p.name)
def test_every_271_sample_normalizes_without_losing_an_eb_row(path):
    text = path.read_text()
    nb = benefits_from_271(text)
    eb_count = sum(1 for seg in text.replace("\n", "").split("~") if seg.startswith("EB*"))
    assert len(nb.benefit_rows) == eb_count
    assert len(nb.levels) == (6 if eb_count else 0)


@pytest.mark.parametrize("path", public_samples("*.270"), ids=lambda p: p.name)
def test_every_270_sample_reads(path):
    p = read_270(path.read_text())
    assert p.service_type_codes == ["30"]
    assert p.warnings == []
    patient = p.dependent or p.subscriber
    assert patient.last_name == "SMITH"


@pytest.mark.parametrize("name", ["lfh-subscriber-health-benefit-check-error.271",
                                  "badx12-error-response-not-eligible-for-inquiries.271"])
def test_aaa_50_is_a_plain_words_non_retryable_rejection(name):
    nb = benefits_from_271((SAMPLES / name).read_text())
    assert nb.active is None
    [rej] = nb.rejections
    assert (rej.loop, rej.reason_code, rej.follow_up_code) == ("2100B", "50", "N")
    assert "not eligible" in rej.reason and rej.retryable is False
    assert rej.follow_up == "Resubmission not allowed"


def test_se02_mismatch_is_a_warning_not_a_failure():
    nb = benefits_from_271((SAMPLES / "lfh-subscriber-health-benefit-check-error.271").read_text())
    assert "SE02 control number 4323 does not match ST02 4321" in nb.warnings


def test_version_without_a1_is_a_warning():
    p = read_271((SAMPLES / "badx12-response-subscriber.271").read_text())
    assert any("without the A1 suffix" in w for w in p.warnings)
    assert not read_271((SAMPLES / "lfh-demo.271").read_text()).warnings


def test_dependent_sample_keeps_demographics_apart_and_both_separators_split():
    for name, sep in (("badx12-response-dependent.271", ">"), ("lfh-dependent-health-benefit-check.271", "^")):
        p = read_271((SAMPLES / name).read_text())
        assert p.delimiters.repetition == sep
        assert p.dependent.demographics.first_name == "MARY"
        assert p.subscriber.demographics.member_id == "123456789"
        assert p.dependent.benefits[2].service_types == ["1", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC"]
        assert p.dependent.dates == [("346", "D8", "20060101")]
        entity_rows = [eb for eb in p.dependent.benefits if eb.entities]
        assert len(entity_rows) == 1 and entity_rows[0].entities[0].name == "JONES"


def _tamper(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def test_envelope_count_and_control_number_warnings():
    text = make_271([["EB", "1", "", "30"]])
    assert read_271(text).warnings == []
    # ST BHT HL NM1 HL NM1 HL TRN NM1 DMG EB SE = 12
    bad = _tamper(text, "SE*12*", "SE*13*")
    bad = _tamper(bad, "IEA*1*000000042", "IEA*1*000000043")
    bad = _tamper(bad, "GE*1*7", "GE*1*8")
    w = read_271(bad).warnings
    assert "SE01 says 13 segments but the transaction has 12" in w
    assert "IEA02 control number 000000043 does not match ISA13 000000042" in w
    assert "GE02 control number 8 does not match GS06 7" in w


def test_second_transaction_is_ignored_with_a_warning():
    text = make_271([["EB", "1", "", "30"]])
    one_tx = text[text.index("ST*"): text.index("GE*")]
    two = text.replace("GE*1*7", one_tx.replace("EB*1**30", "EB*6**30") + "GE*2*7")
    p = read_271(two)
    assert [eb.eb(1) for eb in p.all_benefits()] == ["1"]
    assert any("2 transactions" in w for w in p.warnings)


def test_unknown_codes_and_2110_children_are_kept():
    text = make_271([
        ["EB", "ZZ", "IND", ["MH", "A6"], "XX", "", "99", "12.50", "0.15", "DY", "3", "U", "W"],
        ["HSD", "VS", "12", "WK", "3", "34", "1"],
        ["REF", "G1", "AUTH1"],
        ["DTP", "292", "RD8", "20260101-20261231"],
        ["AAA", "N", "", "42", "R"],
        ["MSG", "SOMETHING NEW"],
        ["III", "ZZ", "21"],
        ["LS", "2120"],
        ["NM1", "PR", "2", "CARVE OUT BH", "", "", "", "", "PI", "999"],
        ["PER", "IC", "", "TE", "8005551212"],
        ["LE", "2120"],
    ])
    nb = benefits_from_271(text)
    [row] = nb.benefit_rows
    assert row.code == "ZZ" and row.code_description is None
    assert row.service_type_codes == ["MH", "A6"] and row.insurance_type_code == "XX"
    assert row.percent == 15 and row.amount == 12.5 and row.authorization_required is None
    assert row.delivery == ["VS*12*WK*3*34*1"] and row.references == {"G1": "AUTH1"}
    assert row.dates == {"292": "2026-01-01/2026-12-31"} and row.messages == ["SOMETHING NEW"]
    assert row.related_entities == ["PR: CARVE OUT BH (PI 999)"]
    [rej] = row.rejections
    assert rej.retryable is True and rej.loop == "2110C"
    assert nb.rejections[0].retryable is True
    assert any("EB01 code 'ZZ'" in w for w in nb.warnings)


def test_an_unclosed_ls_does_not_swallow_the_next_hl_loop():
    # LS*2120 with no LE: the dependent's HL, NM1 and benefits used to be read as 2120 content.
    text = make_271([
        ["EB", "1", "", "30", "PR"],
        ["LS", "2120"],
        ["NM1", "P3", "1", "JONES", "MARCUS"],
        ["HL", "4", "3", "23", "0"],
        ["NM1", "03", "1", "DOE", "SAM"],
        ["EB", "1", "", "MH", "PR"],
        ["AAA", "Y", "", "77", "C"],
    ])
    p = read_271(text)
    assert p.dependent is not None and p.dependent.demographics.first_name == "SAM"
    assert [eb.service_types for eb in p.dependent.benefits] == [["MH"]]
    assert [eb.service_types for eb in p.subscriber.benefits] == [["30"]]
    assert p.subscriber.benefits[0].entities[0].name == "JONES"
    assert p.dependent.benefits[0].rejections[0].reason_code == "77"
    assert "LS*2120 was not closed by LE before the next HL" in p.warnings
    assert not any("HL was not expected" in w for w in p.warnings)


def test_a_second_subscriber_loop_is_not_read_over_the_first() -> None:
    """One inquiry is about one patient: a second 2000C (here inactive) must not replace the first."""
    from service.eligibility.benefits import benefits_from_271 as _benefits

    sample = SAMPLES / "lfh-subscriber-health-benefit-check.271"
    lines = sample.read_text().splitlines()
    end = next(k for k, line in enumerate(lines) if line.startswith("SE*"))
    doc = "\n".join(lines[:end] + ["HL*4*2*22*0~", "NM1*IL*1*DOE*JANE****MI*999~", "EB*6~"] + lines[end:])
    benefits = _benefits(doc)
    assert benefits.active is True  # JOHN SMITH's active coverage, not JANE DOE's EB*6
    assert len(benefits.benefit_rows) == 5  # the first subscriber's five EB rows only
    assert any("more than one 2000C subscriber loop" in w for w in benefits.warnings)
