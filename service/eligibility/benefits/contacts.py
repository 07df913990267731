"""2120 benefit-related entities and PER segments -> :class:`Contact`: numbers and addresses intake gives out.

Role of a contact, from the row it hangs on and its NM101 (first match wins):

- a Medicare Advantage row -> ``medicare_advantage_plan`` (set by ``medicare.py``);
- ``EB*R`` (other or additional payer) -> ``other_payer``;
- NM101 X3 (utilization management organization), or a row that is EB01 J (cost containment), says EB11=Y
  or mentions prior authorization / precertification -> ``prior_authorization``;
- ``EB*MC`` (managed care coordinator) or NM101 Y2 (managed care organization) -> ``member_services``;
- ``EB*L`` or NM101 P3 -> ``primary_care_provider``; NM101 PR -> ``payer``; otherwise ``other``.

The payer's own PER in 2100A is a ``payer`` contact. Only entities with a number, e-mail, URL or address
become contacts (a bare name is in the row's ``related_entities``). Identifiers that are a person's own id
(NM108 MI, II, ZZ, 34) are never carried.
"""

from __future__ import annotations

import re

from contracts.benefits import Contact
from service.eligibility.benefits.rows import PERSONAL_ID_QUALIFIERS, clip
from service.eligibility.x12.reader_271 import EBLoop, Party, RelatedEntity

__all__ = ["contact_from_entity", "row_role", "contacts_from_271", "PRIOR_AUTH"]

PRIOR_AUTH = re.compile(r"PRIOR\s*AUTH|PRE-?\s*AUTH|PRE-?\s*CERT|PRECERTIF", re.IGNORECASE)
_PER_FIELDS = {"TE": "phone", "EX": "phone_extension", "FX": "fax", "EM": "email", "UR": "url"}
_LIMITS = {"phone": 40, "phone_extension": 20, "fax": 40, "email": 120, "url": 200}


def _per_fields(pers: list[list[str]]) -> dict[str, str]:
    """PER03..PER08 (qualifier, value) pairs of every PER, the first value of each kind; PER02 as 'name'."""
    out: dict[str, str] = {}
    for per in pers:
        if len(per) > 1 and per[1]:
            out.setdefault("name", per[1])
        for i in range(2, len(per) - 1, 2):
            key = _PER_FIELDS.get(per[i])
            if key and per[i + 1]:
                out.setdefault(key, clip(per[i + 1], _LIMITS[key]))
    return out


def row_role(eb: EBLoop, entity_code: str) -> str:
    code = eb.code
    if code == "R":
        return "other_payer"
    if entity_code == "X3" or code == "J" or eb.eb(11) == "Y" or any(PRIOR_AUTH.search(m) for m in eb.messages):
        return "prior_authorization"
    if code == "MC" or entity_code == "Y2":
        return "member_services"
    if code == "L" or entity_code == "P3":
        return "primary_care_provider"
    if entity_code == "PR":
        return "payer"
    return "other"


def contact_from_entity(ent: RelatedEntity, role: str) -> Contact | None:
    """A :class:`Contact` for a 2120 entity with something to call, write to or visit; else None."""
    per = _per_fields(ent.contacts)
    if not (set(per) - {"name"} or ent.address):
        return None
    csz = ent.city_state_zip
    identifier = ent.id if ent.id and (ent.id_qualifier or "") not in PERSONAL_ID_QUALIFIERS else None
    return Contact(
        role=role,
        name=clip(ent.display_name or per.get("name"), 120),
        entity_code=clip(ent.entity_code, 3),
        identifier=clip(identifier, 80),
        phone=per.get("phone"),
        phone_extension=per.get("phone_extension"),
        fax=per.get("fax"),
        email=per.get("email"),
        url=per.get("url"),
        address_lines=[line[:55] for line in ent.address[:2]],
        city=clip(csz[0] if len(csz) > 0 else None, 30),
        state=clip(csz[1] if len(csz) > 1 else None, 2),
        postal_code=clip(csz[2] if len(csz) > 2 else None, 15),
    )


def contacts_from_271(payer: Party, loops: list[EBLoop], roles: dict[int, str | None]) -> list[Contact]:
    """The payer's PER and every 2120 contact of ``loops``. ``roles`` overrides the role of an entity (by
    ``id()``); None leaves it out (other payers keep their contacts in their own entry)."""
    out: list[Contact] = []
    if payer.contacts:
        per = _per_fields(payer.contacts)
        if set(per) - {"name"}:
            out.append(Contact(role="payer", name=clip(payer.name or per.get("name"), 120), entity_code="PR",
                               identifier=clip(payer.id, 80), phone=per.get("phone"),
                               phone_extension=per.get("phone_extension"), fax=per.get("fax"),
                               email=per.get("email"), url=per.get("url")))
    for eb in loops:
        for ent in eb.entities:
            if not (ent.contacts or ent.address):
                continue  # a bare name: no contact whatever its role (contact_from_entity), so no role is read
            role = roles[id(ent)] if id(ent) in roles else row_role(eb, ent.entity_code)
            if role is None:
                continue
            contact = contact_from_entity(ent, role)
            if contact is not None and contact not in out:
                out.append(contact)
    return out
