"""Read a 005010X279A1 271 eligibility response into a parsed domain object.

Loops walked: 2000A/2100A (payer, AAA), 2000B/2100B (receiver, AAA), 2000C/2100C subscriber
(NM1*IL, REF, N3/N4, DMG, INS, DTP, AAA), 2110C EB loops (HSD, REF, DTP, AAA, MSG, III) with
LS*2120..LE*2120 benefit-related entities (NM1, N3, N4, PER, PRV), and 2000D..2120D for a
dependent. Nothing is interpreted here (that is ``service/eligibility/benefits.py``) and no
code is dropped: unknown codes are kept as sent.

PHI: names, member ids, dates of birth, addresses and identifying REFs of the subscriber and
dependent are kept in :class:`Demographics`, apart from coverage and benefits, so callers can
store or log the coverage without them.

Envelope problems (SE01 count, ST02 != SE02, ISA13 != IEA02, GS06 != GE02, a missing GE or IEA,
GS08 without the A1 suffix, extra transactions) are warnings. :class:`X12FormatError` (a 422 naming the
problem) is raised for a document that is not a 271, a transaction cut off before its SE, an EB03 that is
not an X12 service type code (swapped separators), an NM1 whose elements a stray separator shifted (NM109
without NM108), and an EB13 composite that cannot be read when ISA11 and ISA16 are the same character.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter

import msgspec

from service.eligibility.x12 import codes
from service.eligibility.x12.tokenizer import (
    Delimiters, Tokenized, X12FormatError, expect_transaction, split_components, tokenize,
)

__all__ = [
    "AAA", "RelatedEntity", "EBLoop", "Party", "Demographics", "MemberLoop", "EnvelopeInfo", "Parsed271",
    "read_271", "parse_271_segments", "check_envelope",
]

EXPECTED_VERSION = "005010X279A1"
#: REF qualifiers about the plan (not the person); every other 2100C/D REF stays in Demographics.
_KNOWN_STCS = frozenset(codes.SERVICE_TYPES)
PLAN_REF_QUALIFIERS = frozenset({"18", "1L", "6P", "IG", "N6", "NQ", "ALS", "CE", "GH", "IF", "G1", "9F", "ZZ"})


class AAA(msgspec.Struct):
    loop: str
    valid_request: str | None
    reason_code: str | None
    follow_up_code: str | None


class RelatedEntity(msgspec.Struct):
    """A 2120 benefit-related entity (e.g. a behavioral-health carve-out or another payer)."""

    entity_code: str
    entity_type: str | None = None
    name: str | None = None
    first_name: str | None = None
    id_qualifier: str | None = None
    id: str | None = None
    address: list[str] = []
    city_state_zip: list[str] = []
    contacts: list[list[str]] = []
    provider_codes: list[list[str]] = []

    @property
    def display_name(self) -> str | None:
        if self.name and self.first_name:
            return f"{self.first_name} {self.name}"
        return self.name


class EBLoop(msgspec.Struct, gc=False):
    """One 2110 loop. The segments a loop rarely has (or has once or twice) are tuples, empty by default: no
    list is made for each of them on every loop. Never part of a reference cycle, so not tracked by the GC."""

    loop: str  # 2110C / 2110D
    elements: list[str]  # EB01..EB14, padded with "" to 14
    service_types: list[str]
    procedure: str | None
    code: str  # EB01, as eb(1): read by every topic's pass over the rows
    insurance_type: str  # EB04, as eb(4)
    hsd: tuple[list[str], ...] = ()
    refs: tuple[tuple[str, str], ...] = ()
    dates: tuple[tuple[str, str, str], ...] = ()  # (qualifier, format, value)
    rejections: tuple[AAA, ...] = ()
    messages: list[str] = []  # a list: it becomes the row's ``messages`` as it is
    iii: tuple[list[str], ...] = ()
    entities: tuple[RelatedEntity, ...] = ()

    def eb(self, n: int) -> str:
        """EBnn as sent ("" when absent)."""
        return self.elements[n - 1]


class Party(msgspec.Struct):
    """Information source (payer, 2100A) or receiver (provider, 2100B)."""

    loop: str
    entity_code: str | None = None
    name: str | None = None
    first_name: str | None = None
    id_qualifier: str | None = None
    id: str | None = None
    refs: list[tuple[str, str]] = []
    contacts: list[list[str]] = []
    rejections: list[AAA] = []


class Demographics(msgspec.Struct):
    """PHI of the subscriber or dependent. Never log."""

    entity_code: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    member_id_qualifier: str | None = None
    member_id: str | None = None
    refs: list[tuple[str, str]] = []
    address: list[str] = []
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    date_of_birth: str | None = None  # CCYYMMDD as sent
    gender: str | None = None
    relationship: list[str] = []  # INS elements


class MemberLoop(msgspec.Struct):
    """2000C/2100C (subscriber) or 2000D/2100D (dependent): coverage, benefits and, apart, demographics."""

    loop: str  # "C" or "D"
    demographics: Demographics = msgspec.field(default_factory=Demographics)
    traces: list[list[str]] = []
    plan_refs: list[tuple[str, str, str]] = []  # (qualifier, value, description)
    dates: list[tuple[str, str, str]] = []
    rejections: list[AAA] = []
    benefits: list[EBLoop] = []


class EnvelopeInfo(msgspec.Struct):
    sender_id: str | None = None
    receiver_id: str | None = None
    interchange_control_number: str | None = None
    group_control_number: str | None = None
    transaction_control_number: str | None = None
    functional_id: str | None = None
    version: str | None = None
    usage: str | None = None
    bht_reference: str | None = None
    bht_purpose: str | None = None


class Parsed271(msgspec.Struct):
    delimiters: Delimiters
    envelope: EnvelopeInfo
    payer: Party
    receiver: Party
    subscriber: MemberLoop | None = None
    dependent: MemberLoop | None = None
    warnings: list[str] = []

    @property
    def patient(self) -> MemberLoop | None:
        return self.dependent or self.subscriber

    def all_rejections(self) -> list[AAA]:
        out = list(self.payer.rejections) + list(self.receiver.rejections)
        for m in (self.subscriber, self.dependent):
            if m:
                out += m.rejections
                for eb in m.benefits:
                    out += eb.rejections
        return out

    def all_benefits(self) -> list[EBLoop]:
        return [eb for m in (self.subscriber, self.dependent) if m for eb in m.benefits]


def _get(seg: list[str], n: int) -> str:
    return seg[n] if len(seg) > n else ""


def _opt(seg: list[str], n: int) -> str | None:
    return (seg[n] or None) if len(seg) > n else None


def check_envelope(tok: Tokenized, set_id: str, expected_functional_id: str) -> tuple[EnvelopeInfo, int, int, list[str]]:
    """Envelope info, index of the first ST of ``set_id`` and of its SE (or len), and warnings."""
    segs = tok.segments
    warnings: list[str] = list(tok.warnings)
    info = EnvelopeInfo()
    isa = segs[0]
    info.sender_id, info.receiver_id = isa[6].strip(), isa[8].strip()
    info.interchange_control_number, info.usage = isa[13].strip(), isa[15].strip()
    # The tokenizer's ids, searched with list.index / count: no Python loop over a large document.
    ids = tok.ids or list(map(itemgetter(0), segs))

    def find(seg_id: str, start: int = 0) -> int | None:
        try:
            return ids.index(seg_id, start)
        except ValueError:
            return None

    st_count = ids.count("ST")
    st_idx = find("ST")
    while st_idx is not None and _get(segs[st_idx], 1) != set_id:
        st_idx = find("ST", st_idx + 1)
    se_idx = find("SE", st_idx) if st_idx is not None else None
    gs, ge, iea = ((segs[i] if i is not None else None) for i in (find("GS"), find("GE"), find("IEA")))
    assert st_idx is not None  # expect_transaction ran first
    st = segs[st_idx]
    info.transaction_control_number = _get(st, 2)
    if gs is None:
        warnings.append("no GS segment (functional group header)")
    else:
        info.functional_id, info.group_control_number, info.version = _get(gs, 1), _get(gs, 6), _get(gs, 8)
        if info.functional_id != expected_functional_id:
            warnings.append(f"GS01 is not {expected_functional_id}")
    version = info.version or _get(st, 3)
    if version == "005010X279":
        warnings.append("GS08/ST03 is 005010X279 without the A1 suffix; read as 005010X279A1")
    elif version != EXPECTED_VERSION:
        warnings.append("GS08/ST03 is not 005010X279A1; read as 005010X279A1")
    if _get(st, 3) and info.version and _get(st, 3) != info.version:
        warnings.append("ST03 differs from GS08")
    if se_idx is None:
        # Cut off mid-file: the benefits that were not received could change the answer, so nothing is read.
        missing = ["SE"] + (["GE"] if gs is not None and ge is None else []) + (["IEA"] if iea is None else [])
        last = segs[-1][0]
        raise X12FormatError(
            f"the {set_id} transaction is incomplete: no SE segment closes it (missing: {', '.join(missing)}); "
            f"the document ends after segment {len(segs) - st_idx} of the transaction ({last}). "
            "Ask the sender for the complete response"
        )
    else:
        se = segs[se_idx]
        count = se_idx - st_idx + 1
        if _get(se, 1) != str(count):
            warnings.append(f"SE01 says {_get(se, 1) or 'nothing'} segments but the transaction has {count}")
        if _get(se, 2) != _get(st, 2):
            warnings.append(f"SE02 control number {_get(se, 2)} does not match ST02 {_get(st, 2)}")
    if gs is not None:
        if ge is None:
            warnings.append("no GE segment closes the functional group")
        elif _get(ge, 2) != _get(gs, 6):
            warnings.append(f"GE02 control number {_get(ge, 2)} does not match GS06 {_get(gs, 6)}")
    if iea is None:
        warnings.append("no IEA segment closes the interchange")
    elif _get(iea, 2) != isa[13]:
        warnings.append(f"IEA02 control number {_get(iea, 2)} does not match ISA13 {isa[13]}")
    if st_count > 1:
        warnings.append(f"the interchange has {st_count} transactions; only the first {set_id} was read")
    if ids.count("ISA") > 1:
        warnings.append("more than one interchange (ISA); only the first was read")
    return info, st_idx, se_idx, warnings


def _service_types(value: str, d: Delimiters, loop: str) -> list[str]:
    rep = d.repetition
    found = [v for v in value.split(rep) if v] if rep and rep in value else [value]  # split_repetitions, inline
    if _KNOWN_STCS.issuperset(found):
        return found
    for code in found:
        if code not in codes.SERVICE_TYPES:
            raise X12FormatError(
                f"an EB03 in loop 2110{loop} is not an X12 service type code (a value of {len(code)} characters"
                f"{', with separators in it' if not code.isalnum() else ''}); the separators may be swapped "
                "or the ISA may declare the wrong ones",
            )
    return found


def _procedure(value: str, d: Delimiters, loop: str) -> str | None:
    parts = split_components(value, d)
    if parts and d.shared_repetition_component and parts[0] not in codes.PRODUCT_ID_QUALIFIERS:
        raise X12FormatError(
            f"an EB13 procedure in loop 2110{loop} cannot be read: ISA11 and ISA16 are the same character, "
            "and its first component is not a product/service id qualifier (HC, AD, CJ, ID, IV, N4, ZZ)",
        )
    return ":".join(parts) or None


def _check_nm1(seg: list[str], loop: str) -> None:
    """An id (NM109) without its qualifier (NM108) means a separator inside a name shifted every element."""
    if _get(seg, 9) and not _get(seg, 8):
        raise X12FormatError(
            f"the NM1 segment of loop {loop} has an identifier (NM109) but no identifier qualifier (NM108): "
            "an element separator inside a name probably shifted its elements",
        )


def read_271(text: str) -> Parsed271:
    """Tokenize and walk a 271. Raises :class:`X12FormatError` if it is not X12 or not a 271."""
    tok = tokenize(text)
    expect_transaction(tok, "271")
    return parse_271_segments(tok)


def parse_271_segments(tok: Tokenized) -> Parsed271:
    info, st_idx, se_idx, warnings = check_envelope(tok, "271", "HB")
    walk = _Walk(Parsed271(tok.delimiters, info, Party("2100A"), Party("2100B"), warnings=warnings))
    skipped = walk.skipped
    table = walk.table  # read again after every handler (handlers open and close loops)
    messages: list[str] | None = None  # the EB loop's MSG texts while its 2110 table is read
    for seg in tok.segments[st_idx + 1 : se_idx]:
        seg_id = seg[0]
        if messages is not None:
            # Most of a 271 is EB loops of EB, DTP and MSG: their DTP and MSG are read here (_eb_dtp, _eb_msg
            # inline), not by a call each.
            if seg_id == "MSG":
                messages.append(seg[1] if len(seg) > 1 else "")
                continue
            if seg_id == "DTP" and len(seg) >= 4:
                eb.dates += ((seg[1], seg[2], seg[3]),)
                continue
        handler = table.get(seg_id)
        if handler is None:
            skipped.add(seg_id)
        else:
            handler(walk, seg)
            table = walk.table
            if table is _IN_2110:
                eb = walk.eb
                messages = eb.messages
            else:
                messages = None
    out = walk.out
    if walk.table is _IN_2120:
        warnings.append("LS*2120 was not closed by LE")
    for sid in sorted(skipped):
        warnings.append(f"segment {sid} was not expected where it appeared and was skipped")
    if out.subscriber is None and not any(p.rejections for p in (out.payer, out.receiver)):
        warnings.append("the response has no subscriber loop (2000C) and no rejection")
    return out


# ------------------------------------------------------------------------------------------- the loop walk
#
# One handler per segment id and loop: ``_Walk.table`` is the dispatch table of the loop being read (top,
# 2100A/B party, 2100C/D member, 2110C/D EB, 2120C/D entity) and a handler that opens a loop switches it. A
# segment id the table does not name is recorded as skipped (one warning per id).


class _Walk:
    __slots__ = ("out", "d", "warnings", "skipped", "table", "level", "party", "member", "eb", "entity",
                 "service_types")

    def __init__(self, out: Parsed271) -> None:
        self.out = out
        self.d = out.delimiters
        self.warnings = out.warnings
        self.skipped: set[str] = set()
        self.table: dict[str, Callable[[_Walk, list[str]], None]] = _TOP
        self.level = ""
        self.party: Party | None = None
        self.member: MemberLoop | None = None
        self.eb: EBLoop | None = None
        self.entity: RelatedEntity | None = None
        #: EB03 as sent -> its service type codes, checked: a 271 repeats a few EB03 values on many rows.
        self.service_types: dict[str, list[str]] = {}

    def close_2120(self, before: str) -> None:
        if self.table is _IN_2120:
            self.warnings.append(f"LS*2120 was not closed by LE before the next {before}")
            self.entity = None
            self.table = _IN_2110


def _hl(w: _Walk, seg: list[str]) -> None:
    w.close_2120("HL")  # a missing LE must not hide the next loop (e.g. the dependent's 2000D)
    code = _get(seg, 3)
    out = w.out
    w.eb = w.member = w.party = None
    w.level = code
    w.table = _TOP
    if code in ("22", "23") and (out.subscriber if code == "22" else out.dependent) is not None:
        # One inquiry, one patient: a second 2000C/2000D loop is not merged into the first.
        loop = "2000C subscriber" if code == "22" else "2000D dependent"
        w.warnings.append(f"the 271 has more than one {loop} loop; only the first was read: "
                          "check that the response is for this patient")
    elif code == "22":
        w.member = out.subscriber = MemberLoop("C")
        w.table = _IN_MEMBER
    elif code == "23":
        w.member = out.dependent = MemberLoop("D")
        w.table = _IN_MEMBER
    elif code in ("20", "21"):
        w.party = out.payer if code == "20" else out.receiver
        w.table = _IN_PARTY
    else:
        w.warnings.append("an HL03 level code is not 20, 21, 22 or 23; its loop was skipped")


def _eb(w: _Walk, seg: list[str]) -> None:
    member = w.member
    if member is None:
        w.skipped.add("EB")
        return
    if w.table is _IN_2120:
        w.close_2120("EB")
    elements = seg[1:15]
    if len(elements) < 14:
        elements += _PADDING[len(elements)]
    stcs, procedure = elements[2], elements[12]
    if stcs:
        service_types = w.service_types.get(stcs)
        if service_types is None:
            service_types = w.service_types[stcs] = _service_types(stcs, w.d, member.loop)
        service_types = service_types.copy()  # each row its own list
    else:
        service_types = []
    w.eb = eb = EBLoop(
        _EB_LOOP[member.loop],
        elements,
        service_types,
        _procedure(procedure, w.d, member.loop) if procedure else None,
        elements[0],
        elements[3],
    )
    member.benefits.append(eb)
    w.table = _IN_2110


_EB_LOOP = {"C": "2110C", "D": "2110D"}
#: The empty elements that pad an EB segment's elements to EB01..EB14, by how many were sent.
_PADDING = [[""] * (14 - n) for n in range(15)]


def _ls(w: _Walk, seg: list[str]) -> None:
    if w.eb is None:
        w.warnings.append("LS*2120 outside an EB loop was skipped")
        return
    w.entity = None
    w.table = _IN_2120


def _aaa(w: _Walk, seg: list[str]) -> None:
    eb, member = w.eb, w.member
    where = eb.loop if eb else ("2100" + member.loop if member else ("2100A" if w.level == "20" else "2100B"))
    aaa = AAA(where, _opt(seg, 1), _opt(seg, 3), _opt(seg, 4))
    if eb is not None:
        eb.rejections += (aaa,)
    elif member is not None:
        member.rejections.append(aaa)
    elif w.level == "20":
        w.out.payer.rejections.append(aaa)
    else:
        w.out.receiver.rejections.append(aaa)


def _bht(w: _Walk, seg: list[str]) -> None:
    info = w.out.envelope
    info.bht_purpose, info.bht_reference = _opt(seg, 2), _opt(seg, 3)
    if info.bht_purpose != "11":
        w.warnings.append("BHT02 is not 11 (response)")


def _ignored(w: _Walk, seg: list[str]) -> None:
    """Situational segments not used for benefits (PRV, HI, MPI, a member's PER, a stray LE)."""


# 2100A / 2100B: payer and receiver


def _party_nm1(w: _Walk, seg: list[str]) -> None:
    party = w.party
    _check_nm1(seg, party.loop)
    party.entity_code, party.name, party.first_name = _opt(seg, 1), _opt(seg, 3), _opt(seg, 4)
    party.id_qualifier, party.id = _opt(seg, 8), _opt(seg, 9)


def _party_ref(w: _Walk, seg: list[str]) -> None:
    w.party.refs.append((_get(seg, 1), _get(seg, 2)))


def _party_per(w: _Walk, seg: list[str]) -> None:
    w.party.contacts.append(seg[1:])


# 2100C / 2100D: the subscriber or dependent (demographics are PHI, kept apart)


def _member_nm1(w: _Walk, seg: list[str]) -> None:
    _check_nm1(seg, "2100" + w.member.loop)
    demo = w.member.demographics
    demo.entity_code, demo.last_name, demo.first_name = _opt(seg, 1), _opt(seg, 3), _opt(seg, 4)
    demo.middle_name, demo.member_id_qualifier, demo.member_id = _opt(seg, 5), _opt(seg, 8), _opt(seg, 9)


def _member_trn(w: _Walk, seg: list[str]) -> None:
    w.member.traces.append(seg[1:])


def _member_ref(w: _Walk, seg: list[str]) -> None:
    if _get(seg, 1) in PLAN_REF_QUALIFIERS:
        w.member.plan_refs.append((_get(seg, 1), _get(seg, 2), _get(seg, 3)))
    else:
        w.member.demographics.refs.append((_get(seg, 1), _get(seg, 2)))


def _member_n3(w: _Walk, seg: list[str]) -> None:
    w.member.demographics.address += [v for v in seg[1:] if v]


def _member_n4(w: _Walk, seg: list[str]) -> None:
    demo = w.member.demographics
    demo.city, demo.state, demo.postal_code = _opt(seg, 1), _opt(seg, 2), _opt(seg, 3)


def _member_dmg(w: _Walk, seg: list[str]) -> None:
    demo = w.member.demographics
    demo.date_of_birth, demo.gender = _opt(seg, 2), _opt(seg, 3)


def _member_ins(w: _Walk, seg: list[str]) -> None:
    w.member.demographics.relationship = seg[1:]


def _member_dtp(w: _Walk, seg: list[str]) -> None:
    w.member.dates.append((_get(seg, 1), _get(seg, 2), _get(seg, 3)))


# 2110C / 2110D: one EB loop


def _eb_dtp(w: _Walk, seg: list[str]) -> None:
    w.eb.dates += ((seg[1], seg[2], seg[3]) if len(seg) >= 4 else (_get(seg, 1), _get(seg, 2), _get(seg, 3)),)


def _eb_msg(w: _Walk, seg: list[str]) -> None:
    w.eb.messages.append(seg[1] if len(seg) > 1 else "")


def _eb_hsd(w: _Walk, seg: list[str]) -> None:
    w.eb.hsd += (seg[1:],)


def _eb_ref(w: _Walk, seg: list[str]) -> None:
    w.eb.refs += ((_get(seg, 1), _get(seg, 2)),)


def _eb_iii(w: _Walk, seg: list[str]) -> None:
    w.eb.iii += (seg[1:],)


# 2120C / 2120D: LS ... LE, a benefit-related entity


def _entity_le(w: _Walk, seg: list[str]) -> None:
    w.entity = None
    w.table = _IN_2110


def _entity_nm1(w: _Walk, seg: list[str]) -> None:
    _check_nm1(seg, "2120" + w.member.loop)
    w.entity = RelatedEntity(_get(seg, 1), _opt(seg, 2), _opt(seg, 3), _opt(seg, 4), _opt(seg, 8), _opt(seg, 9))
    w.eb.entities += (w.entity,)


def _entity_part(add: Callable[[RelatedEntity, list[str]], None]) -> Callable[[_Walk, list[str]], None]:
    """A 2120 segment that belongs to the entity its NM1 opened (skipped before any NM1)."""

    def handler(w: _Walk, seg: list[str]) -> None:
        if w.entity is None:
            w.skipped.add(seg[0])
        else:
            add(w.entity, seg)

    return handler


def _add_address(ent: RelatedEntity, seg: list[str]) -> None:
    ent.address += [v for v in seg[1:] if v]


def _set_city_state_zip(ent: RelatedEntity, seg: list[str]) -> None:
    ent.city_state_zip = seg[1:]


_LOOP_STARTS = {"HL": _hl, "EB": _eb, "LS": _ls, "AAA": _aaa}
_TOP = {**_LOOP_STARTS, "BHT": _bht}
_IN_PARTY = {**_LOOP_STARTS, "NM1": _party_nm1, "REF": _party_ref, "PER": _party_per, "PRV": _ignored}
_IN_MEMBER = {
    **_LOOP_STARTS, "NM1": _member_nm1, "TRN": _member_trn, "REF": _member_ref, "N3": _member_n3,
    "N4": _member_n4, "DMG": _member_dmg, "INS": _member_ins, "DTP": _member_dtp,
    "PRV": _ignored, "HI": _ignored, "MPI": _ignored, "PER": _ignored,
}
_IN_2110 = {
    **_LOOP_STARTS, "DTP": _eb_dtp, "MSG": _eb_msg, "HSD": _eb_hsd, "REF": _eb_ref, "III": _eb_iii, "LE": _ignored,
}
_IN_2120 = {
    "HL": _hl, "EB": _eb, "LE": _entity_le, "NM1": _entity_nm1,
    "N3": _entity_part(_add_address), "N4": _entity_part(_set_city_state_zip),
    "PER": _entity_part(lambda ent, seg: ent.contacts.append(seg[1:])),
    "PRV": _entity_part(lambda ent, seg: ent.provider_codes.append(seg[1:])),
}
