"""X12 tokenizer: text -> delimiters + segments (lists of element strings).

Delimiters are read from the ISA, never assumed: element separator = the character right
after ``ISA``; repetition separator = ISA11 (5010 and later; ``U`` in 4010 means none);
component separator = ISA16; segment terminator = the character right after ISA16. The ISA
is located by counting its 16 element separators rather than by fixed offsets, so an ISA
whose fields were not padded still tokenizes (a warning says so).

Speed: line breaks after terminators are removed and the document split with ``str`` methods (C
loops); Python loops per segment and element only when whitespace sits inside segments.

Errors are :class:`X12FormatError` (a ``ValueError``) with a message fit for a 422 response:
it says what was expected and what was found by position and segment id, never echoing
element values (they may be PHI).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter

__all__ = ["Delimiters", "Tokenized", "X12FormatError", "tokenize", "split_repetitions", "split_components"]

_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}\Z")
_TX_ID = re.compile(r"\d{3}\Z")
_WS = " \t\r\n\x0b\x0c"


class X12FormatError(ValueError):
    """The text is not the X12 document expected. ``detail`` is safe to show (no PHI)."""

    status = 422
    type = "x12-format"
    title = "Not a valid X12 document"

    def __init__(self, detail: str, *, field: str | None = "x12") -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str = "*"
    repetition: str | None = "^"
    component: str = ":"
    segment: str = "~"

    def all(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for c in (self.element, self.repetition, self.component, self.segment) if c))

    @property
    def shared_repetition_component(self) -> bool:
        """ISA11 and ISA16 are the same character (read as repetitions; composites need a check)."""
        return self.repetition is not None and self.repetition == self.component


@dataclass(slots=True)
class Tokenized:
    delimiters: Delimiters
    #: Every segment as [segment_id, element1, element2, ...], trailing whitespace stripped.
    segments: list[list[str]]
    warnings: list[str] = field(default_factory=list)
    #: Every segment's id (``segments[i][0]``), in order: made once here, read by the envelope check too.
    ids: list[str] = field(default_factory=list)


def split_repetitions(value: str, delimiters: Delimiters) -> list[str]:
    if not value:
        return []
    if delimiters.repetition and delimiters.repetition in value:
        return [v for v in value.split(delimiters.repetition) if v]
    return [value]


def split_components(value: str, delimiters: Delimiters) -> list[str]:
    return value.split(delimiters.component) if value else []


def _read_isa(text: str) -> tuple[Delimiters, int, list[str]]:
    """Delimiters, the index just after the ISA terminator, warnings."""
    warnings: list[str] = []
    if len(text) < 4 or not text.startswith("ISA"):
        raise X12FormatError("expected an X12 interchange starting with an ISA segment; found other text")
    sep = text[3]
    if sep.isalnum() or sep in _WS:
        raise X12FormatError("the ISA segment's element separator (character 4) must be a punctuation mark")
    # ISA has 16 elements: the 16th separator is followed by ISA16 (one char) and the terminator.
    if len(text) > 105 and text[103] == sep and text.count(sep, 0, 104) == 16:
        pos = 103  # the usual padded ISA: its 16th separator at character 104 (one count instead of 15 finds)
    else:
        pos = 3
        for _ in range(15):
            pos = text.find(sep, pos + 1)
            if pos < 0:
                raise X12FormatError("the ISA segment is incomplete: expected 16 elements")
    if pos + 2 >= len(text):
        raise X12FormatError("the ISA segment is incomplete: no component separator or segment terminator")
    component = text[pos + 1]
    terminator = text[pos + 2]
    if pos + 2 != 105:
        warnings.append(f"ISA segment is {pos + 3} characters long, expected 106 (fields not padded)")
    isa = text[:pos].split(sep)
    version = isa[12].strip() if len(isa) > 12 else ""
    rep = isa[11] if len(isa) > 11 else ""
    repetition: str | None = rep if (len(rep) == 1 and version >= "00501" and not rep.isalnum()) else None
    if terminator.isalnum() or component.isalnum():
        raise X12FormatError("the ISA segment's component separator or segment terminator is a letter or digit")
    if repetition is not None and repetition == component:
        # Many real files (HETS among them) put '^' in both ISA11 and ISA16. Read it as the repetition
        # separator; a composite element is still split on it, and the reader refuses one it cannot read.
        warnings.append(
            "ISA11 (repetition separator) and ISA16 (component separator) are the same character; "
            "read as the repetition separator"
        )
    chosen = [c for c in (sep, repetition, terminator) if c]
    if len(set(chosen)) != len(chosen) or component in (sep, terminator):
        raise X12FormatError("the ISA declares the same character for two different delimiters")
    return Delimiters(sep, repetition, component, terminator), pos + 3, warnings


#: ASCII's non-printable characters: an ASCII text without any is what ``str.isprintable`` accepts.
_ASCII_CONTROLS = (*map(chr, range(32)), "\x7f")


#: The same without the line break (``\n``, or ``\r`` and ``\n``) that follows each terminator.
_CONTROLS_BUT_LF = tuple(c for c in _ASCII_CONTROLS if c != "\n")
_CONTROLS_BUT_CRLF = tuple(c for c in _ASCII_CONTROLS if c not in "\r\n")


def _printable(body: str, controls: tuple[str, ...] = _ASCII_CONTROLS) -> bool:
    """``body.isprintable()`` (but for ``controls`` left out), faster for the usual ASCII document: 33
    substring searches (each a C memchr) instead of a Unicode property look-up per character."""
    if not body.isascii():
        if controls is not _ASCII_CONTROLS:  # the line breaks left out were counted: one per terminator
            body = body.translate(_LINE_BREAKS)
        return body.isprintable()
    for c in controls:
        if c in body:
            return False
    return True


_LINE_BREAKS = {ord("\r"): None, ord("\n"): None}


def _segments_by_line(body: str, term: str) -> list[str] | None:
    """The segments' texts of a document with a line break after every terminator, split on terminator and line
    break together (no copy of the document without its line breaks); None unless every line break (and
    carriage return) follows a terminator and no segment holds a control character."""
    crlf = "\r" in body
    parts = body.split(term + "\r\n" if crlf else term + "\n")
    last = parts.pop()
    breaks = len(parts)
    if (body.count("\n") != breaks or (crlf and body.count("\r") != breaks)
            or body.count(term) != breaks + last.count(term)
            or not _printable(body, _CONTROLS_BUT_CRLF if crlf else _CONTROLS_BUT_LF)):
        return None
    parts += last.split(term)
    return parts


def _split_slowly(body: str, sep: str, term: str) -> list[list[str]]:
    """Per segment and element: for documents with whitespace inside segments (padding, stray breaks)."""
    out = []
    for raw in body.split(term):
        raw = raw.strip(_WS)
        if raw:
            out.append([e.rstrip() for e in raw.split(sep)])
    return out


@functools.lru_cache(maxsize=16)
def _space_before(sep: str, term: str) -> re.Pattern[str]:
    """A space before an element separator or terminator (padding to strip): one regex scan, faster than two
    substring searches."""
    return re.compile(f" [{re.escape(sep)}{re.escape(term)}]")


#: Segment ids already found valid (the few dozen X12 defines, as documents use them; at most 512 kept).
_VALID_IDS: set[str] = set()


def _check_ids(ids: list[str]) -> None:
    invalid = [seg_id for seg_id in set(ids) if not _SEGMENT_ID.match(seg_id)]
    if invalid:  # the first in the document (a set's order changes with the process's hash seed)
        number = min(map(ids.index, invalid)) + 1
        raise X12FormatError(
            f"segment {number} does not start with a valid segment identifier (2-3 upper-case letters or digits)"
        )
    if len(_VALID_IDS) < 512:
        _VALID_IDS.update(ids)


def tokenize(text: str) -> Tokenized:
    """Split an X12 interchange into segments. Raises :class:`X12FormatError` only."""
    if not isinstance(text, str):
        raise X12FormatError("expected X12 text")
    text = text.lstrip(_WS + "\ufeff")
    nul = text.find("\x00")
    if nul >= 0:
        # Not in any X12 character set, and PostgreSQL text/jsonb cannot store it.
        raise X12FormatError(f"the document contains a NUL character (position {nul + 1})")
    delimiters, isa_end, warnings = _read_isa(text)
    sep = delimiters.element
    term = delimiters.segment
    # Whole-document passes in C (one regex substitution, two splits) instead of a Python loop per
    # segment and element: a 1 MB 271 tokenizes in milliseconds. The ISA keeps its padding.
    body = text[isa_end:].strip(_WS)
    parts = _segments_by_line(body, term) if "\n" in body else None
    if parts is None and "\n" in body:
        body = body.replace(term + "\r\n", term).replace(term + "\n", term)
    segments = [text[: isa_end - 1].strip(_WS).split(sep)]
    if parts is None and _printable(body):
        parts = body.split(term)
    if parts is not None and not _space_before(sep, term).search(body):
        if parts[-1] == "":  # the usual trailing terminator; any other empty part is rare
            parts.pop()
        if "" in parts:
            parts = [raw for raw in parts if raw]
        segments += map(str.split, parts, repeat(sep))
    else:
        segments += _split_slowly(body, sep, term)
    ids = list(map(itemgetter(0), segments))
    if not _VALID_IDS.issuperset(ids):
        _check_ids(ids)
    if len(segments[0]) != 17:
        raise X12FormatError("the ISA segment must have 16 elements")
    return Tokenized(delimiters, segments, warnings, ids)


def expect_transaction(tok: Tokenized, set_id: str) -> None:
    """Raise unless the first transaction (ST01) is ``set_id`` (e.g. "271")."""
    for seg in tok.segments:
        if seg[0] == "ST":
            found = seg[1] if len(seg) > 1 else ""
            if found == set_id:
                return
            shown = f"a {found} transaction" if _TX_ID.match(found) else "a transaction with an invalid ST01"
            raise X12FormatError(f"expected an X12 {set_id} transaction (ST01 {set_id}); found {shown}")
    raise X12FormatError(f"expected an X12 {set_id} transaction; found no ST segment")
