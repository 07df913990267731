"""The API-key cache: bounded, short-lived, and unused while revocations cannot reach it."""

from __future__ import annotations

import asyncio

from service.access.caller_cache import CallerCache
from service.access.roles import Caller, Role

ALICE = Caller(actor_id="k1", actor_name="front desk", role=Role.INTAKE)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_lives_ttl_seconds_then_is_asked_again() -> None:
    clock = Clock()
    cache = CallerCache(ttl_seconds=10, clock=clock)
    cache.active = True
    cache.put(b"h1", ALICE)
    clock.now += 9.9
    assert cache.get(b"h1") == ALICE
    clock.now += 0.1
    assert cache.get(b"h1") is None
    assert len(cache) == 0


def test_at_most_max_entries_least_recently_used_dropped_first() -> None:
    cache = CallerCache(max_entries=2)
    cache.active = True
    cache.put(b"a", ALICE)
    cache.put(b"b", ALICE)
    assert cache.get(b"a") == ALICE  # a is now the most recently used
    cache.put(b"c", ALICE)
    assert len(cache) == 2
    assert cache.get(b"b") is None and cache.get(b"a") == ALICE and cache.get(b"c") == ALICE


def test_without_the_change_listener_nothing_is_kept_or_served() -> None:
    cache = CallerCache()
    cache.put(b"a", ALICE)  # inactive: not kept
    cache.active = True
    assert cache.get(b"a") is None
    cache.put(b"a", ALICE)
    cache.active = False  # the listener's connection was lost: revocations may be missed
    assert cache.get(b"a") is None


class _Keys:
    """A stand-in for PostgreSQL's key look-up: counts look-ups, answers when the test lets it."""

    def __init__(self, caller: Caller | None = ALICE) -> None:
        self.caller = caller
        self.asked = 0
        self.answer = asyncio.Event()
        self.answer.set()

    async def __call__(self, _source: object, _key_hash: bytes) -> Caller | None:
        self.asked += 1
        caller = self.caller  # what PostgreSQL says when asked
        await self.answer.wait()
        return caller


def test_requests_that_find_a_key_missing_together_share_one_look_up() -> None:
    async def go() -> tuple[list[Caller | None], int, Caller | None]:
        cache, keys = CallerCache(), _Keys()
        cache.active = True
        keys.answer.clear()
        waiting = [asyncio.ensure_future(cache.caller(b"h1", keys, None)) for _ in range(30)]
        await asyncio.sleep(0.01)
        keys.answer.set()
        return await asyncio.gather(*waiting), keys.asked, cache.get(b"h1")

    callers, asked, kept = asyncio.run(go())
    assert callers == [ALICE] * 30 and asked == 1 and kept == ALICE


def test_an_entry_near_its_end_is_served_and_renewed_in_the_background() -> None:
    async def go() -> tuple[Caller | None, int, Caller | None, int]:
        clock, keys = Clock(), _Keys()
        cache = CallerCache(ttl_seconds=10, clock=clock)
        cache.active = True
        await cache.caller(b"h1", keys, None)  # looked up at 100: kept until 110
        clock.now += 8.5  # 1.5 s left: served at once, renewed meanwhile
        keys.answer.clear()
        served = await asyncio.wait_for(cache.caller(b"h1", keys, None), 1)
        keys.answer.set()
        await asyncio.sleep(0.01)
        clock.now += 9.9  # 118.4: the renewal (at 108.5) keeps it until 118.5
        return served, keys.asked, await cache.caller(b"h1", keys, None), keys.asked

    served, asked_then, later, asked_later = asyncio.run(go())
    assert served == ALICE and asked_then == 2 and later == ALICE and asked_later == 2


def test_a_look_up_begun_before_the_cache_was_cleared_is_not_kept_nor_joined_after() -> None:
    async def go() -> tuple[Caller | None, Caller | None, Caller | None, int]:
        cache, keys = CallerCache(), _Keys()
        cache.active = True
        keys.answer.clear()
        before = asyncio.ensure_future(cache.caller(b"h1", keys, None))
        await asyncio.sleep(0.01)
        cache.clear()  # the key was revoked meanwhile
        keys.caller = None  # PostgreSQL now knows it is revoked
        after = asyncio.ensure_future(cache.caller(b"h1", keys, None))  # asks again, does not join the first
        await asyncio.sleep(0.01)
        keys.answer.set()
        return await after, cache.get(b"h1"), await before, keys.asked

    after, kept, before, asked = asyncio.run(go())
    assert before == ALICE  # the request made before the revocation got its answer
    assert after is None and kept is None and asked == 2  # nothing after it did, and the cache kept nothing
