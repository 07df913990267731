"""A small generic X12 writer: segments -> text, and envelopes with correct counts.

Used by the 270 builder and by anyone authoring 271s (the sandbox clearinghouse).

A segment is a list: ``[segment_id, element1, element2, ...]``. Each element is

- ``str`` - written as is (``""`` for an empty element);
- ``list[str | Composite]`` - repetitions, joined with the repetition separator (EB03);
- :class:`Composite` (``composite("HC", "90837")``) - components joined with the component
  separator (EB13, HI).

Trailing empty elements are dropped (X12 forbids trailing separators). Every value is
checked: one containing a delimiter, a control character or a character outside the X12
basic + extended character set raises :class:`X12ValueError` naming the position, so no
input can change the document's structure.

Example (a 271 for the sandbox)::

    body = [
        ["BHT", "0022", "11", "TRACE1", "20260105", "1200"],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", "SANDBOX PAYER", "", "", "", "", "PI", "12345"],
        ...
        ["EB", "C", "IND", ["MH", "A8"], "PR", "", "23", "1500"],
    ]
    text = write_interchange([body], Envelope(functional_id="HB", transaction_set_id="271", ...))
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from typing import Iterable, Union

from service.eligibility.x12.tokenizer import Delimiters

__all__ = [
    "Composite", "composite", "X12ValueError", "Envelope", "ControlNumberCounter", "DEFAULT_DELIMITERS",
    "check_value", "write_segment", "write_segments", "isa_segment", "write_interchange",
]

DEFAULT_DELIMITERS = Delimiters(element="*", repetition="^", component=":", segment="~")

# X12 basic character set plus the extended set (lower case and % @ [ ] _ { } \ | < > ~ ^ ` # $).
_ALLOWED = re.compile(r"[A-Za-z0-9!\"&'()*+,\-./:;?= %@\[\]_{}\\|<>~^`#$]*\Z")


class X12ValueError(ValueError):
    """A value cannot be written into X12 safely. ``field`` names the input (e.g. "subscriber.last_name")."""

    status = 422
    type = "x12-value"
    title = "A value cannot be sent in an X12 document"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.detail = f"{field}: {reason}"


class Composite(tuple):
    """Components of one composite element (written joined with the component separator)."""


def composite(*parts: str) -> Composite:
    return Composite(parts)


Element = Union[str, Composite, list]
Segment = list


def check_value(value: str, delimiters: Delimiters, field: str) -> str:
    """Return ``value`` if it is safe to write, else raise :class:`X12ValueError` naming ``field``."""
    if not isinstance(value, str):
        raise X12ValueError(field, "must be text")
    for d in delimiters.all():
        if d in value:
            raise X12ValueError(field, "contains a character reserved as an X12 delimiter")
    if not _ALLOWED.match(value):
        raise X12ValueError(field, "contains a character outside the X12 character set (control or non-ASCII)")
    return value


def _element(el: Element, d: Delimiters, where: str) -> str:
    if isinstance(el, Composite):
        return d.component.join(check_value(c, d, where) for c in el).rstrip(d.component)
    if isinstance(el, list):
        if len(el) > 1 and not d.repetition:
            raise X12ValueError(where, "repetitions need a repetition separator")
        return (d.repetition or "").join(_element(r, d, where) for r in el)
    return check_value(el, d, where)


def write_segment(segment: Segment, delimiters: Delimiters = DEFAULT_DELIMITERS, *, index: int = 0) -> str:
    seg_id = segment[0]
    if not re.fullmatch(r"[A-Z][A-Z0-9]{1,2}", seg_id or ""):
        raise X12ValueError(f"segments[{index}]", "invalid segment identifier")
    values = [
        _element(el, delimiters, f"segments[{index}].{seg_id}{pos:02d}") for pos, el in enumerate(segment[1:], 1)
    ]
    while values and values[-1] == "":
        values.pop()
    return delimiters.element.join([seg_id, *values]) + delimiters.segment


def write_segments(
    segments: Iterable[Segment], delimiters: Delimiters = DEFAULT_DELIMITERS, *, line_break: bool = False
) -> str:
    """Segments -> X12 text (no envelope added)."""
    nl = "\n" if line_break else ""
    return "".join(write_segment(s, delimiters, index=i) + nl for i, s in enumerate(segments))


class ControlNumberCounter:
    """In-memory counter for control numbers when the caller has no store (tests, sandbox).

    A real service must persist its counter (ISA13 must not repeat for a trading partner).
    """

    def __init__(self, start: int = 1) -> None:
        self._it = itertools.count(start)

    def next(self) -> int:
        # wraps 999999999 -> 1 (0 is not a valid control number)
        return (next(self._it) - 1) % 999_999_999 + 1


@dataclass(frozen=True, slots=True)
class Envelope:
    """Everything around the transaction bodies. ``created`` is an input (the writer reads no clock)."""

    sender_id: str
    receiver_id: str
    interchange_control_number: int
    group_control_number: int
    created: dt.datetime
    functional_id: str = "HS"  # GS01: HS = 270, HB = 271
    transaction_set_id: str = "270"  # ST01
    first_transaction_control_number: int = 1  # ST02 of the first transaction, then +1
    version: str = "005010X279A1"  # GS08 / ST03
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    application_sender: str | None = None  # GS02, default sender_id
    application_receiver: str | None = None  # GS03, default receiver_id
    usage: str = "T"  # ISA15: T test, P production
    acknowledgment_requested: str = "0"


def isa_segment(env: Envelope, d: Delimiters = DEFAULT_DELIMITERS) -> str:
    """The fixed-width ISA (106 characters including its terminator)."""
    for name, value, width in (
        ("sender_id", env.sender_id, 15),
        ("receiver_id", env.receiver_id, 15),
        ("sender_qualifier", env.sender_qualifier, 2),
        ("receiver_qualifier", env.receiver_qualifier, 2),
    ):
        check_value(value, d, f"envelope.{name}")
        if not value or len(value) > width:
            raise X12ValueError(f"envelope.{name}", f"must be 1-{width} characters")
    if not 0 < env.interchange_control_number < 1_000_000_000:
        raise X12ValueError("envelope.interchange_control_number", "must be 1-999999999")
    if env.usage not in ("T", "P"):
        raise X12ValueError("envelope.usage", "must be T or P")
    if not d.repetition:
        raise X12ValueError("delimiters.repetition", "5010 needs a repetition separator")
    fields = [
        "ISA", "00", " " * 10, "00", " " * 10,
        env.sender_qualifier.ljust(2), env.sender_id.ljust(15),
        env.receiver_qualifier.ljust(2), env.receiver_id.ljust(15),
        env.created.strftime("%y%m%d"), env.created.strftime("%H%M"),
        d.repetition, "00501", f"{env.interchange_control_number:09d}",
        env.acknowledgment_requested, env.usage, d.component,
    ]
    text = d.element.join(fields) + d.segment
    assert len(text) == 106, len(text)
    return text


def write_interchange(
    transactions: list[list[Segment]],
    envelope: Envelope,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    *,
    line_break: bool = False,
) -> str:
    """Wrap transaction bodies (segments between ST and SE, starting with BHT) in ISA/GS/ST..SE/GE/IEA.

    SE01 counts ST..SE inclusive; ST02 = SE02, GS06 = GE02, ISA13 = IEA02; GE01 = number of
    transactions; IEA01 = 1 group.
    """
    env = envelope
    if not 0 < env.group_control_number < 1_000_000_000:
        raise X12ValueError("envelope.group_control_number", "must be 1-999999999")
    nl = "\n" if line_break else ""
    out = [isa_segment(env, delimiters) + nl]
    segs: list[Segment] = [[
        "GS", env.functional_id, env.application_sender or env.sender_id,
        env.application_receiver or env.receiver_id, env.created.strftime("%Y%m%d"),
        env.created.strftime("%H%M"), str(env.group_control_number), "X", env.version,
    ]]
    for n, body in enumerate(transactions):
        st02 = f"{env.first_transaction_control_number + n:04d}"
        segs.append(["ST", env.transaction_set_id, st02, env.version])
        segs.extend(body)
        segs.append(["SE", str(len(body) + 2), st02])
    segs.append(["GE", str(len(transactions)), str(env.group_control_number)])
    segs.append(["IEA", "1", f"{env.interchange_control_number:09d}"])
    out.append(write_segments(segs, delimiters, line_break=line_break))
    return "".join(out)
