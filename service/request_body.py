"""What every JSON request body must satisfy before a handler sees it, whatever the route.

msgspec checks a body against its contract type but cannot bound a ``Decimal`` or a date, and
Python's ``Decimal``/``date`` arithmetic fails (a 500) or silently misprices on values no caller
means: ``"1e30"`` dollars, ``"NaN"``, three-decimal money, a date in year 9999. So this module
walks the decoded body along the handler's ``data`` type (a walk built once per type from its
``msgspec.inspect`` description) and refuses, as one 400 naming every field:

- money (``contracts.money.Money``): negative, more than two decimals, above ``MAX_MONEY``;
- percent points (``Percent``) and other decimals: not finite, out of range, too many decimals;
- integers the contract leaves unbounded: beyond a PostgreSQL ``integer``;
- dates and date-times outside ``EARLIEST_DATE`` .. ``LATEST_DATE``.

:class:`JsonRequest` is the app's request class: it also answers 400 when the body nests deeper
than msgspec can decode (a declared non-JSON media type is refused earlier, ``service/content_type.py``).
New routes and new contract fields are covered without code here. A route that checks every
value of a part itself and reports all problems together (the fee-schedule import's rows) names
that part: ``opt={BOUNDS_CHECKED_BY_HANDLER: ("$.rows",)}``; it must then refuse the same values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ClientException
from litestar.types import Empty

from service.errors import FieldError, InvalidInput

MAX_MONEY = Decimal("1000000000")  # a billion dollars: far above any course of care, far below Decimal's limits
MAX_PERCENT = Decimal("1000000")  # percent points (percent of poverty reaches the hundreds)
MAX_DECIMAL = Decimal("1000000000")
MAX_DECIMAL_PLACES = 6
MAX_INT = 2**31 - 1  # PostgreSQL integer
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)

#: Route ``opt`` key: JSON paths whose values the handler bounds itself (see the module docstring).
BOUNDS_CHECKED_BY_HANDLER = "bounds_checked_by_handler"

mi = msgspec.inspect


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        return Decimal(repr(value) if isinstance(value, float) else str(value))
    except (InvalidOperation, ValueError):
        return None  # not a number at all: msgspec names it


def _decimal_reason(number: Decimal, kind: str | None) -> str | None:
    if not number.is_finite():
        return "must be a finite number"
    places = -number.as_tuple().exponent  # type: ignore[operator]
    if kind == "money":
        if number < 0:
            return "must be 0 or more"
        if number > MAX_MONEY:
            return f"must be at most {MAX_MONEY:,} dollars"
        if places > 2:
            return "must have at most two decimal places (cents)"
        return None
    limit = MAX_PERCENT if kind == "percent" else MAX_DECIMAL
    if kind == "percent" and number < 0:
        return "must be 0 or more"
    if abs(number) > limit:
        return f"must be at most {limit:,}"
    if places > MAX_DECIMAL_PLACES:
        return f"must have at most {MAX_DECIMAL_PLACES} decimal places"
    return None


def _date_reason(value: Any, with_time: bool) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if with_time else dt.date.fromisoformat(value)
    except ValueError:
        return None  # msgspec names a malformed date
    day = parsed.date() if isinstance(parsed, dt.datetime) else parsed
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"
    return None


def _matches(t: mi.Type, value: Any) -> bool:
    """Whether a union member ``t`` is the one a JSON value of this shape would decode as."""
    while isinstance(t, mi.Metadata):
        t = t.type
    if isinstance(value, dict):
        return isinstance(t, (mi.StructType, mi.DictType, mi.TypedDictType, mi.DataclassType))
    if isinstance(value, list):
        return isinstance(t, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType, mi.TupleType))
    if isinstance(value, bool) or value is None:
        return False
    return isinstance(t, (mi.DecimalType, mi.DateType, mi.DateTimeType, mi.IntType))


#: id(type) -> (type, whether a value of it can be out of bounds): the walk skips what cannot (strings, booleans,
#: bounded integers, and structs or lists made only of those), which is most of most bodies.
_CHECKED: dict[int, tuple[mi.Type, bool]] = {}
_FIELDED = (mi.StructType, mi.DataclassType, mi.TypedDictType)
_SEQUENCES = (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)


def _may_be_out_of_bounds(t: mi.Type, visiting: frozenset[int] = frozenset()) -> bool:
    """Whether :func:`bound_errors` could refuse some value of type ``t`` (a type reached again while it is being
    decided counts as yes: a recursive type is walked rather than guessed)."""
    known = _CHECKED.get(id(t))
    if known is not None:
        return known[1]
    if id(t) in visiting:
        return True
    inner = visiting | {id(t)}
    if isinstance(t, mi.Metadata):
        result = _may_be_out_of_bounds(t.type, inner)
    elif isinstance(t, mi.UnionType):
        result = any(_may_be_out_of_bounds(member, inner) for member in t.types)
    elif isinstance(t, (mi.DecimalType, mi.DateType, mi.DateTimeType)):
        result = True
    elif isinstance(t, mi.IntType):
        result = t.le is None and t.lt is None
    elif isinstance(t, _FIELDED):
        result = any(_may_be_out_of_bounds(field.type, inner) for field in t.fields)
    elif isinstance(t, _SEQUENCES):
        result = _may_be_out_of_bounds(t.item_type, inner)
    elif isinstance(t, mi.DictType):
        result = _may_be_out_of_bounds(t.value_type, inner)
    else:
        result = False
    _CHECKED[id(t)] = (t, result)  # the type is kept, so its id is never reused for another
    return result


#: A compiled walk of one type: appends to ``errors`` each field of ``value`` out of bounds, ``path`` naming ``value``.
Check = Callable[[Any, str, list[FieldError]], None]
#: (id(type), kind) -> (type, its walk; None: no value of it can be out of bounds). The walk of a type is built once
#: from its description (:func:`_compile`), so a body is walked by plain calls instead of being matched against
#: type descriptions at every node.
_COMPILED: dict[tuple[int, str | None], tuple[mi.Type, Check | None]] = {}


def _checker(t: mi.Type, kind: str | None = None) -> Check | None:
    key = (id(t), kind)
    known = _COMPILED.get(key)
    if known is not None:
        return known[1]
    if not _may_be_out_of_bounds(t):
        check = None
    elif isinstance(t, _FIELDED):  # a recursive type reaches itself while it is built: through this reference
        built: list[Check] = []
        _COMPILED[key] = (t, lambda value, path, errors: built[0](value, path, errors))
        check = _compile(t, kind)
        built.append(check)  # type: ignore[arg-type]
    else:
        check = _compile(t, kind)
    _COMPILED[key] = (t, check)  # the type is kept, so its id is never reused for another
    return check


def _compile(t: mi.Type, kind: str | None) -> Check | None:  # noqa: C901 - one branch per kind of type
    """The walk of type ``t`` (one that may be out of bounds), money or percent points as ``kind`` says."""
    if isinstance(t, mi.Metadata):
        return _checker(t.type, (t.extra or {}).get("kind") or kind)
    if isinstance(t, mi.UnionType):
        # The member a value decodes as depends only on its JSON shape: an object, an array, or another value.
        def member(sample: Any) -> Check | None:
            return next((_checker(m, kind) for m in t.types if _matches(m, sample)), None)
        as_object, as_array, as_scalar = member({}), member([]), member(0)

        def union(value: Any, path: str, errors: list[FieldError]) -> None:
            if isinstance(value, dict):
                check = as_object
            elif isinstance(value, list):
                check = as_array
            elif isinstance(value, bool) or value is None:
                return
            else:
                check = as_scalar
            if check is not None:
                check(value, path, errors)
        return union
    if isinstance(t, mi.DecimalType):
        def decimal(value: Any, path: str, errors: list[FieldError]) -> None:
            number = _decimal(value)
            reason = _decimal_reason(number, kind) if number is not None else None
            if reason:
                errors.append(FieldError(field=path, reason=reason))
        return decimal
    if isinstance(t, mi.IntType):  # unbounded: bounded integers cannot be out of bounds
        def integer(value: Any, path: str, errors: list[FieldError]) -> None:
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
                errors.append(FieldError(field=path, reason=f"must be at most {MAX_INT:,}"))
        return integer
    if isinstance(t, (mi.DateType, mi.DateTimeType)):
        with_time = isinstance(t, mi.DateTimeType)

        def date(value: Any, path: str, errors: list[FieldError]) -> None:
            reason = _date_reason(value, with_time)
            if reason:
                errors.append(FieldError(field=path, reason=reason))
        return date
    if isinstance(t, _FIELDED):
        fields = tuple((f.encode_name, check) for f in t.fields if (check := _checker(f.type)) is not None)

        def fielded(value: Any, path: str, errors: list[FieldError]) -> None:
            if isinstance(value, dict):
                for name, check in fields:
                    if name in value:
                        check(value[name], f"{path}.{name}", errors)
        return fielded
    if isinstance(t, (*_SEQUENCES, mi.DictType)):
        item = _checker(t.value_type if isinstance(t, mi.DictType) else t.item_type, kind)
        if item is None:
            return None
        if isinstance(t, mi.DictType):
            def mapping(value: Any, path: str, errors: list[FieldError]) -> None:
                if isinstance(value, dict):
                    for key, entry in value.items():
                        item(entry, f"{path}.{key}", errors)
            return mapping

        def sequence(value: Any, path: str, errors: list[FieldError]) -> None:
            if isinstance(value, list):
                for i, entry in enumerate(value):
                    item(entry, f"{path}[{i}]", errors)
        return sequence
    return None


def bound_errors(t: mi.Type, value: Any, path: str = "$", kind: str | None = None) -> list[FieldError]:
    """Every field of ``value`` (a decoded JSON body) out of bounds for its type ``t``."""
    errors: list[FieldError] = []
    check = _checker(t, kind)
    if check is not None:
        check(value, path, errors)
    return errors


@lru_cache(maxsize=256)
def _type_info(annotation: Any) -> mi.Type | None:
    try:
        return mi.type_info(annotation)
    except (TypeError, ValueError):  # not a msgspec-describable type (a DTO, a raw dict ...): nothing to bound
        return None


def check_bounds(annotation: Any, value: Any, checked_by_handler: tuple[str, ...] = ()) -> None:
    """Raise one 400 naming every out-of-bounds field of a decoded body of type ``annotation``."""
    info = _type_info(annotation)
    errors = bound_errors(info, value) if info is not None else []
    errors = [e for e in errors if not any(e.field == p or e.field.startswith((p + ".", p + "[")) for p in checked_by_handler)]
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.reason}" for e in errors), errors=errors)


class JsonRequest(Request):  # type: ignore[type-arg]
    """The app's request class: JSON bodies are checked for depth and bounds once (the media type: content_type.py)."""

    async def json(self) -> Any:
        if self._json is not Empty or self._connection_state.json is not Empty:
            return await super().json()
        body = await self.body()
        try:
            value = await super().json()
        except RecursionError:
            raise ClientException("the JSON is nested too deeply") from None
        data_field = self.route_handler.parsed_data_field
        if data_field is not None and body:
            check_bounds(data_field.annotation, value, tuple(self.route_handler.opt.get(BOUNDS_CHECKED_BY_HANDLER, ())))
        return value
