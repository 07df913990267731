"""The rate limit counted in PostgreSQL: replicas share one limit; leases never add up to more than it."""

from __future__ import annotations

import asyncio
import uuid

from service.access.shared_ratelimit import SharedRateLimit, lease_size

HALF_PAST = 1_790_000_000 - 1_790_000_000 % 60 + 30.0  # the middle of a minute: no minute boundary in the test


def _takes(client, limiters, caller: str, n: int) -> list[float]:  # noqa: ANN001
    return [client.blocking_portal.call(limiters[i % len(limiters)].take, caller) for i in range(n)]


def test_two_replicas_share_one_limit_exactly_when_it_is_small(client) -> None:  # noqa: ANN001
    pool = client.app.state.pool
    a, b = (SharedRateLimit(pool, 10, clock=lambda: HALF_PAST) for _ in range(2))
    waits = _takes(client, [a, b], f"caller-{uuid.uuid4()}", 14)
    assert [w == 0 for w in waits] == [True] * 10 + [False] * 4
    assert all(w == 30.0 for w in waits[10:])  # seconds to the next minute


def test_leases_never_grant_more_than_the_limit(client) -> None:  # noqa: ANN001
    pool = client.app.state.pool
    assert lease_size(200) == 10
    replicas = [SharedRateLimit(pool, 200, clock=lambda: HALF_PAST) for _ in range(3)]
    caller = f"caller-{uuid.uuid4()}"
    waits = _takes(client, replicas, caller, 260)
    allowed = sum(1 for w in waits if w == 0)
    # each replica leases 10 at a time; 200 granted in all, of which each replica may hold up to 9 unspent
    assert 200 - 3 * 9 <= allowed <= 200
    assert client.blocking_portal.call(
        pool.fetchval, "SELECT used FROM rate_limit_windows WHERE caller = $1", caller) == 200


def test_without_the_database_each_process_counts_alone(client, database_url) -> None:  # noqa: ANN001
    from service.db.pool import create_pool  # noqa: PLC0415

    pool = client.blocking_portal.call(create_pool, database_url)
    client.blocking_portal.call(pool.close)  # as good as unreachable: every query raises
    limit = SharedRateLimit(pool, 3, clock=lambda: HALF_PAST)
    waits = _takes(client, [limit], "caller-offline", 4)
    assert [w == 0 for w in waits] == [True, True, True, False]


def test_requests_in_flight_wait_for_the_lease_being_asked_for(client) -> None:  # noqa: ANN001
    pool = client.app.state.pool
    limit = SharedRateLimit(pool, 200, clock=lambda: HALF_PAST)  # leases of 10
    caller = f"caller-{uuid.uuid4()}"

    async def together() -> list[float]:
        return list(await asyncio.gather(*(limit.take(caller) for _ in range(25))))

    assert client.blocking_portal.call(together) == [0.0] * 25
    # 25 requests at once: three leases of 10 asked one after the other (not 25 leases, which would spend the whole
    # minute's 200), 5 left unspent in the third
    assert client.blocking_portal.call(
        pool.fetchval, "SELECT used FROM rate_limit_windows WHERE caller = $1", caller) == 30


def test_a_large_lease_is_asked_for_again_ahead_and_no_request_waits_for_it(client) -> None:  # noqa: ANN001
    pool = client.app.state.pool
    assert lease_size(1000) == 50  # asked for again when 25 are left
    caller = f"caller-{uuid.uuid4()}"

    async def used() -> int:
        return await pool.fetchval("SELECT used FROM rate_limit_windows WHERE caller = $1", caller)

    async def scenario() -> tuple[list[float], int, bool, float, int]:
        limit = SharedRateLimit(pool, 1000, clock=lambda: HALF_PAST)
        waits = [await limit.take(caller) for _ in range(25)]  # the 25th leaves 25 and asks for the next lease
        for _ in range(50):
            if await used() == 100:
                break
            await asyncio.sleep(0.02)
        asked_ahead = await used()
        async with pool.acquire() as conn, conn.transaction():
            # the minute's row held: a lease asked for now waits until this transaction ends
            await conn.execute("SELECT used FROM rate_limit_windows WHERE caller = $1 FOR UPDATE", caller)
            # 75 left: all go at once (the 75th asks for the third lease ahead, which waits for the row)
            waits += [await asyncio.wait_for(limit.take(caller), 2) for _ in range(75)]
            spent = asyncio.create_task(limit.take(caller))  # both leases used up: this one waits for the third
            await asyncio.sleep(0.3)
            waited = not spent.done()
        return waits, asked_ahead, waited, await spent, await used()

    waits, asked_ahead, waited, last, total = client.blocking_portal.call(scenario)
    assert asked_ahead == 100  # the second lease, asked for before the first was used up
    assert waits == [0.0] * 100 and waited and last == 0.0
    assert total == 150  # three leases of 50, each asked for once


def test_leases_asked_ahead_never_grant_more_than_the_limit(client) -> None:  # noqa: ANN001
    pool = client.app.state.pool
    replicas = [SharedRateLimit(pool, 1000, clock=lambda: HALF_PAST) for _ in range(3)]  # leases of 50
    caller = f"caller-{uuid.uuid4()}"
    waits = _takes(client, replicas, caller, 1200)
    allowed = sum(1 for w in waits if w == 0)
    # 1,000 granted in all; each replica may hold up to a lease and a half unspent (75)
    assert 1000 - 3 * 75 <= allowed <= 1000
    assert client.blocking_portal.call(
        pool.fetchval, "SELECT used FROM rate_limit_windows WHERE caller = $1", caller) == 1000


def test_a_busy_callers_lease_of_the_next_minute_is_asked_for_before_the_minute_turns(client) -> None:  # noqa: ANN001
    pool = client.app.state.pool
    caller = f"caller-{uuid.uuid4()}"
    minute = HALF_PAST - 30  # a minute's start
    now = [minute + 50]

    async def used(window_start: float) -> int | None:
        return await pool.fetchval("SELECT used FROM rate_limit_windows WHERE caller = $1 AND window_start = "
                                   "to_timestamp($2::float8)", caller, window_start)

    async def scenario() -> tuple[int | None, list[float], int | None]:
        limit = SharedRateLimit(pool, 1000, clock=lambda: now[0])  # leases of 50
        assert await limit.take(caller) == 0.0  # this minute's first lease
        now[0] = minute + 58.5  # the minute's last 2 s: the next minute's lease is asked for meanwhile
        assert await limit.take(caller) == 0.0
        for _ in range(50):
            if await used(minute + 60) == 50:
                break
            await asyncio.sleep(0.02)
        next_minute = await used(minute + 60)
        now[0] = minute + 60.5
        async with pool.acquire() as conn, conn.transaction():
            # the new minute's row held: a lease asked for now waits until this transaction ends
            await conn.execute("SELECT used FROM rate_limit_windows WHERE caller = $1 FOR UPDATE", caller)
            waits = [await asyncio.wait_for(limit.take(caller), 2) for _ in range(30)]  # from the lease already held
        return next_minute, waits, await used(minute)

    next_minute, waits, this_minute = client.blocking_portal.call(scenario)
    assert next_minute == 50 and this_minute == 50  # one lease of each minute, the second asked for ahead
    assert waits == [0.0] * 30  # no request waited for a round trip when the minute turned
