"""Original Medicare Part A for an inpatient psychiatric stay, day by day. Pure.

The benefit-period deductible, spread over the first days' per diems until paid; the patient
pays the lesser of the deductible and the hospital's charges for the stay (42 CFR 409.82(a)):
when Medicare's per diems for a short stay are less than the deductible, the rest of it is still
owed, up to the charges, and Medicare pays nothing for those days. Benefit-period days 1-60
nothing more, 61-90 the daily coinsurance, 91-150 lifetime reserve days at the reserve
coinsurance while reserve days remain - unless the patient chooses not to use them (42 CFR
409.65(b); request ``use_lifetime_reserve_days: false``), then, like days past 150 or with none
left, Medicare pays nothing and the day is billed at the provider's self-pay rate. In a
freestanding psychiatric hospital days past the 190-day lifetime limit (42 CFR 409.62) are not
covered (self-pay rate) and do not use benefit-period days. Figures are those of the year the
benefit period began.

Days already used in the current benefit period come from the 271 (days used, or the full and
coinsurance days HETS reports left). A benefit period already under way has had its deductible
charged on its first stay: when the 271 also reports the deductible as unmet, the conflict is
flagged and the deductible is not charged again here. The answer ends with the days left:
lifetime reserve, the 190-day psychiatric limit, and the benefit period's full and coinsurance
days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from contracts.benefits import MedicareDetails
from service.money import ZERO, cents, format_usd
from service.pricing.calendar import benefit_period_starts
from service.pricing.course import ServiceDay
from service.pricing.engine import DayLine, DayRun, Notes, self_pay_day, short_date
from service.pricing.medicare import medicare_year, waive
from service.pricing.program_figures import MedicareYear, ProgramFigures
from service.pricing.rates import LevelRates

FULL_DAYS = 60  # benefit-period days 1-60
COINSURANCE_DAYS = 30  # days 61-90
RESERVE_LAST_DAY = 150


def _days_used(details: MedicareDetails, notes: Notes) -> int:
    """Days already used in the current benefit period: as reported, else from the days HETS reports left."""
    if details.benefit_period_days_used is not None:
        return details.benefit_period_days_used
    full = details.benefit_period_full_days_remaining
    if full is None:
        return 0
    used = max(FULL_DAYS - full, 0)
    coins = details.benefit_period_coinsurance_days_remaining
    if full == 0 and coins is not None:
        used += max(COINSURANCE_DAYS - coins, 0)
    if used:
        notes.assume(f"days used in the current benefit period worked out from the days Medicare reports left "
                     f"({full} full, {'unknown' if coins is None else coins} coinsurance): {used} used")
    return used


def _deductible_conflict(details: MedicareDetails, used: int, notes: Notes) -> bool:
    unmet = details.part_a_deductible_remaining
    if used > 0 and unmet is not None and unmet > 0:
        notes.warn(f"Medicare reports {used} hospital day(s) already used in this benefit period but the Part A "
                   f"deductible as not met ({format_usd(unmet)} remaining): the deductible is owed once per benefit "
                   "period, on its first stay, so it is probably still being processed on that stay's claim. It is "
                   "not charged again in this estimate; confirm with Medicare before collecting it")
        return True
    return False


def _days_left_text(*, reserve: int, reserve_total: int, reserve_reported: bool, psych_left: int | None,
                    psych_limit: int, bp_day: int) -> str:
    full_left = max(FULL_DAYS - bp_day, 0)
    coins_left = max(COINSURANCE_DAYS - max(bp_day - FULL_DAYS, 0), 0)
    parts = [f"{reserve} of {reserve_total} lifetime reserve days" + ("" if reserve_reported else " (assumed)")]
    if psych_left is not None:
        parts.append(f"{psych_left} of the {psych_limit} lifetime days in a freestanding psychiatric hospital")
    parts.append(f"in this benefit period {full_left} full days and {coins_left} coinsurance days (a new benefit "
                 "period starts after 60 days in a row out of hospital)")
    return "Medicare days left after this stay: " + "; ".join(parts)


def _federal_fiscal_year(day: dt.date) -> int:
    """The federal fiscal year of ``day`` (from 1 October): the IPF per diem and its notes go by it."""
    return day.year + 1 if day.month >= 10 else day.year


def price_part_a(days: Sequence[ServiceDay], rates: LevelRates, details: MedicareDetails, figures: ProgramFigures,
                 *, freestanding_psychiatric: bool | None, notes: Notes, years_used: set[int],
                 ipf_years_used: set[str], use_lifetime_reserve_days: bool = True) -> list[DayRun]:
    """Inpatient psychiatric days under Part A (see the module docstring). Once the benefit period's deductible is
    paid, the next days of the same benefit period and stretch (days 1-60, or 61-90) and the same per diem are
    one run (``engine.DayRun``), priced once; the stay's last day is always a day of its own (its event after)."""
    rules = figures.medicare_rules
    gross = cents(rates.gross_charge_per_day)
    self_pay = cents(rates.self_pay_per_day)
    bp_used = _days_used(details, notes)
    conflict = _deductible_conflict(details, bp_used, notes)
    reserve_total = details.lifetime_reserve_days_total or rules.lifetime_reserve_days_total
    reserve = details.lifetime_reserve_days_remaining
    reserve_reported = reserve is not None
    if reserve is None:
        reserve = reserve_total
        if len(days) + bp_used > FULL_DAYS + COINSURANCE_DAYS:
            notes.assume(f"lifetime reserve days remaining not reported: assumed all {reserve} remain")
    psych_limit = details.psychiatric_lifetime_days_total or rules.psychiatric_lifetime_limit_days
    psych_left: int | None = None
    if freestanding_psychiatric:
        if details.psychiatric_lifetime_days_remaining is not None:
            psych_left = details.psychiatric_lifetime_days_remaining
        elif details.psychiatric_lifetime_days_used is not None:
            psych_left = max(psych_limit - details.psychiatric_lifetime_days_used, 0)
        else:
            psych_left = psych_limit
            notes.assume(f"freestanding psychiatric hospital days used not reported: assumed none of the "
                         f"{psych_limit}-day lifetime limit is used")
    elif freestanding_psychiatric is None:
        notes.warn("facility type not given: if this is a freestanding psychiatric hospital, Medicare's 190-day "
                   "lifetime limit applies and is not checked here")

    starts = benefit_period_starts([d.date for d in days], rules.benefit_period_gap_days)
    lines: list[DayRun] = []
    bp_start: dt.date | None = None
    bp_day = 0
    ded_room = ZERO
    period_charges = period_deductible = ZERO
    my: MedicareYear | None = None
    psych_flagged = reserve_flagged = False
    index = -1
    while index + 1 < len(days):
        index += 1
        day, start = days[index], starts[index]
        events: list[str] = []
        last_of_period = index == len(days) - 1 or starts[index + 1] != start
        if start != bp_start:
            first = bp_start is None
            bp_start = start
            continuing = first and bp_used > 0
            bp_day = bp_used if first else 0
            period_charges = period_deductible = ZERO
            my = medicare_year(figures, start.year, notes, years_used)
            if continuing:
                notes.assume(f"{bp_used} days of the current benefit period already used; its Part A figures assumed "
                             f"to be CY{my.year}'s (the year the benefit period began is not reported)")
            if conflict and first:
                ded_room = ZERO
            elif first and details.part_a_deductible_remaining is not None:
                ded_room = cents(details.part_a_deductible_remaining)
            elif continuing:
                ded_room = ZERO
                notes.assume("Part A deductible remaining not reported for a benefit period already under way: "
                             "assumed already paid")
            else:
                ded_room = cents(my.part_a_deductible)
            if not first:
                events.append(f"New Medicare benefit period from {short_date(start)} (day {day.number}): the Part A "
                              f"deductible {format_usd(my.part_a_deductible)} applies again")
        assert my is not None
        if psych_left is not None:
            if psych_left <= 0:
                line = self_pay_day(day, gross, self_pay, bucket="not_covered", kind="psych_limit",
                                    label=f"past Medicare's {psych_limit}-day lifetime limit in a freestanding "
                                          f"psychiatric hospital: not covered, self-pay rate {format_usd(self_pay)} a day")
                if not psych_flagged:
                    psych_flagged = True
                    notes.warn(f"the stay passes Medicare's {psych_limit}-day lifetime limit in a freestanding "
                               "psychiatric hospital: later days are not covered")
                    events.append(f"Medicare's {psych_limit}-day psychiatric hospital lifetime limit is used up "
                                  f"before day {day.number} ({short_date(day.date)})")
                line.events_before = events
                lines.append(DayRun(line))
                continue
            psych_left -= 1
        bp_day += 1
        per_diem = rates.medicare_inpatient_per_diem
        if per_diem is None:
            fy = figures.ipf_year(day.date)
            per_diem = fy.federal_per_diem_base_rate
            ipf_years_used.add(fy.label)
            notes.assume(f"Medicare allowed amount estimated: the facility's IPF per diem is not on file; the "
                         f"unadjusted IPF federal per diem base rate ({fy.label} {format_usd(per_diem)}) was used")
            if fy.fallback:
                fiscal_year = day.date.year + 1 if day.date.month >= 10 else day.date.year  # federal FY from Oct 1
                notes.warn(f"IPF figures for FY{fiscal_year} are not loaded: {fy.label} used")
        allowed = cents(per_diem)
        line = DayLine(number=day.number, date=day.date, hours=day.hours, gross=gross, allowed=allowed,
                       events_before=events, remaining_before=ded_room)
        covered = bp_day <= FULL_DAYS + COINSURANCE_DAYS or (
            bp_day <= RESERVE_LAST_DAY and reserve > 0 and use_lifetime_reserve_days)
        if not covered:
            # Medicare pays nothing for the day: like any uncovered day, it is billed at the provider's self-pay
            # rate (not the Medicare per diem, which binds only what Medicare pays). No deductible is taken.
            declined = bp_day <= RESERVE_LAST_DAY and reserve > 0 and not use_lifetime_reserve_days
            why = ("you chose not to use your lifetime reserve days: Medicare pays nothing for benefit-period days "
                   "91-150" if declined else
                   "Medicare Part A hospital days used up (no lifetime reserve days left)")
            exhausted = self_pay_day(day, gross, self_pay, bucket="over_limit", kind="exhausted",
                                     label=f"{why}: not covered, self-pay rate {format_usd(self_pay)} a day")
            exhausted.events_before, exhausted.remaining_before = line.events_before, line.remaining_before
            lines.append(DayRun(exhausted))
            if declined:
                notes.warn(f"the patient chose not to use lifetime reserve days: days 91-150 of the benefit period "
                           f"are billed at the self-pay rate and the {reserve} reserve days are kept")
            else:
                notes.warn("the stay runs past the Part A days Medicare pays for: those days are the patient's to pay")
            if details.medigap_pays_part_a:
                notes.warn("Medigap plans usually cover up to 365 more hospital days after Medicare's are used; "
                           "not included here")
            continue
        # the lesser of the deductible and the hospital's charges (42 CFR 409.82(a))
        period_charges += gross
        ded = min(allowed, ded_room, period_charges - period_deductible)
        top_up = ZERO
        if last_of_period:
            top_up = min(ded_room - ded, period_charges - period_deductible - ded)
        ded_room -= ded + top_up
        period_deductible += ded + top_up
        rest = allowed - ded
        ded_words = f"Part A deductible (CY{my.year} {format_usd(my.part_a_deductible)} per benefit period)"
        if top_up > 0:
            ded_words = (f"Part A deductible (the lesser of the CY{my.year} {format_usd(my.part_a_deductible)} "
                         f"deductible and the hospital's {format_usd(period_charges)} charges for the stay, more than "
                         "Medicare's per diems for it, so Medicare pays nothing for these days)")
        if bp_day <= FULL_DAYS:
            line.deductible = ded
            line.kind, line.label = ("deductible", ded_words) if ded else (
                "plan_pays_all", "benefit-period days 1-60: Medicare Part A pays in full after the deductible, "
                                 "you pay $0.00")
        elif bp_day <= FULL_DAYS + COINSURANCE_DAYS:
            coins = min(cents(my.part_a_coinsurance_61_90), rest)
            line.deductible, line.coinsurance = ded, coins
            line.kind, line.label = "coinsurance", (f"benefit-period days 61-90: Part A coinsurance "
                                                    f"{format_usd(coins)} a day (CY{my.year})")
            if bp_day == FULL_DAYS + 1:
                line.events_before.append(f"Day {day.number} ({short_date(day.date)}) is day 61 of the benefit period: "
                                          "daily coinsurance starts")
        else:
            reserve -= 1
            coins = min(cents(my.part_a_reserve_coinsurance), rest)
            line.deductible, line.coinsurance = ded, coins
            line.kind, line.label = "reserve", (f"lifetime reserve days: Part A coinsurance {format_usd(coins)} a day "
                                                f"(CY{my.year})")
            if not reserve_flagged:
                reserve_flagged = True
                notes.warn("the stay uses lifetime reserve days, which never renew; the patient may choose not to use "
                           "them (use_lifetime_reserve_days: false) and pay for those days instead")
        if top_up:
            line.deductible += top_up
            line.allowed += top_up  # the hospital is paid the deductible even where it exceeds Medicare's per diem
            if line.kind == "plan_pays_all":
                line.kind, line.label = "deductible", ded_words
        if line.deductible and line.coinsurance:  # per diems so small the deductible runs past day 60
            line.kind = "cost_share"
            line.label = (f"{format_usd(line.deductible)} toward the Part A deductible + {line.label}: you pay "
                          f"{format_usd(line.deductible + line.coinsurance)}")
        line.payer = line.allowed - line.deductible - line.coinsurance
        waive(line, details, part_a=True)
        run = DayRun(line)
        lines.append(run)
        if not ded_room and not ded and not top_up and bp_day <= FULL_DAYS + COINSURANCE_DAYS:
            # nothing left to take of the deductible: the next days pay as this one until the stretch ends
            stretch_end = FULL_DAYS if bp_day <= FULL_DAYS else FULL_DAYS + COINSURANCE_DAYS
            most = min(stretch_end - bp_day, len(days) - 2 - index, *(() if psych_left is None else (psych_left,)))
            same_rate = rates.medicare_inpatient_per_diem is not None
            end = index + 1
            while end <= index + most and starts[end] == start and (
                    same_rate or _federal_fiscal_year(days[end].date) == _federal_fiscal_year(day.date)):
                end += 1
            repeats = end - index - 1
            if repeats > 0:
                run.more = days[index + 1:end]
                index = end - 1
                bp_day += repeats
                period_charges += gross * repeats
                if psych_left is not None:
                    psych_left -= repeats
    if lines:
        lines[-1].line.events_after.append(_days_left_text(
            reserve=reserve, reserve_total=reserve_total, reserve_reported=reserve_reported, psych_left=psych_left,
            psych_limit=psych_limit, bp_day=bp_day))
    return lines
