"""EB loops and AAA segments -> contract rows: numbers, dates and rejections as sent, decoded not interpreted.

Shared by the Medicare, Medicaid, commercial and other-payer readers beside it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from decimal import Decimal

from msgspec.structs import force_setattr

from contracts.benefits import BenefitRow, Network, Rejection
from service.eligibility.x12 import codes
from service.eligibility.x12.reader_271 import AAA, EBLoop, RelatedEntity
from service.money import cents

__all__ = [
    "to_benefit_row", "to_benefit_rows", "to_rejection", "parse_d8", "parse_date_value", "row_dates", "first",
    "entity_name", "decimal", "money", "quantity", "clip", "COVERAGE_BEGIN", "COVERAGE_END",
]

_YES_NO = {"Y": True, "N": False}
_NETWORK = {"Y": Network.IN, "N": Network.OUT, "W": Network.BOTH, "U": Network.UNKNOWN, "": Network.BOTH}
_UNKNOWN = Network.UNKNOWN  # read once: an enum member look-up through the class costs ~0.3 us
#: NM108 qualifiers of a person's own id (member id, unique health id): PHI, never carried into the contract.
PERSONAL_ID_QUALIFIERS = frozenset({"MI", "II", "34", "ZZ"})
#: DTP qualifiers giving a row's own coverage dates, in preference order (begin: RD8 start or D8).
COVERAGE_BEGIN = ("307", "356", "346", "291", "292")
COVERAGE_END = ("307", "357", "347", "291", "292")
_END_ONLY = {"357": "356", "347": "346"}

#: X12 R (decimal) as the TR3 uses it: optional minus, ASCII digits, optional decimal point, at most 18
#: digits (EB07 is R 1/18). No exponent, no NaN/Infinity, no other scripts' digits: Decimal() accepts
#: "1E+999999999", and int() of that builds a billion-digit number (the request never ends).
_X12_DECIMAL = re.compile(r"-?(?=[0-9.]{1,19}\Z)(?:[0-9]+\.?[0-9]*|\.[0-9]+)\Z")
_CENTS = re.compile(r"[0-9]{1,16}\.[0-9]{2}\Z")


def clip(value: str | None, limit: int) -> str | None:
    """A payer's free text cut to the contract's maximum length (the stored check must decode again)."""
    if not value:
        return None
    return value[:limit]


def decimal(value: str, what: str, warnings: list[str]) -> Decimal | None:
    if not value:
        return None
    if not _X12_DECIMAL.match(value):
        warnings.append(f"{what} is not a number and was ignored")
        return None
    return Decimal(value)


def money(value: str, what: str, warnings: list[str]) -> Decimal | None:
    """An EB07 amount in the wire form every source shares: exactly two decimals ("1500" -> 1500.00)."""
    if _CENTS.match(value):  # the usual form: already cents, nothing to round
        return Decimal(value)
    d = decimal(value, what, warnings)
    if d is None:
        return None
    if d != d.quantize(Decimal("0.01")):
        warnings.append(f"{what} had more than two decimals and was rounded to cents")
    return cents(d)


def quantity(value: str) -> int | None:
    d = decimal(value, "a quantity", [])
    return None if d is None else int(d)


def _percent(fraction: Decimal) -> Decimal:
    p = fraction * 100
    return p.quantize(Decimal(1)) if p == p.to_integral_value() else p.normalize()


@functools.lru_cache(maxsize=256)
def _eb08(text: str) -> tuple[Decimal, bool] | None:
    """An EB08 fraction as percent points, and whether it is within 0-1; None if it is not a number. Cached by
    value (Decimals are immutable): payers send a few coinsurance fractions (0.2, 0.5 ...) on many rows, and
    each costs a regex match, a Decimal, a product and a rounding."""
    if not _X12_DECIMAL.match(text):
        return None
    fraction = Decimal(text)
    return _percent(fraction), 0 <= fraction <= 1


@functools.lru_cache(maxsize=256)
def _eb10(text: str) -> Decimal | None:
    """An EB10 quantity (days, visits ...), None if it is not a number. Cached by value: a few limits recur."""
    return Decimal(text) if _X12_DECIMAL.match(text) else None


@functools.lru_cache(maxsize=4096)
def parse_d8(value: str | None) -> dt.date | None:
    """An X12 D8 date (CCYYMMDD) or None if absent or unreadable."""
    # strptime is ~10x slower and dominated normalization time
    if value is None or len(value) != 8 or not value.isdigit():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def parse_date_value(fmt: str, value: str) -> tuple[dt.date | None, dt.date | None]:
    """(start, end) from a DTP D8 / RD8 value; (date, None) for D8; (None, None) if unreadable."""
    return _dtp(fmt, value)[:2]


@functools.lru_cache(maxsize=4096)
def _dtp(fmt: str, value: str) -> tuple[dt.date | None, dt.date | None, str]:
    """(start, end, ISO text) of a DTP value. Cached: a 271 repeats one plan-year range on most rows."""
    if fmt == "RD8" or (len(value) == 17 and value[8] == "-"):
        start_text, _, end_text = value.partition("-")
        start, end = parse_d8(start_text), parse_d8(end_text)
    else:
        start, end = parse_d8(value), None
    if start and end:
        return start, end, f"{start.isoformat()}/{end.isoformat()}"
    return start, end, start.isoformat() if start else value


def row_dates(dates: list[tuple[str, str, str]]) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """DTP qualifier -> (start, end). A qualifier sent more than once (Part A entitlement with a gap: two
    DTP*307) gives the period that starts latest: the current one."""
    found: dict[str, tuple[dt.date | None, dt.date | None]] = {}
    for q, f, v in dates:
        span = _dtp(f, v)[:2]
        old = found.get(q)
        if old is None or (span[0] is not None and (old[0] is None or span[0] > old[0])):
            found[q] = span
    return found


def coverage_span(dates: dict[str, tuple[dt.date | None, dt.date | None]]) -> tuple[dt.date | None, dt.date | None]:
    """Begin and end of coverage from one loop's own DTP 307/356/346/291/292 (and 357/347 ends)."""
    begin = first(*(dates[q][0] for q in COVERAGE_BEGIN if q in dates))
    end = None
    for q in COVERAGE_END:
        if q in dates:
            end = dates[q][0] if q in _END_ONLY else dates[q][1]
            if end is not None:
                break
    return begin, end


def first(*values):
    for v in values:
        if v is not None:
            return v
    return None


def entity_name(eb: EBLoop, entity_codes: frozenset[str] | None = None) -> str | None:
    for ent in eb.entities:
        if ent.display_name and (entity_codes is None or ent.entity_code in entity_codes):
            return ent.display_name
    return None


def _entity_label(ent: RelatedEntity) -> str:
    label = ent.display_name or ent.entity_code
    if ent.id and (ent.id_qualifier or "") not in PERSONAL_ID_QUALIFIERS:
        label = f"{label} ({ent.id_qualifier or ''} {ent.id})".replace("( ", "(")
    return f"{ent.entity_code}: {label}"


def to_rejection(aaa: AAA) -> Rejection:
    reason = codes.REJECT_REASONS.get(aaa.reason_code or "")
    return Rejection(
        loop=aaa.loop,
        valid_request=_YES_NO.get(aaa.valid_request or ""),
        reason_code=aaa.reason_code,
        reason=reason[0] if reason else ("unknown reject reason code" if aaa.reason_code else None),
        follow_up_code=aaa.follow_up_code,
        follow_up=codes.FOLLOW_UPS.get(aaa.follow_up_code or ""),
        retryable=codes.is_retryable(aaa.reason_code, aaa.follow_up_code),
    )


@functools.lru_cache(maxsize=1024)
def _row_dates(dtps: tuple[tuple[str, str, str], ...]) -> tuple[
        dict[str, str], tuple[tuple[str, tuple[str, ...]], ...], dt.date | None, dt.date | None]:
    """A row's DTPs: qualifier -> ISO text of the first of each qualifier (a dict shared by every caller: copy
    it, never change it), the repeated qualifiers with every value, and the row's own coverage begin and end.
    Cached: most rows of a 271 carry the same DTPs."""
    dates: dict[str, str] = {}
    repeated: dict[str, list[str]] = {}
    for q, f, v in dtps:
        iso = _dtp(f, v)[2]
        if q in dates:
            repeated.setdefault(q, [dates[q]]).append(iso)
        else:
            dates[q] = iso
    begin, end = coverage_span(row_dates(dtps))
    return dates, tuple((q, tuple(v)) for q, v in repeated.items()), begin, end


_NO_DATES: tuple = ({}, (), None, None)


def to_benefit_row(eb: EBLoop, warnings: list[str]) -> BenefitRow:
    """One EB loop as a :class:`BenefitRow` (problems with its numbers appended to ``warnings``)."""
    return to_benefit_rows((eb,), warnings)[0]


def to_benefit_rows(loops: Iterable[EBLoop], warnings: list[str]) -> list[BenefitRow]:
    """Every EB loop as a :class:`BenefitRow`, in order: one call per 271, not one per row."""
    rows: list[BenefitRow] = []
    for eb in loops:
        code, coverage_level, _, insurance_type, plan, period, amount_text, percent_text, quantity_qualifier, \
            quantity_text, authorization, network = eb.elements[:12]
        amount = percent = None
        if amount_text:
            if _CENTS.match(amount_text):  # money()'s usual form, inline: cents already, never negative
                amount = Decimal(amount_text)
            else:
                amount = money(amount_text, "an EB07 amount", warnings)
                if amount is not None and amount < 0:
                    warnings.append("a negative EB07 amount was ignored")
                    amount = None
        if percent_text:
            eb08 = _eb08(percent_text)
            if eb08 is None:
                warnings.append("an EB08 percent is not a number and was ignored")
            else:
                percent, within = eb08
                if not within:
                    warnings.append("an EB08 percent outside 0-1 was kept as sent; check the payer's answer")
        description = codes.EB01.get(code)
        if description is None:
            warnings.append(f"EB01 code {code[:2]!r} is not known; row kept")
        dates, repeated, begin, end = _row_dates(tuple(eb.dates)) if eb.dates else _NO_DATES
        # msgspec's constructor is ~3x slower past 15 keyword arguments: the fields most rows carry are passed, the
        # others (left at their defaults on most rows) are set only when the row has them.
        row = BenefitRow(
            code=code,
            code_description=description,
            coverage_level=coverage_level or None,
            service_type_codes=eb.service_types,
            insurance_type_code=insurance_type or None,
            plan_description=plan or None,
            time_period=period or None,
            amount=amount,
            percent=percent,
            authorization_required=_YES_NO.get(authorization),
            network=_NETWORK.get(network, _UNKNOWN),
            dates=dates.copy(),  # the row's own dict (_row_dates' is shared)
            coverage_begin=begin,
            coverage_end=end,
            messages=eb.messages,
        )
        if quantity_qualifier:
            force_setattr(row, "quantity_qualifier", quantity_qualifier)
        if quantity_text:
            number = _eb10(quantity_text)
            if number is None:
                warnings.append("an EB10 quantity is not a number and was ignored")
            force_setattr(row, "quantity", number)
        if eb.procedure:
            force_setattr(row, "procedure", eb.procedure)
        if repeated:
            force_setattr(row, "repeated_dates", {q: list(v) for q, v in repeated})
        if eb.hsd:
            force_setattr(row, "delivery", ["*".join(h) for h in eb.hsd])
        if eb.iii:
            places = [iii[1] for iii in eb.iii if len(iii) > 1 and iii[0] == "ZZ" and iii[1]]
            force_setattr(row, "places_of_service", places)
        if eb.refs:
            force_setattr(row, "references", dict(eb.refs))
        if eb.entities:
            force_setattr(row, "related_entities", [_entity_label(ent) for ent in eb.entities])
        if eb.rejections:
            force_setattr(row, "rejections", [to_rejection(a) for a in eb.rejections])
        rows.append(row)
    return rows
