"""Rate limit (429 + Retry-After) on a second app instance with a low limit; /metrics."""

from __future__ import annotations

import re


def test_rate_limit_per_api_key(second_app, api_keys) -> None:
    with second_app(rate_limit_per_minute=3) as limited:
        admin = {"X-API-Key": api_keys["admin"]}
        assert [limited.get("/v1/admin/keys", headers=admin).status_code for _ in range(3)] == [200, 200, 200]
        refused = limited.get("/v1/admin/keys", headers=admin)
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"].endswith("/rate-limited")
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["retry_after_seconds"] == int(refused.headers["retry-after"])
        assert refused.headers["x-request-id"]
        # another key has its own bucket; probes are not limited
        assert limited.get("/v1/billing/estimates", headers={"X-API-Key": api_keys["billing"]}).status_code == 200
        assert limited.get("/health").status_code == 200


def test_metrics_are_prometheus_text_without_phi(client, headers, db) -> None:
    from service.access.metrics import record_cache_hit, record_eligibility_outcome  # noqa: PLC0415

    client.get("/v1/admin/keys", headers=headers["admin"])
    client.get("/v1/admin/keys/does-not-exist-XJH123456789", headers=headers["admin"])
    record_eligibility_outcome("DEMO PPO/1", "active")
    record_cache_hit("eligibility")
    response = client.get("/metrics")  # unauthenticated by design
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert re.search(r'http_requests_total\{route="/v1/admin/keys",method="GET",status="200"\} \d+', text)
    assert 'http_request_duration_seconds_bucket{route="/v1/admin/keys",method="GET",le="+Inf"}' in text
    assert 'eligibility_outcomes_total{payer_id="DEMO_PPO_1",outcome="active"}' in text
    assert 'cache_lookups_total{kind="eligibility",result="hit"}' in text
    assert "XJH123456789" not in text  # route templates, never concrete paths
    assert "# TYPE http_requests_total counter" in text
