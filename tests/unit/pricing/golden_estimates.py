"""A fixed, seeded set of estimates across the engine's paths, and their answers' digests as main gave them.

Each case is drawn from ``random.Random(seed)``: courses (levels, step-down phases, weeks, hybrid and telehealth
days, program closures, plan years crossed), a commercial plan design (deductibles, family and embedded,
copays per day, visit, admission or by day tier, coinsurance, maxima, limits, telehealth terms; in, out or both
networks; an emergency admission), Original Medicare (Part A/B days, reserve days, QMB, Medigap), Medicare
Advantage, Medicaid, other payers, an authorization, the practitioners' visits, self-pay and inactive coverage;
then the affordability section of every level under the three financial-assistance policies.

``digest(case)`` hashes everything an estimate answers and stores (the comparison with its per-day rows and
explanations, the packed days, each level's affordability section with its payment schedules, or the refusal),
so a change to how the engine works must leave every figure and every word as they were.

Regenerate the stored digests (only when a change of behaviour is meant):
``.venv/bin/python tests/unit/pricing/golden_estimates.py --write``
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sys
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import msgspec

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from contracts.benefits import NormalizedBenefits  # noqa: E402
from contracts.estimate import EstimateRequest  # noqa: E402
from service.errors import ProblemError  # noqa: E402
from service.pricing.closures import ProgramCalendar  # noqa: E402
from service.pricing.estimate import estimate_levels, pricing_input_from_request  # noqa: E402
from service.pricing.packed_days import PackedDays  # noqa: E402
from service.pricing.program_figures import load_program_figures  # noqa: E402
from service.pricing.rates import load_demo_rates  # noqa: E402
from service.pricing.selfpay.affordability import (  # noqa: E402
    AffordabilityConfig,
    SharedHouseholdFacts,
    affordability_for_level,
    discount_could_apply,
    household_for_affordability,
)
from service.pricing.selfpay.financial_assistance import government_payment, load_policies  # noqa: E402
from service.pricing.selfpay.sliding_fee import default_schedule  # noqa: E402

DIGESTS = Path(__file__).with_name("golden_estimates.json")
CASES = 360
#: Original Medicare inpatient stays long enough to pass days 60 and 90, use reserve days or reach the 190-day limit,
#: at the IPF per diem (the demo rates have no facility per diem), across federal fiscal years.
LONG_STAYS = range(10_000, 10_120)
FIGURES = load_program_figures()
RATES = load_demo_rates()
_encode = msgspec.json.Encoder(decimal_format="string").encode


def _money(r: random.Random, top: int) -> str:
    if r.random() < 0.4:
        return f"{r.randint(0, top // 50) * 50}.00"
    return f"{r.randint(0, top * 100) / 100:.2f}"


def _accumulator(r: random.Random, top: int) -> dict | None:
    if r.random() < 0.25:
        return None
    total = _money(r, top)
    remaining = None if r.random() < 0.15 else _money(r, int(D(total)) if r.random() < 0.8 else top)
    return {"total": total, "remaining": remaining}


def _level_benefits(r: random.Random, level: str, network: str) -> dict:
    lb: dict[str, Any] = {"level": level, "network": network,
                          "covered": r.choice([True, True, True, True, None, False])}
    for name, top in (("deductible_individual", 4000), ("deductible_family", 8000), ("oop_max_individual", 9000),
                      ("oop_max_family", 18000)):
        lb[name] = _accumulator(r, top)
    if r.random() < 0.7:
        lb["coinsurance_percent"] = str(r.choice([0, 10, 20, 30, 50, 100, r.randint(0, 100)]))
    if r.random() < 0.4:
        lb["copay"] = _money(r, 400)
        lb["copay_per"] = r.choice(["day", "visit", "admission", None])
    if r.random() < 0.15:
        first = r.randint(1, 6)
        lb["copay_tiers"] = [{"first_day": 1, "last_day": first, "amount": _money(r, 300)},
                             {"first_day": first + 1, "amount": _money(r, 100)}][: r.randint(1, 2)]
    if r.random() < 0.25:
        lb["limit"] = {"quantity": r.randint(0, 60), "unit": r.choice(["days", "visits", "hours"]),
                       "period": r.choice([None, "calendar_year", "lifetime"]),
                       "used": r.choice([None, r.randint(0, 30)]), "remaining": r.choice([None, r.randint(0, 60)])}
    lb["prior_authorization_required"] = r.choice([None, False, True])
    lb["deductible_applies"] = r.choice([None, None, True, False])
    lb["copay_with_coinsurance"] = r.choice([None, True, False])
    lb["family_deductible_embedded"] = r.choice([None, True, False])
    if r.random() < 0.3:
        lb["telehealth"] = {"copay": r.choice([None, _money(r, 80)]),
                            "coinsurance_percent": r.choice([None, "0", "10", "20"]),
                            "deductible_applies": r.choice([None, True, False])}
    return lb


def _other_payers(r: random.Random, medicare: bool) -> list[dict]:
    if r.random() < 0.7:
        return []
    kinds = ["medigap", "medicaid", "commercial"] if medicare else ["medicaid", "commercial"]
    kind = r.choice(kinds)
    payer: dict[str, Any] = {"order": r.choice(["secondary", "tertiary", "unknown", "primary"]), "kind": kind,
                             "name": f"OTHER {kind.upper()}"}
    if kind == "medigap":
        payer["medigap_plan"] = r.choice("ACDFGKLMN")
    return [payer]


def _benefits(r: random.Random, kind: str, levels: list[str]) -> dict | None:
    base: dict[str, Any] = {"source": r.choice(["clearinghouse_271", "manual"]), "active": True,
                            "plan_begin": r.choice([None, "2025-07-01", "2026-01-01", "2026-04-01"])}
    if r.random() < 0.1:
        base["eligibility_end"] = r.choice(["2026-02-15", "2026-03-31"])
    if kind == "commercial":
        networks = r.choice([["in"], ["in", "out"], ["both"], ["out"]])
        base.update(payer_class="commercial", insurance_type="commercial_ppo",
                    levels=[_level_benefits(r, level, net) for level in levels for net in networks],
                    other_payers=_other_payers(r, False))
    elif kind == "medicare":
        details: dict[str, Any] = {
            "part_b_deductible_remaining": r.choice([None, "0.00", "100.00", "283.00"]),
            "part_a_deductible_remaining": r.choice([None, "0.00", "1736.00"]),
            "benefit_period_days_used": r.choice([None, 0, 40, 58, 85]),
            "lifetime_reserve_days_remaining": r.choice([None, 0, 10, 60]),
            "psychiatric_lifetime_days_remaining": r.choice([None, 0, 30, 190]),
            "qmb": r.random() < 0.15,
        }
        base.update(payer_class="medicare",
                    insurance_type=r.choice(["medicare_part_a", "medicare_part_b", "unknown", "unknown"]),
                    medicare=details, other_payers=_other_payers(r, True))
    elif kind == "advantage":
        base.update(payer_class="medicare", insurance_type="medicare_advantage",
                    medicare={"advantage": {"plan_name": "ACME ADVANTAGE"}},
                    levels=[_level_benefits(r, level, "in") for level in levels])
    elif kind == "medicaid":
        base.update(payer_class="medicaid",
                    medicaid={"cost_sharing_category": r.choice([None, "standard", "exempt"]),
                              "state": r.choice([None, "OH", "CA", "TX", "NY"])},
                    levels=[_level_benefits(r, level, "in") for level in levels] if r.random() < 0.3 else [])
    elif kind == "inactive":
        base.update(payer_class="commercial", active=r.choice([False, None]))
    else:
        return None
    return base


_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _course(r: random.Random, level: str, medicare: bool) -> dict:
    if level == "inpatient":
        return {"level": level, "length_of_stay_days": r.choice([1, 3, 7, 14, 30, 45, 84, r.randint(1, 120)])}
    course: dict[str, Any] = {"level": level}
    days = r.randint(3, 5) if medicare else r.randint(1, 5)
    if r.random() < 0.25:
        course["phases"] = [{"weeks": r.randint(1, 6), "days_per_week": max(1, days - i),
                             "hours_per_day": str(r.choice([3, 4, 5, 6]))} for i in range(r.randint(2, 3))]
    else:
        course.update(weeks=r.randint(1, 14), days_per_week=days, hours_per_day=str(r.choice([3, 4] if medicare and level == "iop" else [4, 5, 6] if medicare else
                                                             [2, 3, 4, 6, "3.5"])))
    delivery = r.choice(["in_person", "in_person", "in_person", "hybrid", "telehealth"])
    course["delivery"] = delivery
    if delivery == "hybrid":
        if days < 2:
            course["delivery"] = "in_person"
        elif "phases" in course:
            course["delivery"] = "in_person"
        else:
            course["telehealth_days_per_week"] = r.randint(1, days - 1)
    if r.random() < 0.2:
        course["professional_visits"] = [{"code": r.choice(["99232", "99214"]), "visits": r.randint(1, 3)}]
    return course


def case(seed: int) -> tuple[dict, dict | None, ProgramCalendar]:
    """The request body, the benefits (None: self-pay) and the program calendar of case ``seed``."""
    r = random.Random(seed)
    levels = r.sample(["iop", "php", "inpatient"], r.randint(1, 3))
    kind = r.choice(["commercial"] * 5 + ["medicare"] * 2 + ["advantage", "medicaid", "medicaid", "self_pay",
                                                              "inactive"])
    start = dt.date(2026, 1, 5) + dt.timedelta(days=r.choice([0, 0, 3, 40, 150, 300, 340, r.randint(0, 700)]))
    body: dict[str, Any] = {"start_date": start.isoformat(), "levels": levels,
                            "courses": [_course(r, level, kind == "medicare") for level in levels]}
    if kind == "self_pay":
        body["self_pay"] = True
    else:
        body["eligibility_check_id"] = "chk-golden"
    if r.random() < 0.75 or kind == "self_pay":
        household = {"size": r.randint(1, 7), "state": r.choice(["OH", "CA", "AK", "HI", "NY"])}
        if r.random() < 0.5:
            household["annual_income"] = _money(r, 120000)
        else:
            household["monthly_income"] = _money(r, 10000)
        body["household"] = household
    if kind in ("commercial", "advantage"):
        body["network"] = r.choice([None, "in", "out", "both"])
    if r.random() < 0.15 and kind != "self_pay":
        body["authorization"] = {"number": "AUTH-1", "levels": [
            {"level": levels[0], "approved_days": r.randint(0, 40), "start": start.isoformat(),
             "end": (start + dt.timedelta(days=r.randint(10, 120))).isoformat()}],
            "next_review": (start + dt.timedelta(days=20)).isoformat(),
            "over_authorization": r.choice(["pending_review", "at_risk", "self_pay"])}
    if "inpatient" in levels and r.random() < 0.3:
        body["emergency_admission"] = {"through_emergency_department": True, "notice_and_consent_signed":
                                       r.choice([None, (start + dt.timedelta(days=2)).isoformat()])}
    if r.random() < 0.2:
        body["professional_services"] = True
    if r.random() < 0.1:
        body["use_lifetime_reserve_days"] = False
    if r.random() < 0.1:
        body["facility_type"] = r.choice(["freestanding_psychiatric_hospital", "general_hospital_psychiatric_unit", "hospital_outpatient"])
    closed = {}
    if r.random() < 0.3:
        for _ in range(r.randint(1, 4)):
            closed[start + dt.timedelta(days=r.randint(0, 60))] = r.choice(["staff training", ""])
    calendar = ProgramCalendar(federal_holidays=r.random() < 0.7, closed_dates=closed)
    return body, _benefits(r, kind, levels), calendar


def long_stay(seed: int) -> tuple[dict, dict | None, ProgramCalendar]:
    """Case ``seed`` of :data:`LONG_STAYS`: the request body, the Medicare benefits and no closures."""
    r = random.Random(seed)
    start = dt.date(2025, 8, 1) + dt.timedelta(days=r.randint(0, 900))
    body: dict[str, Any] = {"start_date": start.isoformat(), "levels": ["inpatient"], "eligibility_check_id": "chk",
                            "courses": [{"level": "inpatient",
                                         "length_of_stay_days": r.choice([30, 61, 75, 95, 120, 160, 200])}],
                            "use_lifetime_reserve_days": r.random() < 0.8}
    if r.random() < 0.7:
        body["facility_type"] = r.choice(["freestanding_psychiatric_hospital", "general_hospital_psychiatric_unit"])
    benefits = _benefits(r, "medicare", ["inpatient"])
    benefits["insurance_type"] = "unknown"
    benefits["medicare"]["medigap_pays_part_a"] = r.random() < 0.3
    return body, benefits, ProgramCalendar()


def _config(seed: int) -> AffordabilityConfig:
    from service.pricing.selfpay.store import DEFAULT_PLAN_RULES

    r = random.Random(seed * 7 + 1)
    schedule = default_schedule("default", effective_from=dt.date(1900, 1, 1))
    if r.random() < 0.4:
        schedule = msgspec.structs.replace(schedule, applies_to="self_pay_and_patient_responsibility")
    rules = DEFAULT_PLAN_RULES
    if r.random() < 0.3:
        rules = msgspec.structs.replace(rules, apr_percent=D(r.choice(["0", "4.5", "12"])),
                                        down_payment_percent=D(r.choice(["0", "10"])))
    policy = r.choice(["hrsa_sliding_fee", "hrsa_sliding_fee", "irs_501r_agb", "ca_hospital_fair_pricing"])
    return AffordabilityConfig(organization_id="default", schedule=schedule, rules=rules,
                               policy=load_policies()[policy])


def answer(seed: int) -> Any:
    """Everything case ``seed`` answers and stores (or the refusal), as plain values."""
    body, benefits_json, calendar = long_stay(seed) if seed in LONG_STAYS else case(seed)
    try:
        request = msgspec.convert(body, EstimateRequest)
        benefits = None if benefits_json is None else msgspec.convert(benefits_json, NormalizedBenefits)
        inp = pricing_input_from_request(request, default_start=dt.date(2026, 1, 5), figures=FIGURES,
                                         benefits_as_of=dt.date(2026, 1, 2), calendar=calendar)
        packed: list[PackedDays] = []
        comparison = estimate_levels(inp, benefits, RATES, FIGURES, packed_days=packed)
        config = _config(seed)
        household = household_for_affordability(
            request.household, income_matters=discount_could_apply(config, self_pay=request.self_pay))
        shared = SharedHouseholdFacts()
        sections = []
        for level, days in zip(comparison.estimates, packed, strict=True):
            for rows in (True, False):  # the sliding fee from the rows, and from the packed days' shares
                sections.append(affordability_for_level(
                    level if rows else msgspec.structs.replace(level, days=[]), household=household, config=config,
                    on=level.first_service_date, self_pay=request.self_pay,
                    first_due_date=level.first_service_date + dt.timedelta(days=30),
                    government=None if config.policy.uses_sliding_fee else government_payment(RATES, level),
                    shared=shared, day_patient_pays=None if rows else days.patient_pays(), with_schedules=rows))
        return msgspec.to_builtins([comparison, packed, sections])
    except (ProblemError, msgspec.ValidationError) as refused:
        return ["refused", type(refused).__name__, str(refused)]


SEEDS = [*range(CASES), *LONG_STAYS]


def digest(seed: int) -> str:
    return hashlib.sha256(_encode(answer(seed))).hexdigest()[:20]


def stored() -> dict[str, str]:
    return json.loads(DIGESTS.read_text())


if __name__ == "__main__":
    if "--write" in sys.argv:
        DIGESTS.write_text(json.dumps({str(seed): digest(seed) for seed in SEEDS}, indent=0) + "\n")
    elif "--show" in sys.argv:
        print(json.dumps(answer(int(sys.argv[-1])), indent=1, default=str))
