"""Self-pay and affordability: poverty level, sliding fee, payment plans, Good Faith Estimate.

Wire types only; the logic lives in ``service/pricing/selfpay/``. Requests forbid unknown
fields so a misspelled field is a 400, not a silently ignored value. Money is a decimal
string with two decimals; percentages are percent points (``"40"`` = 40 %). Decimal fields
cannot carry msgspec range constraints, so non-negativity of money is checked by the logic
(with the field path in the error).
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Annotated

import msgspec

from contracts.money import Money, Percent

StateCode = Annotated[
    str,
    msgspec.Meta(pattern="^[A-Za-z]{2}$", description="USPS two-letter state or territory code, e.g. \"CA\"."),
]
HouseholdSize = Annotated[int, msgspec.Meta(ge=1, le=20, description="People in the household (1-20).")]
Months = Annotated[int, msgspec.Meta(ge=1, le=120)]


# --------------------------------------------------------------------------- poverty level


class PovertyRegion(str, enum.Enum):
    """HHS guideline regions; territories use the 48-state figures."""

    CONTIGUOUS_48_AND_DC = "contiguous_48_and_dc"
    ALASKA = "alaska"
    HAWAII = "hawaii"


class Household(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    size: HouseholdSize
    annual_income: Money
    state: StateCode


class FplRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    household: Household
    determination_date: dt.date


class FplDetermination(msgspec.Struct, kw_only=True, frozen=True):
    """Where a household stands against the HHS poverty guideline in force on a date."""

    determination_date: dt.date
    guideline_year: int
    guideline_effective: dt.date
    region: PovertyRegion
    state: str
    household_size: int
    annual_income: Money
    poverty_line: Money
    #: Rounded half-up to 2 decimals for display; tiers are chosen on ``ratio``.
    percent_of_poverty: Percent
    #: The exact ratio income / poverty line as a fraction string, e.g. "875/683".
    ratio: str
    explanation: str
    source: str


# --------------------------------------------------------------------------- sliding fee


class TierKind(str, enum.Enum):
    NOMINAL_PER_DAY = "nominal_per_day"
    PERCENT_OF_CHARGE = "percent_of_charge"
    FULL_CHARGE = "full_charge"


class AppliesTo(str, enum.Enum):
    SELF_PAY_ONLY = "self_pay_only"
    SELF_PAY_AND_PATIENT_RESPONSIBILITY = "self_pay_and_patient_responsibility"


class SlidingFeeTier(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    code: str
    label: str
    #: Inclusive upper bound in percent of poverty; ``None`` = no upper bound (the last tier).
    max_percent_fpl: Percent | None
    kind: TierKind
    #: Flat charge per service day, for ``nominal_per_day``.
    nominal_amount: Money | None = None
    #: Share of the charge the patient pays, for ``percent_of_charge``.
    patient_pays_percent: Percent | None = None


class SlidingFeeSchedule(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    organization_id: str
    name: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    applies_to: AppliesTo = AppliesTo.SELF_PAY_ONLY
    proof_of_income_required: bool = True
    tiers: list[SlidingFeeTier]
    #: True for the illustrative HRSA-style table shipped with the service, not an organization's own.
    is_example: bool = False


class SlidingFeeResult(msgspec.Struct, kw_only=True, frozen=True):
    organization_id: str
    schedule_name: str
    schedule_is_example: bool
    guideline_year: int
    percent_of_poverty: Percent
    tier_code: str
    tier_label: str
    tier_kind: TierKind
    tier_lower_percent_fpl: Percent | None
    tier_max_percent_fpl: Percent | None
    service_days: int
    gross_charge: Money
    discount: Money
    patient_amount: Money
    patient_pays_percent: Percent | None = None
    nominal_amount: Money | None = None
    #: True when proof of income was required but not seen: the discount may change.
    provisional: bool = False
    explanation: str
    warnings: list[str] = []


# --------------------------------------------------------------------------- payment plans


class TermLimit(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    #: Inclusive upper bound of the balance; ``None`` = any balance above the previous limit.
    max_balance: Money | None
    max_months: Months


class PaymentPlanRules(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    minimum_monthly_payment: Money
    term_limits: list[TermLimit]
    allowed_terms_months: list[Months]
    down_payment_percent: Percent = Decimal("0")
    #: Annual percentage rate in percent points; 0 = interest-free.
    apr_percent: Percent = Decimal("0")
    #: Affordability: the monthly payment may be at most this share of monthly household income.
    max_percent_of_monthly_income: Percent | None = None


class PaymentLineKind(str, enum.Enum):
    DOWN_PAYMENT = "down_payment"
    INSTALLMENT = "installment"


class PaymentLine(msgspec.Struct, kw_only=True, frozen=True):
    #: 0 for the down payment, 1..N for installments.
    number: int
    kind: PaymentLineKind
    #: ``None`` for a down payment due when the plan is agreed.
    due_date: dt.date | None
    amount: Money
    principal: Money
    interest: Money
    balance_after: Money


class PaymentPlanOffer(msgspec.Struct, kw_only=True, frozen=True):
    balance: Money
    term_months: int
    apr_percent: Percent
    down_payment: Money
    amount_financed: Money
    regular_payment: Money
    final_payment: Money
    total_interest: Money
    #: Down payment + all installments = balance + total_interest, to the cent.
    total_paid: Money
    first_due_date: dt.date
    last_due_date: dt.date
    #: The whole schedule, payment by payment. On an estimate the API answers it only with
    #: ``?include=payment_schedules`` (stored in full).
    lines: list[PaymentLine] = []


class PaymentPlanRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    balance: Money
    term_months: Months
    first_due_date: dt.date
    monthly_household_income: Money | None = None


class PlanOffersRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    balance: Money
    first_due_date: dt.date
    monthly_household_income: Money | None = None


# --------------------------------------------------------------------------- Good Faith Estimate


class CodeSystem(str, enum.Enum):
    HCPCS = "hcpcs"
    CPT = "cpt"


class GfePatient(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    name: str
    date_of_birth: dt.date


class GfeAddress(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    lines: list[str]
    city: str
    state: StateCode
    postal_code: str


class GfeProvider(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    name: str
    npi: Annotated[str, msgspec.Meta(pattern="^[0-9]{10}$")]
    tin: Annotated[str, msgspec.Meta(pattern="^[0-9]{2}-?[0-9]{7}$")]
    #: Where the items are furnished (office or facility location).
    address: GfeAddress
    #: NUCC Health Care Provider Taxonomy code (FHIR ``providerTaxonomy``), e.g. "283Q00000X".
    taxonomy: Annotated[str, msgspec.Meta(pattern="^[0-9A-Z]{9}X$")] | None = None


class GfeItem(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    description: str
    #: CPT/HCPCS code; may be omitted for an institutional line billed by revenue code alone
    #: (e.g. inpatient psychiatric room and board, revenue code 0114).
    service_code: str | None = None
    service_code_system: CodeSystem = CodeSystem.HCPCS
    revenue_code: str | None = None
    period_start: dt.date
    period_end: dt.date
    #: Days (or units) expected in the period.
    quantity: Annotated[int, msgspec.Meta(ge=1)]
    unit_charge: Money
    #: unit_charge x quantity; computed when omitted, checked when given.
    expected_charge: Money | None = None
    #: NPI of the furnishing provider; ``None`` = the convening provider.
    provider_npi: str | None = None


class GfeDiscountLine(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    description: str
    #: A positive amount subtracted from the expected charges.
    amount: Money
    tier_code: str | None = None
    provisional: bool = False


class GfeSeparateItem(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """An item the convening provider expects to be scheduled separately (149.610(c)(6))."""

    description: str
    note: str | None = None


class GfePrimaryService(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    description: str
    scheduled_date: dt.date | None = None


class GoodFaithEstimateRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    gfe_id: str
    issue_date: dt.date
    patient: GfePatient
    primary_service: GfePrimaryService
    convening_provider: GfeProvider
    co_providers: list[GfeProvider] = []
    items: list[GfeItem]
    diagnosis_codes: list[str] = []
    discounts: list[GfeDiscountLine] = []
    separately_scheduled: list[GfeSeparateItem] = []
    #: The day the primary service was scheduled (None = the GFE was requested without scheduling); with
    #: ``primary_service.scheduled_date`` it decides when the GFE is due.
    scheduled_on: dt.date | None = None


class GfeLine(msgspec.Struct, kw_only=True, frozen=True):
    line_number: int
    description: str
    service_code: str | None
    service_code_system: CodeSystem
    revenue_code: str | None
    period_start: dt.date
    period_end: dt.date
    quantity: int
    unit_charge: Money
    expected_charge: Money


class GfeProviderSection(msgspec.Struct, kw_only=True, frozen=True):
    provider: GfeProvider
    is_convening: bool
    lines: list[GfeLine]
    #: This provider's total expected charges, before any discount.
    total_expected_charges: Money
    #: What a bill from this provider is compared with for dispute resolution (45 CFR 149.620): the expected
    #: charges after the discounts shown (the self-pay sliding fee is the convening provider's). None on GFEs
    #: issued before it was recorded.
    dispute_baseline: Money | None = None


class GfeDisclaimer(msgspec.Struct, kw_only=True, frozen=True):
    code: str
    text: str


class GfeDisputeRight(msgspec.Struct, kw_only=True, frozen=True):
    threshold: Money
    days_to_start: int
    administrative_fee: Money
    instructions_url: str
    text: str


class GoodFaithEstimate(msgspec.Struct, kw_only=True, frozen=True):
    """A Good Faith Estimate with the content 45 CFR 149.610(c) requires. Issued GFEs are immutable."""

    gfe_id: str
    issue_date: dt.date
    patient: GfePatient
    primary_service: GfePrimaryService
    convening_provider: GfeProvider
    sections: list[GfeProviderSection]
    diagnosis_codes: list[str]
    separately_scheduled: list[GfeSeparateItem]
    total_expected_charges: Money
    discounts: list[GfeDiscountLine]
    total_discounts: Money
    total_estimated_patient_cost: Money
    discount_note: str | None
    disclaimers: list[GfeDisclaimer]
    dispute_right: GfeDisputeRight
    #: When the GFE was due (45 CFR 149.610(b)); None = not required (scheduled < 3 business days ahead) or not
    #: recorded on older GFEs. ``due_rule`` says which rule applied, in words.
    due_date: dt.date | None = None
    due_rule: str | None = None


# --------------------------------------------------------------------------- affordability (per level of an estimate)


class FinancialAssistanceResult(msgspec.Struct, kw_only=True, frozen=True):
    """The organization's financial-assistance policy (IRS 501(r) AGB cap or a state charity-care rule set) applied
    to a level, when it chose one instead of the sliding fee."""

    policy: str
    title: str
    #: The rule the policy follows, cited.
    source: str
    percent_of_poverty: Percent
    eligible: bool
    discount: Money
    patient_amount: Money
    #: Why the patient owes ``patient_amount``, in words intake can read out.
    explanation: str


class AffordabilitySection(msgspec.Struct, kw_only=True, frozen=True):
    """What a patient would owe for one level after the sliding fee, and the plans to pay it.

    ``patient_responsibility`` is what the estimate says the patient pays before any sliding
    discount; ``balance_after_discount = patient_responsibility - discount``. Payment plans are
    offered on that balance under the organization's rules. ``fpl`` / ``sliding_fee`` are None
    when no household was given (then ``notes`` says so and no discount is applied).
    """

    self_pay: bool
    organization_id: str
    fpl: FplDetermination | None = None
    #: Tier, discount, explanation (why) and whether it is provisional; None = no sliding fee applied.
    sliding_fee: SlidingFeeResult | None = None
    #: Version of the organization's sliding fee schedule used; None = the built-in example schedule.
    sliding_fee_schedule_version: int | None = None
    gross_charges: Money
    patient_responsibility: Money
    discount: Money
    balance_after_discount: Money
    monthly_household_income: Money | None = None
    payment_plan_rules: PaymentPlanRules
    #: Version of the organization's payment plan rules used; None = the built-in default rules.
    payment_plan_rules_version: int | None = None
    #: Every allowed term that meets all rules, shortest first, each with its full schedule (may be empty).
    payment_plans: list[PaymentPlanOffer] = []
    notes: list[str] = []
    warnings: list[str] = []
    #: The organization's financial-assistance policy when it is not the sliding fee (then ``sliding_fee`` is None
    #: and ``discount`` is this policy's).
    financial_assistance: FinancialAssistanceResult | None = None


# --------------------------------------------------------------------------- REST bodies (admin, calculator, plans, GFE)


class SlidingFeeScheduleCreate(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A new version of the caller's organization's schedule; it supersedes earlier versions from ``effective_from``."""

    #: Deprecated: the schedule belongs to the admin key's organization. Omit it; naming another one is a 404.
    organization_id: str | None = None
    name: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    applies_to: AppliesTo = AppliesTo.SELF_PAY_ONLY
    proof_of_income_required: bool = True
    tiers: list[SlidingFeeTier]


class StoredSlidingFeeSchedule(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    version: int
    schedule: SlidingFeeSchedule
    #: True for the version in force today for its organization.
    current: bool
    created_at: dt.datetime
    created_by: str


class SlidingFeeScheduleList(msgspec.Struct, kw_only=True, frozen=True):
    schedules: list[StoredSlidingFeeSchedule]
    #: The built-in example schedule, used when an organization has none in force.
    fallback: SlidingFeeSchedule


class PaymentPlanRulesCreate(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    #: Deprecated: the rules belong to the admin key's organization. Omit it; naming another one is a 404.
    organization_id: str | None = None
    effective_from: dt.date
    rules: PaymentPlanRules


class StoredPaymentPlanRules(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    organization_id: str
    version: int
    effective_from: dt.date
    rules: PaymentPlanRules
    current: bool
    created_at: dt.datetime
    created_by: str


class PaymentPlanRulesList(msgspec.Struct, kw_only=True, frozen=True):
    rules: list[StoredPaymentPlanRules]
    fallback: PaymentPlanRules


class FplCalculatorRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    household: Household
    #: Default: today.
    determination_date: dt.date | None = None
    #: Deprecated: the caller's organization's schedule is used. Omit it; naming another one is a 404.
    organization_id: str | None = None


class FplCalculatorResponse(msgspec.Struct, kw_only=True, frozen=True):
    determination: FplDetermination
    organization_id: str
    schedule_name: str
    schedule_is_example: bool
    schedule_version: int | None
    tier_code: str
    tier_label: str
    tier_kind: TierKind
    tier_range: str
    patient_pays_percent: Percent | None = None
    nominal_amount: Money | None = None
    proof_of_income_required: bool


class EstimatePaymentPlanRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    #: Level of care as in the estimate ("iop", "php", "inpatient").
    level: str
    #: "in" / "out"; default: the first estimate of that level.
    network: str | None = None
    term_months: Months
    #: Overrides the rules' down payment percent when given.
    down_payment: Money | None = None
    #: Default: the first of the month after today.
    first_due_date: dt.date | None = None


class AcceptedPaymentPlan(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    estimate_id: str
    level: str
    network: str
    balance: Money
    plan: PaymentPlanOffer
    rules_version: int | None
    created_at: dt.datetime
    created_by: str


class GfeIssueRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Issue a GFE from a stored estimate. Levels are alternatives: include only what is scheduled
    (every included level is one line and adds to the total)."""

    #: Levels to include ("iop", "php", "inpatient"), each one line of the GFE.
    levels: Annotated[list[str], msgspec.Meta(min_length=1)]
    #: Required (true) for an estimate priced with the patient's insurance: the patient has chosen to pay for this
    #: care themselves, without a claim to the plan (a GFE is for uninsured or self-pay patients). The GFE says so.
    patient_chose_self_pay: bool = False
    #: Required when the estimate does not carry the patient's name / date of birth.
    patient: GfePatient | None = None
    diagnosis_codes: list[str] = []
    #: "in" / "out"; default the first estimate of each level.
    network: str | None = None
    #: Where the care is furnished; required until the service is configured with the provider's address.
    service_location: GfeAddress | None = None
    #: The day the care was scheduled (None = requested without scheduling): decides the GFE's due date.
    scheduled_on: dt.date | None = None
    #: Other providers expected to furnish care in the period (the psychiatrist), each with its items below.
    co_providers: list[GfeProvider] = []
    #: The co-providers' expected items (``provider_npi`` names the co-provider).
    co_provider_items: list[GfeItem] = []


class IssuedGoodFaithEstimate(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    estimate_id: str
    #: 1 for the first GFE issued for the estimate, 2 for the next, ...
    version: int
    issued_at: dt.datetime
    issued_by: str
    gfe: GoodFaithEstimate
