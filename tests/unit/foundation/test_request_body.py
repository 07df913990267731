"""The body bounds every route shares: money is cents between 0 and a billion, whatever the field."""

from __future__ import annotations

from decimal import Decimal

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from contracts.money import Money
from service.request_body import MAX_MONEY, bound_errors


class _Body(msgspec.Struct):
    amount: Money
    amounts: list[Money | None] = []


INFO = msgspec.inspect.type_info(_Body)


@given(st.decimals(allow_nan=True, allow_infinity=True, places=None))
def test_money_is_accepted_exactly_when_it_is_whole_cents_from_zero_to_the_cap(amount: Decimal) -> None:
    fine = amount.is_finite() and 0 <= amount <= MAX_MONEY and amount.as_tuple().exponent >= -2
    errors = bound_errors(INFO, {"amount": str(amount), "amounts": [None, str(amount)]})
    assert [e.field for e in errors] == ([] if fine else ["$.amount", "$.amounts[1]"])
