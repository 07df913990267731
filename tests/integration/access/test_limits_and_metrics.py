"""Rate limit (429 + Retry-After) on a second app instance with a low limit; /metrics."""

from __future__ import annotations

import time

from prometheus_client.parser import text_string_to_metric_families

from service.access.keys import create_key
from service.access.roles import Role


def test_rate_limit_per_api_key(second_app, api_keys, client) -> None:  # noqa: ANN001
    # a key of its own: the count is shared by every app on the database, and other tests use the session's keys
    fresh, other = (client.blocking_portal.call(lambda r=role: create_key(client.app.state.pool, name="rate limited",
                                                                          role=r)) for role in (Role.ADMIN, Role.BILLING))
    with second_app(rate_limit_per_minute=3) as limited:
        admin = {"X-API-Key": fresh.secret}
        # the limit counts per calendar minute: four requests across a minute's turn would be two windows
        if (to_next_minute := 60 - time.time() % 60) < 5:
            time.sleep(to_next_minute + 0.1)
        assert [limited.get("/v1/admin/keys", headers=admin).status_code for _ in range(3)] == [200, 200, 200]
        refused = limited.get("/v1/admin/keys", headers=admin)
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"].endswith("/rate-limited")
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["retry_after_seconds"] == int(refused.headers["retry-after"])
        assert refused.headers["x-request-id"]
        # another key has its own bucket; probes are not limited
        assert limited.get("/v1/billing/estimates", headers={"X-API-Key": other.secret}).status_code == 200
        assert limited.get("/health").status_code == 200


def test_metrics_are_prometheus_text_without_phi(client, headers, db) -> None:
    from service.access.metrics import record_cache_hit, record_eligibility_outcome  # noqa: PLC0415

    client.get("/v1/admin/keys", headers=headers["admin"])
    client.get("/v1/admin/keys/does-not-exist-XJH123456789", headers=headers["admin"])
    record_eligibility_outcome("DEMO PPO/1", "active")
    record_cache_hit("eligibility")
    response = client.get("/metrics")  # unauthenticated by design
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    text = response.text
    samples = {(s.name, tuple(sorted(s.labels.items()))) for f in text_string_to_metric_families(text) for s in f.samples}
    p = "benefits_estimator_"
    assert (p + "http_requests_total", (("method", "GET"), ("route", "/v1/admin/keys"), ("status", "200"))) in samples
    assert (p + "http_request_duration_seconds_bucket",
            (("le", "+Inf"), ("method", "GET"), ("route", "/v1/admin/keys"))) in samples
    assert (p + "eligibility_checks_total", (("outcome", "active"), ("payer_id", "DEMO_PPO_1"))) in samples
    assert (p + "cache_lookups_total", (("kind", "eligibility"), ("result", "hit"))) in samples
    assert "XJH123456789" not in text  # route templates, never concrete paths
    assert "# TYPE " + p + "http_requests_total counter" in text
