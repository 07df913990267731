"""271 -> :class:`NormalizedBenefits`.

Every EB row becomes a :class:`BenefitRow` (none dropped, unknown codes kept), every AAA a :class:`Rejection`
in plain words, and ``levels`` is filled by ``service/eligibility/levels.py``. The topics live beside this
module: ``rows`` (EB/AAA decoding), ``plan_type`` (program and plan type, commercial), ``medicare``
(Parts A/B, days, Medicare Advantage, Part D), ``medicaid``, ``other_payers`` (``EB*R`` with order) and
``contacts`` (2120 / PER numbers).

Whose rows: the patient's own loop (2100D/2110D for a dependent, else 2100C/2110C). When a dependent's loop
has no EB rows, the subscriber's are used for the plan design, but the subscriber's **individual**
accumulators (EB01 C/G, EB02 IND/EMP/none, EB06 29 remaining or 24 year to date) are not the dependent's:
they are left out of the levels, with a warning; family accumulators are kept.

Medicare Advantage: levels come only from the plan's own rows (not EB04 MA/MB, not ``EB*R``); none with an
amount or percent means no levels (pricing then asks for the plan's terms).

Status: active when an EB01 1-5 row is sent; inactive for 6-8; **rejected** (``active`` None, no levels)
when an AAA sits on the patient's own loop (2100C, or 2100D for a dependent), whatever EB rows follow.

Dates: ``plan_begin``/``eligibility_begin`` come from the first active row's own DTPs; the member loop's DTPs
are used only when they give a range or an explicit begin/end (346/347/356/357), never a single D8 date
that echoes the inquiry's date of service. Plan name: the Medicare Advantage plan, else the Medicaid MCO,
else the first active row's EB05, else the REF*18 description; never a limitation (EB01 F) or other row.
"""

from __future__ import annotations

from contracts.benefits import BenefitRow, NormalizedBenefits, PayerClass, Source
from service.eligibility.benefits.contacts import contacts_from_271
from service.eligibility.benefits.medicaid import medicaid_details
from service.eligibility.benefits.medicare import MEDICARE_TYPES, find_advantage, find_part_d, medicare_details
from service.eligibility.benefits.other_payers import other_payers
from service.eligibility.benefits.plan_type import classify
from service.eligibility.benefits.rows import (
    coverage_span, first, parse_d8, parse_date_value, row_dates, to_benefit_row, to_benefit_rows, to_rejection,
)
from service.eligibility.levels import INDIVIDUAL_LEVELS, choose_levels
from service.eligibility.x12 import codes
from service.eligibility.x12.reader_271 import EBLoop, Parsed271, read_271

__all__ = ["benefits_from_271", "check_status", "normalize_271", "parse_d8", "parse_date_value", "to_benefit_row",
           "to_rejection"]

_ACCUMULATOR_PERIODS = frozenset({"29", "24"})


def _subscriber_accumulator(row: BenefitRow) -> bool:
    return (row.code in ("C", "G") and (row.coverage_level or "") in INDIVIDUAL_LEVELS
            and (row.time_period or "") in _ACCUMULATOR_PERIODS)


def _status(parsed: Parsed271, loops: list[EBLoop], warnings: list[str]) -> bool | None:
    patient_loops = [m for m in (parsed.subscriber, parsed.dependent) if m]
    if any(m.rejections for m in patient_loops):
        if loops:
            warnings.append("the payer rejected the request on the patient's own loop (AAA); "
                            "the benefit rows that follow it are kept but not used")
        return None
    codes_sent = {eb.code for eb in loops}
    if codes_sent & codes.ACTIVE_CODES:
        if codes_sent & codes.INACTIVE_CODES:
            warnings.append("the payer sent both active and inactive coverage rows; read as active")
        return True
    if codes_sent & codes.INACTIVE_CODES:
        return False
    if loops:
        warnings.append("no active (EB01 1-5) or inactive (6-8) row; coverage status unknown")
    return None


def _member_dates(parsed: Parsed271) -> dict:
    """Member-level DTPs that state coverage (a range or an explicit begin/end), patient's loop first."""
    patient = parsed.patient
    dates: list[tuple[str, str, str]] = list(patient.dates) if patient else []
    if patient is parsed.dependent and parsed.subscriber:
        dates += parsed.subscriber.dates
    kept = [(q, f, v) for q, f, v in dates
            if q in ("346", "347", "356", "357") or parse_date_value(f, v)[1] is not None]
    return row_dates(kept)


def normalize_271(parsed: Parsed271, *, source: Source = Source.CLEARINGHOUSE_271) -> NormalizedBenefits:
    warnings = list(parsed.warnings)
    all_loops = parsed.all_benefits()
    patient = parsed.patient
    rows = to_benefit_rows(all_loops, warnings)
    rejections = [to_rejection(a) for a in parsed.all_rejections()]

    if patient is not None and patient.benefits:
        loops = patient.benefits
        level_rows = rows[len(all_loops) - len(loops):]  # all_loops: the subscriber's, then the dependent's
        if parsed.subscriber and parsed.dependent and parsed.subscriber.benefits:
            warnings.append("benefits were sent for both subscriber and dependent; levels use the dependent's")
    else:
        loops = all_loops
        level_rows = rows
        if parsed.dependent is not None and all_loops:
            level_rows = [r for r in rows if not _subscriber_accumulator(r)]
            if len(level_rows) != len(rows):
                warnings.append(
                    "the dependent's loop has no benefits: the subscriber's plan was used, but the subscriber's "
                    "individual deductible and out-of-pocket amounts met or remaining are not the dependent's "
                    "and were left out (family amounts kept); ask the payer for the dependent's own"
                )

    active = _status(parsed, loops, warnings)
    rejected_on_patient = active is None and any(m.rejections for m in (parsed.subscriber, parsed.dependent) if m)

    non_r_types = {eb.insurance_type for eb in loops if eb.code != "R"}
    medicare_answer = bool(non_r_types & MEDICARE_TYPES) or "MEDICARE" in (parsed.payer.name or "").upper()
    advantage_row = find_advantage(loops) if medicare_answer else None
    payer_class, insurance_type = classify(loops, warnings, parsed.payer.name, active, advantage_row is not None)
    is_medicare = payer_class == PayerClass.MEDICARE
    if advantage_row is not None:
        # The plan prices the care: Original Medicare's Part A/B rows (and other-payer rows) are not its terms.
        level_rows = [r for r in level_rows if r.insurance_type_code not in ("MA", "MB") and r.code != "R"]
        if not any(r.amount is not None or r.percent is not None for r in level_rows):
            level_rows = []
            warnings.append("Medicare Advantage: the answer carries none of the plan's own cost sharing")

    medicare = medicare_details(loops, warnings, advantage_row) if is_medicare else None
    medicaid = medicaid_details(loops, warnings) if payer_class == PayerClass.MEDICAID else None
    exclude = {id(eb) for eb in find_part_d(loops)} if is_medicare else set()
    if advantage_row is not None:
        exclude.add(id(advantage_row))
    others = other_payers(loops, answering_medicare=is_medicare, exclude=exclude)

    roles: dict[int, str | None] = {}
    for eb in loops:
        if eb.code == "R":
            for ent in eb.entities:
                roles[id(ent)] = "medicare_advantage_plan" if eb is advantage_row else None
    contacts = contacts_from_271(parsed.payer, loops, roles)

    member_d = _member_dates(parsed)
    plan_row = next((eb for eb in loops if eb.code in codes.ACTIVE_CODES and not eb.procedure), None)
    own = row_dates(plan_row.dates) if plan_row else {}
    plan_begin = first(*(d[q][0] for d in (own, member_d) for q in ("346", "291") if q in d))
    plan_end = first(*(v for d in (own, member_d) for v in (d.get("347", (None, None))[0],
                                                              d.get("291", (None, None))[1]) if v))
    elig_begin, elig_end = coverage_span({q: v for q, v in own.items() if q in ("307", "356", "357")})
    if elig_begin is None and elig_end is None:
        elig_begin, elig_end = coverage_span({q: v for q, v in member_d.items() if q in ("307", "356", "357")})

    refs = (patient.plan_refs if patient else []) + (
        parsed.subscriber.plan_refs if parsed.subscriber and patient is not parsed.subscriber else []
    )
    ref = {q: (v, desc) for q, v, desc in reversed(refs)}
    group_number = group_name = None
    if "6P" in ref:
        group_number, group_name = ref["6P"][0] or None, ref["6P"][1] or None
    elif "18" in ref and not is_medicare:
        group_number = ref["18"][0] or None
    plan_name = (
        (medicare.advantage.plan_name if medicare and medicare.advantage else None)
        or (medicaid.managed_care_plan if medicaid else None)
        # EB05 first: most rows have none (a cheaper test than the code's)
        or next((eb.elements[4] for eb in loops if eb.elements[4] and eb.code in codes.ACTIVE_CODES
                 and not eb.procedure), None)
        or (ref.get("18", ("", ""))[1] or None)
    )
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
        levels=choose_levels(level_rows) if level_rows and not rejected_on_patient else [],
        benefit_rows=rows,
        rejections=rejections,
        medicare=medicare,
        medicaid=medicaid,
        other_payers=others,
        contacts=contacts,
        warnings=warnings,
    )


def benefits_from_271(text: str, *, source: Source = Source.POSTED_271) -> NormalizedBenefits:
    """Tokenize, read and normalize a 271 (raises X12FormatError for non-X12 / non-271 text)."""
    return normalize_271(read_271(text), source=source)


def check_status(benefits: NormalizedBenefits) -> str:
    """A check's status from its benefits: active, inactive, rejected (the payer said why) or unknown."""
    if benefits.active is True:
        return "active"
    if benefits.active is False:
        return "inactive"
    return "rejected" if benefits.rejections else "unknown"
