"""Request bodies for the sandbox members (see service/eligibility/sandbox/roster.py)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from service.eligibility.sandbox.roster import ROSTER

_dates = itertools.count()


def fresh_dos() -> str:
    """A date of service no other test used (the session shares one database and cache)."""
    return (dt.date(2026, 1, 2) + dt.timedelta(days=next(_dates) % 360)).isoformat()


def body_for(member_id: str, *, payer_id: str | None = None, dos: str | None = None, **changes: Any) -> dict:
    m = ROSTER.get(member_id)
    subscriber = {
        "first_name": m.first_name if m else "ALEX",
        "last_name": m.last_name if m else "TESTER",
        "date_of_birth": m.date_of_birth.isoformat() if m else "1980-01-01",
        "member_id": member_id,
    }
    subscriber.update(changes.pop("subscriber", {}))
    body = {
        "payer_id": payer_id or (m.payer_id if m else "SBPPO"),
        "payer_name": m.payer_name if m else "SANDBOX PAYER",
        "subscriber": subscriber,
        "date_of_service": dos or fresh_dos(),
    }
    body.update(changes)
    return body


def level(benefits: dict, name: str, network: str = "in") -> dict:
    return next(lv for lv in benefits["levels"] if lv["level"] == name and lv["network"] == network)
