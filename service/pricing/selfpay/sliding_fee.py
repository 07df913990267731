"""Sliding fee discounts in the HRSA health-center style (see reference/sliding-fee.md).

A schedule (``contracts.selfpay.SlidingFeeSchedule``) is a list of tiers with inclusive
upper bounds in percent of poverty. The tier is chosen on the *exact* ratio from
:mod:`.poverty`, so 100.00 % is tier A and 100.0001 % is tier B. HRSA requires a full
discount at or below 100 % (a flat nominal charge may be collected), which
:func:`validate_schedule` enforces for every tier that reaches below 100 %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from contracts.selfpay import AppliesTo, SlidingFeeResult, SlidingFeeSchedule, SlidingFeeTier, TierKind
from service.errors import FieldError, InvalidInput, Unprocessable
from service.money import ZERO, cents, format_usd, percent_of
from service.pricing.selfpay.poverty import FplDetermination

HUNDRED = Decimal(100)


class ScheduleInvalid(InvalidInput):
    slug, title = "invalid-sliding-fee-schedule", "The sliding fee schedule is not valid"


class SlidingFeeNotApplicable(Unprocessable):
    slug, title = "sliding-fee-not-applicable", "The sliding fee schedule cannot be applied"


def default_schedule(
    organization_id: str = "example", *, effective_from: dt.date = dt.date(2025, 1, 15)
) -> SlidingFeeSchedule:
    """The EXAMPLE table from sliding-fee.md (marked ``is_example``): an organization sets its own.

    The $20 nominal charge is the example's figure, not a federal amount.
    """
    def pct(code: str, label: str, upto: int, pays: int) -> SlidingFeeTier:
        return SlidingFeeTier(
            code=code, label=label, max_percent_fpl=Decimal(upto),
            kind=TierKind.PERCENT_OF_CHARGE, patient_pays_percent=Decimal(pays),
        )

    return SlidingFeeSchedule(
        organization_id=organization_id,
        name="Example HRSA-style sliding fee schedule (EXAMPLE ONLY)",
        effective_from=effective_from,
        effective_to=None,
        applies_to=AppliesTo.SELF_PAY_ONLY,
        proof_of_income_required=True,
        is_example=True,
        tiers=[
            SlidingFeeTier(
                code="A", label="Full discount, nominal charge", max_percent_fpl=Decimal(100),
                kind=TierKind.NOMINAL_PER_DAY, nominal_amount=Decimal("20.00"),
            ),
            pct("B", "75 % discount", 125, 25),
            pct("C", "60 % discount", 150, 40),
            pct("D", "40 % discount", 175, 60),
            pct("E", "20 % discount", 200, 80),
            SlidingFeeTier(code="F", label="No sliding discount", max_percent_fpl=None, kind=TierKind.FULL_CHARGE),
        ],
    )


def schedule_errors(schedule: SlidingFeeSchedule) -> list[FieldError]:
    """Every problem with a schedule, each naming its field path; empty when valid."""
    errors: list[FieldError] = []

    def err(path: str, reason: str) -> None:
        errors.append(FieldError(field=path, reason=reason))

    if not schedule.organization_id.strip():
        err("$.organization_id", "must not be empty")
    if not schedule.name.strip():
        err("$.name", "must not be empty")
    if schedule.effective_to is not None and schedule.effective_to < schedule.effective_from:
        err("$.effective_to", "must be on or after effective_from")
    if not schedule.tiers:
        err("$.tiers", "at least one tier is required")
        return errors

    seen_codes: set[str] = set()
    previous_max: Decimal | None = ZERO
    last = len(schedule.tiers) - 1
    for i, tier in enumerate(schedule.tiers):
        at = f"$.tiers[{i}]"
        if not tier.code.strip():
            err(f"{at}.code", "must not be empty")
        elif tier.code in seen_codes:
            err(f"{at}.code", f"duplicate tier code {tier.code!r}")
        seen_codes.add(tier.code)

        upper = tier.max_percent_fpl
        if upper is None:
            if i != last:
                err(f"{at}.max_percent_fpl", "only the last tier may have no upper bound")
        else:
            if not upper.is_finite() or upper <= 0:
                err(f"{at}.max_percent_fpl", "must be a percent above 0")
            elif previous_max is not None and upper <= previous_max:
                err(f"{at}.max_percent_fpl", f"must be above the previous tier's bound ({previous_max})")
            if i == last:
                err(f"{at}.max_percent_fpl", "the last tier must have no upper bound (null) so every income has a tier")

        if tier.kind is TierKind.NOMINAL_PER_DAY:
            if tier.nominal_amount is None:
                err(f"{at}.nominal_amount", "required for a nominal_per_day tier")
            elif not tier.nominal_amount.is_finite() or tier.nominal_amount < 0:
                err(f"{at}.nominal_amount", "must be 0 or more")
            if tier.patient_pays_percent is not None:
                err(f"{at}.patient_pays_percent", "not used by a nominal_per_day tier; leave it null")
        elif tier.kind is TierKind.PERCENT_OF_CHARGE:
            p = tier.patient_pays_percent
            if p is None:
                err(f"{at}.patient_pays_percent", "required for a percent_of_charge tier")
            elif not p.is_finite() or p < 0 or p > HUNDRED:
                err(f"{at}.patient_pays_percent", "must be between 0 and 100")
            if tier.nominal_amount is not None:
                err(f"{at}.nominal_amount", "not used by a percent_of_charge tier; leave it null")
        else:
            if tier.nominal_amount is not None or tier.patient_pays_percent is not None:
                err(f"{at}.kind", "a full_charge tier takes neither nominal_amount nor patient_pays_percent")

        # HRSA: anyone at or below 100 % of poverty gets a full discount (a nominal charge may be collected).
        lower = previous_max
        reaches_below_100 = lower is not None and lower < HUNDRED
        full_discount = tier.kind is TierKind.NOMINAL_PER_DAY or (
            tier.kind is TierKind.PERCENT_OF_CHARGE and tier.patient_pays_percent == 0
        )
        if reaches_below_100 and not full_discount:
            err(
                f"{at}.kind",
                "incomes at or below 100 % of poverty must get a full discount (nominal_per_day, or "
                "percent_of_charge with patient_pays_percent 0), per HRSA",
            )
        previous_max = upper if upper is not None and upper.is_finite() else None
    return errors


def validate_schedule(schedule: SlidingFeeSchedule) -> SlidingFeeSchedule:
    """Return the schedule unchanged, or raise :class:`ScheduleInvalid` listing every error."""
    errors = schedule_errors(schedule)
    if errors:
        raise ScheduleInvalid("; ".join(f"{e.field}: {e.reason}" for e in errors), errors=errors)
    return schedule


def schedule_in_effect(schedule: SlidingFeeSchedule, on: dt.date) -> bool:
    return schedule.effective_from <= on and (schedule.effective_to is None or on <= schedule.effective_to)


def applies(schedule: SlidingFeeSchedule, *, self_pay: bool) -> bool:
    """Whether the schedule discounts this patient's charges (self-pay, or insured patient responsibility)."""
    return self_pay or schedule.applies_to is AppliesTo.SELF_PAY_AND_PATIENT_RESPONSIBILITY


def tier_for(schedule: SlidingFeeSchedule, percent_exact: Fraction) -> tuple[int, SlidingFeeTier]:
    """(index, tier) for an exact percent of poverty; upper bounds are inclusive."""
    for i, tier in enumerate(schedule.tiers):
        if tier.max_percent_fpl is None or percent_exact <= Fraction(tier.max_percent_fpl):
            return i, tier
    raise ScheduleInvalid("no tier covers this income; the last tier must be unbounded", field="$.tiers")


def _pct_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def tier_range_text(schedule: SlidingFeeSchedule, index: int) -> str:
    tier = schedule.tiers[index]
    lower = schedule.tiers[index - 1].max_percent_fpl if index > 0 else None
    if tier.max_percent_fpl is None:
        return f"above {_pct_text(lower)} % FPL" if lower is not None else "any income"
    return f"{_pct_text(lower) if lower is not None else '0'}–{_pct_text(tier.max_percent_fpl)} % FPL"


def apply_sliding_fee(
    schedule: SlidingFeeSchedule,
    determination: FplDetermination,
    charges: Decimal | Sequence[Decimal],
    *,
    service_days: int | None = None,
    proof_of_income_seen: bool,
    on: dt.date | None = None,
) -> SlidingFeeResult:
    """Apply the schedule to gross charges.

    ``charges`` is either the gross charge per service day (a sequence; ``service_days``
    defaults to its length) or a total (then ``service_days`` is required for nominal tiers).
    ``on`` is the date the schedule must be in effect (the date of service); default the
    determination date. The patient never pays more than the charge itself.
    """
    validate_schedule(schedule)
    when = on or determination.determination_date
    if not schedule_in_effect(schedule, when):
        raise SlidingFeeNotApplicable(
            f"schedule {schedule.name!r} is not in effect on {when.isoformat()}", field="$.schedule.effective_from"
        )

    scalar = not isinstance(charges, Sequence)
    if any(isinstance(c, float) for c in ([charges] if scalar else charges)):  # type: ignore[list-item]
        raise InvalidInput("charges must be Decimal, not float", field="$.charges")
    per_day: list[Decimal] | None
    if scalar:
        per_day = None
        total = Decimal(charges)  # type: ignore[arg-type]
    else:
        per_day = [Decimal(c) for c in charges]
        total = sum(per_day, ZERO)
        if service_days is None:
            service_days = len(per_day)
        elif service_days != len(per_day):
            raise InvalidInput(
                f"service_days ({service_days}) differs from the number of daily charges ({len(per_day)})",
                field="$.service_days",
            )
    if not total.is_finite() or total < 0 or (per_day and any(c < 0 for c in per_day)):
        raise InvalidInput("charges must be 0 or more", field="$.charges")
    total = cents(total)

    index, tier = tier_for(schedule, determination.percent_exact)
    range_text = tier_range_text(schedule, index)
    head = f"Tier {tier.code} ({range_text})"

    if tier.kind is TierKind.NOMINAL_PER_DAY:
        if service_days is None or service_days < 0:
            raise InvalidInput("service_days is required for a nominal per-day charge", field="$.service_days")
        nominal = cents(tier.nominal_amount or ZERO)
        if per_day is not None:
            # Capped day by day: a day that costs less than the nominal charge costs the patient only that day's charge.
            patient = sum((min(nominal, cents(c)) for c in per_day), ZERO)
        else:
            patient = min(nominal * service_days, total)
        patient = cents(patient)
        capped = " (capped at the charge)" if patient < nominal * service_days else ""
        explanation = (
            f"{head}: full discount; you pay a nominal {format_usd(nominal)} a day × {service_days} "
            f"day{'s' if service_days != 1 else ''} = {format_usd(patient)}{capped} instead of {format_usd(total)}"
        )
    elif tier.kind is TierKind.PERCENT_OF_CHARGE:
        pays = tier.patient_pays_percent or ZERO
        patient = cents(percent_of(total, pays))
        explanation = f"{head}: you pay {_pct_text(pays)} % of {format_usd(total)} = {format_usd(patient)}"
    else:
        patient = total
        explanation = f"{head}: no sliding discount; you pay the full charge of {format_usd(total)}"

    warnings: list[str] = []
    provisional = schedule.proof_of_income_required and not proof_of_income_seen
    if provisional:
        warnings.append(
            "Proof of income has not been seen and this schedule requires it: the discount is provisional "
            "and may change once income is verified."
        )
    if schedule.is_example:
        warnings.append("This is the example schedule, not the organization's own sliding fee schedule.")

    return SlidingFeeResult(
        organization_id=schedule.organization_id,
        schedule_name=schedule.name,
        schedule_is_example=schedule.is_example,
        guideline_year=determination.guideline_year,
        percent_of_poverty=determination.percent,
        tier_code=tier.code,
        tier_label=tier.label,
        tier_kind=tier.kind,
        tier_lower_percent_fpl=schedule.tiers[index - 1].max_percent_fpl if index > 0 else None,
        tier_max_percent_fpl=tier.max_percent_fpl,
        service_days=service_days or 0,
        gross_charge=total,
        discount=cents(total - patient),
        patient_amount=patient,
        patient_pays_percent=tier.patient_pays_percent,
        nominal_amount=cents(tier.nominal_amount) if tier.nominal_amount is not None else None,
        provisional=provisional,
        explanation=explanation,
        warnings=warnings,
    )
