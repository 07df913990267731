"""The read-aloud summary: short sentences, in the order intake staff say them to a caller.

Pure: contract values in, :class:`~contracts.read_aloud.SpokenLine` list out; no I/O, no clock.
Order (the issue's, and :mod:`contracts.read_aloud`'s): coverage and plan; what is left of the
deductible and out-of-pocket maximum; network; prior authorization and the number to call;
day/visit limits; Medicare psychiatric and reserve days; QMB "collect nothing"; the managed-care
plan and its number; per level total, per week, per treatment hour; the questions to ask next;
for self-pay callers the Good Faith Estimate right.

It never ranks the levels of care against each other: which level fits is a clinical decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from contracts.benefits import (
    Accumulator, Contact, InsuranceType, Level, LevelBenefits, Network, NormalizedBenefits, OtherPayerKind, PayerClass,
)
from contracts.estimate import (Delivery, EstimateComparison, EstimateRequest, LevelEstimate, NetworkPreference,
                                ProfessionalServices)
from contracts.read_aloud import SpokenLine, SpokenTopic
from service.eligibility.benefits import check_status
from service.money import format_usd

T = SpokenTopic

#: AAA reject reasons that mean "the member's identity did not match" (check the card and retry).
IDENTITY_REJECTIONS = frozenset({"75", "72", "73", "58", "71", "64", "65", "67", "77"})

_TYPE_WORDS = {
    InsuranceType.MEDICARE_PART_A: "Medicare Part A",
    InsuranceType.MEDICARE_PART_B: "Medicare Part B",
    InsuranceType.MEDICARE_PART_A_AND_B: "Medicare Part A and Part B",
    InsuranceType.MEDICARE_ADVANTAGE: "Medicare Advantage",
    InsuranceType.MEDICARE_SECONDARY: "Medicare as secondary payer",
    InsuranceType.MEDICAID_FFS: "Medicaid fee-for-service",
    InsuranceType.MEDICAID_MANAGED_CARE: "Medicaid managed care",
    InsuranceType.COMMERCIAL_PPO: "PPO",
    InsuranceType.COMMERCIAL_HMO: "HMO",
    InsuranceType.COMMERCIAL_EPO: "EPO",
    InsuranceType.COMMERCIAL_POS: "POS",
}
_AUTH_ROLES = ("prior_authorization", "utilization_management")
_PLAN_ROLES = ("member_services", "plan", "payer")
_LEVEL_ORDER = (Level.IOP, Level.PHP, Level.INPATIENT)
DELIVERY_WORDS = {Delivery.IN_PERSON: "", Delivery.TELEHEALTH: " by telehealth", Delivery.HYBRID: " (hybrid)"}


def level_name(level: Level) -> str:
    return "inpatient" if level is Level.INPATIENT else level.value.upper()


def _names(levels: Iterable[Level]) -> str:
    ordered = [level_name(lv) for lv in _LEVEL_ORDER if lv in set(levels)]
    return ordered[0] if len(ordered) == 1 else ", ".join(ordered[:-1]) + " and " + ordered[-1]


def _line(topic: SpokenTopic, text: str, level: Level | None = None, network: Network | None = None) -> SpokenLine:
    return SpokenLine(topic=topic, text=text[:1].upper() + text[1:], level=level, network=network)


def rejection_words(benefits: NormalizedBenefits) -> str:
    """Why the payer could not answer, in plain words (one sentence or two)."""
    payer = benefits.payer_name or "The payer"
    parts = []
    for rej in benefits.rejections:
        words = rej.reason or f"reject reason {rej.reason_code}"
        if rej.follow_up:
            words += f" ({rej.follow_up.lower()})"
        parts.append(words)
    text = f"{payer} could not answer: " + ("; ".join(dict.fromkeys(parts)) or "no reason given") + "."
    if any(r.reason_code in IDENTITY_REJECTIONS for r in benefits.rejections):
        text += " Check the member ID, name and date of birth against the insurance card and try again."
    return text



def _coverage(benefits: NormalizedBenefits) -> SpokenLine:
    payer = benefits.payer_name or "the payer"
    status = check_status(benefits)
    if status == "rejected":
        return _line(T.COVERAGE, rejection_words(benefits))
    if status == "inactive":
        return _line(T.COVERAGE, f"Coverage with {payer} is not active on the date of service.")
    if status == "unknown":
        return _line(T.COVERAGE, f"{payer} did not say whether coverage is active. Confirm by phone.")
    what = ", ".join(x for x in (benefits.plan_name, _TYPE_WORDS.get(benefits.insurance_type)) if x)
    text = f"Coverage with {payer} is active" + (f": {what}." if what else ".")
    if benefits.patient_is_dependent:
        text += " The patient is covered as a dependent."
    return _line(T.COVERAGE, text)


def _accumulator_words(acc: Accumulator | None) -> str | None:
    if acc is None or (acc.total is None and acc.remaining is None):
        return None
    if acc.total is None:
        return f"{format_usd(acc.remaining)} left"  # type: ignore[arg-type]
    if acc.remaining is None:
        return f"{format_usd(acc.total)}, amount met not reported"
    return f"{format_usd(acc.remaining)} left of {format_usd(acc.total)}"


def _network_levels(benefits: NormalizedBenefits, network: Network, levels: Sequence[Level]) -> list[LevelBenefits]:
    return [lb for lb in benefits.levels if lb.network is network and lb.level in levels]


def _accumulator_line(topic: SpokenTopic, title: str, rows: list[LevelBenefits], individual: str,
                      family: str) -> SpokenLine | None:
    """One sentence when every level shares the figures (the usual plan-level answer), else one part per level."""
    groups: dict[tuple[str | None, str | None], list[Level]] = {}
    for lb in rows:
        words = (_accumulator_words(getattr(lb, individual)), _accumulator_words(getattr(lb, family)))
        if words != (None, None):
            groups.setdefault(words, []).append(lb.level)
    if not groups:
        return None
    parts = []
    for (ind, fam), levels in groups.items():
        said = "; ".join(x for x in (ind and f"{ind} for the patient", fam and f"{fam} for the family") if x)
        parts.append(said if len(groups) == 1 else f"{_names(levels)}: {said}")
    return _line(topic, f"{title}: " + ". ".join(parts) + ".")


def _is_original_medicare(benefits: NormalizedBenefits) -> bool:
    return benefits.payer_class is PayerClass.MEDICARE and not (
        benefits.insurance_type is InsuranceType.MEDICARE_ADVANTAGE or (benefits.medicare and benefits.medicare.advantage))


def _deductible_and_oop(benefits: NormalizedBenefits, network: Network, levels: Sequence[Level]) -> list[SpokenLine]:
    out: list[SpokenLine] = []
    if _is_original_medicare(benefits):
        m = benefits.medicare
        parts = []
        if m and m.part_a_deductible_remaining is not None:
            parts.append(f"Part A deductible {format_usd(m.part_a_deductible_remaining)} left")
        if m and m.part_b_deductible_remaining is not None:
            parts.append(f"Part B deductible {format_usd(m.part_b_deductible_remaining)} left")
        if parts:
            out.append(_line(T.DEDUCTIBLE, ". ".join(parts) + "."))
        out.append(_line(T.OUT_OF_POCKET, "Original Medicare has no out-of-pocket maximum."))
        return out
    rows = _network_levels(benefits, network, levels)
    for line in (_accumulator_line(T.DEDUCTIBLE, "Deductible", rows, "deductible_individual", "deductible_family"),
                 _accumulator_line(T.OUT_OF_POCKET, "Out-of-pocket maximum", rows, "oop_max_individual",
                                   "oop_max_family")):
        if line is not None:
            out.append(line)
    return out


def _network(benefits: NormalizedBenefits, preference: NetworkPreference | None) -> SpokenLine | None:
    payer = benefits.payer_name or "the plan"
    if _is_original_medicare(benefits):
        return _line(T.NETWORK, "Original Medicare has no network: any provider that accepts Medicare.")
    if benefits.payer_class is PayerClass.MEDICAID:
        plan = benefits.medicaid.managed_care_plan if benefits.medicaid else None
        return _line(T.NETWORK, f"Confirm we are in {plan}'s network." if plan
                     else "Medicaid pays enrolled Medicaid providers only.")
    if preference is NetworkPreference.BOTH:
        return _line(T.NETWORK, f"Prices are shown in and out of {payer}'s network. Confirm which applies.")
    if preference is NetworkPreference.OUT:
        return _line(T.NETWORK, f"This estimate is for care out of {payer}'s network.")
    has_out = any(lb.network is Network.OUT for lb in benefits.levels)
    text = f"This is priced as in network with {payer}. Confirm we are in network."
    if has_out:
        text += " Out of network costs more."
    return _line(T.NETWORK, text)


def _phone_words(contact: Contact) -> str:
    ext = f" extension {contact.phone_extension}" if contact.phone_extension else ""
    return f"{contact.name} at {contact.phone}{ext}" if contact.name else f"{contact.phone}{ext}"


def _contact(benefits: NormalizedBenefits, roles: Sequence[str]) -> Contact | None:
    pools = [benefits.contacts]
    if benefits.medicare and benefits.medicare.advantage:
        pools.append(benefits.medicare.advantage.contacts)
    for role in roles:
        for pool in pools:
            for contact in pool:
                if contact.role == role and contact.phone:
                    return contact
    return None


def _prior_authorization(benefits: NormalizedBenefits, network: Network, levels: Sequence[Level]) -> SpokenLine | None:
    rows = _network_levels(benefits, network, levels)
    if not rows:
        return None
    required = [lb.level for lb in rows if lb.prior_authorization_required is True]
    unknown = [lb.level for lb in rows if lb.prior_authorization_required is None]
    number = _contact(benefits, (*_AUTH_ROLES, *_PLAN_ROLES))
    call = f"call {_phone_words(number)}" if number else "call the number on the member's card"
    if required:
        return _line(T.PRIOR_AUTHORIZATION, f"Prior authorization is required for {_names(required)}: {call}.")
    if unknown:
        return _line(T.PRIOR_AUTHORIZATION,
                     f"The payer did not say whether {_names(unknown)} {'needs' if len(unknown) == 1 else 'need'} "
                     f"prior authorization: {call} to ask.")
    return _line(T.PRIOR_AUTHORIZATION, "No prior authorization is required.")


def _limits(benefits: NormalizedBenefits, network: Network, levels: Sequence[Level]) -> list[SpokenLine]:
    out = []
    for lb in _network_levels(benefits, network, levels):
        limit = lb.limit
        if limit is None or (limit.quantity is None and limit.remaining is None):
            continue
        period = f" per {limit.period.replace('_', ' ')}" if limit.period else ""
        said = f"{limit.quantity} {limit.unit}{period}" if limit.quantity is not None else f"a {limit.unit} limit"
        if limit.remaining is not None:
            said += f", {limit.remaining} left"
        elif limit.used is not None:
            said += f", {limit.used} used"
        out.append(_line(T.LIMITS, f"{level_name(lb.level)} limit: {said}.", lb.level, lb.network))
    return out


def _medicare_days(benefits: NormalizedBenefits) -> list[SpokenLine]:
    m = benefits.medicare
    if m is None or not _is_original_medicare(benefits):
        return []
    parts = []
    if m.psychiatric_lifetime_days_remaining is not None:
        total = m.psychiatric_lifetime_days_total or 190
        parts.append(f"Psychiatric hospital days: {m.psychiatric_lifetime_days_remaining} left of the {total}-day "
                     "lifetime limit.")
    if m.lifetime_reserve_days_remaining is not None:
        parts.append(f"Lifetime reserve days: {m.lifetime_reserve_days_remaining} left.")
    if m.benefit_period_full_days_remaining is not None or m.benefit_period_coinsurance_days_remaining is not None:
        said = []
        if m.benefit_period_full_days_remaining is not None:
            said.append(f"{m.benefit_period_full_days_remaining} hospital days with no daily coinsurance")
        if m.benefit_period_coinsurance_days_remaining is not None:
            said.append(f"{m.benefit_period_coinsurance_days_remaining} coinsurance days")
        parts.append("This benefit period: " + " and ".join(said) + " left.")
    elif m.benefit_period_days_used is not None:
        parts.append(f"This benefit period: {m.benefit_period_days_used} inpatient days used.")
    return [_line(T.MEDICARE_DAYS, text) for text in parts]


def _qmb(benefits: NormalizedBenefits) -> SpokenLine | None:
    if benefits.medicare is None or not benefits.medicare.qmb:
        return None
    return _line(T.QMB, "The patient is a Qualified Medicare Beneficiary (QMB). Collect nothing from them for "
                        "Medicare deductibles, coinsurance or copays: by law, bill Medicaid instead.")


def _managed_care(benefits: NormalizedBenefits) -> SpokenLine | None:
    advantage = benefits.medicare.advantage if benefits.medicare else None
    if advantage is not None:
        name = advantage.plan_name or "a Medicare Advantage plan"
        contract = f" (contract {advantage.contract_number})" if advantage.contract_number else ""
        text = f"Medicare Advantage plan: {name}{contract}. The plan pays, not Original Medicare."
    elif benefits.medicaid and benefits.medicaid.managed_care_plan:
        text = f"Medicaid managed care plan: {benefits.medicaid.managed_care_plan}."
    else:
        return None
    number = _contact(benefits, ("member_services", "plan", *_AUTH_ROLES, "payer"))
    text += f" Call {_phone_words(number)}." if number else " Ask the plan for its provider services number."
    return _line(T.MANAGED_CARE, text)


def _level_line(estimate: LevelEstimate, show_network: bool) -> SpokenLine:
    name = level_name(estimate.level) + DELIVERY_WORDS[estimate.delivery]
    where = (" in network" if estimate.network is Network.IN else " out of network") if show_network else ""
    text = (f"{name}{where}: {format_usd(estimate.totals.patient_pays)} in all for {estimate.service_days} days. "
            f"That is {format_usd(estimate.patient_pays_per_week)} a week, "
            f"{format_usd(estimate.patient_pays_per_treatment_hour)} per treatment hour.")
    professional = estimate.professional
    if professional is not None and professional.patient_pays is not None:
        text += (f" That includes the {_practitioners(professional)} visits, about "
                 f"{format_usd(professional.patient_pays)}.")
    elif professional is not None:
        text += (f" The {_practitioners(professional)} visits are billed separately and are not in this amount: "
                 "ask the plan for its specialist visit terms.")
    section = estimate.affordability
    if section is not None and section.discount > 0 and section.financial_assistance is not None:
        text += f" Under the {section.financial_assistance.title}: {format_usd(section.balance_after_discount)}."
    elif section is not None and section.discount > 0:
        text += f" After the sliding-fee discount: {format_usd(section.balance_after_discount)}."
    if section is not None and section.payment_plans:
        longest = section.payment_plans[-1]
        text += (f" Payment plans from {format_usd(longest.regular_payment)} a month "
                 f"over {longest.term_months} months.")
    return _line(T.LEVEL, text, estimate.level, estimate.network)


def _practitioners(section: ProfessionalServices) -> str:
    """Whose visits, possessive: "psychiatrist's" for one kind of practitioner, else "practitioners'"."""
    kinds = {line.practitioner for line in section.lines}
    return f"{kinds.pop()}'s" if len(kinds) == 1 else "practitioners'"


def _questions(benefits: NormalizedBenefits | None, *, household_known: bool, asks_inpatient: bool,
               facility_known: bool) -> list[SpokenLine]:
    out = []
    if not household_known:
        out.append(_line(T.NEXT_QUESTION, "Ask: how many people live in the household, and what is its yearly "
                                          "income? A sliding-scale discount may apply."))
    if benefits is not None and benefits.active is True:
        kinds = {o.kind for o in benefits.other_payers}
        if not benefits.other_payers:
            out.append(_line(T.NEXT_QUESTION, "Ask: does the patient have a second health plan, such as from an "
                                              "employer, a spouse or Medicaid?"))
        if (_is_original_medicare(benefits) and not (benefits.medicare and benefits.medicare.qmb)
                and not kinds & {OtherPayerKind.MEDIGAP, OtherPayerKind.MEDICAID, OtherPayerKind.EMPLOYER_GROUP}):
            out.append(_line(T.NEXT_QUESTION, "Ask: does the patient have a Medicare supplement (Medigap) plan?"))
        if benefits.payer_class is PayerClass.MEDICARE and asks_inpatient and not facility_known:
            out.append(_line(T.NEXT_QUESTION, "Ask: would inpatient care be in a freestanding psychiatric hospital or "
                                              "a general hospital's psychiatric unit? The 190-day limit applies "
                                              "to the first only."))
    return out


GOOD_FAITH_ESTIMATE_RIGHT = (
    "You have the right to a Good Faith Estimate in writing of what your care will cost. If your bill is $400 or "
    "more above it, you can dispute the bill."
)


def for_check(benefits: NormalizedBenefits) -> list[SpokenLine]:
    """What to read out after an eligibility check (before any estimate)."""
    lines = [_coverage(benefits)]
    if check_status(benefits) in ("rejected", "unknown"):  # fix the request or ask the payer first; nothing else holds
        return lines
    if benefits.active is True:
        lines += _insured_lines(benefits, Network.IN, _LEVEL_ORDER, None)
    lines += _questions(benefits, household_known=False, asks_inpatient=True, facility_known=False)
    return lines


def _insured_lines(benefits: NormalizedBenefits, network: Network, levels: Sequence[Level],
                   preference: NetworkPreference | None) -> list[SpokenLine]:
    lines = _deductible_and_oop(benefits, network, levels)
    lines += [x for x in (_network(benefits, preference), _prior_authorization(benefits, network, levels)) if x]
    lines += _limits(benefits, network, levels)
    lines += _medicare_days(benefits)
    return lines + [x for x in (_qmb(benefits), _managed_care(benefits)) if x]


def for_estimate(benefits: NormalizedBenefits | None, comparison: EstimateComparison,
                 request: EstimateRequest) -> list[SpokenLine]:
    """What to read out with an estimate: coverage, then each level, then what to ask and the caller's rights."""
    levels = [e.level for e in comparison.estimates]
    self_pay = request.self_pay or benefits is None
    if self_pay:
        lines = [_line(T.COVERAGE, "No insurance is used: this estimate is at our self-pay prices.")]
    else:
        lines = [_coverage(benefits)]  # type: ignore[arg-type]
        if benefits.active is True:  # type: ignore[union-attr]
            network = Network.OUT if request.network is NetworkPreference.OUT else Network.IN
            lines += _insured_lines(benefits, network, levels, request.network)  # type: ignore[arg-type]
    networks = {e.network for e in comparison.estimates}
    lines += [_level_line(e, show_network=len(networks) > 1) for e in comparison.estimates]
    household = request.household
    lines += _questions(None if self_pay else benefits,
                        household_known=household is not None and (household.annual_income is not None
                                                                    or household.monthly_income is not None),
                        asks_inpatient=Level.INPATIENT in levels,
                        facility_known=request.facility_type is not None)
    if self_pay:
        lines.append(_line(T.GOOD_FAITH_ESTIMATE, GOOD_FAITH_ESTIMATE_RIGHT))
    return lines


def as_text(lines: Sequence[SpokenLine]) -> str:
    return " ".join(line.text for line in lines)


__all__ = ["GOOD_FAITH_ESTIMATE_RIGHT", "as_text", "for_check", "for_estimate", "level_name",
           "rejection_words"]
