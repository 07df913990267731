"""Medicaid cost sharing, day by day. Pure.

The copay the 271 or manual entry gave (the state's schedule) wins, bounded by the federal
maximum for the band (a higher one is capped and said); otherwise the federal
maximum for the household's income band (medicaid.json, 42 CFR 447.52): at or below 100 %
FPL a fixed amount per outpatient service day or per inpatient stay; above, a percent of the
agency payment (10 % for 101-150 %, 20 % above 150 %). Fixed amounts are indexed each federal
fiscal year (from October 1, 2015, by the medical-care CPI) and chosen by the first service day
(``MedicaidMaxima.in_force``); for a year whose amounts are not loaded the latest loaded ones are
charged and the estimate says so, and a copay the state or plan reported above them is used as
reported (it cannot be checked against the year's unknown maximum), with a warning. All of it is capped at
5 % of household income per month or quarter (the state chooses; default month) - the cap
counts only this course (other household cost sharing is unknown, and is said so; income not
given: ``medicaid_level.py``). Exempt days ($0; who is exempt: ``medicaid_exemptions.py``) show
what was waived. A day/visit/hour limit is read as for commercial plans (remaining, else
quantity - used, else all of the quantity, assumed and said); days past it are at the self-pay
rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from contracts.benefits import LevelBenefits
from service.money import ZERO, cents, format_usd, percent_of
from service.pricing.calendar import cap_period, cap_period_label
from service.pricing.course import ServiceDay
from service.pricing.engine import DayLine, Notes, remaining_of_limit, self_pay_day, short_date
from service.pricing.program_figures import MedicaidCharge, MedicaidMaxima

BAND_WORDS = {"<=100": "at or below 100% of the poverty level", "101-150": "101-150% of the poverty level",
              ">150": "above 150% of the poverty level"}
CATEGORY_TO_BAND = {"at_or_below_100": "<=100", "101_to_150": "101-150", "above_150": ">150"}


def band_for_percent(percent_fpl: Decimal) -> str:
    if percent_fpl <= 100:
        return "<=100"
    if percent_fpl <= 150:
        return "101-150"
    return ">150"


def price_medicaid(days: Sequence[ServiceDay], *, allowed_per_day: Decimal, gross_per_day: Decimal,
                   self_pay_per_day: Decimal, inpatient: bool, benefits: LevelBenefits | None, band: str,
                   exempt_on: Callable[[dt.date], str | None], monthly_income: Decimal | None, cap_period_name: str,
                   maxima: MedicaidMaxima, notes: Notes, cap_words: str | None = None) -> list[DayLine]:
    """Price Medicaid days. ``exempt_on(day)`` says why a day is exempt (None = not); ``cap_words`` says how the
    monthly income behind the 5 % cap was found when it was not given."""
    gross = cents(gross_per_day)
    allowed = cents(allowed_per_day)
    self_pay = cents(self_pay_per_day)
    if benefits is not None and benefits.covered is False:
        return [self_pay_day(d, gross, self_pay, bucket="not_covered", kind="not_covered",
                             label=f"not covered by Medicaid: self-pay rate {format_usd(self_pay)} a day") for d in days]
    if benefits is not None and benefits.prior_authorization_required:
        notes.warn("prior authorization required by Medicaid for this level")
    limit: Decimal | None = None
    limit_unit = "days"
    if benefits is not None and benefits.limit is not None:
        lim = benefits.limit
        limit_unit = lim.unit
        limit = remaining_of_limit(lim, "Medicaid limit", notes)  # read as for commercial plans
    cap_amount: Decimal | None = None
    if monthly_income is not None:
        months = 3 if cap_period_name == "quarter" else 1
        cap_amount = cents(percent_of(monthly_income * months, maxima.household_cap_percent))
        notes.assume(f"Medicaid cost sharing capped at {maxima.household_cap_percent.normalize():f}% of household income "
                     f"per {cap_period_name} ({format_usd(cap_amount)}"
                     + (f", {cap_words}" if cap_words else "") + "); other household Medicaid cost sharing in the "
                     "same period is not known and assumed to be $0")
    elif any(exempt_on(d.date) is None for d in days):
        notes.assume("household income not given and the income band has no upper limit: the Medicaid 5% household "
                     "cap could not be worked out and is not applied")

    state_copay = benefits.copay if benefits is not None else None
    per_stay = inpatient
    federal = (maxima.inpatient if inpatient else maxima.outpatient)[band]
    if state_copay is not None:
        per_stay = (benefits.copay_per or ("admission" if inpatient else "day")).lower() == "admission"
        source = "state/plan copay as reported"
        charge_kind, fixed, pct = "fixed", cents(state_copay), None
        fixed, source = _bounded_by_federal_maximum(fixed, source, federal, per_stay=per_stay, days=len(days),
                                                    allowed=allowed, band=band, maxima=maxima, notes=notes)
    else:
        charge = federal
        source = f"{maxima.label}, {BAND_WORDS[band]}"
        if charge.kind == "percent_of_agency_payment":
            charge_kind, fixed, pct = "percent", None, charge.percent
            per_stay = False  # a percent of the stay's payment, taken day by day
        else:
            charge_kind, fixed, pct = "fixed", cents(charge.amount), None
        notes.assume(f"Medicaid copay: {source} (the state's own schedule may be lower)")
        if charge.kind != "percent_of_agency_payment" and not maxima.year_loaded:
            notes.assume(f"the indexed federal maximum for FFY {maxima.fiscal_year} is not loaded: the "
                         f"{format_usd(charge.amount or ZERO)} charged is an earlier year's and may be a little low")

    spent: dict[tuple[int, int], Decimal] = {}
    lines: list[DayLine] = []
    stay_charged = False
    for day in days:
        if limit is not None:
            units = day.hours if limit_unit == "hours" else Decimal(1)
            if limit < units:
                lines.append(self_pay_day(day, gross, self_pay, bucket="over_limit", kind="over_limit",
                                          label=f"past the Medicaid limit: self-pay rate {format_usd(self_pay)} a day"))
                notes.warn("the course runs past the Medicaid day/visit limit")
                continue
            limit -= units
        line = DayLine(number=day.number, date=day.date, hours=day.hours, gross=gross, allowed=allowed,
                       telehealth=day.telehealth)
        if charge_kind == "percent":
            due = cents(percent_of(allowed, pct))
            what = f"Medicaid coinsurance {pct.normalize():f}% of the {format_usd(allowed)} Medicaid payment"
        elif per_stay and stay_charged:
            due = ZERO
            what = "Medicaid copay already charged for this stay"
        else:
            due = fixed
            stay_charged = True
            what = f"Medicaid copay {format_usd(fixed)} {'for the stay' if per_stay else 'a day'}"
        due = min(due, allowed)
        exempt_why = exempt_on(day.date)
        if exempt_why is not None:
            line.kind, line.label = "waived", f"exempt from Medicaid cost sharing {exempt_why}: you pay $0.00"
            line.waived = due  # what the copay/coinsurance would have been
            line.payer = allowed
            lines.append(line)
            continue
        if cap_amount is not None:
            key = cap_period(day.date, cap_period_name)
            used = spent.get(key, ZERO)
            room = cap_amount - used
            if due >= room and due > 0:
                if room > 0:
                    line.events_after.append(
                        f"Medicaid 5% household cap for {cap_period_label(key, cap_period_name)} reached on day "
                        f"{day.number} ({short_date(day.date)}): you pay $0.00 more that {cap_period_name}")
                due = max(room, ZERO)
                what = f"{what}, limited by the 5% household cap for {cap_period_label(key, cap_period_name)}" \
                    if due else f"5% household cap for {cap_period_label(key, cap_period_name)} reached: you pay $0.00"
            spent[key] = used + due
        if charge_kind == "percent":
            line.coinsurance = due
        else:
            line.copay = due
        line.kind = "medicaid"
        line.label = f"{what} ({source})" if due else what
        line.payer = allowed - due
        lines.append(line)
    return lines


def _bounded_by_federal_maximum(copay: Decimal, source: str, federal: MedicaidCharge, *, per_stay: bool, days: int,
                                allowed: Decimal, band: str, maxima: MedicaidMaxima,
                                notes: Notes) -> tuple[Decimal, str]:
    """A state's copay may not exceed the federal maximum for the income band (42 CFR 447.52(b)): cap it and say so.

    A fixed maximum applies per service day (outpatient) or per stay (inpatient); a percent maximum applies to the
    agency's payment for the day, or for the whole stay when the copay is per stay.
    """
    if federal.kind == "percent_of_agency_payment":
        paid = allowed * days if per_stay else allowed
        ceiling = cents(percent_of(paid, federal.percent))
        words = f"{federal.percent.normalize():f}% of the Medicaid payment " + ("for the stay" if per_stay else "a day")
    else:
        ceiling = cents(federal.amount)
        words = f"{format_usd(ceiling)} " + ("a stay" if per_stay else "a day")
    if copay <= ceiling:
        return copay, source
    if federal.kind != "percent_of_agency_payment" and not maxima.year_loaded:
        notes.warn(f"the reported Medicaid copay {format_usd(copay)} is above {words} ({maxima.label}; 42 CFR "
                   f"447.52) and could not be checked against FFY {maxima.fiscal_year}'s own maximum: the reported "
                   "copay was used; confirm it with the state or the plan")
        return copay, source
    notes.warn(f"the reported Medicaid copay {format_usd(copay)} is above the federal maximum for "
               f"{BAND_WORDS[band]} ({words}, {maxima.label}; 42 CFR 447.52): the federal maximum "
               f"{format_usd(ceiling)} was used")
    return ceiling, f"state/plan copay capped at the federal maximum, {BAND_WORDS[band]}"
