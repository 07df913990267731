"""A raw-X12 JSON wire of the kind Stedi offers ("Real-Time Eligibility Check Raw X12")::

    POST {base_url}/2024-04-01/change/medicalnetwork/eligibility/v3/raw-x12
    Authorization: <api key>
    Content-Type: application/json               {"x12": "ISA*00*...~"}
    -> 200 application/json                       {"x12": "ISA*00*...~", ...}   (other members ignored)
    -> 429                                        the account's concurrency limit: retried like any 429

The path is Stedi's published one, so ``CLEARINGHOUSE_URL=https://healthcare.us.stedi.com`` works
as is; ``CLEARINGHOUSE_PATH`` points it elsewhere. A 200 without a string ``x12`` member is a 502.
"""

from __future__ import annotations

import httpx
import msgspec

from service.eligibility.clearinghouse import HttpClearinghouse, WireRequest, bad_gateway

__all__ = ["RawX12JsonClient", "PATH", "RawX12Body", "encode_body", "decode_body"]

PATH = "/2024-04-01/change/medicalnetwork/eligibility/v3/raw-x12"


class RawX12Body(msgspec.Struct, frozen=True):
    """The request body, and the part of the answer this service reads."""

    x12: str


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(RawX12Body)


def encode_body(x12: str) -> bytes:
    return _encoder.encode(RawX12Body(x12=x12))


def decode_body(content: bytes) -> str:
    """The ``x12`` member of a JSON body; :class:`msgspec.ValidationError` / ``DecodeError`` otherwise."""
    return _decoder.decode(content).x12


class RawX12JsonClient(HttpClearinghouse):
    path = PATH
    protocol = "json"

    def __init__(self, *args, api_key: str, **kw) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kw)
        self.api_key = api_key

    def wrap(self, payer_id: str, x12_270: str) -> WireRequest:
        return WireRequest(
            content=encode_body(x12_270),
            headers={"Content-Type": "application/json", "Accept": "application/json", "Authorization": self.api_key},
        )

    def unwrap(self, response: httpx.Response) -> str:
        try:
            return decode_body(response.content)
        except (msgspec.DecodeError, msgspec.ValidationError):
            raise bad_gateway("The clearinghouse answered without an x12 string in its JSON body.") from None
