"""PostgreSQL for self-pay: schedules and plan rules (versioned, immutable), accepted plans, issued GFEs.

In force on a date (migration 0970's functions): the version with the latest ``effective_from`` on or before the date (ties:
the higher version) whose ``effective_to`` is null or not before it. A new version therefore
supersedes the old one from its own ``effective_from``; rows are never changed.

Fallbacks when an organization has nothing in force:

- sliding fee: :func:`.sliding_fee.default_schedule` - the HRSA-style EXAMPLE table of
  sliding-fee.md (``is_example`` = True, which every result repeats as a warning);
- payment plans: :data:`DEFAULT_PLAN_RULES` - minimum monthly payment $25; terms 3, 6, 12 or
  24 months; at most 6 months for a balance up to $1,000, 12 up to $5,000, 24 above; 0 % APR;
  no down payment; each payment at most 10 % of monthly household income (an organization's
  example choice, not law: sliding-fee.md's Ryan White figures cap a year's total charges at
  5-10 % of income, which is a different rule; 10 % a month lets a household at 128 % FPL spread
  a $2,880 IOP balance over 12 months).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import asyncpg
import msgspec

from contracts.selfpay import (
    AcceptedPaymentPlan,
    GoodFaithEstimate,
    IssuedGoodFaithEstimate,
    PaymentPlanOffer,
    PaymentPlanRules,
    PaymentPlanRulesCreate,
    SlidingFeeSchedule,
    SlidingFeeScheduleCreate,
    SlidingFeeTier,
    StoredPaymentPlanRules,
    StoredSlidingFeeSchedule,
    TermLimit,
)
from service.db.tenant import DEFAULT_ORGANIZATION, current_organization
from service.pricing.selfpay.affordability import AffordabilityConfig
from service.pricing.selfpay.financial_assistance import DEFAULT_POLICY, load_policies
from service.pricing.selfpay.sliding_fee import default_schedule

DEFAULT_PLAN_RULES = PaymentPlanRules(
    minimum_monthly_payment=Decimal("25.00"),
    term_limits=[
        TermLimit(max_balance=Decimal("1000.00"), max_months=6),
        TermLimit(max_balance=Decimal("5000.00"), max_months=12),
        TermLimit(max_balance=None, max_months=24),
    ],
    allowed_terms_months=[3, 6, 12, 24],
    down_payment_percent=Decimal("0"),
    apr_percent=Decimal("0"),
    max_percent_of_monthly_income=Decimal("10"),
)

def _schedule_from_row(row: asyncpg.Record) -> SlidingFeeSchedule:
    return SlidingFeeSchedule(
        organization_id=row["organization_id"],
        name=row["name"],
        effective_from=row["effective_from"],
        effective_to=row["effective_to"],
        applies_to=row["applies_to"],
        proof_of_income_required=row["proof_of_income_required"],
        tiers=msgspec.convert(row["tiers"], list[SlidingFeeTier]),
        is_example=False,
    )


def _rules_from_row(row: asyncpg.Record) -> PaymentPlanRules:
    return PaymentPlanRules(
        minimum_monthly_payment=row["minimum_monthly_payment"],
        term_limits=msgspec.convert(row["term_limits"], list[TermLimit]),
        allowed_terms_months=list(row["allowed_terms_months"]),
        down_payment_percent=row["down_payment_percent"].normalize(),
        apr_percent=row["apr_percent"].normalize(),
        max_percent_of_monthly_income=(
            row["max_percent_of_monthly_income"].normalize() if row["max_percent_of_monthly_income"] is not None else None
        ),
    )


def _acting_organization(organization_id: str | None) -> str:
    """``organization_id``, or (None) the organization this work acts for (a request's: its caller's)."""
    return organization_id or current_organization() or DEFAULT_ORGANIZATION


def _schedule_found(row: Any, version: int | None, organization_id: str) -> tuple[SlidingFeeSchedule, int | None]:
    """The schedule read (``version`` None: none in force, the organization's default) and its version."""
    if version is None:
        return default_schedule(organization_id, effective_from=dt.date(1900, 1, 1)), None
    return _schedule_from_row(row), version


async def schedule_in_force(
    conn: asyncpg.Connection | asyncpg.Pool, on: dt.date, organization_id: str | None = None
) -> tuple[SlidingFeeSchedule, int | None]:
    organization_id = _acting_organization(organization_id)
    row = await conn.fetchrow("SELECT * FROM sliding_fee_schedule_in_force($1, $2)", organization_id, on)
    return _schedule_found(row, None if row is None else row["version"], organization_id)


def affordability_config_of(row: Any, organization_id: str, assistance_policy: str) -> AffordabilityConfig:
    """The organization's policy from a row of migration 0970's ``affordability_config_in_force`` (its schedule's
    and its rules' columns side by side, NULL where none is in force: the fallbacks of the module docstring) and the
    financial-assistance policy code it chose."""
    schedule, schedule_version = _schedule_found(row, row["schedule_version"], organization_id)
    rules_version = row["rules_version"]
    return AffordabilityConfig(
        organization_id=organization_id,
        schedule=schedule,
        rules=DEFAULT_PLAN_RULES if rules_version is None else _rules_from_row(row),
        schedule_version=schedule_version,
        rules_version=rules_version,
        policy=load_policies()[assistance_policy],
    )


async def load_affordability_config(
    conn: asyncpg.Connection | asyncpg.Pool, on: dt.date, organization_id: str | None = None, *,
    assistance_policy: str = DEFAULT_POLICY,
) -> AffordabilityConfig:
    """The organization's policy in force on ``on``: its financial-assistance policy, sliding fee schedule and payment
    plan rules (fallbacks: module docstring), of the organization this work acts for unless ``organization_id`` says
    otherwise. ``assistance_policy`` is the code the organization chose (today the deployment's
    FINANCIAL_ASSISTANCE_POLICY setting, the same for every organization). An estimate reads the same with its other
    inputs (``service/pricing/estimate_inputs.py``)."""
    organization_id = _acting_organization(organization_id)
    row = await conn.fetchrow("SELECT * FROM affordability_config_in_force($1, $2)", organization_id, on)
    return affordability_config_of(row, organization_id, assistance_policy)


# --------------------------------------------------------------------------- admin: schedules and rules


async def _next_version(conn: asyncpg.Connection, table: str, organization_id: str) -> int:
    """The organization's next version number in ``table`` (one of this module's versioned tables).

    Call inside the insert's transaction: the advisory lock serializes concurrent inserts per
    organization until it commits.
    """
    await conn.execute(f"SELECT pg_advisory_xact_lock(hashtext('{table}:' || $1))", organization_id)
    return await conn.fetchval(
        f"SELECT coalesce(max(version), 0) + 1 FROM {table} WHERE organization_id = $1", organization_id
    )


async def insert_schedule(
    conn: asyncpg.Connection, body: SlidingFeeScheduleCreate, *, created_by: str, today: dt.date
) -> StoredSlidingFeeSchedule:
    async with conn.transaction():
        version = await _next_version(conn, "sliding_fee_schedules", body.organization_id)
        row = await conn.fetchrow(
            """INSERT INTO sliding_fee_schedules (organization_id, version, name, effective_from, effective_to,
                   applies_to, proof_of_income_required, tiers, created_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *""",
            body.organization_id, version, body.name, body.effective_from, body.effective_to,
            body.applies_to.value, body.proof_of_income_required, body.tiers, created_by,
        )
    current = await conn.fetchval("SELECT id FROM sliding_fee_schedule_in_force($1, $2)", body.organization_id, today)
    return _stored_schedule(row, current)


def _stored_schedule(row: asyncpg.Record, current_id: Any) -> StoredSlidingFeeSchedule:
    return StoredSlidingFeeSchedule(
        id=str(row["id"]),
        version=row["version"],
        schedule=_schedule_from_row(row),
        current=row["id"] == current_id,
        created_at=row["created_at"],
        created_by=row["created_by"],
    )


async def list_schedules(
    conn: asyncpg.Connection | asyncpg.Pool, *, today: dt.date, organization_id: str | None = None
) -> list[StoredSlidingFeeSchedule]:
    rows = await conn.fetch(
        """SELECT s.*, (s.id = (SELECT c.id FROM sliding_fee_schedule_in_force(s.organization_id, $1) AS c)) AS is_current
           FROM sliding_fee_schedules s
           WHERE $2::text IS NULL OR s.organization_id = $2
           ORDER BY s.organization_id, s.version DESC""",
        today, organization_id,
    )
    return [_stored_schedule(row, row["id"] if row["is_current"] else None) for row in rows]


async def insert_rules(
    conn: asyncpg.Connection, body: PaymentPlanRulesCreate, *, created_by: str, today: dt.date
) -> StoredPaymentPlanRules:
    r = body.rules
    async with conn.transaction():
        version = await _next_version(conn, "payment_plan_rules", body.organization_id)
        row = await conn.fetchrow(
            """INSERT INTO payment_plan_rules (organization_id, version, effective_from, minimum_monthly_payment,
                   term_limits, allowed_terms_months, down_payment_percent, apr_percent,
                   max_percent_of_monthly_income, created_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *""",
            body.organization_id, version, body.effective_from, r.minimum_monthly_payment, r.term_limits,
            r.allowed_terms_months, r.down_payment_percent, r.apr_percent, r.max_percent_of_monthly_income,
            created_by,
        )
    rows = await list_rules(conn, today=today, organization_id=body.organization_id)
    return next(stored for stored in rows if stored.id == str(row["id"]))


async def list_rules(
    conn: asyncpg.Connection | asyncpg.Pool, *, today: dt.date, organization_id: str | None = None
) -> list[StoredPaymentPlanRules]:
    rows = await conn.fetch(
        """SELECT r.*, (r.id = (SELECT c.id FROM payment_plan_rules_in_force(r.organization_id, $1) AS c)) AS is_current
           FROM payment_plan_rules r
           WHERE $2::text IS NULL OR r.organization_id = $2
           ORDER BY r.organization_id, r.version DESC""",
        today, organization_id,
    )
    return [
        StoredPaymentPlanRules(
            id=str(row["id"]),
            organization_id=row["organization_id"],
            version=row["version"],
            effective_from=row["effective_from"],
            rules=_rules_from_row(row),
            current=bool(row["is_current"]),
            created_at=row["created_at"],
            created_by=row["created_by"],
        )
        for row in rows
    ]


# --------------------------------------------------------------------------- accepted plans and GFEs


async def insert_accepted_plan(
    conn: asyncpg.Connection,
    *,
    estimate_id: str,
    level: str,
    network: str,
    plan: PaymentPlanOffer,
    rules_version: int | None,
    patient_key: str | None,
    created_by: str,
) -> AcceptedPaymentPlan:
    row = await conn.fetchrow(
        """INSERT INTO accepted_payment_plans (estimate_id, level, network, term_months, balance, schedule,
               rules_version, patient_key, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, created_at""",
        estimate_id, level, network, plan.term_months, plan.balance, plan, rules_version, patient_key, created_by,
    )
    return AcceptedPaymentPlan(
        id=str(row["id"]), estimate_id=estimate_id, level=level, network=network, balance=plan.balance, plan=plan,
        rules_version=rules_version, created_at=row["created_at"], created_by=created_by,
    )


def new_gfe_id() -> str:
    return str(uuid.uuid4())


async def insert_gfe(
    conn: asyncpg.Connection,
    *,
    gfe: GoodFaithEstimate,
    estimate_id: str,
    issued_by: str,
    patient_key: str | None,
) -> IssuedGoodFaithEstimate:
    """Store an issued GFE as the next version for its estimate (call inside the caller's transaction)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('good_faith_estimates:' || $1))", estimate_id)
    version = await conn.fetchval(
        "SELECT coalesce(max(version), 0) + 1 FROM good_faith_estimates WHERE estimate_id = $1", estimate_id
    )
    row = await conn.fetchrow(
        """INSERT INTO good_faith_estimates (id, estimate_id, version, issued_by, patient_key, content)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
        uuid.UUID(gfe.gfe_id), estimate_id, version, issued_by, patient_key, gfe,
    )
    return _issued(row)


def _issued(row: asyncpg.Record) -> IssuedGoodFaithEstimate:
    return IssuedGoodFaithEstimate(
        id=str(row["id"]),
        estimate_id=row["estimate_id"],
        version=row["version"],
        issued_at=row["issued_at"],
        issued_by=row["issued_by"],
        gfe=msgspec.convert(row["content"], GoodFaithEstimate),
    )


async def get_gfe(conn: asyncpg.Connection | asyncpg.Pool, gfe_id: str) -> tuple[IssuedGoodFaithEstimate, str | None] | None:
    """(the GFE, its patient key) or None."""
    try:
        key = uuid.UUID(gfe_id)
    except ValueError:
        return None
    row = await conn.fetchrow("SELECT * FROM good_faith_estimates WHERE id = $1", key)
    if row is None:
        return None
    return _issued(row), row["patient_key"]
