"""Virtual and hybrid IOP: a course with some days joined by telehealth, priced per payer class.

The hybrid course in every test: IOP from Mon 2026-01-05, 2 weeks, Mon/Wed/Fri, 3 hours a day, one telehealth
day a week (the week's last: Friday). Days: Jan 5, 7 in person; Jan 9 virtual; Jan 12, 14 in person; Jan 16
virtual. Test rates (pricing_support): IOP contracted $300, Medicare per diem $250 (3 services), Medicaid $200,
self-pay $250. Medicare telehealth figures: telehealth.json CY2026 (C7901 $204, C7902 $46, 90853 $28; DEMO).
"""

import dataclasses

import pytest

from contracts.benefits import MedicaidDetails, NormalizedBenefits, PayerClass, Source, TelehealthCostShare
from contracts.estimate import Delivery, Phase, Weekday
from pricing_support import (D, FIGURES, CourseOfCare, FacilityType, Level, acc, commercial, dt, level_benefits,
                             medicare, one, run)
from service.errors import InvalidInput
from service.pricing.course import build_course, service_days
from service.pricing.telehealth import VirtualBillingNotPossible

HYBRID = CourseOfCare(level=Level.IOP, weeks=2, days_per_week=3, hours_per_day=D(3), delivery=Delivery.HYBRID,
                      telehealth_days_per_week=1)
VIRTUAL_DATES = [dt.date(2026, 1, 9), dt.date(2026, 1, 16)]


def _virtual_dates(est):
    return [d.date for d in est.days if d.telehealth]


def test_hybrid_week_makes_its_last_program_day_virtual_and_says_so_per_day():
    course = build_course(HYBRID, Level.IOP, default_start=dt.date(2026, 1, 5),
                          defaults=FIGURES.level_defaults[Level.IOP], path="$.courses[0]")
    days = service_days(course)
    assert [d.date for d in days if d.telehealth] == VIRTUAL_DATES
    assert len(days) == 6 and course.delivery is Delivery.HYBRID


def test_evening_and_weekend_schedule_with_named_telehealth_days():
    # Tue/Thu evenings at the program, Saturday by telehealth, 2 weeks.
    course = build_course(
        CourseOfCare(level=Level.IOP, weeks=2, days_per_week=3, hours_per_day=D(3), include_weekends=True,
                     weekdays=[Weekday.TUE, Weekday.THU, Weekday.SAT], delivery=Delivery.HYBRID,
                     telehealth_weekdays=[Weekday.SAT]),
        Level.IOP, default_start=dt.date(2026, 1, 5), defaults=FIGURES.level_defaults[Level.IOP], path="$.courses[0]")
    assert [d.date for d in service_days(course) if d.telehealth] == [dt.date(2026, 1, 10), dt.date(2026, 1, 17)]


def test_step_down_phases_each_state_their_delivery():
    # 1 week 4 days in person, then 1 week 2 days by telehealth.
    course = build_course(
        CourseOfCare(level=Level.IOP, phases=[Phase(weeks=1, days_per_week=4, hours_per_day=D(3)),
                                              Phase(weeks=1, days_per_week=2, hours_per_day=D(3),
                                                    delivery=Delivery.TELEHEALTH)]),
        Level.IOP, default_start=dt.date(2026, 1, 5), defaults=FIGURES.level_defaults[Level.IOP], path="$.courses[0]")
    days = service_days(course)
    assert [d.telehealth for d in days] == [False] * 4 + [True] * 2 and course.delivery is Delivery.HYBRID


@pytest.mark.parametrize(("course", "field"), [
    (CourseOfCare(level=Level.IOP, days_per_week=3, delivery=Delivery.HYBRID), "$.courses[0].telehealth_days_per_week"),
    (CourseOfCare(level=Level.IOP, days_per_week=3, delivery=Delivery.HYBRID, telehealth_days_per_week=3),
     "$.courses[0].telehealth_days_per_week"),
    (CourseOfCare(level=Level.IOP, days_per_week=3, telehealth_days_per_week=1), "$.courses[0].telehealth_days_per_week"),
    (CourseOfCare(level=Level.IOP, days_per_week=3, delivery=Delivery.HYBRID, telehealth_weekdays=[Weekday.TUE]),
     "$.courses[0].telehealth_weekdays"),
    (CourseOfCare(level=Level.INPATIENT, delivery=Delivery.TELEHEALTH), "$.courses[0].delivery"),
])
def test_impossible_delivery_is_refused_naming_the_field(course, field):
    with pytest.raises(InvalidInput) as err:
        build_course(course, course.level, default_start=dt.date(2026, 1, 5),
                     defaults=FIGURES.level_defaults[course.level], path="$.courses[0]")
    assert err.value.errors[0].field == field


def test_medicare_hybrid_virtual_days_are_hospital_remote_services_not_the_per_diem():
    est = one(medicare(part_b_deductible_remaining=D(100)), HYBRID, facility_type="hospital_outpatient")
    # In person: the $250 per diem. Virtual (180 minutes): C7901 $204 + 8 x C7902 $46 = $572.
    # Jan 5: $100 deductible + 20% x $150 = $30 -> $130; Jan 7, 12, 14: 20% x $250 = $50 each -> $150;
    # Jan 9, 16: 20% x $572 = $114.40 each -> $228.80. Total $130 + $150 + $228.80 = $508.80.
    # Allowed 4 x $250 + 2 x $572 = $2,144; Medicare pays $2,144 - $508.80 = $1,635.20.
    assert _virtual_dates(est) == VIRTUAL_DATES and est.telehealth_days == 2
    assert est.totals.patient_pays == D("508.80")
    assert est.totals.allowed == D("2144.00") and est.totals.payer_pays == D("1635.20")
    assert est.delivery is Delivery.HYBRID
    text = " ".join(line.text for line in est.explanation)
    assert "2 telehealth days, day 3 to day 6" in text and "C7901 $204.00 + 8 x C7902 $46.00 = $572.00" in text
    assert any("remote mental health services (C7900-C7902)" in a for a in est.assumptions)
    assert any("DEMO" in w for w in est.warnings)


def test_medicare_cmhc_virtual_days_are_professional_telehealth_and_cannot_be_hospital_services():
    est = one(medicare(part_b_deductible_remaining=D(100)), HYBRID, facility_type="cmhc")
    # Virtual days: 3 group psychotherapy sessions (90853) x $28 = $84; 20% = $16.80 each.
    # $130 + 3 x $50 + 2 x $16.80 = $313.60.
    assert est.totals.patient_pays == D("313.60")
    assert any("group psychotherapy telehealth session (90853)" in a for a in est.assumptions)
    with pytest.raises(VirtualBillingNotPossible):
        one(medicare(), HYBRID, facility_type="cmhc", medicare_virtual_billing="hospital_remote_services")


def test_commercial_hybrid_uses_the_plans_telehealth_terms():
    telehealth = TelehealthCostShare(copay=D("25.00"), copay_per="day", deductible_applies=False, source="manual entry")
    plan = commercial(level_benefits(deductible_individual=acc(1500, 500), oop_max_individual=acc(5000, 4000),
                                     coinsurance_percent=D(20), telehealth=telehealth))
    est = one(plan, HYBRID)
    # Allowed $300 a day. Jan 5: $300 deductible (500 -> 200); Jan 7: $200 deductible + 20% x $100 = $20 -> $220;
    # Jan 9 (virtual, deductible waived): $25 copay; Jan 12, 14: 20% x $300 = $60 each; Jan 16 (virtual): $25.
    # Total $300 + $220 + $25 + $60 + $60 + $25 = $690; the plan pays $1,800 - $690 = $1,110.
    assert est.totals.patient_pays == D("690.00") and est.totals.payer_pays == D("1110.00")
    assert est.totals.copay == D("50.00") and est.totals.deductible == D("500.00")
    assert any("telehealth days use the plan's telehealth cost sharing (manual entry)" in a for a in est.assumptions)
    assert any(line.text.startswith("2 telehealth days") and "(the plan's telehealth terms): $25.00 copay" in line.text
               for line in est.explanation)


def test_commercial_without_telehealth_terms_prices_virtual_days_as_in_person_and_says_so():
    plan = commercial(level_benefits(deductible_individual=acc(1500, 500), coinsurance_percent=D(20)))
    est = one(plan, HYBRID)
    # $300 + $220 + 4 x 20% x $300 = $520 + $240 = $760
    assert est.totals.patient_pays == D("760.00")
    assert any("priced on the in-person terms" in a for a in est.assumptions)
    assert any("telehealth day (priced on the plan's in-person terms)" in line.text for line in est.explanation)


def _medicaid(state):
    return NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.MEDICAID,
                              medicaid=MedicaidDetails(cost_sharing_category="at_or_below_100", state=state))


def test_medicaid_parity_state_pays_virtual_days_like_in_person():
    est = one(_medicaid("CA"), HYBRID)
    # $4 federal maximum a day x 6 days = $24 (telehealth.json: CA pays telehealth at parity)
    assert est.totals.patient_pays == D("24.00")
    assert any("CA Medicaid pays telehealth program days like in-person days" in a for a in est.assumptions)
    assert any("telehealth day (the state pays telehealth like in person)" in line.text for line in est.explanation)


def test_medicaid_state_without_telehealth_coverage_shows_virtual_days_at_self_pay():
    figures = dataclasses.replace(FIGURES, telehealth=dataclasses.replace(FIGURES.telehealth,
                                                                          medicaid_parity={"FL": False}))
    from pricing_support import RATES, request  # noqa: PLC0415
    from service.pricing.estimate import estimate_levels, pricing_input_from_request  # noqa: PLC0415

    inp = pricing_input_from_request(request(HYBRID), default_start=dt.date(2026, 1, 5), figures=figures)
    est = estimate_levels(inp, _medicaid("FL"), RATES, figures).estimates[0]
    # In person 4 x $4 = $16; virtual 2 x the $250 self-pay rate = $500; total $516.
    assert est.totals.patient_pays == D("516.00") and est.totals.not_covered == D("500.00")
    assert any("FL Medicaid does not cover telehealth program days" in w for w in est.warnings)
    assert any("telehealth day not covered by FL Medicaid" in line.text for line in est.explanation)


def test_medicaid_state_not_known_is_priced_as_in_person_with_a_warning():
    est = one(_medicaid("TX"), HYBRID)
    assert est.totals.patient_pays == D("24.00")
    assert any("confirm with TX Medicaid" in w for w in est.warnings)


def test_in_person_and_virtual_iop_side_by_side():
    virtual = CourseOfCare(level=Level.IOP, weeks=2, days_per_week=3, hours_per_day=D(3),
                           delivery=Delivery.TELEHEALTH)
    in_person = CourseOfCare(level=Level.IOP, weeks=2, days_per_week=3, hours_per_day=D(3))
    telehealth = TelehealthCostShare(copay=D("25.00"), copay_per="day", deductible_applies=False)
    plan = commercial(level_benefits(deductible_individual=acc(1500, 0), coinsurance_percent=D(20),
                                     telehealth=telehealth))
    comparison = run(plan, in_person, virtual, levels=[Level.IOP])
    by_delivery = {e.delivery: e for e in comparison.estimates}
    # In person: 6 x 20% x $300 = $360, 18 treatment hours -> $20.00 an hour, $180.00 a week.
    # Virtual: 6 x $25 copay = $150 -> $8.33 an hour ($150 / 18 = 8.333), $75.00 a week.
    assert by_delivery[Delivery.IN_PERSON].totals.patient_pays == D("360.00")
    assert by_delivery[Delivery.TELEHEALTH].totals.patient_pays == D("150.00")
    assert by_delivery[Delivery.TELEHEALTH].patient_pays_per_treatment_hour == D("8.33")
    assert by_delivery[Delivery.TELEHEALTH].patient_pays_per_week == D("75.00")
    assert "IOP by telehealth: $150.00" in comparison.summary


def test_two_courses_of_one_level_need_different_deliveries():
    with pytest.raises(InvalidInput) as err:
        run(commercial(level_benefits()), HYBRID, HYBRID, levels=[Level.IOP])
    assert err.value.errors[0].field == "$.courses[1].delivery"
