"""Warnings agree with the numbers: other coverage already included, DEMO rates actually used, allowed above charge.

Test rates (pricing_support.RATES): IOP gross $400, contracted $300, Medicare per diem $250 (3 services).
Default IOP course: Mon/Wed/Fri, 3 h, 8 weeks from Mon 2026-01-05 = 24 days.
"""

import dataclasses

import msgspec

from contracts.benefits import CoverageOrder, OtherPayer, OtherPayerKind
from pricing_support import RATES, D, CourseOfCare, Level, acc, commercial, level_benefits, medicare, one

IOP = CourseOfCare(level=Level.IOP)
STATE_MEDICAID = OtherPayer(order=CoverageOrder.SECONDARY, kind=OtherPayerKind.MEDICAID, name="STATE MEDICAID")
PLAN_G = OtherPayer(order=CoverageOrder.SECONDARY, kind=OtherPayerKind.MEDIGAP, name="ACME MEDIGAP", medigap_plan="G")


def _not_included(est) -> list[str]:
    return [w for w in est.warnings if "not included" in w]


def test_qmb_medicaid_already_counted_is_not_called_not_included():
    b = msgspec.structs.replace(medicare(part_b_deductible_remaining=D(100), qmb=True), other_payers=[STATE_MEDICAID])
    est = one(b, IOP)
    # QMB: the whole would-be 1280.00 (day 1 100.00 + 20% x 150.00 = 130.00; 23 x 50.00 = 1150.00) is waived
    assert est.totals.patient_pays == D("0.00") and est.totals.waived_cost_sharing == D("1280.00")
    assert _not_included(est) == []


def test_medigap_paying_part_b_coinsurance_is_not_called_not_included():
    b = msgspec.structs.replace(medicare(part_b_deductible_remaining=D(100), medigap_pays_part_b_coinsurance=True),
                                other_payers=[PLAN_G])
    est = one(b, IOP)
    # the patient keeps the 100.00 deductible; Medigap pays the 1180.00 coinsurance (30.00 + 23 x 50.00)
    assert est.totals.patient_pays == D("100.00") and est.totals.waived_cost_sharing == D("1180.00")
    # Medicare pays 6000.00 - 100.00 - 1180.00 = 4720.00: not the Medigap's share
    assert est.totals.payer_pays == D("4720.00")
    assert _not_included(est) == []


def test_other_coverage_not_counted_still_says_so():
    retiree = OtherPayer(order=CoverageOrder.SECONDARY, kind=OtherPayerKind.COMMERCIAL, name="ACME RETIREE PLAN")
    b = msgspec.structs.replace(medicare(part_b_deductible_remaining=D(100)), other_payers=[retiree])
    est = one(b, IOP)
    assert est.totals.patient_pays == D("1280.00")
    assert _not_included(est) == ["other coverage (ACME RETIREE PLAN) may pay part of the cost sharing; not "
                                  "included: run an eligibility check for it or enter its benefits in other_coverage"]


def _demo(*kinds: str):
    return dataclasses.replace(RATES, demo=True, demo_kinds=frozenset(kinds))


def test_demo_warning_only_when_demo_figures_priced_the_level():
    lb = level_benefits(coinsurance_percent=D(20))
    commercial_est = one(commercial(lb), IOP, rates=_demo("medicare"))
    assert not any("DEMO" in w for w in commercial_est.warnings)
    medicare_est = one(medicare(part_b_deductible_remaining=D(0)), IOP, rates=_demo("medicare"))
    assert [w for w in medicare_est.warnings if "DEMO" in w] == [
        "DEMO rates (test-1): the medicare figures used are not the provider's own"]
    all_demo = one(commercial(lb), IOP, rates=dataclasses.replace(RATES, demo=True))
    assert [w for w in all_demo.warnings if "DEMO" in w] == [
        "DEMO rates (test-1): the chargemaster and contract figures used are not the provider's own"]


def test_allowed_above_the_charge_is_flagged():
    iop = dataclasses.replace(RATES.levels[Level.IOP], contracted_in_network_per_day=D("450"))
    rates = dataclasses.replace(RATES, levels={**RATES.levels, Level.IOP: iop})
    est = one(commercial(level_benefits(deductible_individual=acc(0, 0), coinsurance_percent=D(20))), IOP, rates=rates)
    # 24 days x 20% x 450.00 = 24 x 90.00 = 2160.00 (priced as contracted, but flagged)
    assert est.totals.patient_pays == D("2160.00")
    assert ("the allowed amount $450.00 a day is above the provider's charge $400.00 on 24 day(s): check the fee "
            "schedule (payers rarely allow more than the charge)") in est.warnings
    assert not any("above the provider's charge" in w for w in one(commercial(level_benefits(
        coinsurance_percent=D(20))), IOP).warnings)
