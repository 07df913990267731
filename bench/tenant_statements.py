"""What acting for an organization costs a database statement (service/db/tenant.py), against plain asyncpg.

Row-level security needs the organization in a transaction-local setting, so a statement made outside a
transaction runs inside one (BEGIN + set_config in one round trip, the statement, COMMIT), and an explicit
transaction sends the setting with its BEGIN. Measured on the embedded PostgreSQL (a fresh data directory), the
service's pool (``service.db.pool.create_pool``) against the same pool on plain asyncpg connections, one connection
each, alternating rounds, medians:

- a lone statement (``pool.fetchval``): plain asyncpg (the baseline) vs the service's connection;
- a three-statement transaction: plain vs the service's connection (the setting rides on BEGIN: no extra trip);
- a lone statement acting for no organization (authentication's look-ups, tables of every organization such as
  the rate-limit windows): nothing to set, so it should cost what plain asyncpg does.

Run: .venv/bin/python bench/tenant_statements.py [--statements 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # noqa: E402

from service.db.embedded import start_embedded  # noqa: E402
from service.db.pool import _init_connection, _keep_session, create_pool  # noqa: E402
from service.db.tenant import NO_ORGANIZATION, acting_for  # noqa: E402


async def _lone(pool: asyncpg.Pool, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        await pool.fetchval("SELECT 1")
    return (time.perf_counter() - started) / n


async def _transactions(pool: asyncpg.Pool, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n // 3):
        async with pool.acquire() as conn, conn.transaction():
            for _ in range(3):
                await conn.fetchval("SELECT 1")
    return (time.perf_counter() - started) / (n // 3)


async def main(statements: int, rounds: int) -> None:
    embedded = start_embedded(Path(tempfile.mkdtemp(prefix="bench-tenant-pg-")))
    try:
        # The service's pool (OrganizationConnection) against the same pool on plain asyncpg connections.
        plain = await asyncpg.create_pool(embedded.url, min_size=1, max_size=1, init=_init_connection,
                                          reset=_keep_session)
        tenant = await create_pool(embedded.url, min_size=1, max_size=1)
        figures: dict[str, list[float]] = {"lone plain": [], "lone tenant": [], "tx plain": [], "tx tenant": [],
                                           "lone none": []}
        for _ in range(rounds):
            figures["lone plain"].append(await _lone(plain, statements))
            figures["lone tenant"].append(await _lone(tenant, statements))
            figures["tx plain"].append(await _transactions(plain, statements))
            figures["tx tenant"].append(await _transactions(tenant, statements))
            with acting_for(NO_ORGANIZATION):
                figures["lone none"].append(await _lone(tenant, statements))
        await plain.close()
        await tenant.close()
    finally:
        embedded.stop()
    median = {name: statistics.median(values) * 1e6 for name, values in figures.items()}
    print(f"lone statement:          plain {median['lone plain']:8.1f} us   tenant {median['lone tenant']:8.1f} us"
          f"   ratio {median['lone tenant'] / median['lone plain']:.2f}x")
    print(f"lone, no organization:   plain {median['lone plain']:8.1f} us   tenant {median['lone none']:8.1f} us"
          f"   ratio {median['lone none'] / median['lone plain']:.2f}x")
    print(f"3-statement transaction: plain {median['tx plain']:8.1f} us   tenant {median['tx tenant']:8.1f} us"
          f"   ratio {median['tx tenant'] / median['tx plain']:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.statements, args.rounds))
