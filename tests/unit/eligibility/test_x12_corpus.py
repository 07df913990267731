"""The conformance corpus (``tests/data/x12``): for every file, what a person reads in it, checked against
the service's normalized answer. Sources and licences: ``tests/data/x12/README.md``.

Each test names the file, states the facts in words (who, active or not, plan, every amount with its network
and period, day counts, rejections, other payers with their order) and asserts them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from contracts.benefits import (
    CoverageOrder, InsuranceType, Level, Network, NormalizedBenefits, OtherPayerKind, PayerClass,
)
from service.eligibility.benefits import benefits_from_271
from service.eligibility.service import message_for
from service.eligibility.x12 import codes
from service.eligibility.x12.reader_270 import read_270
from service.eligibility.x12.reader_271 import read_271
from service.eligibility.x12.tokenizer import X12FormatError
from tests.corpus import X12_CORPUS, x12


def level(nb: NormalizedBenefits, lv: Level, net: Network):
    return next(x for x in nb.levels if x.level is lv and x.network is net)


def test_every_corpus_file_has_a_test_and_a_readme_row() -> None:
    readme = (X12_CORPUS / "README.md").read_text()
    source = open(__file__, encoding="utf-8").read()
    for path in sorted(X12_CORPUS.glob("*.27[01]")):
        assert path.name in readme, f"{path.name} has no source/licence row in the README"
        assert f'"{path.name}"' in source, f"{path.name} has no test stating its facts"


# ---------------------------------------------------------------- public samples (LinuxForHealth, badX12)

@pytest.mark.parametrize("name", ["lfh-subscriber-health-benefit-check.271", "lfh-demo.271",
                                  "badx12-response-subscriber.271"])
def test_public_subscriber_gold_123_plan(name: str) -> None:
    """JOHN SMITH, born 1963-05-19, ABC COMPANY: active, GOLD 123 PLAN (HMO rows), plan from 2006-01-01;
    primary care provider MARCUS JONES; copay 10.00 per visit in network, 30.00 out of network."""
    nb = benefits_from_271(x12(name))
    patient = read_271(x12(name)).subscriber.demographics
    assert (patient.first_name, patient.last_name, patient.date_of_birth) == ("JOHN", "SMITH", "19630519")
    assert nb.active is True and nb.payer_name == "ABC COMPANY" and nb.plan_name == "GOLD 123 PLAN"
    assert (nb.payer_class, nb.insurance_type) == (PayerClass.COMMERCIAL, InsuranceType.COMMERCIAL_HMO)
    assert nb.plan_begin == dt.date(2006, 1, 1) and nb.patient_is_dependent is False
    iop_in, iop_out = level(nb, Level.IOP, Network.IN), level(nb, Level.IOP, Network.OUT)
    assert (iop_in.copay, iop_in.copay_per) == (Decimal("10.00"), "day")  # a visit copay per program day
    assert iop_out.copay == Decimal("30.00")
    assert any("JONES" in e for r in nb.benefit_rows for e in r.related_entities)
    assert nb.rejections == [] and nb.other_payers == []


@pytest.mark.parametrize("name", ["lfh-dependent-health-benefit-check.271", "badx12-response-dependent.271"])
def test_public_dependent_mary_smith(name: str) -> None:
    """Dependent MARY SMITH (child of JOHN SMITH), born 1998-10-14: active, GOLD 123 PLAN, the same copays
    (10.00 in, 30.00 out) reported in her own loop."""
    nb = benefits_from_271(x12(name))
    dep = read_271(x12(name)).dependent.demographics
    assert (dep.first_name, dep.last_name, dep.date_of_birth, dep.relationship[:2]) == (
        "MARY", "SMITH", "19981014", ["N", "19"])
    assert nb.patient_is_dependent is True and nb.active is True and nb.plan_name == "GOLD 123 PLAN"
    assert level(nb, Level.PHP, Network.IN).copay == Decimal("10.00")
    assert level(nb, Level.PHP, Network.OUT).copay == Decimal("30.00")


@pytest.mark.parametrize("name", ["lfh-subscriber-health-benefit-check-error.271",
                                  "badx12-error-response-not-eligible-for-inquiries.271"])
def test_public_provider_not_eligible_for_inquiries(name: str) -> None:
    """AAA*Y**50*N at the information receiver: the provider may not ask this payer; no subscriber loop."""
    nb = benefits_from_271(x12(name))
    assert nb.active is None and nb.levels == []
    [rej] = nb.rejections
    assert (rej.loop, rej.reason_code, rej.follow_up_code, rej.retryable) == ("2100B", "50", "N", False)
    assert rej.reason == "The provider is not eligible to ask this payer about benefits (enrolment)"
    if name.startswith("lfh"):
        assert any("SE02 control number 4323" in w for w in nb.warnings)


@pytest.mark.parametrize("name", ["lfh-subscriber-health-benefit-check.270", "lfh-demo.270",
                                  "lfh-demo-single-line.270", "badx12-request-subscriber.270"])
def test_public_270_subscriber_inquiry(name: str) -> None:
    """ROBERT SMITH, member 11122333301, born 1943-05-19, asks ABC COMPANY about health plan coverage (30)
    on 2006-05-01."""
    p = read_270(x12(name))
    s = p.subscriber
    assert (s.first_name, s.last_name, s.member_id, s.date_of_birth) == ("ROBERT", "SMITH", "11122333301", "19430519")
    assert p.payer_name == "ABC COMPANY" and p.service_type_codes == ["30"] and p.date_of_service == "20060501"
    assert p.dependent is None


@pytest.mark.parametrize("name", ["lfh-dependent-health-benefit-check.270", "badx12-request-dependent.270"])
def test_public_270_dependent_inquiry(name: str) -> None:
    """Dependent MARY SMITH, born 1978-10-14, under subscriber id 11122333301; plan coverage (30)."""
    p = read_270(x12(name))
    assert p.subscriber.member_id == "11122333301"
    assert (p.dependent.first_name, p.dependent.last_name, p.dependent.date_of_birth) == ("MARY", "SMITH", "19781014")
    assert p.service_type_codes == ["30"]


# ---------------------------------------------------------------- authored: CMS HETS (Medicare)

def test_hets_5010_medicare_advantage() -> None:
    """ROSA ALVAREZ: Medicare A and B since 2013-06-01, enrolled in SUNCOAST ADVANTAGE HMO (contract H1234,
    plan 001) for 2026, MCO bill option C, provider line 800-555-0142; Part D plan S5601 beside it. The file
    uses '^' for both ISA11 and ISA16, as HETS does."""
    nb = benefits_from_271(x12("hets-5010-medicare-advantage.271"))
    assert nb.active is True and nb.payer_class is PayerClass.MEDICARE
    assert nb.insurance_type is InsuranceType.MEDICARE_ADVANTAGE and nb.plan_name == "SUNCOAST ADVANTAGE HMO"
    ma = nb.medicare.advantage
    assert (ma.contract_number, ma.insurance_type_code, ma.payer_id) == ("H1234 001", "IN", "H1234")
    assert (ma.enrolled_from, ma.enrolled_to) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert ma.bill_option == "MCO BILL OPTION CODE C"
    [plan_line] = ma.contacts
    assert (plan_line.phone, plan_line.url, plan_line.city, plan_line.postal_code) == (
        "8005550142", "WWW.SUNCOASTADVANTAGE.EXAMPLE", "TAMPA", "336300010")
    assert plan_line in nb.contacts and plan_line.role == "medicare_advantage_plan"
    assert nb.medicare.part_d_contract == "S5601 022"  # the drug plan: neither the MA plan nor another payer
    assert nb.other_payers == []
    assert nb.medicare.part_a_effective == nb.medicare.part_b_effective == dt.date(2013, 6, 1)
    assert any("ISA11" in w and "ISA16" in w for w in nb.warnings)
    # '^' as component separator still reads the procedure composite; that row is not a plan-level row
    [screening] = [r for r in nb.benefit_rows if r.procedure]
    assert screening.procedure == "HC:G0444"
    # HETS sends Original Medicare's rows, not the plan's terms: no levels (pricing asks for the plan's terms)
    assert nb.levels == [] and "Medicare Advantage: the answer carries none of the plan's own cost sharing" in nb.warnings


def test_caret_for_both_separators_refuses_an_unreadable_composite() -> None:
    text = x12("hets-5010-medicare-advantage.271").replace("HC^G0444", "G0444^HC")
    with pytest.raises(X12FormatError, match="EB13"):
        read_271(text)


def test_hets_4010_medicare_advantage() -> None:
    """HAROLD BECKER: Medicare A and B since 2009-02-01, Medicare Advantage (4010 EB04 HM) LAKESIDE SENIOR
    CARE PLAN, contract H5678, enrolled 2025-01-01, bill option A, plan phone 608-555-0110."""
    nb = benefits_from_271(x12("hets-4010-medicare-advantage.271"))
    assert nb.insurance_type is InsuranceType.MEDICARE_ADVANTAGE and nb.plan_name == "LAKESIDE SENIOR CARE PLAN"
    ma = nb.medicare.advantage
    assert (ma.contract_number, ma.insurance_type_code, ma.enrolled_from) == ("H5678", "HM", dt.date(2025, 1, 1))
    assert ma.bill_option == "MCO BILL OPTION CODE A" and ma.contacts[0].phone == "6085550110"
    assert ma.contacts[0].address_lines == ["200 LAKE ST"] and nb.other_payers == []
    assert any("not 005010X279A1" in w for w in nb.warnings)


def test_hets_5010_msp_employer_plan_pays_first() -> None:
    """SAMUEL OKAFOR: Medicare A and B since 2023-09-01, but working aged (MSP type 12): GREAT LAKES
    MANUFACTURING GROUP HEALTH PLAN pays first from 2023-09-01; phone 800-555-0177, fax -0178. Part B
    deductible 283.00, 0.00 left. The Part D plan (S7777) is not that other payer."""
    nb = benefits_from_271(x12("hets-5010-msp-employer-primary.271"))
    assert nb.active is True and nb.payer_class is PayerClass.MEDICARE
    [employer] = nb.other_payers
    assert (employer.order, employer.kind) == (CoverageOrder.PRIMARY, OtherPayerKind.EMPLOYER_GROUP)
    assert employer.name == "GREAT LAKES MANUFACTURING GROUP HEALTH PLAN" and employer.payer_id == "60054"
    assert (employer.insurance_type_code, employer.begin) == ("12", dt.date(2023, 9, 1))
    assert (employer.contacts[0].phone, employer.contacts[0].fax) == ("8005550177", "8005550178")
    assert nb.medicare.part_d_contract == "S7777 003" and nb.medicare.advantage is None
    assert nb.medicare.part_b_deductible_remaining == Decimal("0.00")
    assert [c.role for c in nb.contacts] == ["payer"]  # CMS's web address; the employer plan is in other_payers


def test_hets_5010_msp_employer_primary_and_a_tertiary_plan() -> None:
    """EVELYN MARSH: Medicare A+B since 2022-05-01; Medicare Secondary Payer, working aged (EB04 12): HARBOR
    FREIGHTWAYS GROUP HEALTH PLAN (2120 NM1*PRP, payer id 71234, 800-555-0181) pays first and Medicare second;
    LAKESHORE RETIREE SUPPLEMENTAL PLAN (NM1*TTP, commercial, from 2024-01-01, 800-555-0182) pays third. The
    Part D plan (S4802 011, NORTHSHORE PRESCRIPTION PLAN, named PRP in its own row) is no other payer. Part B
    deductible 283.00, none of it met."""
    nb = benefits_from_271(x12("hets-5010-msp-tertiary.271"))
    assert nb.active is True and nb.payer_class is PayerClass.MEDICARE
    employer, retiree = nb.other_payers
    assert (employer.order, employer.kind, employer.name) == (
        CoverageOrder.PRIMARY, OtherPayerKind.EMPLOYER_GROUP, "HARBOR FREIGHTWAYS GROUP HEALTH PLAN")
    assert (employer.payer_id, employer.begin, employer.contacts[0].phone) == ("71234", dt.date(2022, 5, 1),
                                                                               "8005550181")
    assert (retiree.order, retiree.kind, retiree.name) == (
        CoverageOrder.TERTIARY, OtherPayerKind.COMMERCIAL, "LAKESHORE RETIREE SUPPLEMENTAL PLAN")
    assert (retiree.insurance_type_code, retiree.begin, retiree.contacts[0].phone) == ("C1", dt.date(2024, 1, 1),
                                                                                      "8005550182")
    assert nb.medicare.part_d_contract == "S4802 011" and nb.medicare.advantage is None
    assert nb.medicare.part_b_deductible_remaining == Decimal("283.00")
    assert message_for(nb, "active").endswith(
        "HARBOR FREIGHTWAYS GROUP HEALTH PLAN pays first; CMS pays second. "
        "LAKESHORE RETIREE SUPPLEMENTAL PLAN pays third.")


def test_hets_5010_day_counts() -> None:
    """LINDA NGUYEN: Part A (current entitlement from 2022-01-01 after a gap; 2017-05-01 to 2020-12-31 before)
    and Part B from 2017-05-01. Benefit period 2026-02-10 to 2026-04-10: 48 full days and 30 coinsurance days
    left; lifetime reserve 52 of 60 left; psychiatric hospital 145 of 190 left (45 used). Part B deductible
    283.00 a year, 120.00 left; coinsurance 20 %. A day-copay row of Part A (434.00, days 61-90) and a
    procedure row (G0410, deductible 0) supply nothing to IOP or PHP."""
    nb = benefits_from_271(x12("hets-5010-day-counts.271"))
    m = nb.medicare
    assert (m.part_a_effective, m.part_a_termination) == (dt.date(2022, 1, 1), None)
    part_a_row = next(r for r in nb.benefit_rows if r.code == "1" and r.insurance_type_code == "MA")
    assert part_a_row.repeated_dates == {"307": ["2017-05-01/2020-12-31", "2022-01-01"]}
    assert (m.benefit_period_begin, m.benefit_period_end) == (dt.date(2026, 2, 10), dt.date(2026, 4, 10))
    assert (m.benefit_period_full_days_remaining, m.benefit_period_coinsurance_days_remaining) == (48, 30)
    assert (m.lifetime_reserve_days_total, m.lifetime_reserve_days_remaining) == (60, 52)
    assert (m.psychiatric_lifetime_days_total, m.psychiatric_lifetime_days_remaining) == (190, 145)
    assert m.psychiatric_lifetime_days_used == 45  # 190 - 145
    assert m.part_b_deductible_remaining == Decimal("120.00")  # not the procedure row's 0
    iop = level(nb, Level.IOP, Network.IN)
    assert (iop.deductible_individual.total, iop.deductible_individual.remaining) == (Decimal("283.00"),
                                                                                      Decimal("120.00"))
    assert iop.coinsurance_percent == Decimal("20") and iop.copay is None  # not Part A's 434.00 a day
    inpatient = level(nb, Level.INPATIENT, Network.IN)
    assert inpatient.copay == Decimal("434.00") and inpatient.deductible_individual.total == Decimal("1736.00")
    assert inpatient.coinsurance_percent is None  # Part B's 20 % is not a hospital figure


def test_hets_5010_truncated_transaction_is_refused_naming_what_is_missing() -> None:
    """ARJUN PATEL's answer was cut off after the Part B entitlement row: no SE, GE or IEA."""
    with pytest.raises(X12FormatError) as err:
        read_271(x12("hets-5010-truncated.271"))
    assert "no SE segment" in err.value.detail and "SE, GE, IEA" in err.value.detail


def test_hets_5010_aaa_at_every_loop_rejects_the_check() -> None:
    """TERESA MORGAN: AAA at the receiver (51 provider not on file, valid request), on her own loop (73 name
    invalid, correct and resubmit) and on a benefit row (57 date of service); the EB rows after her AAA do
    not make her active."""
    nb = benefits_from_271(x12("hets-5010-aaa-every-loop.271"))
    assert nb.active is None and nb.levels == []
    assert [(r.loop, r.reason_code) for r in nb.rejections] == [("2100B", "51"), ("2100C", "73"), ("2110C", "57")]
    assert nb.rejections[1].reason == "The subscriber's name is missing or invalid"
    assert nb.rejections[1].follow_up == "Please correct and resubmit"
    assert any("patient's own loop" in w for w in nb.warnings)


# ---------------------------------------------------------------- authored: state Medicaid, commercial

def test_medicaid_mco_with_qmb_and_hm_rows_is_medicaid() -> None:
    """KEISHA WASHINGTON, FLORIDA MEDICAID: QMB and a managed-care (HM) row, SUNRISE COMMUNITY CARE; cost
    sharing exempt, copay 0.00 a day for MH/A8/BB; prior authorization for inpatient and PHP through SUNRISE
    BEHAVIORAL UM (800-555-0456); member services 800-555-0123 ext 2. An outpatient-therapy limit row (40
    visits) comes first but is not the plan name."""
    nb = benefits_from_271(x12("medicaid-mco-qmb-hm.271"))
    assert nb.active is True and nb.payer_class is PayerClass.MEDICAID
    assert nb.insurance_type is InsuranceType.MEDICAID_MANAGED_CARE
    assert nb.plan_name == "SUNRISE COMMUNITY CARE"
    assert (nb.medicaid.cost_sharing_category, nb.medicaid.state) == ("exempt", "FL")
    assert (nb.eligibility_begin, nb.eligibility_end) == (dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    roles = {c.role: c for c in nb.contacts}
    assert (roles["member_services"].phone, roles["member_services"].phone_extension) == ("8005550123", "2")
    assert roles["member_services"].address_lines == ["500 RIVER RD", "SUITE 200"]
    assert (roles["prior_authorization"].phone, roles["prior_authorization"].fax) == ("8005550456", "8005550457")
    iop = level(nb, Level.IOP, Network.IN)
    assert (iop.copay, iop.copay_per) == (Decimal("0.00"), "day")
    assert level(nb, Level.PHP, Network.IN).prior_authorization_required is True
    assert level(nb, Level.INPATIENT, Network.IN).prior_authorization_required is True
    [limit_row] = [r for r in nb.benefit_rows if r.code == "F"]
    assert limit_row.coverage_begin == dt.date(2026, 1, 1) and limit_row.coverage_end == dt.date(2026, 12, 31)


def test_commercial_dependent_without_benefits_keeps_family_not_subscriber_accumulators() -> None:
    """MAJA LARSEN, dependent of ERIK LARSEN, ACME GOLD PPO 1500 (group G99001), plan year 2026-01-01 to
    2026-12-31 (the member loop only echoes the 2026-03-02 date of service). Her loop has no benefits; the
    subscriber's say: deductible IND 1500.00 (400.00 left: ERIK's) / FAM 3000.00 (1900.00 left), OOP IND
    5000.00 (3100.00 left: ERIK's) / FAM 10000.00 (7600.00 left), coinsurance 20 % in network."""
    nb = benefits_from_271(x12("commercial-dependent-without-benefits.271"))
    assert nb.active is True and nb.patient_is_dependent is True and nb.plan_name == "ACME GOLD PPO 1500"
    assert (nb.plan_begin, nb.plan_end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert (nb.group_number, nb.group_name) == ("G99001", "LARSEN CONSTRUCTION")
    iop = level(nb, Level.IOP, Network.IN)
    assert (iop.deductible_individual.total, iop.deductible_individual.remaining) == (Decimal("1500.00"), None)
    assert (iop.oop_max_individual.total, iop.oop_max_individual.remaining) == (Decimal("5000.00"), None)
    assert iop.deductible_family.remaining == Decimal("1900.00")
    assert iop.oop_max_family.remaining == Decimal("7600.00")
    assert iop.coinsurance_percent == Decimal("20")
    assert any("dependent's loop has no benefits" in w for w in nb.warnings)
    ded_row = next(r for r in nb.benefit_rows if r.code == "C" and r.time_period == "23" and r.coverage_level == "IND")
    assert (ded_row.coverage_begin, ded_row.coverage_end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_commercial_wrong_se_count_and_no_iea_is_read_with_warnings() -> None:
    """DANA FISHER, ACME CHOICE PPO 2500: deductible 2500.00 a calendar year in network, 1800.00 left;
    coinsurance 25 % for mental health in network. SE01 says 9 (the transaction has 15) and no IEA."""
    nb = benefits_from_271(x12("commercial-wrong-se-count-no-iea.271"))
    assert nb.active is True and nb.insurance_type is InsuranceType.COMMERCIAL_PPO
    iop = level(nb, Level.IOP, Network.IN)
    assert (iop.deductible_individual.total, iop.deductible_individual.remaining) == (Decimal("2500.00"),
                                                                                      Decimal("1800.00"))
    assert iop.deductible_individual.period == "calendar_year" and iop.coinsurance_percent == Decimal("25")
    assert "SE01 says 9 segments but the transaction has 15" in nb.warnings
    assert "no IEA segment closes the interchange" in nb.warnings


def test_damaged_swapped_separators_is_refused() -> None:
    """EB03 arrives as one 29-character value ('30:MH:A4:...'): not a service type code."""
    with pytest.raises(X12FormatError, match="not an X12 service type code .a value of 29 characters"):
        read_271(x12("damaged-swapped-separators.271"))


def test_damaged_nm1_shifted_by_a_separator_in_the_name_is_refused() -> None:
    """O*BRIEN: the stray separator moved the member id qualifier into NM109."""
    with pytest.raises(X12FormatError, match="NM1 segment of loop 2100C") as err:
        read_271(x12("damaged-nm1-shifted.271"))
    assert "BRIEN" not in err.value.detail and "ACM55502" not in err.value.detail  # no PHI in the message


def test_every_271_reject_reason_has_plain_words() -> None:
    """All AAA03 codes 005010X279A1 allows in a 271, at any loop."""
    x279a1 = {"04", "15", "33", "35", "41", "42", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53",
              "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "70", "71",
              "72", "73", "74", "75", "76", "77", "78", "79", "80", "97", "98", "AA", "AE", "AF", "AG", "AO", "CI",
              "E8", "IA", "MA", "T4"}
    assert x279a1 <= set(codes.REJECT_REASONS)
    assert all(words and not words.isupper() for words, _ in codes.REJECT_REASONS.values())  # words, not code names
