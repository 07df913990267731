"""Benefits entered by hand (heard from a payer's phone line) -> :class:`NormalizedBenefits`.

The in-network (and optional out-of-network) cost share applies to every level of care;
a :class:`ManualLevelOverride` replaces it for one level and network, except the plan-wide
deductible and out-of-pocket maximum (and whether the family deductible is embedded), which
it keeps unless it states its own. The result says
``source=manual`` and warns "benefits entered by hand".
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from contracts.benefits import (
    Accumulator, Level, LevelBenefits, Limit, Network, NormalizedBenefits, Source,
)
from contracts.eligibility import ManualAccumulator, ManualBenefitsEntry, ManualCostShare
from service.money import cents
from service.text import nul_paths

__all__ = ["ManualEntryError", "validate_manual_entry", "benefits_from_manual", "nul_errors"]

MANUAL_WARNING = "benefits entered by hand"


class ManualEntryError(ValueError):
    """Invalid manual entry. ``errors`` is [(field path, reason)]; ``field`` is the first path."""

    status = 422
    type = "manual-benefits-invalid"
    title = "The benefits entered are not consistent"

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        self.field = errors[0][0]
        self.detail = "; ".join(f"{f}: {r}" for f, r in errors)
        super().__init__(self.detail)


def nul_errors(value: object, path: str = "") -> list[tuple[str, str]]:
    """(path, reason) for every text holding U+0000 (PostgreSQL text and jsonb cannot store it)."""
    return [(found, "contains a NUL character") for found in nul_paths(value, path)]


def _money(value: Decimal | None, path: str, errors: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if not value.is_finite() or value < 0:
        errors.append((path, "must be a non-negative amount"))
    elif value != value.quantize(Decimal("0.01")):
        errors.append((path, "must be dollars and cents (at most two decimals)"))


def _dollars(value: Decimal | None) -> Decimal | None:
    """Validated money in the wire form: exactly two decimals ("3100" → "3100.00"); exact, no rounding."""
    return None if value is None else cents(value)


def _acc(acc: ManualAccumulator | None, path: str, errors: list[tuple[str, str]]) -> None:
    if acc is None:
        return
    _money(acc.total, f"{path}.total", errors)
    _money(acc.remaining, f"{path}.remaining", errors)
    if acc.total is not None and acc.remaining is not None and acc.remaining > acc.total:
        errors.append((f"{path}.remaining", "must not exceed the total"))


def _cost_share(cs: ManualCostShare, path: str, errors: list[tuple[str, str]]) -> None:
    for name in ("deductible_individual", "deductible_family", "oop_max_individual", "oop_max_family"):
        _acc(getattr(cs, name), f"{path}.{name}", errors)
    if cs.coinsurance_percent is not None and not (0 <= cs.coinsurance_percent <= 100):
        errors.append((f"{path}.coinsurance_percent", "must be between 0 and 100"))
    _money(cs.copay, f"{path}.copay", errors)
    if cs.copay is not None and cs.copay_per is None:
        errors.append((f"{path}.copay_per", "say whether the copay is per day, visit or admission"))
    last_day = 0
    for i, tier in enumerate(cs.copay_tiers):
        _money(tier.amount, f"{path}.copay_tiers[{i}].amount", errors)
        if tier.first_day <= last_day:
            errors.append((f"{path}.copay_tiers[{i}].first_day", "tiers must be in day order without overlap"))
        if tier.last_day is not None and tier.last_day < tier.first_day:
            errors.append((f"{path}.copay_tiers[{i}].last_day", "must not be before first_day"))
        if tier.last_day is None and i != len(cs.copay_tiers) - 1:
            errors.append((f"{path}.copay_tiers[{i}].last_day", "only the last tier may be open-ended"))
        last_day = tier.last_day if tier.last_day is not None else 10**9
    if cs.telehealth is not None:
        _money(cs.telehealth.copay, f"{path}.telehealth.copay", errors)
        pct = cs.telehealth.coinsurance_percent
        if pct is not None and not (0 <= pct <= 100):
            errors.append((f"{path}.telehealth.coinsurance_percent", "must be between 0 and 100"))
        if cs.telehealth.copay is not None and cs.telehealth.copay_per is None:
            errors.append((f"{path}.telehealth.copay_per", "say whether the copay is per day or visit"))


def validate_manual_entry(entry: ManualBenefitsEntry) -> None:
    """Raise :class:`ManualEntryError` listing every problem (field paths as in the JSON body)."""
    errors: list[tuple[str, str]] = nul_errors(entry)
    _cost_share(entry.in_network, "in_network", errors)
    if entry.out_of_network is not None:
        _cost_share(entry.out_of_network, "out_of_network", errors)
    seen = set()
    for i, ov in enumerate(entry.levels):
        _cost_share(ov.cost_share, f"levels[{i}].cost_share", errors)
        if (ov.level, ov.network) in seen:
            errors.append((f"levels[{i}]", "a second override for the same level and network"))
        seen.add((ov.level, ov.network))
    if entry.plan_begin and entry.plan_end and entry.plan_end < entry.plan_begin:
        errors.append(("plan_end", "must not be before plan_begin"))
    if entry.medicare is not None:
        m = entry.medicare
        _money(m.part_a_deductible_remaining, "medicare.part_a_deductible_remaining", errors)
        _money(m.part_b_deductible_remaining, "medicare.part_b_deductible_remaining", errors)
        for name in ("psychiatric_lifetime_days_used", "psychiatric_lifetime_days_remaining",
                     "lifetime_reserve_days_remaining", "benefit_period_days_used"):
            v = getattr(m, name)
            if v is not None and v < 0:
                errors.append((f"medicare.{name}", "must not be negative"))
        for part in ("a", "b"):
            begin, end = getattr(m, f"part_{part}_effective"), getattr(m, f"part_{part}_termination")
            if begin and end and end < begin:
                errors.append((f"medicare.part_{part}_termination", f"must not be before part_{part}_effective"))
    if entry.medicaid is not None and entry.medicaid.cost_sharing_category not in (
        None, "exempt", "at_or_below_100", "101_to_150", "above_150",
    ):
        errors.append(("medicaid.cost_sharing_category", "must be exempt, at_or_below_100, 101_to_150 or above_150"))
    for i, prof in enumerate(entry.professional):
        _money(prof.copay, f"professional[{i}].copay", errors)
        if prof.coinsurance_percent is not None and not 0 <= prof.coinsurance_percent <= 100:
            errors.append((f"professional[{i}].coinsurance_percent", "must be between 0 and 100"))
        if prof.copay is None and prof.coinsurance_percent is None:
            errors.append((f"professional[{i}]", "give the visit copay, the coinsurance or both"))
    if errors:
        raise ManualEntryError(errors)


def _to_acc(acc: ManualAccumulator | None) -> Accumulator | None:
    if acc is None or (acc.total is None and acc.remaining is None):
        return None
    return Accumulator(total=_dollars(acc.total), remaining=_dollars(acc.remaining))


def _level(level: Level, network: Network, cs: ManualCostShare, note: str) -> LevelBenefits:
    limit = None
    if cs.limit_quantity is not None:
        limit = Limit(quantity=cs.limit_quantity, unit=cs.limit_unit, period=cs.limit_period)
    return LevelBenefits(
        level=level,
        network=network,
        covered=cs.covered,
        deductible_individual=_to_acc(cs.deductible_individual),
        deductible_family=_to_acc(cs.deductible_family),
        oop_max_individual=_to_acc(cs.oop_max_individual),
        oop_max_family=_to_acc(cs.oop_max_family),
        coinsurance_percent=cs.coinsurance_percent,
        copay=_dollars(cs.copay),
        copay_per=cs.copay_per,
        limit=limit,
        prior_authorization_required=cs.prior_authorization_required,
        deductible_applies=cs.deductible_applies,
        copay_with_coinsurance=cs.copay_with_coinsurance,
        copay_tiers=[msgspec.structs.replace(t, amount=_dollars(t.amount)) for t in cs.copay_tiers],
        family_deductible_embedded=cs.family_deductible_embedded,
        telehealth=None if cs.telehealth is None else msgspec.structs.replace(
            cs.telehealth, copay=_dollars(cs.telehealth.copay), source=cs.telehealth.source or "entered by hand"),
        notes=[note],
    )


#: Plan-wide facts a per-level override inherits when it does not state them itself: a representative who
#: gives "inpatient: $500 per admission" has not said the deductible and out-of-pocket maximum went away.
_PLAN_WIDE = ("deductible_individual", "deductible_family", "oop_max_individual", "oop_max_family",
              "family_deductible_embedded")


def _with_plan_wide(override: ManualCostShare, plan_wide: ManualCostShare | None) -> ManualCostShare:
    if plan_wide is None:
        return override
    inherited = {name: getattr(plan_wide, name) for name in _PLAN_WIDE
                 if getattr(override, name) is None and getattr(plan_wide, name) is not None}
    return msgspec.structs.replace(override, **inherited) if inherited else override


def benefits_from_manual(entry: ManualBenefitsEntry) -> NormalizedBenefits:
    """Validate and convert. Raises :class:`ManualEntryError`."""
    validate_manual_entry(entry)
    overrides = {(ov.level, Network(ov.network)): ov.cost_share for ov in entry.levels}
    levels = []
    for level in Level:
        for network, plan_wide in ((Network.IN, entry.in_network), (Network.OUT, entry.out_of_network)):
            cs = overrides.get((level, network))
            if cs is not None:
                levels.append(_level(level, network, _with_plan_wide(cs, plan_wide),
                                     "entered by hand for this level (the plan-wide deductible and out-of-pocket "
                                     "maximum apply unless stated for it)"))
            elif plan_wide is not None:
                levels.append(_level(level, network, plan_wide, "entered by hand for the whole plan"))
    heard = entry.heard_from
    said = "heard from " + (f"payer representative {heard.representative_name}" if heard.representative_name
                            else "the payer")
    if heard.reference_number:
        said += f", call reference {heard.reference_number}"
    if heard.call_date:
        said += f", on {heard.call_date.isoformat()}"
    return NormalizedBenefits(
        source=Source.MANUAL,
        active=entry.active,
        payer_class=entry.payer_class,
        insurance_type=entry.insurance_type,
        payer_name=entry.payer_name,
        payer_id=entry.payer_id,
        plan_name=entry.plan_name,
        group_number=entry.group_number,
        plan_begin=entry.plan_begin,
        plan_end=entry.plan_end,
        patient_is_dependent=entry.patient_is_dependent,
        levels=levels,
        medicare=None if entry.medicare is None else msgspec.structs.replace(
            entry.medicare,
            part_a_deductible_remaining=_dollars(entry.medicare.part_a_deductible_remaining),
            part_b_deductible_remaining=_dollars(entry.medicare.part_b_deductible_remaining),
        ),
        medicaid=entry.medicaid,
        other_payers=[msgspec.structs.replace(o, source="manual") for o in entry.other_payers],
        contacts=list(entry.contacts),
        warnings=[MANUAL_WARNING, said, *entry.notes],
        professional=[msgspec.structs.replace(p, copay=_dollars(p.copay), source=p.source or "entered by hand")
                      for p in entry.professional],
    )
