"""The batch queue: procrastinate (PostgreSQL-backed jobs) on the service's own database.

procrastinate uses psycopg 3 beside the service's asyncpg: two drivers, one database, its own tables
(``procrastinate_*``). Its schema is applied once, under an advisory lock, by whoever starts first
(``serve``, ``worker`` or a command), as the owner and before the app role is granted its privileges, so
the queue then runs as that least-privileged role like everything else; a procrastinate upgrade that changes the schema ships migrations
of its own (``procrastinate schema --migrate``), to be run before the new version starts.

One job per lane (``lanes.py``): ``eligibility.verify_lane(batch_id, lane)`` with the lock
``clearinghouse-lane-<lane>``. A worker that dies (SIGKILL, machine lost) stops sending heartbeats;
every worker looks for such stalled jobs every few seconds and queues them again, and the lane goes
on from its first pending item, so nothing is lost.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import procrastinate
from procrastinate.schema import SchemaManager

__all__ = ["QUEUE", "TASK_NAME", "make_queue", "ensure_queue_schema", "ensure_queue_schema_at", "defer_lanes",
           "requeue_stalled"]

QUEUE = "eligibility_batches"
TASK_NAME = "eligibility.verify_lane"
#: An arbitrary constant: serializes schema creation between processes starting together.
_SCHEMA_LOCK = 0x0E11_B47C


async def ensure_queue_schema(conn: asyncpg.Connection) -> bool:
    """Create procrastinate's tables and functions unless they exist. True when it created them."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _SCHEMA_LOCK)
        if await conn.fetchval("SELECT to_regclass('procrastinate_jobs') IS NOT NULL"):
            return False
        await conn.execute(SchemaManager.get_schema())
    return True


async def ensure_queue_schema_at(owner_url: str) -> bool:
    """:func:`ensure_queue_schema` over a connection of the schema's owner (DDL), closed afterwards."""
    owner = await asyncpg.connect(owner_url)
    try:
        return await ensure_queue_schema(owner)
    finally:
        await owner.close()


def make_queue(database_url: str, *, pool_max: int = 4) -> procrastinate.App:
    """A procrastinate App on ``database_url`` with the lane task registered (not opened)."""
    from service.eligibility.batches.runner import verify_lane  # noqa: PLC0415 - the task imports the service

    connector = procrastinate.PsycopgConnector(conninfo=database_url, min_size=1, max_size=pool_max)
    app = procrastinate.App(connector=connector)
    app.task(name=TASK_NAME, queue=QUEUE, pass_context=True, retry=False)(verify_lane)
    return app


async def defer_lanes(queue: procrastinate.App, batch_id: str, lanes: int) -> None:
    from service.eligibility.batches.lanes import lock_for  # noqa: PLC0415

    task = queue.tasks[TASK_NAME]
    for lane in range(lanes):
        await task.configure(lock=lock_for(lane)).defer_async(batch_id=batch_id, lane=lane)


async def requeue_stalled(queue: procrastinate.App, *, seconds_since_heartbeat: float) -> int:
    """Queue again the jobs of workers whose heartbeat is older than ``seconds_since_heartbeat``."""
    stalled: Any = await queue.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=seconds_since_heartbeat,
    )
    count = 0
    for job in stalled:
        await queue.job_manager.retry_job(job)
        count += 1
    return count
