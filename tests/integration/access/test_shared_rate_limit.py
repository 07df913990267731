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
