"""Stopping child processes the tests and benchmarks started (servers, batch workers)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable


def stop_all(procs: Iterable[subprocess.Popen], *, grace_seconds: float = 30) -> None:
    """SIGTERM every process still running, then wait for each; one that outlives ``grace_seconds`` is killed."""
    procs = list(procs)
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
