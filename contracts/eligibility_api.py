"""Wire types of the eligibility REST routes: the check resource, its raw X12, manual entry.

Requests reuse :mod:`contracts.eligibility` (``EligibilityCheckRequest``, ``Parse271Request``,
``ManualBenefitsEntry``). Benefits are always :class:`contracts.benefits.NormalizedBenefits`.

PHI: :class:`PatientSummary` carries the patient's name and date of birth (for re-display to
intake staff) and the member id **masked** (``"*****6789"``). :class:`EligibilityX12` carries
raw X12 (full PHI) and is served to billing and admin only.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from contracts.benefits import NormalizedBenefits
from contracts.eligibility import DependentIn, ManualBenefitsEntry, SubscriberIn
from contracts.read_aloud import SpokenLine

CheckStatus = Literal["active", "inactive", "rejected", "unknown"]
CheckSource = Literal["clearinghouse", "posted_271", "manual"]


class PatientSummary(msgspec.Struct, kw_only=True, frozen=True):
    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: dt.date | None = None
    #: The member id with all but its last four characters replaced by ``*``.
    member_id_masked: str | None = None
    is_dependent: bool = False
    #: Pseudonymous key of this patient (audit queries); reveals nothing by itself.
    patient_key: str | None = None


class EligibilityCheck(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    status: CheckStatus
    source: CheckSource
    #: True when this answer is a stored check reused within ELIGIBILITY_CACHE_TTL_SECONDS.
    from_cache: bool = False
    #: Seconds since the payer answered (0 for a check made just now).
    age_seconds: int = 0
    #: One or two sentences intake staff can read out (coverage, or why the payer refused).
    message: str
    #: The read-aloud summary: short sentences in the order to say them (see contracts.read_aloud).
    read_aloud: list[SpokenLine] = []
    payer_id: str | None = None
    payer_name: str | None = None
    date_of_service: dt.date | None = None
    service_type_codes: list[str] = []
    patient: PatientSummary
    benefits: NormalizedBenefits
    #: Tries it took to reach the payer (clearinghouse checks only).
    attempts: int = 0
    created_at: dt.datetime
    updated_at: dt.datetime


class EligibilityX12(msgspec.Struct, kw_only=True, frozen=True):
    """The raw 270 sent and 271 received (PHI; billing and admin only)."""

    id: str
    source: CheckSource
    raw_270: str | None = None
    raw_271: str | None = None


class ManualCheckRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Benefits heard on the phone, and whose they are (so the check is tied to a patient and audited)."""

    subscriber: SubscriberIn
    dependent: DependentIn | None = None
    date_of_service: dt.date | None = None
    benefits: ManualBenefitsEntry
