"""Staff accounts for the intake console: argon2id password hashes, a lockout after failed sign-ins.

argon2-cffi (the reference argon2 binding, kept by the PyCA-adjacent hynek/argon2-cffi project) hashes
and verifies; its ``PasswordHasher`` defaults follow RFC 9106's recommended low-memory profile and
``check_needs_rehash`` lets a sign-in upgrade an old hash when those defaults change.

Every staff member acts with the ``intake`` role, within the organization the account belongs to. After :data:`MAX_FAILED_ATTEMPTS` wrong passwords in a row
the account is locked for :data:`LOCKOUT_MINUTES` (a password is slow to hash, and this caps guessing).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from service.db.tenant import DEFAULT_ORGANIZATION

MAX_FAILED_ATTEMPTS = 5
LOCKOUT_MINUTES = 15
MIN_PASSWORD_CHARS = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")

_hasher = PasswordHasher()
#: Verified against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


class StaffAccountError(ValueError):
    """A username or password that cannot be used; the message says why."""


@dataclass(frozen=True)
class StaffMember:
    id: str
    username: str
    display_name: str
    organization_id: str = DEFAULT_ORGANIZATION

    @property
    def actor_id(self) -> str:
        return f"staff:{self.id}"


def check_new_account(username: str, password: str) -> str:
    """The normalized username, or :class:`StaffAccountError`."""
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise StaffAccountError("username: 2-80 characters, letters, digits and . _ @ - (starting with a letter "
                                "or digit)")
    if len(password) < MIN_PASSWORD_CHARS:
        raise StaffAccountError(f"password: at least {MIN_PASSWORD_CHARS} characters")
    return name


async def create_staff(conn: asyncpg.Connection | asyncpg.Pool, *, username: str, password: str,
                       display_name: str | None = None,
                       organization_id: str = DEFAULT_ORGANIZATION) -> StaffMember:
    name = check_new_account(username, password)
    if not await conn.fetchval("SELECT 1 FROM organizations WHERE id = $1", organization_id):
        raise StaffAccountError(f"organization: no organization {organization_id!r}")
    row = await conn.fetchrow(
        """INSERT INTO staff_accounts (username, display_name, password_hash, organization_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (username) DO NOTHING RETURNING id""",
        name, display_name or name, _hasher.hash(password), organization_id)
    if row is None:
        raise StaffAccountError(f"username: {name!r} already exists")
    return StaffMember(id=str(row["id"]), username=name, display_name=display_name or name,
                       organization_id=organization_id)


async def set_password(conn: asyncpg.Connection | asyncpg.Pool, *, username: str, password: str) -> bool:
    """Set a new password (and lift a lockout); False when there is no such account."""
    check_new_account(username, password)
    result = await conn.execute(
        """UPDATE staff_accounts SET password_hash = $2, failed_attempts = 0, locked_until = NULL
           WHERE username = $1""", username.strip().lower(), _hasher.hash(password))
    return result.endswith(" 1")


async def disable_staff(conn: asyncpg.Connection | asyncpg.Pool, username: str) -> bool:
    result = await conn.execute(
        "UPDATE staff_accounts SET disabled_at = now() WHERE username = $1 AND disabled_at IS NULL",
        username.strip().lower())
    return result.endswith(" 1")


async def authenticate(pool: asyncpg.Pool, username: str, password: str, *, now: dt.datetime) -> StaffMember | None:
    """The staff member for a right username and password; None otherwise (locked and disabled included)."""
    name = username.strip().lower()
    row = await pool.fetchrow(
        """SELECT s.id, s.username, s.display_name, s.password_hash, s.locked_until, s.organization_id,
                  coalesce(s.disabled_at, o.disabled_at) AS disabled_at  -- the account's or its organization's
           FROM staff_accounts s JOIN organizations o ON o.id = s.organization_id WHERE s.username = $1""", name) if USERNAME.match(name) else None
    if row is None:
        _verify(_DUMMY_HASH, password)
        return None
    if row["disabled_at"] is not None or (row["locked_until"] is not None and row["locked_until"] > now):
        return None
    if not _verify(row["password_hash"], password):
        await pool.execute(
            """UPDATE staff_accounts
               SET failed_attempts = failed_attempts + 1,
                   locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3::timestamptz END
               WHERE id = $1""",
            row["id"], MAX_FAILED_ATTEMPTS, now + dt.timedelta(minutes=LOCKOUT_MINUTES))
        return None
    new_hash = _hasher.hash(password) if _hasher.check_needs_rehash(row["password_hash"]) else row["password_hash"]
    await pool.execute(
        "UPDATE staff_accounts SET failed_attempts = 0, locked_until = NULL, password_hash = $2 WHERE id = $1",
        row["id"], new_hash)
    return StaffMember(id=str(row["id"]), username=row["username"], display_name=row["display_name"],
                       organization_id=row["organization_id"])


def _verify(encoded: str, password: str) -> bool:
    try:
        return _hasher.verify(encoded, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
