"""An estimate request is answered truthfully when storing it takes longer than the request timeout: a 504 ("It may
be retried, with the same Idempotency-Key") leaves no estimate and no audit row behind - stored afterwards, the
retry would make a second estimate of the same request - and a 201 is stored with its audit row. Here the
estimates table is locked by another session for longer than the request timeout, so the first estimate's insert
waits on the lock and a second estimate made meanwhile waits behind it. Once the lock is gone, a third estimate is
stored, behind anything still waiting to be stored."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest

from tests.integration.pricing.helpers import estimate_body, ppo_manual

pytestmark = pytest.mark.integration

TIMEOUT_SECONDS = 1.0
_WAITING = "SELECT count(*) FROM pg_locks WHERE relation = 'estimates'::regclass AND NOT granted"


def test_estimates_answered_504_are_not_stored_later(client, headers, database_url) -> None:
    body = estimate_body(manual={**ppo_manual(), "payer_id": "TIMEDOUTPPO"}, levels=["iop"])
    assert client.post("/v1/estimates", json=body, headers=headers["intake"]).status_code == 201  # inputs read
    request_ids = [f"timed-out-{n}-{uuid.uuid4().hex[:8]}" for n in range(3)]

    async def scenario() -> tuple[list[int], int, list[int]]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            def post(n: int) -> Any:
                return http.post("/v1/estimates", json=body,
                                 headers={**headers["intake"], "X-Request-Id": request_ids[n]})

            locker = await asyncpg.connect(database_url)
            try:
                before = await locker.fetchval("SELECT count(*) FROM estimates")
                async with locker.transaction():
                    await locker.execute("LOCK TABLE estimates IN EXCLUSIVE MODE")  # inserts wait, reads do not
                    first = asyncio.create_task(post(0))
                    await asyncio.sleep(0.2)  # the first insert is under way, waiting on the lock
                    second = asyncio.create_task(post(1))
                    await asyncio.sleep(TIMEOUT_SECONDS + 0.3)  # both requests past their deadline
                    for _ in range(40):  # an answered request's cancelled insert stops waiting (it takes a moment)
                        if not first.done() or not await locker.fetchval(_WAITING):
                            break
                        await asyncio.sleep(0.05)
                answers = [(await first).status_code, (await second).status_code]
                third = await post(2)  # after the lock: stored behind anything still waiting to be stored
                answers.append(third.status_code)
                await asyncio.sleep(0.3)
                added = await locker.fetchval("SELECT count(*) FROM estimates") - before
                audited = [await locker.fetchval(
                    "SELECT count(*) FROM audit_log WHERE action = 'estimate.create' AND request_id = $1", request_id)
                    for request_id in request_ids]
            finally:
                await locker.close()
        return answers, added, audited

    state = client.app.state
    settings = state["settings"]
    state["settings"] = msgspec.structs.replace(settings, request_timeout_seconds=TIMEOUT_SECONDS)
    try:
        answers, added, audited = client.blocking_portal.call(scenario)
    finally:
        state["settings"] = settings
    assert answers[2] == 201 and set(answers) <= {201, 504}, answers
    # each 201 stored once with its audit row, each 504 nothing (on main before the batched inserts: 504, 504, 201)
    assert audited == [1 if status == 201 else 0 for status in answers], (answers, audited)
    assert added == answers.count(201), (answers, added)
