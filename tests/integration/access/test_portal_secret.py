"""Portal links survive restarts and secret rotation; a service with a real database refuses to start without
a configured secret instead of inventing one per process."""

from __future__ import annotations

import pytest

from service.access.tokens import PortalTokens
from service.app import create_app
from service.config import ConfigError, load_settings
from tests.integration.access.conftest import bearer


def test_outside_the_embedded_mode_start_up_fails_without_a_portal_secret() -> None:
    with pytest.raises(ConfigError, match="PORTAL_TOKEN_SECRET"):
        create_app(load_settings({"DATABASE_URL": "postgresql://owner@db.example/benefits"}))


def test_a_link_keeps_working_across_a_restart_and_a_rotation(client, headers, make_estimate, second_app) -> None:
    estimate = make_estimate()
    token = client.post(f"/v1/estimates/{estimate}/portal-tokens", headers=headers["intake"]).json()["token"]
    old = client.app.state.settings.portal_token_secret
    with second_app() as restarted:  # same secret, new process: the link still opens
        assert restarted.get("/v1/portal/estimate", headers=bearer(token)).status_code == 200
    with second_app(portal_token_secret="rotated-" + old, portal_token_previous_secrets=(old,)) as rotated:
        assert rotated.get("/v1/portal/estimate", headers=bearer(token)).status_code == 200
        fresh = rotated.post(f"/v1/estimates/{estimate}/portal-tokens", headers=headers["intake"]).json()["token"]
        assert rotated.get("/v1/portal/estimate", headers=bearer(fresh)).status_code == 200
    with second_app(portal_token_secret="rotated-" + old) as retired:  # the old secret retired: its links end
        assert retired.get("/v1/portal/estimate", headers=bearer(token)).status_code == 401
        assert retired.get("/v1/portal/estimate", headers=bearer(fresh)).status_code == 200


def test_new_tokens_are_signed_with_the_current_secret_only() -> None:
    rotating = PortalTokens(["new", "old"], 3600, clock=lambda: 1_000)
    token = rotating.sign("t", "e", 2_000)
    assert PortalTokens("new", 3600, clock=lambda: 1_000).verify(token) is not None
    assert PortalTokens("old", 3600, clock=lambda: 1_000).verify(token) is None


def test_the_embedded_mode_keeps_its_generated_secret_across_restarts(tmp_path) -> None:
    from service.local_secrets import embedded_secrets_file, local_secret

    first = local_secret(embedded_secrets_file(tmp_path / "pgdata"), "portal_token_secret")
    assert first == local_secret(embedded_secrets_file(tmp_path / "pgdata"), "portal_token_secret")
    assert not (tmp_path / "pgdata").exists()  # beside PostgreSQL's data directory, never inside it
