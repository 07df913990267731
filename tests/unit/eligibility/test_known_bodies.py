"""The fast path's memo of request bodies already found good (service/eligibility/reused_checks.py): bounded."""

from __future__ import annotations

from service.eligibility.reused_checks import KnownBodies


def test_known_bodies_keep_the_newest_and_drop_the_oldest_past_their_bound() -> None:
    known = KnownBodies(max_bodies=2)
    for digest, key in ((b"a", "key-a"), (b"b", "key-b"), (b"c", "key-c")):
        known.remember(digest, key)
    assert [known.key_for(d) for d in (b"a", b"b", b"c")] == [None, "key-b", "key-c"]
