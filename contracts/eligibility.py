"""Wire types for eligibility: a check request, a posted 271, and benefits entered by hand.

The REST routes live elsewhere; these are the shapes they accept. Benefits always come back
as :class:`contracts.benefits.NormalizedBenefits`.

PHI: ``SubscriberIn`` / ``DependentIn`` and a posted 271 carry PHI; a manual entry does not
(the payer representative's name and the call reference number are not PHI).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from contracts.benefits import (
    Contact, CopayTier, InsuranceType, Level, MedicaidDetails, MedicareDetails, OtherPayer, PayerClass,
    ProfessionalCostShare, TelehealthCostShare,
)
from contracts.money import Money, Percent

LastName = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
FirstName = Annotated[str, msgspec.Meta(min_length=1, max_length=35)]
MemberId = Annotated[str, msgspec.Meta(min_length=2, max_length=80)]
PayerId = Annotated[str, msgspec.Meta(min_length=2, max_length=80)]
ShortText = Annotated[str, msgspec.Meta(max_length=120)]
ServiceTypeCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z0-9]{1,2}$")]
Npi = Annotated[str, msgspec.Meta(pattern=r"^\d{10}$")]

#: Union of the service type codes in levels-of-care.json (IOP: MH A8 CH; PHP: BB; inpatient: A7 CG; all: 30).
DEFAULT_SERVICE_TYPE_CODES: tuple[str, ...] = ("MH", "A8", "CH", "BB", "A7", "CG", "30")


class SubscriberIn(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    first_name: FirstName
    last_name: LastName
    date_of_birth: dt.date
    member_id: MemberId


class DependentIn(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    first_name: FirstName
    last_name: LastName
    date_of_birth: dt.date
    relationship: Literal["spouse", "child", "other"] = "child"


class ProviderOverride(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """The billing provider to name in the 270 instead of the configured one."""

    npi: Npi
    #: Organization name, or a person's last name when ``first_name`` is set.
    name: LastName
    first_name: FirstName | None = None


class EligibilityCheckRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    payer_id: PayerId
    payer_name: Annotated[str, msgspec.Meta(min_length=1, max_length=60)] | None = None
    subscriber: SubscriberIn
    #: Set when the patient is not the subscriber and has no member id of their own.
    dependent: DependentIn | None = None
    date_of_service: dt.date
    service_type_codes: Annotated[list[ServiceTypeCode], msgspec.Meta(min_length=1, max_length=99)] = msgspec.field(
        default_factory=lambda: list(DEFAULT_SERVICE_TYPE_CODES)
    )
    provider: ProviderOverride | None = None


class Parse271Request(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A 271 a billing system posts for normalization (raw X12, PHI)."""

    x12: Annotated[str, msgspec.Meta(min_length=1, max_length=2_000_000)]


# --- benefits entered by hand ------------------------------------------------------------


class ManualAccumulator(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    total: Money | None = None
    remaining: Money | None = None


class ManualCostShare(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """What the payer representative said for one network (and optionally one level)."""

    deductible_individual: ManualAccumulator | None = None
    deductible_family: ManualAccumulator | None = None
    oop_max_individual: ManualAccumulator | None = None
    oop_max_family: ManualAccumulator | None = None
    coinsurance_percent: Percent | None = None
    copay: Money | None = None
    copay_per: Literal["day", "visit", "admission"] | None = None
    limit_quantity: Annotated[int, msgspec.Meta(ge=0)] | None = None
    limit_unit: Literal["days", "visits", "hours"] = "days"
    limit_period: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    prior_authorization_required: bool | None = None
    covered: bool | None = None
    #: Plan design, as the representative said it (None = not asked; pricing states its assumption).
    #: False = the deductible is waived for this level (or the whole plan, plan-wide).
    deductible_applies: bool | None = None
    #: True = the copay and the coinsurance both apply; False = the copay instead of the coinsurance.
    copay_with_coinsurance: bool | None = None
    #: Day-tiered copays within a stay ("$400 a day for days 1-5, then $0").
    copay_tiers: Annotated[list[CopayTier], msgspec.Meta(max_length=10)] = []
    #: False = the family deductible is not embedded.
    family_deductible_embedded: bool | None = None
    telehealth: TelehealthCostShare | None = None


class ManualLevelOverride(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Replaces the plan-wide cost share for one level and network (e.g. inpatient in-network)."""

    level: Level
    network: Literal["in", "out"]
    cost_share: ManualCostShare


class HeardFrom(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Who gave the benefits: the payer representative and the call reference (not PHI)."""

    representative_name: ShortText | None = None
    reference_number: ShortText | None = None
    call_date: dt.date | None = None


class ManualBenefitsEntry(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    payer_name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    payer_id: PayerId | None = None
    payer_class: PayerClass
    insurance_type: InsuranceType = InsuranceType.UNKNOWN
    plan_name: ShortText | None = None
    group_number: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    plan_begin: dt.date | None = None
    plan_end: dt.date | None = None
    active: bool
    patient_is_dependent: bool = False
    in_network: ManualCostShare
    out_of_network: ManualCostShare | None = None
    levels: Annotated[list[ManualLevelOverride], msgspec.Meta(max_length=6)] = []
    medicare: MedicareDetails | None = None
    medicaid: MedicaidDetails | None = None
    heard_from: HeardFrom
    #: Other plans the caller has (a second plan, Medigap with its letter, Medicaid), each with its order.
    other_payers: Annotated[list[OtherPayer], msgspec.Meta(max_length=3)] = []
    #: Numbers the representative gave (prior authorization, member services).
    contacts: Annotated[list[Contact], msgspec.Meta(max_length=10)] = []
    notes: Annotated[list[ShortText], msgspec.Meta(max_length=20)] = []
    #: The plan's specialist / professional visit terms (the psychiatrist billed apart from the facility).
    professional: Annotated[list[ProfessionalCostShare], msgspec.Meta(max_length=4)] = []
