"""Wire types for API keys and the audit log (admin routes)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec

from contracts.benefits import NormalizedBenefits
from contracts.estimate import EstimateResponse

RoleName = Literal["intake", "portal", "billing", "admin"]


class ApiKeyCreate(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    role: RoleName


class ApiKeyCreated(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    name: str
    role: RoleName
    prefix: str
    #: The secret, shown only in this response. Send it as the X-API-Key header.
    secret: str
    #: The organization the key belongs to (the creating admin's); it reaches only that organization's rows.
    organization_id: str | None = None


class ApiKeyInfo(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    name: str
    role: RoleName
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None
    organization_id: str | None = None


class AuditEntry(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    occurred_at: dt.datetime
    actor: str
    role: str
    action: str
    resource_type: str
    resource_id: str | None
    patient_key: str | None
    request_id: str | None
    outcome: str
    #: Why an administrator read full PHI (X-Access-Reason), on break-glass reads only.
    reason: str | None = None
    #: The organization the request acted for; None for a request without a valid key.
    organization_id: str | None = None


class AuditPage(msgspec.Struct, kw_only=True, frozen=True):
    entries: list[AuditEntry]
    #: Pass as ``after_id`` to get the next page; None when this is the last page.
    next_after_id: int | None = None


class PortalTokenCreate(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    #: Shorter lifetime than PORTAL_TOKEN_TTL_SECONDS (the default and the maximum).
    ttl_seconds: Annotated[int, msgspec.Meta(ge=60, le=86400)] | None = None


class PortalTokenIssued(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    estimate_id: str
    #: Send as ``Authorization: Bearer <token>`` from the patient portal. Shown only here.
    token: str
    expires_at: dt.datetime


class EstimateChange(msgspec.Struct, kw_only=True, frozen=True):
    """One stored estimate as the billing feed hands it out (PHI), without the request, the copy of the
    rate table and the request hash (minimum necessary)."""

    id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str
    #: Pseudonymous key of the patient (the same person gives the same key).
    patient_key: str | None = None
    patient_first_name: str | None = None
    patient_last_name: str | None = None
    patient_dob: dt.date | None = None
    benefits_source: str
    eligibility_check_id: str | None = None
    as_of: dt.date
    #: The normalized benefits priced; None for self-pay.
    benefits: NormalizedBenefits | None = None
    rate_version_ids: list[str] = []
    #: What the estimate was computed with (rate versions, figure years, calendar), as the pricing area records it.
    figures: dict[str, Any] = {}
    #: The estimate exactly as it was answered.
    response: EstimateResponse
    #: Position in the change feed (increases with every change).
    change_seq: int


class EligibilityCheckChange(msgspec.Struct, kw_only=True, frozen=True):
    """One stored eligibility check as the billing feed hands it out (PHI), without raw X12 or the request."""

    id: str
    source: str
    status: str
    payer_id: str | None = None
    payer_name: str | None = None
    date_of_service: dt.date | None = None
    service_type_codes: list[str] = []
    subscriber_first_name: str | None = None
    subscriber_last_name: str | None = None
    subscriber_dob: dt.date | None = None
    member_id: str | None = None
    dependent_first_name: str | None = None
    dependent_last_name: str | None = None
    dependent_dob: dt.date | None = None
    dependent_relationship: str | None = None
    patient_key: str | None = None
    trace_number: str | None = None
    #: The normalized benefits as stored (a NormalizedBenefits document; kept as stored, since its shape may be
    #: older or more compact than today's type, e.g. rows kept as JSON for a very large 271).
    benefits: dict[str, Any]
    attempts: int = 0
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    change_seq: int


class EstimateChangePage(msgspec.Struct, kw_only=True, frozen=True):
    """Estimates changed since a cursor, oldest change first. Pass ``next_cursor`` back as ``cursor``."""

    items: list[EstimateChange]
    next_cursor: str
    has_more: bool


class EligibilityCheckChangePage(msgspec.Struct, kw_only=True, frozen=True):
    """Eligibility checks changed since a cursor, oldest change first. Pass ``next_cursor`` back as ``cursor``."""

    items: list[EligibilityCheckChange]
    next_cursor: str
    has_more: bool


class PortalEstimate(msgspec.Struct, kw_only=True, frozen=True):
    """What the patient portal shows: one estimate, no name, no birth date, no raw 271."""

    estimate_id: str
    created_at: dt.datetime
    as_of: dt.date
    benefits_source: str
    #: Last four characters only, e.g. ``********6789``.
    member_id_masked: str | None = None
    payer_name: str | None = None
    plan_name: str | None = None
    #: The estimate exactly as given to intake, minus any PHI.
    estimate: EstimateResponse
