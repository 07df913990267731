"""The reference the faster 271 path is checked against: ``levels.py`` (the rule choosing each level's figures)
and ``rows.to_benefit_row`` as they were at commit b9cf96e, before they were restructured for speed.

Kept verbatim (only imports adjusted) and used only by ``test_x12_fast_path_equivalence.py``: the restructured
code must give the same rows and the same levels, notes and warnings included, on any 271. Do not "fix" this
copy; a deliberate change of the rule changes the package and this reference together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from contracts.benefits import Accumulator, BenefitRow, Level, LevelBenefits, Limit, Network
from service.eligibility.benefits.rows import (
    _NETWORK,
    _YES_NO,
    _entity_label,
    _percent,
    _row_dates,
    decimal,
    money,
    to_rejection,
)
from service.eligibility.telehealth_rows import TELEHEALTH_PLACES, telehealth_cost_share
from service.eligibility.x12.codes import ACTIVE_CODES, EB01, TIME_PERIODS
from service.eligibility.x12.reader_271 import EBLoop

# ---------------------------------------------------------------------- telehealth_rows.is_telehealth_row

_WORDS = re.compile(r"\b(TELE ?HEALTH|TELE ?MEDICINE|VIRTUAL|VIDEO VISIT|POS 0?2|POS 10)\b", re.IGNORECASE)
_FIRST_WORDS = ("TELE", "VIRTUAL", "VIDEO", "POS")


def is_telehealth_row(row: BenefitRow) -> bool:
    if row.places_of_service:
        return set(row.places_of_service) <= TELEHEALTH_PLACES
    if not row.messages:
        return False
    text = "\n".join(row.messages)
    upper = text.upper()
    return any(word in upper for word in _FIRST_WORDS) and _WORDS.search(text) is not None


# ---------------------------------------------------------------------- levels.py

LEVEL_SERVICE_TYPES: dict[Level, tuple[str, ...]] = {
    Level.IOP: ("MH", "A8", "CF", "CH"),
    Level.PHP: ("BB", "MH", "A8", "CH"),
    Level.INPATIENT: ("A7", "CG", "CE", "A4", "A5", "48", "MH"),
}
PLAN_SERVICE_TYPES: tuple[str, ...] = ("30", "1")
_FINANCIAL_CODES = {level: codes + PLAN_SERVICE_TYPES for level, codes in LEVEL_SERVICE_TYPES.items()}
_MEDICARE_PART = {Level.INPATIENT: "MA", Level.IOP: "MB", Level.PHP: "MB"}

INDIVIDUAL_LEVELS = frozenset({"IND", "EMP", ""})
FAMILY_LEVELS = frozenset({"FAM", "ESP", "ECH", "SPC", "TWO"})
TOTAL_PERIODS = ("22", "23", "21", "25", "26", "")
_PRIOR_AUTH = re.compile(r"PRIOR\s*AUTH|PRE-?\s*AUTH|PRE-?\s*CERT|PRECERTIF", re.IGNORECASE)
_LIMIT_UNITS = {"DY": "days", "VS": "visits", "HS": "hours"}
_LIMIT_QUALIFIERS = frozenset({*_LIMIT_UNITS, "99"})
#: HSD02 (R 1/15) as a plain ASCII number; str.isdigit() also accepts "\u00b2", which Decimal() refuses.
_HSD_QUANTITY = re.compile(r"(?=[0-9.]{1,15}\Z)(?:[0-9]+\.?[0-9]*|\.[0-9]+)\Z")


def _dedupe(rows: Iterable[BenefitRow]) -> list[BenefitRow]:
    seen: set[tuple] = set()
    out = []
    for r in rows:
        key = (r.code, tuple(r.service_type_codes), r.coverage_level, r.network, r.time_period,
               r.insurance_type_code, tuple(r.messages), r.amount, r.percent, r.quantity)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _figure(row: BenefitRow) -> str | None:
    """The one figure a row can supply (EB01 decides): a deductible or out-of-pocket maximum (individual or
    family, with an amount), a coinsurance (with a percent), a copay (with an amount), a limit (a quantity)."""
    code = row.code
    if code in ("C", "G"):
        if row.amount is None:
            return None
        level = row.coverage_level or ""
        family = "family" if level in FAMILY_LEVELS else "individual" if level in INDIVIDUAL_LEVELS else None
        return family and f"{code}:{family}"
    if code == "A":
        return "coinsurance" if row.percent is not None else None
    if code == "B":
        return "copay" if row.amount is not None else None
    if code == "F":
        return "limit" if row.quantity_qualifier in _LIMIT_QUALIFIERS and row.quantity is not None else None
    return None


class _NetworkRows:
    """The in-person rows that apply to one network, indexed once for the three levels that read them: by
    service type, which (service type, EB01) pairs were sent, and by (service type, figure they supply)."""

    def __init__(self, rows: list[BenefitRow], network: Network) -> None:
        # A row about one procedure (EB13) says nothing about the plan or the level of care.
        applying = (network, Network.BOTH, Network.UNKNOWN)
        self.rows = [r for r in rows if r.network in applying and not r.procedure]
        self.by_stc: dict[str, list[BenefitRow]] = {}
        self.stc_codes: set[tuple[str, str]] = set()
        self.by_figure: dict[tuple[str, str], list[BenefitRow]] = {}
        for r in self.rows:
            figure = _figure(r)
            for stc in r.service_type_codes or ("30",):  # a row without EB03 is plan level
                self.by_stc.setdefault(stc, []).append(r)
                self.stc_codes.add((stc, r.code))
                if figure is not None:
                    self.by_figure.setdefault((stc, figure), []).append(r)
        self.unknown_network = any(r.network == Network.UNKNOWN for r in self.rows)
        #: Service types the payer says are not covered (EB01 I), covered (EB01 1-5), under cost containment (J).
        self.not_covered = {stc for stc, code in self.stc_codes if code == "I"}
        self.active = {stc for stc, code in self.stc_codes if code in ACTIVE_CODES}
        self.cost_containment = {stc for stc, code in self.stc_codes if code == "J"}


class _Chooser:
    def __init__(self, index: _NetworkRows, level: Level) -> None:
        self.index = index
        self.level = level
        # Medicare: the other part's rows never supply this level (no IOP copay from a hospital-day row).
        self.other_part = "MB" if _MEDICARE_PART[level] == "MA" else "MA"
        self.notes: list[str] = []
        self.used_codes: list[str] = []
        self.chosen: list[BenefitRow] = []
        self.fell_back: list[str] = []
        if index.unknown_network:
            self.notes.append("some rows had network 'unknown' (EB12 U) and were applied to both networks")

    def find(self, what: str, figure: str, *, financial: bool = True) -> list[BenefitRow]:
        """The rows of the first service type (in the level's preference order) that supply ``figure``."""
        codes = _FINANCIAL_CODES[self.level] if financial else LEVEL_SERVICE_TYPES[self.level]
        by_figure, other = self.index.by_figure, self.other_part
        for stc in codes:
            candidates = by_figure.get((stc, figure))
            if not candidates:
                continue
            found = [r for r in candidates if r.insurance_type_code != other]
            if found:
                if stc in PLAN_SERVICE_TYPES:
                    self.fell_back.append(what)
                if stc not in self.used_codes:
                    self.used_codes.append(stc)
                return found
        return []

    def take(self, rows: list[BenefitRow], what: str) -> BenefitRow:
        if len(rows) > 1 and len({(r.amount, r.percent, r.quantity) for r in rows}) > 1:
            distinct = len({(r.amount, r.percent, r.quantity) for r in rows})
            self.notes.append(f"{what}: the payer sent {distinct} different values; used the first one")
        self.chosen.append(rows[0])
        return rows[0]


def _accumulator(ch: _Chooser, figure: str, what: str) -> Accumulator | None:
    rows = ch.find(what, figure)
    if not rows:
        return None
    by_period: dict[str, list[BenefitRow]] = {}
    for r in rows:
        by_period.setdefault(r.time_period or "", []).append(r)
    total_row = next((ch.take(by_period[p], f"{what} total") for p in TOTAL_PERIODS if p in by_period), None)
    remaining = None
    if "29" in by_period:
        remaining = ch.take(by_period["29"], f"{what} remaining").amount
    elif total_row is not None and "24" in by_period:
        met = ch.take(by_period["24"], f"{what} met year to date").amount
        remaining = max(total_row.amount - met, Decimal("0.00"))
        ch.notes.append(f"{what} remaining computed as total - year-to-date (EB06 24)")
    if total_row is None and remaining is None:
        return None
    period = TIME_PERIODS.get(total_row.time_period or "") if total_row else None
    return Accumulator(total=total_row.amount if total_row else None, remaining=remaining, period=period)


def _limit(ch: _Chooser) -> Limit | None:
    rows = ch.find("limit", "limit", financial=False)
    if rows:
        quantity = used = remaining = None
        unit, period = "days", None
        for r in rows:
            if r.quantity_qualifier in _LIMIT_UNITS:
                unit = _LIMIT_UNITS[r.quantity_qualifier]
            q = int(r.quantity)
            if r.quantity_qualifier == "99":
                used = q if used is None else used
            elif r.time_period in ("29", "33"):
                remaining = q if remaining is None else remaining
            elif quantity is None:
                quantity, period = q, TIME_PERIODS.get(r.time_period or "")
            ch.chosen.append(r)
        if remaining is None and quantity is not None and used is not None:
            remaining = max(quantity - used, 0)
        return Limit(quantity=quantity, unit=unit, period=period, used=used, remaining=remaining)
    for r in ch.chosen:
        for hsd in r.delivery:
            parts = hsd.split("*")
            if parts and parts[0] in _LIMIT_UNITS and len(parts) > 1 and _HSD_QUANTITY.match(parts[1]):
                period = TIME_PERIODS.get(parts[4]) if len(parts) > 4 else None
                return Limit(quantity=int(Decimal(parts[1])), unit=_LIMIT_UNITS[parts[0]], period=period)
    return None


def choose_level(rows: list[BenefitRow], level: Level, network: Network) -> LevelBenefits:
    """One :class:`LevelBenefits` for ``level`` and ``network`` (IN or OUT) by the module rule; rows about
    telehealth give only its ``telehealth`` terms (``telehealth_rows.py``)."""
    rows_of = _RowSet(rows)
    return _choose(rows_of, rows_of.network_rows(network), level, network)


class _RowSet:
    """What the six level/network choices share, worked out once per 271: the telehealth rows apart, the
    in-person rows without duplicates, the rows whose messages speak of prior authorization."""

    def __init__(self, rows: list[BenefitRow]) -> None:
        self.virtual: list[BenefitRow] = []
        in_person: list[BenefitRow] = []
        for r in rows:
            (self.virtual if is_telehealth_row(r) else in_person).append(r)
        self.rows = _dedupe(in_person)
        #: Rows that say prior authorization is required (EB11=Y or a MSG about it), and rows saying EB11=N.
        self.auth_required = {id(r) for r in rows if r.authorization_required
                              or (r.messages and any(map(_PRIOR_AUTH.search, r.messages)))}
        self.auth_not_required = {id(r) for r in rows if r.authorization_required is False}

    def network_rows(self, network: Network) -> _NetworkRows:
        return _NetworkRows(self.rows, network)


def _choose(rows_of: _RowSet, index: _NetworkRows, level: Level, network: Network) -> LevelBenefits:
    ch = _Chooser(index, level)
    ded_i = _accumulator(ch, "C:individual", "individual deductible")
    ded_f = _accumulator(ch, "C:family", "family deductible")
    oop_i = _accumulator(ch, "G:individual", "individual out-of-pocket maximum")
    oop_f = _accumulator(ch, "G:family", "family out-of-pocket maximum")

    rows_a = ch.find("coinsurance", "coinsurance")
    coinsurance = ch.take(rows_a, "coinsurance").percent if rows_a else None

    copay = copay_per = None
    rows_b = ch.find("copay", "copay")
    if rows_b:
        order = ("36", "7", "27") if level == Level.INPATIENT else ("7", "27", "36")
        rows_b = sorted(rows_b, key=lambda r: order.index(r.time_period) if r.time_period in order else 9)
        row = ch.take(rows_b, "copay")
        copay = row.amount
        per = {"27": "visit", "7": "day", "36": "admission"}.get(row.time_period or "")
        if level in (Level.IOP, Level.PHP) and per in ("visit", None):
            ch.notes.append("the payer's visit copay is applied once per program day")
            per = "day"
        elif per is None:
            ch.notes.append("copay period not stated by the payer")
        copay_per = per

    limit = _limit(ch)

    level_codes = LEVEL_SERVICE_TYPES[level]
    auth_rows = {id(r) for stc in level_codes for r in index.by_stc.get(stc, ())}
    auth_rows.update(map(id, ch.chosen))
    prior_auth: bool | None = None
    if not auth_rows.isdisjoint(rows_of.auth_required) or not index.cost_containment.isdisjoint(level_codes):
        prior_auth = True
    elif not auth_rows.isdisjoint(rows_of.auth_not_required):
        prior_auth = False

    covered: bool | None = None
    for stc in level_codes:
        if stc in index.not_covered:
            covered = False
            ch.notes.append(f"the payer says service type {stc} is not covered")
            break
        if stc in index.active:
            covered = True
            break

    if ch.fell_back:
        ch.notes.append(
            "no behavioral-health amounts for " + ", ".join(ch.fell_back)
            + "; used the plan-level (service type 30) figures"
        )
    return LevelBenefits(
        level=level,
        network=network,
        covered=covered,
        service_type_codes=ch.used_codes,
        fell_back_to_plan=bool(ch.fell_back),
        deductible_individual=ded_i,
        deductible_family=ded_f,
        oop_max_individual=oop_i,
        oop_max_family=oop_f,
        coinsurance_percent=coinsurance,
        copay=copay,
        copay_per=copay_per,
        limit=limit,
        prior_authorization_required=prior_auth,
        telehealth=(telehealth_cost_share(rows_of.virtual, LEVEL_SERVICE_TYPES[level], network)
                    if rows_of.virtual else None),
        notes=ch.notes,
    )


def choose_levels(rows: list[BenefitRow]) -> list[LevelBenefits]:
    """IOP, PHP, inpatient x IN, OUT (six entries, always in that order)."""
    rows_of = _RowSet(rows)
    by_network = {net: rows_of.network_rows(net) for net in (Network.IN, Network.OUT)}
    return [_choose(rows_of, by_network[net], lv, net) for lv in Level for net in (Network.IN, Network.OUT)]


# ---------------------------------------------------------------------- rows.to_benefit_row as of b9cf96e


def to_benefit_row(eb: EBLoop, warnings: list[str]) -> BenefitRow:
    code, coverage_level, _, insurance_type, plan, period, amount_text, percent_text, quantity_qualifier, \
        quantity_text, authorization, network = eb.elements[:12]
    amount = money(amount_text, "an EB07 amount", warnings) if amount_text else None
    if amount is not None and amount < 0:
        warnings.append("a negative EB07 amount was ignored")
        amount = None
    percent = None
    if percent_text and (fraction := decimal(percent_text, "an EB08 percent", warnings)) is not None:
        percent = _percent(fraction)
        if not 0 <= fraction <= 1:
            warnings.append("an EB08 percent outside 0-1 was kept as sent; check the payer's answer")
    description = EB01.get(code)
    if description is None:
        warnings.append(f"EB01 code {code[:2]!r} is not known; row kept")
    dates = repeated = None
    begin = end = None
    if eb.dates:
        dates, repeated, begin, end = _row_dates(tuple(eb.dates))
    return BenefitRow(
        code=code,
        code_description=description,
        coverage_level=coverage_level or None,
        service_type_codes=eb.service_types,
        insurance_type_code=insurance_type or None,
        plan_description=plan or None,
        time_period=period or None,
        amount=amount,
        percent=percent,
        quantity_qualifier=quantity_qualifier or None,
        quantity=decimal(quantity_text, "an EB10 quantity", warnings) if quantity_text else None,
        authorization_required=_YES_NO.get(authorization),
        network=_NETWORK.get(network, Network.UNKNOWN),
        procedure=eb.procedure,
        dates=dict(dates) if dates else {},
        repeated_dates={q: list(v) for q, v in repeated} if repeated else {},
        coverage_begin=begin,
        coverage_end=end,
        messages=eb.messages,
        delivery=["*".join(h) for h in eb.hsd] if eb.hsd else [],
        places_of_service=[iii[1] for iii in eb.iii if len(iii) > 1 and iii[0] == "ZZ" and iii[1]] if eb.iii else [],
        references=dict(eb.refs) if eb.refs else {},
        related_entities=[_entity_label(ent) for ent in eb.entities] if eb.entities else [],
        rejections=[to_rejection(a) for a in eb.rejections] if eb.rejections else [],
    )
