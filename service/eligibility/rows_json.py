"""Benefit rows kept as JSON: a large 271's ``benefit_rows`` as one ``msgspec.Raw`` instead of objects.

A 1 MB 271 has about ten thousand EB rows (3 MB of JSON). As Python objects they take a third of a second to
decode in one C call, and their heap makes every full garbage collection a pause of the event loop; as JSON
they are written to the database and into an answer as they are (msgspec splices a ``Raw`` unchanged). So a
large 271 read in the worker process (``parsing.py``) and a stored check read back (``store.py``) carry
their rows as ``msgspec.Raw``. Code that needs the rows themselves calls :func:`rows_of`, never
``benefits.benefit_rows`` directly: it decodes only when the rows are JSON; ``msgspec.to_builtins`` refuses a
``Raw``, so builtins of benefits come from :func:`benefits_to_builtins`.
"""

from __future__ import annotations

import msgspec

from contracts.benefits import BenefitRow, NormalizedBenefits

__all__ = ["rows_of", "with_rows_json", "benefits_to_builtins"]

_rows_decoder = msgspec.json.Decoder(list[BenefitRow])


def rows_of(benefits: NormalizedBenefits) -> list[BenefitRow]:
    """The benefit rows as objects, decoding them if they are kept as JSON."""
    rows = benefits.benefit_rows
    if isinstance(rows, msgspec.Raw):
        return _rows_decoder.decode(rows)
    return rows


def _decode_raw(value: object) -> object:
    if isinstance(value, msgspec.Raw):
        return msgspec.json.decode(value)
    raise NotImplementedError(f"cannot turn {type(value).__name__} into builtins")


def benefits_to_builtins(benefits: NormalizedBenefits) -> dict:
    """``msgspec.to_builtins`` of benefits whose rows may be JSON (``Raw`` is no builtin: its rows are decoded)."""
    return msgspec.to_builtins(benefits, enc_hook=_decode_raw)


def with_rows_json(benefits: NormalizedBenefits, rows_json: bytes | str | None) -> NormalizedBenefits:
    """``benefits`` with ``benefit_rows`` set to the JSON array ``rows_json`` (kept as JSON, not decoded)."""
    if not rows_json:
        return msgspec.structs.replace(benefits, benefit_rows=[])
    raw = msgspec.Raw(rows_json.encode() if isinstance(rows_json, str) else rows_json)
    return msgspec.structs.replace(benefits, benefit_rows=raw)  # type: ignore[arg-type]
