"""The reused-check fast path (service/eligibility/reused_checks.py) remembers request bodies it found good
(KnownBodies: the body's digest -> its cache key, the same for every organization). Two organizations posting the
very same bytes each get their own organization's check - a fresh one the first time - never the other's, and each
read is audited as its own organization's row."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
import pytest

from tests.integration.eligibility.helpers import body_for

pytestmark = pytest.mark.integration

PATH = "/v1/eligibility/checks"


def test_the_same_body_from_two_organizations_reads_each_its_own_check(client, new_organization,
                                                                       database_url) -> None:
    first, first_keys = new_organization("bodies")
    second, second_keys = new_organization("bodies")
    body = json.dumps(body_for("PPO-FAM-006")).encode()  # the same bytes every time
    sent: list[tuple[str, str, Any]] = []

    def post(organization: str, keys: dict[str, dict[str, str]]) -> Any:
        request_id = f"bodies-{uuid.uuid4().hex[:12]}"
        answer = client.post(PATH, content=body, headers={**keys["intake"], "X-Request-Id": request_id,
                                                          "Content-Type": "application/json"})
        assert answer.status_code in (200, 201), answer.text
        sent.append((organization, request_id, answer.json()["id"]))
        return answer.status_code, answer.json()["id"], answer.json()["from_cache"]

    made_first = post(first, first_keys)
    reused_first = post(first, first_keys)  # the fast path now knows the body
    made_second = post(second, second_keys)
    reused_second = post(second, second_keys)
    again_first = post(first, first_keys)

    first_id, second_id = made_first[1], made_second[1]
    assert made_first[0] == 201 and made_second[0] == 201 and first_id != second_id
    assert reused_first == (200, first_id, True) and again_first == (200, first_id, True)
    assert reused_second == (200, second_id, True)

    async def audit_rows() -> dict[str, list[tuple[str, str, str]]]:
        conn = await asyncpg.connect(database_url)  # the owner: every organization's rows
        try:
            rows = await conn.fetch("SELECT request_id, organization_id, action, resource_id FROM audit_log "
                                    "WHERE request_id = ANY($1::text[]) AND resource_type = 'eligibility_check' "
                                    "ORDER BY id", [request_id for _, request_id, _ in sent])
        finally:
            await conn.close()
        found: dict[str, list[tuple[str, str, str]]] = {}
        for row in rows:
            found.setdefault(row["request_id"], []).append((row["organization_id"], row["action"], row["resource_id"]))
        return found

    audited = client.blocking_portal.call(audit_rows)
    for organization, request_id, check_id in sent:
        rows = audited.get(request_id, [])
        # every row of a request names its own organization and the check it answered with, and a reuse is audited
        assert rows and all(row[0] == organization and row[2] == check_id for row in rows), (request_id, rows)
    for _, request_id, _ in (sent[1], sent[3], sent[4]):  # the reuses
        assert [row[1] for row in audited[request_id]] == ["eligibility.cache_hit"], audited[request_id]
