"""Hand-written PPO, Medicare and Medicaid 271s through normalization and the levels rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from contracts.benefits import InsuranceType, Level, Network, PayerClass
from service.eligibility.benefits import benefits_from_271

from .helpers import make_271


def eb(code, lvl="", stc=(), ins="", desc="", period="", amt="", pct="", qq="", qty="", auth="", net=""):
    return ["EB", code, lvl, list(stc), ins, desc, period, amt, pct, qq, qty, auth, net]


def level(nb, lv, net):
    [found] = [x for x in nb.levels if x.level == lv and x.network == net]
    return found


PPO = make_271(
    [
        eb("1", "IND", ["30"], "PR", "ACME PPO GOLD"),
        eb("C", "IND", ["30"], "PR", period="23", amt="1500", net="Y"),
        eb("C", "IND", ["30"], "PR", period="29", amt="900", net="Y"),
        eb("C", "FAM", ["30"], "PR", period="23", amt="3000", net="Y"),
        eb("C", "FAM", ["30"], "PR", period="24", amt="1000", net="Y"),
        eb("C", "IND", ["30"], "PR", period="23", amt="3000", net="N"),
        eb("C", "IND", ["30"], "PR", period="24", amt="500", net="N"),
        eb("G", "IND", ["30"], "PR", period="23", amt="5000", net="Y"),
        eb("G", "IND", ["30"], "PR", period="29", amt="4200", net="Y"),
        eb("A", "", ["MH", "A8"], "PR", pct="0.2", net="Y"),
        eb("A", "", ["MH", "A8"], "PR", pct="0.4", net="N"),
        eb("B", "", ["A8"], "PR", period="27", amt="25", net="Y"),
        eb("1", "", ["BB"], "PR", net="Y"),
        ["MSG", "PRIOR AUTHORIZATION REQUIRED FOR PARTIAL HOSPITALIZATION"],
        eb("I", "", ["BB"], "PR", net="N"),
        eb("1", "", ["A7"], "PR", auth="Y"),
        eb("B", "", ["A7"], "PR", period="36", amt="250", net="Y"),
        eb("B", "", ["A7"], "PR", period="7", amt="50", net="Y"),
        eb("F", "", ["A7"], "PR", period="23", qq="DY", qty="30", net="W"),
    ],
    member_segments=[["REF", "6P", "GRP100", "ACME EMPLOYER"], ["DTP", "291", "RD8", "20260101-20261231"]],
)


def test_ppo_plan_facts():
    nb = benefits_from_271(PPO)
    assert nb.active is True
    assert (nb.payer_class, nb.insurance_type) == (PayerClass.COMMERCIAL, InsuranceType.COMMERCIAL_PPO)
    assert (nb.group_number, nb.group_name, nb.plan_name) == ("GRP100", "ACME EMPLOYER", "ACME PPO GOLD")
    assert (nb.plan_begin, nb.plan_end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert nb.payer_name == "ACME HEALTH" and nb.payer_id == "12345"
    assert len(nb.benefit_rows) == 18 and len(nb.levels) == 6


def test_ppo_iop_in_network_with_plan_fallback_for_accumulators():
    iop = level(benefits_from_271(PPO), Level.IOP, Network.IN)
    assert iop.deductible_individual.total == Decimal("1500")
    assert iop.deductible_individual.remaining == Decimal("900")  # the EB06 29 row, not total - ytd
    assert iop.deductible_individual.period == "calendar_year"
    # family: no 29 row -> 3000 - 1000 (EB06 24, year to date) = 2000
    assert (iop.deductible_family.total, iop.deductible_family.remaining) == (Decimal("3000"), Decimal("2000"))
    assert (iop.oop_max_individual.total, iop.oop_max_individual.remaining) == (Decimal("5000"), Decimal("4200"))
    assert iop.coinsurance_percent == Decimal("20")
    assert (iop.copay, iop.copay_per) == (Decimal("25"), "day")  # A8 visit copay charged per program day
    assert iop.fell_back_to_plan is True
    assert iop.service_type_codes == ["30", "MH", "A8"]
    assert any("plan-level" in n for n in iop.notes)
    assert iop.covered is None  # no active-coverage or non-covered row for MH/A8/CF/CH


def test_ppo_iop_out_of_network():
    iop = level(benefits_from_271(PPO), Level.IOP, Network.OUT)
    # 3000 - 500 year to date = 2500
    assert (iop.deductible_individual.total, iop.deductible_individual.remaining) == (Decimal("3000"), Decimal("2500"))
    assert iop.coinsurance_percent == Decimal("40")
    assert iop.copay is None and iop.oop_max_individual is None and iop.deductible_family is None


def test_ppo_php_covered_in_network_not_out_and_prior_auth_from_msg():
    nb = benefits_from_271(PPO)
    php_in, php_out = level(nb, Level.PHP, Network.IN), level(nb, Level.PHP, Network.OUT)
    assert php_in.covered is True and php_in.prior_authorization_required is True
    assert php_out.covered is False
    assert any("BB is not covered" in n for n in php_out.notes)


def test_ppo_inpatient_copay_per_admission_day_limit_and_prior_auth():
    inp = level(benefits_from_271(PPO), Level.INPATIENT, Network.IN)
    assert (inp.copay, inp.copay_per) == (Decimal("250"), "admission")
    assert inp.limit.quantity == 30 and inp.limit.unit == "days" and inp.limit.period == "calendar_year"
    assert inp.prior_authorization_required is True  # EB11=Y on the A7 active row
    assert inp.covered is True
    out = level(benefits_from_271(PPO), Level.INPATIENT, Network.OUT)
    assert out.copay is None and out.limit.quantity == 30  # EB12 W applies to both


MEDICARE = make_271(
    [
        eb("1", "", ["30"], "MA"), ["DTP", "307", "D8", "20150301"],
        eb("1", "", ["30"], "MB"), ["DTP", "307", "RD8", "20160101-20271231"],
        eb("C", "", ["30"], "MA", period="26", amt="1676"),
        eb("C", "", ["30"], "MA", period="29", amt="1676"),
        eb("C", "", ["30"], "MB", period="23", amt="257"),
        eb("C", "", ["30"], "MB", period="29", amt="100"),
        eb("A", "", ["30"], "MB", pct="0.2"),
        eb("F", "", ["A7"], "MA", period="32", qq="DY", qty="190"),
        eb("F", "", ["A7"], "MA", period="33", qq="DY", qty="150"),
        eb("K", "", ["48"], "MA", qq="LA", qty="60"),
        eb("R", "", ["30"], "12"),
        ["LS", "2120"], ["NM1", "PRP", "2", "ACME GROUP HEALTH", "", "", "", "", "PI", "55555"], ["LE", "2120"],
    ],
    payer="CMS MEDICARE",
)


def test_medicare_parts_deductibles_days_and_other_payer():
    nb = benefits_from_271(MEDICARE)
    assert (nb.payer_class, nb.insurance_type) == (PayerClass.MEDICARE, InsuranceType.MEDICARE_PART_A_AND_B)
    m = nb.medicare
    assert m.part_a_effective == dt.date(2015, 3, 1) and m.part_a_termination is None
    assert (m.part_b_effective, m.part_b_termination) == (dt.date(2016, 1, 1), dt.date(2027, 12, 31))
    assert m.part_a_deductible_remaining == Decimal("1676")
    assert m.part_b_deductible_remaining == Decimal("100")
    assert (m.psychiatric_lifetime_days_used, m.psychiatric_lifetime_days_remaining) == (40, 150)  # 190 - 150
    assert m.lifetime_reserve_days_remaining == 60
    assert [o.name for o in nb.other_payers] == ["ACME GROUP HEALTH"]
    assert m.qmb is False and m.advantage is None


def test_medicare_levels_pick_the_part_for_the_level():
    nb = benefits_from_271(MEDICARE)
    inp = level(nb, Level.INPATIENT, Network.IN)
    assert inp.deductible_individual.total == Decimal("1676") and inp.deductible_individual.period == "episode"
    iop = level(nb, Level.IOP, Network.IN)
    assert (iop.deductible_individual.total, iop.deductible_individual.remaining) == (Decimal("257"), Decimal("100"))
    assert iop.coinsurance_percent == Decimal("20") and iop.fell_back_to_plan is True


def test_medicare_qmb_from_message_and_advantage_from_hn():
    qmb = benefits_from_271(make_271([eb("1", "", ["30"], "MB"), ["MSG", "BENEFICIARY IS QMB"]]))
    assert qmb.medicare.qmb is True and qmb.insurance_type == InsuranceType.MEDICARE_PART_B
    ma = benefits_from_271(make_271([
        eb("1", "", ["30"], "MA"), eb("R", "", ["30"], "HN", "SUNNY ADVANTAGE"),
        ["LS", "2120"], ["NM1", "PRP", "2", "SUNNY HEALTH MA PLAN"], ["LE", "2120"],
    ]))
    assert ma.insurance_type == InsuranceType.MEDICARE_ADVANTAGE
    assert ma.medicare.advantage.plan_name == "SUNNY HEALTH MA PLAN"
    assert ma.other_payers == []


def test_medicaid_managed_care_and_cost_sharing_category():
    nb = benefits_from_271(make_271([
        eb("1", "IND", ["30"], "MC", "STATE MEDICAID"), ["MSG", "COST SHARING CATEGORY = 101-150"],
        ["MSG", "STATE FL"],
        eb("MC", "", ["30"], "MC"),
        ["LS", "2120"], ["NM1", "Y2", "2", "SUNSHINE HEALTH PLAN"], ["LE", "2120"],
        eb("B", "", ["MH"], "MC", period="27", amt="4"),
    ], payer="STATE MEDICAID"))
    assert (nb.payer_class, nb.insurance_type) == (PayerClass.MEDICAID, InsuranceType.MEDICAID_MANAGED_CARE)
    assert nb.medicaid.managed_care_plan == "SUNSHINE HEALTH PLAN"
    assert nb.medicaid.cost_sharing_category == "101_to_150" and nb.medicaid.state == "FL"
    iop = level(nb, Level.IOP, Network.IN)
    assert (iop.copay, iop.copay_per, iop.fell_back_to_plan) == (Decimal("4"), "day", False)


def test_medicaid_ffs_exempt_from_zero_copay_with_message():
    nb = benefits_from_271(make_271([
        eb("1", "IND", ["30"], "MC"),
        eb("B", "", ["30"], "MC", period="27", amt="0"), ["MSG", "MEMBER EXEMPT FROM COPAYMENTS"],
    ]))
    assert nb.insurance_type == InsuranceType.MEDICAID_FFS
    assert nb.medicaid.cost_sharing_category == "exempt" and nb.medicaid.managed_care_plan is None


def test_inactive_coverage_and_retryable_rejection():
    nb = benefits_from_271(make_271([eb("6", "IND", ["30"], "PR")]))
    assert nb.active is False
    nb = benefits_from_271(make_271([], member_segments=[["AAA", "N", "", "42", "P"]]))
    assert nb.active is None and nb.rejections[0].retryable is True and nb.rejections[0].loop == "2100C"
    nb = benefits_from_271(make_271([], member_segments=[["AAA", "N", "", "42", "W"], ["AAA", "N", "", "72", "C"]]))
    assert [r.retryable for r in nb.rejections] == [False, False]
    assert nb.rejections[1].reason == "The member ID is missing or invalid"


def test_dependent_benefits_flagged():
    nb = benefits_from_271(make_271([eb("1", "IND", ["30"], "HM")], dependent=True))
    assert nb.patient_is_dependent is True and nb.benefit_rows[0].code == "1"
    assert nb.insurance_type == InsuranceType.COMMERCIAL_HMO


def test_numbers_x12_does_not_allow_are_ignored_with_a_warning_not_a_crash():
    # EB08 "1E+30" made the percent quantize raise InvalidOperation (a 500 on parse-271);
    # EB10 "1E+999999999" made int() build a billion-digit integer (the request never ended);
    # HSD02 "\u00b2" passes str.isdigit() but is no number.
    text = make_271([
        eb("1", "", ["30"], "PR"),
        eb("A", "", ["MH"], "PR", pct="1E+30", net="Y"),
        eb("F", "", ["A7"], "PR", period="32", qq="DY", qty="1E+999999999"),
        eb("F", "", ["MH"], "MA", period="33", qq="DY", qty="1E+999999999"),
        eb("C", "IND", ["30"], "PR", period="23", amt="-1E-999999999"),
        eb("B", "", ["BB"], "PR", period="27", amt="25"),
        ["HSD", "DY", "2", "WK"],
    ])
    nb = benefits_from_271(text.replace("HSD*DY*2*WK", "HSD*DY*\u00b2*WK"))
    rows = nb.benefit_rows
    assert rows[1].percent is None and rows[2].quantity is None and rows[4].amount is None
    assert sum("not a number" in w for w in nb.warnings) >= 3
    php = level(nb, Level.PHP, Network.IN)
    assert php.copay == Decimal("25") and php.limit is None


def test_plain_x12_decimals_still_read():
    nb = benefits_from_271(make_271([
        eb("A", "", ["MH"], "PR", pct=".2", net="Y"),
        eb("C", "IND", ["30"], "PR", period="23", amt="1500", net="Y"),
        eb("C", "IND", ["30"], "PR", period="24", amt="250.5", net="Y"),
        eb("F", "", ["MH"], "PR", period="23", qq="VS", qty="30."),
    ]))
    iop = level(nb, Level.IOP, Network.IN)
    assert iop.coinsurance_percent == Decimal("20")
    assert iop.deductible_individual.remaining == Decimal("1249.5")  # 1500 - 250.5
    assert iop.limit.quantity == 30 and iop.limit.unit == "visits"


def test_271_money_is_two_decimal_strings_on_the_wire_like_every_other_source():
    # Payers send X12 R without trailing zeros ("1500", "25.5"); the contract promises "1500.00".
    import msgspec

    nb = benefits_from_271(make_271([
        eb("1", "", ["30"], "MB"),
        eb("1", "", ["30"], "MA"),
        eb("C", "IND", ["30", "MH"], "MB", period="23", amt="257"),
        eb("C", "IND", ["30", "MH"], "MB", period="24", amt="57.5"),
        eb("C", "IND", ["30"], "MA", period="29", amt="1632"),
        eb("B", "", ["MH"], "MB", period="27", amt="12.345"),
    ], payer="MEDICARE"))
    wire = msgspec.json.decode(msgspec.json.encode(nb))
    iop = [lv for lv in wire["levels"] if lv["level"] == "iop" and lv["network"] == "in"][0]
    assert iop["deductible_individual"] == {"total": "257.00", "remaining": "199.50", "period": "calendar_year"}
    assert iop["copay"] == "12.35"  # 12.345 half up, with a warning
    assert [r.get("amount") for r in wire["benefit_rows"]][2:] == ["257.00", "57.50", "1632.00", "12.35"]  # absent = none sent
    assert wire["medicare"]["part_a_deductible_remaining"] == "1632.00"
    assert any("more than two decimals" in w for w in nb.warnings)
    over = benefits_from_271(make_271([
        eb("C", "IND", ["30"], "PR", period="23", amt="100"), eb("C", "IND", ["30"], "PR", period="24", amt="150"),
    ]))
    # 100 - 150 met is clamped to nothing left
    assert msgspec.json.encode(over.levels[0].deductible_individual.remaining) == b'"0.00"'


def test_medicare_deductible_remaining_is_plan_minus_year_to_date_when_no_29_row():
    # Reference: remaining = the EB06 29 row, else plan amount - year to date (24). A Medicare payer that
    # sends 23 + 24 left part_b_deductible_remaining None, so pricing assumed the whole deductible was due.
    nb = benefits_from_271(make_271([
        eb("1", "", ["30"], "MA"), eb("1", "", ["30"], "MB"),
        eb("C", "IND", ["30"], "MB", period="23", amt="283"),
        eb("C", "IND", ["30"], "MB", period="24", amt="163"),
        eb("C", "IND", ["30"], "MA", period="26", amt="1736"),
        eb("C", "IND", ["30"], "MA", period="24", amt="2000"),
    ], payer="MEDICARE"))
    assert nb.medicare.part_b_deductible_remaining == Decimal("120.00")  # 283 - 163
    assert nb.medicare.part_a_deductible_remaining == Decimal("0.00")  # 1736 - 2000, nothing left
    # the IOP level (Part B) agrees with the Medicare details
    assert level(nb, Level.IOP, Network.IN).deductible_individual.remaining == Decimal("120.00")
