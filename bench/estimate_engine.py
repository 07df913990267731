"""Estimate engine throughput: a full three-level, 12-week estimate (engine only, no I/O).

Workload: commercial PPO in-network, IOP 3 days x 3 h x 12 weeks (36 days), PHP 5 x 6 h x
12 weeks (60 days), inpatient 84 days (12 weeks), deductible -> coinsurance -> OOP max, with
the per-day lines. Baseline: one level alone (IOP, 12 weeks). Also the same three levels for
Original Medicare (Part B + Part A with reserve days). Prints estimates/second and ratios.

Last, the CPU time (``time.process_time``, which other processes' load does not inflate) of what
POST /v1/estimates computes in-process for bench/estimate_http.py's body, beside the database and the
HTTP layer: the request validated into courses, the engine with the program's federal holidays and packed
days (no per-day rows, as the service stores them), and each level's affordability section with the
default sliding fee and payment-plan rules (plans without their schedules).

Run: .venv/bin/python bench/estimate_engine.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import time
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contracts.benefits import (Accumulator, Level, LevelBenefits, MedicareDetails, Network,  # noqa: E402
                                NormalizedBenefits, PayerClass, Source)
from contracts.estimate import CourseOfCare  # noqa: E402
from service.pricing.course import build_course, service_days  # noqa: E402
from service.pricing.estimate import PricingInput, estimate_levels  # noqa: E402
from service.pricing.program_figures import load_program_figures  # noqa: E402
from service.pricing.rates import load_demo_rates  # noqa: E402

FIGURES = load_program_figures()
RATES = load_demo_rates()
START = dt.date(2026, 1, 5)


def course(level: Level, **kw):
    return build_course(CourseOfCare(level=level, **kw), level, default_start=START,
                        defaults=FIGURES.level_defaults[level], path="$.courses[0]")


THREE = PricingInput(courses=(course(Level.IOP, weeks=12), course(Level.PHP, weeks=12),
                              course(Level.INPATIENT, length_of_stay_days=84)))
ONE = PricingInput(courses=(course(Level.IOP, weeks=12),))
PPO = NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.COMMERCIAL, levels=[
    LevelBenefits(level=lv, network=Network.IN, covered=True,
                  deductible_individual=Accumulator(total=D(3000), remaining=D(2200)),
                  deductible_family=Accumulator(total=D(6000), remaining=D(5000)),
                  oop_max_individual=Accumulator(total=D(8000), remaining=D(7000)), coinsurance_percent=D(20))
    for lv in Level])
MEDICARE = NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.MEDICARE,
                              medicare=MedicareDetails(part_b_deductible_remaining=D(100)))


def rate(inp, benefits, seconds=1.5) -> float:
    estimate_levels(inp, benefits, RATES, FIGURES)  # warm
    n = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(20):
            estimate_levels(inp, benefits, RATES, FIGURES)
        n += 20
    return n / elapsed


def request_cpu_ms(estimates: int = 300) -> float:
    """CPU milliseconds per estimate of the in-process work of POST /v1/estimates (see the module docstring)."""
    import msgspec  # noqa: PLC0415

    from bench.estimate_http import BODY  # noqa: PLC0415
    from contracts.estimate import EstimateRequest  # noqa: PLC0415
    from service.eligibility.manual import benefits_from_manual  # noqa: PLC0415
    from service.pricing.closures import FEDERAL_HOLIDAYS  # noqa: PLC0415
    from service.pricing.estimate import pricing_input_from_request  # noqa: PLC0415
    from service.pricing.selfpay.affordability import (  # noqa: PLC0415
        AffordabilityConfig,
        SharedHouseholdFacts,
        affordability_for_level,
        household_for_affordability,
    )
    from service.pricing.selfpay.financial_assistance import load_policies  # noqa: PLC0415
    from service.pricing.selfpay.sliding_fee import default_schedule  # noqa: PLC0415
    from service.pricing.selfpay.store import DEFAULT_PLAN_RULES  # noqa: PLC0415
    from service.pricing.service import FIRST_PAYMENT_AFTER_DAYS, compute  # noqa: PLC0415

    request = msgspec.convert(BODY, EstimateRequest)
    benefits = benefits_from_manual(request.manual)
    config = AffordabilityConfig(organization_id="default", rules=DEFAULT_PLAN_RULES,
                                 schedule=default_schedule("default", effective_from=dt.date(1900, 1, 1)),
                                 policy=load_policies()["hrsa_sliding_fee"])
    as_of = dt.date.fromisoformat(BODY["as_of"])

    def once() -> None:
        inp = pricing_input_from_request(request, default_start=as_of, figures=FIGURES, benefits_as_of=as_of,
                                         calendar=FEDERAL_HOLIDAYS)
        packed: list = []
        comparison = compute(dataclasses.replace(inp, include_days=False), benefits, RATES, FIGURES,
                             packed_days=packed)
        household = household_for_affordability(request.household, income_matters=False)
        shared = SharedHouseholdFacts()
        for level, days in zip(comparison.estimates, packed, strict=True):
            affordability_for_level(level, household=household, config=config, on=level.first_service_date,
                                    self_pay=False, shared=shared, day_patient_pays=days.patient_pays(),
                                    first_due_date=level.first_service_date + dt.timedelta(FIRST_PAYMENT_AFTER_DAYS),
                                    with_schedules=False)

    once()  # warm
    start = time.process_time()
    for _ in range(estimates):
        once()
    return (time.process_time() - start) / estimates * 1000


def main() -> None:
    three = rate(THREE, PPO)
    one = rate(ONE, PPO)
    medicare = rate(THREE, MEDICARE)
    days = sum(len(service_days(c)) for c in THREE.courses)
    print(f"three-level 12-week estimate (PPO, {days} service days): {three:,.0f} estimates/s "
          f"({three * days:,.0f} priced days/s)")
    print(f"baseline one level (IOP 12 weeks, 36 days):           {one:,.0f} estimates/s")
    print(f"ratio three-level / one-level time: {one / three:.2f}x (service days ratio {days / 36:.2f}x)")
    print(f"three-level 12-week estimate (Original Medicare):    {medicare:,.0f} estimates/s "
          f"({three / medicare:.2f}x the PPO time)")
    print(f"POST /v1/estimates in-process work (bench/estimate_http.py body: engine with federal holidays, packed "
          f"days, affordability per level): {request_cpu_ms():.2f} ms CPU per estimate")


if __name__ == "__main__":
    main()
