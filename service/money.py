"""The one place money is rounded to cents.

Rule: amounts are carried as exact ``Decimal`` through every calculation and rounded to
cents with :func:`cents` exactly where a figure becomes a line the patient sees (a day's
share, a total, a payment). Rounding is ROUND_HALF_UP, which for money (never negative
here) is the same as PostgreSQL's ``numeric`` rounding (half away from zero), so a figure
rounded in SQL and in Python agree. Floats are refused outright.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

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


def format_usd(amount: Decimal) -> str:
    """'$1,234.50' for explanations read aloud by intake staff."""
    value = cents(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"
