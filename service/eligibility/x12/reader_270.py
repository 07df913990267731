"""Read a 270 inquiry back into plain fields (round-trip tests, the sandbox clearinghouse).

The result carries PHI (names, member id, dates of birth): never log it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.eligibility.x12.reader_271 import EnvelopeInfo, check_envelope
from service.eligibility.x12.tokenizer import Tokenized, expect_transaction, split_repetitions, tokenize

__all__ = ["Parsed270", "Person270", "read_270", "parse_270_segments"]


@dataclass(slots=True)
class Person270:
    entity_code: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    member_id: str | None = None
    date_of_birth: str | None = None
    relationship: str | None = None


@dataclass(slots=True)
class Parsed270:
    envelope: EnvelopeInfo
    payer_name: str | None = None
    payer_id: str | None = None
    provider_name: str | None = None
    provider_first_name: str | None = None
    provider_id_qualifier: str | None = None
    provider_id: str | None = None
    subscriber: Person270 = field(default_factory=Person270)
    dependent: Person270 | None = None
    trace_number: str | None = None
    trace_originator: str | None = None
    date_of_service: str | None = None
    service_type_codes: list[str] = field(default_factory=list)
    hl_codes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_270(text: str) -> Parsed270:
    tok = tokenize(text)
    expect_transaction(tok, "270")
    return parse_270_segments(tok)


def parse_270_segments(tok: Tokenized) -> Parsed270:
    info, st_idx, se_idx, warnings = check_envelope(tok, "270", "HS")
    out = Parsed270(info, warnings=warnings)
    level = ""
    person: Person270 | None = None
    for seg in tok.segments[st_idx + 1 : se_idx]:
        sid = seg[0]
        g = lambda n: seg[n] if len(seg) > n and seg[n] else None  # noqa: E731
        if sid == "HL":
            level = g(3) or ""
            out.hl_codes.append(level)
            person = out.subscriber if level == "22" else None
            if level == "23":
                person = out.dependent = Person270()
        elif sid == "NM1":
            if level == "20":
                out.payer_name, out.payer_id = g(3), g(9)
            elif level == "21":
                out.provider_name, out.provider_first_name = g(3), g(4)
                out.provider_id_qualifier, out.provider_id = g(8), g(9)
            elif person is not None:
                person.entity_code, person.last_name, person.first_name, person.member_id = g(1), g(3), g(4), g(9)
        elif sid == "DMG" and person is not None:
            person.date_of_birth = g(2)
        elif sid == "INS" and person is not None:
            person.relationship = g(2)
        elif sid == "TRN":
            out.trace_number, out.trace_originator = g(2), g(3)
        elif sid == "DTP" and g(1) == "291":
            out.date_of_service = g(3)
        elif sid == "EQ":
            out.service_type_codes += split_repetitions(g(1) or "", tok.delimiters)
        elif sid == "BHT" and g(2) != "13":
            warnings.append("BHT02 is not 13 (request)")
    return out
