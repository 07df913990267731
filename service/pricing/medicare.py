"""Original Medicare cost sharing, day by day. Pure.

IOP and PHP (Part B, OPPS per diem; the day's APC and payment: ``opps_per_diem.py``): the Part B deductible (remaining from the 271 in the
current calendar year, else the year's full deductible; it restarts every 1 January), then
20 % coinsurance of the Medicare per diem, each day's coinsurance capped at that year's
Part A inpatient deductible (42 CFR 419.41); no annual out-of-pocket limit. Figures are the
calendar year of the date of service.

Inpatient (Part A): the benefit-period deductible, spread over the first days' per diems
until paid (patient pays the lesser of the deductible and the stay's allowed amounts);
benefit-period days 1-60 nothing more, 61-90 the daily coinsurance, 91-150 lifetime reserve
days at the reserve coinsurance while reserve days remain, beyond that Medicare pays nothing
and the day is billed at the provider's self-pay rate. In a freestanding psychiatric hospital days past the 190-day lifetime limit are not
covered (self-pay rate) and do not use benefit-period days. Figures are those of the year
the benefit period began.

QMB: the patient owes $0 of Medicare cost sharing by law (the would-be amount is shown as
waived). Medigap paying Part A (deductible and coinsurance) or the Part B coinsurance: $0
for those parts, shown as waived.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from contracts.benefits import MedicareDetails
from contracts.estimate import FacilityType, MedicareVirtualBilling
from service.money import ZERO, cents, format_usd, percent_of
from service.pricing.calendar import benefit_period_starts
from service.pricing.course import ServiceDay
from service.pricing.engine import DayLine, Notes, self_pay_day, short_date
from service.pricing.program_figures import MedicareYear, ProgramFigures
from service.pricing.opps_per_diem import MedicareOutpatient, outpatient_per_diem
from service.pricing.rates import LevelRates, RatesMissing
from service.pricing.telehealth import VirtualDayPrice, medicare_virtual_day

QMB_TEXT = "as a Qualified Medicare Beneficiary (QMB) you owe $0.00 of it by law"


def _year(figures: ProgramFigures, year: int, notes: Notes, used: set[int]) -> MedicareYear:
    my = figures.medicare_year(year)
    if my.fallback:
        notes.warn(f"Medicare CY{year} figures are not loaded: CY{my.year} figures used for {year} days")
    used.add(my.year)
    return my


def _waive(line: DayLine, details: MedicareDetails, *, part_a: bool) -> None:
    """Move cost sharing someone else pays (QMB by law, Medigap) into ``waived``."""
    would_be = line.deductible + line.coinsurance
    if details.qmb and would_be:
        line.waived = would_be
        line.deductible = line.coinsurance = ZERO
        line.kind = "waived"
        line.label = f"Medicare cost sharing would be {format_usd(would_be)} a day; {QMB_TEXT}"
    elif part_a and details.medigap_pays_part_a and would_be:
        line.waived = would_be
        line.deductible = line.coinsurance = ZERO
        line.kind = "waived"
        line.label = f"Part A cost sharing {format_usd(would_be)} a day is paid by your Medigap plan: you pay $0.00"
    elif not part_a and details.medigap_pays_part_b_coinsurance and line.coinsurance:
        line.waived = line.coinsurance
        line.coinsurance = ZERO
        if line.deductible:
            line.kind = "deductible"
            line.label = "Part B deductible (your Medigap plan pays the 20% coinsurance)"
        else:
            line.kind = "waived"
            line.label = f"Part B coinsurance {format_usd(line.waived)} a day is paid by your Medigap plan: you pay $0.00"
    # Medicare pays the allowed amount less the cost sharing, whoever covers that cost sharing.
    line.payer = line.allowed - line.deductible - line.coinsurance - line.waived


def price_part_b(days: Sequence[ServiceDay], rates: LevelRates, details: MedicareDetails, figures: ProgramFigures,
                 *, current_year: int, notes: Notes, years_used: set[int],
                 virtual_billing: MedicareVirtualBilling | None = None,
                 outpatient: MedicareOutpatient = MedicareOutpatient(),
                 facility_type: FacilityType | None = None) -> list[DayLine]:
    """IOP / PHP days under Part B (see the module docstring; the day's payment: ``opps_per_diem.py``); virtual
    days per ``service.pricing.telehealth``."""
    if figures.opps is None:
        raise RatesMissing("Medicare OPPS per diem figures are not loaded", field="rate_table_version")
    gross = cents(rates.gross_charge_per_day)
    remaining: dict[int, Decimal] = {}
    lines: list[DayLine] = []
    for day in days:
        my = _year(figures, day.date.year, notes, years_used)
        events: list[str] = []
        if day.date.year not in remaining:
            if day.date.year == current_year and details.part_b_deductible_remaining is not None:
                remaining[day.date.year] = cents(details.part_b_deductible_remaining)
            else:
                if day.date.year == current_year:
                    notes.assume(f"Part B deductible remaining not reported: assumed the full CY{my.year} "
                                 f"{format_usd(my.part_b_deductible)} remains")
                remaining[day.date.year] = cents(my.part_b_deductible)
            if lines:
                events.append(f"New calendar year from Jan 1, {day.date.year} (day {day.number}): the Medicare "
                              f"Part B deductible starts again at {format_usd(my.part_b_deductible)}")
                notes.warn("the course crosses 1 January: the Part B deductible starts again and the new year's "
                           "Medicare figures apply")
        if day.telehealth:
            virtual = _virtual_day(day, figures, virtual_billing, notes)
            allowed, rate_words, opps = virtual.allowed, virtual.words, virtual.opps
        else:
            rate, which = outpatient_per_diem(rates.level, day, rates, figures.opps, outpatient, facility_type, notes)
            allowed, opps = cents(rate), True
            rate_words = f"the {format_usd(allowed)} Medicare rate ({which})"
        room = remaining[day.date.year]
        ded = min(allowed, room)
        coins = cents(percent_of(allowed - ded, my.part_b_coinsurance_percent))
        capped = opps and coins > my.part_a_deductible
        if capped:
            coins = cents(my.part_a_deductible)
        remaining[day.date.year] = room - ded
        line = DayLine(number=day.number, date=day.date, hours=day.hours, gross=gross, allowed=allowed,
                       telehealth=day.telehealth, deductible=ded, coinsurance=coins, remaining_before=room,
                       events_before=events)
        pct = f"{my.part_b_coinsurance_percent.normalize():f}%"
        if ded and not coins:
            line.kind, line.label = "deductible", "Part B deductible"
        elif ded:
            line.kind = "cost_share"
            line.label = (f"{format_usd(ded)} of {rate_words} toward the Part B deductible + {pct} coinsurance of the "
                          f"remaining {format_usd(allowed - ded)} = {format_usd(coins)}: you pay {format_usd(ded + coins)}")
        else:
            line.kind = "coinsurance"
            line.label = f"{pct} coinsurance of {rate_words} = {format_usd(coins)} a day" + (
                f" (capped at the CY{my.year} Part A deductible {format_usd(my.part_a_deductible)})" if capped else "")
        _waive(line, details, part_a=False)
        lines.append(line)
    return lines


def _virtual_day(day: ServiceDay, figures: ProgramFigures, billing: MedicareVirtualBilling | None,
                 notes: Notes) -> VirtualDayPrice:
    """A program day joined from home: never the per diem (telehealth.json has the rule and its sources)."""
    if figures.telehealth is None or billing is None:
        raise RatesMissing("no Medicare figures for program days joined by telehealth", field="$.courses")
    year = figures.telehealth.medicare_year(day.date.year)
    if year.fallback:
        notes.warn(f"Medicare CY{day.date.year} telehealth rates are not loaded: CY{year.year} rates used")
    if year.demo:
        notes.warn(f"Medicare CY{year.year} telehealth rates are DEMO figures: import them from the CMS payment files")
    if billing is MedicareVirtualBilling.PROFESSIONAL_TELEHEALTH:
        notes.assume("virtual days: the practitioners bill one group psychotherapy telehealth session (90853) per "
                     "hour of programming under the physician fee schedule")
        notes.assume("Medicare pays the IOP/PHP per diem only for services at the program; sessions you join from "
                     "home are your practitioners' telehealth services: Part B deductible, then 20% coinsurance")
    else:
        notes.assume("Medicare pays the IOP/PHP per diem only for services at the program; sessions you join from "
                     "home are billed by the hospital as remote mental health services (C7900-C7902): Part B "
                     "deductible, then 20% coinsurance")
    price = medicare_virtual_day(day.hours, year, billing)
    return VirtualDayPrice(allowed=price.allowed, opps=price.opps, words=f"telehealth day: {price.words}")


def price_part_a(days: Sequence[ServiceDay], rates: LevelRates, details: MedicareDetails, figures: ProgramFigures,
                 *, freestanding_psychiatric: bool | None, notes: Notes, years_used: set[int],
                 ipf_years_used: set[str]) -> list[DayLine]:
    """Inpatient psychiatric days under Part A (see the module docstring)."""
    rules = figures.medicare_rules
    gross = cents(rates.gross_charge_per_day)
    self_pay = cents(rates.self_pay_per_day)
    bp_used = details.benefit_period_days_used or 0
    reserve = details.lifetime_reserve_days_remaining
    if reserve is None:
        reserve = rules.lifetime_reserve_days_total
        if len(days) + bp_used > 90:
            notes.assume(f"lifetime reserve days remaining not reported: assumed all {reserve} remain")
    psych_left: int | None = None
    if freestanding_psychiatric:
        limit = rules.psychiatric_lifetime_limit_days
        if details.psychiatric_lifetime_days_remaining is not None:
            psych_left = details.psychiatric_lifetime_days_remaining
        elif details.psychiatric_lifetime_days_used is not None:
            psych_left = max(limit - details.psychiatric_lifetime_days_used, 0)
        else:
            psych_left = limit
            notes.assume(f"freestanding psychiatric hospital days used not reported: assumed none of the {limit}-day "
                         "lifetime limit is used")
    elif freestanding_psychiatric is None:
        notes.warn("facility type not given: if this is a freestanding psychiatric hospital, Medicare's 190-day "
                   "lifetime limit applies and is not checked here")

    starts = benefit_period_starts([d.date for d in days], rules.benefit_period_gap_days)
    lines: list[DayLine] = []
    bp_start: dt.date | None = None
    bp_day = 0
    ded_room = ZERO
    my: MedicareYear | None = None
    psych_flagged = False
    for day, start in zip(days, starts):
        events: list[str] = []
        if start != bp_start:
            first = bp_start is None
            bp_start = start
            continuing = first and bp_used > 0
            bp_day = bp_used if first else 0
            my = _year(figures, start.year, notes, years_used)
            if continuing:
                notes.assume(f"{bp_used} days of the current benefit period already used; its Part A figures assumed "
                             f"to be CY{my.year}'s (the year the benefit period began is not reported)")
            if first and details.part_a_deductible_remaining is not None:
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
                                    label=f"past Medicare's {rules.psychiatric_lifetime_limit_days}-day lifetime limit in "
                                          f"a freestanding psychiatric hospital: not covered, self-pay rate "
                                          f"{format_usd(self_pay)} a day")
                if not psych_flagged:
                    psych_flagged = True
                    notes.warn(f"the stay passes Medicare's {rules.psychiatric_lifetime_limit_days}-day lifetime limit "
                               "in a freestanding psychiatric hospital: later days are not covered")
                    events.append(f"Medicare's {rules.psychiatric_lifetime_limit_days}-day psychiatric hospital "
                                  f"lifetime limit is used up before day {day.number} ({short_date(day.date)})")
                line.events_before = events
                lines.append(line)
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
        ded = min(allowed, ded_room)
        ded_room -= ded
        rest = allowed - ded
        if bp_day <= 60:
            line.deductible = ded
            line.kind, line.label = ("deductible", f"Part A deductible (CY{my.year} {format_usd(my.part_a_deductible)} "
                                                   "per benefit period)") if ded else (
                "plan_pays_all", f"benefit-period days 1-60: Medicare Part A pays in full after the deductible, "
                                 f"you pay $0.00")
        elif bp_day <= 90:
            coins = min(cents(my.part_a_coinsurance_61_90), rest)
            line.deductible, line.coinsurance = ded, coins
            line.kind, line.label = "coinsurance", (f"benefit-period days 61-90: Part A coinsurance "
                                                    f"{format_usd(coins)} a day (CY{my.year})")
            if bp_day == 61:
                line.events_before.append(f"Day {day.number} ({short_date(day.date)}) is day 61 of the benefit period: "
                                          "daily coinsurance starts")
        elif bp_day <= 150 and reserve > 0:
            reserve -= 1
            coins = min(cents(my.part_a_reserve_coinsurance), rest)
            line.deductible, line.coinsurance = ded, coins
            line.kind, line.label = "reserve", (f"lifetime reserve days: Part A coinsurance {format_usd(coins)} a day "
                                                f"(CY{my.year})")
            notes.warn("the stay uses lifetime reserve days, which never renew")
        else:
            # Medicare pays nothing for the day: like any uncovered day, it is billed at the provider's self-pay
            # rate (not the Medicare per diem, which binds only what Medicare pays). No deductible is taken.
            ded_room += ded
            exhausted = self_pay_day(day, gross, self_pay, bucket="over_limit", kind="exhausted",
                                     label=f"Medicare Part A hospital days used up (no lifetime reserve days left): "
                                           f"not covered, self-pay rate {format_usd(self_pay)} a day")
            exhausted.events_before, exhausted.remaining_before = line.events_before, line.remaining_before
            line = exhausted
            notes.warn("the stay runs past the Part A days Medicare pays for: those days are the patient's to pay")
            if details.medigap_pays_part_a:
                notes.warn("Medigap plans usually cover up to 365 more hospital days after Medicare's are used; "
                           "not included here")
        if line.deductible and not line.coinsurance and line.kind in ("coinsurance", "reserve"):
            # the deductible took the whole per diem: nothing is left for the day's coinsurance
            line.kind, line.label = "deductible", (f"Part A deductible (CY{my.year} "
                                                   f"{format_usd(my.part_a_deductible)} per benefit period)")
        elif line.deductible and line.coinsurance:
            line.kind = "cost_share"
            line.label = (f"{format_usd(line.deductible)} toward the Part A deductible + {line.label}: you pay "
                          f"{format_usd(line.deductible + line.coinsurance)}")
        line.payer = allowed - line.deductible - line.coinsurance - line.over_limit
        if line.over_limit:
            line.payer = ZERO
        else:
            _waive(line, details, part_a=True)
        lines.append(line)
    return lines
