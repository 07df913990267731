"""Per-process memo of what a stored check reads as: its benefits decoded, the plain-words message, read_aloud.

A cached eligibility check answers from the stored row, and building these three from the row's benefits cost more
than the database read itself. They depend on the row's benefits and status only, and a row's benefits do not
change without its ``updated_at`` changing (a trigger sets it on every update), so they are kept per
(organization, check id, updated_at, status):

- the entry is looked up only after the database returned the row to this caller (row-level security decides
  whose rows a request sees), and the key carries the organization as well, so no entry answers another
  organization's caller;
- the key is a random check id, never PHI; the values hold no name, date of birth or member id (the patient summary
  is read from the row each time), and they stay in this process's memory only (never a log, file or shared store);
- at most :data:`MAX_ENTRIES` and :data:`MAX_ROW_BYTES` of benefit rows (a 1 MB 271's rows are about 3.4 MB of
  JSON: without a byte bound 2048 of them would be gigabytes), the least recently used dropped first; a view whose
  rows alone exceed 1/:data:`_PER_VIEW_SHARE` of that bound is built each time and never kept.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from contracts.benefits import NormalizedBenefits
from contracts.read_aloud import SpokenLine

MAX_ENTRIES = 2048
MAX_ROW_BYTES = 64 * 1024 * 1024
#: A view may weigh at most 1/_PER_VIEW_SHARE of the byte bound (heavier ones are not kept).
_PER_VIEW_SHARE = 16
#: Rows decoded into objects are weighed at about this many bytes each (a typical row's JSON is ~300 bytes).
_BYTES_PER_DECODED_ROW = 512


@dataclass(frozen=True, slots=True)
class CheckView:
    benefits: NormalizedBenefits
    message: str
    read_aloud: tuple[SpokenLine, ...]

    @property
    def row_bytes(self) -> int:
        rows = self.benefits.benefit_rows
        return len(rows) if isinstance(rows, msgspec.Raw) else len(rows) * _BYTES_PER_DECODED_ROW


class CheckViews:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_row_bytes: int = MAX_ROW_BYTES) -> None:
        self.max_entries = max_entries
        self.max_row_bytes = max_row_bytes
        self._entries: OrderedDict[tuple[str | None, Any, dt.datetime | None, str], CheckView] = OrderedDict()
        self._row_bytes = 0

    def view(self, organization_id: str | None, row: Any, build: Callable[[], CheckView]) -> CheckView:
        """The view of ``row`` (a stored check this caller was just given), built once per row version."""
        key = (organization_id, row["id"], row["updated_at"], row["status"])
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found
        made = build()
        weight = made.row_bytes
        if weight > self.max_row_bytes // _PER_VIEW_SHARE:
            return made
        self._entries[key] = made
        self._row_bytes += weight
        while len(self._entries) > self.max_entries or self._row_bytes > self.max_row_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._row_bytes -= dropped.row_bytes
        return made

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def row_bytes(self) -> int:
        return self._row_bytes
