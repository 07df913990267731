"""Large 271s are read in a worker process with the same answer and the same errors as inline."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from contracts.benefits import Source
from service.eligibility.benefits import benefits_from_271
from service.eligibility.parsing import OFFLOAD_CHARS, read_and_normalize
from service.eligibility.x12.tokenizer import X12FormatError
from tests.corpus import x12


def _large(name: str) -> str:
    """A corpus 271 with ~500 extra benefit rows (each a copy of a mental-health coinsurance row)."""
    text = x12(name)
    rows = "".join(f"EB*A*IND*MH*PR****0.25****Y~\nMSG*ROW {i}~\n" for i in range(500))
    text = text.replace("SE*", rows + "SE*", 1)
    assert len(text) > OFFLOAD_CHARS
    return text


def test_a_large_271_is_read_off_the_loop_with_the_same_answer() -> None:
    text = _large("commercial-wrong-se-count-no-iea.271")
    parsed, benefits = asyncio.run(read_and_normalize(text, source=Source.POSTED_271))
    inline = benefits_from_271(text, source=Source.POSTED_271)
    assert msgspec.json.encode(benefits) == msgspec.json.encode(inline)
    assert len(benefits.benefit_rows) == 504  # the 4 rows sent + the 500 added
    assert parsed.subscriber.demographics.last_name == "FISHER"


def test_a_large_truncated_271_is_the_same_422_error() -> None:
    text = _large("commercial-wrong-se-count-no-iea.271")
    cut = text[: text.index("SE*")]
    with pytest.raises(X12FormatError, match="no SE segment"):
        asyncio.run(read_and_normalize(cut, source=Source.POSTED_271))
