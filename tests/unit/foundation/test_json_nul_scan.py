"""The body NUL check's fast path (a substring search before the regular expression) decides exactly as the
regular expression alone: same answer on every mix of backslashes, u/U and zeros."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.middleware import _JSON_NUL, may_hold_json_nul

_PIECES = st.sampled_from([b"\\", b"\\\\", b"u", b"U", b"0", b"0000", b"\\u0000", b"\\U0000", b'"', b"a", b"~"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map(b"".join))
def test_fast_path_agrees_with_the_regular_expression(window: bytes) -> None:
    assert may_hold_json_nul(window) == (_JSON_NUL.search(window) is not None)


def test_an_escaped_backslash_before_u0000_is_text_not_nul() -> None:
    assert may_hold_json_nul(rb'{"x12": "a\u0000"}')
    assert not may_hold_json_nul(rb'{"x12": "a\\u0000"}')  # the JSON text "a\u0000": six ordinary characters
    assert may_hold_json_nul(rb'{"x12": "a\\\u0000"}')  # a backslash, then NUL
