"""The audit trail: one append-only row per read or write of PHI (HIPAA audit controls).

Call :func:`record` from every handler that reads or writes patient data, in the same
transaction as the write when there is one, so a write without its audit row cannot exist.
Attempts are audited too, with their outcome: ``success``, ``not_found`` (a probe for an id
that does not exist), ``denied`` (401/403, action ``access.unauthenticated`` /
``access.forbidden``), ``refused`` (a request the rules turned down, e.g. a payment plan) and
``upstream_error`` (a 270 with PHI reached the clearinghouse, which then failed).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import asyncpg

if TYPE_CHECKING:  # roles' guard writes denied rows through this module
    from service.access.roles import Caller


def patient_key(last_name: str, first_name: str, date_of_birth: str, member_id: str | None) -> str:
    """A stable pseudonymous key for one patient, for audit queries; reveals no PHI by itself."""
    normalized = "|".join(
        part.strip().upper() for part in (last_name, first_name, date_of_birth, member_id or "")
    )
    return "pk_" + hashlib.sha256(normalized.encode()).hexdigest()[:32]


def mask_member_id(value: object) -> str | None:
    """Minimum necessary: ``XJH123456789`` → ``********6789``; four characters or fewer are masked entirely."""
    if value is None or value == "":
        return None
    text = str(value)
    return "*" * (len(text) - 4) + text[-4:] if len(text) > 4 else "****"


async def record(
    conn: asyncpg.Connection | asyncpg.Pool,
    *,
    caller: Caller | None,
    action: str,
    resource_type: str,
    resource_id: Any = None,
    patient: str | None = None,
    request_id: str | None = None,
    outcome: str = "success",
) -> None:
    await conn.execute(
        """INSERT INTO audit_log (actor, role, action, resource_type, resource_id, patient_key, request_id, outcome,
                                  reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        caller.actor_id if caller else "anonymous",
        caller.role.value if caller else "none",
        action,
        resource_type,
        None if resource_id is None else str(resource_id)[:200],
        patient,
        request_id,
        outcome,
        caller.access_reason if caller else None,
    )


def audit_params(caller: Caller | None, action: str, request_id: str | None) -> tuple[str | None, ...]:
    """The audit row's parameters of a read that writes it in the same statement (``eligibility/store.py``), in
    order: actor, role, action, request id, access reason."""
    return (
        caller.actor_id if caller else "anonymous",
        caller.role.value if caller else "none",
        action,
        request_id,
        caller.access_reason if caller else None,
    )
