"""Patient-portal tokens: short-lived, signed, revocable, for exactly one estimate.

Format ``pt1.<base64url(payload)>.<base64url(mac)>``; payload is compact JSON
``{"tid": <token id>, "eid": <estimate id>, "exp": <unix seconds>}`` and the MAC is
HMAC-SHA256 under PORTAL_TOKEN_SECRET over ``pt1.<payload part>`` (tokens signed under one of
PORTAL_TOKEN_PREVIOUS_SECRETS still verify: rotation). The signature lets us
reject forged or expired tokens without a query; the ``portal_tokens`` row makes them
revocable and is read on every use. The payload is not secret (only base64): it holds
ids, never PHI.

The clock and the lifetime are injectable (tests move the clock instead of sleeping).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec

from contracts.access import PortalEstimate
from contracts.estimate import EstimateResponse
from service.access.audit import mask_member_id, record
from service.access.roles import Caller, Role
from service.config import ConfigError
from service.local_secrets import embedded_secrets_file, local_secret
from service.errors import NotFound

_PREFIX = "pt1"
_MAX_TOKEN_CHARS = 1024


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class _Payload(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    tid: str
    eid: str
    exp: int


@dataclass(frozen=True)
class IssuedToken:
    id: str
    estimate_id: str
    token: str
    expires_at: dt.datetime


class PortalTokens:
    """Issues, verifies and revokes portal tokens. One per app, at ``app.state.portal_tokens``."""

    def __init__(
        self, secret: str | Sequence[str], ttl_seconds: int, clock: Callable[[], float] = time.time
    ) -> None:
        """``secret``: the signing secret, or [current, *previous] - tokens signed with a previous secret
        still verify until they expire, so a secret can be rotated without breaking links already sent."""
        secrets_in_use = [secret] if isinstance(secret, str) else list(secret)
        if not secrets_in_use or not all(secrets_in_use):
            raise ValueError("portal token secret must not be empty")
        self._keys = [hashlib.sha256(b"portal-token-v1|" + s.encode()).digest() for s in secrets_in_use]
        self.ttl_seconds = ttl_seconds
        self.clock = clock

    def _mac(self, signed_part: str, key: bytes | None = None) -> bytes:
        return hmac.new(key or self._keys[0], signed_part.encode("ascii"), hashlib.sha256).digest()

    def _signed_by_a_key_in_use(self, signed_part: str, mac: bytes) -> bool:
        return any(hmac.compare_digest(mac, self._mac(signed_part, key)) for key in self._keys)

    def sign(self, token_id: str, estimate_id: str, expires: int) -> str:
        payload = _b64e(msgspec.json.encode(_Payload(tid=token_id, eid=estimate_id, exp=expires)))
        signed_part = f"{_PREFIX}.{payload}"
        return f"{signed_part}.{_b64e(self._mac(signed_part))}"

    def verify(self, token: str) -> _Payload | None:
        """The payload of a well-signed, unexpired token; None for anything else (never raises)."""
        if len(token) > _MAX_TOKEN_CHARS:
            return None
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _PREFIX:
            return None
        try:
            mac = _b64d(parts[2])
        except (ValueError, TypeError):
            return None
        if not self._signed_by_a_key_in_use(f"{parts[0]}.{parts[1]}", mac):
            return None
        try:
            payload = msgspec.json.decode(_b64d(parts[1]), type=_Payload)
        except (ValueError, TypeError, msgspec.DecodeError, msgspec.ValidationError):
            return None
        if payload.exp <= self.clock():
            return None
        return payload

    async def issue(
        self, conn: asyncpg.Connection | asyncpg.Pool, *, estimate_id: str, issued_by: str, ttl_seconds: int | None = None
    ) -> IssuedToken:
        ttl = self.ttl_seconds if ttl_seconds is None else min(ttl_seconds, self.ttl_seconds)
        expires = int(self.clock()) + ttl
        expires_at = dt.datetime.fromtimestamp(expires, tz=dt.UTC)
        token_id = str(uuid.uuid4())
        await conn.execute(
            "INSERT INTO portal_tokens (id, estimate_id, issued_by, expires_at) VALUES ($1, $2, $3, $4)",
            uuid.UUID(token_id),
            estimate_id,
            issued_by,
            expires_at,
        )
        return IssuedToken(id=token_id, estimate_id=estimate_id, token=self.sign(token_id, estimate_id, expires), expires_at=expires_at)

    async def resolve(self, pool: asyncpg.Pool, token: str) -> Caller | None:
        """The portal caller a token stands for, or None (bad signature, expired, revoked, unknown)."""
        payload = self.verify(token)
        if payload is None:
            return None
        try:
            token_uuid = uuid.UUID(payload.tid)
        except ValueError:
            return None
        # Before the organization is known: the token's row through a SECURITY DEFINER look-up (migration 0900).
        row = await pool.fetchrow(
            "SELECT estimate_id, expires_at, revoked_at, organization_id FROM portal_token_state($1)", token_uuid
        )
        if row is None or row["revoked_at"] is not None or row["estimate_id"] != payload.eid:
            return None
        if row["expires_at"].timestamp() <= self.clock():
            return None
        return Caller(
            actor_id=f"portal-token:{payload.tid}",
            actor_name="patient portal",
            role=Role.PORTAL,
            estimate_scope=payload.eid,
            organization_id=row["organization_id"],
        )


async def revoke_token(conn: asyncpg.Connection | asyncpg.Pool, token_id: str, *, revoked_by: str) -> str | None:
    """Revoke a token; return its estimate id, or None when there is no active token with that id."""
    try:
        token_uuid = uuid.UUID(token_id)
    except ValueError:
        return None
    return await conn.fetchval(
        """UPDATE portal_tokens SET revoked_at = now(), revoked_by = $2
           WHERE id = $1 AND revoked_at IS NULL RETURNING estimate_id""",
        token_uuid,
        revoked_by,
    )


async def issue_portal_token(pool: asyncpg.Pool, tokens: PortalTokens, *, estimate_id: str, caller: Caller,
                             request_id: str | None, ttl_seconds: int | None = None) -> IssuedToken:
    """Issue a token for one stored estimate and audit it (404, audited, when the caller's organization has no
    such estimate)."""
    estimate = await read_estimate(pool, estimate_id)
    if estimate is None:
        await record(pool, caller=caller, action="portal_token.issue", resource_type="estimate",
                     resource_id=estimate_id[:64], request_id=request_id, outcome="not_found")
        raise NotFound(f"No estimate {estimate_id[:64]!r}.")
    async with pool.acquire() as conn, conn.transaction():
        issued = await tokens.issue(conn, estimate_id=estimate_id, issued_by=caller.actor_id, ttl_seconds=ttl_seconds)
        await record(conn, caller=caller, action="portal_token.issue", resource_type="estimate",
                     resource_id=estimate_id, patient=estimate_patient_key(estimate), request_id=request_id)
    return issued


def install(app: Any) -> None:
    """Create the token service and the resolver the authentication middleware calls (from create_app).

    The signing secret must outlive the process and be the same on every replica, or every restart
    kills every portal link. So PORTAL_TOKEN_SECRET (plus PORTAL_TOKEN_PREVIOUS_SECRETS while rotating)
    is required, except in the embedded dev mode, where a secret is generated once and kept beside the
    data (:mod:`service.local_secrets`) when the service starts.
    """
    settings = app.state.settings
    if settings.portal_token_secret:
        app.state.portal_tokens = PortalTokens(
            [settings.portal_token_secret, *settings.portal_token_previous_secrets], settings.portal_token_ttl_seconds
        )
    elif settings.uses_embedded_postgres:

        async def from_the_data_directory(started: Any) -> None:
            secret = local_secret(embedded_secrets_file(settings.embedded_pg_dir), "portal_token_secret")
            started.state.portal_tokens = PortalTokens(secret, settings.portal_token_ttl_seconds)

        app.state.setdefault("startup_hooks", []).append(from_the_data_directory)
    else:
        raise ConfigError(
            "PORTAL_TOKEN_SECRET must be set when DATABASE_URL is set: portal links must survive restarts and "
            "work on every replica (generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )

    async def resolver(token: str) -> Caller | None:
        return await app.state.portal_tokens.resolve(app.state.pool, token)

    app.state.portal_token_resolver = resolver


# --- the portal's view of its estimate -------------------------------------------------------
#
# Reads the estimates table of migration 0200_pricing.sql: id, created_at, as_of,
# benefits_source, patient_key (for the audit row), request->'patient'->>'member_id' (shown
# masked), benefits->>'payer_name' / 'plan_name', and response (the EstimateResponse as given).
# Not read: patient names and date of birth, the request (may hold a raw 271), benefits rows,
# rates. The response is scrubbed by key as a second line of defence should it ever carry PHI.

_DROP_KEYS = frozenset(
    {
        "raw_270", "raw_271", "raw_x12", "x12_271", "request", "patient", "patient_key",
        "first_name", "last_name", "middle_name", "date_of_birth", "dob", "address", "phone", "email",
        "patient_first_name", "patient_last_name", "patient_dob",
        "subscriber_first_name", "subscriber_last_name", "subscriber_dob",
        "dependent_first_name", "dependent_last_name", "dependent_dob",
    }
)
_MASK_KEYS = frozenset({"member_id", "subscriber_member_id", "dependent_member_id"})


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: mask_member_id(item) if key in _MASK_KEYS else _scrub(item)
            for key, item in value.items()
            if key not in _DROP_KEYS
        }
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


async def read_estimate(pool: asyncpg.Pool | asyncpg.Connection, estimate_id: str) -> asyncpg.Record | None:
    """The columns the portal may see (plus patient_key for the audit row), or None."""
    try:
        estimate_uuid = uuid.UUID(estimate_id)
    except ValueError:
        return None
    return await pool.fetchrow(
        """SELECT id::text AS id, created_at, as_of, benefits_source, patient_key,
                  request -> 'patient' ->> 'member_id' AS member_id,
                  benefits ->> 'payer_name' AS payer_name, benefits ->> 'plan_name' AS plan_name,
                  response, day_rows
           FROM estimates WHERE id = $1""",
        estimate_uuid,
    )


def estimate_patient_key(estimate: asyncpg.Record) -> str | None:
    return estimate["patient_key"]


def _as_answered(estimate: asyncpg.Record) -> Any:
    """The stored answer with its per-day rows, which the pricing area keeps packed beside it."""
    from service.pricing.stored_answer import answered_data  # noqa: PLC0415 - the pricing area's storage format

    return answered_data(estimate["response"], estimate["day_rows"])


def portal_view(estimate: asyncpg.Record) -> PortalEstimate:
    """Minimum necessary for the patient: the estimate as given, a masked member id, the payer."""
    return PortalEstimate(
        estimate_id=estimate["id"],
        created_at=estimate["created_at"],
        as_of=estimate["as_of"],
        benefits_source=estimate["benefits_source"],
        member_id_masked=mask_member_id(estimate["member_id"]),
        payer_name=estimate["payer_name"],
        plan_name=estimate["plan_name"],
        estimate=msgspec.convert(_scrub(_as_answered(estimate)), EstimateResponse, strict=False),
    )
