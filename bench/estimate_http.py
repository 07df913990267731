"""Estimate throughput: the pure engine alone vs the full HTTP path with persistence.

Workload: a commercial PPO (entered by hand: deductible 3,000 with 2,200 remaining, 20 %, OOP max
8,000 with 7,000 remaining) for a full three-level, 12-week estimate: IOP 3 days x 3 h x 12
weeks (36 days), PHP 5 x 6 h x 12 weeks (60 days), inpatient 84 days, with the per-day lines and
the affordability section (sliding fee, payment plans) per level.

1. engine alone: bench/estimate_engine.py's three-level workload, ``estimate_levels`` in a loop;
2. over HTTP: the app under uvicorn on loopback (service.threaded_server.ThreadedServer) with an
   embedded PostgreSQL in a temporary directory; N POST /v1/estimates with C in flight, each
   validated, priced against the fee schedules in force, stored with its audit row, answered 201.

Run: .venv/bin/python bench/estimate_http.py [--requests 400] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from bench import estimate_engine  # noqa: E402

BODY = {
    "as_of": "2026-01-02",
    "start_date": "2026-01-05",
    "manual": {
        "payer_name": "BENCH PPO", "payer_id": "BENCHPPO", "payer_class": "commercial",
        "insurance_type": "commercial_ppo", "plan_begin": "2026-01-01", "active": True,
        "in_network": {
            "deductible_individual": {"total": "3000.00", "remaining": "2200.00"},
            "deductible_family": {"total": "6000.00", "remaining": "5000.00"},
            "oop_max_individual": {"total": "8000.00", "remaining": "7000.00"},
            "coinsurance_percent": "20",
        },
        "heard_from": {"representative_name": "bench"},
    },
    "courses": [
        {"level": "iop", "weeks": 12},
        {"level": "php", "weeks": 12},
        {"level": "inpatient", "length_of_stay_days": 84},
    ],
    "household": {"size": 3, "annual_income": "52000.00", "state": "OH"},
}


async def _key(url: str) -> str:
    from service.access.keys import create_key  # noqa: PLC0415
    from service.access.roles import Role  # noqa: PLC0415

    conn = await asyncpg.connect(url)
    try:
        return (await create_key(conn, name="bench", role=Role.INTAKE)).secret
    finally:
        await conn.close()


async def _drive(base: str, key: str, n: int, concurrency: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    failures = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": key}, timeout=60, limits=limits) as client:
        for _ in range(min(concurrency, 8)):  # warm-up: connections, caches, demo seed
            (await client.post("/v1/estimates", json=BODY)).raise_for_status()

        async def worker() -> None:
            nonlocal failures
            while True:
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                r = await client.post("/v1/estimates", json=BODY)
                latencies.append(time.perf_counter() - t0)
                if r.status_code != 201:
                    failures += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return elapsed, latencies, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    engine = estimate_engine.rate(estimate_engine.THREE, estimate_engine.PPO, seconds=2.0)

    from service.app import create_app  # noqa: PLC0415
    from service.config import load_settings  # noqa: PLC0415
    from service.db.embedded import start_embedded  # noqa: PLC0415
    from service.threaded_server import ThreadedServer  # noqa: PLC0415

    data_dir = Path(tempfile.mkdtemp(prefix="bench-estimate-pg-"))
    embedded = start_embedded(data_dir)
    server = None
    try:
        settings = load_settings({"DATABASE_URL": embedded.url, "LOG_LEVEL": "WARNING", "PORTAL_TOKEN_SECRET": "bench",
                                  "RATE_LIMIT_PER_MINUTE": "10000000", "DB_POOL_MAX": str(max(args.concurrency, 4))})
        server = ThreadedServer(create_app(settings), "127.0.0.1", 0)
        base = server.start(timeout=60)
        key = asyncio.run(_key(embedded.url))
        elapsed, latencies, failures = asyncio.run(_drive(base, key, args.requests, args.concurrency))
    finally:
        if server is not None:
            server.stop()
        embedded.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    http = args.requests / elapsed
    lat = sorted(latencies)
    p50 = statistics.median(lat) * 1000
    p95 = lat[int(0.95 * (len(lat) - 1))] * 1000
    print(f"engine alone, three-level 12-week estimate (180 service days): {engine:,.0f} estimates/s "
          f"({1000 / engine:.2f} ms each)")
    print(f"HTTP + PostgreSQL, same estimate with affordability, {args.requests} requests, "
          f"{args.concurrency} in flight: {http:,.1f} estimates/s; latency p50 {p50:.1f} ms, p95 {p95:.1f} ms"
          + (f"; {failures} failed" if failures else ""))
    print(f"ratio engine / HTTP throughput: {engine / http:.1f}x (one process, one event loop)")


if __name__ == "__main__":
    main()
