"""Work per request, in-process: CPU time and database round trips of issue 13's three requests, no server.

bench/service_speed.py measures throughput under wrk, which on a shared, loaded machine mostly measures the other
work. This script calls the ASGI apps directly in one process and counts what each request costs this process:
CPU time (``time.process_time``, which other processes' load does not inflate) and PostgreSQL round trips
(statements and transaction commands sent by asyncpg). Baseline in the same run: the Litestar hello-world of
bench/hello_app.py, whose CPU per request is the framework's floor; a ratio is hello-world CPU / the request's
CPU (what bench/service_speed.py's ratio would be if the server, wrk and PostgreSQL cost nothing). PostgreSQL's
own CPU per request (its server processes, from /proc) is printed beside it.

1. ``GET /health``;
2. a cached eligibility check (``POST /v1/eligibility/checks`` answered 200 from the stored check, audited);
   and the same stored check read by id (``GET /v1/eligibility/checks/{id}``, audited);
3. the three-level 12-week estimate of bench/estimate_http.py (stored and audited).

``--concurrency N`` keeps N requests in flight at once (default 1: one after the other), as a server under load
does: concurrent reads of stored checks then share round trips and commits (``read_batches.py``).

Run: .venv/bin/python bench/request_cost.py [--requests 300] [--concurrency 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bench.estimate_http import BODY as ESTIMATE_BODY  # noqa: E402
from bench.hello_app import app as hello_app  # noqa: E402
from bench.service_speed import CHECK_BODY, migrated_intake_key  # noqa: E402

ROUND_TRIPS = {"n": 0}
#: The embedded PostgreSQL's data directory: its server processes' CPU is counted too.
DATA_DIR: dict[str, Path] = {}


def _postgres_cpu_seconds() -> float:
    """CPU time used so far by the embedded PostgreSQL server (postmaster and backends), from /proc."""
    pids = [p for p in Path("/proc").iterdir() if p.name.isdigit()]
    root = None
    for proc in pids:
        try:
            if str(DATA_DIR["pg"]).encode() in (proc / "cmdline").read_bytes() and b"postgres" in (
                    proc / "cmdline").read_bytes().split(b"\0", 1)[0]:
                root = proc.name
                break
        except OSError:
            continue
    if root is None:
        return 0.0
    total = 0
    for proc in pids:
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if proc.name == root or fields[1] == root:  # fields[1]: the parent pid
            total += int(fields[11]) + int(fields[12])  # utime + stime, clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _count_round_trips() -> None:
    """Count every statement asyncpg sends (extended protocol) and every simple query (BEGIN, COMMIT ...)."""
    connection = asyncpg.connection.Connection
    do_execute, execute = connection._do_execute, connection.execute  # noqa: SLF001

    async def counted_do_execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        ROUND_TRIPS["n"] += 1
        return await do_execute(self, *args, **kwargs)

    async def counted_execute(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if not args:  # with arguments it goes through _do_execute, counted there
            ROUND_TRIPS["n"] += 1
        return await execute(self, query, *args, **kwargs)

    connection._do_execute, connection.execute = counted_do_execute, counted_execute  # noqa: SLF001


async def _call(app: Callable[..., Any], method: str, path: str, headers: dict[str, str],
                body: bytes) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {}}
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def _cost(app: Callable[..., Any], method: str, path: str, headers: dict[str, str], body: bytes,
                count: int, concurrency: int = 1) -> tuple[float, float, float, int]:
    """(CPU ms per request here, PostgreSQL CPU ms per request, round trips per request, answer bytes)."""
    for _ in range(5):
        status, answer = await _call(app, method, path, headers, body)
        if status not in (200, 201):
            raise SystemExit(f"{method} {path} answered {status}: {answer[:300]!r}")
    ROUND_TRIPS["n"] = 0
    database = _postgres_cpu_seconds()
    started = time.process_time()

    async def some(n: int) -> None:
        for _ in range(n):
            await _call(app, method, path, headers, body)

    await asyncio.gather(*(some(count // concurrency + (i < count % concurrency)) for i in range(concurrency)))
    here = (time.process_time() - started) / count * 1000
    return here, (_postgres_cpu_seconds() - database) / count * 1000, ROUND_TRIPS["n"] / count, len(answer)


async def _measure(url: str, key: str, count: int, concurrency: int) -> list[tuple[str, float, float, float, int]]:
    from service.app import create_app  # noqa: PLC0415
    from service.config import load_settings  # noqa: PLC0415

    settings = load_settings({"DATABASE_URL": url, "LOG_LEVEL": "WARNING", "RATE_LIMIT_PER_MINUTE": "100000000",
                              "PORTAL_TOKEN_SECRET": "bench-secret"})
    app = create_app(settings)
    auth = {"content-type": "application/json", "x-api-key": key}
    async with app.lifespan():
        check_body = json.dumps(CHECK_BODY).encode()
        stored = json.loads((await _call(app, "POST", "/v1/eligibility/checks", auth, check_body))[1])["id"]
        return [
            ("hello-world GET /health", *await _cost(hello_app, "GET", "/health", {}, b"", count * 5)),
            ("GET /health", *await _cost(app, "GET", "/health", {}, b"", count * 5)),
            ("cached check", *await _cost(app, "POST", "/v1/eligibility/checks", auth,
                                          check_body, count, concurrency)),
            ("check read by id", *await _cost(app, "GET", f"/v1/eligibility/checks/{stored}", auth, b"", count,
                                              concurrency)),
            ("3-level estimate", *await _cost(app, "POST", "/v1/estimates", auth,
                                              json.dumps(ESTIMATE_BODY).encode(), max(20, count // 5), concurrency)),
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="cached checks timed (x5 /health, /5 estimates)")
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight at once (the service's)")
    args = parser.parse_args()

    from service.db.embedded import start_embedded  # noqa: PLC0415
    from service.logging import configure_logging  # noqa: PLC0415

    configure_logging("WARNING")
    work = Path(tempfile.mkdtemp(prefix="bench-cost-"))
    DATA_DIR["pg"] = work / "pg"
    embedded = start_embedded(DATA_DIR["pg"])
    try:
        key = migrated_intake_key(embedded.url)
        _count_round_trips()
        rows = asyncio.run(_measure(embedded.url, key, args.requests, max(1, args.concurrency)))
    finally:
        embedded.stop()
        shutil.rmtree(work, ignore_errors=True)
    floor = rows[0][1]
    print(f"CPU time per request, this process and PostgreSQL's (load average {os.getloadavg()[0]:.1f}; other "
          "processes' load is not counted, though it slows every instruction on a shared machine); "
          f"{max(1, args.concurrency)} request(s) in flight")
    for name, cpu, database, trips, size in rows:
        print(f"{name:>24}: {cpu:7.3f} ms CPU + PostgreSQL {database:6.3f} ms, {trips:4.1f} DB round trips, "
              f"answer {size:,} bytes; hello-world / this process = {100 * floor / cpu:5.1f} %")


if __name__ == "__main__":
    main()
