"""Fixtures for the access area: estimate rows for portal tokens, raw connections, a second app."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
import pytest

from tests.integration.eligibility.helpers import body_for


def records_of(client: Any, keys: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A check (a sandbox member), an estimate from it and a portal token for it, made with an organization's
    ``keys``: {"check": id, "estimate": id, "token": {"id": ..., "token": ...}}."""
    check = client.post("/v1/eligibility/checks", json=body_for("PPO-FAM-006"), headers=keys["intake"])
    assert check.status_code == 201, check.text
    estimate = client.post("/v1/estimates", json={"eligibility_check_id": check.json()["id"], "levels": ["iop"]},
                           headers=keys["intake"])
    assert estimate.status_code == 201, estimate.text
    estimate_id = estimate.json()["estimate_id"]
    token = client.post(f"/v1/estimates/{estimate_id}/portal-tokens", headers=keys["intake"])
    assert token.status_code == 201, token.text
    return {"check": check.json()["id"], "estimate": estimate_id, "token": token.json()}

@pytest.fixture(scope="session")
def make_estimate(client, db) -> Callable[..., str]:  # noqa: ANN001
    """Insert an estimate row (schema of 0200_pricing.sql) with PHI the portal must not show."""

    def make(member_id: str = "XJH123456789", first_name: str = "Ada", patient_key: str | None = None) -> str:
        estimate_id = uuid.uuid4()
        request = {
            "x12_271": "ISA*00*          *00*~EB*1*IND~",
            "patient": {"first_name": first_name, "last_name": "Lovelace", "date_of_birth": "1980-02-03",
                        "member_id": member_id},
        }
        response = {
            "estimate_id": str(estimate_id),
            "benefits_source": "x12_271",
            "comparison": {
                "summary": "IOP is cheapest", "estimates": [],
                "figures": {"rate_table_version": "demo-2026-01", "rate_table_effective": "2026-01-01"},
            },
            "disclaimer": "This is an estimate.",
        }
        db.execute(
            """INSERT INTO estimates (id, created_by, patient_key, patient_first_name, patient_last_name, patient_dob,
                                      benefits_source, as_of, request, benefits, rates, rate_version_ids, figures,
                                      response, request_hash)
               VALUES ($1, 'test', $2, $3, 'Lovelace', '1980-02-03', 'x12_271', '2025-01-06', $4, $5, '{}', '{}',
                       $7, $6, 'test')""",
            estimate_id,
            patient_key or f"pk_test_{estimate_id.hex[:16]}",
            first_name,
            request,
            {"source": "posted_271", "active": True, "payer_class": "commercial", "payer_name": "DEMO PPO",
             "plan_name": "GOLD 1000"},
            response,
            {"rate_table_version": "demo-2026-01", "rate_table_effective": "2026-01-01"},
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
