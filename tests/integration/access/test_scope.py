"""How far a key reaches: intake staff revoke only the portal links they issued."""

from __future__ import annotations

from service.access.keys import create_key
from service.access.roles import Role


def test_an_intake_key_revokes_only_the_portal_tokens_it_issued(client, headers, make_estimate) -> None:
    pool = client.app.state.pool
    colleague = {"X-API-Key": client.blocking_portal.call(
        lambda: create_key(pool, name="another desk", role=Role.INTAKE)).secret}
    issued = client.post(f"/v1/estimates/{make_estimate()}/portal-tokens", headers=headers["intake"]).json()
    refused = client.delete(f"/v1/portal-tokens/{issued['id']}", headers=colleague)
    assert refused.status_code == 404  # not revealed as someone else's
    assert client.delete(f"/v1/portal-tokens/{issued['id']}", headers=headers["intake"]).status_code == 204

    other = client.post(f"/v1/estimates/{make_estimate()}/portal-tokens", headers=headers["intake"]).json()
    assert client.delete(f"/v1/portal-tokens/{other['id']}", headers=headers["admin"]).status_code == 204
