"""Medicaid's IMD exclusion: no Medicaid payment for adults 21-64 in a freestanding psychiatric hospital of more
than 16 beds (Social Security Act 1905(a) and (i); 42 CFR 435.1009), unless the state's 1115 waiver or a
managed-care in-lieu-of stay (at most 15 days a month, 42 CFR 438.6(e)) applies.

Test rates: inpatient Medicaid $1,000/day, self-pay $1,200/day. Stays start Mon Jan 5 2026.
"""

from pricing_support import FIGURES, RATES, D, CourseOfCare, Level, dt, medicaid, request
from contracts.benefits import MedicaidDetails, NormalizedBenefits, PayerClass, Source
from service.pricing.estimate import estimate_levels, pricing_input_from_request
from service.pricing.medicaid_imd import MedicaidImdSettings

FREESTANDING = "freestanding_psychiatric_hospital"
ADULT = {"first_name": "A", "last_name": "B", "date_of_birth": "1990-05-30"}
INCOME = {"size": 1, "monthly_income": "2000"}  # 5% cap $100 a month: above the $75 stay copay


def _stay(benefits, days, imd, **kw):
    course = CourseOfCare(level=Level.INPATIENT, length_of_stay_days=days)
    inp = pricing_input_from_request(request(course, **kw), default_start=dt.date(2026, 1, 5), figures=FIGURES,
                                     medicaid_imd=imd)
    return estimate_levels(inp, benefits, RATES, FIGURES).estimates[0]


def test_an_adult_in_a_large_freestanding_psychiatric_hospital_is_excluded():
    # 36 years old, 40 beds, no waiver: Medicaid pays nothing; 5 days x $1,200 self-pay = $6,000.00
    est = _stay(medicaid("at_or_below_100"), 5, MedicaidImdSettings(psychiatric_beds=40, state_1115_waiver=False),
                facility_type=FREESTANDING, patient=ADULT, household=INCOME)
    assert est.totals.patient_pays == D("6000.00")
    assert est.totals.payer_pays == D("0.00")
    assert "institution for mental disease, where Medicaid pays nothing for adults 21-64" in est.explanation[0].text


def test_a_state_1115_waiver_under_21_or_16_beds_is_paid_as_usual():
    # each case: the <=100% FPL stay copay, $75.00 (42 CFR 447.52(b))
    cases = [
        (MedicaidImdSettings(psychiatric_beds=40, state_1115_waiver=True), ADULT),
        (MedicaidImdSettings(psychiatric_beds=40, state_1115_waiver=False),
         {**ADULT, "date_of_birth": "2008-01-01"}),  # 18: the psych under-21 benefit
        (MedicaidImdSettings(psychiatric_beds=16, state_1115_waiver=False), ADULT),
    ]
    for imd, patient in cases:
        est = _stay(medicaid("at_or_below_100"), 5, imd, facility_type=FREESTANDING, patient=patient,
                    household=INCOME)
        assert est.totals.patient_pays == D("75.00"), imd


def test_a_managed_care_in_lieu_of_stay_covers_15_days_a_month():
    # MCO member, cost sharing exempt: Jan 5-24 (20 days, all in January): days 1-15 paid by the plan ($0.00),
    # days 16-20 past the 15-day in-lieu-of limit at $1,200 = 5 x $1,200 = $6,000.00
    benefits = NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.MEDICAID,
                                  medicaid=MedicaidDetails(managed_care_plan="SUNRISE HEALTH PLAN",
                                                           cost_sharing_category="exempt"))
    est = _stay(benefits, 20, MedicaidImdSettings(psychiatric_beds=40, state_1115_waiver=False, mco_in_lieu_of=True),
                facility_type=FREESTANDING, patient=ADULT)
    assert est.totals.patient_pays == D("6000.00")
    assert est.totals.not_covered == D("6000.00")
    assert any("past 15 days in a month" in w for w in est.warnings)


def test_unknown_facts_apply_the_exclusion_and_say_so():
    est = _stay(medicaid("at_or_below_100"), 2, MedicaidImdSettings(), facility_type=FREESTANDING, household=INCOME)
    # 2 x $1,200 = $2,400.00
    assert est.totals.patient_pays == D("2400.00")
    assert any("bed count is not set" in a for a in est.assumptions)
    assert any("date of birth not given" in a for a in est.assumptions)
    assert any("MEDICAID_IMD_1115_WAIVER" in w for w in est.warnings)


def test_a_general_hospital_unit_is_not_an_imd():
    est = _stay(medicaid("at_or_below_100"), 5, MedicaidImdSettings(psychiatric_beds=40, state_1115_waiver=False),
                facility_type="general_hospital_psychiatric_unit", patient=ADULT, household=INCOME)
    assert est.totals.patient_pays == D("75.00")
