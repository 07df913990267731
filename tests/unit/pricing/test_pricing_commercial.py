"""Commercial plans: deductible -> coinsurance/copay -> OOP max, out of network, limits, plan years.

Test rates (pricing_support.RATES): IOP gross $400, contracted in-network $300, contracted
out-of-network allowed $250, self-pay $250. Default IOP course: Mon/Wed/Fri, 3 h, 8 weeks
from Mon 2026-01-05 = 24 days.
"""

from pricing_support import D, CourseOfCare, Level, Limit, Network, acc, commercial, dt, level_benefits, one, run

IOP = CourseOfCare(level=Level.IOP)


def test_ppo_in_network_deductible_then_coinsurance_then_oop_max():
    lb = level_benefits(deductible_individual=acc(1500, 900), coinsurance_percent=D(20),
                        oop_max_individual=acc(3000, 1500))
    est = one(commercial(lb), IOP)
    # days 1-3: 3 x $300 = $900 deductible; then 20% x $300 = $60 a day; OOP room after the
    # deductible $1,500 - $900 = $600 = 10 days (days 4-13); days 14-24 $0. Patient $1,500.
    assert est.totals.deductible == D("900.00")
    assert est.totals.coinsurance == D("600.00")
    assert est.totals.patient_pays == D("1500.00")
    # allowed 24 x $300 = $7,200; plan $7,200 - $1,500 = $5,700
    assert est.totals.allowed == D("7200.00") and est.totals.payer_pays == D("5700.00")
    texts = [line.text for line in est.explanation]
    assert texts[0] == "Days 1\u20133 (Jan 5\u2013Jan 9): $900.00 toward your remaining $900.00 deductible"
    assert texts[1] == "Days 4\u201313 (Jan 12\u2013Feb 2): 20% coinsurance of $300.00 = $60.00 a day, $600.00 in all"
    assert texts[2].startswith("Out-of-pocket maximum reached on day 13 (Feb 2)")
    # per week: $1,500 / 8 = $187.50; per hour: $1,500 / 72 h = $20.833 -> $20.83
    assert est.patient_pays_per_week == D("187.50")
    assert est.patient_pays_per_treatment_hour == D("20.83")


def test_out_of_network_balance_bill_not_capped_by_oop():
    lb = level_benefits(network=Network.OUT, deductible_individual=acc(1000, 1000), coinsurance_percent=D(40),
                        oop_max_individual=acc(2000, 2000))
    est = one(commercial(lb), IOP, network="out")
    # allowed = contracted OON $250; days 1-4 deductible 4 x $250 = $1,000; then 40% x $250 = $100
    # a day until OOP room $1,000 is used: days 5-14; cost share $2,000.
    # balance bill ($400 - $250) x 24 = $3,600, uncapped. Patient $5,600.
    assert est.totals.deductible == D("1000.00")
    assert est.totals.coinsurance == D("1000.00")
    assert est.totals.balance_bill == D("3600.00")
    assert est.totals.patient_pays == D("5600.00")
    assert est.network is Network.OUT
    assert any("balance bill" in w for w in est.warnings)


def test_out_of_network_allowed_estimated_when_not_on_file():
    lb = level_benefits(level=Level.PHP, network=Network.OUT, coinsurance_percent=D(50),
                        deductible_individual=acc(0, 0))
    est = one(commercial(lb), CourseOfCare(level=Level.PHP), network="out")
    # (a $0 out-of-network deductible, stated: an unreported one is a range, see test_pricing_network.py)
    # no OON allowed for PHP -> assumed = in-network $600; 50% = $300 x 15 days = $4,500;
    # balance bill ($800 - $600) x 15 = $3,000. Patient $7,500.
    assert est.totals.coinsurance == D("4500.00")
    assert est.totals.balance_bill == D("3000.00")
    assert any(a.startswith("allowed amount estimated") for a in est.assumptions)


def test_family_deductible_met_before_individual():
    lb = level_benefits(deductible_individual=acc(2000, 1000), deductible_family=acc(4000, 400),
                        coinsurance_percent=D(20))
    est = one(commercial(lb), IOP)
    # day 1: deductible min($300, $1,000, $400) = $300; day 2: min($300, $700, $100) = $100
    # + 20% x $200 = $40; days 3-24: 22 x $60 = $1,320. Patient $300 + $140 + $1,320 = $1,760.
    assert est.totals.deductible == D("400.00")
    assert est.totals.patient_pays == D("1760.00")
    assert any("Family deductible met on day 2" in line.text for line in est.explanation)


def test_plan_year_crossing_resets_deductible():
    lb = level_benefits(deductible_individual=acc(1000, 200), coinsurance_percent=D(20))
    course = CourseOfCare(level=Level.IOP, weeks=2, start_date=dt.date(2025, 12, 22))
    est = one(commercial(lb), course)
    # days: Dec 22, 24, 26, 29, 31, Jan 2. Dec 22: $200 deductible + 20% x $100 = $220;
    # Dec 24-31: 4 x $60 = $240; Jan 2 (new plan year, full $1,000 deductible): $300. Total $760.
    assert est.totals.patient_pays == D("760.00")
    assert any(line.text.startswith("New plan year from Jan 1, 2026 (day 6)") for line in est.explanation)
    assert any("new plan year" in w for w in est.warnings)


def test_plan_year_from_plan_begin_does_not_reset_on_january_first():
    lb = level_benefits(deductible_individual=acc(1000, 200), coinsurance_percent=D(20))
    course = CourseOfCare(level=Level.IOP, weeks=2, start_date=dt.date(2025, 12, 22))
    est = one(commercial(lb, plan_begin=dt.date(2025, 7, 1)), course)
    # plan year Jul 1 - Jun 30: $220 + 5 x $60 = $520
    assert est.totals.patient_pays == D("520.00")


def test_copay_per_day():
    est = one(commercial(level_benefits(copay=D(50), copay_per="day")), IOP)
    # 24 x $50 = $1,200
    assert est.totals.copay == D("1200.00") and est.totals.patient_pays == D("1200.00")
    assert est.explanation[0].text == "Days 1\u201324 (Jan 5\u2013Feb 27): $50.00 copay a day, $1,200.00 in all"


def test_copay_per_admission_inpatient():
    lb = level_benefits(level=Level.INPATIENT, copay=D(250), copay_per="admission")
    est = one(commercial(lb), CourseOfCare(level=Level.INPATIENT))
    # one $250 copay for the 10-day stay
    assert est.totals.patient_pays == D("250.00")


def test_day_limit_days_past_it_are_self_pay():
    lb = level_benefits(copay=D(50), limit=Limit(quantity=30, remaining=20, unit="days"))
    est = one(commercial(lb), IOP)
    # days 1-20: 20 x $50 = $1,000 copay; days 21-24: 4 x $250 self-pay = $1,000 over limit
    assert est.totals.copay == D("1000.00")
    assert est.totals.over_limit == D("1000.00")
    assert est.totals.patient_pays == D("2000.00")
    assert any("limit" in w for w in est.warnings)


def test_not_covered_patient_pays_self_pay_rate():
    est = one(commercial(level_benefits(covered=False)), IOP)
    # 24 x $250 = $6,000
    assert est.totals.not_covered == D("6000.00") and est.totals.patient_pays == D("6000.00")
    assert est.totals.payer_pays == D("0.00")


def test_unknown_remaining_assumes_full_amount_and_says_so():
    lb = level_benefits(deductible_individual=acc(600), coinsurance_percent=D(10))
    est = one(commercial(lb), IOP)
    # $600 deductible = days 1-2; then 10% x $300 = $30 x 22 = $660. Total $1,260.
    assert est.totals.patient_pays == D("1260.00")
    assert any("remaining not reported" in a for a in est.assumptions)


def test_prior_authorization_and_manual_entry_are_warned():
    from contracts.benefits import Source

    est = one(commercial(level_benefits(copay=D(10), prior_authorization_required=True), source=Source.MANUAL), IOP)
    assert any("prior authorization" in w for w in est.warnings)
    assert any("entered by hand" in w for w in est.warnings)


def test_missing_level_benefits_shown_at_self_pay_with_warning():
    est = one(commercial(), IOP)
    assert est.totals.patient_pays == D("6000.00")
    assert any("no in-network benefits reported" in w for w in est.warnings)


def test_comparison_defaults_to_all_three_levels_and_ranks_none():
    lbs = [level_benefits(level=lv, copay=D(c)) for lv, c in ((Level.IOP, 20), (Level.PHP, 30), (Level.INPATIENT, 500))]
    comparison = run(commercial(*lbs))
    # IOP 24 x $20 = $480; PHP 15 x $30 = $450; inpatient 10 x $500 = $5,000
    assert [e.level for e in comparison.estimates] == [Level.IOP, Level.PHP, Level.INPATIENT]
    assert [e.totals.patient_pays for e in comparison.estimates] == [D("480.00"), D("450.00"), D("5000.00")]
    # the level of care is a clinical decision: the summary gives each total and names no "lowest"
    assert comparison.summary == "IOP: $480.00 for 24 days; PHP: $450.00 for 15 days; INPATIENT: $5,000.00 for 10 days."
    assert comparison.figures.rate_table_version == "test-1"


def test_both_networks_side_by_side():
    lbs = [level_benefits(copay=D(20)), level_benefits(network=Network.OUT, coinsurance_percent=D(50),
                                                       deductible_individual=acc(0, 0))]
    comparison = run(commercial(*lbs), CourseOfCare(level=Level.IOP), network="both")
    assert [(e.network, e.totals.patient_pays) for e in comparison.estimates] == [
        # in: 24 x $20 = $480; out: 24 x (50% x $250 + $150 balance) = 24 x $275 = $6,600
        (Network.IN, D("480.00")), (Network.OUT, D("6600.00"))]


def test_lifetime_limit_is_not_renewed_by_a_new_plan_year():
    lb = level_benefits(copay=D(10), limit=Limit(quantity=20, remaining=5, unit="visits", period="lifetime"))
    course = CourseOfCare(level=Level.IOP, weeks=4, start_date=dt.date(2025, 12, 15))
    est = one(commercial(lb), course)
    # Mon/Wed/Fri from Mon 2025-12-15: Dec 15, 17, 19, 22, 24, 26, 29, 31, Jan 2, 5, 7, 9 = 12 days.
    # A lifetime limit with 5 visits left: days 1-5 covered, 5 x $10 copay = $50; days 6-12 past it,
    # the new plan year on Jan 1 does not renew it: 7 x $250 self-pay = $1,750. Patient $1,800.
    assert est.totals.copay == D("50.00")
    assert est.totals.over_limit == D("1750.00")
    assert est.totals.patient_pays == D("1800.00")


def test_yearly_limit_starts_again_in_a_new_plan_year():
    lb = level_benefits(copay=D(10), limit=Limit(quantity=20, remaining=5, unit="visits", period="calendar_year"))
    course = CourseOfCare(level=Level.IOP, weeks=4, start_date=dt.date(2025, 12, 15))
    est = one(commercial(lb), course)
    # 2025: days 1-5 covered ($50), days 6-8 (Dec 26, 29, 31) past the limit 3 x $250 = $750;
    # 2026: the full 20 visits again, days 9-12 covered 4 x $10 = $40. Patient $840.
    assert est.totals.over_limit == D("750.00")
    assert est.totals.patient_pays == D("840.00")


def test_copay_per_admission_not_lost_when_the_deductible_takes_the_first_day():
    lb = level_benefits(level=Level.INPATIENT, copay=D(250), copay_per="admission",
                        deductible_individual=acc(3000, 1500))
    est = one(commercial(lb), CourseOfCare(level=Level.INPATIENT))
    # allowed $1,500 a day. Day 1: $1,500 deductible (nothing left for the copay that day);
    # day 2: the $250 copay for the stay; days 3-10 $0. Patient $1,500 + $250 = $1,750.
    assert est.totals.deductible == D("1500.00")
    assert est.totals.copay == D("250.00")
    assert est.totals.patient_pays == D("1750.00")


def test_copay_per_admission_split_when_a_day_has_less_room_than_the_copay():
    lb = level_benefits(level=Level.INPATIENT, copay=D(250), copay_per="admission",
                        deductible_individual=acc(3000, 1400))
    est = one(commercial(lb), CourseOfCare(level=Level.INPATIENT))
    # Day 1: $1,400 deductible + $100 of the copay (all that is left of $1,500); day 2: the other $150.
    # Patient $1,400 + $250 = $1,650; the stay's copay is still $250 in all.
    assert est.totals.copay == D("250.00")
    assert est.totals.patient_pays == D("1650.00")


def test_family_only_deductible_met_does_not_mention_an_individual_deductible():
    lb = level_benefits(deductible_family=acc(3000, 500), coinsurance_percent=D(20))
    est = one(commercial(lb), CourseOfCare(level=Level.IOP, weeks=1))
    # day 1 $300 deductible; day 2 $200 deductible + 20% x $100 = $20; day 3 $60. Patient $580.
    assert est.totals.patient_pays == D("580.00")
    events = [line.text for line in est.explanation if line.kind.value == "event"]
    assert events == ["Family deductible met on day 2 (Jan 7): no more deductible this plan year"]


def test_limit_without_a_total_reads_without_a_blank_number():
    lb = level_benefits(copay=D(10), limit=Limit(remaining=2, unit="days"))
    est = one(commercial(lb), CourseOfCare(level=Level.IOP, weeks=1))
    # days 1-2: 2 x $10 = $20; day 3 past the limit: $250. Patient $270.
    assert est.totals.patient_pays == D("270.00")
    assert est.explanation[-1].text == "Day 3 (Jan 9): past your plan's days limit: self-pay rate $250.00 a day"


def test_out_of_network_after_oop_met_does_not_say_you_pay_nothing():
    lb = level_benefits(network=Network.OUT, coinsurance_percent=D(40), oop_max_individual=acc(2000, 0))
    est = one(commercial(lb), CourseOfCare(level=Level.IOP, weeks=1), network="out")
    # OOP already met: no cost sharing, but the $400 - $250 = $150 balance bill a day remains: 3 x $150 = $450
    assert est.totals.patient_pays == D("450.00") and est.totals.balance_bill == D("450.00")
    text = est.explanation[0].text
    assert "you pay $0.00" not in text
    assert text.startswith("Days 1\u20133 (Jan 5\u2013Jan 9): out-of-pocket maximum met: no more cost sharing, the plan "
                           "pays $250.00 a day; plus a possible balance bill of $150.00 a day")
    assert text.endswith("$450.00 in all")


def test_days_after_coverage_ends_are_flagged():
    import msgspec

    lb = level_benefits(coinsurance_percent=D(20))
    benefits = msgspec.structs.replace(commercial(lb), eligibility_end=dt.date(2026, 1, 31))
    est = one(benefits, IOP)
    # Mon/Wed/Fri from Mon 2026-01-05: January has 12 of the 24 days (5,7,9,...,30); 12 fall after Jan 31.
    assert "coverage ends 2026-01-31 per the payer: 12 service day(s) after that are priced as if still covered; " \
           "confirm coverage before scheduling them" in est.warnings
    # without an end date there is no such warning
    assert not any(w.startswith("coverage ends") for w in one(commercial(lb), IOP).warnings)
