from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.money import cents, format_usd


def test_half_up_not_half_even() -> None:
    # Decimal's default (half-even) would give 0.12 and 0.02; PostgreSQL numeric gives 0.13 and 0.03.
    assert cents(Decimal("0.125")) == Decimal("0.13")
    assert cents(Decimal("0.025")) == Decimal("0.03")
    assert cents(Decimal("0.124999")) == Decimal("0.12")


def test_float_is_refused() -> None:
    with pytest.raises(TypeError):
        cents(0.1)  # type: ignore[arg-type]


def test_format_for_reading_aloud() -> None:
    assert format_usd(Decimal("1234.5")) == "$1,234.50"
    assert format_usd(Decimal("0")) == "$0.00"


@given(st.decimals(min_value=0, max_value=10**9, allow_nan=False, allow_infinity=False, places=6))
def test_cents_is_within_half_a_cent_and_has_two_places(amount: Decimal) -> None:
    rounded = cents(amount)
    assert rounded.as_tuple().exponent == -2
    assert abs(rounded - amount) <= Decimal("0.005")


def test_formatted_amounts_are_kept_by_value_and_floats_still_refused() -> None:
    # 300 and 300.00 are one kept amount and read the same; a float equal to a kept amount is still refused
    assert format_usd(Decimal("300")) == format_usd(Decimal("300.00")) == "$300.00"
    assert format_usd(Decimal("-1234.567")) == "-$1,234.57"  # -1234.567 rounds half up to -1234.57
    assert format_usd(7) == "$7.00"
    with pytest.raises(TypeError):
        format_usd(300.0)  # type: ignore[arg-type]
