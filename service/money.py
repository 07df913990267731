"""The one place money is rounded to cents.

Rule: amounts are carried as exact ``Decimal`` through every calculation and rounded to
cents with :func:`cents` exactly where a figure becomes a line the patient sees (a day's
share, a total, a payment). Rounding is ROUND_HALF_UP, which for money (never negative
here) is the same as PostgreSQL's ``numeric`` rounding (half away from zero), so a figure
rounded in SQL and in Python agree. Floats are refused outright.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(amount: Decimal | int | str) -> Decimal:
    """Round to cents, half up. Refuses floats so a binary fraction never enters money."""
    if type(amount) is Decimal:  # the usual case, in the engine's inner loops: no conversion needed
        return amount.quantize(CENT, ROUND_HALF_UP)  # positional: half the cost of the keyword, as often as this runs
    if isinstance(amount, float):
        raise TypeError("money must not be a float; pass Decimal, int or str")
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` percent points of ``amount``, unrounded (round with :func:`cents`)."""
    return amount * percent / Decimal(100)


def kept_by_value(words: Callable[[Decimal], str], maxsize: int) -> Callable[[Decimal], str]:
    """``words`` (the text of one Decimal) with its answers kept by the Decimal's value, bounded, least recently used
    first out: for figures an answer writes again and again. Only Decimals are kept (a float equal to a kept amount
    would otherwise be answered instead of refused); a signalling NaN, which cannot be hashed, goes to ``words``
    itself, which treats it as it always did."""
    kept = lru_cache(maxsize=maxsize)(words)

    def text(value: Decimal) -> str:
        if type(value) is Decimal:
            try:
                return kept(value)
            except TypeError:  # a signalling NaN
                pass
        return words(value)

    return text


def _usd(amount: Decimal) -> str:
    value = cents(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


#: '$1,234.50' for explanations read aloud by intake staff. An estimate writes ~80 amounts (most of them a few
#: distinct figures: the day's rate, its coinsurance, the deductible) and Decimal's grouped formatting costs ~2.9 us,
#: a look-up ~0.25 us. Equal Decimals (300 and 300.00) round to the same cents and read the same.
format_usd = kept_by_value(_usd, 4096)
