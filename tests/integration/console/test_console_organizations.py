"""The console acts for the signed-in staff member's organization: another organization's estimate is not there."""

from __future__ import annotations

import secrets
from typing import Any

from service.console.staff import create_staff
from tests.integration.console.conftest import PASSWORD, csrf_of, sign_in
from tests.integration.eligibility.helpers import body_for


def _sign_in(client: Any, username: str) -> str:
    """Sign in as ``username``; the CSRF token of the console page the session then sees."""
    sign_in(client, username)
    return csrf_of(client.get("/console").text)


def test_staff_reach_only_their_own_organizations_estimates(client, new_organization, staff_username,  # noqa: ANN001
                                                            db) -> None:
    org, keys = new_organization("console-b")
    check = client.post("/v1/eligibility/checks", json=body_for("PPO-FAM-006"), headers=keys["intake"]).json()
    estimate_id = client.post("/v1/estimates", json={"eligibility_check_id": check["id"], "levels": ["iop"]},
                              headers=keys["intake"]).json()["estimate_id"]
    b_staff = f"staffb{secrets.token_hex(3)}"
    client.blocking_portal.call(lambda: create_staff(client.app.state.pool, username=b_staff, password=PASSWORD,
                                                     organization_id=org))
    try:
        csrf = _sign_in(client, staff_username)  # a staff member of the default organization
        for path in ("/console/portal-link", "/console/good-faith-estimate"):
            answer = client.post(path, data={"csrf_token": csrf, "estimate_id": estimate_id, "level": "iop"})
            assert answer.status_code == 404, (path, answer.status_code)
        probe = db.fetchrow("SELECT outcome, organization_id FROM audit_log WHERE action = 'estimate.read' "
                            "AND resource_id = $1 ORDER BY id DESC LIMIT 1", estimate_id)
        assert dict(probe) == {"outcome": "not_found", "organization_id": "default"}

        csrf = _sign_in(client, b_staff)  # B's own staff member gets the link
        linked = client.post("/console/portal-link", data={"csrf_token": csrf, "estimate_id": estimate_id})
        assert linked.status_code == 200 and "/portal#token=" in linked.text
    finally:
        client.cookies.clear()
