"""The real command: `serve` answers /ready, and a killed service leaves no PostgreSQL behind."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.db.embedded import postmaster_pid
from service.db.embedded import process_alive as _alive
from tests.processes import stop_all


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def _serving(data_dir: Path, **extra_env: str) -> Iterator[tuple[subprocess.Popen[bytes], int, dict[str, str]]]:
    """`python -m service serve` on a free port and its own embedded data directory, ready to answer."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CLEARINGHOUSE_URL"}}
    env.update({"EMBEDDED_PG_DIR": str(data_dir), "LOG_LEVEL": "WARNING", **extra_env})
    log = data_dir.parent / f"serve-{port}.log"
    with log.open("wb") as output:
        proc = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        # Stop waiting as soon as serve exits: its own words say why, not a 120 s timeout.
        _wait(lambda: proc.poll() is not None or _ready(port), 120)
        assert _ready(port), (f"service not ready (exit code {proc.poll()}); its output ends:\n"
                              + log.read_text(errors="replace")[-3000:])
        yield proc, port, env
    finally:
        stop_all([proc])


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.parametrize("kill_signal", [signal.SIGTERM, signal.SIGKILL])
def test_serve_then_kill_leaves_no_postgres(tmp_path: Path, kill_signal: int) -> None:
    """Two workers share one embedded PostgreSQL and one sandbox; killing `serve` ends all of them."""
    with _serving(tmp_path / "pg", WORKERS="2") as (proc, port, _env):
        pg_pid = postmaster_pid(tmp_path / "pg")
        assert pg_pid is not None and _alive(pg_pid)
        workers = [pid for pid in _children(proc.pid) if b"serve" in Path(f"/proc/{pid}/cmdline").read_bytes()
                   or b"multiprocessing" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(workers) >= 2, f"expected two worker processes under serve, found {workers}"
        # each worker answers from the one database and the one sandbox started by serve
        assert all(httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).json()["clearinghouse"] == "sandbox"
                   for _ in range(4))
        proc.send_signal(kill_signal)
        proc.wait(timeout=30)
        assert _wait(lambda: not _alive(pg_pid), 15), f"postgres {pg_pid} outlived the service ({kill_signal!r})"
        assert _wait(lambda: not any(_alive(pid) for pid in workers), 15), f"workers outlived serve ({kill_signal!r})"


def test_cli_command_beside_a_running_service_leaves_its_database_up(tmp_path: Path) -> None:
    """`keys create` while `serve` runs on the same embedded data directory must not stop the service's PostgreSQL."""
    with _serving(tmp_path / "pg") as (_proc, port, env):
        created = subprocess.run(
            [sys.executable, "-m", "service", "keys", "create", "--name", "front desk", "--role", "intake"],
            env=env, capture_output=True, text=True, timeout=60,
        )
        assert created.returncode == 0, created.stderr[-2000:]
        secret = created.stdout.strip().splitlines()[-1]
        assert secret.startswith("bek_")
        assert _ready(port), "the service lost its database when the CLI command ended"
        # and the key the CLI created works against the running service
        response = httpx.get(f"http://127.0.0.1:{port}/v1/admin/keys", headers={"X-API-Key": secret}, timeout=5)
        assert response.status_code == 403  # authenticated as intake; admin-only route
