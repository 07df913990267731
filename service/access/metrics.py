"""Prometheus metrics in the text exposition format (0.0.4), hand-written: no dependency.

``GET /metrics`` is unauthenticated, like /health, and meant for an internal scrape. That is
safe because no label can carry PHI: routes are labelled by their *template*
(``/v1/estimates/{estimate_id:str}``, never the id), payer ids and outcomes are reduced to
``[A-Za-z0-9._-]`` and 64 characters, and each metric keeps at most ``MAX_SERIES`` label sets
(further ones are counted under ``other``) so a caller cannot grow memory without bound.

Other areas call :func:`record_eligibility_outcome` and :func:`record_cache_hit` /
:func:`record_cache_miss`; the middleware records every request. All state is per process.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from litestar import Controller, Response, get
from litestar.types import ASGIApp, Message, Receive, Scope, Send

MAX_SERIES = 500
_LABEL_SAFE = re.compile(r"[^A-Za-z0-9._-]")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

_lock = threading.Lock()


def _clean(value: Any) -> str:
    text = _LABEL_SAFE.sub("_", str(value if value is not None else "none"))[:64]
    return text or "none"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Counter:
    def __init__(self, name: str, help_text: str, labels: tuple[str, ...]) -> None:
        self.name, self.help, self.labels = name, help_text, labels
        self.values: dict[tuple[str, ...], float] = {}

    def _key(self, values: tuple[str, ...]) -> tuple[str, ...]:
        if values not in self.values and len(self.values) >= MAX_SERIES:
            return tuple("other" for _ in self.labels)
        return values

    def inc(self, *values: str, amount: float = 1.0) -> None:
        with _lock:
            key = self._key(values)
            self.values[key] = self.values.get(key, 0.0) + amount

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} counter"]
        for key, value in sorted(self.values.items()):
            lines.append(f"{self.name}{_labels(self.labels, key)} {_num(value)}")
        return lines


class Histogram:
    def __init__(self, name: str, help_text: str, labels: tuple[str, ...], buckets: tuple[float, ...]) -> None:
        self.name, self.help, self.labels, self.buckets = name, help_text, labels, buckets
        self.series: dict[tuple[str, ...], list[float]] = {}  # bucket counts..., +Inf count, sum

    def observe(self, value: float, *values: str) -> None:
        with _lock:
            if values not in self.series and len(self.series) >= MAX_SERIES:
                values = tuple("other" for _ in self.labels)
            row = self.series.setdefault(values, [0.0] * (len(self.buckets) + 2))
            for i, bound in enumerate(self.buckets):
                if value <= bound:
                    row[i] += 1
            row[-2] += 1
            row[-1] += value

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        for key, row in sorted(self.series.items()):
            for i, bound in enumerate(self.buckets):
                lines.append(f"{self.name}_bucket{_labels(self.labels + ('le',), key + (_num(bound),))} {_num(row[i])}")
            lines.append(f"{self.name}_bucket{_labels(self.labels + ('le',), key + ('+Inf',))} {_num(row[-2])}")
            lines.append(f"{self.name}_count{_labels(self.labels, key)} {_num(row[-2])}")
            lines.append(f"{self.name}_sum{_labels(self.labels, key)} {_num(row[-1])}")
        return lines


def _labels(names: tuple[str, ...], values: tuple[str, ...]) -> str:
    if not names:
        return ""
    return "{" + ",".join(f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)) + "}"


def _num(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests by route template, method and status.", ("route", "method", "status"))
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency by route template and method.", ("route", "method"), LATENCY_BUCKETS
)
ELIGIBILITY_OUTCOMES = Counter(
    "eligibility_outcomes_total", "Eligibility check outcomes by payer.", ("payer_id", "outcome")
)
CACHE_LOOKUPS = Counter("cache_lookups_total", "Cache lookups by kind and result (hit or miss).", ("kind", "result"))
RATE_LIMITED = Counter("rate_limited_total", "Requests refused by the per-caller rate limit.", ())
REQUEST_TIMEOUTS = Counter("request_timeouts_total", "Requests cancelled at REQUEST_TIMEOUT_SECONDS.", ())
IDEMPOTENCY = Counter(
    "idempotency_requests_total", "POSTs with an Idempotency-Key by result (new, replayed, reused, in_flight).", ("result",)
)

REGISTRY: list[Counter | Histogram] = [
    HTTP_REQUESTS, HTTP_LATENCY, ELIGIBILITY_OUTCOMES, CACHE_LOOKUPS, RATE_LIMITED, REQUEST_TIMEOUTS, IDEMPOTENCY,
]


def record_eligibility_outcome(payer_id: str | None, outcome: str) -> None:
    """Count one eligibility check result, e.g. ("00430", "active") or ("MEDICARE", "timeout")."""
    ELIGIBILITY_OUTCOMES.inc(_clean(payer_id), _clean(outcome))


def record_cache_hit(kind: str) -> None:
    """Count one cache hit, e.g. record_cache_hit("eligibility")."""
    CACHE_LOOKUPS.inc(_clean(kind), "hit")


def record_cache_miss(kind: str) -> None:
    CACHE_LOOKUPS.inc(_clean(kind), "miss")


def render() -> str:
    with _lock:
        lines: list[str] = []
        for metric in REGISTRY:
            lines.extend(metric.render())
    return "\n".join(lines) + "\n"


class MetricsMiddleware:
    """Counts and times every routed request (unmatched paths never reach route middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = {"code": 500}
        started = time.perf_counter()

        async def send_counting(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counting)
        finally:
            route = scope.get("path_template") or "unmatched"
            method = scope.get("method", "")
            HTTP_REQUESTS.inc(route, method, str(status["code"]))
            HTTP_LATENCY.observe(time.perf_counter() - started, route, method)


class MetricsController(Controller):
    path = ""
    tags = ["operations"]

    @get("/metrics", operation_id="getMetrics", summary="Prometheus metrics (no PHI)", include_in_schema=False)
    async def metrics(self) -> Response[str]:
        return Response(render(), media_type="text/plain; version=0.0.4; charset=utf-8")
