"""/metrics parsed with prometheus_client's own parser: naming, zero-initialized series, and the
clearinghouse, circuit breaker, database pool and process families."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.integration.eligibility.helpers import fresh_dos

P = "benefits_estimator_"
STANDARD = ("process_", "python_")  # prometheus_client's process and runtime families keep their usual names


def _families(client: Any) -> dict[str, Any]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def _value(family: Any, suffix: str = "", **labels: str) -> float | None:
    for sample in family.samples:
        if sample.name == family.name + suffix and all(sample.labels.get(k) == v for k, v in labels.items()):
            return sample.value
    return None


def test_names_follow_prometheus_conventions(client: Any) -> None:
    families = _families(client)
    for name, family in families.items():
        assert name.startswith(P) or name.startswith(STANDARD), name
        assert family.documentation, name
        if family.type == "counter":
            assert any(s.name == name + "_total" for s in family.samples) or not family.samples, name
        if family.type == "histogram":
            assert name.endswith("_seconds"), name  # base unit in the name
    for required in ("process_cpu_seconds", "process_resident_memory_bytes", "process_open_fds", "python_info"):
        assert required in families, required


def test_series_known_in_advance_start_at_zero(settings: Any) -> None:
    from litestar.testing import TestClient  # noqa: PLC0415

    from service.app import create_app  # noqa: PLC0415

    with TestClient(app=create_app(settings)) as fresh:  # its first request is the scrape
        families = _families(fresh)
    assert _value(families[P + "rate_limited_requests"], "_total") is not None
    assert _value(families[P + "request_timeouts"], "_total") is not None
    for result in ("new", "replayed", "reused", "in_flight"):
        assert _value(families[P + "idempotency_requests"], "_total", result=result) is not None
    for result in ("hit", "miss"):
        assert _value(families[P + "cache_lookups"], "_total", kind="eligibility", result=result) is not None
    latency = families[P + "http_request_duration_seconds"]
    assert _value(latency, "_count", route="/v1/estimates", method="POST") is not None  # a route not yet called


def test_clearinghouse_breaker_and_pool_families(client: Any, headers: dict[str, dict[str, str]]) -> None:
    body = {
        # a date no other test asks about (a hand-written one made a later first check of this member a reuse)
        "payer_id": "SBMCD", "date_of_service": fresh_dos(),
        "subscriber": {"first_name": "DIEGO", "last_name": "RAMIREZ", "date_of_birth": "1990-05-30",
                       "member_id": "MCD-FFS-004"},
    }
    before = _value(_families(client)[P + "clearinghouse_request_duration_seconds"], "_count",
                    payer_id="SBMCD", outcome="ok") or 0.0
    response = client.post("/v1/eligibility/checks?refresh=true", json=body, headers=headers["intake"])
    assert response.status_code == 201, response.text
    families = _families(client)
    latency = families[P + "clearinghouse_request_duration_seconds"]
    assert latency.type == "histogram"
    assert _value(latency, "_count", payer_id="SBMCD", outcome="ok") == before + 1
    assert _value(latency, "_sum", payer_id="SBMCD", outcome="ok") > 0

    down = {**body, "payer_id": "SBMETRICS",
            "subscriber": {**body["subscriber"], "member_id": "ERR-DOWN-042"}}  # the payer cannot answer: 503
    assert client.post("/v1/eligibility/checks", json=down, headers=headers["intake"]).status_code == 503
    families = _families(client)
    breaker = families[P + "circuit_breaker_state"]
    states = {s.labels["state"]: s.value for s in breaker.samples if s.labels["payer_id"] == "SBMETRICS"}
    # one failure on record, below BREAKER_FAILURE_THRESHOLD: still closed
    assert states == {"closed": 1.0, "half_open": 0.0, "open": 0.0}
    failed = _value(families[P + "clearinghouse_request_duration_seconds"], "_count", payer_id="SBMETRICS",
                    outcome="payer-unavailable")
    assert failed == 1.0

    pool = families[P + "db_pool_connections"]
    idle, in_use = _value(pool, state="idle"), _value(pool, state="in_use")
    assert idle is not None and in_use is not None and idle + in_use >= 1
    assert _value(families[P + "db_pool_max_connections"]) == client.app.state.settings.db_pool_max
