"""PostgreSQL stops and comes back: 503 with Retry-After meanwhile (never a 500), an honest /ready and /health,
the outage logged once, and the service answering again by itself."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from litestar.testing import TestClient

from service.access.keys import create_key
from service.access.roles import Role
from service.app import create_app
from service.config import load_settings
from service.db.embedded import _pg_ctl_stop, start_embedded
from service.logging import configure_logging


def _patiently(start, attempts: int = 3):  # noqa: ANN001, ANN202
    """pgserver gives pg_ctl 10 s to restart the server, which a loaded 2-core machine can exceed: try again."""
    for attempt in range(attempts):
        try:
            return start()
        except subprocess.CalledProcessError:
            if attempt == attempts - 1:
                raise
            time.sleep(2)
    return None


@pytest.fixture
def embedded():  # noqa: ANN201 - a server of its own: stopping it must not disturb other tests
    # Not tmp_path: pytest prunes old basetemp directories, and another session on the machine may prune ours.
    data_dir = Path(tempfile.mkdtemp(prefix="benefits-outage-pg-"))
    server = start_embedded(data_dir / "pg")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def _wait_until(predicate, seconds: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_the_service_rides_out_a_database_outage(embedded) -> None:  # noqa: ANN001
    settings = load_settings({"DATABASE_URL": embedded.url, "LOG_LEVEL": "INFO", "PORTAL_TOKEN_SECRET": "x" * 32})
    fpl = {"household": {"size": 4, "annual_income": "20000", "state": "CA"}, "determination_date": "2026-03-02"}
    app = create_app(settings)
    log = io.StringIO()
    configure_logging("INFO", "json", stream=log)
    try:
        _outage_and_back(app, embedded, fpl)
    finally:
        configure_logging("WARNING", "json")
    lines = log.getvalue().splitlines()
    assert sum('"database_unavailable"' in line for line in lines) == 1
    assert sum('"database_available_again"' in line for line in lines) == 1
    assert not [line for line in lines if '"level": "error"' in line and "database_unavailable" not in line]


def _outage_and_back(app, embedded, fpl) -> None:  # noqa: ANN001
    with TestClient(app=app, raise_server_exceptions=False) as client:
        pool = client.app.state.pool
        key = client.blocking_portal.call(lambda: create_key(pool, name="outage", role=Role.INTAKE)).secret
        headers = {"X-API-Key": key}
        assert client.post("/v1/self-pay/fpl", json=fpl, headers=headers).status_code == 200

        _pg_ctl_stop(embedded.data_dir)
        statuses = set()
        for _ in range(10):
            for response in (client.post("/v1/self-pay/fpl", json=fpl, headers=headers),
                             client.get("/v1/estimates/00000000-0000-0000-0000-000000000000", headers=headers)):
                statuses.add(response.status_code)
                assert response.headers["retry-after"] == "5"
                assert response.json()["type"].endswith("/database-unavailable")
        assert statuses == {503}
        ready = client.get("/ready")
        assert ready.status_code == 503 and ready.headers["retry-after"] == "5"
        health = client.get("/health")  # liveness stays 200, and says what it saw
        assert health.status_code == 200 and health.json()["database"] == "unavailable"

        _patiently(embedded._server.ensure_postgres_running)  # the server comes back; nobody touches the service
        assert _wait_until(lambda: client.get("/ready").status_code == 200, 30)
        assert client.post("/v1/self-pay/fpl", json=fpl, headers=headers).status_code == 200
        assert _wait_until(lambda: client.get("/health").json()["database"] == "ok", 10)
