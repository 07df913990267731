"""Inquiries already found valid, so a repeated check does not validate every 270 value again. Per process.

A cached eligibility check must still refuse a request with a value the 270 could not carry (400 naming the field),
so every request is validated; an inquiry identical in every value to one already validated need not be. What is
kept is the sha256 digest of the values the inquiry is made from (the request's and the provider settings'; the
trace number aside: the service makes it, always valid), never the values themselves: no PHI is held, logged or
shared. An inquiry is made only when its values are new. At most :data:`MAX_DIGESTS`, the oldest dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from collections.abc import Callable

from service.eligibility.x12.builder_270 import EligibilityInquiry, inquiry_segments

MAX_DIGESTS = 4096


class ValidInquiries:
    def __init__(self, max_digests: int = MAX_DIGESTS) -> None:
        self.max_digests = max_digests
        self._digests: OrderedDict[bytes, None] = OrderedDict()

    def validate(self, values: bytes, inquiry: Callable[[], EligibilityInquiry]) -> None:
        """Raise :class:`~service.eligibility.x12.writer.X12ValueError` as building the 270 of ``inquiry()`` would,
        once per distinct ``values`` (every value ``inquiry()`` is made from, encoded)."""
        digest = hashlib.sha256(values).digest()
        if digest in self._digests:
            self._digests.move_to_end(digest)
            return
        inquiry_segments(inquiry(), created=dt.datetime(2000, 1, 1))  # the real control number comes later
        self._digests[digest] = None
        if len(self._digests) > self.max_digests:
            self._digests.popitem(last=False)
