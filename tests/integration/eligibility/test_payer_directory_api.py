"""The payer directory: the sandbox's list loaded at start-up, a clearinghouse file imported by the CLI, search by
name over HTTP, and (with PAYER_DIRECTORY_REQUIRED) an unknown payer id refused with the closest names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.cli import main
from service.config import load_settings
from service.eligibility.wires import SANDBOX_TOKEN
from tests.integration.eligibility.helpers import body_for

STEDI_LIKE = Path(__file__).resolve().parents[2] / "data" / "payers" / "stedi-like.json"


def test_intake_finds_a_sandbox_payer_by_name(client, headers):
    r = client.get("/v1/payers", params={"name": "medicare part b"}, headers=headers["intake"])
    assert r.status_code == 200, r.text
    best = r.json()["matches"][0]
    assert r.json()["clearinghouse"] == "sandbox"
    assert best["payer_id"] == "SBMCR" and best["name"] == "MEDICARE" and best["real_time_270"] is True
    assert client.get("/v1/payers", params={"name": ""}, headers=headers["intake"]).status_code == 400
    assert client.get("/v1/payers", params={"name": "x"}, headers=headers["portal"]).status_code == 403


def test_a_published_directory_is_imported_by_the_cli_and_searched(client, headers, database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["payers", "import", str(STEDI_LIKE), "--clearinghouse", "stedi-test"]) == 0
    assert "imported 3 payers for stedi-test (2 take real-time 270s)" in capsys.readouterr().out
    r = client.get("/v1/payers", params={"name": "blue shield calif", "clearinghouse": "stedi-test"},
                   headers=headers["billing"])
    assert [m["payer_id"] for m in r.json()["matches"]][:1] == ["94036"]
    bad = STEDI_LIKE.with_name("bad.csv")
    assert main(["payers", "import", str(bad), "--clearinghouse", "stedi-test"]) == 1  # no such file: nothing changes
    r = client.get("/v1/payers", params={"name": "aetna", "clearinghouse": "stedi-test"}, headers=headers["billing"])
    assert r.json()["matches"][0]["payer_id"] == "60054"


@pytest.fixture(scope="module")
def strict_client(client, database_url) -> Iterator[Any]:
    settings = load_settings({
        "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "PORTAL_TOKEN_SECRET": "test-secret-not-for-production",
        "RATE_LIMIT_PER_MINUTE": "100000", "CLEARINGHOUSE_URL": client.app.state.clearinghouse_url,
        "CLEARINGHOUSE_USERNAME": SANDBOX_TOKEN.username, "CLEARINGHOUSE_PASSWORD": SANDBOX_TOKEN.password,
        "CLEARINGHOUSE_NAME": "sandbox", "PAYER_DIRECTORY_REQUIRED": "true",
    })
    with TestClient(app=create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_an_unknown_payer_id_is_422_with_the_closest_names(strict_client, headers):
    body = body_for("PPO-FAM-006", payer_id="SBPP0", payer_name="SANDBOX PPO")  # a zero for the letter O
    r = strict_client.post("/v1/eligibility/checks", json=body, headers=headers["intake"])
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"].endswith("/unknown-payer") and problem["errors"][0]["field"] == "$.payer_id"
    assert "closest: SANDBOX PPO (SBPPO)" in problem["detail"]
    r = strict_client.post("/v1/eligibility/checks", json=body_for("PPO-FAM-006"), headers=headers["intake"])
    assert r.status_code == 201, r.text  # a known payer id goes through
    r = strict_client.post("/v1/eligibility/checks", json=body_for("PPO-FAM-006", payer_id="SBHMO"),
                           headers=headers["intake"])
    assert r.status_code == 422 and r.json()["type"].endswith("/payer-not-real-time")
