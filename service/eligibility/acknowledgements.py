"""TA1 and 999 acknowledgements sent back instead of a 271, read into plain words.

A clearinghouse or payer that cannot take our 270 answers with an acknowledgement, not a 271:

- **TA1** (interchange acknowledgement): the ISA/IEA envelope itself was refused. ``TA104`` is
  A (accepted), E (accepted with errors) or R (rejected); ``TA105`` says why, and most reasons
  point at one ISA element (006 → ISA06 the sender id, which is ``X12_SUBMITTER_ID``).
- **999** (implementation acknowledgement, 005010X231A1): the 270 transaction broke the
  implementation guide. ``IK3`` names the segment (id, position in the transaction, loop) and
  why; the ``IK4`` after it names the element (position, data element number) and why; ``IK5``
  and ``AK9`` say whether the transaction and the group were accepted.

:func:`read_acknowledgement` returns None for anything else (a 271, or text that is not X12),
so a 271 reader still reports its own errors; it never returns element values (``IK404`` copies
the bad data, which may be PHI). The words come from the X12 code lists 620/621/718 and the
TA1 note codes (X12 005010X231A1, Appendix; interchange control structures).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.eligibility.x12.tokenizer import X12FormatError, tokenize

__all__ = ["Acknowledgement", "read_acknowledgement"]

#: TA105 interchange note codes -> (words, the ISA/IEA element it is about).
TA1_NOTES: dict[str, tuple[str, str | None]] = {
    "000": ("no error", None),
    "001": ("the interchange control numbers in the header and trailer do not match", "ISA13/IEA02"),
    "002": ("this standard (control standards identifier) is not supported", "ISA11"),
    "003": ("this version of the controls is not supported", "ISA12"),
    "004": ("the segment terminator is invalid", "ISA"),
    "005": ("invalid interchange id qualifier for the sender", "ISA05"),
    "006": ("invalid interchange sender id", "ISA06"),
    "007": ("invalid interchange id qualifier for the receiver", "ISA07"),
    "008": ("invalid interchange receiver id", "ISA08"),
    "009": ("unknown interchange receiver id", "ISA08"),
    "010": ("invalid authorization information qualifier", "ISA01"),
    "011": ("invalid authorization information", "ISA02"),
    "012": ("invalid security information qualifier", "ISA03"),
    "013": ("invalid security information", "ISA04"),
    "014": ("invalid interchange date", "ISA09"),
    "015": ("invalid interchange time", "ISA10"),
    "016": ("invalid interchange standards identifier", "ISA11"),
    "017": ("invalid interchange version id", "ISA12"),
    "018": ("invalid interchange control number", "ISA13"),
    "019": ("invalid acknowledgment requested value", "ISA14"),
    "020": ("invalid test indicator value", "ISA15"),
    "021": ("invalid number of included groups", "IEA01"),
    "022": ("invalid control structure", None),
    "023": ("improper (premature) end of file", None),
    "024": ("invalid interchange content (e.g. an invalid GS segment)", "GS"),
    "025": ("duplicate interchange control number", "ISA13"),
    "026": ("invalid data element separator", "ISA"),
    "027": ("invalid component element separator", "ISA16"),
    "028": ("invalid delivery date in a deferred delivery request", None),
    "029": ("invalid delivery time in a deferred delivery request", None),
    "030": ("invalid delivery time code in a deferred delivery request", None),
    "031": ("invalid grade of service code", None),
}
#: Which setting feeds an ISA element the clearinghouse refused.
ISA_SETTINGS = {"ISA06": "X12_SUBMITTER_ID", "ISA08": "X12_RECEIVER_ID"}

#: IK304 segment syntax error codes (code list 620).
SEGMENT_ERRORS = {
    "1": "unrecognized segment id", "2": "unexpected segment", "3": "required segment missing",
    "4": "loop occurs over maximum times", "5": "segment exceeds maximum use",
    "6": "segment not in defined transaction set", "7": "segment not in proper sequence",
    "8": "segment has data element errors", "I4": "implementation \"not used\" segment present",
    "I6": "implementation dependent segment missing", "I7": "implementation loop occurs under minimum times",
    "I8": "implementation segment below minimum use", "I9": "implementation dependent \"not used\" segment present",
}
#: IK403 element syntax error codes (code list 621).
ELEMENT_ERRORS = {
    "1": "required data element missing", "2": "conditional required data element missing",
    "3": "too many data elements", "4": "data element too short", "5": "data element too long",
    "6": "invalid character in data element", "7": "invalid code value", "8": "invalid date", "9": "invalid time",
    "10": "exclusion condition violated", "12": "too many repetitions", "13": "too many components",
    "I6": "code value not used in implementation", "I9": "implementation dependent data element missing",
    "I10": "implementation \"not used\" data element present", "I11": "implementation too few repetitions",
    "I12": "implementation pattern match failure", "I13": "implementation dependent \"not used\" data element present",
}
#: IK502..IK506 transaction set syntax error codes (code list 718).
TRANSACTION_ERRORS = {
    "1": "transaction set not supported", "2": "transaction set trailer missing",
    "3": "transaction set control numbers in header and trailer do not match",
    "4": "number of included segments does not match actual count", "5": "one or more segments in error",
    "6": "missing or invalid transaction set identifier", "7": "missing or invalid transaction set control number",
    "18": "transaction set not in functional group", "19": "invalid transaction set implementation convention reference",
    "23": "transaction set control number not unique within the functional group",
    "I5": "implementation one or more segments in error", "I6": "implementation convention not supported",
}
ACCEPTED = {"A": "accepted", "E": "accepted with errors", "P": "partially accepted", "R": "rejected",
            "M": "rejected (message authentication code failed)", "W": "rejected (failed validity tests)",
            "X": "rejected (content could not be analyzed after decryption)"}


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """What a TA1 or 999 said. ``findings`` are plain sentences naming segments and elements (no data values)."""

    kind: str  # "TA1" | "999"
    accepted: bool
    findings: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        what = "interchange acknowledgement (TA1)" if self.kind == "TA1" else "implementation acknowledgement (999)"
        verdict = "accepted the 270 but sent no 271" if self.accepted else "rejected the 270"
        details = "; ".join(self.findings) or "no reason given"
        return f"The clearinghouse {verdict}: {what}: {details}."


def _el(seg: list[str], n: int) -> str:
    return seg[n].strip() if len(seg) > n else ""


def _ta1(segment: list[str]) -> Acknowledgement:
    code, note = _el(segment, 4), _el(segment, 5)
    words, element = TA1_NOTES.get(note, (f"note code {note or 'missing'}", None))
    finding = f"TA1 code {note}: {words}" if note else "TA1 gave no note code"
    if element:
        finding += f" (element {element}" + (f", set by {ISA_SETTINGS[element]}" if element in ISA_SETTINGS else "") + ")"
    return Acknowledgement(kind="TA1", accepted=code == "A", findings=[finding])


def _999(segments: list[list[str]], component: str) -> Acknowledgement:
    findings: list[str] = []
    segment_id = "?"
    verdict = ""
    for seg in segments:
        tag = seg[0]
        if tag == "IK3":
            segment_id = _el(seg, 1) or "?"
            loop = _el(seg, 3)
            why = SEGMENT_ERRORS.get(_el(seg, 4), f"segment error code {_el(seg, 4) or 'missing'}")
            where = f"segment {segment_id} at position {_el(seg, 2) or '?'}" + (f" in loop {loop}" if loop else "")
            findings.append(f"{where}: {why}")
        elif tag == "IK4":
            raw_position = _el(seg, 1).split(component)
            position = raw_position[0] if raw_position and raw_position[0] else "?"
            component_position = raw_position[1] if len(raw_position) > 1 and raw_position[1] else None
            name = f"{segment_id}{position.zfill(2)}" + (f"-{component_position}" if component_position else "")
            reference = _el(seg, 2)
            why = ELEMENT_ERRORS.get(_el(seg, 3), f"element error code {_el(seg, 3) or 'missing'}")
            findings.append(f"element {name}" + (f" (data element {reference})" if reference else "") + f": {why}")
        elif tag == "IK5":
            verdict = _el(seg, 1)
            for code in (c.strip() for c in seg[2:7]):
                if code and not (code in {"5", "I5"} and findings):  # "segments in error" adds nothing to IK3s
                    findings.append(TRANSACTION_ERRORS.get(code, f"transaction error code {code}"))
        elif tag == "AK9" and not verdict:
            verdict = _el(seg, 1)
    accepted = verdict in {"A", "E"}
    if not accepted and verdict:
        findings.insert(0, f"transaction {ACCEPTED.get(verdict, 'rejected')}")
    return Acknowledgement(kind="999", accepted=accepted, findings=findings)


#: A transaction's ST comes within the first segments. A document whose head already shows an ST other than
#: 999 is no acknowledgement: a large 271 is then not tokenized whole (on the event loop) just to say so.
_HEAD_CHARS = 4096


def _head_shows_another_transaction(text: str) -> bool:
    try:
        head = tokenize(text[:_HEAD_CHARS])
    except X12FormatError:  # cut inside a segment id, say: read the whole document
        return False
    # The ST must not be the head's last segment: cut there, "ST*9" could be the start of "ST*999".
    first_st = next((i for i, seg in enumerate(head.segments[:-1]) if seg[0] == "ST"), None)
    return first_st is not None and _el(head.segments[first_st], 1) not in ("", "999")


def read_acknowledgement(text: str) -> Acknowledgement | None:
    """The TA1 or 999 in ``text``, or None when it is neither (a 271 or not X12 at all)."""
    if len(text) > _HEAD_CHARS and _head_shows_another_transaction(text):
        return None
    try:
        tok = tokenize(text)
    except X12FormatError:
        return None
    first_st = next((seg for seg in tok.segments if seg[0] == "ST"), None)
    if first_st is None:
        ta1 = next((seg for seg in tok.segments if seg[0] == "TA1"), None)
        return _ta1(ta1) if ta1 is not None else None
    if _el(first_st, 1) == "999":
        return _999(tok.segments, tok.delimiters.component)
    return None
