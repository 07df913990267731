"""Which lane each batch item runs in (pure). A lane is one queued job that checks its items one after another.

Lanes carry both limits, across every worker on every machine, because procrastinate never runs two
jobs with the same lock at once and each lane's job holds the lock ``clearinghouse-lane-<n>``:

- at most ``lanes`` checks are in flight at the clearinghouse (``BATCH_CLEARINGHOUSE_CONCURRENCY``: its
  concurrency limit; Stedi's default is 5 concurrent requests per account), whatever the number of
  workers or batches;
- a payer's items only go to ``per_payer`` of those lanes (``BATCH_PAYER_CONCURRENCY``), a window
  that starts at a fixed place for that payer id (crc32), so one payer never has more than
  ``per_payer`` checks in flight, also across batches.

Within its window an item goes to the least-loaded lane, so lanes finish together.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

__all__ = ["assign_lanes", "lock_for"]


def lock_for(lane: int) -> str:
    return f"clearinghouse-lane-{lane}"


def _window(payer_id: str, lanes: int, per_payer: int) -> list[int]:
    size = min(per_payer, lanes)
    start = zlib.crc32(payer_id.strip().upper().encode()) % lanes
    return [(start + k) % lanes for k in range(size)]


def assign_lanes(payer_ids: Sequence[str], lanes: int, per_payer: int) -> list[int]:
    """The lane (0 .. lanes-1) of each item, in the items' order."""
    if lanes < 1 or per_payer < 1:
        raise ValueError("lanes and per_payer must be at least 1")
    load = [0] * lanes
    windows: dict[str, list[int]] = {}
    assigned: list[int] = []
    for payer_id in payer_ids:
        window = windows.setdefault(payer_id, _window(payer_id, lanes, per_payer))
        lane = min(window, key=lambda n: (load[n], n))
        load[lane] += 1
        assigned.append(lane)
    return assigned
