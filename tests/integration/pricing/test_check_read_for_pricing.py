"""An estimate from a stored check reads the check in one statement that acts for the caller's organization
(migration 0993): another organization's check is not found."""

from __future__ import annotations

import pytest

from tests.integration.access.conftest import records_of

pytestmark = pytest.mark.integration


def test_an_estimate_prices_from_its_own_organizations_check_only(client, new_organization) -> None:  # noqa: ANN001
    _owner, owner_keys = new_organization("checks")
    _other, other_keys = new_organization("prices")
    check_id = records_of(client, owner_keys)["check"]  # the owner priced from it: 201
    body = {"eligibility_check_id": check_id, "levels": ["iop"]}

    refused = client.post("/v1/estimates", json=body, headers=other_keys["intake"])
    assert refused.status_code == 404, refused.text
    assert refused.json()["errors"][0]["field"] == "$.eligibility_check_id"

    made = client.post("/v1/estimates", json=body, headers=owner_keys["intake"])
    assert made.status_code == 201, made.text
    assert made.json()["benefits_source"] == "eligibility_check"
