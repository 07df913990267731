"""What the service keeps per connection pool (one database): the estimate inputs read for it, its batches of
estimate inserts. Kept by the pool's id with the pool itself, so a new pool that reuses a closed one's id never gets
its state; a closed pool's state is dropped when the next pool is first seen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import asyncpg

T = TypeVar("T")


def kept_for_pool(kept: dict[int, tuple[asyncpg.Pool, T]], pool: asyncpg.Pool, make: Callable[[], T]) -> T:
    """``kept``'s state of ``pool``, made by ``make`` the first time."""
    found = kept.get(id(pool))
    if found is not None and found[0] is pool:
        return found[1]
    for key, (other, _state) in list(kept.items()):
        if other.is_closing():
            del kept[key]
    state = make()
    kept[id(pool)] = (pool, state)
    return state
