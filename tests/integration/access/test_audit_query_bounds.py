"""The audit query refuses values PostgreSQL cannot hold with a 400 naming the parameter (they were 500s)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after_id": 2**63}, "after_id"),  # past bigint
        ({"patient_key": "pk_a\x00b"}, "patient_key"),  # NUL: no text column can hold it
        ({"since": "0001-01-01T00:00:00+14:00"}, "since"),  # before year 1 in UTC
        ({"until": "9999-12-31T23:59:59-14:00"}, "until"),  # after year 9999 in UTC
    ],
)
def test_out_of_range_audit_filters_are_400(client: Any, headers: dict[str, dict[str, str]],
                                            params: dict[str, Any], field: str) -> None:
    response = client.get("/v1/admin/audit", params=params, headers=headers["admin"])
    assert response.status_code == 400, response.text
    assert field in response.json()["errors"][0]["field"]
