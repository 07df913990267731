"""Batch re-verification end to end: the API queues a batch, two `benefits-estimator worker` processes run it
against sandboxes of their own (150 ms per answer), one is killed with SIGKILL mid-way, and the batch still
completes with every item done once more and the changed coverage flagged for billing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from service.eligibility.sandbox.roster import ROSTER
from tests.integration.eligibility.helpers import body_for
from tests.processes import stop_all

#: Members whose coverage will have changed since a check we seed first (manual entry, as intake heard it).
SEEDED = {
    # active before, inactive now
    "PPO-INACT-008": {"payer_id": "SBPPO", "payer_class": "commercial", "active": True},
    # GOLD PPO 1500 now
    "PPO-FAM-006": {"payer_id": "SBPPO", "payer_class": "commercial", "active": True, "plan_name": "SILVER PPO 2000"},
    # Part B deductible met now (0.00 left)
    "MCR-PSYCH-003": {"payer_id": "SBMCR", "payer_class": "medicare", "active": True,
                      "medicare": {"part_b_deductible_remaining": "120.00"}},
}
EXPECTED_CHANGES = {"PPO-INACT-008": ["became_inactive"], "PPO-FAM-006": ["plan_changed"],
                    "MCR-PSYCH-003": ["deductible_met"]}
MEMBERS = ["MCR-PARTB-001", "MCR-QMB-002", "MCR-PSYCH-003", "MCD-FFS-004", "MCD-MCO-005", "PPO-FAM-006",
           "PPO-AUTH-007", "PPO-INACT-008"]


def _seed_previous_check(client, headers, member_id: str, benefits: dict) -> None:
    m = ROSTER[member_id]
    body = {
        "subscriber": {"first_name": m.first_name, "last_name": m.last_name,
                       "date_of_birth": m.date_of_birth.isoformat(), "member_id": m.member_id},
        "date_of_service": "2026-05-01",
        "benefits": {"payer_name": m.payer_name, "in_network": {}, "heard_from": {"reference_number": "SEED"},
                     **benefits},
    }
    r = client.post("/v1/eligibility/manual", json=body, headers=headers["intake"])
    assert r.status_code == 201, r.text


def _worker(database_url: str, app_database_url: str | None, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"CLEARINGHOUSE_URL", "APP_DATABASE_URL"}}
    env.update({
        "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "SANDBOX_LATENCY_MS": "150",
        "WORKER_HEARTBEAT_SECONDS": "0.5",
        # As in production: the queue and the checks run as the least-privileged role (row-level security on).
        **({"APP_DATABASE_URL": app_database_url} if app_database_url else {}),
    })
    return subprocess.Popen([sys.executable, "-m", "service", "worker", "--concurrency", "2"], env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)


@pytest.fixture
def workers(database_url, app_database_url, tmp_path) -> Iterator[list[subprocess.Popen]]:
    procs = [_worker(database_url, app_database_url, tmp_path / f"worker{n}.log") for n in (1, 2)]
    try:
        yield procs
    finally:
        stop_all(procs)


def _poll(client, headers, batch_id: str, until, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        batch = client.get(f"/v1/eligibility/batches/{batch_id}", headers=headers["billing"]).json()
        if until(batch) or time.monotonic() > deadline:
            return batch
        time.sleep(0.2)


def test_a_batch_survives_a_killed_worker_and_flags_changed_coverage(client, headers, db, workers, database_url,
                                                                     app_database_url):
    for member_id, benefits in SEEDED.items():
        _seed_previous_check(client, headers, member_id, benefits)
    items = [body_for(MEMBERS[n % len(MEMBERS)], dos="2026-06-01") for n in range(32)]
    r = client.post("/v1/eligibility/batches", json={"items": items}, headers=headers["billing"])
    assert r.status_code == 202, r.text
    batch = r.json()
    lanes = client.app.state.settings.batch_clearinghouse_concurrency  # 5 by default
    assert batch["status"] == "running" and batch["lanes"] == lanes and batch["progress"]["pending"] == 32

    # 32 checks in 5 lanes (2 per worker at a time) at 150 ms: over a second of work; kill one worker once a few are done.
    started = _poll(client, headers, batch["id"], lambda b: b["progress"]["done"] >= 6, timeout=90)
    assert started["progress"]["done"] >= 6, started["progress"]
    workers[0].send_signal(signal.SIGKILL)
    workers[0].wait(timeout=10)
    assert started["status"] == "running"

    done = _poll(client, headers, batch["id"], lambda b: b["status"] == "complete")
    assert done["status"] == "complete", done["progress"]
    assert done["progress"] == {"total": 32, "pending": 0, "done": 32, "failed": 0,
                                "flagged_for_billing": done["progress"]["flagged_for_billing"]}
    by_member = {}
    for item, body in zip(done["items"], items):
        assert item["status"] == "done" and item["check_id"]
        by_member.setdefault(body["subscriber"]["member_id"], []).append(item)
    # Lanes run in parallel, so which of a member's four re-checks ran first is not known: the first (or first
    # few, when they overlapped) compared with the seeded check and name the change; later ones compare with the
    # batch's own earlier check and name nothing.
    for member_id, changes in EXPECTED_CHANGES.items():
        flagged = [i for i in by_member[member_id] if i["coverage_changes"]]
        assert flagged and all(i["coverage_changes"] == changes and i["flagged_for_billing"] for i in flagged), (
            member_id, by_member[member_id])
        assert len(flagged) < len(by_member[member_id])
    assert {i["check_status"] for i in by_member["PPO-INACT-008"]} == {"inactive"}
    assert all(not i["coverage_changes"] for m in MEMBERS if m not in EXPECTED_CHANGES for i in by_member[m])

    workers_seen = db.fetch("SELECT DISTINCT processed_by FROM eligibility_batch_items WHERE batch_id = $1::uuid",
                            batch["id"])
    names = {row["processed_by"] for row in workers_seen}
    assert f":{workers[1].pid}" in " ".join(names)  # the survivor finished the killed worker's lanes
    attention = client.get(f"/v1/eligibility/batches/{batch['id']}", params={"items": "attention"},
                           headers=headers["billing"]).json()
    assert len(attention["items"]) == done["progress"]["flagged_for_billing"] >= 3
    if app_database_url is not None:  # the surviving worker's queue connections are the least-privileged role's
        assert _roles_running_the_queue(database_url) == {app_database_url.split("//")[1].split(":")[0]}


def _roles_running_the_queue(database_url: str) -> set[str]:
    async def query() -> set[str]:
        conn = await asyncpg.connect(database_url)  # the owner sees every session's last statement
        try:
            rows = await conn.fetch("""SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database()
                                         AND query ILIKE '%procrastinate%' AND pid <> pg_backend_pid()""")
            return {r["usename"] for r in rows}
        finally:
            await conn.close()

    return asyncio.run(query())
