"""Payer directory files (as clearinghouses publish them) and name matching. Pure: no I/O beyond the text given.

A clearinghouse publishes its payer list as CSV (most send a monthly spreadsheet) or JSON (Stedi's
payer network, for example). Both are read into :class:`PayerEntry` rows; columns are matched by
any of several header names, case and spacing ignored:

| field | CSV headers / JSON keys accepted | value |
|---|---|---|
| payer id | ``payer_id``, ``Payer ID``, ``primaryPayerId``, ``id`` | the id sent in NM1*PR (2100A NM109) |
| name | ``name``, ``Payer Name``, ``displayName`` | |
| aliases | ``aliases``, ``Aliases``, ``names`` | other names or alias ids: a JSON list, or ``|`` / ``;`` separated |
| real-time 270 | ``real_time_270``, ``Eligibility``, ``eligibilityCheck``, ``transactionSupport.eligibilityCheck`` | yes/no, true/false, SUPPORTED/NOT_SUPPORTED; absent = yes |
| batch 270 | ``batch_270``, ``Batch Eligibility``, ``batchEligibilityCheck`` | the same; absent = no |

``ENROLLMENT_REQUIRED`` counts as supported (the provider enrolls once; the directory says the
payer takes the transaction). A row without an id or a name, or an id twice, is an error naming
the row: an import is all or nothing.

Matching (:func:`closest`) uses rapidfuzz's ``WRatio`` over each payer's name, aliases and id, so
"blue shield calif" finds "BLUE SHIELD OF CALIFORNIA" and "aetna" finds "AETNA BETTER HEALTH".
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

import msgspec
from rapidfuzz import fuzz, process, utils

__all__ = ["PayerEntry", "DirectoryFileError", "read_directory", "closest"]

_HEADERS = {
    "payer_id": {"payerid", "primarypayerid", "id"},
    "name": {"name", "payername", "displayname"},
    "aliases": {"aliases", "names", "alias"},
    "real_time_270": {"realtime270", "eligibility", "eligibilitycheck", "transactionsupporteligibilitycheck",
                      "realtimeeligibility"},
    "batch_270": {"batch270", "batcheligibility", "batcheligibilitycheck", "transactionsupportbatcheligibilitycheck"},
}
_YES = {"yes", "y", "true", "1", "supported", "enrollmentrequired", "x"}
_NO = {"no", "n", "false", "0", "notsupported", ""}
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]{0,79}\Z")


class DirectoryFileError(ValueError):
    """A directory file that cannot be imported; ``detail`` names the row and column."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class PayerEntry:
    payer_id: str
    name: str
    aliases: tuple[str, ...] = field(default_factory=tuple)
    real_time_270: bool = True
    batch_270: bool = False


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _field_of(header: str) -> str | None:
    key = _key(header)
    return next((name for name, keys in _HEADERS.items() if key in keys), None)


def _flag(value: Any, where: str, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    key = _key(str(value))
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise DirectoryFileError(f"{where}: expected yes/no, true/false or SUPPORTED/NOT_SUPPORTED, got {str(value)[:40]!r}")


def _aliases(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else re.split(r"[|;]", str(value))
    return tuple(dict.fromkeys(" ".join(str(a).split()) for a in items if str(a).strip()))


def _entry(values: dict[str, Any], where: str) -> PayerEntry:
    payer_id = str(values.get("payer_id") or "").strip().upper()
    name = " ".join(str(values.get("name") or "").split())
    if not payer_id:
        raise DirectoryFileError(f"{where}: the payer id is empty")
    if not _ID.match(payer_id):
        raise DirectoryFileError(f"{where}: payer id {payer_id[:40]!r} must be 1-80 letters, digits, spaces or hyphens")
    if not name:
        raise DirectoryFileError(f"{where}: the payer name is empty")
    aliases = tuple(a for a in _aliases(values.get("aliases")) if a.upper() not in {name.upper(), payer_id})
    return PayerEntry(
        payer_id=payer_id, name=name[:200], aliases=aliases,
        real_time_270=_flag(values.get("real_time_270"), f"{where} real-time 270", True),
        batch_270=_flag(values.get("batch_270"), f"{where} batch 270", False),
    )


def _flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, prefix + str(key)))
        else:
            flat[prefix + str(key)] = value
    return flat


def _mapped(row: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for header, value in row.items():
        name = _field_of(str(header))
        if name is not None and name not in values:
            values[name] = value
    return values


def _read_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    headers = reader.fieldnames or []
    found = {_field_of(h) for h in headers}
    if not {"payer_id", "name"} <= found:
        raise DirectoryFileError("the CSV header must name a payer id column and a payer name column "
                                 "(e.g. payer_id,name,aliases,real_time_270,batch_270)")
    return [_mapped(row) for row in reader]


def _read_json(content: bytes) -> list[dict[str, Any]]:
    try:
        document = msgspec.json.decode(content)
    except msgspec.DecodeError:
        raise DirectoryFileError("the file is not valid JSON") from None
    items = document.get("items", document.get("payers")) if isinstance(document, dict) else document
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise DirectoryFileError('the JSON must be a list of payers, or an object with an "items" list')
    return [_mapped(_flatten(item)) for item in items]


def read_directory(content: bytes, *, json_format: bool | None = None) -> list[PayerEntry]:
    """Every payer in a CSV or JSON directory file (JSON when it starts with ``[`` or ``{``)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DirectoryFileError("the file is not UTF-8 text") from None
    is_json = text.lstrip()[:1] in {"[", "{"} if json_format is None else json_format
    rows = _read_json(content) if is_json else _read_csv(text)
    entries: list[PayerEntry] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        where = f"payer {number}" if is_json else f"row {number + 1}"
        entry = _entry(row, where)
        if entry.payer_id in seen:
            raise DirectoryFileError(f"{where}: payer id {entry.payer_id} is listed twice (also payer {seen[entry.payer_id]})")
        seen[entry.payer_id] = number
        entries.append(entry)
    if not entries:
        raise DirectoryFileError("the file lists no payers")
    return entries


def closest(query: str, entries: list[PayerEntry], *, limit: int = 5, cutoff: float = 50) -> list[tuple[PayerEntry, int]]:
    """The payers whose name, aliases or id best match ``query``, best first, with a 0-100 score."""
    choices: list[str] = []
    owners: list[int] = []
    for index, entry in enumerate(entries):
        for text in (entry.name, *entry.aliases, entry.payer_id):
            choices.append(text)
            owners.append(index)
    best: dict[int, float] = {}
    for _text, score, position in process.extract(
        query, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=None, score_cutoff=cutoff,
    ):
        owner = owners[position]
        best[owner] = max(best.get(owner, 0.0), score)
    ranked = sorted(best.items(), key=lambda item: (-item[1], entries[item[0]].name))
    return [(entries[index], round(score)) for index, score in ranked[:limit]]
