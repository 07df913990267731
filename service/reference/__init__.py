"""Reference figures with their sources, shipped as package data.

The JSON files in ``data/`` are copies of the team's checked reference set
(``shared/reference/`` beside the repository): CMS Medicare cost sharing, Medicaid
federal maxima, HHS poverty guidelines, ACA limits and levels of care. Each figure keeps
its source and status. Code chooses the year or effective date in force on the date of
service from these files and never hard-codes a year's dollar amount.

To update a figure: edit the file here, keep its ``source`` and ``status``, and add a test
that pins the new hand-checked value.
"""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from importlib import resources
from typing import Any


@functools.cache
def load(name: str) -> dict[str, Any]:
    """Parsed reference file by stem, e.g. ``load("medicare")``. Cached; treat as read-only.

    JSON numbers with a fraction are parsed as ``Decimal`` so no float ever reaches money.
    """
    text = resources.files(__package__).joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text, parse_float=Decimal)
