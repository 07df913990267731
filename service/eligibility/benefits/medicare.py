"""Medicare facts from a 271 (CMS HETS 5010 and 4010 shapes) -> :class:`MedicareDetails`.

Conventions read (``EB`` elements: 01 code, 03 service types, 04 insurance type, 06 period, 09/10 quantity):

- Part A / Part B dates: active rows (EB01 1-5) with EB04 MA / MB; each row's **own** DTP 307 (RD8 or D8),
  356/346 begin and 307 RD8 end / 357 / 347 end. The inquiry's dates are never used for them.
- Part A / Part B deductible remaining: EB*C with EB04 MA / MB and EB06 29, amount EB07; without a 29 row, the
  plan amount (EB06 22/23/21/25/26 or none) minus the year-to-date (24) row. Procedure rows (EB13) are skipped.
- Psychiatric (freestanding hospital, 190-day) lifetime days: an EB*F (4010) or EB*K (HETS 5010) row whose EB03
  includes A7, CG or MH, with EB09 DY and EB06 32 (lifetime: the limit) or 33 (lifetime remaining), or EB09 99
  (days used). Fallback: MSG "PSYCHIATRIC LIFETIME DAYS USED n" / "... REMAINING n". Used = limit - remaining
  (and the reverse) when only one is sent.
- Lifetime reserve days: EB*K on the plan (not a psychiatric STC) with EB09 DY and EB06 32 (total) / 33
  (remaining) as HETS 5010 sends them, or EB09 LA (actual) / LE (estimated) as 4010 did (remaining).
- Benefit period: EB*K rows with EB04 MA and EB06 29 / 7 / 26 - EB09 DY = full-coverage hospital days left,
  EB09 D3 = coinsurance days left; EB09 99 with EB06 26 (or EB*F with STC 48/A7/CG, EB06 26) = days used. The
  period itself is the DTP 348/349 (benefit begin/end) or 435 (admission) on the Part A rows.
- QMB: EB04 QM on any row, or any MSG containing "QMB" / "QUALIFIED MEDICARE BENEFICIARY".
- Medicare Advantage (Part C): ``EB*R`` (or an active row) with EB03 30 (or none) and EB04 ``IN`` (HETS 5010),
  ``HM`` (4010) or ``HN`` whose ``REF*18`` is an MA contract (H, R or E and four digits, or a 9xxxx
  demonstration), or EB04 HN alone. Plan name: the row's 2120 NM1 name, else EB05. Enrolment: DTP 290 (RD8 or D8; 346/347 as a fallback). Bill option: the MSG mentioning
  "BILL OPTION", as sent. Contacts: the row's 2120 N3/N4/PER.
- Part D: ``EB*R`` with EB03 88 (pharmacy), or EB04 OT with a ``REF*18`` starting with S: its contract number
  is recorded, and it is never taken for the Medicare Advantage plan nor for another payer.
- Medigap: EB*R with EB04 MH -> pays Part A; EB04 MI -> pays Part B coinsurance.
"""

from __future__ import annotations

import re
from decimal import Decimal

from contracts.benefits import MedicareAdvantagePlan, MedicareDetails
from service.eligibility.benefits.contacts import contact_from_entity
from service.eligibility.benefits.rows import clip, coverage_span, first, money, quantity, row_dates
from service.eligibility.levels import TOTAL_PERIODS
from service.eligibility.x12 import codes
from service.eligibility.x12.reader_271 import EBLoop, RelatedEntity

__all__ = ["medicare_details", "find_advantage", "find_part_d", "MEDICARE_TYPES"]

MEDICARE_TYPES = frozenset({"MA", "MB", "MP", "CP", "QM", "HN"}) | codes.MEDICARE_SECONDARY_TYPES
_PSYCH_STCS = frozenset({"A7", "CG", "MH"})
_QMB = re.compile(r"\bQMB\b|QUALIFIED MEDICARE BENEFICIARY", re.IGNORECASE)
_PSYCH_MSG = re.compile(r"PSYCH\w*\s+LIFETIME\s+DAYS\s+(USED|REMAINING)\D*(\d+)", re.IGNORECASE)
_MA_CONTRACT = re.compile(r"^\s*([HRE]\d{4}|9\d{4})\b")
_MA_TYPES = frozenset({"IN", "HM", "HN"})
_PLAN_ENTITIES = frozenset({"PRP", "P5", "PR", "Y2", "IL", "36", "FA", "2B", "GP"})


def _ref18(eb: EBLoop) -> str:
    return next((v for q, v in eb.refs if q == "18" and v), "")


def find_part_d(loops: list[EBLoop]) -> list[EBLoop]:
    return [eb for eb in loops if eb.code == "R" and (
        "88" in eb.service_types or (eb.insurance_type == "OT" and _ref18(eb).strip().upper().startswith("S")))]


def find_advantage(loops: list[EBLoop]) -> EBLoop | None:
    """The row announcing a Medicare Advantage enrolment, or None."""
    for eb in loops:
        if eb.code not in ("R", *codes.ACTIVE_CODES) or "88" in eb.service_types:
            continue
        if eb.service_types and "30" not in eb.service_types:
            continue
        if eb.insurance_type == "HN" or (eb.insurance_type in _MA_TYPES and _MA_CONTRACT.match(_ref18(eb).upper())):
            return eb
    return None


def _plan_entity(eb: EBLoop) -> RelatedEntity | None:
    return next((e for e in eb.entities if e.display_name and e.entity_code in _PLAN_ENTITIES), None) or next(
        (e for e in eb.entities if e.display_name), None)


def advantage_plan(eb: EBLoop) -> MedicareAdvantagePlan:
    ent = _plan_entity(eb)
    d = row_dates(eb.dates)
    enrolled = d.get("290") or (d.get("346", (None, None))[0], d.get("347", (None, None))[0])
    bill = next((m for m in eb.messages if "BILL OPTION" in m.upper()), None)
    payer_id = ent.id if ent and ent.id and ent.id_qualifier in ("PI", "XV", "FI", "NI") else None
    return MedicareAdvantagePlan(
        contract_number=clip(_ref18(eb).strip(), 30),
        plan_name=clip((ent.display_name if ent else None) or eb.eb(5) or None, 120),
        payer_id=clip(payer_id, 80),
        insurance_type_code=eb.insurance_type or None,
        enrolled_from=enrolled[0],
        enrolled_to=enrolled[1],
        bill_option=clip(bill, 80),
        contacts=[c for e in eb.entities if (c := contact_from_entity(e, "medicare_advantage_plan")) is not None],
    )


def _deductible_remaining(loops: list[EBLoop], part: str) -> Decimal | None:
    """The EB06 29 row, else the plan amount (22/23/21/25/26/none) - year to date (24), like levels.py."""
    by_period: dict[str, Decimal] = {}
    for eb in loops:
        if eb.code == "C" and eb.insurance_type == part and not eb.procedure:
            amount = money(eb.eb(7), "a deductible amount", [])
            if amount is not None:
                by_period.setdefault(eb.eb(6), amount)
    if "29" in by_period:
        return by_period["29"]
    total = next((by_period[p] for p in TOTAL_PERIODS if p in by_period), None)
    if total is not None and "24" in by_period:
        return max(total - by_period["24"], Decimal("0.00"))
    return None


def _psychiatric_days(loops: list[EBLoop], out: dict, warnings: list[str]) -> None:
    limit = used = remaining = None
    for eb in loops:
        if eb.code in ("F", "K") and _PSYCH_STCS.intersection(eb.service_types):
            q = quantity(eb.eb(10))
            if q is None:
                continue
            if eb.eb(9) == "99" and eb.eb(6) in ("32", ""):
                used = q if used is None else used
            elif eb.eb(9) == "DY" and eb.eb(6) == "33":
                remaining = q if remaining is None else remaining
            elif eb.eb(9) == "DY" and eb.eb(6) == "32":
                limit = q if limit is None else limit
    for m in (m for eb in loops for m in eb.messages):
        hit = _PSYCH_MSG.search(m)
        if hit:
            if hit.group(1).upper() == "USED" and used is None:
                used = int(hit.group(2))
            elif hit.group(1).upper() == "REMAINING" and remaining is None:
                remaining = int(hit.group(2))
    if used is None and limit is not None and remaining is not None:
        used = max(limit - remaining, 0)
    if remaining is None and limit is not None and used is not None:
        remaining = max(limit - used, 0)
    if (used is None) != (remaining is None):
        warnings.append("psychiatric lifetime days: only one of used / remaining was sent")
    out["psychiatric_lifetime_days_used"] = used
    out["psychiatric_lifetime_days_remaining"] = remaining
    out["psychiatric_lifetime_days_total"] = limit


def _hospital_days(loops: list[EBLoop], out: dict) -> None:
    for eb in loops:
        code, period, qq = eb.code, eb.eb(6), eb.eb(9)
        psych = bool(_PSYCH_STCS.intersection(eb.service_types))
        if code == "F" and period == "26" and qq == "99" and {"48", "A7", "CG"} & set(eb.service_types):
            out.setdefault("benefit_period_days_used", quantity(eb.eb(10)))
        if code != "K" or psych:
            continue
        q = quantity(eb.eb(10))
        if qq in ("LA", "LE"):
            out.setdefault("lifetime_reserve_days_remaining", q)
        elif qq == "DY" and period == "32":
            out.setdefault("lifetime_reserve_days_total", q)
        elif qq == "DY" and period == "33":
            out.setdefault("lifetime_reserve_days_remaining", q)
        elif eb.insurance_type == "MA" and period in ("29", "7", "26"):
            if qq == "DY":
                out.setdefault("benefit_period_full_days_remaining", q)
            elif qq == "D3":
                out.setdefault("benefit_period_coinsurance_days_remaining", q)
            elif qq == "99":
                out.setdefault("benefit_period_days_used", q)
    for eb in loops:
        if eb.insurance_type != "MA":
            continue
        d = row_dates(eb.dates)
        span = d.get("348") or d.get("435")
        if span and span[0]:
            out["benefit_period_begin"] = span[0]
            out["benefit_period_end"] = first(span[1], d.get("349", (None, None))[0])
            break


def medicare_details(loops: list[EBLoop], warnings: list[str], advantage: EBLoop | None) -> MedicareDetails:
    out: dict = {}
    for part, key in (("MA", "part_a"), ("MB", "part_b")):
        row = next((eb for eb in loops if eb.code in codes.ACTIVE_CODES and eb.insurance_type == part), None)
        if row is not None:
            out[f"{key}_effective"], out[f"{key}_termination"] = coverage_span(row_dates(row.dates))
        out[f"{key}_deductible_remaining"] = _deductible_remaining(loops, part)
    _psychiatric_days(loops, out, warnings)
    _hospital_days(loops, out)
    msgs = [m for eb in loops for m in eb.messages]
    out["qmb"] = any(eb.insurance_type == "QM" for eb in loops) or any(_QMB.search(m) for m in msgs)
    if advantage is not None:
        out["advantage"] = advantage_plan(advantage)
    part_d = find_part_d(loops)
    if part_d:
        out["part_d_contract"] = clip(next((_ref18(eb).strip() for eb in part_d if _ref18(eb)), None), 30)
    for eb in loops:
        if eb.code == "R" and eb.insurance_type == "MH":
            out["medigap_pays_part_a"] = True
        elif eb.code == "R" and eb.insurance_type == "MI":
            out["medigap_pays_part_b_coinsurance"] = True
    return MedicareDetails(**out)
