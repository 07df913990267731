"""The API-key cache: bounded, short-lived, and unused while revocations cannot reach it."""

from __future__ import annotations

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
