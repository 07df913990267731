"""Large 271s are read in a worker process with the same answer and the same errors as inline."""

from __future__ import annotations

import asyncio
import multiprocessing

import msgspec
import pytest

from contracts.benefits import Source
from service.eligibility.benefits import benefits_from_271
from service.eligibility import parsing
from service.eligibility.parsing import OFFLOAD_CHARS, read_and_normalize
from service.eligibility.rows_json import rows_of
from service.eligibility.x12.tokenizer import X12FormatError
from tests.corpus import x12, x12_with_extra_rows


def _large(name: str) -> str:
    text = x12_with_extra_rows(name, 500)
    assert len(text) > OFFLOAD_CHARS
    return text


def test_a_large_271_is_read_off_the_loop_with_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _large("commercial-wrong-se-count-no-iea.271")
    inline = benefits_from_271(text, source=Source.POSTED_271)

    def not_here(_text: str) -> None:
        raise AssertionError("read on the event loop's process")

    # The worker is another (spawned) process: this process's reader is never called for a large document.
    monkeypatch.setattr(parsing, "read_271", not_here)
    parsed, benefits = asyncio.run(read_and_normalize(text, source=Source.POSTED_271))
    assert msgspec.json.encode(benefits) == msgspec.json.encode(inline)
    # The rows come back as one JSON array, never decoded into objects here; rows_of decodes them on demand.
    assert isinstance(benefits.benefit_rows, msgspec.Raw)
    assert len(rows_of(benefits)) == 504  # the 4 rows sent + the 500 added
    assert rows_of(benefits) == inline.benefit_rows
    assert parsed.subscriber.demographics.last_name == "FISHER"
    with pytest.raises(AssertionError, match="event loop"):  # a small one is read inline
        asyncio.run(read_and_normalize(x12("commercial-wrong-se-count-no-iea.271"), source=Source.POSTED_271))


def test_a_large_truncated_271_is_the_same_422_error() -> None:
    text = _large("commercial-wrong-se-count-no-iea.271")
    cut = text[: text.index("SE*")]
    with pytest.raises(X12FormatError, match="no SE segment"):
        asyncio.run(read_and_normalize(cut, source=Source.POSTED_271))


def _parse_large_in_a_child() -> None:
    asyncio.run(read_and_normalize(_large("commercial-wrong-se-count-no-iea.271"), source=Source.POSTED_271))


def test_a_server_worker_that_used_the_pool_still_exits() -> None:
    """A server worker is a multiprocessing child; such a process joins its children before it exits, so a pool
    shut down only by atexit kept a stopped worker (and the port) alive for ever."""
    child = multiprocessing.get_context("spawn").Process(target=_parse_large_in_a_child)
    child.start()
    child.join(60)
    alive = child.is_alive()
    if alive:
        child.kill()
    assert not alive and child.exitcode == 0
