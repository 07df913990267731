"""Where PostgreSQL's CPU for storing an estimate goes: its backend's CPU per stored estimate, variant by variant.

One three-level 12-week estimate (bench/estimate_http.py's body) is made through the app, its stored row read back,
and then stored again N times per variant (new ids) from one connection, timing the CPU of that connection's backend
(/proc/<pid>/stat) and of the whole server (postmaster and all its processes: the WAL writer, the checkpointer...).
Variants alternate, ``--rounds`` times each, so a busy moment of the shared machine falls on all of them alike.

- ``audited``: 0991's ``insert_estimate_audited``, as the service sent it before 0996 (a statement and a commit each);
- ``row only`` / ``audit only``: the estimate row alone, the audit row alone (plain INSERTs, one commit each);
- ``row, text``: the row into a copy of the table whose json columns are text (no JSON validation);
- ``row, no indexes``: the row into a copy of the table without its indexes (primary key kept);
- ``row, queried indexes``: the same with the two other indexes some query of the service uses (organization,
  change feed), not those on updated_at, patient_key and request_hash;
- ``row, small json``: the row with its json columns replaced by ``{}`` (no TOAST);
- ``audited, 16 per tx``: 16 ``insert_estimate_audited`` in one transaction (one commit per 16);
- ``service, 1 / 16 at once``: ``store.insert_estimate`` as ``create_estimate`` calls it (its arguments captured
  from the app's estimate), one at a time and 16 at once: this process's CPU per estimate (encoding, asyncpg) and
  the server's;
- ``batched 1`` / ``4`` / ``16``: ``insert_estimates_audited`` (migration 0996), the statement the service sends,
  with 1, 4 or 16 estimates.

Run: .venv/bin/python bench/estimate_insert_cost.py [--inserts 400] [--rounds 3] [--service-only]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bench import request_cost  # noqa: E402
from bench.estimate_http import BODY  # noqa: E402
from bench.service_speed import migrated_intake_key  # noqa: E402

_JSON = ("request", "benefits", "rates", "figures", "response", "day_rows")
_ROW = ("created_by, patient_key, patient_first_name, patient_last_name, patient_dob, benefits_source, "
        "eligibility_check_id, as_of, rate_version_ids, request_hash")


def _ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


async def _one_estimate(url: str, key: str) -> dict[str, Any]:
    """Make the bench's estimate through the app; what create_estimate gave store.insert_estimate for it."""
    from service.app import create_app  # noqa: PLC0415
    from service.config import load_settings  # noqa: PLC0415
    from service.pricing import service  # noqa: PLC0415

    given: dict[str, Any] = {}
    insert = service.insert_estimate

    async def kept(pool: asyncpg.Pool, **kwargs: Any) -> bool:
        given.update(kwargs)
        return await insert(pool, **kwargs)

    service.insert_estimate = kept  # type: ignore[assignment]
    app = create_app(load_settings({"DATABASE_URL": url, "LOG_LEVEL": "WARNING", "PORTAL_TOKEN_SECRET": "bench"}))
    try:
        async with app.lifespan():
            status, answer = await request_cost._call(app, "POST", "/v1/estimates",  # noqa: SLF001
                                                      {"content-type": "application/json", "x-api-key": key},
                                                      json.dumps(BODY).encode())
    finally:
        service.insert_estimate = insert  # type: ignore[assignment]
    if status != 201:
        raise SystemExit(f"the estimate answered {status}: {answer[:300]!r}")
    return given


async def _through_the_service(url: str, given: dict[str, Any], inserts: int, rounds: int,
                               ) -> dict[str, list[tuple[float, float]]]:
    """store.insert_estimate as create_estimate calls it, 1 and 16 at once: (this process's CPU, PostgreSQL's CPU)
    per stored estimate, ms."""
    from service.db.pool import create_pool  # noqa: PLC0415
    from service.pricing import store  # noqa: PLC0415

    pool = await create_pool(url, max_size=16)
    results: dict[str, list[tuple[float, float]]] = {"service, 1 at once": [], "service, 16 at once": []}
    try:
        async def some(count: int) -> None:
            for _ in range(count):
                await store.insert_estimate(pool, **{**given, "estimate_id": uuid.uuid4()})

        for _ in range(rounds):
            for name, at_once in (("service, 1 at once", 1), ("service, 16 at once", 16)):
                database, here = request_cost._postgres_cpu_seconds(), time.process_time()  # noqa: SLF001
                await asyncio.gather(*(some(inserts // at_once) for _ in range(at_once)))
                stored = inserts // at_once * at_once
                results[name].append(((time.process_time() - here) / stored * 1000,
                                      (request_cost._postgres_cpu_seconds() - database)  # noqa: SLF001
                                      / stored * 1000))
    finally:
        await pool.close()
    return results


async def _variants(conn: asyncpg.Connection) -> dict[str, Callable[[], Awaitable[None]]]:
    row = await conn.fetchrow(f"SELECT {_ROW}, {', '.join(f'{c}::text AS {c}' for c in _JSON)} FROM estimates")
    values = dict(row)
    await conn.execute("CREATE TABLE estimates_as_text (LIKE estimates INCLUDING DEFAULTS INCLUDING INDEXES)")
    for column in _JSON:
        await conn.execute(f"ALTER TABLE estimates_as_text ALTER COLUMN {column} TYPE text, "
                           f"ALTER COLUMN {column} SET STORAGE EXTERNAL")
    await conn.execute("ALTER TABLE estimates_as_text ALTER COLUMN request SET STORAGE EXTENDED, "
                       "ALTER COLUMN benefits SET STORAGE EXTENDED")
    await conn.execute("CREATE TABLE estimates_no_indexes (LIKE estimates INCLUDING DEFAULTS INCLUDING STORAGE)")
    await conn.execute("ALTER TABLE estimates_no_indexes ADD PRIMARY KEY (id)")
    await conn.execute("CREATE TABLE estimates_queried_indexes (LIKE estimates INCLUDING DEFAULTS INCLUDING STORAGE)")
    await conn.execute("ALTER TABLE estimates_queried_indexes ADD PRIMARY KEY (id)")
    await conn.execute("CREATE INDEX ON estimates_queried_indexes (organization_id, id)")
    await conn.execute("CREATE INDEX ON estimates_queried_indexes (change_xid, change_seq)")
    for table in ("estimates_as_text", "estimates_no_indexes", "estimates_queried_indexes"):  # the change feed's stamp, as estimates has
        await conn.execute(f"CREATE TRIGGER access_stamp_change BEFORE INSERT OR UPDATE ON {table} "
                           "FOR EACH ROW EXECUTE FUNCTION access_stamp_change()")
    json_args = [values[c] for c in _JSON]
    plain = [values[c] for c in _ROW.split(", ")]

    def insert_into(table: str, json_values: list[Any], cast: str) -> Callable[[], Awaitable[None]]:
        sql = (f"INSERT INTO {table} (id, organization_id, {_ROW}, {', '.join(_JSON)}) VALUES ($1, 'default', "
               + ", ".join(f"${i}" for i in range(2, 12)) + ", "
               + ", ".join(f"${i}::{cast}" for i in range(12, 18)) + ")")

        async def run() -> None:
            await conn.execute(sql, uuid.uuid4(), *plain, *json_values)
        return run

    audited_sql = ("SELECT insert_estimate_audited('default', $1, now(), $2, $3, $4, $5, $6, $7, $8, $9, "
                   "$10::json, $11::json, $12::json, $13, $14::json, $15::json, $16, $17::json, 'bench', 'intake', "
                   "'req', NULL, NULL)")
    v = values

    def audited_args() -> tuple[Any, ...]:
        return (uuid.uuid4(), v["created_by"], v["patient_key"], v["patient_first_name"], v["patient_last_name"],
                v["patient_dob"], v["benefits_source"], v["eligibility_check_id"], v["as_of"], v["request"],
                v["benefits"], v["rates"], v["rate_version_ids"], v["figures"], v["response"], v["request_hash"],
                v["day_rows"])

    async def audited() -> None:
        await conn.execute(audited_sql, *audited_args())

    async def audit_only() -> None:
        await conn.execute("INSERT INTO audit_log (actor, role, action, resource_type, resource_id, patient_key, "
                           "request_id, outcome, reason, organization_id) VALUES ('bench', 'intake', "
                           "'estimate.create', 'estimate', $1, $2, 'req', 'success', NULL, 'default')",
                           str(uuid.uuid4()), v["patient_key"])

    async def sixteen_per_transaction() -> None:
        async with conn.transaction():
            for _ in range(16):
                await conn.execute(audited_sql, *audited_args())

    variants: dict[str, Callable[[], Awaitable[None]]] = {
        "audited": audited,
        "row only": insert_into("estimates", json_args, "json"),
        "audit only": audit_only,
        "row, text": insert_into("estimates_as_text", json_args, "text"),
        "row, no indexes": insert_into("estimates_no_indexes", json_args, "json"),
        "row, queried indexes": insert_into("estimates_queried_indexes", json_args, "json"),
        "row, small json": insert_into("estimates", ["{}"] * len(_JSON), "json"),
        "audited, 16 per tx": sixteen_per_transaction,
    }
    from service.pricing.store import _INSERT_AUDITED  # noqa: PLC0415

    def arrays(size: int) -> list[list[Any]]:
        one = ["default", None, "now", v["created_by"], v["patient_key"], v["patient_first_name"],
               v["patient_last_name"], v["patient_dob"], v["benefits_source"], v["eligibility_check_id"], v["as_of"],
               v["request"], v["benefits"], v["rates"], "{" + ",".join(map(str, v["rate_version_ids"])) + "}",
               v["figures"], v["response"], v["request_hash"], v["day_rows"], "bench", "intake", "req", None, None]
        columns = [[value] * size for value in one]
        columns[1] = [uuid.uuid4() for _ in range(size)]
        columns[2] = [datetime.datetime.now(datetime.timezone.utc)] * size
        return columns

    def batched(size: int) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await conn.fetch(_INSERT_AUDITED, *arrays(size))
        return run

    variants["batched 1"] = batched(1)
    variants["batched 4"] = batched(4)
    variants["batched 16"] = batched(16)
    return variants


async def _measure(url: str, inserts: int, rounds: int) -> dict[str, list[tuple[float, float]]]:
    conn = await asyncpg.connect(url)
    try:
        variants = await _variants(conn)
        backend = await conn.fetchval("SELECT pg_backend_pid()")
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        tick = os.sysconf("SC_CLK_TCK")
        for _ in range(rounds):
            for name, run in variants.items():
                per_call = int(name.rsplit(" ", 1)[1]) if name.startswith("batched") else 16 if "16" in name else 1
                calls = max(1, inserts // per_call)
                await conn.execute("CHECKPOINT")
                before, server_before = _ticks(backend), request_cost._postgres_cpu_seconds()  # noqa: SLF001
                for _ in range(calls):
                    await run()
                stored = calls * per_call
                results[name].append(((_ticks(backend) - before) / tick / stored * 1000,
                                      (request_cost._postgres_cpu_seconds() - server_before)  # noqa: SLF001
                                      / stored * 1000))
        return results
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inserts", type=int, default=400, help="estimates stored per variant per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median taken)")
    parser.add_argument("--service-only", action="store_true", help="only store.insert_estimate, 1 and 16 at once")
    args = parser.parse_args()
    from service.db.embedded import start_embedded  # noqa: PLC0415
    from service.logging import configure_logging  # noqa: PLC0415

    configure_logging("WARNING")
    work = Path(tempfile.mkdtemp(prefix="bench-insert-"))
    request_cost.DATA_DIR["pg"] = work / "pg"
    embedded = start_embedded(work / "pg")
    started = time.perf_counter()
    try:
        key = migrated_intake_key(embedded.url)
        given = asyncio.run(_one_estimate(embedded.url, key))
        service = asyncio.run(_through_the_service(embedded.url, given, args.inserts, args.rounds))
        results = {} if args.service_only else asyncio.run(_measure(embedded.url, args.inserts, args.rounds))
    finally:
        embedded.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"PostgreSQL CPU per stored estimate, ms (median of {args.rounds} rounds of {args.inserts}; load average "
          f"{os.getloadavg()[0]:.1f}; {time.perf_counter() - started:.0f} s)")
    for name, runs in results.items():
        print(f"{name:>20}: backend {statistics.median(r[0] for r in runs):6.3f}   "
              f"whole server {statistics.median(r[1] for r in runs):6.3f}")
    for name, runs in service.items():
        print(f"{name:>20}: this process {statistics.median(r[0] for r in runs):6.3f}   "
              f"whole server {statistics.median(r[1] for r in runs):6.3f}")


if __name__ == "__main__":
    main()
