"""Normalized benefits: the one shape eligibility produces and pricing consumes.

Every source of benefits ends here: a 271 from the clearinghouse, a 271 a billing system
posts, and benefits intake staff type in from a payer's phone line. Pricing never looks at
X12; it reads :class:`NormalizedBenefits` and, above all, its ``levels`` list: one clear set
of numbers per level of care (IOP, PHP, inpatient) and network (in / out), chosen by the
documented rule in ``service/eligibility/levels.py``.

Nothing a payer sent is dropped: every EB row is kept in ``benefit_rows`` with its raw
codes, including codes this service does not know (they keep their code and get
``description=None``).

PHI: this contract carries no patient names, dates of birth or member ids. The patient's
identity lives beside it in the eligibility check, where access is audited.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import msgspec

from contracts.money import Money, Percent


class Level(str, enum.Enum):
    """Levels of psychiatric care the estimator compares."""

    IOP = "iop"
    PHP = "php"
    INPATIENT = "inpatient"


class Network(str, enum.Enum):
    """Which provider network a benefit applies to (X12 EB12: Y=in, N=out, W/absent=both)."""

    IN = "in"
    OUT = "out"
    BOTH = "both"
    UNKNOWN = "unknown"


class PayerClass(str, enum.Enum):
    MEDICARE = "medicare"
    MEDICAID = "medicaid"
    COMMERCIAL = "commercial"
    SELF_PAY = "self_pay"


class InsuranceType(str, enum.Enum):
    """Plan type, as far as the 271 (EB04) or intake staff say."""

    MEDICARE_PART_A = "medicare_part_a"
    MEDICARE_PART_B = "medicare_part_b"
    MEDICARE_PART_A_AND_B = "medicare_part_a_and_b"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICARE_SECONDARY = "medicare_secondary"
    MEDICAID_FFS = "medicaid_ffs"
    MEDICAID_MANAGED_CARE = "medicaid_managed_care"
    COMMERCIAL_PPO = "commercial_ppo"
    COMMERCIAL_HMO = "commercial_hmo"
    COMMERCIAL_EPO = "commercial_epo"
    COMMERCIAL_POS = "commercial_pos"
    COMMERCIAL_OTHER = "commercial_other"
    NONE = "none"
    UNKNOWN = "unknown"


class Source(str, enum.Enum):
    CLEARINGHOUSE_271 = "clearinghouse_271"
    POSTED_271 = "posted_271"
    MANUAL = "manual"
    SELF_PAY = "self_pay"


class Accumulator(msgspec.Struct, kw_only=True, frozen=True):
    """A deductible or out-of-pocket maximum: the plan amount and what is left of it.

    ``remaining`` is the EB06=29 row when the payer sent one, else ``total`` minus the
    year-to-date (EB06=24) row, else None (unknown: pricing then assumes nothing is met
    and says so).
    """

    total: Money | None = None
    remaining: Money | None = None
    #: X12 EB06 time period in words: "calendar_year", "service_year", "lifetime",
    #: "benefit_period", "visit", "day", ... or None when not sent.
    period: str | None = None


class Limit(msgspec.Struct, kw_only=True, frozen=True):
    """A visit or day limit (EB01=F with EB09 DY/VS, or HSD)."""

    quantity: int | None = None
    unit: str = "days"  # "days" | "visits" | "hours"
    period: str | None = None
    used: int | None = None
    remaining: int | None = None


class BenefitRow(msgspec.Struct, kw_only=True, frozen=True):
    """One EB loop (2110C/2110D) as sent, decoded but not interpreted."""

    code: str  # EB01
    code_description: str | None = None
    coverage_level: str | None = None  # EB02 (IND, FAM, ...)
    service_type_codes: list[str] = []  # EB03, repetitions split
    insurance_type_code: str | None = None  # EB04
    plan_description: str | None = None  # EB05
    time_period: str | None = None  # EB06 code
    amount: Money | None = None  # EB07
    percent: Percent | None = None  # EB08 converted from fraction to percent points
    quantity_qualifier: str | None = None  # EB09
    quantity: Decimal | None = None  # EB10
    authorization_required: bool | None = None  # EB11 Y/N (U -> None)
    network: Network = Network.BOTH  # EB12
    procedure: str | None = None  # EB13 as sent (composite joined with ':')
    dates: dict[str, str] = {}  # DTP qualifier -> D8 / RD8 value as ISO date or "start/end"
    messages: list[str] = []  # MSG
    delivery: list[str] = []  # HSD segments, raw, element-joined with '*'
    references: dict[str, str] = {}  # REF qualifier -> value
    related_entities: list[str] = []  # 2120 NM1 names / ids (carve-outs)
    rejections: list["Rejection"] = []  # AAA inside this 2110 loop


class Rejection(msgspec.Struct, kw_only=True, frozen=True):
    """An AAA segment: the payer refused (part of) the request."""

    loop: str  # "2100A", "2100B", "2100C", "2110C", "2100D", "2110D"
    valid_request: bool | None
    reason_code: str | None
    reason: str | None  # plain words for intake staff
    follow_up_code: str | None
    follow_up: str | None
    retryable: bool = False


class LevelBenefits(msgspec.Struct, kw_only=True, frozen=True):
    """One clear set of numbers for one level of care and one network.

    Chosen from the benefit rows by ``service/eligibility/levels.py``; ``service_type_codes``
    says which STCs supplied the numbers and ``fell_back_to_plan`` is True when the
    behavioral-health STCs had no amounts and the plan-level (STC 30) figures were used.
    """

    level: Level
    network: Network  # IN or OUT
    covered: bool | None = None  # None = payer did not say
    service_type_codes: list[str] = []
    fell_back_to_plan: bool = False
    deductible_individual: Accumulator | None = None
    deductible_family: Accumulator | None = None
    oop_max_individual: Accumulator | None = None
    oop_max_family: Accumulator | None = None
    coinsurance_percent: Percent | None = None
    copay: Money | None = None
    copay_per: str | None = None  # "day" | "visit" | "admission"
    limit: Limit | None = None
    prior_authorization_required: bool | None = None
    notes: list[str] = []


class MedicareDetails(msgspec.Struct, kw_only=True, frozen=True):
    part_a_effective: dt.date | None = None
    part_a_termination: dt.date | None = None
    part_b_effective: dt.date | None = None
    part_b_termination: dt.date | None = None
    part_b_deductible_remaining: Money | None = None
    part_a_deductible_remaining: Money | None = None
    #: Freestanding psychiatric hospital days used of the 190-day lifetime limit.
    psychiatric_lifetime_days_used: int | None = None
    psychiatric_lifetime_days_remaining: int | None = None
    lifetime_reserve_days_remaining: int | None = None
    #: Inpatient days already used in the current benefit period (affects day 61 / 91).
    benefit_period_days_used: int | None = None
    qmb: bool = False
    medicare_advantage_plan: str | None = None
    secondary_payer: str | None = None
    #: Medigap plan that pays the Part A deductible and coinsurance.
    medigap_pays_part_a: bool = False
    #: Medigap plan that pays the Part B coinsurance (plans A-G/ N-style cost sharing aside).
    medigap_pays_part_b_coinsurance: bool = False


class MedicaidDetails(msgspec.Struct, kw_only=True, frozen=True):
    managed_care_plan: str | None = None
    #: "exempt" | "at_or_below_100" | "101_to_150" | "above_150" | None (unknown)
    cost_sharing_category: str | None = None
    state: str | None = None


class NormalizedBenefits(msgspec.Struct, kw_only=True, frozen=True):
    """Coverage and benefits for one patient on one date of service, from any source."""

    source: Source
    active: bool | None  # None = the payer rejected the request (see rejections)
    payer_class: PayerClass
    insurance_type: InsuranceType = InsuranceType.UNKNOWN
    payer_name: str | None = None
    payer_id: str | None = None
    plan_name: str | None = None
    group_number: str | None = None
    group_name: str | None = None
    plan_begin: dt.date | None = None
    plan_end: dt.date | None = None
    eligibility_begin: dt.date | None = None
    eligibility_end: dt.date | None = None
    #: True for a dependent (2000D) answer.
    patient_is_dependent: bool = False
    levels: list[LevelBenefits] = []
    benefit_rows: list[BenefitRow] = []
    rejections: list[Rejection] = []
    medicare: MedicareDetails | None = None
    medicaid: MedicaidDetails | None = None
    warnings: list[str] = []
