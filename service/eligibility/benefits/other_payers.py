"""``EB*R`` rows -> :class:`OtherPayer`: every other plan the payer reported, with its order, kind and dates.

Order (where the other plan pays relative to the plan that answered):

- 2120 NM101 ``PRP`` primary, ``SEP`` secondary, ``TTP`` tertiary;
- else, for a Medicare answer, an EB04 Medicare Secondary Payer type (12-16, 41-47: working aged, ESRD,
  no-fault, workers' compensation, federal agency, black lung, VA, large group disability, liability) makes
  the named plan **primary**: it pays before Medicare; Medicaid (EB04 MC) is always secondary to Medicare;
- else unknown.

Kind from EB04: 12, 13, 16, 43 employer group; 14, 15, 41, 47, WC, AP, LT liability; MC Medicaid; MA, MB, MP
Medicare; HN Medicare Advantage; MH, MI, SP Medigap (plan letter from "PLAN X" in EB05 or the name);
C1, GP, GR, PR, HM, EP, PS, CO, IP, IN commercial; anything else other.

Dates: the row's own DTP 290 (coordination of benefits), else 346/347, 291, 292. Part D rows and the Medicare
Advantage enrolment are not other payers (``medicare.py`` reads them); the caller passes them in ``exclude``.
"""

from __future__ import annotations

import re

from contracts.benefits import CoverageOrder, OtherPayer, OtherPayerKind
from service.eligibility.benefits.contacts import contact_from_entity
from service.eligibility.benefits.rows import PERSONAL_ID_QUALIFIERS, clip, first, row_dates
from service.eligibility.x12 import codes
from service.eligibility.x12.reader_271 import EBLoop, RelatedEntity

__all__ = ["other_payers", "ORDER_ENTITIES"]

ORDER_ENTITIES = {"PRP": CoverageOrder.PRIMARY, "SEP": CoverageOrder.SECONDARY, "TTP": CoverageOrder.TERTIARY}
_KINDS: dict[str, OtherPayerKind] = {
    **{t: OtherPayerKind.EMPLOYER_GROUP for t in ("12", "13", "16", "43")},
    **{t: OtherPayerKind.LIABILITY for t in ("14", "15", "41", "47", "WC", "AP", "LT")},
    "MC": OtherPayerKind.MEDICAID, "MA": OtherPayerKind.MEDICARE, "MB": OtherPayerKind.MEDICARE,
    "MP": OtherPayerKind.MEDICARE, "HN": OtherPayerKind.MEDICARE_ADVANTAGE,
    **{t: OtherPayerKind.MEDIGAP for t in ("MH", "MI", "SP")},
    **{t: OtherPayerKind.COMMERCIAL for t in ("C1", "GP", "GR", "PR", "HM", "EP", "PS", "CO", "IP", "IN")},
}
_MEDIGAP_LETTER = re.compile(r"\bPLAN\s+([A-N])\b")


def _main_entity(eb: EBLoop) -> RelatedEntity | None:
    for ent in eb.entities:
        if ent.entity_code in ORDER_ENTITIES:
            return ent
    return eb.entities[0] if eb.entities else None


def _order(eb: EBLoop, ent: RelatedEntity | None, answering_medicare: bool) -> CoverageOrder:
    if ent is not None and ent.entity_code in ORDER_ENTITIES:
        return ORDER_ENTITIES[ent.entity_code]
    if answering_medicare and eb.insurance_type in codes.MEDICARE_SECONDARY_TYPES:
        return CoverageOrder.PRIMARY
    if answering_medicare and eb.insurance_type == "MC":
        return CoverageOrder.SECONDARY
    return CoverageOrder.UNKNOWN


def other_payers(loops: list[EBLoop], *, answering_medicare: bool, exclude: set[int]) -> list[OtherPayer]:
    """One :class:`OtherPayer` per ``EB*R`` row naming a plan or a plan type, in the order sent."""
    found: list[OtherPayer] = []
    for eb in loops:
        if eb.code != "R" or id(eb) in exclude:
            continue
        ent = _main_entity(eb)
        name = (ent.display_name if ent else None) or eb.eb(5) or None
        ins = eb.insurance_type or None
        if name is None and ins is None:
            continue
        kind = _KINDS.get(ins or "", OtherPayerKind.OTHER)
        letter = None
        if kind is OtherPayerKind.MEDIGAP:
            hit = _MEDIGAP_LETTER.search(f"{eb.eb(5)} {name or ''}".upper())
            letter = hit.group(1) if hit else None
        d = row_dates(eb.dates)
        begin = first(*(d[q][0] for q in ("290", "346", "291", "292") if q in d))
        end = first(*(v for v in (d.get("290", (None, None))[1], d.get("347", (None, None))[0],
                                  d.get("291", (None, None))[1], d.get("292", (None, None))[1]) if v))
        payer_id = ent.id if ent and ent.id and (ent.id_qualifier or "") not in PERSONAL_ID_QUALIFIERS else None
        refs = dict(eb.refs)
        contacts = [c for e in eb.entities if (c := contact_from_entity(e, "other_payer")) is not None]
        found.append(OtherPayer(
            order=_order(eb, ent, answering_medicare), kind=kind, name=clip(name, 120), payer_id=clip(payer_id, 80),
            insurance_type_code=clip(ins, 3), insurance_type_description=clip(codes.INSURANCE_TYPES.get(ins or ""), 120),
            medigap_plan=letter, group_number=clip(refs.get("6P"), 50), begin=begin, end=end, contacts=contacts,
            source="271",
        ))
    return found
