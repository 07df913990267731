"""Prometheus metrics (``prometheus_client``), every family named ``benefits_estimator_*``.

``GET /metrics`` is unauthenticated, like /health, and meant for an internal scrape. That is
safe because no label can carry PHI: routes are labelled by their *template*
(``/v1/estimates/{estimate_id:str}``, never the id), payer ids and outcomes are reduced to
``[A-Za-z0-9._-]`` and 64 characters, and each family keeps at most ``MAX_SERIES`` label sets
(further ones are counted under ``other``) so a caller cannot grow memory without bound.

Families (Prometheus naming: unit suffix, ``_total`` for counters, base units):

- HTTP: ``http_requests_total{route,method,status}``, ``http_request_duration_seconds{route,method}``
  (every route and method is present at zero from start-up);
- eligibility: ``eligibility_checks_total{payer_id,outcome}``, ``cache_lookups_total{kind,result}``,
  ``clearinghouse_request_duration_seconds{payer_id,outcome}`` (one 270/271 exchange with its retries);
- protection: ``rate_limited_requests_total``, ``request_timeouts_total``, ``idempotency_requests_total{result}``;
- read at scrape time from the app: ``circuit_breaker_state{payer_id,state}`` (1 for the current state of each
  payer with failures on record, from the breakers every replica shares), ``db_pool_connections{state}``
  (idle / in_use) and ``db_pool_max_connections``;
- the process: prometheus_client's standard ``process_*`` (CPU, memory, open files) and ``python_*``
  (GC, version) families, unprefixed as every Prometheus exporter names them.

Counters without labels, and the label sets known in advance (cache kinds, idempotency results,
routes), start at zero so ``rate()`` and alerts see them before the first event. All values are
per process: with several workers, scrape each (or aggregate in Prometheus).
"""

from __future__ import annotations

import re
import threading
import time
from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from litestar import Controller, Litestar, Request, Response, get
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

PREFIX = "benefits_estimator"
MAX_SERIES = 500
_LABEL_SAFE = re.compile(r"[^A-Za-z0-9._-]")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BREAKER_STATES = ("closed", "half_open", "open")

#: This module's metrics, apart from the process-wide default registry other libraries may use.
REGISTRY = CollectorRegistry(auto_describe=True)
for _standard in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(_standard)

_lock = threading.Lock()
_series: dict[str, set[tuple[str, ...]]] = {}


def _clean(value: Any) -> str:
    text = _LABEL_SAFE.sub("_", str(value if value is not None else "none"))[:64]
    return text or "none"


#: (family, label values) -> the labelled child: a request's counter and histogram without a lock and a lookup in
#: prometheus_client each time (bounded like the series: MAX_SERIES label sets per family, then "other").
_children: dict[tuple[str, tuple[str, ...]], Any] = {}


def _bounded(metric: Counter | Histogram, *values: str) -> Any:
    """``metric.labels(*values)``, or the ``other`` series once the family holds MAX_SERIES label sets."""
    name = metric._name  # noqa: SLF001 - the family's name, to keep one set of label tuples per family
    child = _children.get((name, values))
    if child is not None:
        return child
    with _lock:
        seen = _series.setdefault(name, set())
        if values not in seen:
            if len(seen) >= MAX_SERIES:
                values = tuple("other" for _ in values)
            seen.add(values)
    child = metric.labels(*values)
    if values != tuple("other" for _ in values):
        _children[(name, values)] = child
    return child


class HttpCollector(Collector):
    """``http_requests_total`` and ``http_request_duration_seconds``, counted in plain dicts.

    Every request is counted and timed, so this is the hot path: prometheus_client's Counter.inc and
    Histogram.observe take a lock per value (four per request, about 10 us together); here a request costs two
    dict look-ups, a bisect and three additions. The families, labels, buckets and ``_created`` samples are the
    ones prometheus_client would expose. Requests are counted on the event loop's thread and scraped there too
    (``render`` runs in a handler), so no lock is needed; the series are bounded like every family (MAX_SERIES
    label sets, then ``other``)."""

    REQUESTS = f"{PREFIX}_http_requests"
    LATENCY = f"{PREFIX}_http_request_duration_seconds"
    _BOUNDS = (*LATENCY_BUCKETS, float("inf"))

    def __init__(self) -> None:
        #: (route, method, status) -> [count, created]
        self.requests: dict[tuple[str, str, int], list[float]] = {}
        #: (route, method) -> [count per bucket (not cumulative)..., sum, created]
        self.latency: dict[tuple[str, str], list[float]] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        counted = self.requests.get((route, method, status))
        if counted is None:
            counted = self._series(self.requests, (route, method, status), [0, time.time()])
        counted[0] += 1
        timed = self.latency.get((route, method))
        if timed is None:
            timed = self.zero_latency(route, method)
        timed[bisect_left(self._BOUNDS, seconds)] += 1
        timed[-2] += seconds

    def zero_latency(self, route: str, method: str) -> list[float]:
        return self._series(self.latency, (route, method), [0] * len(self._BOUNDS) + [0.0, time.time()])

    @staticmethod
    def _series(family: dict[Any, list[float]], labels: tuple[Any, ...], zero: list[float]) -> list[float]:
        if len(family) >= MAX_SERIES:
            labels = tuple("other" for _ in labels)
        return family.setdefault(labels, zero)

    def collect(self) -> Iterator[Any]:
        requests = CounterMetricFamily(self.REQUESTS, "HTTP requests by route template, method and status.",
                                       labels=("route", "method", "status"))
        for (route, method, status), (count, created) in list(self.requests.items()):
            requests.add_metric((route, method, str(status)), float(count), created=created)
        yield requests
        latency = HistogramMetricFamily(self.LATENCY, "HTTP request latency by route template and method.",
                                        labels=("route", "method"))
        created_samples = []
        for labels, timed in list(self.latency.items()):
            cumulative = list(accumulate(timed[: len(self._BOUNDS)]))
            latency.add_metric(labels, [(floatToGoString(b), float(n)) for b, n in zip(self._BOUNDS, cumulative)],
                               timed[-2])
            created_samples.append((labels, timed[-1]))
        for (route, method), created in created_samples:
            latency.add_sample(self.LATENCY + "_created", {"route": route, "method": method}, created)
        yield latency


HTTP = HttpCollector()
REGISTRY.register(HTTP)
ELIGIBILITY_CHECKS = Counter(
    "eligibility_checks", "Eligibility checks answered by the payer, by payer and outcome.", ("payer_id", "outcome"),
    namespace=PREFIX, registry=REGISTRY,
)
CACHE_LOOKUPS = Counter(
    "cache_lookups", "Cache lookups by kind and result (hit or miss).", ("kind", "result"),
    namespace=PREFIX, registry=REGISTRY,
)
CLEARINGHOUSE_LATENCY = Histogram(
    "clearinghouse_request_duration_seconds",
    "One 270/271 exchange with the clearinghouse (retries included), by payer and outcome.",
    ("payer_id", "outcome"), namespace=PREFIX, buckets=LATENCY_BUCKETS, registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "rate_limited_requests", "Requests refused by the per-caller rate limit.", namespace=PREFIX, registry=REGISTRY,
)
REQUEST_TIMEOUTS = Counter(
    "request_timeouts", "Requests cancelled at REQUEST_TIMEOUT_SECONDS.", namespace=PREFIX, registry=REGISTRY,
)
IDEMPOTENCY = Counter(
    "idempotency_requests", "POSTs with an Idempotency-Key by result (new, replayed, reused, in_flight).",
    ("result",), namespace=PREFIX, registry=REGISTRY,
)

for _kind, _result in (("eligibility", "hit"), ("eligibility", "miss")):
    _bounded(CACHE_LOOKUPS, _kind, _result)
for _result in ("new", "replayed", "reused", "in_flight"):
    _bounded(IDEMPOTENCY, _result)


def record_eligibility_outcome(payer_id: str | None, outcome: str) -> None:
    """Count one eligibility check result, e.g. ("00430", "active") or ("MEDICARE", "timeout")."""
    _bounded(ELIGIBILITY_CHECKS, _clean(payer_id), _clean(outcome)).inc()


#: kind -> its labelled hit counter (a cached check's every answer counts one: no label cleaning each time).
_HITS: dict[str, Any] = {}


def record_cache_hit(kind: str) -> None:
    """Count one cache hit, e.g. record_cache_hit("eligibility")."""
    counter = _HITS.get(kind)
    if counter is None:
        counter = _HITS[kind] = _bounded(CACHE_LOOKUPS, _clean(kind), "hit")
    counter.inc()


def record_cache_miss(kind: str) -> None:
    _bounded(CACHE_LOOKUPS, _clean(kind), "miss").inc()


def record_clearinghouse_exchange(payer_id: str | None, outcome: str, seconds: float) -> None:
    """Time one exchange with the clearinghouse, e.g. ("SBPPO", "ok", 0.12) or ("SBPPO", "payer-timeout", 15.0)."""
    _bounded(CLEARINGHOUSE_LATENCY, _clean(payer_id), _clean(outcome)).observe(seconds)


def record_idempotency(result: str) -> None:
    _bounded(IDEMPOTENCY, _clean(result)).inc()


def initialize_routes(app: Litestar) -> None:
    """Every route template and method at zero (latency histogram) from start-up."""
    for route in app.routes:
        for method in sorted(getattr(route, "methods", ()) or ()):
            if method not in ("HEAD", "OPTIONS"):
                HTTP.zero_latency(route.path, method)


class AppCollector(Collector):
    """Families read from one app at scrape time: the payers' circuit breakers and the database pool."""

    def __init__(self, state: Any, breaker_states: dict[str, str]) -> None:
        self.state = state
        self.breaker_states = breaker_states

    def collect(self) -> Iterator[GaugeMetricFamily]:
        breaker_state = GaugeMetricFamily(
            f"{PREFIX}_circuit_breaker_state",
            "Circuit breaker of each payer with failures on record: 1 for its current state (closed, half_open, "
            "open), else 0. A payer without failures has no series (its circuit is closed).",
            labels=("payer_id", "state"),
        )
        for payer_id, current in sorted(self.breaker_states.items())[:MAX_SERIES]:
            for state in BREAKER_STATES:
                breaker_state.add_metric((_clean(payer_id), state), 1.0 if current == state else 0.0)
        yield breaker_state

        connections = GaugeMetricFamily(
            f"{PREFIX}_db_pool_connections", "Connections in the database pool by state (idle, in_use).",
            labels=("state",),
        )
        maximum = GaugeMetricFamily(f"{PREFIX}_db_pool_max_connections", "Largest size of the database pool (DB_POOL_MAX).")
        pool = self.state.get("pool")
        size, idle = (pool.get_size(), pool.get_idle_size()) if pool is not None else (0, 0)
        connections.add_metric(("idle",), float(idle))
        connections.add_metric(("in_use",), float(size - idle))
        maximum.add_metric((), float(pool.get_max_size() if pool is not None else 0))
        yield connections
        yield maximum


async def _breaker_states(state: Any) -> dict[str, str]:
    """The shared breakers' states (a PostgreSQL table every replica writes), once eligibility has a payer gate."""
    gate = state.get("payer_gate")
    if gate is None:
        return {}
    try:
        return await gate.breakers.states()
    except Exception:  # noqa: BLE001 - a scrape must answer while the database is down; the pool gauges say so
        return {}


async def render(state: Any) -> bytes:
    """The exposition text: this process's metrics, then the app's breakers and pool."""
    app_registry = CollectorRegistry(auto_describe=False)
    app_registry.register(AppCollector(state, await _breaker_states(state)))
    return generate_latest(REGISTRY) + generate_latest(app_registry)


#: Count and time one routed request: (route template, method, status, seconds). service/route_layer.py calls it;
#: unmatched paths are not counted.
observe_request = HTTP.observe


class MetricsController(Controller):
    path = ""
    tags = ["operations"]

    @get("/metrics", operation_id="getMetrics", summary="Prometheus metrics (no PHI)", include_in_schema=False)
    async def metrics(self, request: Request) -> Response[bytes]:
        return Response(await render(request.app.state), media_type=CONTENT_TYPE_LATEST)
