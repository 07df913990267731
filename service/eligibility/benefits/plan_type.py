"""Which program and plan type a 271 describes -> (:class:`PayerClass`, :class:`InsuranceType`).

Read from EB04 of the rows that describe the patient's own coverage (not ``EB*R`` other-payer rows):

1. A payer named Medicaid (or Medi-Cal, medical assistance) whose rows say MC, QM or HM and no Medicare
   part (MA, MB, MP, HN) -> Medicaid, managed care or FFS by ``medicaid.is_managed_care``.
2. Medicare types (MA, MB, MP, CP, QM, HN, MSP 12-16/41-47) or a Medicare Advantage enrolment ->
   Medicare: Advantage when ``medicare.find_advantage`` found one, else secondary when an MSP type is on
   the patient's own rows, else Part A and B / A / B.
3. MC -> Medicaid.
4. Commercial: EB04 PR -> PPO, HM -> HMO, EP -> EPO, PS -> POS, C1 and others -> other.
5. No EB04 at all: the payer's name (Medicare / Medicaid) with a warning, else commercial.
"""

from __future__ import annotations

from contracts.benefits import InsuranceType, PayerClass
from service.eligibility.benefits.medicaid import MEDICAID_NAMES, is_managed_care
from service.eligibility.benefits.medicare import MEDICARE_TYPES
from service.eligibility.x12 import codes
from service.eligibility.x12.reader_271 import EBLoop

__all__ = ["classify", "COMMERCIAL_TYPES"]

COMMERCIAL_TYPES = {
    "PR": InsuranceType.COMMERCIAL_PPO, "HM": InsuranceType.COMMERCIAL_HMO, "EP": InsuranceType.COMMERCIAL_EPO,
    "PS": InsuranceType.COMMERCIAL_POS,
}
_MEDICARE_PARTS = frozenset({"MA", "MB", "MP", "HN"})


def _medicaid(loops: list[EBLoop]) -> tuple[PayerClass, InsuranceType]:
    managed = is_managed_care(loops)
    return PayerClass.MEDICAID, InsuranceType.MEDICAID_MANAGED_CARE if managed else InsuranceType.MEDICAID_FFS


def classify(
    loops: list[EBLoop], warnings: list[str], payer_name: str | None, active: bool | None, advantage: bool
) -> tuple[PayerClass, InsuranceType]:
    non_r = [eb for eb in loops if eb.code != "R"]
    types = [eb.insurance_type for eb in non_r if eb.insurance_type]
    tset = set(types)
    name = payer_name or ""
    if MEDICAID_NAMES.search(name) and tset & {"MC", "QM", "HM"} and not tset & _MEDICARE_PARTS:
        return _medicaid(loops)
    if tset & MEDICARE_TYPES or advantage:
        if advantage:
            return PayerClass.MEDICARE, InsuranceType.MEDICARE_ADVANTAGE
        if tset & codes.MEDICARE_SECONDARY_TYPES:
            return PayerClass.MEDICARE, InsuranceType.MEDICARE_SECONDARY
        if {"MA", "MB"} <= tset:
            return PayerClass.MEDICARE, InsuranceType.MEDICARE_PART_A_AND_B
        if "MA" in tset:
            return PayerClass.MEDICARE, InsuranceType.MEDICARE_PART_A
        if "MB" in tset:
            return PayerClass.MEDICARE, InsuranceType.MEDICARE_PART_B
        warnings.append("Medicare coverage without a Part A (MA) or Part B (MB) row; parts unknown")
        return PayerClass.MEDICARE, InsuranceType.UNKNOWN
    if "MC" in tset:
        return _medicaid(loops)
    if tset:
        if len({t for t in tset if t in COMMERCIAL_TYPES}) > 1:
            warnings.append("several plan types (EB04) were sent; used the first one")
        for t in types:
            if t in COMMERCIAL_TYPES:
                return PayerClass.COMMERCIAL, COMMERCIAL_TYPES[t]
        return PayerClass.COMMERCIAL, InsuranceType.COMMERCIAL_OTHER
    upper = name.upper()
    if "MEDICARE" in upper:
        warnings.append("no insurance type (EB04) sent; Medicare assumed from the payer name")
        return PayerClass.MEDICARE, InsuranceType.UNKNOWN
    if MEDICAID_NAMES.search(name):
        warnings.append("no insurance type (EB04) sent; Medicaid assumed from the payer name")
        return PayerClass.MEDICAID, InsuranceType.UNKNOWN
    if active is False:
        return PayerClass.COMMERCIAL, InsuranceType.NONE
    warnings.append("no insurance type (EB04) sent; commercial assumed")
    return PayerClass.COMMERCIAL, InsuranceType.COMMERCIAL_OTHER if loops else InsuranceType.UNKNOWN
