"""Fixtures for the access area: estimate rows for portal tokens, raw connections, a second app."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
import pytest

# Until pricing's estimates migration lands, the portal tests run against this test-only table
# (created only when no estimates table exists). It has the shape portal_view must cope with:
# PHI columns, a raw 271 and the estimate as jsonb.
_TEST_ESTIMATES = """
CREATE TABLE estimates (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    patient_key           text,
    member_id             text,
    subscriber_first_name text,
    subscriber_last_name  text,
    subscriber_dob        date,
    raw_271               text,
    request               jsonb,
    response              jsonb NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now()
);
SELECT access_track_changes('estimates');
"""


@pytest.fixture(scope="session")
def make_estimate(client, db) -> Callable[..., str]:  # noqa: ANN001
    """Insert an estimate row and return its id (test-only table; see _TEST_ESTIMATES)."""
    if db.fetchval("SELECT to_regclass('estimates') IS NULL"):
        db.execute(_TEST_ESTIMATES)
        db.execute("COMMENT ON TABLE estimates IS 'test-only (tests/integration/access/conftest.py)'")
    elif db.fetchval("SELECT obj_description('estimates'::regclass) IS DISTINCT FROM 'test-only (tests/integration/access/conftest.py)'"):
        pytest.skip("pricing's estimates table exists: make_estimate must create rows through its route or schema")

    def make(member_id: str = "XJH123456789", first_name: str = "Ada", patient_key: str | None = None) -> str:
        estimate_id = uuid.uuid4()
        response = {
            "estimate_id": str(estimate_id),
            "benefits_source": "clearinghouse",
            "comparison": {"summary": "IOP is cheapest", "cheapest_patient_pays": "1234.50"},
            "subscriber": {"member_id": member_id, "first_name": first_name},
        }
        db.execute(
            """INSERT INTO estimates (id, patient_key, member_id, subscriber_first_name, subscriber_last_name,
                                      subscriber_dob, raw_271, request, response)
               VALUES ($1, $2, $3, $4, 'Lovelace', '1980-02-03', 'ISA*00*~EB*1*IND~', $5, $6)""",
            estimate_id,
            patient_key or f"pk_test_{estimate_id.hex[:16]}",
            member_id,
            first_name,
            {"subscriber": {"member_id": member_id}},
            response,
        )
        return str(estimate_id)

    return make


@pytest.fixture
def second_app(settings) -> Callable[..., Any]:  # noqa: ANN001
    """Another app instance on the same database (a restart, or a replica with other settings)."""
    from litestar.testing import TestClient  # noqa: PLC0415

    from service.app import create_app  # noqa: PLC0415

    @contextmanager
    def start(**overrides: Any) -> Iterator[Any]:
        app_settings = msgspec.structs.replace(settings, **overrides)
        with TestClient(app=create_app(app_settings), raise_server_exceptions=False) as other:
            yield other

    return start


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
