"""Day-by-day accumulation for commercial plans (and the shared day-line type). Pure.

Order on each covered day: allowed amount -> deductible (individual and family remaining,
whichever is met first) -> copay -> coinsurance % of the rest -> out-of-pocket maximum
(individual and family; deductible, copay and coinsurance all count, as under the ACA) ->
the plan pays the rest. Out of network the OUT benefits apply with their own accumulators
and the balance bill (charge - allowed) is added separately, never capped. Not covered or
past a day/visit limit -> the self-pay rate, outside the accumulators.

Every day's amounts are rounded with ``service.money.cents``; totals are sums of rounded days.
Plan design (``LevelBenefits``): ``deductible_applies=False`` waives the deductible for the level
(cost sharing from day 1, the deductible neither charged nor used up); a copay is per day, per
visit (one a program day) or per admission (owed once a stay); day-tiered copays
(``copay_tiers``, by day of the stay) win over the flat copay on the days they cover; with both a
copay and a coinsurance, ``copay_with_coinsurance=False`` drops the coinsurance on copay days,
True takes both (copay first), None takes both and says it assumed so; a family deductible that
is not embedded (``family_deductible_embedded=False``) replaces the individual one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from contracts.benefits import Accumulator, LevelBenefits, Limit
from service.money import ZERO, cents, format_usd, kept_by_value, percent_of
from service.pricing.calendar import short_date
from service.pricing.course import ServiceDay
from service.pricing.day_runs import repeats_below, run_length


@dataclass(slots=True)
class Notes:
    """Assumptions and warnings for one level estimate, de-duplicated in order."""

    assumptions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Kinds of rate figures the level was priced with (chargemaster, contract, medicare, medicaid).
    rates_used: set[str] = field(default_factory=lambda: {"chargemaster"})
    #: (low, high, reason) when an unknown figure leaves the patient's total open.
    patient_pays_range: tuple[Decimal, Decimal, str] | None = None

    def assume(self, text: str) -> None:
        if text not in self.assumptions:
            self.assumptions.append(text)

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


@dataclass(slots=True)
class DayLine:
    """One service day, priced. ``kind`` + ``label`` group consecutive days in the explanation."""

    number: int
    date: dt.date
    hours: Decimal
    gross: Decimal
    telehealth: bool = False  # joined by telehealth (see service.pricing.telehealth)
    allowed: Decimal = ZERO
    payer: Decimal = ZERO
    deductible: Decimal = ZERO
    copay: Decimal = ZERO
    coinsurance: Decimal = ZERO
    not_covered: Decimal = ZERO
    over_limit: Decimal = ZERO
    self_pay: Decimal = ZERO
    balance_bill: Decimal = ZERO
    waived: Decimal = ZERO  # cost sharing paid by someone else (QMB law, Medigap, Medicaid exemption)
    #: what other plans pay of this day's cost sharing, by payer order (2 = second plan ...), and what the
    #: provider may not bill anyone (Medicaid's lesser-of); both are also in ``waived``
    other_paid: dict[int, Decimal] = field(default_factory=dict)
    write_off: Decimal = ZERO
    #: the day-tiered copay that applied (first day, last day, amount), for the explanation
    copay_tier: tuple[int, int | None, Decimal] | None = None
    kind: str = "cost_share"
    label: str = ""
    #: deductible remaining before this day (deductible groups read it on their first day)
    remaining_before: Decimal | None = None
    events_before: list[str] = field(default_factory=list)
    events_after: list[str] = field(default_factory=list)

    @property
    def patient(self) -> Decimal:
        return (self.deductible + self.copay + self.coinsurance + self.not_covered + self.over_limit
                + self.self_pay + self.balance_bill)


@dataclass(slots=True)
class DayRun:
    """A priced day and the days after it that repeat it (``day_runs.py``): the same figures, kind, label and
    delivery, no events of their own; each repeat's deductible remaining is the day before's less the day's
    deductible. A level's days are priced, added up, explained and packed run by run; :meth:`lines` gives the
    day lines one by one when a step needs each day (the per-day rows, authorizations, other payers)."""

    line: DayLine
    #: the days after ``line`` that repeat it, in order
    more: Sequence[ServiceDay] = ()

    @property
    def count(self) -> int:
        return 1 + len(self.more)

    @property
    def last_number(self) -> int:
        return self.more[-1].number if self.more else self.line.number

    @property
    def last_date(self) -> dt.date:
        return self.more[-1].date if self.more else self.line.date

    @property
    def events_after(self) -> Sequence[str]:
        """The events after the run's last day (a repeat has none)."""
        return () if self.more else self.line.events_after

    def lines(self) -> list[DayLine]:
        first = self.line
        out = [first]
        if not self.more:
            return out
        gross, telehealth, allowed, payer, ded, copay, coins = (first.gross, first.telehealth, first.allowed,
                                                                first.payer, first.deductible, first.copay,
                                                                first.coinsurance)
        not_covered, over_limit, self_pay, balance, waived = (first.not_covered, first.over_limit, first.self_pay,
                                                              first.balance_bill, first.waived)
        tier, kind, label, room, write_off = (first.copay_tier, first.kind, first.label, first.remaining_before,
                                              first.write_off)
        for offset, day in enumerate(self.more, 1):
            # DayLine's fields in order up to waived (positional: half the cost of keywords, once a day)
            out.append(DayLine(day.number, day.date, day.hours, gross, telehealth, allowed, payer, ded, copay, coins,
                               not_covered, over_limit, self_pay, balance, waived, write_off=write_off,
                               copay_tier=tier, kind=kind, label=label,
                               remaining_before=None if room is None else room - ded * offset))
        return out


def lines_of(runs: Sequence[DayRun]) -> list[DayLine]:
    """Every day line of ``runs``, in order."""
    return [line for run in runs for line in run.lines()]


def runs_of(lines: Sequence[DayLine]) -> list[DayRun]:
    """Day lines as runs of one day each (what a calculator that prices day by day gives)."""
    return [DayRun(line) for line in lines]


def days_and_patient_total(runs: Sequence[DayRun]) -> tuple[int, Decimal]:
    """The days of ``runs`` and ``DayLine.patient`` added up over every one of them, in one pass (a run's share times
    its days: the same exact sum)."""
    days, total = 0, ZERO
    for run in runs:
        d = run.line
        share = d.deductible + d.copay + d.coinsurance + d.not_covered + d.over_limit + d.self_pay + d.balance_bill
        if run.more:
            count = 1 + len(run.more)
            days += count
            total += share * count
        else:
            days += 1
            total += share
    return days, total


def self_pay_day(day: ServiceDay, gross: Decimal, rate: Decimal, *, bucket: str, label: str, kind: str) -> DayLine:
    line = DayLine(number=day.number, date=day.date, hours=day.hours, gross=cents(gross), kind=kind, label=label,
                   telehealth=day.telehealth)
    setattr(line, bucket, cents(rate))
    return line


def self_pay_runs(days: Sequence[ServiceDay], gross: Decimal, rate: Decimal, *, bucket: str, label: str,
                  kind: str) -> list[DayRun]:
    """:func:`self_pay_day` for every day, as runs: a run ends where the delivery changes or a closure comes before
    a day (that day's explanation says so, ``closure_notes.py``)."""
    runs: list[DayRun] = []
    index, count = 0, len(days)
    while index < count:
        day = days[index]
        end = index + 1
        while end < count and days[end].telehealth == day.telehealth and not days[end].after_closures:
            end += 1
        runs.append(DayRun(self_pay_day(day, gross, rate, bucket=bucket, label=label, kind=kind), days[index + 1:end]))
        index = end
    return runs


def remaining_of_limit(lim: Limit, what: str, notes: Notes) -> Decimal | None:
    """What is left of a day/visit/hour limit: as reported, else quantity - used, else (assumed) all of it."""
    if lim.remaining is not None:
        return Decimal(lim.remaining)
    if lim.quantity is not None and lim.used is not None:
        return Decimal(max(lim.quantity - lim.used, 0))
    if lim.quantity is not None:
        notes.assume(f"{what} used so far not reported: assumed all {lim.quantity} {lim.unit} remain")
        return Decimal(lim.quantity)
    return None


@dataclass(slots=True)
class PlanTerms:
    """Cost sharing for one level and network, with unknowns resolved (and noted)."""

    covered: bool
    ded_ind: tuple[Decimal | None, Decimal | None]  # (total, remaining this plan year); None = not applicable
    ded_fam: tuple[Decimal | None, Decimal | None]
    oop_ind: tuple[Decimal | None, Decimal | None]
    oop_fam: tuple[Decimal | None, Decimal | None]
    coinsurance_percent: Decimal
    copay: Decimal | None
    copay_per: str
    limit_total: Decimal | None
    limit_remaining: Decimal | None
    limit_unit: str
    limit_resets: bool
    #: False = the plan waives the deductible for this level (cost sharing starts on day 1).
    deductible_applies: bool = True
    #: True = the copay replaces the coinsurance on the days a copay applies.
    copay_replaces_coinsurance: bool = False
    #: Day-tiered copays within a stay: (first day, last day or None, amount); they win over ``copay``.
    copay_tiers: tuple[tuple[int, int | None, Decimal], ...] = ()

    def copay_tier(self, day_number: int) -> tuple[int, int | None, Decimal] | None:
        for tier in self.copay_tiers:
            first, last, _amount = tier
            if day_number >= first and (last is None or day_number <= last):
                return tier
        return None


def _accumulator(acc: Accumulator | None, name: str, notes: Notes) -> tuple[Decimal | None, Decimal | None]:
    if acc is None or (acc.total is None and acc.remaining is None):
        return None, None
    if acc.remaining is None:
        notes.assume(f"{name} remaining not reported: assumed none of the {format_usd(acc.total)} has been met")
        return acc.total, acc.total
    total = acc.total if acc.total is not None else acc.remaining
    return total, acc.remaining


def resolve_terms(lb: LevelBenefits, notes: Notes, network_word: str) -> PlanTerms:
    level = lb.level.value.upper()
    covered = lb.covered
    if covered is None:
        covered = True
        notes.assume(f"the payer did not say whether {level} is covered {network_word}; assumed covered")
    ded_ind = _accumulator(lb.deductible_individual, f"{network_word} individual deductible", notes)
    ded_fam = _accumulator(lb.deductible_family, f"{network_word} family deductible", notes)
    if lb.family_deductible_embedded is False and ded_fam != (None, None) and ded_ind != (None, None):
        # Not embedded: one person's spending never ends the deductible alone, only the family's total does.
        notes.assume(f"the {network_word} family deductible is not embedded: the family's "
                     f"{format_usd(ded_fam[1])} remaining applies, not the individual {format_usd(ded_ind[1])}")
        ded_ind = (None, None)
    deductible_applies = lb.deductible_applies is not False
    if not deductible_applies and covered and (ded_ind != (None, None) or ded_fam != (None, None)):
        notes.assume(f"the plan waives the {network_word} deductible for {level}: cost sharing starts on day 1 "
                     "(the deductible is neither charged nor used up)")
    oop_ind = _accumulator(lb.oop_max_individual, f"{network_word} individual out-of-pocket maximum", notes)
    oop_fam = _accumulator(lb.oop_max_family, f"{network_word} family out-of-pocket maximum", notes)
    if covered and deductible_applies and ded_ind == (None, None) and ded_fam == (None, None):
        notes.assume(f"no {network_word} deductible reported: assumed none applies to {level}")
    if covered and oop_ind == (None, None) and oop_fam == (None, None):
        notes.warn(f"no {network_word} out-of-pocket maximum reported: amounts are not capped")
    coins = lb.coinsurance_percent
    tiers = tuple((t.first_day, t.last_day, t.amount) for t in lb.copay_tiers)
    has_copay = lb.copay is not None or bool(tiers)
    if covered and coins is None and not has_copay:
        notes.assume(f"no {network_word} coinsurance or copay reported for {level}: assumed the plan pays the rest "
                     "after the deductible")
    replaces = False
    if has_copay and coins:
        if lb.copay_with_coinsurance is False:
            replaces = True
            notes.assume(f"per the plan, the {network_word} copay replaces the {_pct(coins)} coinsurance on the "
                         "days a copay applies")
        elif lb.copay_with_coinsurance is None:
            notes.assume("the plan reports both a copay and a coinsurance without saying whether both apply: the "
                         "copay is taken first, then the coinsurance on the rest")
    limit_total = limit_remaining = None
    unit = "days"
    resets = True
    if lb.limit is not None:
        lim = lb.limit
        unit = lim.unit
        resets = (lim.period or "").lower() not in {"lifetime", "episode", "admission"}
        limit_total = Decimal(lim.quantity) if lim.quantity is not None else None
        limit_remaining = remaining_of_limit(lim, f"{level} limit", notes)
    if lb.prior_authorization_required:
        notes.warn(f"prior authorization required for {level} {network_word}: without it the plan may pay nothing")
    return PlanTerms(covered=covered, ded_ind=ded_ind, ded_fam=ded_fam, oop_ind=oop_ind, oop_fam=oop_fam,
                     coinsurance_percent=coins or ZERO, copay=lb.copay, copay_per=(lb.copay_per or "day").lower(),
                     limit_total=limit_total, limit_remaining=limit_remaining, limit_unit=unit, limit_resets=resets,
                     deductible_applies=deductible_applies, copay_replaces_coinsurance=replaces, copay_tiers=tiers)


def telehealth_terms(lb: LevelBenefits, terms: PlanTerms, notes: Notes) -> PlanTerms:
    """The terms for days joined by telehealth: the plan's stated telehealth cost sharing, else the in-person
    terms (said). Accumulators, limits and coverage stay the plan's own."""
    stated = lb.telehealth
    if stated is None:
        notes.assume(f"the plan states no telehealth cost sharing for {lb.level.value.upper()}: telehealth days are "
                     "priced on the in-person terms")
        return terms
    source = f" ({stated.source})" if stated.source else ""
    notes.assume(f"telehealth days use the plan's telehealth cost sharing{source}")
    return dataclasses.replace(
        terms,
        copay=stated.copay,
        copay_per=(stated.copay_per or "day") if stated.copay is not None else terms.copay_per,
        coinsurance_percent=stated.coinsurance_percent if stated.coinsurance_percent is not None else (
            ZERO if stated.copay is not None else terms.coinsurance_percent),
        deductible_applies=terms.deductible_applies if stated.deductible_applies is None else stated.deductible_applies,
        copay_tiers=() if stated.copay is not None else terms.copay_tiers,
    )


_ONE = Decimal(1)


@dataclass(slots=True)
class _YearState:
    ded_ind: Decimal | None
    ded_fam: Decimal | None
    oop_ind: Decimal | None
    oop_fam: Decimal | None
    limit: Decimal | None
    oop_reached: bool = False

    def take(self, deductible: Decimal, share: Decimal) -> None:
        """Use up the deductibles and out-of-pocket maxima (those that apply) by a day's (or run's) amounts."""
        if self.ded_ind is not None:
            self.ded_ind -= deductible
        if self.ded_fam is not None:
            self.ded_fam -= deductible
        if self.oop_ind is not None:
            self.oop_ind -= share
        if self.oop_fam is not None:
            self.oop_fam -= share


def accumulate_commercial(days: Sequence[ServiceDay], terms: PlanTerms, **kw) -> list[DayLine]:
    """:func:`commercial_runs` day by day: every day line, in order."""
    return lines_of(commercial_runs(days, terms, **kw))


def commercial_runs(
    days: Sequence[ServiceDay],
    terms: PlanTerms,
    *,
    allowed_per_day: Decimal,
    gross_per_day: Decimal,
    self_pay_per_day: Decimal,
    plan_year_of: Callable[[dt.date], dt.date],
    current_plan_year: dt.date,
    out_of_network: bool,
    is_inpatient: bool,
    notes: Notes,
    virtual_terms: PlanTerms | None = None,
    repeat: bool = True,
) -> list[DayRun]:
    """Price each day of a course under one plan's terms (see the module docstring); days joined by
    telehealth use ``virtual_terms`` (from :func:`telehealth_terms`) when given. A run of days that come
    out alike is priced once, as one :class:`DayRun` (``day_runs.py``); ``repeat=False`` prices every day on its
    own (the reference the property test holds the runs to)."""
    gross = cents(gross_per_day)
    allowed = cents(allowed_per_day)
    self_pay = cents(self_pay_per_day)
    net_word = "out-of-network " if out_of_network else ""
    runs: list[DayRun] = []
    if not terms.covered:
        label = f"not covered by your plan {('out of network' if out_of_network else '')}".rstrip()
        return self_pay_runs(days, gross, self_pay, bucket="not_covered", kind="not_covered",
                             label=f"{label}: self-pay rate {format_usd(self_pay)} a day")
    states: dict[dt.date, _YearState] = {}
    balance = max(gross - allowed, ZERO) if out_of_network else ZERO
    bb_text = (f"; plus a possible balance bill of {format_usd(balance)} a day (charge {format_usd(gross)} minus "
               f"allowed {format_usd(allowed)}), not capped by your out-of-pocket maximum") if balance else ""
    per_stay = terms.copay_per == "admission"
    # A per-admission copay is owed once for the stay: what a day's allowed amount cannot hold
    # (the deductible took it) is taken on the next days until the whole copay is charged.
    stay_copay_left = cents(terms.copay) if terms.copay is not None and per_stay else None
    previous_year: dt.date | None = None
    over_limit_seen = False
    index = 0
    while index < len(days):
        day = days[index]
        index += 1
        year = plan_year_of(day.date)
        state = states.get(year)
        events: list[str] = []
        if state is None:
            current = year == current_plan_year
            pick = 1 if current else 0
            if not terms.limit_resets and previous_year is not None:
                # A lifetime/episode limit is not renewed by a new plan year: carry what is left.
                limit = states[previous_year].limit
            elif current or not terms.limit_resets:
                limit = terms.limit_remaining
            else:
                limit = terms.limit_total
            state = _YearState(
                ded_ind=terms.ded_ind[pick], ded_fam=terms.ded_fam[pick], oop_ind=terms.oop_ind[pick],
                oop_fam=terms.oop_fam[pick], limit=limit,
            )
            states[year] = state
            if previous_year is not None:
                parts = [f"{name} starts again at {format_usd(total)}" for name, total in (
                    ("deductible", terms.ded_ind[0]), ("out-of-pocket maximum", terms.oop_ind[0])) if total is not None]
                events.append(f"New plan year from {short_date(year)}, {year.year} (day {day.number}): "
                              + ("; ".join(parts) if parts else "accumulators start again"))
                notes.warn("the course crosses into a new plan year: the deductible and out-of-pocket maximum "
                           "start again at the plan's full amounts")
            previous_year = year
        units = day.hours if terms.limit_unit == "hours" else _ONE
        if state.limit is not None and state.limit < units:
            limit_words = (f"{net_word}limit of {terms.limit_total} {terms.limit_unit}"
                           if terms.limit_total is not None else f"{net_word}{terms.limit_unit} limit")
            line = self_pay_day(day, gross, self_pay, bucket="over_limit", kind="over_limit",
                                label=f"past your plan's {limit_words}: self-pay rate {format_usd(self_pay)} a day")
            if not over_limit_seen:
                over_limit_seen = True
                events.append(f"Plan limit reached: from day {day.number} ({short_date(day.date)}) the plan pays "
                              "nothing for this level")
                notes.warn(f"the course runs past the plan's {terms.limit_unit} limit: days past it are shown at the "
                           "self-pay rate")
            line.events_before = events
            runs.append(DayRun(line))
            continue
        if state.limit is not None:
            state.limit -= units

        # DayLine's fields in order up to balance_bill (positional: half the cost of keywords, once a run)
        line = DayLine(day.number, day.date, day.hours, gross, day.telehealth, allowed, ZERO, ZERO, ZERO, ZERO, ZERO,
                       ZERO, ZERO, balance, events_before=events)
        day_terms = virtual_terms if day.telehealth and virtual_terms is not None else terms
        if day_terms.deductible_applies:
            ded_room = state.ded_ind
            if ded_room is None or (state.ded_fam is not None and state.ded_fam < ded_room):
                ded_room = state.ded_fam
        else:
            ded_room = None
        oop_room = state.oop_ind
        if oop_room is None or (state.oop_fam is not None and state.oop_fam < oop_room):
            oop_room = state.oop_fam
        line.remaining_before = ded_room
        ded = min(allowed, ded_room) if ded_room is not None else ZERO
        rest = allowed - ded
        copay = ZERO
        tier = day_terms.copay_tier(day.number)
        stay_copay_before = stay_copay_left
        copay_applies = True
        if tier is not None:
            copay = min(cents(tier[2]), rest)
            line.copay_tier = tier
        elif stay_copay_left is not None:
            copay = min(stay_copay_left, rest)
            stay_copay_left -= copay
        elif day_terms.copay is not None:
            copay = min(cents(day_terms.copay), rest)
        else:
            copay_applies = False
        rest -= copay
        day_pct = ZERO if day_terms.copay_replaces_coinsurance and copay_applies else day_terms.coinsurance_percent
        coins = cents(percent_of(rest, day_pct)) if day_pct else ZERO
        share = ded + copay + coins
        capped = False
        if oop_room is not None and share > oop_room:
            capped = True
            room = oop_room
            ded = min(ded, room)
            room -= ded
            copay = min(copay, room)
            room -= copay
            coins = min(coins, room)
            share = ded + copay + coins
        line.deductible, line.copay, line.coinsurance = ded, copay, coins
        line.payer = allowed - share
        state.take(ded, share)
        if ded and ded_room is not None and ded == ded_room and state.ded_fam is not None and state.ded_fam == 0 \
                and (state.ded_ind is None or state.ded_ind > 0):
            before = " before your individual deductible" if state.ded_ind is not None else ""
            line.events_after.append(f"Family deductible met on day {day.number} ({short_date(day.date)}){before}: "
                                     "no more deductible this plan year")
        _describe(line, day_pct, day_terms, capped, oop_room is not None and oop_room == 0, bb_text, is_inpatient)
        if day.telehealth:
            rule = ("the plan's telehealth terms" if virtual_terms is not None and virtual_terms is not terms
                    else "priced on the plan's in-person terms")
            line.label = f"telehealth day ({rule}): {line.label}"
        if not state.oop_reached and oop_room is not None and oop_room > 0 and share == oop_room:
            state.oop_reached = True
            line.events_after.append(f"Out-of-pocket maximum reached on day {day.number} ({short_date(day.date)}): "
                                     "you pay $0.00 after that this plan year" + (" (except balance bills)" if balance else ""))
        run = DayRun(line)
        runs.append(run)
        if repeat and (tier is not None or not stay_copay_before):
            count = _repeat_day(line, days, index, state, ded_room, oop_room, year=year, plan_year_of=plan_year_of,
                                tier_of=day_terms.copay_tier if day_terms.copay_tiers else None,
                                hours_limit=terms.limit_unit == "hours")
            if count:
                run.more = days[index:index + count]
                index += count
    return runs


def _repeat_day(line: DayLine, days: Sequence[ServiceDay], start: int, state: _YearState, ded_room: Decimal | None,
                oop_room: Decimal | None, *, year: dt.date, plan_year_of: Callable[[dt.date], dt.date],
                tier_of: Callable[[int], object] | None, hours_limit: bool) -> int:
    """How many days from ``days[start]`` come out exactly like ``line`` (see ``day_runs.py``); the year's
    accumulators are moved past them."""
    if line.events_after:  # an event ends its day's run (DayRun: repeats have none)
        return 0
    ded, share = line.deductible, line.deductible + line.copay + line.coinsurance
    bound = len(days) - start
    if ded:
        # a day that took less than the allowed amount crossed the deductible (or hit the maximum)
        bound = min(bound, repeats_below(ded_room - ded, ded) if ded == line.allowed else 0)
    if share and oop_room is not None:
        bound = min(bound, repeats_below(oop_room - share, share))
    if bound <= 0:
        return 0
    count, limit_left = run_length(days, start, bound, year=year, plan_year_of=plan_year_of,
                                   telehealth=line.telehealth, tier=line.copay_tier, tier_of=tier_of,
                                   limit=state.limit, hours_limit=hours_limit)
    if count:
        state.limit = limit_left
        state.take(ded * count, share * count)
    return count


def _describe(line: DayLine, pct: Decimal, terms: PlanTerms, capped: bool, oop_met: bool, bb: str,
              inpatient: bool) -> None:
    allowed = line.allowed
    ded, copay, coins = line.deductible, line.copay, line.coinsurance
    share = ded + copay + coins
    if oop_met and share == 0:
        # with a balance bill the patient does pay something: do not read out "you pay $0.00"
        owed = "no more cost sharing" if bb else "you pay $0.00"
        line.kind, line.label = "oop_met", f"out-of-pocket maximum met: {owed}, the plan pays {format_usd(allowed)} a day{bb}"
        return
    if capped:
        line.kind = "cost_share"
        bits = [f"{format_usd(amount)} {name}" for name, amount in (("deductible", ded), ("copay", copay),
                                                                    ("coinsurance", coins)) if amount]
        line.label = (f"you pay {format_usd(share)} ({' + '.join(bits)}), the rest of your out-of-pocket maximum; "
                      f"the plan pays {format_usd(line.payer)}{bb}")
        return
    if ded and not copay and not coins:
        line.kind, line.label = "deductible", f"deductible{bb}"
    elif coins and not ded and not copay:
        line.kind = "coinsurance"
        line.label = f"{_pct(pct)} coinsurance of {format_usd(allowed - copay)} = {format_usd(coins)} a day{bb}"
    elif copay and not ded and not coins and line.copay_tier is not None:
        first, last, _amount = line.copay_tier
        days = f"days {first}\u2013{last}" if last is not None else f"day {first} on"
        line.kind, line.label = "copay", f"{format_usd(copay)} copay a day ({days} of the stay){bb}"
    elif copay and not ded and not coins:
        per = {"admission": "for the stay", "visit": "a visit"}.get(terms.copay_per, "a day")
        line.kind, line.label = "copay", f"{format_usd(copay)} copay {per}{bb}"
        if terms.copay_per == "admission" and terms.copay is not None and copay < cents(terms.copay):
            line.label = (f"{format_usd(copay)}, the rest of the {format_usd(terms.copay)} copay for the stay"
                          f"{bb}")
    elif not ded and not copay and not coins:
        line.kind, line.label = "plan_pays_all", f"no cost sharing: the plan pays {format_usd(allowed)} a day{bb}"
    else:
        line.kind = "cost_share"
        line.label = f"{_parts_text(line, pct)}: you pay {format_usd(share)}{bb}"


def _percent_words(pct: Decimal) -> str:
    return f"{pct.normalize():f}%"


#: kept by value (a plan has a few percentages, each written on every run): equal Decimals normalize alike
_pct = kept_by_value(_percent_words, 256)


def _parts_text(line: DayLine, pct: Decimal) -> str:
    bits = []
    if line.deductible:
        bits.append(f"{format_usd(line.deductible)} of the {format_usd(line.allowed)} toward the deductible")
    if line.copay:
        bits.append(f"{format_usd(line.copay)} copay")
    if line.coinsurance or pct:
        base = line.allowed - line.deductible - line.copay
        bits.append(f"{_pct(pct)} coinsurance of the remaining {format_usd(base)} = {format_usd(line.coinsurance)}")
    return " + ".join(bits)
