"""Build a 005010X279A1 270 eligibility inquiry from a domain struct.

Shape (X279A1): ISA, GS*HS, ST*270, BHT*0022*13, HL 20 + NM1*PR (PI), HL 21 + NM1*1P (XX =
NPI), HL 22 subscriber + [TRN] NM1*IL (MI) DMG [DTP*291, EQ...], and when the patient is a
dependent HL 23 + TRN, NM1*03, DMG, INS, DTP*291, EQ... The trace (TRN) and the inquiry
(DTP*291, EQ) sit in the patient's loop.

EQ: one EQ (one 2110 loop) per service type code. X279A1 allows repeating EQ01, but payers
differ in how many repetitions they answer; separate loops are understood by every payer.

Person names are transliterated to the X12 character set first (JOSÉ → JOSE). Every input value
is validated before anything is written: a value containing a delimiter,
a control character or a character outside the X12 character set raises
:class:`X12ValueError` whose ``field`` names the input (``subscriber.last_name``), so input
can never change the document structure.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from service.eligibility.x12.tokenizer import Delimiters
from service.eligibility.x12.writer import (
    DEFAULT_DELIMITERS, Envelope, X12ValueError, check_value, write_interchange,
)

__all__ = [
    "Payer", "Provider", "Subscriber", "Dependent", "EligibilityInquiry", "build_270", "inquiry_segments",
    "npi_is_valid", "plain_letters", "RELATIONSHIP_CODES",
]

_STC = re.compile(r"[A-Z0-9]{1,2}\Z")
_NPI = re.compile(r"\d{10}\Z")

#: INS02 individual relationship codes allowed in a 270 2100D.
RELATIONSHIP_CODES = {"spouse": "01", "child": "19", "other": "34", "01": "01", "19": "19", "34": "34"}


@dataclass(frozen=True, slots=True)
class Payer:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Provider:
    npi: str
    #: Organization name, or the person's last name when ``first_name`` is given.
    name: str
    first_name: str | None = None


@dataclass(frozen=True, slots=True)
class Subscriber:
    last_name: str
    first_name: str
    date_of_birth: dt.date
    member_id: str


@dataclass(frozen=True, slots=True)
class Dependent:
    last_name: str
    first_name: str
    date_of_birth: dt.date
    relationship: str = "19"  # spouse / child / other or 01 / 19 / 34


@dataclass(frozen=True, slots=True)
class EligibilityInquiry:
    payer: Payer
    provider: Provider
    subscriber: Subscriber
    date_of_service: dt.date
    service_type_codes: list[str]
    trace_number: str
    dependent: Dependent | None = None
    #: TRN03: "1" + EIN, or "9" + a user-assigned id; defaults to "9" + the NPI's first 9 digits.
    trace_originator: str | None = None
    #: BHT03 reference; defaults to the trace number.
    reference: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def npi_is_valid(npi: str) -> bool:
    """10 digits whose last is the Luhn check digit over ``80840`` + the first 9."""
    if not isinstance(npi, str) or not _NPI.match(npi):
        return False
    total = 0
    for i, ch in enumerate(reversed("80840" + npi)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _text(value: str, d: Delimiters, field_name: str, max_len: int, min_len: int = 1) -> str:
    if not isinstance(value, str):
        raise X12ValueError(field_name, "must be text")
    check_value(value, d, field_name)  # before stripping: a control character is refused, not trimmed
    value = value.strip(" ")
    if not min_len <= len(value) <= max_len:
        raise X12ValueError(field_name, f"must be {min_len}-{max_len} characters")
    return value.upper()


# Letters with no combining-mark decomposition, spelled the way payers file them.
_LATIN_LETTERS = str.maketrans({"ß": "SS", "Æ": "AE", "æ": "AE", "Ø": "O", "ø": "O", "Œ": "OE", "œ": "OE",
                                "Ł": "L", "ł": "L", "Đ": "D", "đ": "D", "Þ": "TH", "þ": "TH", "ı": "I"})


def plain_letters(value: str) -> str:
    """Accents dropped (José → Jose, Müller → Muller, Strauß → StraSS); other text unchanged."""
    if value.isascii():
        return value
    decomposed = unicodedata.normalize("NFKD", value.translate(_LATIN_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _person_name(value: str, d: Delimiters, field_name: str, max_len: int) -> str:
    """A person's name in the X12 character set, as payers file names: plain upper-case letters.
    Anything still outside the set after :func:`plain_letters` is refused."""
    return _text(plain_letters(value) if isinstance(value, str) else value, d, field_name, max_len)


def _id(value: str, d: Delimiters, field_name: str, max_len: int, min_len: int = 2) -> str:
    value = _text(value, d, field_name, max_len, min_len)
    if " " in value:
        raise X12ValueError(field_name, "must not contain spaces")
    return value


def _date(value: dt.date, field_name: str) -> str:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise X12ValueError(field_name, "must be a date")
    if value.year < 1900:
        raise X12ValueError(field_name, "must be after 1900")
    return value.strftime("%Y%m%d")


def inquiry_segments(q: EligibilityInquiry, d: Delimiters = DEFAULT_DELIMITERS, *, created: dt.datetime) -> list[list]:
    """The 270 transaction body (BHT .. last EQ), validated."""
    payer_id = _id(q.payer.id, d, "payer.id", 80)
    payer_name = _text(q.payer.name, d, "payer.name", 60)
    if not npi_is_valid(q.provider.npi):
        raise X12ValueError("provider.npi", "must be 10 digits with a valid check digit")
    prov_name = _text(q.provider.name, d, "provider.name", 60)
    prov_first = _text(q.provider.first_name, d, "provider.first_name", 35) if q.provider.first_name else None
    sub = q.subscriber
    s_last = _person_name(sub.last_name, d, "subscriber.last_name", 60)
    s_first = _person_name(sub.first_name, d, "subscriber.first_name", 35)
    s_dob = _date(sub.date_of_birth, "subscriber.date_of_birth")
    member_id = _id(sub.member_id, d, "subscriber.member_id", 80)
    dos = _date(q.date_of_service, "date_of_service")
    if sub.date_of_birth > q.date_of_service:
        raise X12ValueError("subscriber.date_of_birth", "is after the date of service")
    trace = _id(q.trace_number, d, "trace_number", 50, 1)
    originator = q.trace_originator or ("9" + q.provider.npi[:9])
    originator = _id(originator, d, "trace_originator", 10, 10)
    reference = _id(q.reference or q.trace_number, d, "reference", 50, 1)
    if not q.service_type_codes:
        raise X12ValueError("service_type_codes", "at least one service type code is required")
    if len(q.service_type_codes) > 99:
        raise X12ValueError("service_type_codes", "at most 99 service type codes")
    stcs: list[str] = []
    for i, code in enumerate(q.service_type_codes):
        if not isinstance(code, str) or not _STC.match(code):
            raise X12ValueError(f"service_type_codes[{i}]", "must be 1-2 upper-case letters or digits")
        if code not in stcs:
            stcs.append(code)

    dep = q.dependent
    if dep is not None:
        d_last = _person_name(dep.last_name, d, "dependent.last_name", 60)
        d_first = _person_name(dep.first_name, d, "dependent.first_name", 35)
        d_dob = _date(dep.date_of_birth, "dependent.date_of_birth")
        if dep.date_of_birth > q.date_of_service:
            raise X12ValueError("dependent.date_of_birth", "is after the date of service")
        rel = RELATIONSHIP_CODES.get(str(dep.relationship).lower())
        if rel is None:
            raise X12ValueError("dependent.relationship", "must be spouse, child or other (01, 19, 34)")

    trn = ["TRN", "1", trace, originator]
    inquiry = [["DTP", "291", "D8", dos]] + [["EQ", c] for c in stcs]
    provider_nm1 = (
        ["NM1", "1P", "1", prov_name, prov_first, "", "", "", "XX", q.provider.npi]
        if prov_first
        else ["NM1", "1P", "2", prov_name, "", "", "", "", "XX", q.provider.npi]
    )
    body: list[list] = [
        ["BHT", "0022", "13", reference, created.strftime("%Y%m%d"), created.strftime("%H%M")],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", payer_name, "", "", "", "", "PI", payer_id],
        ["HL", "2", "1", "21", "1"],
        provider_nm1,
        ["HL", "3", "2", "22", "1" if dep else "0"],
    ]
    if dep is None:
        body += [trn, ["NM1", "IL", "1", s_last, s_first, "", "", "", "MI", member_id], ["DMG", "D8", s_dob]]
        body += inquiry
    else:
        body += [
            ["NM1", "IL", "1", s_last, s_first, "", "", "", "MI", member_id],
            ["DMG", "D8", s_dob],
            ["HL", "4", "3", "23", "0"],
            trn,
            ["NM1", "03", "1", d_last, d_first],
            ["DMG", "D8", d_dob],
            ["INS", "N", rel],
        ]
        body += inquiry
    return body


def build_270(
    q: EligibilityInquiry,
    envelope: Envelope,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    *,
    line_break: bool = False,
) -> str:
    """A complete 270 interchange. ``envelope.functional_id`` / ``transaction_set_id`` are forced to HS / 270."""
    if envelope.functional_id != "HS" or envelope.transaction_set_id != "270":
        from dataclasses import replace

        envelope = replace(envelope, functional_id="HS", transaction_set_id="270")
    body = inquiry_segments(q, delimiters, created=envelope.created)
    return write_interchange([body], envelope, delimiters, line_break=line_break)
