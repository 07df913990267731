"""Batched audited reads against a stand-in pool: what a batch hands each read when the database fails."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from service.eligibility.read_batches import ReadBatches


class _Pool:
    """Answers each read (a one-element tuple of arrays per column) with its number, or raises ``failure``."""

    def __init__(self, failure: BaseException | None) -> None:
        self.failure = failure
        self.statements: list[int] = []

    def acquire(self) -> _Pool:
        return self

    async def __aenter__(self) -> _Pool:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    async def fetch_setting_its_own(self, _query: str, *columns: list[Any]) -> list[dict[str, int]]:
        self.statements.append(len(columns[0]))
        await asyncio.sleep(0)
        if self.failure is not None and (isinstance(self.failure, asyncpg.CannotConnectNowError)
                                         or "bad" in columns[1]):
            raise self.failure
        return [{"n": n} for n in range(1, len(columns[0]) + 1)]


def _read_all(pool: _Pool, values: list[str]) -> list[Any]:
    async def go() -> list[Any]:
        batches = ReadBatches(pool, "query")  # type: ignore[arg-type]
        return await asyncio.gather(*(batches.read(value) for value in values), return_exceptions=True)

    return asyncio.run(go())


def test_a_database_out_of_reach_fails_every_read_of_a_batch_at_once():
    pool = _Pool(asyncpg.CannotConnectNowError("the database system is starting up"))
    answers = _read_all(pool, [f"read {n}" for n in range(10)])
    assert all(isinstance(answer, asyncpg.CannotConnectNowError) for answer in answers)
    assert sum(pool.statements) == 10  # each read tried once (in its batch), never again one by one


def test_a_read_the_database_refuses_fails_alone():
    pool = _Pool(asyncpg.NotNullViolationError("null value in column \"actor\""))
    answers = _read_all(pool, ["read 0", "read 1", "bad", "read 3", "read 4"])
    assert isinstance(answers[2], asyncpg.NotNullViolationError)
    assert [answer["n"] for n, answer in enumerate(answers) if n != 2] == [1, 1, 1, 1]  # each alone, at last
    assert max(pool.statements) > 1  # they were tried together first


class _HeldPool(_Pool):
    """Answers each batch only when the test lets it go."""

    def __init__(self) -> None:
        super().__init__(None)
        self.go = asyncio.Event()

    async def fetch_setting_its_own(self, _query: str, *columns: list[Any]) -> list[dict[str, int]]:
        self.statements.append(len(columns[0]))
        await self.go.wait()
        return [{"n": n} for n in range(1, len(columns[0]) + 1)]


def test_while_a_batch_is_in_flight_the_next_goes_when_it_comes_back_or_when_enough_reads_wait():
    async def go() -> tuple[list[int], list[int], list[int]]:
        pool = _HeldPool()
        batches = ReadBatches(pool, "query", in_flight=2, next_with=3)  # type: ignore[arg-type]
        reads = [asyncio.ensure_future(batches.read(f"read {n}")) for n in range(3)]
        await asyncio.sleep(0.01)
        first = list(pool.statements)  # the first read went alone; two wait for it (fewer than 3)
        reads.append(asyncio.ensure_future(batches.read("read 3")))  # the third waiting: a second batch goes
        await asyncio.sleep(0.01)
        second = list(pool.statements)
        reads.append(asyncio.ensure_future(batches.read("read 4")))  # two in flight: it waits for one to come back
        pool.go.set()
        answers = await asyncio.gather(*reads)
        assert all(answer is not None for answer in answers)
        return first, second, pool.statements

    first, second, every = asyncio.run(go())
    assert first == [1]
    assert second == [1, 3]
    assert every == [1, 3, 1]


def test_a_write_cancelled_before_it_is_sent_is_never_sent_and_one_sent_is_answered_all_the_same():
    async def go() -> tuple[Any, list[int], bool]:
        pool = _HeldPool()
        batches = ReadBatches(pool, "query")  # type: ignore[arg-type]
        sent = asyncio.ensure_future(batches.write("write 0"))  # goes at once, held in flight
        await asyncio.sleep(0.01)
        queued = asyncio.ensure_future(batches.write("write 1"))  # waits for the batch in flight
        await asyncio.sleep(0.01)
        sent.cancel()  # its request timed out: the write was sent, so its outcome is awaited all the same
        queued.cancel()  # not sent yet: taken out
        await asyncio.sleep(0.01)
        pool.go.set()
        answer = await sent
        await asyncio.sleep(0.01)
        return answer, pool.statements, queued.cancelled()

    answer, statements, queued_cancelled = asyncio.run(go())
    assert answer == {"n": 1} and queued_cancelled
    assert statements == [1]  # the queued write never went


def test_a_write_waiting_for_its_batch_is_not_left_waiting_when_the_batch_is_cancelled():
    async def go() -> bool:
        pool = _HeldPool()
        batches = ReadBatches(pool, "query")  # type: ignore[arg-type]
        write = asyncio.ensure_future(batches.write("write 0"))
        await asyncio.sleep(0.01)
        write.cancel()  # sent: it waits for its batch's answer
        await asyncio.sleep(0.01)
        for task in list(batches._tasks):  # noqa: SLF001 - the batch itself cancelled, as at shutdown
            task.cancel()
        try:
            await asyncio.wait_for(write, 1)
        except asyncio.CancelledError:
            return True
        return False

    assert asyncio.run(go())
