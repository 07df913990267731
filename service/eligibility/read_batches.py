"""Audited reads of stored checks, grouped: the reads of concurrent requests go to PostgreSQL together, as one
statement with one commit (migration 0952), so each pays a share of one WAL flush instead of a flush of its own.

A read joins the reads waiting to be sent and awaits its own row. With no batch in flight, waiting reads go at once
(alone, when nothing else waits: no read waits for company); reads that arrive meanwhile gather into the next
batch, sent as soon as the one in flight comes back - or at once, as a second batch in flight (at most
:attr:`ReadBatches.in_flight`), when :attr:`ReadBatches.next_with` reads wait (16), so a slow batch holds up no
more than that. So under load a batch holds about the reads that arrived during one round trip, and alone a read
costs what it did on its own. Each batch is one commit, a WAL flush: PostgreSQL's largest cost per statement (about
0.4 ms of CPU for a batch that writes audit rows, against ~0.05 ms per read in it), so fewer, larger batches cost
less per read. (Before, a second batch went with any read waiting: batches of ~8 reads under wrk at 64 connections.)

Nothing is answered before its audit row is committed: a read's row is handed over only after the statement, and
with it the commit of every audit row of its batch, completed. A batch the database refused is tried again read by
read, so a read that cannot be done fails alone; the others are answered (their audit rows, rolled back with the
failed batch, are written again by their own statements). A batch that cannot reach the database fails every read
in it at once (the service answers 503), never one by one. Each read acts for the organization of the request that made
it (:func:`service.db.tenant.current_organization` when it was made), set by the database function for that
read alone. Estimates are stored the same way (:meth:`ReadBatches.write`: a write whose caller is cancelled is taken
out while it waits, and awaited to its end once sent).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from service.db.availability import is_database_outage
from service.db.tenant import current_organization

__all__ = ["ReadBatches"]


class ReadBatches:
    """Sends ``query`` (one statement over arrays: one element per read, ``$1`` the organizations) for batches of
    reads and hands each read the row numbered with its place in the batch (column ``n``, from 1), or None."""

    def __init__(self, pool: asyncpg.Pool, query: str, *, max_batch: int = 64, in_flight: int = 2,
                 next_with: int = 16) -> None:
        self.pool = pool
        self.query = query
        self.max_batch = max_batch
        self.in_flight = in_flight
        self.next_with = next_with
        self._waiting: list[tuple[tuple[Any, ...], asyncio.Future[Any]]] = []
        self._sending = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def read(self, *args: Any) -> asyncpg.Record | None:
        """The row of one read (``args``: its elements of the arrays after ``$1``), once its audit row is committed."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append(((current_organization(), *args), future))
        if self._may_send():
            self._send_next()
        return await future

    async def write(self, *args: Any) -> asyncpg.Record | None:
        """As :meth:`read`, for a statement that writes (``service/pricing/store.py``'s estimates). A caller cancelled
        (its request timed out: a 504 that says it may be retried) before its write was sent takes it out of the
        batch: nothing is written. Once sent, the write is not cancelled with its caller (the batch is others' too):
        its outcome is awaited and returned all the same, so a write the database commits is never answered as one
        that was not made (a 504 then a retry would make it twice)."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        entry = ((current_organization(), *args), future)
        self._waiting.append(entry)
        if self._may_send():
            self._send_next()
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            if any(waiting is entry for waiting in self._waiting):  # not sent yet: it never will be
                self._waiting = [waiting for waiting in self._waiting if waiting is not entry]
                future.cancel()
                raise
            return await future

    def _may_send(self) -> bool:
        return self._sending == 0 or (self._sending < self.in_flight and len(self._waiting) >= self.next_with)

    def _send_next(self) -> None:
        batch, self._waiting = self._waiting[:self.max_batch], self._waiting[self.max_batch:]
        self._sending += 1
        task = asyncio.get_running_loop().create_task(self._send(batch))
        self._tasks.add(task)  # a reference until it ends (the loop keeps only a weak one)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, batch: list[tuple[tuple[Any, ...], asyncio.Future[Any]]]) -> None:
        try:
            await self._answer(batch)
        finally:
            for _, future in batch:  # only when this task was cancelled (shutdown): no answer will come
                if not future.done():
                    future.cancel()
            self._sending -= 1
            if self._waiting and self._may_send():
                self._send_next()

    async def _answer(self, batch: list[tuple[tuple[Any, ...], asyncio.Future[Any]]]) -> None:
        try:
            rows = await self._fetch([args for args, _ in batch])
        except Exception as exc:  # noqa: BLE001 - handed to the reads that wait for it
            if len(batch) > 1 and isinstance(exc, asyncpg.PostgresError) and not is_database_outage(exc):
                for one in batch:  # the statement refused one read: read by read, only that one fails
                    await self._answer([one])
                return
            for _, future in batch:  # the database is unreachable: every read fails at once (503 Retry-After)
                if not future.done():
                    future.set_exception(exc)
            return
        found = {row["n"]: row for row in rows}
        for n, (_, future) in enumerate(batch, 1):
            if not future.done():  # a request cancelled meanwhile (its read is audited all the same)
                future.set_result(found.get(n))

    async def _fetch(self, reads: list[tuple[Any, ...]]) -> list[asyncpg.Record]:
        columns = [list(column) for column in zip(*reads)]
        async with self.pool.acquire() as conn:
            return await conn.fetch_setting_its_own(self.query, *columns)
