"""Wire types that other systems depend on.

Everything here is a msgspec Struct (or an enum / type alias) with no logic beyond
shape validation. Changing a type here changes the public contract: the OpenAPI snapshot
in ``contracts/openapi.json`` must be regenerated on purpose (see README, "Contract changes").

Money on the wire
-----------------
Every amount of money is a **decimal string in US dollars with exactly two decimals**,
e.g. ``"1234.50"`` (type :data:`contracts.money.Money`). Requests may send a string or a
JSON number; responses always carry strings, so no consumer ever parses a float. The one
place that rounds to cents is :func:`service.money.cents` (half-up, i.e. away from zero for
positive amounts, the same as PostgreSQL ``numeric`` rounding).

Percentages are decimal strings of percent points (``"20"`` means 20 %), never fractions,
except where a field name says ``rate``.
"""
