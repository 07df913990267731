"""A read answered before routing (checks_by_id.py, reused_checks.py) that fails after its audit row was committed
- the stored check's answer cannot be made, e.g. benefits stored under an older contract - is audited once, as the
route audits it: handed on to the route, it would be read, and audited, a second time."""

from __future__ import annotations

from typing import Any

import pytest

from service.eligibility import service
from tests.integration.eligibility.helpers import body_for
from tests.integration.eligibility.test_checks_by_id import PATH, _both
from tests.integration.eligibility.test_reused_checks import PATH as CHECKS
from tests.integration.eligibility.test_reused_checks import _both as _both_posted


@pytest.fixture(scope="module")
def stored(client, headers) -> tuple[str, dict[str, Any]]:  # noqa: ANN001
    body = body_for("PPO-FAM-006")
    made = client.post(CHECKS, json=body, headers=headers["intake"])
    assert made.status_code in (200, 201), made.text
    return made.json()["id"], body


def _unanswerable(*_: Any, **__: Any) -> Any:
    raise RuntimeError("the stored check's answer cannot be made")


def test_a_check_read_by_id_that_fails_after_its_audited_read_is_audited_once(client, headers, stored,  # noqa: ANN001
                                                                              monkeypatch) -> None:
    monkeypatch.setattr(service, "_answer", _unanswerable)
    first, second = _both(client, headers["intake"], PATH + stored[0])
    assert second[0][0] == 500 and [row[6] for row in second[1]] == ["success"]  # the route: one read, one row
    assert first == second


def test_a_reused_check_that_fails_after_its_audited_read_is_audited_once(client, headers, stored,  # noqa: ANN001
                                                                          monkeypatch) -> None:
    monkeypatch.setattr(service, "_answer", _unanswerable)
    first, second = _both_posted(client, headers["intake"], stored[1])
    assert second[0][0] == 500 and [row[2] for row in second[1]] == ["eligibility.cache_hit"]
    assert first == second
