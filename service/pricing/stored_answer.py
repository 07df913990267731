"""An estimate's answer as stored, and as it was answered. Pure.

The store keeps the answer without its bulk: each level's per-day rows are kept packed beside it (the ``day_rows``
column, ``packed_days.py``) and each payment plan without its schedule, which :func:`.selfpay.payment_plans
.with_schedule` builds again from the plan's own figures. Every reader gets the answer whole: the estimate read
back (:func:`response_as_stored`), the portal and the billing feed (:func:`answered_data`, on plain JSON data), and
the answer to ``POST /v1/estimates`` itself, with only the detail asked for (:func:`with_stored_detail`). An
estimate stored before this has its rows and schedules in the answer and no ``day_rows``: it is read as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from contracts.estimate import EstimateResponse, LevelEstimate
from service.pricing.packed_days import PackedDays, unpack_days
from service.pricing.selfpay.payment_plans import with_schedule

_packed_decoder = msgspec.json.Decoder(list[PackedDays])


def _level_whole(level: LevelEstimate, packed: PackedDays | None, schedules: bool) -> LevelEstimate:
    days = unpack_days(packed) if packed is not None and not level.days else level.days
    section = level.affordability
    if schedules and section is not None and any(not plan.lines for plan in section.payment_plans):
        section = msgspec.structs.replace(section, payment_plans=[with_schedule(p) for p in section.payment_plans])
    if days is level.days and section is level.affordability:
        return level
    return msgspec.structs.replace(level, days=days, affordability=section)


def with_stored_detail(response: EstimateResponse, packed: Sequence[PackedDays] | None, *, days: bool = True,
                       schedules: bool = True) -> EstimateResponse:
    """The answer with each level's per-day rows from ``packed`` (its levels' days, in order; None: none kept
    apart) when ``days``, and every payment plan's schedule when ``schedules``."""
    if not (days and packed) and not schedules:
        return response
    levels = [_level_whole(level, packed[i] if days and packed else None, schedules)
              for i, level in enumerate(response.comparison.estimates)]
    return msgspec.structs.replace(response, comparison=msgspec.structs.replace(response.comparison, estimates=levels))


def response_as_stored(response: Any, day_rows: Any, *, days: bool = True,
                       schedules: bool = True) -> EstimateResponse:
    """A stored answer (the ``response`` and ``day_rows`` columns, as JSON text or as the pool's codec decoded
    them) as it was answered: with its per-day rows and payment schedules (only those asked for: a read that will
    not send them need not build them)."""
    answer = (msgspec.json.decode(response, type=EstimateResponse) if isinstance(response, (str, bytes))
              else msgspec.convert(response, EstimateResponse, strict=False))
    if day_rows is None:  # stored whole, before rows were kept apart
        return answer
    packed = None
    if days:
        packed = (_packed_decoder.decode(day_rows) if isinstance(day_rows, (str, bytes))
                  else msgspec.convert(day_rows, list[PackedDays], strict=False))
    return with_stored_detail(answer, packed, days=days, schedules=schedules)


def answered_data(response: dict[str, Any], day_rows: list[Any] | None) -> dict[str, Any]:
    """:func:`response_as_stored` for the columns as plain JSON data (a ``to_jsonb`` row of the billing feed, the
    portal's read), and the answer back as plain JSON data."""
    if day_rows is None:
        return response
    return msgspec.to_builtins(response_as_stored(response, day_rows))
