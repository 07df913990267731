"""Original Medicare cost sharing, day by day (Part B here; Part A in ``medicare_part_a.py``). Pure.

IOP and PHP (Part B, OPPS per diem; the day's APC and payment: ``opps_per_diem.py``): the Part B deductible (remaining from the 271 in the
current calendar year, else the year's full deductible; it restarts every 1 January), then
20 % coinsurance of the Medicare per diem, each day's coinsurance capped at that year's
Part A inpatient deductible (42 CFR 419.41); no annual out-of-pocket limit. Figures are the
calendar year of the date of service.

Inpatient (Part A): ``medicare_part_a.py``.

QMB: the patient owes $0 of Medicare cost sharing by law (the would-be amount is shown as
waived). Medigap paying Part A (deductible and coinsurance) or the Part B coinsurance: $0
for those parts, shown as waived.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from contracts.benefits import MedicareDetails
from contracts.estimate import FacilityType, MedicareVirtualBilling
from service.money import ZERO, cents, format_usd, percent_of
from service.pricing.course import ServiceDay
from service.pricing.engine import DayLine, DayRun, Notes
from service.pricing.program_figures import MedicareYear, ProgramFigures
from service.pricing.opps_per_diem import MedicareOutpatient, outpatient_per_diem
from service.pricing.rates import LevelRates, RatesMissing
from service.pricing.telehealth import VirtualDayPrice, medicare_virtual_day

QMB_TEXT = "as a Qualified Medicare Beneficiary (QMB) you owe $0.00 of it by law"


def medicare_year(figures: ProgramFigures, year: int, notes: Notes, used: set[int]) -> MedicareYear:
    my = figures.medicare_year(year)
    if my.fallback:
        notes.warn(f"Medicare CY{year} figures are not loaded: CY{my.year} figures used for {year} days")
    used.add(my.year)
    return my


def waive(line: DayLine, details: MedicareDetails, *, part_a: bool) -> None:
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
                 facility_type: FacilityType | None = None) -> list[DayRun]:
    """IOP / PHP days under Part B (see the module docstring; the day's payment: ``opps_per_diem.py``); virtual
    days per ``service.pricing.telehealth``. Once the year's deductible is met (a day takes none of it), the next
    in-person days of the same calendar year, hours and services, after no closure, come out exactly like it:
    they are one run (``engine.DayRun``), priced once."""
    if figures.opps is None:
        raise RatesMissing("Medicare OPPS per diem figures are not loaded", field="rate_table_version")
    gross = cents(rates.gross_charge_per_day)
    remaining: dict[int, Decimal] = {}
    runs: list[DayRun] = []
    index, count = 0, len(days)
    while index < count:
        day = days[index]
        index += 1
        my = medicare_year(figures, day.date.year, notes, years_used)
        events: list[str] = []
        if day.date.year not in remaining:
            if day.date.year == current_year and details.part_b_deductible_remaining is not None:
                remaining[day.date.year] = cents(details.part_b_deductible_remaining)
            else:
                if day.date.year == current_year:
                    notes.assume(f"Part B deductible remaining not reported: assumed the full CY{my.year} "
                                 f"{format_usd(my.part_b_deductible)} remains")
                remaining[day.date.year] = cents(my.part_b_deductible)
            if runs:
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
        waive(line, details, part_a=False)
        run = DayRun(line)
        runs.append(run)
        if not ded and opps and not day.telehealth:  # nothing of the day changed what the next day pays
            end = index
            while end < count and _repeats(days[end], day):
                end += 1
            run.more, index = days[index:end], end
    return runs


def _repeats(day: ServiceDay, priced: ServiceDay) -> bool:
    """Whether ``day`` is priced as ``priced`` was once its year's deductible is met (the per diem depends on the
    day's services or hours and its calendar year; a closure before it starts a run for its explanation event)."""
    return (not day.telehealth and not day.after_closures and day.date.year == priced.date.year
            and day.hours == priced.hours and day.services == priced.services)


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
