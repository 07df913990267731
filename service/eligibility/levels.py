"""The documented rule choosing one set of numbers per level of care and network.

Rule (input: every EB row as a :class:`BenefitRow`; output: six :class:`LevelBenefits`,
IOP / PHP / inpatient x in-network / out-of-network):

1. Service type codes, in preference order (there is no X12 code for IOP):

   - IOP: MH, A8, CF, CH
   - PHP: BB, MH, A8, CH
   - inpatient: A7, CG, CE, A4, A5, 48, MH

   then, for financial figures only (deductible, OOP, coinsurance, copay), the plan-level
   codes 30 and 1. A figure taken from 30/1 sets ``fell_back_to_plan=True`` and adds a note
   (CAQH CORE makes behavioral-health STCs discretionary: payers often answer them with
   active coverage and no amounts). Each figure is searched separately: the first code in
   the list that has a row for that figure wins.
2. Network: a row applies to IN when EB12 is Y, to OUT when N, to both when W or absent
   (and to both, with a note, when U).
3. Duplicates: rows are keyed on (EB01, STC, EB02, EB12, EB06, EB04, MSG) plus their
   amount/percent/quantity; identical keys are one row. When several rows still compete for one figure the
   first one sent wins and a note says so. For Medicare, the other part's rows never supply a level: Part A
   (EB04 MA) rows only inpatient, Part B (MB) rows only IOP and PHP. Rows about one procedure (EB13) are
   not level or plan rows and are skipped.
4. Figures:

   - deductible (EB01 C) and OOP maximum (EB01 G), individual (EB02 IND/EMP/absent) and
     family (FAM/ESP/ECH/SPC/TWO): total from EB06 22, 23, 21, 25, 26 (first present) or a
     row without EB06; remaining from the EB06 29 row, else total - the EB06 24 row
     (year to date), else None;
   - coinsurance: EB01 A, EB08 (already percent points);
   - copay: EB01 B, EB07; per EB06 27 visit / 7 day / 36 admission. For IOP and PHP a visit
     copay is charged per program day (``copay_per="day"``, with a note). For inpatient the
     per-admission row (36) is preferred, then per day (7);
   - limit: EB01 F with EB09 DY/VS/HS and EB10 (EB06 29/33 = remaining, EB09 99 = used),
     else an HSD on a chosen row (HSD01 DY/VS/HS, HSD02 quantity);
   - prior authorization: True if EB11=Y on any chosen row or on any row for the level's
     codes, or an EB01 J row for those codes, or a MSG mentioning prior authorization /
     precertification; False if such rows all say EB11=N; else None;
   - covered: the first level code (in preference order) with an EB01 I row -> False, or
     an active-coverage row (EB01 1-5) -> True; else None.
5. Telehealth: rows limited to place of service 02/10 (III*ZZ) or whose MSG speaks of telehealth never
   supply the in-person figures; they give the level's ``telehealth`` terms (``telehealth_rows.py``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from msgspec.structs import force_setattr

from contracts.benefits import Accumulator, BenefitRow, Level, LevelBenefits, Limit, Network
from service.eligibility.telehealth_rows import TELEHEALTH_PLACES, mentions_telehealth, telehealth_cost_share
from service.eligibility.x12.codes import ACTIVE_CODES, TIME_PERIODS

__all__ = ["LEVEL_SERVICE_TYPES", "PLAN_SERVICE_TYPES", "choose_levels", "choose_level"]

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
#: (EB01 C/G, EB02) -> the accumulator figure a row with an amount supplies.
_ACCUMULATOR_FIGURES = {
    (code, level): f"{code}:{'family' if level in FAMILY_LEVELS else 'individual'}"
    for code in ("C", "G") for level in (*FAMILY_LEVELS, *INDIVIDUAL_LEVELS)
}


class _NetworkRows:
    """The in-person rows that apply to one network, indexed once for the three levels that read them: by
    (service type, figure they supply), and which service types the payer says are not covered (EB01 I),
    covered (EB01 1-5), under cost containment (J), or that have a row requiring prior authorization (or one
    saying it is not required). Filled by :class:`_RowSet` for both networks in its pass over the rows."""

    __slots__ = (
        "active",
        "auth_not_required",
        "auth_required",
        "by_figure",
        "cost_containment",
        "medicare_parts",
        "not_covered",
        "unknown_network",
    )

    def __init__(self) -> None:
        #: figure -> service type -> the rows supplying it, in the order sent
        self.by_figure: dict[str, dict[str, list[BenefitRow]]] = {}
        self.unknown_network = False
        self.not_covered: set[str] = set()
        self.active: set[str] = set()
        self.cost_containment: set[str] = set()
        self.auth_required: set[str] = set()
        self.auth_not_required: set[str] = set()
        #: A row with a figure is a Medicare Part A or Part B row (EB04 MA/MB): only then must a level's rows be
        #: sorted from the other part's.
        self.medicare_parts = False


_PLAN_LEVEL = ("30",)  # a row without EB03 is plan level
# Enum members read once: ``Network.IN`` is a class attribute look-up through the enum's metaclass (~0.3 us).
_IN, _OUT, _UNKNOWN, _INPATIENT = Network.IN, Network.OUT, Network.UNKNOWN, Level.INPATIENT
_LEVELS_NETWORKS = [(level, network) for level in Level for network in (_IN, _OUT)]


#: EB01 -> the set of :class:`_NetworkRows` a row's service types go to (EB01 I, J or active coverage).
_KINDS = {"I": "not_covered", "J": "cost_containment", **dict.fromkeys(ACTIVE_CODES, "active")}
_MEDICARE_PARTS = frozenset(_MEDICARE_PART.values())


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
        by_stc = self.index.by_figure.get(figure)
        if by_stc is None:
            return []
        codes = _FINANCIAL_CODES[self.level] if financial else LEVEL_SERVICE_TYPES[self.level]
        other = self.other_part
        for stc in codes:
            candidates = by_stc.get(stc)
            if candidates is None:
                continue
            # The index's own list when no row is a Medicare part's (callers read it, never change it).
            found = candidates
            if self.index.medicare_parts:
                found = [r for r in candidates if r.insurance_type_code != other]
            if found:
                if stc in PLAN_SERVICE_TYPES:
                    self.fell_back.append(what)
                if stc not in self.used_codes:
                    self.used_codes.append(stc)
                return found
        return []

    def take(self, rows: list[BenefitRow], what: str) -> BenefitRow:
        if len(rows) > 1:
            values: list[tuple] = []  # compared, not hashed (see _RowSet)
            for r in rows:
                if (v := (r.amount, r.percent, r.quantity)) not in values:
                    values.append(v)
            distinct = len(values)
            if distinct > 1:
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
    total_row = None
    for p in TOTAL_PERIODS:
        if p in by_period:
            total_row = ch.take(by_period[p], f"{what} total")
            break
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
    return _choose(rows_of, rows_of.by_network[network], level, network)


class _RowSet:
    """What the six level/network choices share, worked out once per 271 in one pass over the rows: the
    telehealth rows apart, the in-person rows without duplicates indexed per network, and which rows require
    prior authorization (EB11=Y or a MSG about it) or say it is not required (EB11=N)."""

    __slots__ = ("auth_not_required", "auth_required", "by_network", "virtual")

    def __init__(self, rows: list[BenefitRow]) -> None:
        self.virtual: list[BenefitRow] = []
        seen: dict[tuple, list[tuple]] = {}
        self.auth_required: set[int] = set()
        self.auth_not_required: set[int] = set()
        in_net, out_net = _NetworkRows(), _NetworkRows()
        self.by_network = {_IN: in_net, _OUT: out_net}
        both, only_in, only_out = (in_net, out_net), (in_net,), (out_net,)
        virtual = self.virtual
        for r in rows:
            messages = r.messages
            authorization = r.authorization_required
            required = authorization is True
            text = upper = None
            if messages:
                # One search per row over its messages joined by NUL, for prior authorization and telehealth: no
                # pattern here can match a NUL, so a match in the joined text is a match in one message (and \b
                # sees NUL as a message's end). The expression runs only when a word it starts with is there
                # (every prior-authorization alternative starts with PR, in any case).
                text = "\x00".join(messages)
                upper = text.upper()
                if not required and "PR" in upper and _PRIOR_AUTH.search(text):
                    required = True
            if required:
                self.auth_required.add(id(r))
            if authorization is False:
                self.auth_not_required.add(id(r))
            # Telehealth rows (is_telehealth_row, inline: a call per row costs as much as the test).
            places = r.places_of_service
            if (TELEHEALTH_PLACES.issuperset(places) if places
                    else text is not None and mentions_telehealth(text, upper)):
                virtual.append(r)
                continue
            # The network as a small number for the duplicate key (hashing an enum member calls Python code).
            network = r.network
            if network is _IN:
                targets, net = only_in, 0
            elif network is _OUT:
                targets, net = only_out, 1
            elif network is _UNKNOWN:
                targets, net = both, 2
            else:
                targets, net = both, 3
            code = r.code
            service_types = r.service_type_codes
            amount, percent, quantity = r.amount, r.percent, r.quantity
            # Duplicates: rows equal in (EB01, STC, EB02, EB12, EB06, EB04, MSG, amount, percent, quantity). The codes
            # are hashed; the messages and numbers are compared only between rows whose codes are all equal
            # (hashing a new Decimal costs a microsecond, more than the rest of the key).
            key = (code, tuple(service_types), r.coverage_level, net, r.time_period, r.insurance_type_code)
            values = (messages, amount, percent, quantity)
            same_codes = seen.get(key)
            if same_codes is None:
                seen[key] = [values]
            elif values in same_codes:
                continue
            else:
                same_codes.append(values)
            # The first in-person row of its kind, indexed for the networks it applies to: its own, and both
            # when EB12 is W, absent or U. A row about one procedure (EB13) says nothing about the plan or the
            # level of care.
            if r.procedure:
                continue
            if net == 2:
                in_net.unknown_network = out_net.unknown_network = True
            # The one figure the row supplies (EB01 decides): a deductible or out-of-pocket maximum (individual or
            # family, with an amount), a coinsurance (with a percent), a copay (with an amount), a limit (a quantity).
            if code == "C" or code == "G":
                figure = None if amount is None else _ACCUMULATOR_FIGURES.get((code, r.coverage_level or ""))
            elif code == "A":
                figure = None if percent is None else "coinsurance"
            elif code == "B":
                figure = None if amount is None else "copay"
            elif code == "F":
                figure = "limit" if quantity is not None and r.quantity_qualifier in _LIMIT_QUALIFIERS else None
            else:
                figure = None
            stcs = service_types or _PLAN_LEVEL
            kind = _KINDS.get(code)
            medicare_part = figure is not None and r.insurance_type_code in _MEDICARE_PARTS
            for idx in targets:
                if figure is not None:
                    if medicare_part:
                        idx.medicare_parts = True
                    by_stc = idx.by_figure.get(figure)
                    if by_stc is None:
                        by_stc = idx.by_figure[figure] = {}
                    for stc in stcs:
                        found = by_stc.get(stc)
                        if found is None:
                            by_stc[stc] = [r]
                        else:
                            found.append(r)
                if kind is not None:
                    getattr(idx, kind).update(stcs)
                if required:
                    idx.auth_required.update(stcs)
                if authorization is False:
                    idx.auth_not_required.update(stcs)


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
        order = ("36", "7", "27") if level is _INPATIENT else ("7", "27", "36")
        if len(rows_b) > 1:
            rows_b = sorted(rows_b, key=lambda r: order.index(r.time_period) if r.time_period in order else 9)
        row = ch.take(rows_b, "copay")
        copay = row.amount
        per = {"27": "visit", "7": "day", "36": "admission"}.get(row.time_period or "")
        if level is not _INPATIENT and per in ("visit", None):
            ch.notes.append("the payer's visit copay is applied once per program day")
            per = "day"
        elif per is None:
            ch.notes.append("copay period not stated by the payer")
        copay_per = per

    limit = _limit(ch)

    level_codes = LEVEL_SERVICE_TYPES[level]
    # The rows read for prior authorization: every row of the level's service types, and the rows chosen.
    prior_auth: bool | None = None
    if (not index.auth_required.isdisjoint(level_codes) or not index.cost_containment.isdisjoint(level_codes)
            or not rows_of.auth_required.isdisjoint(map(id, ch.chosen))):
        prior_auth = True
    elif (not index.auth_not_required.isdisjoint(level_codes)
            or not rows_of.auth_not_required.isdisjoint(map(id, ch.chosen))):
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
    # At most 15 keyword arguments (msgspec's constructor is ~3x slower past that): telehealth is set after.
    chosen = LevelBenefits(
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
        notes=ch.notes,
    )
    if rows_of.virtual:
        force_setattr(chosen, "telehealth", telehealth_cost_share(rows_of.virtual, level_codes, network))
    return chosen


def choose_levels(rows: list[BenefitRow]) -> list[LevelBenefits]:
    """IOP, PHP, inpatient x IN, OUT (six entries, always in that order)."""
    rows_of = _RowSet(rows)
    by_network = rows_of.by_network
    return [_choose(rows_of, by_network[net], lv, net) for lv, net in _LEVELS_NETWORKS]
