"""Money and small shared scalar types (see the package docstring for the wire form)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import msgspec

#: US dollars as a decimal string with two decimals on the wire ("1234.50").
Money = Annotated[
    Decimal,
    msgspec.Meta(
        description="US dollars as a decimal string, two decimals, e.g. \"1234.50\". Never a float.",
        examples=["1234.50"],
        # Read by service.request_body: request money is 0 or more, at most two decimals, bounded.
        extra={"kind": "money"},
    ),
]

#: Percent points as a decimal string ("20" = 20 %).
Percent = Annotated[
    Decimal,
    msgspec.Meta(
        description="Percent points as a decimal string, e.g. \"20\" for 20 %.", examples=["20"], extra={"kind": "percent"}
    ),
]

Date = dt.date

NonNegativeInt = Annotated[int, msgspec.Meta(ge=0)]
