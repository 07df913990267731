"""Practitioners' visits billed apart from the facility (service/pricing/professional.py), one payer at a time.

Sources of the rules (service/reference/data/professional-fees.json): physicians' services to an inpatient are not
inpatient hospital services and are paid under Part B (42 CFR 409.10); practitioners' services to PHP/IOP patients
are billed apart from the per diem (Medicare Benefit Policy Manual ch. 6 sec. 70.3); Part B pays 80 % of the fee
schedule amount after the Part B deductible (42 CFR 410.152, 410.160); CY2026 Part B deductible $283 and Part A
deductible $1,736 (medicare.json, CMS-2026); Medicaid outpatient-service maximum $4 at or below 100 % FPL, 10 % /
20 % of the agency's payment above (42 CFR 447.52(b), medicaid.json). The shipped PFS amounts are example figures,
so these tests price with round test figures of their own (FEES below), as the OPPS tests do.
"""

import dataclasses

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pricing_support import (
    FIGURES,
    RATES,
    CourseOfCare,
    D,
    Level,
    Network,
    acc,
    commercial,
    dt,
    level_benefits,
    medicaid,
    medicare,
    request,
)

from contracts.benefits import (
    BenefitRow,
    InsuranceType,
    MedicareAdvantagePlan,
    MedicareDetails,
    NormalizedBenefits,
    OtherPayer,
    OtherPayerKind,
    PayerClass,
    ProfessionalCostShare,
    Source,
)
from contracts.estimate import ProfessionalLine, ProfessionalServices, ProfessionalVisitIn
from contracts.selfpay import Household
from service.eligibility.rows_json import with_rows_json
from service.errors import InvalidInput
from service.pricing.estimate import estimate_levels, pricing_input_from_request
from service.pricing.professional import visit_amounts
from service.pricing.professional_fees import PfsYear, fee_schedule_from_reference
from service.pricing.selfpay.affordability import AffordabilityConfig, affordability_for_level
from service.pricing.selfpay.sliding_fee import default_schedule
from service.pricing.selfpay.store import DEFAULT_PLAN_RULES
from service.read_aloud import for_estimate
from service.reference import load

START = dt.date(2026, 1, 5)  # a Monday
CHARGES = {"99223": D(400), "99232": D(200), "99238": D(150), "90792": D(300), "99214": D(200)}
PFS_2026 = {"99223": D(200), "99232": D(100), "99238": D(80), "90792": D(150), "99214": D(100)}
_shipped = FIGURES.professional
FEES = dataclasses.replace(
    _shipped, charges_demo=False, charges={**_shipped.charges, **CHARGES},
    medicare_years={2026: PfsYear(year=2026, amounts={**_shipped.medicare_years[2026].amounts, **PFS_2026},
                                  source="test", demo=False)})
FIGS = dataclasses.replace(FIGURES, professional=FEES)

STAY_2 = CourseOfCare(level=Level.INPATIENT, length_of_stay_days=2)
STAY_5 = CourseOfCare(level=Level.INPATIENT, length_of_stay_days=5)
# 3 weeks x Mon/Wed/Fri, 3 hours: 9 days; visits 90792 on day 1 (Jan 5) and 99214 on Jan 19 (week 2).
IOP_9 = CourseOfCare(level=Level.IOP, weeks=3, days_per_week=3, hours_per_day=D(3))


def _estimate(benefits, course, **kw):
    kw.setdefault("professional_services", True)
    inp = pricing_input_from_request(request(course, **kw), default_start=START, figures=FIGS)
    return estimate_levels(inp, benefits, RATES, FIGS).estimates[0]


def _codes(est):
    return {line.code: (line.visits, line.patient_pays) for line in est.professional.lines}


# --- Original Medicare, Part B ------------------------------------------------------------------------------------

def test_part_b_inpatient_visits_take_the_part_b_deductible_the_part_a_stay_left_alone():
    # 5-day stay: 99223 day 1, 99232 days 2-4, 99238 day 5 (typical pattern). Part B deductible left $120.00.
    # 99223 $200: $120 deductible + 20% x $80 = $16.00 -> $136.00; 99232 3 x 20% x $100 = $60.00;
    # 99238 20% x $80 = $16.00. Visits $212.00. Facility (Part A, 42 CFR 409.80): the CY2026 deductible $1,736
    # (less than the charges 5 x $2,000), days 2-5 $0. Total $1,736.00 + $212.00 = $1,948.00.
    est = _estimate(medicare(part_b_deductible_remaining=D("120")), STAY_5)
    assert _codes(est) == {"99223": (1, D("136.00")), "99232": (3, D("60.00")), "99238": (1, D("16.00"))}
    assert est.professional.patient_pays == D("212.00") and est.professional.in_totals
    assert est.totals.patient_pays == D("1948.00")
    assert est.totals.deductible == D("1856.00")  # Part A $1,736 + Part B $120
    assert ("Psychiatrist visits (billed by the practitioner, apart from the facility): 5 visits, Medicare pays 80% "
            "after your Part B deductible; you pay about $212.00.") == est.explanation[-1].text


def test_part_b_iop_deductible_is_taken_once_facility_days_first():
    # IOP at the facility's 3-service Medicare rate $250; Part B deductible left $283 (all of CY2026's).
    # Day 1: $250 deductible; day 2: $33 deductible + 20% x $217 = $43.40; days 3-9: 7 x $50 = $350.
    # Facility $676.40 and the deductible is gone: 90792 20% x $150 = $30.00, 99214 20% x $100 = $20.00.
    # Total $676.40 + $50.00 = $726.40; the deductible counted once: $283.00.
    est = _estimate(medicare(part_b_deductible_remaining=D("283")), IOP_9)
    assert _codes(est) == {"90792": (1, D("30.00")), "99214": (1, D("20.00"))}
    assert est.totals.patient_pays == D("726.40")
    assert est.totals.deductible == D("283.00")
    assert any("priced after the facility days" in a for a in est.assumptions)


def test_qmb_owes_nothing_for_the_visits_either():
    # QMB (SSA 1902(n)(3)(B)): the $212.00 the visits would cost (first test) is waived, not charged.
    est = _estimate(medicare(part_b_deductible_remaining=D("120"), qmb=True), STAY_5)
    assert est.professional.patient_pays == D("0.00")
    assert sum(line.waived_cost_sharing for line in est.professional.lines) == D("212.00")


def test_medigap_plan_g_pays_the_visits_coinsurance_not_the_part_b_deductible():
    # Plan G (CMS "Compare Medigap plan benefits", cob.MEDIGAP_SHARES): Part A deductible 100 %, Part B deductible
    # 0 %, Part B coinsurance 100 %. Stay of the first test: the $1,736 Part A deductible is G's; of the visits'
    # $212.00 the $120.00 Part B deductible stays with the patient and G pays the $92.00 coinsurance
    # ($16 + $60 + $16). Patient $120.00; Medigap G $1,736.00 + $92.00 = $1,828.00.
    benefits = msgspec_replace(medicare(part_b_deductible_remaining=D("120")), other_payers=[
        OtherPayer(kind=OtherPayerKind.MEDIGAP, medigap_plan="G", name="ACME MEDIGAP")])
    est = _estimate(benefits, STAY_5)
    assert est.professional.patient_pays == D("120.00")
    assert est.totals.patient_pays == D("120.00")
    assert [(p.kind, p.pays) for p in est.payers][1:] == [("medigap", D("1828.00"))]
    assert ("5 visits, Medicare pays 80% after your Part B deductible; ACME MEDIGAP (plan G) pays $92.00; you pay "
            "about $120.00.") in [line.text for line in est.explanation][-2]


def test_a_year_not_loaded_takes_the_nearest_years_amounts_and_says_so():
    # Visits in 2027 (only CY2026 PFS amounts loaded here): the CY2026 amounts, flagged. Part B deductible met:
    # 99223 20% x $200 = $40.00; 99238 20% x $80 = $16.00 -> $56.00.
    est = _estimate(medicare(part_b_deductible_remaining=D("0")), STAY_2, start_date=dt.date(2027, 1, 4),
                    as_of=dt.date(2027, 1, 4))
    assert est.professional.patient_pays == D("56.00")
    assert any("CY2027 physician fee schedule amounts are not loaded: CY2026" in w for w in est.warnings)


def test_part_a_only_visits_are_not_covered():
    # Part B pays the practitioners: without it the 2-day stay's visits are the charges $400 + $150 = $550.00.
    benefits = msgspec_replace(medicare(), insurance_type=InsuranceType.MEDICARE_PART_A)
    est = _estimate(benefits, STAY_2)
    assert est.professional.patient_pays == D("550.00")
    assert any("Part A only" in w for w in est.warnings)


# --- commercial PPO -----------------------------------------------------------------------------------------------

def _ppo(deductible_left, oop_left, **kw):
    lb = level_benefits(Level.INPATIENT, deductible_individual=acc("5000", deductible_left),
                        oop_max_individual=acc("6000", oop_left), coinsurance_percent=D(20))
    return msgspec_replace(commercial(lb), **kw)


INPATIENT_PRO_ROW = BenefitRow(code="A", service_type_codes=["99"], percent=D(20), network=Network.IN)


def test_commercial_visits_share_the_deductible_left_by_the_stay():
    # 271: 20% coinsurance on STC 99 (professional visit - inpatient). Deductible left $3,500, OOP left $5,000.
    # Stay: 2 x $1,500 contracted = $3,000, all deductible (left $500). Visits at the charge (no contract):
    # 99223 $400 -> $400 deductible (left $100); 99238 $150 -> $100 deductible + 20% x $50 = $110.00.
    # Total $3,000 + $510 = $3,510.00.
    est = _estimate(_ppo("3500", "5000", benefit_rows=[INPATIENT_PRO_ROW]), STAY_2)
    assert _codes(est) == {"99223": (1, D("400.00")), "99238": (1, D("110.00"))}
    assert est.totals.patient_pays == D("3510.00")
    assert est.totals.deductible == D("3500.00")


def test_commercial_visits_stop_at_the_out_of_pocket_maximum():
    # As above with $3,200 of the OOP maximum left: the stay takes $3,000, the visits the last $200.00.
    est = _estimate(_ppo("3500", "3200", benefit_rows=[INPATIENT_PRO_ROW]), STAY_2)
    assert est.professional.patient_pays == D("200.00")
    assert est.totals.patient_pays == D("3200.00")


def test_commercial_office_copay_entered_by_hand():
    # IOP at $300 contracted; deductible $1,500 (all left), 20%, OOP $5,000: days 1-5 $1,500 deductible,
    # days 6-9 4 x $60 = $240 -> facility $1,740.00. Professional terms (manual): $40 a visit, no deductible:
    # 2 x $40 = $80.00. Total $1,820.00.
    lb = level_benefits(deductible_individual=acc("1500", "1500"), oop_max_individual=acc("5000", "5000"),
                        coinsurance_percent=D(20))
    terms = ProfessionalCostShare(setting="outpatient", copay=D(40), deductible_applies=False,
                                  source="entered by hand")
    est = _estimate(msgspec_replace(commercial(lb), professional=[terms]), IOP_9)
    assert _codes(est) == {"90792": (1, D("40.00")), "99214": (1, D("40.00"))}
    assert est.totals.patient_pays == D("1820.00")
    assert "a $40.00 copay a visit" in est.professional.lines[0].text


def test_commercial_without_professional_terms_is_warned_and_left_out_of_the_total():
    # No professional terms anywhere: the facility's $1,740.00 (previous test) stays the total, the visits
    # ($300 + $200 = $500 at the charges) are listed, not priced, and a warning says what to ask.
    lb = level_benefits(deductible_individual=acc("1500", "1500"), oop_max_individual=acc("5000", "5000"),
                        coinsurance_percent=D(20))
    est = _estimate(commercial(lb), IOP_9)
    assert est.totals.patient_pays == D("1740.00")
    assert not est.professional.in_totals and est.professional.patient_pays is None
    assert est.professional.gross == D("500.00")
    assert any("NOT in this total" in w and "CF/A0/98" in w for w in est.warnings)


def test_read_aloud_says_what_the_total_holds():
    lb = level_benefits(deductible_individual=acc("1500", "1500"), oop_max_individual=acc("5000", "5000"),
                        coinsurance_percent=D(20))
    for benefits, said in (
            (msgspec_replace(commercial(lb), professional=[ProfessionalCostShare(copay=D(40))]),
             "That includes the psychiatrist's visits, about $80.00."),
            (commercial(lb), "The psychiatrist's visits are billed separately and are not in this amount")):
        inp = pricing_input_from_request(request(IOP_9, professional_services=True), default_start=START,
                                         figures=FIGS)
        comparison = estimate_levels(inp, benefits, RATES, FIGS)
        spoken = [line.text for line in for_estimate(benefits, comparison, request(IOP_9))]
        assert any(said in text for text in spoken), spoken


# --- Medicare Advantage -------------------------------------------------------------------------------------------

def _advantage(*rows):
    lb = level_benefits(copay=D(55), copay_per="day", deductible_applies=False,
                        oop_max_individual=acc("4500", "3900"))
    return NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.MEDICARE,
                              insurance_type=InsuranceType.MEDICARE_ADVANTAGE, levels=[lb], benefit_rows=list(rows),
                              medicare=MedicareDetails(advantage=MedicareAdvantagePlan(plan_name="SANDBOX ADVANTAGE")))


def test_advantage_specialist_copay_from_the_271():
    # Plan's own terms: $55 a program day, no deductible; specialist copay $40 (EB B on STC CF) a visit.
    # 9 x $55 = $495.00 + 2 x $40 = $80.00 -> $575.00, within the MOOP left ($3,900).
    benefits = _advantage(BenefitRow(code="B", service_type_codes=["CF"], amount=D(40)))
    est = _estimate(benefits, IOP_9)
    assert est.professional.patient_pays == D("80.00")
    assert est.totals.patient_pays == D("575.00")
    # the same with the rows kept as JSON, as a stored check carries them (rows_json.py)
    stored = with_rows_json(benefits, msgspec.json.encode(benefits.benefit_rows))
    assert _estimate(stored, IOP_9).totals.patient_pays == D("575.00")


def test_advantage_without_a_specialist_copay_is_warned_not_guessed():
    est = _estimate(_advantage(), IOP_9)
    assert est.totals.patient_pays == D("495.00")  # 9 x $55, the visits not in it
    assert any("specialist (professional) visit copay is not known" in w for w in est.warnings)


# --- Medicaid -----------------------------------------------------------------------------------------------------

def test_medicaid_visit_copay_is_the_federal_maximum_at_or_below_100_percent():
    # Facility: the state's $4.00 a day x 9 = $36.00. Visits: no state copay reported -> the federal maximum for
    # an outpatient service at or below 100% FPL, $4.00 (42 CFR 447.52(b)): 2 x $4.00 = $8.00. Total $44.00.
    est = _estimate(medicaid("at_or_below_100", [level_benefits(copay=D(4), copay_per="day")]), IOP_9)
    assert est.professional.patient_pays == D("8.00")
    assert est.totals.patient_pays == D("44.00")


def test_medicaid_state_copay_above_the_federal_maximum_is_flagged():
    # A reported $10.00 visit copay at or below 100% FPL is above the $4.00 of the loaded years (447.52(b)); FFY 2026's
    # indexed maximum is not loaded, so it is flagged and used as reported: 2 x $10.00 = $20.00 (a loaded year caps
    # it: test_medicaid_indexed_maxima.py).
    benefits = msgspec_replace(medicaid("at_or_below_100", [level_benefits(copay=D(4), copay_per="day")]),
                               professional=[ProfessionalCostShare(copay=D(10))])
    est = _estimate(benefits, IOP_9)
    assert est.professional.patient_pays == D("20.00")
    assert any("could not be checked against FFY 2026's own maximum" in w for w in est.warnings)


def test_medicaid_101_to_150_percent_is_ten_percent_of_the_payment():
    # 10% of the Medicaid payment (447.52(b)); the PFS amount stands in for it: 10% x $150 + 10% x $100 = $25.00.
    est = _estimate(medicaid("101_to_150", [level_benefits(copay=D(4), copay_per="day")]), IOP_9)
    assert est.professional.patient_pays == D("25.00")


def test_medicaid_household_cap_is_shared_with_the_facility_days():
    # 5% of $100.00 monthly income = $5.00 for January (42 CFR 447.56(f)): the facility's $4.00 (Jan 5) + $1.00
    # (Jan 7) reach it, so the visits on Jan 5 and Jan 19 ($4.00 each) cost $0.00. Total $5.00.
    est = _estimate(medicaid("at_or_below_100", [level_benefits(copay=D(4), copay_per="day")]), IOP_9,
                    household={"size": 1, "monthly_income": "100", "state": "TX"})
    assert est.professional.patient_pays == D("0.00")
    assert est.totals.patient_pays == D("5.00")


def test_medicaid_cap_with_income_unknown_is_the_top_of_band_cap_for_the_visits_too():
    # At or below 100% FPL, income not given: income at the top of the band, 100% of the guideline in force on
    # Jan 5, 2026 (the 2025 one) for one, $15,650 / 12 = $1,304.1667 a month -> cap 5% = $65.21 (the facility's
    # assumption, poverty-guidelines.json). The stay's copay is the federal $75.00 per-stay maximum, capped at
    # $65.21; the visits (5 x $4.00) find the cap reached: $0.00.
    est = _estimate(medicaid("at_or_below_100", [level_benefits(Level.INPATIENT)]), STAY_5)
    assert est.professional.patient_pays == D("0.00")
    assert est.totals.patient_pays == D("65.21")


def test_medicaid_exempt_patient_pays_nothing_for_visits():
    # Exempt (447.56): $0. Shown as waived: what the visits would cost in the band assumed when none is known
    # (above 150%: 20% of the payment) - 20% x $150 + 20% x $100 = $50.00.
    est = _estimate(medicaid("exempt", [level_benefits(copay=D(4), copay_per="day")]), IOP_9)
    assert est.professional.patient_pays == D("0.00")
    assert sum(line.waived_cost_sharing for line in est.professional.lines) == D("50.00")


# --- self-pay, requests -------------------------------------------------------------------------------------------

def test_self_pay_pays_the_practitioners_charges():
    # Facility 9 x $250 self-pay rate = $2,250.00; visits at the charges $300 + $200 = $500.00 -> $2,750.00
    # (the sliding-fee discount is taken on the total by the affordability section).
    est = _estimate(None, IOP_9, self_pay=True)
    assert est.professional.patient_pays == D("500.00")
    assert est.totals.patient_pays == D("2750.00")
    assert est.totals.gross_charges == D("4100.00")  # 9 x $400 + $500


def test_self_pay_sliding_fee_discounts_the_visits_too():
    # Example HRSA schedule (sliding-fee.md): household of 3 at $35,000 in CA is 128.11% of the 2026 guideline
    # ($27,320) -> tier C, pays 40%. Responsibility $2,750.00 (previous test): 40% = $1,100.00, discount
    # $1,650.00, with the visits' $500.00 counted as two charges of their own (11 charges in all).
    est = _estimate(None, IOP_9, self_pay=True)
    section = affordability_for_level(est, household=Household(size=3, annual_income=D("35000"), state="CA"),
                                      config=AffordabilityConfig(organization_id="default", rules=DEFAULT_PLAN_RULES,
                                                                 schedule=default_schedule("default", effective_from=
                                                                                           dt.date(1900, 1, 1))),
                                      on=START, self_pay=True, first_due_date=dt.date(2026, 2, 1))
    assert section.patient_responsibility == D("2750.00")
    assert section.balance_after_discount == D("1100.00")
    assert section.sliding_fee.service_days == 11
    assert not any("Per-day charges add up to" in w for w in section.warnings)


def test_visit_amounts_split_a_line_exactly():
    # $100.00 over 3 visits: $33.33 + $33.33 + $33.34.
    line = ProfessionalLine(code="99214", description="d", practitioner="psychiatrist", visits=3, first_date=START,
                            last_date=START, gross=D("100.00"), allowed=D("100.00"), payer_pays=D(0),
                            patient_pays=D("100.00"), text="t")
    section = ProfessionalServices(in_totals=True, lines=[line], gross=D("100.00"), allowed=D("100.00"),
                                   payer_pays=D(0), patient_pays=D("100.00"), fee_schedule="test")
    assert visit_amounts(section) == [D("33.33"), D("33.33"), D("33.34")]


def test_no_professional_lines_unless_asked():
    est = _estimate(None, IOP_9, self_pay=True, professional_services=False)
    assert est.professional is None and est.totals.patient_pays == D("2250.00")


def test_a_course_sets_its_own_visits():
    # 3 x 99214 spread over 9 days: days 1, 4, 7 (index i x 9 // 3) = Jan 5, 12, 19; self-pay 3 x $200 = $600.00.
    course = msgspec_replace(IOP_9, professional_visits=[ProfessionalVisitIn(code="99214", visits=3)])
    est = _estimate(None, course, self_pay=True, professional_services=False)
    line = est.professional.lines[0]
    assert (line.code, line.visits, line.first_date, line.last_date) == ("99214", 3, START, dt.date(2026, 1, 19))
    assert line.patient_pays == D("600.00")


@pytest.mark.parametrize(("visits", "field"), [
    (ProfessionalVisitIn(code="99999", visits=1), "$.courses[0].professional_visits[0].code"),
    (ProfessionalVisitIn(code="99214", visits=10), "$.courses[0].professional_visits[0].visits"),
])
def test_unknown_codes_and_more_visits_than_days_are_refused(visits, field):
    course = msgspec_replace(IOP_9, professional_visits=[visits])
    with pytest.raises(InvalidInput) as refused:
        _estimate(None, course, self_pay=True)
    assert refused.value.errors[0].field == field


def test_shipped_fee_schedule_is_whole_and_refuses_a_code_without_an_amount():
    data = load("professional-fees")
    assert set(fee_schedule_from_reference(data).codes) == set(data["provider_charges"]["amounts"])
    broken = {**data, "provider_charges": {**data["provider_charges"], "amounts": {"99223": 1}}}
    with pytest.raises(ValueError, match="no amount in provider_charges"):
        fee_schedule_from_reference(broken)


# --- invariants ---------------------------------------------------------------------------------------------------

money = st.integers(min_value=0, max_value=800_000).map(lambda c: D(c) / 100)


@settings(max_examples=60, deadline=None)
@given(ded=money, ded_used=money, oop=money, oop_used=money, pct=st.integers(0, 100), copay=st.none() | money,
       pro_pct=st.none() | st.integers(0, 100), applies=st.none() | st.booleans(),
       level=st.sampled_from([Level.IOP, Level.INPATIENT]))
def test_visits_never_take_the_patient_past_the_out_of_pocket_maximum(ded, ded_used, oop, oop_used, pct, copay,
                                                                     pro_pct, applies, level):
    oop_left = max(oop - oop_used, D(0))
    lb = level_benefits(level, deductible_individual=acc(ded, max(ded - ded_used, D(0))),
                        oop_max_individual=acc(oop, oop_left), coinsurance_percent=D(pct))
    terms = ProfessionalCostShare(copay=copay, coinsurance_percent=None if pro_pct is None else D(pro_pct),
                                  deductible_applies=applies)
    est = _estimate(msgspec_replace(commercial(lb), professional=[terms]), STAY_5 if level is Level.INPATIENT
                    else IOP_9)
    assert est.professional.in_totals
    for line in est.professional.lines:
        assert line.patient_pays >= 0 and line.payer_pays >= 0
        assert line.patient_pays <= line.allowed
    assert est.totals.patient_pays <= oop_left


@settings(max_examples=40, deadline=None)
@given(left=money.map(lambda m: min(m, D(283))), qmb=st.booleans())
def test_part_b_visits_are_never_negative_nor_above_the_allowed_amount(left, qmb):
    est = _estimate(medicare(part_b_deductible_remaining=left, qmb=qmb), STAY_5)
    for line in est.professional.lines:
        assert D(0) <= line.patient_pays <= line.allowed
        assert line.patient_pays + line.payer_pays + line.waived_cost_sharing == line.allowed


def msgspec_replace(struct, **changes):
    return msgspec.structs.replace(struct, **changes)
