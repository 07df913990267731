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
- at most :data:`MAX_ENTRIES`, the least recently used dropped first.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contracts.benefits import NormalizedBenefits
from contracts.read_aloud import SpokenLine

MAX_ENTRIES = 2048


@dataclass(frozen=True, slots=True)
class CheckView:
    benefits: NormalizedBenefits
    message: str
    read_aloud: tuple[SpokenLine, ...]


class CheckViews:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str | None, Any, dt.datetime | None, str], CheckView] = OrderedDict()

    def view(self, organization_id: str | None, row: Any, build: Callable[[], CheckView]) -> CheckView:
        """The view of ``row`` (a stored check this caller was just given), built once per row version."""
        key = (organization_id, row["id"], row["updated_at"], row["status"])
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found
        made = build()
        self._entries[key] = made
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return made

    def __len__(self) -> int:
        return len(self._entries)
