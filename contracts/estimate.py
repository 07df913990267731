"""Patient cost estimates for a course of IOP, PHP or inpatient psychiatric care.

A request names where the benefits come from (an eligibility check, a raw 271, a manual
entry, or self-pay), which levels to compare (default all three), and optionally the
course of care per level; the response gives one :class:`LevelEstimate` per level (and
network) side by side in an :class:`EstimateComparison`, to the cent, with a line-by-line
explanation and the figures/rate versions used so the estimate can be reproduced.

Money is a two-decimal string on the wire; percentages are percent points.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from contracts.benefits import Level, Network, PayerClass
from contracts.money import Money, Percent

from contracts.eligibility import ManualBenefitsEntry
from contracts.read_aloud import SpokenLine
from contracts.selfpay import AffordabilitySection, HouseholdSize, StateCode

PositiveInt = Annotated[int, msgspec.Meta(ge=1)]


class FacilityType(str, enum.Enum):
    """Where care is given; decides the Medicare 190-day psychiatric hospital limit."""

    FREESTANDING_PSYCHIATRIC_HOSPITAL = "freestanding_psychiatric_hospital"
    GENERAL_HOSPITAL_PSYCHIATRIC_UNIT = "general_hospital_psychiatric_unit"
    HOSPITAL_OUTPATIENT = "hospital_outpatient"
    CMHC = "cmhc"


class NetworkPreference(str, enum.Enum):
    IN = "in"
    OUT = "out"
    BOTH = "both"


class CapPeriod(str, enum.Enum):
    """Medicaid 5 % household cap period (the state chooses)."""

    MONTH = "month"
    QUARTER = "quarter"


class Weekday(str, enum.Enum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class Delivery(str, enum.Enum):
    """How an outpatient course is delivered: at the program, by telehealth from home, or a weekly mix."""

    IN_PERSON = "in_person"
    TELEHEALTH = "telehealth"
    HYBRID = "hybrid"


class MedicareVirtualBilling(str, enum.Enum):
    """How a hospital bills Medicare for program sessions a patient joins from home (never as the per diem).

    ``hospital_remote_services``: mental health services furnished remotely by hospital staff (HCPCS
    C7900-C7902, OPPS; hospital outpatient departments only). ``professional_telehealth``: the practitioners'
    own telehealth services under the physician fee schedule (group psychotherapy 90853 per session).
    """

    HOSPITAL_REMOTE_SERVICES = "hospital_remote_services"
    PROFESSIONAL_TELEHEALTH = "professional_telehealth"


class Phase(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One step of a step-down schedule."""

    weeks: int
    days_per_week: int
    hours_per_day: Decimal
    #: How this phase is delivered; omitted = the course's ``delivery``.
    delivery: Delivery | None = None
    #: Hybrid only: how many of each week's days are by telehealth (the week's last ones).
    telehealth_days_per_week: int | None = None
    #: Qualifying services a day (Medicare IOP/PHP per diem: 3, or 4 or more); None = one per hour assumed.
    services_per_day: int | None = None


class ProfessionalVisitIn(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Visits of one practitioner service in a course (a code of the professional fee schedule)."""

    code: Annotated[str, msgspec.Meta(pattern="^[0-9A-Z]{5}$")]
    visits: Annotated[int, msgspec.Meta(ge=0, le=400)]


class CourseOfCare(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A planned course of one level of care. Omitted figures take the level's defaults.

    Outpatient (IOP/PHP): ``weeks`` x ``days_per_week`` x ``hours_per_day``, or ``phases``
    (step-down). Inpatient: ``length_of_stay_days`` from ``start_date`` (admission), every
    day. ``weekdays`` chooses the days explicitly; otherwise 1 day = Mon, 2 = Mon+Thu,
    3 = Mon/Wed/Fri, 4 = Mon-Thu, 5 = Mon-Fri, 6 = Mon-Sat, 7 = every day (6-7 need
    ``include_weekends``, which defaults to False for outpatient and True for inpatient).
    """

    level: Level
    start_date: dt.date | None = None
    weeks: int | None = None
    days_per_week: int | None = None
    hours_per_day: Decimal | None = None
    phases: list[Phase] | None = None
    length_of_stay_days: int | None = None
    include_weekends: bool | None = None
    weekdays: list[Weekday] | None = None
    #: IOP / PHP only. A hybrid week has ``telehealth_days_per_week`` virtual days (the week's last program days,
    #: unless ``telehealth_weekdays`` names them). Two courses of one level may be compared when their
    #: delivery differs (in-person IOP beside virtual IOP).
    delivery: Delivery = Delivery.IN_PERSON
    telehealth_days_per_week: int | None = None
    telehealth_weekdays: list[Weekday] | None = None
    #: Qualifying services a day (Medicare pays an IOP/PHP day by 3 vs 4 or more services; fewer than 3 is not
    #: a per-diem day). None = one service per treatment hour, assumed and said.
    services_per_day: int | None = None
    #: The practitioners' visits billed apart from the facility, replacing the level's typical ones (see
    #: ``professional_services``); giving them prices them for this course. Visits are spread over the days.
    professional_visits: Annotated[list[ProfessionalVisitIn], msgspec.Meta(max_length=12)] | None = None


class Household(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Give ``state`` and one of the incomes whenever the sliding-fee discount could apply (self-pay):
    without them the estimate is refused (422 naming the field), never quoted without the discount."""

    size: HouseholdSize
    annual_income: Money | None = None
    monthly_income: Money | None = None
    state: StateCode | None = None
    #: Intake saw proof of income (pay stubs, tax return ...): the sliding-fee discount is final,
    #: not provisional.
    proof_of_income_seen: bool = False


class EstimatePatient(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Who the estimate is for (PHI): kept with the estimate for re-display (e.g. a Good Faith Estimate)."""

    first_name: Annotated[str, msgspec.Meta(min_length=1, max_length=35)]
    last_name: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    date_of_birth: dt.date | None = None
    member_id: Annotated[str, msgspec.Meta(min_length=2, max_length=80)] | None = None


Birthday = Annotated[str, msgspec.Meta(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]


class OtherCoverageIn(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Another plan the caller has, with its terms: a second eligibility check, or its benefits entered by hand.

    Plans the 271 only names (Medigap with its letter, Medicaid) need no entry here: they are coordinated from
    the answer's ``other_payers``.
    """

    eligibility_check_id: str | None = None
    manual: ManualBenefitsEntry | None = None
    #: Where it pays: "primary" puts it before the estimate's own benefits (e.g. an employer plan before
    #: Medicare); omitted = after them (Medicaid always pays last).
    order: Literal["primary", "secondary", "tertiary"] | None = None
    #: How a commercial secondary pays: standard COB (up to what is left) or non-duplication.
    cob_method: Literal["standard", "non_duplication"] = "standard"
    #: Month and day of this plan's subscriber's birthday (MM-DD), for the birthday rule (a child on two
    #: parents' plans).
    subscriber_birthday: Birthday | None = None


class AuthorizedLevel(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """What an authorization approves for one level: a number of days (or units) within dates."""

    level: Level
    approved_days: Annotated[int, msgspec.Meta(ge=0, le=366)] | None = None
    approved_units: Annotated[int, msgspec.Meta(ge=0, le=10000)] | None = None
    start: dt.date | None = None
    end: dt.date | None = None  # inclusive, as payers write it


class AuthorizationIn(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A payer's authorization (prior authorization / concurrent review) recorded on the estimate."""

    number: Annotated[str, msgspec.Meta(min_length=1, max_length=50)] | None = None
    levels: Annotated[list[AuthorizedLevel], msgspec.Meta(min_length=1, max_length=3)]
    next_review: dt.date | None = None
    #: How days past the authorization are priced (the provider's choice): as if approved at the next review,
    #: at the provider's risk (plan and patient pay nothing), or at the self-pay rate the patient agreed to.
    over_authorization: Literal["pending_review", "at_risk", "self_pay"] = "pending_review"


class EmergencyAdmissionIn(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """An inpatient admission through an emergency department (No Surprises Act, commercial plans)."""

    through_emergency_department: bool = True
    #: The date the patient signed notice and consent for post-stabilization care out of network; None = not
    #: signed: every day keeps the emergency protections.
    notice_and_consent_signed: dt.date | None = None


class EstimateRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Exactly one benefits source: ``eligibility_check_id``, ``x12_271``, ``manual`` or ``self_pay``.

    ``as_of`` is the estimate's "today" (the date the benefits' remaining amounts are as of and the
    default course start); omitted = the server's date when the request arrives.
    """

    eligibility_check_id: str | None = None
    x12_271: str | None = None
    manual: ManualBenefitsEntry | None = None
    self_pay: bool = False
    levels: Annotated[list[Level], msgspec.Meta(min_length=1)] | None = None  # default: iop, php, inpatient
    courses: list[CourseOfCare] = []
    start_date: dt.date | None = None  # default start for every course
    #: in / out / both; omitted = the network the provider's payer contracts say (in network when none are loaded).
    network: NetworkPreference | None = None
    household: Household | None = None
    medicaid_exempt: bool = False
    #: Medicaid: pregnant or postpartum, or living in an institution and paying all but a personal-needs allowance
    #: toward care - both exempt from cost sharing (42 CFR 447.56(a)(1)); children by ``patient.date_of_birth``.
    pregnant_or_postpartum: bool = False
    institutionalized: bool = False
    medicaid_cap_period: CapPeriod = CapPeriod.MONTH
    #: Inpatient facility; None = unknown (a Medicare estimate then warns about the 190-day limit).
    facility_type: FacilityType | None = None
    #: Original Medicare, virtual program days: how they are billed. None = hospital remote services for a
    #: hospital outpatient department (or unknown facility), professional telehealth for a CMHC.
    medicare_virtual_billing: MedicareVirtualBilling | None = None
    #: Medicare inpatient: False = the patient chooses not to use lifetime reserve days for days 91-150 of a
    #: benefit period (they are then billed at the self-pay rate and the reserve days are kept).
    use_lifetime_reserve_days: bool = True
    plan_code: str | None = None
    rate_table_version: str | None = None
    patient: EstimatePatient | None = None
    as_of: dt.date | None = None
    #: The caller's other plans (at most two more), priced in payer order after (or before) the benefits above.
    other_coverage: Annotated[list[OtherCoverageIn], msgspec.Meta(max_length=2)] = []
    #: MM-DD of the subscriber of the benefits above, for the birthday rule.
    subscriber_birthday: Birthday | None = None
    authorization: AuthorizationIn | None = None
    emergency_admission: EmergencyAdmissionIn | None = None
    #: Add the practitioners' visits billed apart from the facility (the psychiatrist's admission evaluation, daily
    #: hospital visits, medication management in a day program) to each level, from the professional fee schedule
    #: and the level's typical visits; they are then part of the level's totals. None = the provider's setting
    #: (PROFESSIONAL_SERVICES_IN_ESTIMATES, off unless set); the stored request records which applied.
    professional_services: bool | None = None


class LineKind(str, enum.Enum):
    DEDUCTIBLE = "deductible"
    COPAY = "copay"
    COINSURANCE = "coinsurance"
    COST_SHARE = "cost_share"  # a day mixing several of the above
    PLAN_PAYS_ALL = "plan_pays_all"
    OOP_MET = "oop_met"
    NOT_COVERED = "not_covered"
    OVER_LIMIT = "over_limit"
    WAIVED = "waived"  # QMB / Medigap / Medicaid exempt: cost sharing someone else pays
    EVENT = "event"  # a milestone (OOP reached, new plan year, limit reached)
    SUMMARY = "summary"


class ExplanationLine(msgspec.Struct, kw_only=True, frozen=True):
    """One sentence intake staff can read aloud, for a run of consecutive days."""

    kind: LineKind
    text: str
    first_day: int | None = None
    last_day: int | None = None
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    patient_pays: Money | None = None


class CostBreakdown(msgspec.Struct, kw_only=True, frozen=True):
    gross_charges: Money
    allowed: Money
    payer_pays: Money
    patient_pays: Money
    deductible: Money
    copay: Money
    coinsurance: Money
    not_covered: Money
    over_limit: Money
    balance_bill: Money
    #: Cost sharing the patient would owe but someone else pays (QMB by law, Medigap, Medicaid exemption).
    waived_cost_sharing: Money
    #: Of that, what the caller's other plans pay, and what the provider may not bill anyone (Medicaid's rate).
    other_payers_pay: Money = Decimal("0.00")
    provider_write_off: Money = Decimal("0.00")


class ServiceDayOut(msgspec.Struct, kw_only=True, frozen=True):
    day: int
    date: dt.date
    hours: Decimal
    #: True for a day the patient joins by telehealth.
    telehealth: bool = False
    gross: Money
    allowed: Money
    payer_pays: Money
    patient_pays: Money
    deductible: Money
    copay: Money
    coinsurance: Money
    not_covered: Money
    over_limit: Money
    balance_bill: Money
    waived_cost_sharing: Money


class ProfessionalLine(msgspec.Struct, kw_only=True, frozen=True):
    """One practitioner service in a level: its visits and what they cost, to be read out (``text``)."""

    code: str
    description: str
    practitioner: str
    visits: int
    first_date: dt.date
    last_date: dt.date
    gross: Money
    allowed: Money
    #: None = the plan's terms for these visits are not known: not in the level's totals (see ``text``).
    payer_pays: Money | None = None
    patient_pays: Money | None = None
    deductible: Money = Decimal("0.00")
    copay: Money = Decimal("0.00")
    coinsurance: Money = Decimal("0.00")
    not_covered: Money = Decimal("0.00")
    waived_cost_sharing: Money = Decimal("0.00")
    text: str


class ProfessionalServices(msgspec.Struct, kw_only=True, frozen=True):
    """Practitioners' visits billed apart from the facility, one line per service. When ``in_totals`` is True
    their amounts are included in the level's ``totals`` (the total the patient hears is the whole total)."""

    in_totals: bool
    lines: list[ProfessionalLine]
    gross: Money
    allowed: Money
    #: None = not priced (the plan's terms for these visits are not known; a warning says what to ask).
    payer_pays: Money | None = None
    patient_pays: Money | None = None
    #: The fee schedule used, with the Medicare PFS year(s) and whether any figure is an example.
    fee_schedule: str


class PatientPaysRange(msgspec.Struct, kw_only=True, frozen=True):
    """What the patient may pay when a figure the quote depends on is unknown (e.g. the out-of-network deductible)."""

    low: Money
    high: Money
    #: The unknown, in words intake can read out, and whom to ask.
    reason: str


class PayerShare(msgspec.Struct, kw_only=True, frozen=True):
    """What one plan pays for a level, in payer order (1 = primary)."""

    order: int
    name: str
    kind: str
    pays: Money
    note: str | None = None


class AuthorizationOut(msgspec.Struct, kw_only=True, frozen=True):
    """The authorization as applied to one level's days."""

    number: str | None = None
    approved: int | None = None
    unit: str = "days"
    days_authorized: int
    days_past: int
    first_day_past: dt.date | None = None
    next_review: dt.date | None = None
    #: The payer's authorization number from the 271 (or the plan's), to call for an extension.
    phone: str | None = None
    over_authorization: str


class LevelEstimate(msgspec.Struct, kw_only=True, frozen=True):
    level: Level
    network: Network
    payer_class: PayerClass
    delivery: Delivery = Delivery.IN_PERSON
    service_days: int
    #: Of ``service_days``, those joined by telehealth.
    telehealth_days: int = 0
    treatment_hours: Decimal
    weeks: Decimal
    first_service_date: dt.date
    last_service_date: dt.date
    totals: CostBreakdown
    patient_pays_per_week: Money
    patient_pays_per_treatment_hour: Money
    #: Line by line, day runs read aloud. The API answers it only with ``?include=explanation``; stored in full.
    explanation: list[ExplanationLine] = []
    assumptions: list[str] = []
    warnings: list[str] = []
    #: One row per service day. The API answers them only with ``?include=days``; stored in full.
    days: list[ServiceDayOut] = []
    #: Sliding fee, balance and payment plans for this level (None when not computed).
    affordability: AffordabilitySection | None = None
    #: Why this network ("in network with SANDBOX PPO through CHOICE PLUS"); None for plans without networks.
    network_basis: str | None = None
    authorization: AuthorizationOut | None = None
    #: The payer's authorization phone number when the level needs one (from the 271's contacts).
    authorization_phone: str | None = None
    #: Every plan that pays, in payer order (primary first), when the caller has more than one.
    payers: list[PayerShare] = []
    #: Set when an unknown figure leaves the patient's total open: ``totals.patient_pays`` lies within it.
    patient_pays_range: PatientPaysRange | None = None
    #: The practitioners' visits billed apart from the facility (request ``professional_services``).
    professional: ProfessionalServices | None = None


class FiguresUsed(msgspec.Struct, kw_only=True, frozen=True):
    """What an estimate was computed with, so it can be reproduced."""

    medicare_calendar_years: list[int] = []
    ipf_fiscal_years: list[str] = []
    medicaid_basis: str | None = None
    poverty_guideline_year: int | None = None
    rate_table_version: str
    rate_table_effective: dt.date
    reference_files: list[str] = []


class EstimateComparison(msgspec.Struct, kw_only=True, frozen=True):
    estimates: list[LevelEstimate]
    #: Each level's total in one sentence (levels are not ranked: the level of care is a clinical decision).
    summary: str
    figures: FiguresUsed
    assumptions: list[str] = []
    warnings: list[str] = []


class EstimateResponse(msgspec.Struct, kw_only=True, frozen=True):
    estimate_id: str | None = None
    comparison: EstimateComparison
    benefits_source: str
    #: Fee-schedule versions (ids) the rates came from; a later version never changes this estimate.
    rate_version_ids: list[str] = []
    created_at: dt.datetime | None = None
    #: The read-aloud summary: short sentences in the order to say them (see contracts.read_aloud).
    read_aloud: list[SpokenLine] = []
    disclaimer: str = (
        "This is an estimate based on the benefits and rates available today, not a guarantee of "
        "payment. Your actual cost depends on the services you receive and your plan's final processing."
    )


__all__ = [
    "CapPeriod", "CostBreakdown", "CourseOfCare", "Delivery", "EstimateComparison", "EstimatePatient", "EstimateRequest",
    "EstimateResponse",
    "ExplanationLine", "FacilityType", "FiguresUsed", "Household", "LevelEstimate", "LineKind",
    "AuthorizationIn", "AuthorizationOut", "AuthorizedLevel", "EmergencyAdmissionIn",
    "ManualBenefitsEntry", "OtherCoverageIn", "PayerShare", "MedicareVirtualBilling", "NetworkPreference", "PatientPaysRange",
    "Percent", "Phase", "ServiceDayOut", "Weekday",
]
