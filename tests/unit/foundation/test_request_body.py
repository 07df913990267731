"""The body bounds every route shares: money is cents between 0 and a billion, whatever the field."""

from __future__ import annotations

import datetime as dt
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


class _Leaf(msgspec.Struct):
    note: str
    when: dt.date | None = None


class _Tree(msgspec.Struct):
    name: str
    count: int  # unbounded: refused beyond a PostgreSQL integer
    leaves: list[_Leaf] = []
    children: list[_Tree] = []
    tags: dict[str, str] = {}


def test_the_walk_skips_only_parts_that_cannot_be_out_of_bounds() -> None:
    # Strings and string maps are skipped; a date two levels down a list, an integer in a recursive child are not.
    body = {
        "name": "x" * 10, "count": 1, "tags": {"a": "b"},
        "leaves": [{"note": "fine"}, {"note": "late", "when": "9999-01-01"}],
        "children": [{"name": "c", "count": 2**40, "children": [{"name": "d", "count": 1,
                                                                    "leaves": [{"note": "", "when": "1066-10-14"}]}]}],
    }
    errors = bound_errors(msgspec.inspect.type_info(_Tree), body)
    assert [e.field for e in errors] == [
        "$.leaves[1].when", "$.children[0].count", "$.children[0].children[0].leaves[0].when",
    ]
