"""Payer directory lookups the API needs: search by name, and the check that a 270's payer id is known."""

from __future__ import annotations

from typing import Any

from contracts.payers import PayerMatch, PayerSearchResult
from service.eligibility.payers import store
from service.eligibility.payers.directory import PayerEntry, closest
from service.errors import FieldError, Unprocessable

__all__ = ["search", "require_known"]


def _match(entry: PayerEntry, score: int) -> PayerMatch:
    return PayerMatch(payer_id=entry.payer_id, name=entry.name, aliases=list(entry.aliases),
                      real_time_270=entry.real_time_270, batch_270=entry.batch_270, score=score)


async def search(db: Any, clearinghouse: str, name: str, *, limit: int = 10) -> PayerSearchResult:
    payers = await store.entries(db, clearinghouse)
    return PayerSearchResult(
        clearinghouse=clearinghouse, query=name,
        matches=[_match(e, s) for e, s in closest(name, payers, limit=limit)],
    )


async def require_known(db: Any, settings: Any, payer_id: str, payer_name: str | None) -> PayerEntry | None:
    """With ``PAYER_DIRECTORY_REQUIRED``: the directory entry of ``payer_id``, else a 422 naming the closest payers.

    A payer the directory lists without real-time 270s is a 422 too (its checks go through batches).
    """
    if not settings.payer_directory_required:
        return None
    clearinghouse = settings.clearinghouse_name
    entry = await store.find(db, clearinghouse, payer_id)
    if entry is not None:
        if not entry.real_time_270:
            reason = (f"{entry.name} ({entry.payer_id}) takes no real-time eligibility checks through "
                      f"{clearinghouse}; check by phone or in a batch")
            raise Unprocessable(reason, errors=[FieldError(field="$.payer_id", reason=reason)],
                                slug="payer-not-real-time", title="This payer takes no real-time eligibility checks")
        return entry
    payers = await store.entries(db, clearinghouse)
    suggestions = [e for e, _ in closest(payer_name or payer_id, payers, limit=3)] if payers else []
    named = "; ".join(f"{e.name} ({e.payer_id})" for e in suggestions)
    reason = f"payer id {payer_id!r} is not in the {clearinghouse} payer directory" + (
        f"; closest: {named}" if named else "")
    raise Unprocessable(reason, errors=[FieldError(field="$.payer_id", reason=reason)], slug="unknown-payer",
                        title="The payer id is not in the clearinghouse's payer directory")
