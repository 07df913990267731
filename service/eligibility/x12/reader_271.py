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

from dataclasses import dataclass, field

from service.eligibility.x12 import codes
from service.eligibility.x12.tokenizer import (
    Delimiters, Tokenized, X12FormatError, expect_transaction, split_components, split_repetitions, tokenize,
)

__all__ = [
    "AAA", "RelatedEntity", "EBLoop", "Party", "Demographics", "MemberLoop", "EnvelopeInfo", "Parsed271",
    "read_271", "parse_271_segments", "check_envelope",
]

EXPECTED_VERSION = "005010X279A1"
#: REF qualifiers about the plan (not the person); every other 2100C/D REF stays in Demographics.
_KNOWN_STCS = frozenset(codes.SERVICE_TYPES)
PLAN_REF_QUALIFIERS = frozenset({"18", "1L", "6P", "IG", "N6", "NQ", "ALS", "CE", "GH", "IF", "G1", "9F", "ZZ"})


@dataclass(slots=True)
class AAA:
    loop: str
    valid_request: str | None
    reason_code: str | None
    follow_up_code: str | None


@dataclass(slots=True)
class RelatedEntity:
    """A 2120 benefit-related entity (e.g. a behavioral-health carve-out or another payer)."""

    entity_code: str
    entity_type: str | None = None
    name: str | None = None
    first_name: str | None = None
    id_qualifier: str | None = None
    id: str | None = None
    address: list[str] = field(default_factory=list)
    city_state_zip: list[str] = field(default_factory=list)
    contacts: list[list[str]] = field(default_factory=list)
    provider_codes: list[list[str]] = field(default_factory=list)

    @property
    def display_name(self) -> str | None:
        if self.name and self.first_name:
            return f"{self.first_name} {self.name}"
        return self.name


@dataclass(slots=True)
class EBLoop:
    loop: str  # 2110C / 2110D
    elements: list[str]  # EB01..EB14, padded with "" to 14
    service_types: list[str]
    procedure: str | None
    hsd: list[list[str]] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)
    dates: list[tuple[str, str, str]] = field(default_factory=list)  # (qualifier, format, value)
    rejections: list[AAA] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    iii: list[list[str]] = field(default_factory=list)
    entities: list[RelatedEntity] = field(default_factory=list)

    def eb(self, n: int) -> str:
        """EBnn as sent ("" when absent)."""
        return self.elements[n - 1]


@dataclass(slots=True)
class Party:
    """Information source (payer, 2100A) or receiver (provider, 2100B)."""

    loop: str
    entity_code: str | None = None
    name: str | None = None
    first_name: str | None = None
    id_qualifier: str | None = None
    id: str | None = None
    refs: list[tuple[str, str]] = field(default_factory=list)
    contacts: list[list[str]] = field(default_factory=list)
    rejections: list[AAA] = field(default_factory=list)


@dataclass(slots=True)
class Demographics:
    """PHI of the subscriber or dependent. Never log."""

    entity_code: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    member_id_qualifier: str | None = None
    member_id: str | None = None
    refs: list[tuple[str, str]] = field(default_factory=list)
    address: list[str] = field(default_factory=list)
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    date_of_birth: str | None = None  # CCYYMMDD as sent
    gender: str | None = None
    relationship: list[str] = field(default_factory=list)  # INS elements


@dataclass(slots=True)
class MemberLoop:
    """2000C/2100C (subscriber) or 2000D/2100D (dependent): coverage, benefits and, apart, demographics."""

    loop: str  # "C" or "D"
    demographics: Demographics = field(default_factory=Demographics)
    traces: list[list[str]] = field(default_factory=list)
    plan_refs: list[tuple[str, str, str]] = field(default_factory=list)  # (qualifier, value, description)
    dates: list[tuple[str, str, str]] = field(default_factory=list)
    rejections: list[AAA] = field(default_factory=list)
    benefits: list[EBLoop] = field(default_factory=list)


@dataclass(slots=True)
class EnvelopeInfo:
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


@dataclass(slots=True)
class Parsed271:
    delimiters: Delimiters
    envelope: EnvelopeInfo
    payer: Party
    receiver: Party
    subscriber: MemberLoop | None = None
    dependent: MemberLoop | None = None
    warnings: list[str] = field(default_factory=list)

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
    # One C-level pass for the ids, then list.index / count: no Python loop over a large document.
    ids = [seg[0] for seg in segs]

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
    if sum(1 for s in segs if s[0] == "ISA") > 1:
        warnings.append("more than one interchange (ISA); only the first was read")
    return info, st_idx, se_idx, warnings


def _service_types(value: str, d: Delimiters, loop: str) -> list[str]:
    found = split_repetitions(value, d)
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
    d = tok.delimiters
    payer, receiver = Party("2100A"), Party("2100B")
    out = Parsed271(d, info, payer, receiver, warnings=warnings)
    level = ""
    member: MemberLoop | None = None
    eb: EBLoop | None = None
    entity: RelatedEntity | None = None
    in_ls = False
    skipped: set[str] = set()

    for seg in tok.segments[st_idx + 1 : se_idx]:
        sid = seg[0]
        if sid == "EB":
            if member is None:
                skipped.add("EB")
                continue
            if in_ls:
                warnings.append("LS*2120 was not closed by LE before the next EB")
                in_ls, entity = False, None
            elements = seg[1:15]
            if len(elements) < 14:
                elements += [""] * (14 - len(elements))
            eb = EBLoop(
                loop="2110" + member.loop,
                elements=elements,
                service_types=_service_types(elements[2], d, member.loop) if elements[2] else [],
                procedure=_procedure(elements[12], d, member.loop) if elements[12] else None,
            )
            member.benefits.append(eb)
        elif in_ls and sid != "HL":
            if sid == "LE":
                in_ls, entity = False, None
            elif sid == "NM1":
                _check_nm1(seg, "2120" + (member.loop if member else ""))
                entity = RelatedEntity(
                    entity_code=_get(seg, 1), entity_type=_opt(seg, 2), name=_opt(seg, 3),
                    first_name=_opt(seg, 4), id_qualifier=_opt(seg, 8), id=_opt(seg, 9),
                )
                assert eb is not None
                eb.entities.append(entity)
            elif entity is not None and sid == "N3":
                entity.address += [v for v in seg[1:] if v]
            elif entity is not None and sid == "N4":
                entity.city_state_zip = seg[1:]
            elif entity is not None and sid == "PER":
                entity.contacts.append(seg[1:])
            elif entity is not None and sid == "PRV":
                entity.provider_codes.append(seg[1:])
            else:
                skipped.add(sid)
        elif sid == "HL":
            if in_ls:  # a missing LE must not hide the next loop (e.g. the dependent's 2000D)
                warnings.append("LS*2120 was not closed by LE before the next HL")
                in_ls, entity = False, None
            code = _get(seg, 3)
            eb = None
            level = code
            if code in ("22", "23") and (out.subscriber if code == "22" else out.dependent) is not None:
                # One inquiry, one patient: a second 2000C/2000D loop is not merged into the first.
                loop = "2000C subscriber" if code == "22" else "2000D dependent"
                warnings.append(f"the 271 has more than one {loop} loop; only the first was read: "
                                "check that the response is for this patient")
                member = None
            elif code == "22":
                member = out.subscriber = MemberLoop("C")
            elif code == "23":
                member = out.dependent = MemberLoop("D")
            elif code in ("20", "21"):
                member = None
            else:
                warnings.append("an HL03 level code is not 20, 21, 22 or 23; its loop was skipped")
                member = None
        elif sid == "LS":
            if eb is None:
                warnings.append("LS*2120 outside an EB loop was skipped")
            in_ls, entity = eb is not None, None
        elif sid == "AAA":
            where = eb.loop if eb else ("2100" + member.loop if member else ("2100A" if level == "20" else "2100B"))
            aaa = AAA(where, _opt(seg, 1), _opt(seg, 3), _opt(seg, 4))
            if eb is not None:
                eb.rejections.append(aaa)
            elif member is not None:
                member.rejections.append(aaa)
            elif level == "20":
                payer.rejections.append(aaa)
            else:
                receiver.rejections.append(aaa)
        elif eb is not None:
            if sid == "DTP":
                eb.dates.append(tuple(seg[1:4]) if len(seg) >= 4 else (_get(seg, 1), _get(seg, 2), _get(seg, 3)))
            elif sid == "MSG":
                eb.messages.append(_get(seg, 1))
            elif sid == "HSD":
                eb.hsd.append(seg[1:])
            elif sid == "REF":
                eb.refs.append((_get(seg, 1), _get(seg, 2)))
            elif sid == "III":
                eb.iii.append(seg[1:])
            elif sid == "LE":
                pass
            else:
                skipped.add(sid)
        elif member is not None:
            demo = member.demographics
            if sid == "NM1":
                _check_nm1(seg, "2100" + member.loop)
                demo.entity_code, demo.last_name, demo.first_name = _opt(seg, 1), _opt(seg, 3), _opt(seg, 4)
                demo.middle_name, demo.member_id_qualifier, demo.member_id = _opt(seg, 5), _opt(seg, 8), _opt(seg, 9)
            elif sid == "TRN":
                member.traces.append(seg[1:])
            elif sid == "REF":
                if _get(seg, 1) in PLAN_REF_QUALIFIERS:
                    member.plan_refs.append((_get(seg, 1), _get(seg, 2), _get(seg, 3)))
                else:
                    demo.refs.append((_get(seg, 1), _get(seg, 2)))
            elif sid == "N3":
                demo.address += [v for v in seg[1:] if v]
            elif sid == "N4":
                demo.city, demo.state, demo.postal_code = _opt(seg, 1), _opt(seg, 2), _opt(seg, 3)
            elif sid == "DMG":
                demo.date_of_birth, demo.gender = _opt(seg, 2), _opt(seg, 3)
            elif sid == "INS":
                demo.relationship = seg[1:]
            elif sid == "DTP":
                member.dates.append((_get(seg, 1), _get(seg, 2), _get(seg, 3)))
            elif sid in ("PRV", "HI", "MPI", "PER"):
                pass  # situational; not used for benefits
            else:
                skipped.add(sid)
        elif level in ("20", "21"):
            party = payer if level == "20" else receiver
            if sid == "NM1":
                _check_nm1(seg, party.loop)
                party.entity_code, party.name, party.first_name = _opt(seg, 1), _opt(seg, 3), _opt(seg, 4)
                party.id_qualifier, party.id = _opt(seg, 8), _opt(seg, 9)
            elif sid == "REF":
                party.refs.append((_get(seg, 1), _get(seg, 2)))
            elif sid == "PER":
                party.contacts.append(seg[1:])
            elif sid == "PRV":
                pass
            else:
                skipped.add(sid)
        elif sid == "BHT":
            info.bht_purpose, info.bht_reference = _opt(seg, 2), _opt(seg, 3)
            if info.bht_purpose != "11":
                warnings.append("BHT02 is not 11 (response)")
        else:
            skipped.add(sid)
    if in_ls:
        warnings.append("LS*2120 was not closed by LE")
    for sid in sorted(skipped):
        warnings.append(f"segment {sid} was not expected where it appeared and was skipped")
    if out.subscriber is None and not any(p.rejections for p in (payer, receiver)):
        warnings.append("the response has no subscriber loop (2000C) and no rejection")
    return out
