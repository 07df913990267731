"""Estimate engine throughput: a full three-level, 12-week estimate (engine only, no I/O).

Workload: commercial PPO in-network, IOP 3 days x 3 h x 12 weeks (36 days), PHP 5 x 6 h x
12 weeks (60 days), inpatient 84 days (12 weeks), deductible -> coinsurance -> OOP max, with
the per-day lines. Baseline: one level alone (IOP, 12 weeks). Also the same three levels for
Original Medicare (Part B + Part A with reserve days). Prints estimates/second and ratios.

Run: .venv/bin/python bench/estimate_engine.py
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contracts.benefits import (Accumulator, Level, LevelBenefits, MedicareDetails, Network,  # noqa: E402
                                NormalizedBenefits, PayerClass, Source)
from service.pricing.course import build_course, service_days  # noqa: E402
from service.pricing.estimate import PricingInput, estimate_levels  # noqa: E402
from service.pricing.program_figures import load_program_figures  # noqa: E402
from service.pricing.rates import load_demo_rates  # noqa: E402
from contracts.estimate import CourseOfCare  # noqa: E402

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


if __name__ == "__main__":
    main()
