"""Shared builders for the pricing unit tests (test rates are round numbers, not demo rates)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import msgspec

from contracts.benefits import (Accumulator, Level, LevelBenefits, Limit, MedicaidDetails, MedicareDetails, Network,
                                NormalizedBenefits, PayerClass, Source)
from contracts.estimate import CourseOfCare, EstimateRequest, FacilityType, NetworkPreference
from service.pricing.estimate import PricingInput, estimate_levels, pricing_input_from_request
from service.pricing.program_figures import load_program_figures
from service.pricing.rates import LevelRates, RateTable

FIGURES = load_program_figures()
MON_2026_01_05 = dt.date(2026, 1, 5)

RATES = RateTable(version="test-1", effective_date=dt.date(2025, 1, 1), levels={
    Level.IOP: LevelRates(level=Level.IOP, revenue_code="0905", hcpcs="S9480", gross_charge_per_day=D("400"),
                          self_pay_per_day=D("250"), contracted_in_network_per_day=D("300"),
                          contracted_out_of_network_allowed_per_day=D("250"), medicare_per_diem_3_services=D("250"),
                          medicare_per_diem_4plus_services=D("350"), medicaid_per_day=D("200")),
    Level.PHP: LevelRates(level=Level.PHP, revenue_code="0913", hcpcs="S0201", gross_charge_per_day=D("800"),
                          self_pay_per_day=D("500"), contracted_in_network_per_day=D("600"),
                          medicare_per_diem_3_services=D("300"), medicare_per_diem_4plus_services=D("400"),
                          medicaid_per_day=D("300")),
    Level.INPATIENT: LevelRates(level=Level.INPATIENT, revenue_code="0114", hcpcs=None,
                                gross_charge_per_day=D("2000"), self_pay_per_day=D("1200"),
                                contracted_in_network_per_day=D("1500"), medicare_inpatient_per_diem=D("1000"),
                                medicaid_per_day=D("1000")),
})


def acc(total, remaining=None) -> Accumulator:
    return Accumulator(total=None if total is None else D(total), remaining=None if remaining is None else D(remaining))


def level_benefits(level=Level.IOP, network=Network.IN, **kw) -> LevelBenefits:
    kw.setdefault("covered", True)
    return LevelBenefits(level=level, network=network, **kw)


def commercial(*levels: LevelBenefits, source=Source.CLEARINGHOUSE_271, plan_begin=None) -> NormalizedBenefits:
    return NormalizedBenefits(source=source, active=True, payer_class=PayerClass.COMMERCIAL, levels=list(levels),
                              plan_begin=plan_begin)


def medicare(**details) -> NormalizedBenefits:
    return NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.MEDICARE,
                              medicare=MedicareDetails(**details))


def medicaid(category=None, levels=()) -> NormalizedBenefits:
    return NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.MEDICAID,
                              medicaid=MedicaidDetails(cost_sharing_category=category), levels=list(levels))


def request(*courses: CourseOfCare, levels=None, **kw) -> EstimateRequest:
    if not kw.get("self_pay"):
        kw.setdefault("eligibility_check_id", "chk-1")
    wire = msgspec.convert(kw, EstimateRequest)  # plain values -> enums / Household, as the REST layer decodes
    return msgspec.structs.replace(wire, courses=list(courses), levels=levels or [c.level for c in courses] or None)


def run(benefits, *courses: CourseOfCare, start=MON_2026_01_05, rates=RATES, as_of=None, **kw):
    inp = pricing_input_from_request(request(*courses, **kw), default_start=start, figures=FIGURES,
                                     benefits_as_of=as_of)
    return estimate_levels(inp, benefits, rates, FIGURES)


def one(benefits, course: CourseOfCare, **kw):
    comparison = run(benefits, course, **kw)
    assert len(comparison.estimates) == 1
    return comparison.estimates[0]


__all__ = ["D", "FIGURES", "RATES", "CourseOfCare", "FacilityType", "Level", "Limit", "Network", "NetworkPreference",
           "PricingInput", "request",
           "acc", "commercial", "level_benefits", "medicaid", "medicare", "one", "run", "dt"]
