"""Payer directory on the wire: ``GET /v1/payers`` (search by name) and the suggestions of a 422."""

from __future__ import annotations

import msgspec

__all__ = ["PayerMatch", "PayerSearchResult"]


class PayerMatch(msgspec.Struct, kw_only=True, frozen=True):
    """One payer a clearinghouse routes to, and how well it matched the name searched (0-100)."""

    payer_id: str
    name: str
    aliases: list[str] = []
    real_time_270: bool
    batch_270: bool
    score: int


class PayerSearchResult(msgspec.Struct, kw_only=True, frozen=True):
    clearinghouse: str
    query: str
    matches: list[PayerMatch]
