"""Coordination of benefits: the primary plan prices the days, then each other plan, in payer order, pays part
of what is left of the patient's cost sharing. Pure.

Order (:func:`order_coverages`): Medicaid always pays last; an employer plan the Medicare answer names as
primary (Medicare Secondary Payer) goes before Medicare; for a child on both parents' commercial plans the
plan of the parent whose birthday (month and day) comes first in the year is primary (the birthday rule);
otherwise the benefits the estimate was asked for are primary, then the others as given.

What a later plan pays of one day's remaining cost sharing (:func:`coordinate`):

* **Medigap** by plan letter (``MEDIGAP_SHARES``): the share of the Part A deductible, Part A coinsurance,
  Part B deductible and Part B coinsurance it pays (K 50 %, L 75 %; only C and F pay the Part B deductible;
  N leaves the patient up to a $20 copay a day on Part B days). Medicare's own figures stay Medicare's.
* **Medicaid** pays the cost sharing only up to its own rate: ``min(cost sharing, max(0, Medicaid rate -
  paid so far))``; the provider may not bill a Medicaid member the rest (written off), beyond Medicaid's own
  copay (a QMB owes nothing at all).
* **Medicare as secondary** (MSP): ``min(Medicare's payment as if primary, Medicare allowed - paid so far,
  primary allowed - paid so far)``.
* **Commercial** (and an employer plan): standard COB pays ``min(its payment as if primary, what is left)``;
  non-duplication pays ``max(0, its payment as if primary - paid so far)``, at most what is left.

Only cost sharing on covered days is coordinated; days a plan does not cover, days past a limit and balance
bills stay with the patient (a note says so). Every day: primary + other plans + write-off + patient = allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import msgspec

from contracts.benefits import (CoverageOrder, Level, MedicaidDetails, NormalizedBenefits, OtherPayerKind, PayerClass,
                                Source)
from service.eligibility.rows_json import benefits_to_builtins
from service.errors import Unprocessable
from service.money import ZERO, cents, format_usd, percent_of
from service.pricing.engine import DayLine, Notes

HUNDRED = Decimal(100)

#: Share (percent) of each Medicare cost-sharing part a Medigap plan pays: (Part A deductible, Part A
#: coinsurance, Part B deductible, Part B coinsurance). Source: CMS, "Compare Medigap plan benefits"
#: (medicare.gov/health-drug-plans/medigap/basics/compare-plan-benefits) for plans A-N sold since June 2010;
#: E, H, I and J (no longer sold, still in force for some) as last standardized (1992/2010 chart).
MEDIGAP_SHARES: dict[str, tuple[int, int, int, int]] = {
    "A": (0, 100, 0, 100), "B": (100, 100, 0, 100), "C": (100, 100, 100, 100), "D": (100, 100, 0, 100),
    "E": (100, 100, 0, 100), "F": (100, 100, 100, 100), "G": (100, 100, 0, 100), "H": (100, 100, 0, 100),
    "I": (100, 100, 0, 100), "J": (100, 100, 100, 100), "K": (50, 100, 0, 50), "L": (75, 100, 0, 75),
    "M": (50, 100, 0, 100), "N": (100, 100, 0, 100),
}
#: Plan N's copay "up to $20 for some office visits" (same source); taken on each Part B program day.
PLAN_N_COPAY = Decimal("20.00")


class PrimaryTermsMissing(Unprocessable):
    slug, title = "primary-plan-terms-missing", "The primary plan's cost sharing is needed"


@dataclass(frozen=True, slots=True)
class Coverage:
    """One plan besides the primary, as the 271 named it or intake gave it (with its terms when known)."""

    name: str
    kind: OtherPayerKind
    order: CoverageOrder = CoverageOrder.UNKNOWN
    medigap_plan: str | None = None
    benefits: NormalizedBenefits | None = None
    method: str = "standard"  # or "non_duplication"
    #: False when the plan was only named (a 271's other-payer row): its own copays are not known.
    terms_known: bool = True
    subscriber_birthday: str | None = None  # "MM-DD", for the birthday rule


@dataclass(slots=True)
class PayerTotal:
    order: int
    name: str
    kind: str
    pays: Decimal = ZERO
    note: str | None = None


@dataclass(slots=True)
class Coordination:
    payers: list[PayerTotal] = field(default_factory=list)
    write_off: Decimal = ZERO


def plan_name(benefits: NormalizedBenefits) -> str:
    return benefits.payer_name or {PayerClass.MEDICARE: "Medicare", PayerClass.MEDICAID: "Medicaid"}.get(
        benefits.payer_class) or benefits.payer_id or "the plan"


def kind_of(benefits: NormalizedBenefits) -> OtherPayerKind:
    return {PayerClass.MEDICARE: OtherPayerKind.MEDICARE, PayerClass.MEDICAID: OtherPayerKind.MEDICAID}.get(
        benefits.payer_class, OtherPayerKind.COMMERCIAL)


def _md(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    month, day = text.split("-")
    return int(month), int(day)


def order_coverages(main: NormalizedBenefits, main_birthday: str | None, given: Sequence[Coverage],
                    notes: Notes) -> tuple[NormalizedBenefits, list[Coverage]]:
    """(the primary plan's benefits, the other plans in payer order). See the module docstring."""
    main_cov = Coverage(name=plan_name(main), kind=kind_of(main), benefits=main,
                        subscriber_birthday=main_birthday)
    with_terms = [c for c in given if c.benefits is not None]
    named = [c for c in given if c.benefits is None]
    primary = main_cov
    others = list(with_terms)
    msp = main.payer_class is PayerClass.MEDICARE and any(
        o.order is CoverageOrder.PRIMARY for o in main.other_payers)
    forced = [c for c in with_terms if c.order is CoverageOrder.PRIMARY]
    if msp and not forced:  # the plan Medicare names as primary, given without saying so
        forced = [c for c in with_terms if c.kind in (OtherPayerKind.EMPLOYER_GROUP, OtherPayerKind.COMMERCIAL)][:1]
    if msp or forced:
        if not forced:
            employer = next(o for o in main.other_payers if o.order is CoverageOrder.PRIMARY)
            raise PrimaryTermsMissing(
                f"{employer.name or 'Another plan'} pays before Medicare (Medicare Secondary Payer); its cost sharing "
                "is needed to price the care: add it to other_coverage (an eligibility_check_id or its benefits "
                "entered by hand) with order 'primary'.", field="$.other_coverage")
        primary = forced[0]
        others = [main_cov, *[c for c in with_terms if c is not forced[0]]]
        if msp:
            notes.assume(f"Medicare Secondary Payer: {primary.name} pays first, Medicare second")
    commercial = [c for c in [primary, *others] if c.kind in (OtherPayerKind.COMMERCIAL, OtherPayerKind.EMPLOYER_GROUP)]
    if len(commercial) >= 2 and main.patient_is_dependent and primary is main_cov:
        first, second = commercial[0], commercial[1]
        a, b = _md(first.subscriber_birthday), _md(second.subscriber_birthday)
        if a and b and b < a:
            primary, others = second, [first, *[c for c in others if c is not second]]
            notes.assume(f"birthday rule: the subscriber of {second.name} has the earlier birthday in the year "
                         f"({second.subscriber_birthday} before {first.subscriber_birthday}), so {second.name} is "
                         "primary for the child")
        elif a and b and a == b:
            notes.assume("birthday rule: both parents share a birthday; the plan that has covered the parent longer "
                         "is primary - assumed the order given")
        elif not (a and b):
            notes.assume("a child on two parents' plans: the birthday rule decides which is primary; both "
                         "subscribers' birthdays were not given, so the order given was kept")
    ordered = [c for c in [*others, *named] if c.kind is not OtherPayerKind.MEDICAID] + \
              [c for c in [*others, *named] if c.kind is OtherPayerKind.MEDICAID]
    if primary.kind is OtherPayerKind.MEDICAID:
        payer_first = next((c for c in ordered if c.benefits is not None and c.kind is not OtherPayerKind.MEDICAID),
                           None)
        if payer_first is not None:
            notes.assume(f"Medicaid pays last: {payer_first.name} is primary")
            ordered = [*(c for c in ordered if c is not payer_first), primary]
            primary = payer_first
    assert primary.benefits is not None
    return primary.benefits, ordered


def _take(line: DayLine, amount: Decimal, buckets: Sequence[str] = ("coinsurance", "copay", "deductible")) -> Decimal:
    """Move up to ``amount`` of the patient's cost sharing off the patient, from ``buckets`` in order."""
    taken = ZERO
    for bucket in buckets:
        have = getattr(line, bucket)
        part = min(have, amount - taken)
        if part > 0:
            setattr(line, bucket, have - part)
            taken += part
    return taken


def _share(line: DayLine) -> Decimal:
    return line.deductible + line.copay + line.coinsurance


def _medigap(lines: list[DayLine], level: Level, cov: Coverage, total: PayerTotal, notes: Notes) -> None:
    letter = cov.medigap_plan
    if letter is None:
        covered = sum((line.waived for line in lines), ZERO)
        if covered:
            total.pays += covered  # the Medicare answer said which parts it pays; already moved off the patient
            total.note = "as the Medicare answer reported"
        else:
            notes.warn(f"Medigap plan {cov.name}: its letter (A-N) is not known, so what it pays is not included; "
                       "ask the caller for the plan letter")
        return
    a_ded, a_coins, b_ded, b_coins = MEDIGAP_SHARES[letter]
    part_a = level is Level.INPATIENT
    ded_pct, coins_pct = (a_ded, a_coins) if part_a else (b_ded, b_coins)
    for line in lines:
        if line.allowed == 0:
            continue
        pays = cents(percent_of(line.deductible, Decimal(ded_pct))) + cents(percent_of(line.coinsurance,
                                                                                    Decimal(coins_pct)))
        keep_copay = ZERO
        if letter == "N" and not part_a and line.coinsurance:
            keep_copay = min(PLAN_N_COPAY, line.coinsurance)
            pays -= min(pays, keep_copay)
        ded_paid = min(line.deductible, cents(percent_of(line.deductible, Decimal(ded_pct))))
        line.deductible -= ded_paid
        line.coinsurance -= pays - ded_paid
        _record(line, total.order, pays)
        total.pays += pays
    if letter == "N" and not part_a:
        notes.assume("Medigap plan N: up to a $20.00 copay is assumed on each Part B program day (the plan's "
                     "office-visit copay); confirm with the plan")
    if letter in ("K", "L"):
        notes.warn(f"Medigap plan {letter} has a yearly out-of-pocket limit that is not applied here")


def _record(line: DayLine, order: int, amount: Decimal) -> None:
    if amount:
        line.other_paid[order] = line.other_paid.get(order, ZERO) + amount
        line.waived += amount


def _paid_so_far(line: DayLine) -> Decimal:
    return line.payer + sum(line.other_paid.values(), ZERO)


def _as_primary_days(lines: list[DayLine] | None) -> dict[dt.date, DayLine]:
    return {line.date: line for line in lines or []}


def coordinate(lines: list[DayLine], level: Level, primary_name: str, others: Sequence[Coverage], *,
               as_primary: Callable[[NormalizedBenefits], list[DayLine] | None], qmb: bool,
               notes: Notes) -> Coordination:
    """Let each plan in ``others`` pay its part of every day in ``lines`` (mutated; see the module docstring)."""
    result = Coordination(payers=[PayerTotal(order=1, name=primary_name, kind="primary")])
    for order, cov in enumerate(others, start=2):
        total = PayerTotal(order=order, name=cov.name + (f" (plan {cov.medigap_plan})" if cov.medigap_plan else ""),
                           kind=cov.kind.value)
        result.payers.append(total)
        if cov.kind is OtherPayerKind.MEDIGAP:
            _medigap(lines, level, cov, total, notes)
            continue
        if cov.kind is OtherPayerKind.PART_D:
            total.note = "a drug plan: pays nothing for facility care"
            continue
        if cov.kind is OtherPayerKind.MEDICAID:
            _medicaid(lines, cov, total, as_primary, qmb, result, notes)
            continue
        if cov.benefits is None:
            total.note = "not included: its cost sharing is not known"
            notes.warn(f"other coverage ({cov.name}) may pay part of the cost sharing; not included: run an "
                       "eligibility check for it or enter its benefits in other_coverage")
            continue
        theirs = _as_primary_days(as_primary(cov.benefits))
        if not theirs:
            total.note = "not included: what it pays could not be figured for this level"
            notes.warn(f"other coverage ({cov.name}): what it pays for this level could not be figured (its own "
                       "rules or rates refuse it); not included")
            continue
        medicare = cov.kind is OtherPayerKind.MEDICARE
        for line in lines:
            left = _share(line)
            own = theirs.get(line.date)
            if not left or own is None:
                continue
            paid = _paid_so_far(line)
            if medicare:
                pays = min(own.payer, own.allowed - paid, line.allowed - paid)
            elif cov.method == "non_duplication":
                pays = own.payer - paid
            else:
                pays = own.payer
            pays = _take(line, max(min(pays, left), ZERO))
            _record(line, order, pays)
            total.pays += pays
        what = "Medicare Secondary Payer rule" if medicare else (
            "non-duplication" if cov.method == "non_duplication" else "standard coordination of benefits")
        total.note = f"pays what is left, by the {what}"
    for line in lines:
        if line.other_paid or line.write_off:
            _relabel(line, result)
    if any(line.over_limit or line.not_covered or line.balance_bill for line in lines) and len(result.payers) > 1:
        notes.assume("the other plans are applied to cost sharing on covered days only; days not covered, days "
                     "past a limit and balance bills stay with the patient")
    return result


def _medicaid(lines: list[DayLine], cov: Coverage, total: PayerTotal,
              as_primary: Callable[[NormalizedBenefits], list[DayLine] | None], qmb: bool, result: Coordination,
              notes: Notes) -> None:
    own_lines = as_primary(cov.benefits if cov.benefits is not None else medicaid_placeholder(cov.benefits))
    theirs = _as_primary_days(own_lines)
    if not own_lines:
        notes.assume(f"{cov.name}: its rate is not known, so it is assumed to pay all the remaining cost sharing")
    if not cov.terms_known and not qmb:
        notes.assume(f"{cov.name}: Medicaid's own copay is not known: assumed $0.00")
    for line in lines:
        open_share = _share(line)
        # cost sharing already moved off the patient (QMB, by law) but not yet said who bears it
        unattributed = line.waived - sum(line.other_paid.values(), ZERO) - line.write_off
        base = open_share + unattributed
        if not base:
            continue
        own = theirs.get(line.date)
        room = max(own.allowed - _paid_so_far(line), ZERO) if own is not None else base
        pays = min(base, room)
        keeps = ZERO if qmb or own is None or not cov.terms_known else min(_share(own), open_share)
        _take(line, open_share - keeps)
        write_off = base - pays - keeps
        if pays:
            line.other_paid[total.order] = line.other_paid.get(total.order, ZERO) + pays
        line.write_off += write_off
        line.waived = sum(line.other_paid.values(), ZERO) + line.write_off
        total.pays += pays
        result.write_off += write_off
    total.note = "pays the cost sharing up to its own rate; the provider may not bill the rest"


def _relabel(line: DayLine, result: Coordination) -> None:
    names = {p.order: p.name for p in result.payers}
    parts = [f"{names[o]} pays {format_usd(a)}" for o, a in sorted(line.other_paid.items()) if a]
    if line.write_off:
        parts.append(f"{format_usd(line.write_off)} written off by the provider")
    share = _share(line)
    line.kind = "waived" if not share else "coordinated"  # runs of like days read as one line
    line.label = f"cost sharing after {names[1]} {format_usd(share + line.waived)} a day: {', '.join(parts)}; " \
                 f"you pay {format_usd(share)}"


def named_coverages(benefits: NormalizedBenefits, given: Sequence[Coverage]) -> list[Coverage]:
    """Plans the answer only names (``other_payers``), unless the request gave the same kind with its terms.

    A plan named as primary is left to :func:`order_coverages` (Medicare Secondary Payer), a drug plan is never a
    payer for facility care.
    """
    given_kinds = {c.kind for c in given}
    out = []
    for other in benefits.other_payers:
        if other.order is CoverageOrder.PRIMARY or other.kind is OtherPayerKind.PART_D or other.kind in given_kinds:
            continue
        out.append(Coverage(name=other.name or other.kind.value.replace("_", " "), kind=other.kind, order=other.order,
                            medigap_plan=other.medigap_plan, terms_known=False))
    return out


def medicaid_placeholder(_: NormalizedBenefits | None = None) -> NormalizedBenefits:
    """A named Medicaid plan's terms for pricing its rate: cost sharing exempt (its own copay is not known)."""
    return NormalizedBenefits(source=Source.MANUAL, active=True, payer_class=PayerClass.MEDICAID,
                              payer_name="Medicaid", medicaid=MedicaidDetails(cost_sharing_category="exempt"))


def without_medigap_flags(benefits: NormalizedBenefits, others: Sequence[Coverage]) -> NormalizedBenefits:
    """When a Medigap letter is known, the letter decides what it pays: the answer's yes/no flags are not applied
    on top (they would count it twice)."""
    if benefits.medicare is None or not any(c.kind is OtherPayerKind.MEDIGAP and c.medigap_plan for c in others):
        return benefits
    return msgspec.structs.replace(benefits, medicare=msgspec.structs.replace(
        benefits.medicare, medigap_pays_part_a=False, medigap_pays_part_b_coinsurance=False))


def coverage_of(benefits: NormalizedBenefits, *, order: str | None, method: str, birthday: str | None) -> Coverage:
    return Coverage(name=plan_name(benefits), kind=kind_of(benefits),
                    order=CoverageOrder(order) if order else CoverageOrder.UNKNOWN, benefits=benefits,
                    method=method, subscriber_birthday=birthday)


def coverage_to_dict(cov: Coverage) -> dict:
    """What an estimate stores to re-run its coordination (``reproduce``)."""
    return {"name": cov.name, "kind": cov.kind.value, "order": cov.order.value, "medigap_plan": cov.medigap_plan,
            "method": cov.method, "subscriber_birthday": cov.subscriber_birthday, "terms_known": cov.terms_known,
            "benefits": None if cov.benefits is None else benefits_to_builtins(cov.benefits)}


def coverage_from_dict(data: dict) -> Coverage:
    return Coverage(name=data["name"], kind=OtherPayerKind(data["kind"]), order=CoverageOrder(data["order"]),
                    medigap_plan=data["medigap_plan"], method=data["method"],
                    subscriber_birthday=data["subscriber_birthday"], terms_known=data["terms_known"],
                    benefits=None if data["benefits"] is None else msgspec.convert(
                        data["benefits"], NormalizedBenefits, strict=False))
