"""Insurance eligibility, benefits and patient cost estimates for psychiatric care."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType


def installed_modules(names: tuple[str, ...]) -> Iterator[ModuleType]:
    """Import each module that exists; a missing one is skipped, an error inside one is raised.

    The app's route modules and the CLI's command modules are found this way, so an area
    plugs in by adding its module name to one list.
    """
    for name in names:
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
