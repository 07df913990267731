"""The figures loaded for a calendar year, or the nearest loaded year's, flagged. Pure.

Reference figures are by year (Medicare cost sharing, PFS amounts, telehealth rates). A date past the last
loaded year (or before the first) takes the nearest loaded year's figures with ``fallback=True``, so the
estimate can say so; nothing is invented.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T", bound=Any)  # a frozen dataclass with a ``fallback`` field


def for_year(years: Mapping[int, T], year: int) -> T:
    found = years.get(year)
    if found is not None:
        return found
    known = sorted(years)
    return dataclasses.replace(years[known[-1] if year > known[-1] else known[0]], fallback=True)
