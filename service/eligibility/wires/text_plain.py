"""The text/plain wire: ``POST {base}/x12/270`` with the 270 as the body, the 271 as the answer.

No clearinghouse offers it; it stays for tools and tests that want the bare X12 over HTTP::

    POST {base_url}/x12/270
    Content-Type: text/plain; charset=utf-8      body: one 270 interchange
    X-Payer-Id: <payer id>                        (routing hint; the 270's NM1*PR is authoritative)
    -> 200 text/plain                             body: one 271 interchange
"""

from __future__ import annotations

import httpx

from service.eligibility.clearinghouse import HttpClearinghouse, WireRequest

__all__ = ["TextPlainClient", "PATH"]

PATH = "/x12/270"


class TextPlainClient(HttpClearinghouse):
    path = PATH
    protocol = "text"

    def wrap(self, payer_id: str, x12_270: str) -> WireRequest:
        return WireRequest(
            content=x12_270.encode("utf-8"),
            headers={"Content-Type": "text/plain; charset=utf-8", "X-Payer-Id": payer_id},
        )

    def unwrap(self, response: httpx.Response) -> str:
        return response.text
