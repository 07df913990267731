"""Plan designs: deductible waived, copay instead of / with coinsurance, day-tiered copays, a family deductible
that is not embedded, the STC CF office copay on program days, per-level manual overrides, Medicare Advantage.

Test rates (pricing_support.RATES): IOP contracted $300/day, inpatient contracted $1,500/day.
Default IOP course: Mon/Wed/Fri, 3 h, 8 weeks from Mon 2026-01-05 = 24 days; inpatient: 10 days.
"""

import msgspec
import pytest

from contracts.benefits import (BenefitRow, CopayTier, InsuranceType, MedicareAdvantagePlan, MedicareDetails,
                                NormalizedBenefits, PayerClass, Source)
from contracts.eligibility import ManualBenefitsEntry
from pricing_support import D, CourseOfCare, Level, acc, commercial, level_benefits, one
from service.eligibility.manual import benefits_from_manual
from service.eligibility.rows_json import with_rows_json
from service.pricing.plan_design import PlanTermsMissing

IOP = CourseOfCare(level=Level.IOP)
STAY = CourseOfCare(level=Level.INPATIENT, length_of_stay_days=10)


def test_deductible_waived_for_the_level():
    lb = level_benefits(deductible_individual=acc(1500, 1500), coinsurance_percent=D(20), deductible_applies=False)
    est = one(commercial(lb), IOP)
    # no deductible: 24 days x 20% x 300.00 = 24 x 60.00 = 1440.00
    assert est.totals.deductible == D("0.00")
    assert est.totals.patient_pays == D("1440.00")


def test_copay_instead_of_coinsurance_and_copay_with_coinsurance():
    instead = level_benefits(coinsurance_percent=D(20), copay=D(50), copay_per="day", copay_with_coinsurance=False)
    # 24 x 50.00 = 1200.00 (no coinsurance on copay days)
    assert one(commercial(instead), IOP).totals.patient_pays == D("1200.00")
    both = level_benefits(coinsurance_percent=D(20), copay=D(50), copay_per="day", copay_with_coinsurance=True)
    est = one(commercial(both), IOP)
    # 24 x (50.00 + 20% x (300.00 - 50.00) = 50.00) = 24 x 100.00 = 2400.00
    assert est.totals.patient_pays == D("2400.00")
    assert not any("without saying whether both apply" in a for a in est.assumptions)


def test_copay_per_visit_reads_a_visit():
    lb = level_benefits(copay=D(25), copay_per="visit")
    est = one(commercial(lb), IOP)
    # 24 visits x 25.00 = 600.00
    assert est.totals.patient_pays == D("600.00")
    assert est.explanation[0].text.endswith("$25.00 copay a visit, $600.00 in all")


def test_family_deductible_not_embedded():
    design = dict(deductible_individual=acc(1500, 1500), deductible_family=acc(3000, 2000), coinsurance_percent=D(20))
    embedded = one(commercial(level_benefits(**design)), IOP)
    # embedded: individual 1500.00 first: days 1-5 5 x 300.00 = 1500.00; days 6-24 19 x 60.00 = 1140.00 -> 2640.00
    assert embedded.totals.patient_pays == D("2640.00")
    not_embedded = one(commercial(level_benefits(**design, family_deductible_embedded=False)), IOP)
    # not embedded: the family's 2000.00 remaining: days 1-6 6 x 300.00 = 1800.00; day 7 200.00 + 20% x 100.00 = 20.00;
    # days 8-24 17 x 60.00 = 1020.00 -> 1800.00 + 220.00 + 1020.00 = 3040.00
    assert not_embedded.totals.deductible == D("2000.00")
    assert not_embedded.totals.patient_pays == D("3040.00")


def test_office_copay_cf_not_charged_on_program_days():
    lb = level_benefits(coinsurance_percent=D(20), copay=D(30), copay_per="day", service_type_codes=["CF", "30"])
    b = msgspec.structs.replace(commercial(lb), benefit_rows=[
        BenefitRow(code="B", service_type_codes=["CF"], amount=D(30)),
        BenefitRow(code="A", service_type_codes=["30"], percent=D(20))])
    est = one(b, IOP)
    # the 30.00 is the provider office copay: 24 x 20% x 300.00 = 1440.00 (not 24 x (30.00 + 54.00) = 2016.00)
    assert est.totals.copay == D("0.00")
    assert est.totals.patient_pays == D("1440.00")
    assert any("office copay (service type CF)" in a for a in est.assumptions)
    # the same with the rows kept as JSON, as a stored check or a large 271 carries them
    assert one(with_rows_json(b, msgspec.json.encode(b.benefit_rows)), IOP).totals.patient_pays == D("1440.00")
    # the same copay on a facility code (CH) is the program day's own copay: 24 x (30.00 + 54.00) = 2016.00
    facility = msgspec.structs.replace(b, benefit_rows=[BenefitRow(code="B", service_type_codes=["CH", "CF"],
                                                                   amount=D(30))])
    assert one(facility, IOP).totals.patient_pays == D("2016.00")


def _advantage(*levels, plan_contacts=()) -> NormalizedBenefits:
    plan = MedicareAdvantagePlan(contract_number="H1234", plan_name="SUNNY ADVANTAGE HMO", contacts=list(plan_contacts))
    return NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.MEDICARE,
                              insurance_type=InsuranceType.MEDICARE_ADVANTAGE, levels=list(levels),
                              medicare=MedicareDetails(advantage=plan))


def test_medicare_advantage_day_tiered_inpatient_copays_up_to_the_moop():
    tiers = [CopayTier(first_day=1, last_day=5, amount=D(400)), CopayTier(first_day=6, amount=D(0))]
    lb = level_benefits(level=Level.INPATIENT, copay_tiers=tiers, deductible_applies=False,
                        oop_max_individual=acc(9250, 1800), coinsurance_percent=D(20), copay_with_coinsurance=False)
    est = one(_advantage(lb), STAY)
    # days 1-4: 4 x 400.00 = 1600.00; day 5: 400.00 capped by the 200.00 left of the 1800.00 MOOP; days 6-10 $0
    # -> 1800.00 (not Original Medicare's 1736.00 Part A deductible)
    assert est.totals.patient_pays == D("1800.00")
    assert est.explanation[0].text.startswith("Days 1\u20134 (Jan 5\u2013Jan 8): $400.00 copay a day (days 1\u20135 of "
                                              "the stay), $1,600.00 in all")
    assert any(w.startswith("Medicare Advantage plan SUNNY ADVANTAGE HMO (contract H1234): priced with the plan's "
                            "own cost sharing") for w in est.warnings)
    lower = one(_advantage(msgspec.structs.replace(lb, oop_max_individual=acc(9250, 9250))), STAY)
    # MOOP far away: 5 x 400.00 = 2000.00; days 6-10 the $0 tier replaces the 20 % coinsurance
    assert lower.totals.patient_pays == D("2000.00")


def test_medicare_advantage_per_day_iop_copay_and_unknown_moop_is_said():
    lb = level_benefits(copay=D(40), copay_per="day", deductible_applies=False)
    est = one(_advantage(lb), IOP)
    # 24 x 40.00 = 960.00
    assert est.totals.patient_pays == D("960.00")
    assert any("maximum out-of-pocket (MOOP) was not reported" in w for w in est.warnings)


def test_medicare_advantage_without_the_plans_terms_is_refused():
    from contracts.benefits import Contact

    with pytest.raises(PlanTermsMissing) as refused:
        one(_advantage(plan_contacts=[Contact(role="plan", phone="800-555-0100")]), IOP)
    assert refused.value.status == 422
    assert "enter the plan's benefits by hand (manual) (the plan's number: 800-555-0100)" in refused.value.detail


def test_manual_level_override_keeps_the_plan_wide_deductible_and_oop():
    entry = msgspec.convert({
        "payer_name": "ACME PPO", "payer_class": "commercial", "active": True,
        "in_network": {"deductible_individual": {"total": "1500", "remaining": "1500"},
                       "oop_max_individual": {"total": "5000", "remaining": "5000"}, "coinsurance_percent": "20"},
        "levels": [{"level": "inpatient", "network": "in",
                    "cost_share": {"copay": "500", "copay_per": "admission", "coinsurance_percent": "0"}}],
        "heard_from": {"representative_name": "Pat"}}, ManualBenefitsEntry)
    est = one(benefits_from_manual(entry), STAY)
    # allowed 1500.00/day: day 1 the whole 1500.00 deductible; day 2 the 500.00 admission copay; days 3-10 $0
    # -> 2000.00 (the override alone would have said 500.00)
    assert est.totals.deductible == D("1500.00") and est.totals.copay == D("500.00")
    assert est.totals.patient_pays == D("2000.00")
