"""Load: 1,000 eligibility checks against the sandbox at 100 ms latency, 50 at a time.

Path measured: the service's own code below the HTTP layer - ``service.eligibility.service.create_check``
(270 build, cache lookup in PostgreSQL, control number from a sequence, httpx POST to the sandbox
clearinghouse running under uvicorn on a loopback port, 271 read + normalize, insert + audit row
in one transaction). Not measured: the litestar routing / JSON encoding of the response.

Floor: 1,000 checks / 50 at a time = 20 rounds x 100 ms sandbox latency = 2.0 s. The ratio to
the floor is the overhead factor of everything that is ours.

Usage: .venv/bin/python bench/eligibility_load.py [--checks 1000] [--concurrency 50] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contracts.eligibility import EligibilityCheckRequest, SubscriberIn  # noqa: E402
from service.access.roles import Caller, Role  # noqa: E402
from service.config import load_settings  # noqa: E402
from service.db.embedded import start_embedded  # noqa: E402
from service.db.pool import create_pool, migrate_url  # noqa: E402
from service.eligibility.wires import client_from_settings  # noqa: E402
from service.eligibility.sandbox.app import create_sandbox_app  # noqa: E402
from service.eligibility.sandbox.roster import ROSTER  # noqa: E402
from service.eligibility.service import Context, create_check, gate_from_settings  # noqa: E402
from service.logging import configure_logging  # noqa: E402
from service.threaded_server import ThreadedServer  # noqa: E402


def requests(n: int, year: int) -> list[EligibilityCheckRequest]:
    members = list(ROSTER.values())
    out = []
    for i in range(n):
        m = members[i % len(members)]
        # a distinct date of service per check so none is answered from the cache
        dos = dt.date(year, 1, 1) + dt.timedelta(days=i // len(members) % 365)
        out.append(EligibilityCheckRequest(
            payer_id=m.payer_id, payer_name=m.payer_name, date_of_service=dos,
            subscriber=SubscriberIn(first_name=m.first_name, last_name=m.last_name,
                                    date_of_birth=m.date_of_birth, member_id=m.member_id),
        ))
    return out


class SandboxProcess:
    """The sandbox under uvicorn in its own process, so it does not share the service's CPU and GIL
    (a real clearinghouse never does)."""

    def __init__(self, latency_ms: int) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        code = (
            "import uvicorn; from service.eligibility.sandbox.app import create_sandbox_app; "
            f"uvicorn.run(create_sandbox_app(latency_ms={latency_ms}), host='127.0.0.1', port={self.port}, "
            "log_level='warning', access_log=False)"
        )
        self._proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return self.base_url
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("sandbox process did not start")

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=10)


async def run(checks: int, concurrency: int, latency_ms: int, *, sandbox_in_process: bool) -> float:
    configure_logging("WARNING", "json")
    settings = load_settings({"LOG_LEVEL": "WARNING"})
    pg = start_embedded(Path(tempfile.mkdtemp(prefix="bench-elig-pg-")))
    sandbox = (ThreadedServer(create_sandbox_app(latency_ms=latency_ms)) if sandbox_in_process
               else SandboxProcess(latency_ms))
    try:
        await migrate_url(pg.url)
        pool = await create_pool(pg.url, min_size=settings.db_pool_min, max_size=settings.db_pool_max)
        sandbox.start()
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100, max_keepalive_connections=50)) as http:
            client = client_from_settings(http, sandbox.base_url, settings)
            ctx = Context(pool=pool, settings=settings, client=client, gate=gate_from_settings(pool, settings),
                          caller=Caller(actor_id="bench", actor_name="bench", role=Role.INTAKE))
            gate = asyncio.Semaphore(concurrency)
            latencies: list[float] = []
            statuses: dict[str, int] = {}

            async def one(req: EligibilityCheckRequest) -> None:
                async with gate:
                    t0 = time.perf_counter()
                    check, created = await create_check(ctx, req)
                    latencies.append(time.perf_counter() - t0)
                    assert created and not check.from_cache
                    statuses[check.status] = statuses.get(check.status, 0) + 1

            await asyncio.gather(*(one(r) for r in requests(concurrency, year=2025)))  # warm-up
            latencies.clear()
            statuses.clear()
            started = time.perf_counter()
            await asyncio.gather(*(one(r) for r in requests(checks, year=2026)))
            total = time.perf_counter() - started
        stored = await pool.fetchval("SELECT count(*) FROM eligibility_checks")
        audited = await pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'eligibility.create'")
        await pool.close()
    finally:
        sandbox.stop()
        pg.stop()

    floor = (checks / concurrency) * latency_ms / 1000
    q = statistics.quantiles(latencies, n=100)
    where = "a thread of this process" if sandbox_in_process else "its own process"
    print(f"eligibility checks      : {checks} ({concurrency} at a time, sandbox latency {latency_ms} ms, sandbox in {where})")
    print("path                    : service.create_check -> httpx -> sandbox (uvicorn, loopback) -> 271 -> normalize -> PostgreSQL")
    print(f"outcomes                : {statuses}; rows stored {stored}, audit rows {audited} (incl. {concurrency} warm-up)")
    print(f"total                   : {total:.3f} s")
    print(f"throughput              : {checks / total:.1f} checks/s")
    print(f"latency p50 / p95 / max : {q[49] * 1000:.1f} / {q[94] * 1000:.1f} / {max(latencies) * 1000:.1f} ms")
    print(f"floor                   : {floor:.2f} s ({checks // concurrency} rounds x {latency_ms} ms)")
    print(f"ratio to floor          : {total / floor:.2f}x")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()
    separate = asyncio.run(run(args.checks, args.concurrency, args.latency_ms, sandbox_in_process=False))
    print()
    shared = asyncio.run(run(args.checks, args.concurrency, args.latency_ms, sandbox_in_process=True))
    print()
    print(f"sandbox in its own process is {shared / separate:.2f}x faster than sharing this process's CPU")


if __name__ == "__main__":
    main()
