"""271 -> :class:`NormalizedBenefits`.

Every EB row becomes a :class:`BenefitRow` (none dropped, unknown codes kept), every AAA a
:class:`Rejection` in plain words, and ``levels`` is filled by ``service/eligibility/levels.py``.

Conventions the sandbox 271 author (and any payer we map) must follow
-----------------------------------------------------------------------
Medicare (payer class from EB04 MA/MB/MP/CP/QM/HN or 12-16/41-47 on a non-R row):

- Part A / Part B dates: EB*1 rows with EB04 MA / MB; begin = DTP 307 (RD8 start or D8),
  346 or 356; end = RD8 end of 307, or 347 / 357.
- Part A / Part B deductible remaining: EB*C with EB04 MA / MB and EB06 29, amount EB07; without
  a 29 row, the plan amount (EB06 22/23/21/25/26 or none) minus the year-to-date (24) row.
- Psychiatric (freestanding hospital, 190-day) lifetime days: an EB*F row whose EB03
  includes A7, CG or MH, with EB09 DY and

  * EB06 32 (lifetime) + EB09 DY + EB10 = the limit (190),
  * EB06 33 (lifetime remaining) + EB09 DY + EB10 = days remaining,
  * EB09 99 (quantity used) + EB10 = days used (EB06 32),

  or, as a fallback, a MSG "PSYCHIATRIC LIFETIME DAYS USED n" / "... REMAINING n".
  Used = limit - remaining (and the reverse) when only one is sent.
- Lifetime reserve days remaining: EB*K with EB09 LA (actual) or LE (estimated), EB10.
- Days used in the current benefit period: EB*F, EB03 48/A7/CG, EB06 26 (episode), EB09 99.
- QMB: EB04 QM on any row, or any MSG containing "QMB" / "QUALIFIED MEDICARE BENEFICIARY".
- Medicare Advantage: EB04 HN on any row (plan name = the 2120 NM1 name of that row, else
  its EB05), or EB*1 MA/MB rows with an EB05 plan description.
- Secondary / other payer: EB*R (not HN) with a 2120 NM1 -> its name (else EB05).
- Medigap: EB*R with EB04 MH -> pays Part A; EB04 MI -> pays Part B coinsurance.

Medicaid (EB04 MC on a non-R row):

- Managed care: an EB*MC row (plan = its 2120 NM1 name, else EB05), or a 2120 NM1 on a
  Medicaid row, or EB04 HM on an active row -> ``medicaid_managed_care``; else FFS.
- Cost-sharing category: a MSG (or an EB*D EB05) reading "COST SHARING CATEGORY X" where X
  is EXEMPT, AT OR BELOW 100, 101 TO 150 (or 101-150) or ABOVE 150 (punctuation between words
  is free, but a ':' is the usual component separator - write "=" or nothing instead);
  or exempt when an EB*B / EB*C row has EB07 0 and a MSG containing "EXEMPT".
- State: a MSG that is exactly "STATE XX" or "STATE=XX" (two-letter code).

Commercial: EB04 PR -> PPO, HM -> HMO, EP -> EPO, PS -> POS, C1 and others -> other.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

from contracts.benefits import (
    BenefitRow, InsuranceType, MedicaidDetails, MedicareAdvantagePlan, MedicareDetails, Network,
    NormalizedBenefits, OtherPayer, PayerClass, Rejection, Source,
)
from service.eligibility.levels import TOTAL_PERIODS, choose_levels
from service.money import cents
from service.eligibility.x12 import codes
from service.eligibility.x12.reader_271 import AAA, EBLoop, Parsed271, read_271

__all__ = ["normalize_271", "benefits_from_271", "to_benefit_row", "to_rejection", "parse_date_value"]

_NETWORK = {"Y": Network.IN, "N": Network.OUT, "W": Network.BOTH, "U": Network.UNKNOWN, "": Network.BOTH}
MEDICARE_TYPES = frozenset({"MA", "MB", "MP", "CP", "QM", "HN"}) | codes.MEDICARE_SECONDARY_TYPES
COMMERCIAL_TYPES = {
    "PR": InsuranceType.COMMERCIAL_PPO, "HM": InsuranceType.COMMERCIAL_HMO, "EP": InsuranceType.COMMERCIAL_EPO,
    "PS": InsuranceType.COMMERCIAL_POS,
}
_PSYCH_STCS = frozenset({"A7", "CG", "MH"})
_QMB = re.compile(r"\bQMB\b|QUALIFIED MEDICARE BENEFICIARY", re.IGNORECASE)
_PSYCH_MSG = re.compile(r"PSYCH\w*\s+LIFETIME\s+DAYS\s+(USED|REMAINING)\D*(\d+)", re.IGNORECASE)
_STATE_MSG = re.compile(r"^\s*STATE\s*[:=]?\s*([A-Z]{2})\s*$")
_CATEGORIES = (
    ("AT OR BELOW 100", "at_or_below_100"), ("101 TO 150", "101_to_150"), ("101 150", "101_to_150"),
    ("ABOVE 150", "above_150"), ("EXEMPT", "exempt"),
)


#: X12 R (decimal) as the TR3 uses it: optional minus, ASCII digits, optional decimal point, at most 18
#: digits (EB07 is R 1/18). No exponent, no NaN/Infinity, no other scripts' digits: Decimal() accepts
#: "1E+999999999", and int() of that builds a billion-digit number (the request never ends).
_X12_DECIMAL = re.compile(r"-?(?=[0-9.]{1,19}\Z)(?:[0-9]+\.?[0-9]*|\.[0-9]+)\Z")


def _decimal(value: str, what: str, warnings: list[str]) -> Decimal | None:
    if not value:
        return None
    if not _X12_DECIMAL.match(value):
        warnings.append(f"{what} is not a number and was ignored")
        return None
    return Decimal(value)


def _money(value: str, what: str, warnings: list[str]) -> Decimal | None:
    """An EB07 amount in the wire form every source shares: exactly two decimals ("1500" -> 1500.00)."""
    d = _decimal(value, what, warnings)
    if d is None:
        return None
    if d != d.quantize(Decimal("0.01")):
        warnings.append(f"{what} had more than two decimals and was rounded to cents")
    return cents(d)


def _percent(fraction: Decimal) -> Decimal:
    p = fraction * 100
    return p.quantize(Decimal(1)) if p == p.to_integral_value() else p.normalize()


@functools.lru_cache(maxsize=4096)
def parse_d8(value: str | None) -> dt.date | None:
    """An X12 D8 date (CCYYMMDD) or None if absent or unreadable."""
    # strptime is ~10x slower and dominated normalization time
    if value is None or len(value) != 8 or not value.isdigit():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def parse_date_value(fmt: str, value: str) -> tuple[dt.date | None, dt.date | None]:
    """(start, end) from a DTP D8 / RD8 value; (date, None) for D8; (None, None) if unreadable."""
    if fmt == "RD8" or (len(value) == 17 and value[8] == "-"):
        start, _, end = value.partition("-")
        return parse_d8(start), parse_d8(end)
    return parse_d8(value), None


def _iso(fmt: str, value: str) -> str:
    start, end = parse_date_value(fmt, value)
    if start and end:
        return f"{start.isoformat()}/{end.isoformat()}"
    if start:
        return start.isoformat()
    return value


def to_rejection(aaa: AAA) -> Rejection:
    reason = codes.REJECT_REASONS.get(aaa.reason_code or "")
    return Rejection(
        loop=aaa.loop,
        valid_request={"Y": True, "N": False}.get(aaa.valid_request or ""),
        reason_code=aaa.reason_code,
        reason=reason[0] if reason else (f"unknown reject reason code" if aaa.reason_code else None),
        follow_up_code=aaa.follow_up_code,
        follow_up=codes.FOLLOW_UPS.get(aaa.follow_up_code or ""),
        retryable=codes.is_retryable(aaa.reason_code, aaa.follow_up_code),
    )


def to_benefit_row(eb: EBLoop, warnings: list[str]) -> BenefitRow:
    e = eb.eb
    amount = _money(e(7), "an EB07 amount", warnings)
    if amount is not None and amount < 0:
        warnings.append("a negative EB07 amount was ignored")
        amount = None
    fraction = _decimal(e(8), "an EB08 percent", warnings)
    percent = _percent(fraction) if fraction is not None else None
    if fraction is not None and not 0 <= fraction <= 1:
        warnings.append("an EB08 percent outside 0-1 was kept as sent; check the payer's answer")
    code = e(1)
    if code not in codes.EB01:
        warnings.append(f"EB01 code {code[:2]!r} is not known; row kept")
    entities = []
    for ent in eb.entities:
        label = ent.display_name or ent.entity_code
        if ent.id:
            label = f"{label} ({ent.id_qualifier or ''} {ent.id})".replace("( ", "(")
        entities.append(f"{ent.entity_code}: {label}")
    return BenefitRow(
        code=code,
        code_description=codes.EB01.get(code),
        coverage_level=e(2) or None,
        service_type_codes=list(eb.service_types),
        insurance_type_code=e(4) or None,
        plan_description=e(5) or None,
        time_period=e(6) or None,
        amount=amount,
        percent=percent,
        quantity_qualifier=e(9) or None,
        quantity=_decimal(e(10), "an EB10 quantity", warnings),
        authorization_required={"Y": True, "N": False}.get(e(11)),
        network=_NETWORK.get(e(12), Network.UNKNOWN),
        procedure=eb.procedure,
        dates={q: _iso(f, v) for q, f, v in eb.dates},
        messages=list(eb.messages),
        delivery=["*".join(h) for h in eb.hsd],
        references={q: v for q, v in eb.refs},
        related_entities=entities,
        rejections=[to_rejection(a) for a in eb.rejections],
    )


def _row_dates(loop: EBLoop | None, member_dates: list[tuple[str, str, str]]):
    """begin, end from DTPs: 307/346/356 begin (RD8 start) and 347/357 or RD8 end."""
    found: dict[str, tuple[dt.date | None, dt.date | None]] = {}
    for q, f, v in list(loop.dates if loop else []) + list(member_dates):
        found.setdefault(q, parse_date_value(f, v))
    return found


def _first(*values):
    for v in values:
        if v is not None:
            return v
    return None


def _insurance(
    loops: list[EBLoop], warnings: list[str], payer_name: str | None, active: bool | None
) -> tuple[PayerClass, InsuranceType]:
    non_r = [eb for eb in loops if eb.eb(1) != "R"]
    types = [eb.eb(4) for eb in non_r if eb.eb(4)]
    tset = set(types)
    if tset & MEDICARE_TYPES or any(eb.eb(4) == "HN" for eb in loops):
        if any(eb.eb(4) == "HN" for eb in loops) or any(
            eb.eb(1) in codes.ACTIVE_CODES and eb.eb(4) in ("MA", "MB") and eb.eb(5) for eb in non_r
        ):
            return PayerClass.MEDICARE, InsuranceType.MEDICARE_ADVANTAGE
        if tset & codes.MEDICARE_SECONDARY_TYPES:
            return PayerClass.MEDICARE, InsuranceType.MEDICARE_SECONDARY
        if {"MA", "MB"} <= tset:
            return PayerClass.MEDICARE, InsuranceType.MEDICARE_PART_A_AND_B
        if "MA" in tset:
            return PayerClass.MEDICARE, InsuranceType.MEDICARE_PART_A
        if "MB" in tset:
            return PayerClass.MEDICARE, InsuranceType.MEDICARE_PART_B
        warnings.append("Medicare coverage without a Part A (MA) or Part B (MB) row; parts unknown")
        return PayerClass.MEDICARE, InsuranceType.UNKNOWN
    if "MC" in tset:
        managed = (
            any(eb.eb(1) == "MC" for eb in loops)
            or "HM" in tset
            or any(eb.entities for eb in non_r if eb.eb(4) == "MC")
        )
        return PayerClass.MEDICAID, (
            InsuranceType.MEDICAID_MANAGED_CARE if managed else InsuranceType.MEDICAID_FFS
        )
    if tset:
        if len({t for t in tset if t in COMMERCIAL_TYPES}) > 1:
            warnings.append("several plan types (EB04) were sent; used the first one")
        for t in types:
            if t in COMMERCIAL_TYPES:
                return PayerClass.COMMERCIAL, COMMERCIAL_TYPES[t]
        return PayerClass.COMMERCIAL, InsuranceType.COMMERCIAL_OTHER
    name = (payer_name or "").upper()
    if "MEDICARE" in name:
        warnings.append("no insurance type (EB04) sent; Medicare assumed from the payer name")
        return PayerClass.MEDICARE, InsuranceType.UNKNOWN
    if "MEDICAID" in name:
        warnings.append("no insurance type (EB04) sent; Medicaid assumed from the payer name")
        return PayerClass.MEDICAID, InsuranceType.UNKNOWN
    if active is False:
        return PayerClass.COMMERCIAL, InsuranceType.NONE
    warnings.append("no insurance type (EB04) sent; commercial assumed")
    return PayerClass.COMMERCIAL, InsuranceType.COMMERCIAL_OTHER if loops else InsuranceType.UNKNOWN


def _entity_name(eb: EBLoop) -> str | None:
    for ent in eb.entities:
        if ent.display_name:
            return ent.display_name
    return None


def _int(value: str) -> int | None:
    d = _decimal(value, "a quantity", [])
    return None if d is None else int(d)


def _medicare_deductible_remaining(loops: list[EBLoop], part: str) -> Decimal | None:
    """The EB06 29 row, else the plan amount (22/23/21/25/26/none) - year to date (24), like levels.py."""
    by_period: dict[str, Decimal] = {}
    for eb in loops:
        if eb.eb(1) == "C" and eb.eb(4) == part:
            amount = _money(eb.eb(7), "a deductible amount", [])
            if amount is not None:
                by_period.setdefault(eb.eb(6), amount)
    if "29" in by_period:
        return by_period["29"]
    total = next((by_period[p] for p in TOTAL_PERIODS if p in by_period), None)
    if total is not None and "24" in by_period:
        return max(total - by_period["24"], Decimal("0.00"))
    return None


def _medicare(loops: list[EBLoop], member_dates, warnings: list[str]) -> MedicareDetails:
    out: dict = {}
    for part, key in (("MA", "part_a"), ("MB", "part_b")):
        for eb in loops:
            if eb.eb(1) in codes.ACTIVE_CODES and eb.eb(4) == part:
                d = _row_dates(eb, member_dates)
                out[f"{key}_effective"] = _first(
                    d.get("307", (None, None))[0], d.get("346", (None, None))[0], d.get("356", (None, None))[0]
                )
                out[f"{key}_termination"] = _first(
                    d.get("307", (None, None))[1], d.get("347", (None, None))[0], d.get("357", (None, None))[0]
                )
                break
        out[f"{key}_deductible_remaining"] = _medicare_deductible_remaining(loops, part)
    limit = used = remaining = None
    all_msgs = [m for eb in loops for m in eb.messages]
    for eb in loops:
        if eb.eb(1) == "F" and _PSYCH_STCS.intersection(eb.service_types):
            q = _int(eb.eb(10))
            if q is None:
                continue
            if eb.eb(9) == "99" and eb.eb(6) in ("32", ""):
                used = q
            elif eb.eb(9) == "DY" and eb.eb(6) == "33":
                remaining = q
            elif eb.eb(9) == "DY" and eb.eb(6) == "32":
                limit = q
        if eb.eb(1) == "F" and eb.eb(6) == "26" and eb.eb(9) == "99" and {"48", "A7", "CG"} & set(eb.service_types):
            out["benefit_period_days_used"] = _int(eb.eb(10))
        if eb.eb(1) == "K" and eb.eb(9) in ("LA", "LE"):
            out["lifetime_reserve_days_remaining"] = _int(eb.eb(10))
    for m in all_msgs:
        hit = _PSYCH_MSG.search(m)
        if hit:
            if hit.group(1).upper() == "USED" and used is None:
                used = int(hit.group(2))
            elif hit.group(1).upper() == "REMAINING" and remaining is None:
                remaining = int(hit.group(2))
    if used is None and limit is not None and remaining is not None:
        used = limit - remaining
    if remaining is None and limit is not None and used is not None:
        remaining = max(limit - used, 0)
    if (used is None) != (remaining is None):
        warnings.append("psychiatric lifetime days: only one of used / remaining was sent")
    out["psychiatric_lifetime_days_used"] = used
    out["psychiatric_lifetime_days_remaining"] = remaining
    out["qmb"] = any(eb.eb(4) == "QM" for eb in loops) or any(_QMB.search(m) for m in all_msgs)
    for eb in loops:
        plan_name = None
        if eb.eb(4) == "HN":
            plan_name = _entity_name(eb) or eb.eb(5) or None
        elif eb.eb(1) in codes.ACTIVE_CODES and eb.eb(4) in ("MA", "MB") and eb.eb(5):
            plan_name = eb.eb(5)
        if plan_name and "advantage" not in out:
            out["advantage"] = MedicareAdvantagePlan(plan_name=plan_name, insurance_type_code=eb.eb(4) or None)
        if eb.eb(1) == "R" and eb.eb(4) != "HN":
            if eb.eb(4) == "MH":
                out["medigap_pays_part_a"] = True
            elif eb.eb(4) == "MI":
                out["medigap_pays_part_b_coinsurance"] = True
    return MedicareDetails(**out)


def _other_payers(loops: list[EBLoop]) -> list[OtherPayer]:
    """Every ``EB*R`` row naming another plan (order and type are read in full by the X12 issue's work)."""
    found: list[OtherPayer] = []
    for eb in loops:
        if eb.eb(1) == "R" and eb.eb(4) != "HN":
            name = _entity_name(eb) or eb.eb(5) or None
            if name:
                found.append(OtherPayer(name=name, insurance_type_code=eb.eb(4) or None))
    return found


def _medicaid(loops: list[EBLoop], warnings: list[str]) -> MedicaidDetails:
    plan = None
    for eb in loops:
        if eb.eb(1) == "MC":
            plan = _entity_name(eb) or eb.eb(5) or None
            if plan:
                break
    if plan is None:
        for eb in loops:
            if eb.eb(4) in ("MC", "HM") and eb.eb(1) != "R" and _entity_name(eb):
                plan = _entity_name(eb)
                break
    if plan is None:
        for eb in loops:
            if eb.eb(1) in codes.ACTIVE_CODES and eb.eb(4) == "HM" and eb.eb(5):
                plan = eb.eb(5)
                break
    texts = [m for eb in loops for m in eb.messages] + [eb.eb(5) for eb in loops if eb.eb(1) == "D" and eb.eb(5)]
    categories = set()
    state = None
    for t in texts:
        norm = " ".join(re.sub(r"[^A-Z0-9]+", " ", t.upper()).split())
        if "COST SHARING" in norm:
            tail = norm.split("COST SHARING", 1)[1]
            for phrase, cat in _CATEGORIES:
                if phrase in tail:
                    categories.add(cat)
                    break
        hit = _STATE_MSG.search(t.upper())
        if hit and state is None:
            state = hit.group(1)
    if not categories:
        for eb in loops:
            if eb.eb(1) in ("B", "C") and eb.eb(7) and _decimal(eb.eb(7), "an amount", []) == 0 and any(
                "EXEMPT" in m.upper() for m in eb.messages
            ):
                categories.add("exempt")
    category = None
    if len(categories) == 1:
        category = categories.pop()
    elif len(categories) > 1:
        warnings.append("the payer sent conflicting Medicaid cost-sharing categories; category left unknown")
    return MedicaidDetails(managed_care_plan=plan, cost_sharing_category=category, state=state)


def normalize_271(parsed: Parsed271, *, source: Source = Source.CLEARINGHOUSE_271) -> NormalizedBenefits:
    warnings = list(parsed.warnings)
    all_loops = parsed.all_benefits()
    patient = parsed.patient
    loops_for_levels = patient.benefits if patient and patient.benefits else all_loops
    if parsed.subscriber and parsed.dependent and parsed.subscriber.benefits and parsed.dependent.benefits:
        warnings.append("benefits were sent for both subscriber and dependent; levels use the dependent's")
    rows = [to_benefit_row(eb, warnings) for eb in all_loops]
    row_of = {id(eb): row for eb, row in zip(all_loops, rows)}
    level_rows = [row_of[id(eb)] for eb in loops_for_levels]
    rejections = [to_rejection(a) for a in parsed.all_rejections()]

    codes_sent = {eb.eb(1) for eb in all_loops}
    if codes_sent & codes.ACTIVE_CODES:
        active: bool | None = True
        if codes_sent & codes.INACTIVE_CODES:
            warnings.append("the payer sent both active and inactive coverage rows; read as active")
    elif codes_sent & codes.INACTIVE_CODES:
        active = False
    else:
        active = None
        if all_loops:
            warnings.append("no active (EB01 1-5) or inactive (6-8) row; coverage status unknown")

    payer_class, insurance_type = _insurance(all_loops, warnings, parsed.payer.name, active)

    member_dates = patient.dates if patient else []
    if patient is parsed.dependent and parsed.subscriber:
        member_dates = member_dates + parsed.subscriber.dates
    plan_row = next((eb for eb in all_loops if eb.eb(1) in codes.ACTIVE_CODES), None)
    d = _row_dates(None, member_dates)
    if plan_row:
        for q, v in _row_dates(plan_row, []).items():
            d.setdefault(q, v)
    plan_begin = _first(d.get("346", (None, None))[0], d.get("291", (None, None))[0])
    plan_end = _first(d.get("347", (None, None))[0], d.get("291", (None, None))[1])
    elig_begin = _first(d.get("356", (None, None))[0], d.get("307", (None, None))[0])
    elig_end = _first(d.get("357", (None, None))[0], d.get("307", (None, None))[1])

    refs = (patient.plan_refs if patient else []) + (
        parsed.subscriber.plan_refs if parsed.subscriber and patient is not parsed.subscriber else []
    )
    ref = {q: (v, desc) for q, v, desc in reversed(refs)}
    group_number = group_name = None
    if "6P" in ref:
        group_number, group_name = ref["6P"][0] or None, ref["6P"][1] or None
    elif "18" in ref:
        group_number = ref["18"][0] or None
    plan_name = next((eb.eb(5) for eb in all_loops if eb.eb(1) in codes.ACTIVE_CODES and eb.eb(5)), None)
    if plan_name is None:
        plan_name = (ref.get("18", ("", ""))[1] or None) or next((eb.eb(5) for eb in all_loops if eb.eb(5)), None)

    medicare = _medicare(all_loops, member_dates, warnings) if payer_class == PayerClass.MEDICARE else None
    medicaid = _medicaid(all_loops, warnings) if payer_class == PayerClass.MEDICAID else None
    if rejections and active is None:
        warnings.append("the payer rejected the request; see rejections")

    return NormalizedBenefits(
        source=source,
        active=active,
        payer_class=payer_class,
        insurance_type=insurance_type,
        payer_name=parsed.payer.name,
        payer_id=parsed.payer.id,
        plan_name=plan_name,
        group_number=group_number,
        group_name=group_name,
        plan_begin=plan_begin,
        plan_end=plan_end,
        eligibility_begin=elig_begin,
        eligibility_end=elig_end,
        patient_is_dependent=parsed.dependent is not None,
        levels=choose_levels(level_rows) if level_rows else [],
        benefit_rows=rows,
        rejections=rejections,
        medicare=medicare,
        medicaid=medicaid,
        other_payers=_other_payers(all_loops),
        warnings=warnings,
    )


def benefits_from_271(text: str, *, source: Source = Source.POSTED_271) -> NormalizedBenefits:
    """Tokenize, read and normalize a 271 (raises X12FormatError for non-X12 / non-271 text)."""
    return normalize_271(read_271(text), source=source)
