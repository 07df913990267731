"""The service's speed as a share of the ceiling, in one run: the four figures of issue 13.

Ceiling: a Litestar hello-world (bench/hello_app.py) under granian with the same number of worker processes as the
service. Load generator: ``wrk`` (Debian's package, ``apt-get install wrk``) in its own process, 2 threads.

Measured, each against the ceiling at the same number of connections:

1. ``GET /health`` at 64 connections                                   target >= 70 % of the ceiling
2. a cached eligibility check: ``POST /v1/eligibility/checks`` with a body already checked (answered 200 from the
   stored check, audited) at 64 connections                          target >= 30 %, p99 < 20 ms
3. a three-level (IOP + PHP + inpatient) 12-week estimate, ``POST /v1/estimates`` (manual PPO benefits, household
   for the affordability section, stored and audited) at 16 connections   target >= 10 %, p99 < 50 ms
4. resident memory of every service process after the run               target < 200 MB each

The ceiling and the service run side by side and are measured in alternating rounds (``--rounds``): other work on
the machine then weighs on both alike, and each ratio is the median over the rounds.

Run: .venv/bin/python bench/service_speed.py [--workers 2] [--seconds 8] [--rounds 3] [--server granian]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.estimate_http import BODY as ESTIMATE_BODY  # noqa: E402 - the same three-level 12-week estimate
from tests.processes import stop_all  # noqa: E402

CHECK_BODY = {
    "payer_id": "SBPPO",
    "subscriber": {"first_name": "DANIEL", "last_name": "MILLER", "date_of_birth": "1980-01-15",
                   "member_id": "PPO-FAM-006"},
    "date_of_service": "2026-03-02",
}


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int  # non-2xx answers and socket errors


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ok(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer 200 within {timeout:.0f} s")


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, *, connections: int, seconds: int, headers: dict[str, str], body: object | None,
        scripts: Path) -> WrkResult:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    if body is not None:
        script = scripts / f"post_{abs(hash(json.dumps(body, sort_keys=True)))}.lua"
        payload = json.dumps(body).replace("\\", "\\\\").replace('"', '\\"')
        script.write_text(f'wrk.method = "POST"\nwrk.body = "{payload}"\n'
                          'wrk.headers["Content-Type"] = "application/json"\n')
        args += ["-s", str(script)]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = 0
    if found := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        bad += int(found.group(1))
    if found := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        bad += sum(int(g) for g in found.groups())
    return WrkResult(rps, p50, p99, bad)


def _process_tree(pid: int) -> list[int]:
    found = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found += _process_tree(int(child))
    return found


def rss_mb(pid: int) -> dict[int, float]:
    sizes = {}
    for member in _process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
            cmdline = Path(f"/proc/{member}/cmdline").read_bytes()
        except OSError:
            continue
        if b"python" not in cmdline and b"granian" not in cmdline and b"benefits" not in cmdline:
            continue  # the embedded PostgreSQL's watchdog is a python process too; postgres is not ours
        if b"service.db.watchdog" in cmdline:
            continue
        kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        sizes[member] = kb / 1024
    return sizes


def migrated_intake_key(database_url: str) -> str:
    """Migrate the bench's database and create an intake key on it; the key's secret."""
    import asyncio  # noqa: PLC0415

    import asyncpg  # noqa: PLC0415

    from service.access.keys import create_key  # noqa: PLC0415
    from service.access.roles import Role  # noqa: PLC0415
    from service.db.pool import migrate_url  # noqa: PLC0415

    async def prepare() -> str:
        await migrate_url(database_url)
        conn = await asyncpg.connect(database_url)
        try:
            return (await create_key(conn, name="bench", role=Role.INTAKE)).secret
        finally:
            await conn.close()

    return asyncio.run(prepare())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="worker processes, service and ceiling alike")
    parser.add_argument("--server", default="granian", help="the service's HTTP server (SERVER setting)")
    parser.add_argument("--seconds", type=int, default=8, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating ceiling/service rounds (median taken)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    from service.db.embedded import start_embedded  # noqa: PLC0415
    from service.logging import configure_logging  # noqa: PLC0415



    configure_logging("WARNING")  # the set-up's info lines (database start, migrations) would bury the figures
    work = Path(tempfile.mkdtemp(prefix="bench-speed-"))
    embedded = start_embedded(work / "pg")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        key = migrated_intake_key(embedded.url)
        env = {k: v for k, v in os.environ.items() if k not in {"CLEARINGHOUSE_URL"}}
        env.update({"DATABASE_URL": embedded.url, "LOG_LEVEL": "WARNING", "RATE_LIMIT_PER_MINUTE": "100000000",
                    "PORTAL_TOKEN_SECRET": "bench-secret", "WORKERS": str(args.workers), "SERVER": args.server})
        ceiling_port, service_port = _free_port(), _free_port()
        bin_dir = Path(sys.executable).parent
        procs.append(subprocess.Popen(
            [str(bin_dir / "granian"), "--interface", "asgi", "--workers", str(args.workers), "--port",
             str(ceiling_port), "--log-level", "warning", "--no-ws", "bench.hello_app:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(service_port)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        ceiling, service = f"http://127.0.0.1:{ceiling_port}", f"http://127.0.0.1:{service_port}"
        _wait_ok(ceiling + "/health", 30)
        _wait_ok(service + "/ready", 90)
        auth = {"X-API-Key": key}
        first = httpx.post(service + "/v1/eligibility/checks", json=CHECK_BODY, headers=auth, timeout=30)
        assert first.status_code in (200, 201), first.text
        again = httpx.post(service + "/v1/eligibility/checks", json=CHECK_BODY, headers=auth, timeout=30)
        assert again.status_code == 200 and again.json()["from_cache"], again.text
        estimate = httpx.post(service + "/v1/estimates", json=ESTIMATE_BODY, headers=auth, timeout=30)
        assert estimate.status_code == 201, estimate.text
        estimate_bytes = len(estimate.content)

        scripts = work
        cases = {
            "health": dict(path="/health", connections=64, headers={}, body=None),
            "cached check": dict(path="/v1/eligibility/checks", connections=64, headers=auth, body=CHECK_BODY),
            "estimate": dict(path="/v1/estimates", connections=16, headers=auth, body=ESTIMATE_BODY),
        }
        ceilings: dict[int, list[WrkResult]] = {64: [], 16: []}
        results: dict[str, list[WrkResult]] = {name: [] for name in cases}
        short = max(2, args.seconds // 4)
        wrk(ceiling + "/health", connections=64, seconds=short, headers={}, body=None, scripts=scripts)  # warm-up
        for case in cases.values():
            wrk(service + case["path"], connections=case["connections"], seconds=short, headers=case["headers"],
                body=case["body"], scripts=scripts)
        for _ in range(args.rounds):
            for conns in ceilings:
                ceilings[conns].append(wrk(ceiling + "/health", connections=conns, seconds=args.seconds,
                                           headers={}, body=None, scripts=scripts))
            for name, case in cases.items():
                results[name].append(wrk(service + case["path"], connections=case["connections"],
                                         seconds=args.seconds, headers=case["headers"], body=case["body"],
                                         scripts=scripts))
        memory = rss_mb(procs[1].pid)
    finally:
        stop_all(procs)
        embedded.stop()
        shutil.rmtree(work, ignore_errors=True)

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    print(f"machine: {os.cpu_count()} cores, {cpu}; load average before the run ended "
          f"{os.getloadavg()[0]:.1f}")
    print(f"service: {args.server}, {args.workers} workers; ceiling: Litestar hello-world under granian, "
          f"{args.workers} workers; load: wrk 2 threads, {args.rounds} rounds x {args.seconds} s, medians")
    median = statistics.median
    for conns, runs in ceilings.items():
        print(f"ceiling GET /health at {conns} connections: {median(r.rps for r in runs):,.0f} req/s")
    targets = {"health": (70, None), "cached check": (30, 20), "estimate": (10, 50)}
    met = True
    for name, runs in results.items():
        conns = cases[name]["connections"]
        share = median(r.rps / c.rps for r, c in zip(runs, ceilings[conns])) * 100
        p50, p99 = median(r.p50_ms for r in runs), median(r.p99_ms for r in runs)
        bad = sum(r.bad for r in runs)
        share_target, p99_target = targets[name]
        ok = share >= share_target and (p99_target is None or p99 < p99_target) and bad == 0
        met &= ok
        print(f"{name:>13} at {conns} connections: {median(r.rps for r in runs):,.0f} req/s = {share:.1f} % of the "
              f"ceiling (target >= {share_target} %); p50 {p50:.1f} ms, p99 {p99:.1f} ms"
              + (f" (target < {p99_target} ms)" if p99_target else "") + (f"; {bad} failed" if bad else "")
              + ("" if ok else "  <-- below target"))
    biggest = max(memory.values())
    met &= biggest < 200
    print(f"resident memory per service process: {', '.join(f'{v:.0f} MB' for v in sorted(memory.values()))} "
          f"(target < 200 MB each); estimate answer {estimate_bytes:,} bytes")
    print("all four targets met" if met else "NOT all targets met")


if __name__ == "__main__":
    main()
