"""A JSON body must be sent as JSON: another declared media type is a 415 problem, not a guess.

Litestar decodes a ``JSONBody`` whatever the ``Content-Type`` says; a form or text body that
happens to parse would be accepted under a type the client did not mean. A request without a
``Content-Type`` is read as JSON (what most clients mean). ``application/json`` and any
``application/*+json`` are accepted, with or without parameters (``; charset=utf-8``).
"""

from __future__ import annotations

from typing import Any

from litestar import Request

from service.errors import UnsupportedMediaType


def is_json_media_type(value: str) -> bool:
    media = value.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def require_json_body(request: Request[Any, Any, Any]) -> None:
    """``before_request`` hook (after the guards): refuse a body route's non-JSON Content-Type."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if "data" not in request.route_handler.parsed_fn_signature.parameters:
        return
    declared = request.headers.get("content-type")
    if declared is None or is_json_media_type(declared):
        return
    raise UnsupportedMediaType(f"Send the body as application/json, not {declared.split(';', 1)[0].strip()!r}.")
