"""``Location`` on a 201: the URL of what was created, from the route's ``opt["location"]`` template.

A route declares ``opt={"location": "/v1/estimates/{estimate_id}"}``; on a 201 the route layer
fills each ``{field}`` from the JSON body's top-level field of that name and adds the header
(service/route_layer.py). It applies outside the idempotency step, so a replayed 201 carries the same Location.
Only 201 bodies of such routes are held back, and only the template's fields are decoded from them.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import msgspec
from litestar.types import Message, Send

_FIELD = re.compile(r"{(\w+)}")


@functools.lru_cache(maxsize=64)
def _fields_of(template: str) -> type[msgspec.Struct]:
    """A Struct of the template's fields alone: decoding a body into it skips everything else without building
    it (a check's answer carries a 271's every benefit row: megabytes the event loop would otherwise decode)."""
    return msgspec.defstruct("LocationFields", [(name, str | int | None, None) for name in _FIELD.findall(template)])


def location_for(template: str, body: bytes) -> str | None:
    """The filled template, or None when the body does not carry every field (no Location beats a wrong one)."""
    fields = _fields_of(template)
    try:
        data = msgspec.json.decode(body, type=fields)
    except msgspec.DecodeError:  # not JSON, not an object, or a field of another type
        return None
    values: dict[str, Any] = {}
    for name in fields.__struct_fields__:
        value = getattr(data, name)
        if value is None or value == "":
            return None
        values[name] = value
    return template.format_map(values)


def sending_location(template: str, send: Send) -> Send:
    """``send`` with a Location filled from ``template`` added to a 201 (the 201's body is held until complete)."""
    held: dict[str, Any] = {"start": None, "chunks": []}

    async def send_with_location(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 201:
            held["start"] = message
            return
        if held["start"] is None or message["type"] != "http.response.body":
            await send(message)
            return
        held["chunks"].append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(held["chunks"])
        start = held["start"]
        location = location_for(template, body)
        if location is not None:
            start = {**start, "headers": [*start.get("headers", []), (b"location", location.encode())]}
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return send_with_location
