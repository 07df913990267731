"""Medicaid rules as written: exempt groups from the date of birth, pregnancy and institutional status
(42 CFR 447.56(a)(1)); federal maximums bound a state's copay (42 CFR 447.52(b)); the managed-care plan's network.

Test rates: IOP Medicaid $200/day. IOP default course: 24 days, Mon/Wed/Fri from Mon Jan 5 2026.
"""

import dataclasses

from pricing_support import FIGURES, MON_2026_01_05, RATES, D, CourseOfCare, Level, level_benefits, medicaid, one, request
from contracts.benefits import MedicaidDetails, Network, NormalizedBenefits, PayerClass, Source
from service.pricing.estimate import estimate_levels, pricing_input_from_request
from service.pricing.network import NetworkChoice

IOP = CourseOfCare(level=Level.IOP)


def patient(dob):
    return {"first_name": "A", "last_name": "B", "date_of_birth": dob}


def test_a_child_is_exempt_until_the_18th_birthday():
    # Born 2008-01-20: 18 on Tue Jan 20 2026. Days Jan 5, 7, 9, 12, 14, 16, 19 (7 days) exempt; the other 17 days
    # at 20% of $200 (above 150% FPL) = $40: 17 x $40 = $680.00; waived 7 x $40 = $280.00.
    est = one(medicaid("above_150"), IOP, patient=patient("2008-01-20"))
    assert est.totals.patient_pays == D("680.00")
    assert est.totals.waived_cost_sharing == D("280.00")
    assert est.explanation[0].text == ("Days 1\u20137 (Jan 5\u2013Jan 19): exempt from Medicaid cost sharing as a child "
                                       "under 18 on that day (42 CFR 447.56(a)(1)): you pay $0.00 ($280.00 in all, "
                                       "which you do not pay)")


def test_pregnant_or_postpartum_and_institutionalized_are_exempt():
    # 24 days x $40 would-be = $960.00 waived, $0.00 to pay
    for flag in ("pregnant_or_postpartum", "institutionalized"):
        est = one(medicaid("above_150"), IOP, patient=patient("1990-05-30"), **{flag: True})
        assert est.totals.patient_pays == D("0.00")
        assert est.totals.waived_cost_sharing == D("960.00")


def test_a_state_copay_above_the_federal_fixed_maximum_is_flagged():
    # At or below 100% FPL the outpatient maximum is $4 a day in the loaded years (42 CFR 447.52(b), base amount);
    # FFY 2026's indexed maximum is not loaded, so a reported $10 is flagged, not cut: 24 x $10 = $240.00 (a loaded
    # year caps it: test_medicaid_indexed_maxima.py). Income $2,500 a month: the 5 % cap ($125.00) is above 12 x $10.
    est = one(medicaid("at_or_below_100", levels=[level_benefits(copay=D(10), copay_per="day")]), IOP,
              household={"size": 1, "monthly_income": "2500"})
    assert est.totals.patient_pays == D("240.00")
    assert any("reported Medicaid copay $10.00 is above $4.00 a day" in w for w in est.warnings)


def test_a_state_copay_above_the_federal_percent_maximum_is_capped():
    # 101-150% FPL: at most 10% of the $200 Medicaid payment = $20 a day; a reported $30 copay -> $20.
    # Income $5,000 a month: the 5% cap is $250 a month, above 12 days x $20 = $240 in Jan and in Feb. 24 x $20 = $480.
    est = one(medicaid("101_to_150", levels=[level_benefits(copay=D(30), copay_per="day")]), IOP,
              household={"size": 2, "monthly_income": "5000"})
    assert est.totals.patient_pays == D("480.00")


def test_a_managed_care_member_is_priced_with_the_plans_network():
    benefits = NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.MEDICAID,
                                  medicaid=MedicaidDetails(managed_care_plan="SUNRISE HEALTH PLAN",
                                                           cost_sharing_category="above_150"))
    est = one(benefits, IOP)
    assert any("managed-care plan's in-network terms (SUNRISE HEALTH PLAN)" in a for a in est.assumptions)


def _mco_estimate(choice):
    benefits = NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.MEDICAID,
                                  medicaid=MedicaidDetails(managed_care_plan="SUNRISE HEALTH PLAN",
                                                           cost_sharing_category="at_or_below_100"))
    inp = pricing_input_from_request(request(IOP), default_start=MON_2026_01_05, figures=FIGURES)
    return estimate_levels(dataclasses.replace(inp, network_choice=choice), benefits, RATES, FIGURES).estimates[0]


def test_the_managed_care_plans_network_comes_from_the_provider_contracts():
    # The payer-contract registry's choice (service._network_choice matches the plan's name), as for commercial plans
    inside = _mco_estimate(NetworkChoice(Network.IN, "in network with SUNRISE HEALTH PLAN through MEDICAID MCO"))
    assert any("in-network terms: in network with SUNRISE HEALTH PLAN through MEDICAID MCO" in a
               for a in inside.assumptions)
    outside = _mco_estimate(NetworkChoice(Network.OUT, "out of network: no contract with SUNRISE HEALTH PLAN on file "
                                                       "for 2026-01-05"))
    assert any(w.startswith("out of network: no contract with SUNRISE HEALTH PLAN on file for 2026-01-05: a Medicaid "
                            "managed-care plan (SUNRISE HEALTH PLAN) pays for care outside its network only with its "
                            "prior approval") for w in outside.warnings)
    # priced as if approved, in or out: 24 days x $4.00 (at or below 100% FPL, 42 CFR 447.52(b)) = $96.00
    assert inside.totals.patient_pays == outside.totals.patient_pays == D("96.00")
