"""Per-process memo of what a stored check reads as: its benefits decoded, the plain-words message, read_aloud, and
the answer encoded as JSON.

A cached eligibility check answers from the stored row, and building these from the row's benefits cost more than
the database read itself. They depend on the row's benefits and status only, and a row's benefits do not change
without its ``updated_at`` changing (a trigger sets it on every update), so one entry is kept per (organization,
check id), for the row version (``updated_at``, ``status``) it was built from; a newer version replaces it.

- the entry is looked up only after the database returned the row to this caller (row-level security decides
  whose rows a request sees), and the key carries the organization as well, so no entry answers another
  organization's caller. A caller may tell the database which version it holds (:meth:`CheckViews.held`): the
  read then leaves the benefits out when the row is still that version, and the held answer is used;
- the key is a random check id, never PHI; the values hold no name, date of birth or member id: the encoded
  answer (:class:`CheckAnswer`) is everything but ``from_cache``, ``age_seconds`` and ``patient``, which are
  spliced in per request, the patient from the row read each time. Entries stay in this process's memory only
  (never a log, file or shared store);
- at most :data:`MAX_ENTRIES` and :data:`MAX_ROW_BYTES` of benefit rows and encoded answers (a 1 MB 271's rows are
  about 3.4 MB of JSON: without a byte bound 2048 of them would be gigabytes), the least recently used dropped
  first; a view whose rows alone exceed 1/:data:`_PER_VIEW_SHARE` of that bound is built each time and never kept.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar.serialization import encode_json

from contracts.benefits import NormalizedBenefits
from contracts.eligibility_api import EligibilityCheck, PatientSummary
from contracts.read_aloud import SpokenLine

MAX_ENTRIES = 2048
MAX_ROW_BYTES = 64 * 1024 * 1024
#: A view may weigh at most 1/_PER_VIEW_SHARE of the byte bound (heavier ones are not kept).
_PER_VIEW_SHARE = 16
#: Rows decoded into objects are weighed at about this many bytes each (a typical row's JSON is ~300 bytes).
_BYTES_PER_DECODED_ROW = 512

Version = tuple[dt.datetime, str]


@dataclass(frozen=True, slots=True)
class CheckView:
    benefits: NormalizedBenefits
    message: str
    read_aloud: tuple[SpokenLine, ...]

    @property
    def row_bytes(self) -> int:
        rows = self.benefits.benefit_rows
        return len(rows) if isinstance(rows, msgspec.Raw) else len(rows) * _BYTES_PER_DECODED_ROW


#: The answer as encoded with these three: the splice points are found by their encoding.
_SPLICED = {"from_cache": False, "age_seconds": 0, "patient": PatientSummary()}
_FROM_CACHE = b'"from_cache":false,'
_AGE = b'"age_seconds":0,'
_PATIENT = b'"patient":' + encode_json(_SPLICED["patient"]) + b","


class CheckAnswer:
    """A stored check's answer (what Litestar would encode for its :class:`EligibilityCheck`), encoded once.

    Kept as the JSON around the three fields that differ between answers of one row version: ``from_cache``,
    ``age_seconds`` and ``patient`` (PHI, never kept here). :meth:`encode` splices them in.
    """

    __slots__ = ("_parts",)

    def __init__(self, resource: EligibilityCheck) -> None:
        whole = encode_json(msgspec.structs.replace(resource, **_SPLICED))
        # Found in field order; the fields before each are an id, enums, numbers and strings (whose quotes are
        # escaped), so the first occurrence is the top-level field's.
        parts, rest = [], whole
        for marker, value_at in ((_FROM_CACHE, 13), (_AGE, 14), (_PATIENT, 10)):
            at = rest.find(marker)
            if at < 0:
                raise ValueError(f"{marker!r} not found in an encoded EligibilityCheck")
            parts.append(rest[:at + value_at])
            rest = rest[at + len(marker) - 1:]  # from the comma after the value
        parts.append(rest)
        self._parts = tuple(parts)

    def encode(self, *, from_cache: bool, age_seconds: int, patient: PatientSummary) -> bytes:
        head, age, patient_at, tail = self._parts
        return b"".join((head, b"true" if from_cache else b"false", age, str(age_seconds).encode(), patient_at,
                         encode_json(patient), tail))

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)


@dataclass(slots=True)
class HeldCheck:
    """What this process holds for one check: the version it was built from, its view and (once asked) its answer."""

    check_id: Any
    version: Version
    view: CheckView
    answer: CheckAnswer | None = None
    cache_key: str | None = None

    @property
    def weight(self) -> int:
        return self.view.row_bytes + (len(self.answer) if self.answer is not None else 0)


class CheckViews:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_row_bytes: int = MAX_ROW_BYTES) -> None:
        self.max_entries = max_entries
        self.max_row_bytes = max_row_bytes
        self._entries: OrderedDict[tuple[str | None, Any], HeldCheck] = OrderedDict()
        self._by_cache_key: dict[tuple[str | None, str], Any] = {}
        self._row_bytes = 0

    def view(self, organization_id: str | None, row: Any, build: Callable[[], CheckView]) -> CheckView:
        """The view of ``row`` (a stored check this caller was just given), built once per row version."""
        return self._held(organization_id, row, build).view

    def answer(self, organization_id: str | None, row: Any, build: Callable[[], CheckView],
               resource: Callable[[CheckView], EligibilityCheck], *, cache_key: str | None = None) -> CheckAnswer:
        """The encoded answer of ``row`` (as :meth:`view`), made from ``resource(view)`` once per row version;
        ``cache_key``: the row was found by it (:meth:`held_for_key` then finds it)."""
        held = self._held(organization_id, row, build)
        if held.answer is None:
            answer = CheckAnswer(resource(held.view))
            if held.view.row_bytes + len(answer) > self.max_row_bytes // _PER_VIEW_SHARE:
                return answer
            held.answer = answer
            self._row_bytes += len(answer)
        if cache_key is not None and held.cache_key is None and self._entries.get(
                (organization_id, held.check_id)) is held:
            held.cache_key = cache_key
            self._by_cache_key[(organization_id, cache_key)] = held.check_id
        self._shrink()
        return held.answer

    def held(self, organization_id: str | None, check_id: Any) -> HeldCheck | None:
        """The check's entry if its answer is held (the caller asks the database to leave out what it holds)."""
        found = self._entries.get((organization_id, check_id))
        return found if found is not None and found.answer is not None else None

    def held_for_key(self, organization_id: str | None, cache_key: str) -> HeldCheck | None:
        """As :meth:`held`, for the check last found by ``cache_key`` (a sha256 of the inquiry, no PHI)."""
        check_id = self._by_cache_key.get((organization_id, cache_key))
        return None if check_id is None else self.held(organization_id, check_id)

    def _held(self, organization_id: str | None, row: Any, build: Callable[[], CheckView]) -> HeldCheck:
        key = (organization_id, row["id"])
        version = (row["updated_at"], row["status"])
        found = self._entries.get(key)
        if found is not None and found.version == version:
            self._entries.move_to_end(key)
            return found
        made = HeldCheck(check_id=row["id"], version=version, view=build())
        if made.weight > self.max_row_bytes // _PER_VIEW_SHARE:
            return made
        if found is not None:
            self._drop(key)
        self._entries[key] = made
        self._row_bytes += made.weight
        self._shrink()
        return made

    def _shrink(self) -> None:
        while len(self._entries) > self.max_entries or self._row_bytes > self.max_row_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: tuple[str | None, Any]) -> None:
        dropped = self._entries.pop(key)
        self._row_bytes -= dropped.weight
        if dropped.cache_key is not None and self._by_cache_key.get((key[0], dropped.cache_key)) == key[1]:
            del self._by_cache_key[(key[0], dropped.cache_key)]

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def row_bytes(self) -> int:
        return self._row_bytes
