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
from typing import Annotated, Literal

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


class BenefitRow(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """One EB loop (2110C/2110D) as sent, decoded but not interpreted.

    On the wire a field left at its default (None, empty list or map, network "both") is omitted: a payer's
    271 can carry thousands of rows, and the answer must stay close to the size of what the payer sent.
    """

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
    dates: dict[str, str] = {}  # DTP qualifier -> D8 / RD8 value as ISO date or "start/end" (the first sent)
    #: Qualifiers the payer sent more than once on this row -> every value in order (the first is in ``dates``).
    repeated_dates: dict[str, list[str]] = {}
    #: This row's own coverage dates (DTP 307/356/346/291/292 begin; 307/357/347/291/292 end), not the inquiry's.
    coverage_begin: dt.date | None = None
    coverage_end: dt.date | None = None
    messages: list[str] = []  # MSG
    delivery: list[str] = []  # HSD segments, raw, element-joined with '*'
    #: Places of service the row is limited to (III01 ZZ -> III02: 02/10 telehealth, 11 office, 21 inpatient ...).
    places_of_service: list[str] = []
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


class Contact(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A number or address intake gives out: the payer's prior-authorization line, the MCO's member
    services, a Medicare Advantage plan's provider line. From a 271 (2120 NM1 + N3/N4 + PER) or typed in.

    Not PHI: these are the payer's or plan's own contacts.
    """

    #: What the contact is for, in words: "prior_authorization", "member_services", "plan", "payer",
    #: "utilization_management", "other_payer", "primary_care_provider", ...
    role: Annotated[str, msgspec.Meta(max_length=40)]
    name: Annotated[str, msgspec.Meta(max_length=120)] | None = None
    entity_code: Annotated[str, msgspec.Meta(max_length=3)] | None = None  # NM101 as sent (PR, X3, Y2, P3 ...)
    identifier: Annotated[str, msgspec.Meta(max_length=80)] | None = None  # NM109 (payer id, H-contract ...)
    phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    phone_extension: Annotated[str, msgspec.Meta(max_length=20)] | None = None
    fax: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    email: Annotated[str, msgspec.Meta(max_length=120)] | None = None
    url: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    address_lines: Annotated[list[Annotated[str, msgspec.Meta(max_length=55)]], msgspec.Meta(max_length=2)] = []
    city: Annotated[str, msgspec.Meta(max_length=30)] | None = None
    state: Annotated[str, msgspec.Meta(max_length=2)] | None = None
    postal_code: Annotated[str, msgspec.Meta(max_length=15)] | None = None


class CoverageOrder(str, enum.Enum):
    """Where another plan pays relative to the plan that answered (the 271's payer, or the plan entered).

    From 2120 NM101 on an ``EB*R`` row: PRP = primary (pays *before* the answering plan), SEP = secondary,
    TTP = tertiary. For Medicare, an EB04 Medicare Secondary Payer type (12-16, 41-47) makes the named plan
    primary even when NM101 is absent.
    """

    PRIMARY = "primary"
    SECONDARY = "secondary"
    TERTIARY = "tertiary"
    UNKNOWN = "unknown"


class OtherPayerKind(str, enum.Enum):
    """What kind of plan another payer is (decides the coordination-of-benefits rule)."""

    EMPLOYER_GROUP = "employer_group"  # MSP 12 working aged, 13 ESRD, 16 group disability, 43 ...
    MEDIGAP = "medigap"  # Medicare supplement (EB04 MP / plan letter A-N)
    MEDICAID = "medicaid"  # full Medicaid or a Medicare Savings Program (QMB ...)
    MEDICARE = "medicare"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    COMMERCIAL = "commercial"
    LIABILITY = "liability"  # no-fault, liability, workers' compensation (MSP 14, 15, 41, 42, 47 ...)
    PART_D = "part_d"  # prescription drug plan: never coordinates with facility care
    OTHER = "other"


class OtherPayer(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Another plan the patient has, as the payer reported it (``EB*R`` + 2120) or intake entered it.

    A 271 can list several; each keeps its own order, type and dates. Member ids of the other plan are PHI
    and are not carried here.
    """

    order: CoverageOrder = CoverageOrder.UNKNOWN
    kind: OtherPayerKind = OtherPayerKind.OTHER
    name: Annotated[str, msgspec.Meta(max_length=120)] | None = None
    payer_id: Annotated[str, msgspec.Meta(max_length=80)] | None = None
    insurance_type_code: Annotated[str, msgspec.Meta(max_length=3)] | None = None  # EB04 as sent
    insurance_type_description: Annotated[str, msgspec.Meta(max_length=120)] | None = None
    #: Medicare supplement plan letter (A-N) when ``kind`` is medigap and it is known.
    medigap_plan: Annotated[str, msgspec.Meta(pattern=r"^[A-N]$")] | None = None
    group_number: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    begin: dt.date | None = None
    end: dt.date | None = None
    contacts: list[Contact] = []
    #: "271" (reported by the payer that answered) or "manual" (typed in by intake).
    source: Literal["271", "manual"] = "271"


class CopayTier(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A per-day copay for a range of days of one stay ("$400 a day for days 1-5, then $0")."""

    first_day: Annotated[int, msgspec.Meta(ge=1)]
    last_day: Annotated[int, msgspec.Meta(ge=1)] | None = None  # None = every later day
    amount: Money


class TelehealthCostShare(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Cost sharing the plan states for services by telehealth (place of service 02/10)."""

    copay: Money | None = None
    copay_per: Literal["day", "visit"] | None = None
    coinsurance_percent: Percent | None = None
    deductible_applies: bool | None = None
    #: Where it came from, in words ("271 MSG on STC MH", "manual entry").
    source: Annotated[str, msgspec.Meta(max_length=120)] | None = None


class ProfessionalCostShare(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """The plan's terms for a practitioner's visit billed apart from the facility (the psychiatrist during a stay
    or a day program): a specialist / professional visit copay, or a coinsurance, with the plan's deductible and
    out-of-pocket maximum shared with the facility. From manual entry, or read from a 271's professional service
    types (CE/99 inpatient, CF/A0/98 outpatient) at pricing time."""

    network: Literal["in", "out"] = "in"
    #: where the visit happens: during an inpatient stay, a day program (outpatient), or either
    setting: Literal["inpatient", "outpatient", "any"] = "any"
    copay: Money | None = None  # per visit
    coinsurance_percent: Percent | None = None
    #: False = the deductible does not apply to these visits (the copay or coinsurance starts at the first)
    deductible_applies: bool | None = None
    #: Where it came from, in words ("271 EB on STC CF", "entered by hand").
    source: Annotated[str, msgspec.Meta(max_length=120)] | None = None


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
    #: Plan design (None = the payer did not say; pricing then states its assumption).
    #: False = the deductible is waived for this level (cost sharing starts on day 1).
    deductible_applies: bool | None = None
    #: True = both the copay and the coinsurance apply; False = the copay replaces the coinsurance.
    copay_with_coinsurance: bool | None = None
    #: Day-tiered copays within a stay; when present they replace ``copay`` for the days they cover.
    copay_tiers: list[CopayTier] = []
    #: False = the family deductible is not embedded (no one meets the plan year alone).
    family_deductible_embedded: bool | None = None
    telehealth: TelehealthCostShare | None = None
    notes: list[str] = []


class MedicareAdvantagePlan(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A Medicare Advantage (Part C) enrolment, as HETS reports it (``EB*R**30*IN|HM``, ``REF*18`` H/R/E).

    The plan, not Original Medicare, prices the care: its own deductible, copays and MOOP.
    """

    #: Contract (and plan benefit package) number from ``REF*18``: H1234, H1234 001, R5678, E0654 ...
    contract_number: Annotated[str, msgspec.Meta(max_length=30)] | None = None
    plan_name: Annotated[str, msgspec.Meta(max_length=120)] | None = None
    payer_id: Annotated[str, msgspec.Meta(max_length=80)] | None = None
    insurance_type_code: Annotated[str, msgspec.Meta(max_length=3)] | None = None  # EB04: IN (5010), HM (4010)
    enrolled_from: dt.date | None = None  # DTP*290
    enrolled_to: dt.date | None = None
    #: MCO bill option from MSG ("MCO BILL OPTION CODE A"...), as sent.
    bill_option: Annotated[str, msgspec.Meta(max_length=80)] | None = None
    contacts: list[Contact] = []


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
    #: Lifetime totals as the payer states them (EB06 32); None = not sent (the law: 60 reserve, 190 psychiatric).
    lifetime_reserve_days_total: int | None = None
    psychiatric_lifetime_days_total: int | None = None
    #: Current benefit period (DTP*435 / DTP*348 on the Part A rows) and its days left.
    benefit_period_begin: dt.date | None = None
    benefit_period_end: dt.date | None = None
    #: Full-coverage hospital days left (of 60) and coinsurance days left (of 30) in the benefit period.
    benefit_period_full_days_remaining: int | None = None
    benefit_period_coinsurance_days_remaining: int | None = None
    qmb: bool = False
    #: Part C enrolment: when set, the plan prices the care, not Original Medicare.
    advantage: MedicareAdvantagePlan | None = None
    #: Part D contract (``EB*R**88*OT`` with ``REF*18`` S....): noted, never a payer for facility care.
    part_d_contract: Annotated[str, msgspec.Meta(max_length=30)] | None = None
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
    #: Every other plan the payer reported (or intake entered), each with its order; Part D excluded.
    other_payers: list[OtherPayer] = []
    #: Numbers to give out: prior authorization, MCO member services, plan contacts (from 2120 / PER).
    contacts: list[Contact] = []
    warnings: list[str] = []
    #: The plan's terms for practitioners' visits billed apart from the facility (empty = not stated).
    professional: list[ProfessionalCostShare] = []
