from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings, strategies as st

from service.eligibility.x12.builder_270 import (
    Dependent, EligibilityInquiry, Payer, Provider, Subscriber, build_270, npi_is_valid, plain_letters,
)
from service.eligibility.x12.reader_270 import read_270
from service.eligibility.x12.tokenizer import Delimiters, tokenize
from service.eligibility.x12.writer import (
    ControlNumberCounter, Envelope, X12ValueError, composite, write_interchange, write_segments,
)

ENV = Envelope(sender_id="CLINIC01", receiver_id="CLEARHOUSE", interchange_control_number=905,
               group_control_number=77, created=dt.datetime(2026, 1, 5, 14, 7))
Q = EligibilityInquiry(
    payer=Payer("60054", "Aetna"),
    provider=Provider("1234567893", "Sunrise Behavioral Health"),
    subscriber=Subscriber("O'Brien", "Ann", dt.date(1970, 3, 4), "W123456789"),
    date_of_service=dt.date(2026, 1, 12),
    service_type_codes=["MH", "A8", "BB", "30"],
    trace_number="TRACE-0001",
)


def test_round_trip_subscriber():
    text = build_270(Q, ENV)
    p = read_270(text)
    assert p.warnings == []
    assert (p.payer_id, p.payer_name) == ("60054", "AETNA")
    assert (p.provider_id_qualifier, p.provider_id, p.provider_name) == ("XX", "1234567893", "SUNRISE BEHAVIORAL HEALTH")
    s = p.subscriber
    assert (s.last_name, s.first_name, s.member_id, s.date_of_birth) == ("O'BRIEN", "ANN", "W123456789", "19700304")
    assert p.dependent is None
    assert p.date_of_service == "20260112"
    assert p.service_type_codes == ["MH", "A8", "BB", "30"]
    assert p.trace_number == "TRACE-0001" and p.trace_originator == "9123456789"
    assert p.hl_codes == ["20", "21", "22"]


def test_envelope_shape_and_control_numbers():
    text = build_270(Q, ENV)
    assert text.index("~") == 105  # ISA is 106 characters with its terminator
    segs = tokenize(text).segments
    ids = [s[0] for s in segs]
    assert ids[:4] == ["ISA", "GS", "ST", "BHT"] and ids[-3:] == ["SE", "GE", "IEA"]
    isa, gs, st_, se, ge, iea = segs[0], segs[1], segs[2], segs[-3], segs[-2], segs[-1]
    assert isa[13] == iea[2] == "000000905"
    assert gs[1] == "HS" and gs[8] == "005010X279A1" and gs[6] == ge[2] == "77"
    assert st_[1] == "270" and st_[2] == se[2]
    assert int(se[1]) == ids.index("SE") - ids.index("ST") + 1
    # ST BHT HL NM1 HL NM1 HL TRN NM1 DMG DTP (11) + 4 EQ + SE = 16
    assert int(se[1]) == 16
    assert segs[3][:3] == ["BHT", "0022", "13"]
    assert ids.count("EQ") == 4


def test_round_trip_dependent_puts_trace_and_inquiry_in_2000d():
    q = replace(Q, dependent=Dependent("Doe", "Sam", dt.date(2012, 5, 6), "child"))
    text = build_270(q, ENV, line_break=True)
    p = read_270(text)
    assert p.hl_codes == ["20", "21", "22", "23"]
    assert (p.dependent.last_name, p.dependent.first_name, p.dependent.date_of_birth) == ("DOE", "SAM", "20120506")
    assert p.dependent.relationship == "19"
    ids = [s[0] for s in tokenize(text).segments]
    assert ids.index("TRN") > ids.index("HL", ids.index("NM1", ids.index("HL", 8)))  # after HL*4
    assert "HL*3*2*22*1~" in text


def test_npi_luhn():
    assert npi_is_valid("1234567893")
    assert not npi_is_valid("1234567890")
    assert not npi_is_valid("123456789")
    assert not npi_is_valid("12345678a3")
    with pytest.raises(X12ValueError) as exc:
        build_270(replace(Q, provider=Provider("1234567890", "X")), ENV)
    assert exc.value.field == "provider.npi"


@pytest.mark.parametrize("bad", ["*", "~", ":", "^", "\n", "\r", "\x00", "€", "\u2028"])
@pytest.mark.parametrize(
    "field,make",
    [
        ("subscriber.last_name", lambda v: replace(Q, subscriber=replace(Q.subscriber, last_name="SMI" + v + "TH"))),
        ("subscriber.first_name", lambda v: replace(Q, subscriber=replace(Q.subscriber, first_name="A" + v))),
        ("subscriber.member_id", lambda v: replace(Q, subscriber=replace(Q.subscriber, member_id="W1" + v + "2"))),
        ("payer.name", lambda v: replace(Q, payer=Payer("60054", "AET" + v + "NA"))),
        ("payer.id", lambda v: replace(Q, payer=Payer("600" + v + "54", "AETNA"))),
        ("provider.name", lambda v: replace(Q, provider=Provider("1234567893", "SUN" + v))),
        ("trace_number", lambda v: replace(Q, trace_number="T" + v + "1")),
        ("dependent.last_name", lambda v: replace(Q, dependent=Dependent("DO" + v + "E", "SAM", dt.date(2012, 1, 1)))),
    ],
)
def test_delimiter_and_control_character_injection_is_refused_naming_the_field(field, make, bad):
    with pytest.raises(X12ValueError) as exc:
        build_270(make(bad), ENV)
    assert exc.value.field == field


def test_injection_with_custom_delimiters_is_checked_against_those_delimiters():
    d = Delimiters(element="|", repetition="!", component=">", segment="\n")
    with pytest.raises(X12ValueError) as exc:
        build_270(replace(Q, subscriber=replace(Q.subscriber, last_name="A|B")), ENV, d)
    assert exc.value.field == "subscriber.last_name"
    # '*' is an ordinary character when it is not a delimiter.
    text = build_270(replace(Q, subscriber=replace(Q.subscriber, last_name="A*B")), ENV, d)
    assert read_270(text).subscriber.last_name == "A*B"


@pytest.mark.parametrize("codes,field", [([], "service_type_codes"), (["MHX"], "service_type_codes[0]"),
                                         (["MH", "m1"], "service_type_codes[1]"), (["M*"], "service_type_codes[0]")])
def test_service_type_codes_validated(codes, field):
    with pytest.raises(X12ValueError) as exc:
        build_270(replace(Q, service_type_codes=codes), ENV)
    assert exc.value.field == field


def test_dates_validated():
    with pytest.raises(X12ValueError) as exc:
        build_270(replace(Q, subscriber=replace(Q.subscriber, date_of_birth=dt.date(2027, 1, 1))), ENV)
    assert exc.value.field == "subscriber.date_of_birth"
    with pytest.raises(X12ValueError) as exc:
        build_270(replace(Q, date_of_service="20260101"), ENV)
    assert exc.value.field == "date_of_service"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=70))
def test_any_name_is_refused_or_yields_exactly_the_expected_segments(name):
    q = replace(Q, subscriber=replace(Q.subscriber, last_name=name))
    try:
        text = build_270(q, ENV)
    except X12ValueError as exc:
        assert exc.field == "subscriber.last_name"
        return
    segs = tokenize(text).segments
    # ISA GS ST, BHT HL NM1 HL NM1 HL TRN NM1 DMG DTP, 4 EQ, SE GE IEA = 3 + 10 + 4 + 3
    assert len(segs) == 20
    assert [s[0] for s in segs].count("NM1") == 3
    nm1 = [s for s in segs if s[0] == "NM1" and s[1] == "IL"][0]
    assert len(nm1) == 10 and nm1[3] == plain_letters(name).strip(" ").upper()
    assert read_270(text).warnings == []


def test_writer_repetitions_composites_and_trailing_empties():
    text = write_segments([["EB", "B", "", ["MH", "A8"], "", "", "27", "10", "", "", "", "", "Y",
                            composite("HC", "90837")], ["MSG", "X", "", ""]])
    assert text == "EB*B**MH^A8***27*10*****Y*HC:90837~MSG*X~"


def test_writer_refuses_delimiters_in_values_with_position():
    with pytest.raises(X12ValueError) as exc:
        write_segments([["MSG", "a~b"]])
    assert exc.value.field == "segments[0].MSG01"


def test_write_interchange_counts_several_transactions():
    env = replace(ENV, functional_id="HB", transaction_set_id="271", first_transaction_control_number=10)
    text = write_interchange([[["BHT", "0022", "11"]], [["BHT", "0022", "11"], ["HL", "1", "", "20", "0"]]], env)
    segs = tokenize(text).segments
    assert [s[:3] for s in segs if s[0] in ("ST", "SE")] == [
        ["ST", "271", "0010"], ["SE", "3", "0010"], ["ST", "271", "0011"], ["SE", "4", "0011"]]
    assert segs[-2] == ["GE", "2", "77"]


def test_control_number_counter_wraps_and_never_gives_zero():
    c = ControlNumberCounter(999_999_998)
    assert [c.next(), c.next(), c.next()] == [999_999_998, 999_999_999, 1]


def test_accented_person_names_are_sent_in_plain_letters():
    q = replace(Q, subscriber=replace(Q.subscriber, last_name="Müller-Strauß", first_name="José"),
                dependent=Dependent("Ødegård", "Zoë", dt.date(2012, 1, 1)))
    text = build_270(q, ENV)
    assert "NM1*IL*1*MULLER-STRAUSS*JOSE" in text
    assert "NM1*03*1*ODEGARD*ZOE" in text
    assert text.isascii()


def test_accents_outside_person_names_are_still_refused():
    with pytest.raises(X12ValueError) as exc:
        build_270(replace(Q, payer=Payer("60054", "AETNÄ")), ENV)
    assert exc.value.field == "payer.name"
