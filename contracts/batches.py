"""Batch re-verification on the wire: ``POST /v1/eligibility/batches`` and ``GET /v1/eligibility/batches/{id}``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from contracts.eligibility import EligibilityCheckRequest

__all__ = ["BatchRequest", "Batch", "BatchItem", "BatchProgress", "ItemProblem"]

MAX_BATCH_ITEMS = 10_000


class BatchRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Members and dates of service to check again with their payers (each item is a full check request)."""

    items: Annotated[list[EligibilityCheckRequest], msgspec.Meta(min_length=1, max_length=MAX_BATCH_ITEMS)]


class ItemProblem(msgspec.Struct, kw_only=True, frozen=True):
    status: int
    type: str
    detail: str | None = None


class BatchItem(msgspec.Struct, kw_only=True, frozen=True):
    """One member's re-check. ``flagged_for_billing`` when coverage changed since the patient's previous check."""

    position: int
    payer_id: str
    status: Literal["pending", "done", "failed"]
    check_id: str | None = None
    check_status: str | None = None  # active | inactive | rejected | unknown
    previous_check_id: str | None = None
    coverage_changes: list[str] = []  # became_inactive, became_active, plan_changed, deductible_met
    flagged_for_billing: bool = False
    problem: ItemProblem | None = None
    attempts: int = 0


class BatchProgress(msgspec.Struct, kw_only=True, frozen=True):
    total: int
    pending: int
    done: int
    failed: int
    flagged_for_billing: int


class Batch(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    status: Literal["running", "complete"]
    created_at: dt.datetime
    lanes: int
    progress: BatchProgress
    #: Every item when ``?items=all`` (default), only flagged or failed ones with ``?items=attention``.
    items: list[BatchItem] = []
