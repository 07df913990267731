"""One adapter per clearinghouse wire, chosen by ``CLEARINGHOUSE_PROTOCOL`` (see ``clearinghouse.py``).

With the built-in sandbox (``CLEARINGHOUSE_URL`` unset) unset credentials fall back to the
sandbox's own, so the service works with no set-up; a real clearinghouse needs its own
(``config.py`` refuses to start without them).
"""

from __future__ import annotations

from typing import Any

import httpx

from service.eligibility.clearinghouse import HttpClearinghouse
from service.eligibility.wires.core_envelope import UsernameToken
from service.eligibility.wires.core_soap import CoreSoapClient
from service.eligibility.wires.raw_x12_json import RawX12JsonClient
from service.eligibility.wires.text_plain import TextPlainClient

__all__ = ["PROTOCOLS", "SANDBOX_TOKEN", "SANDBOX_API_KEY", "client_from_settings", "credentials"]

PROTOCOLS: dict[str, type[HttpClearinghouse]] = {
    "core_soap": CoreSoapClient,
    "json": RawX12JsonClient,
    "text": TextPlainClient,
}

SANDBOX_TOKEN = UsernameToken(username="sandbox", password="sandbox-password")
SANDBOX_API_KEY = "sandbox-api-key"


def credentials(settings: Any) -> tuple[UsernameToken, str]:
    """The UsernameToken (CORE) and API key (JSON) this service sends."""
    sandbox = settings.uses_sandbox_clearinghouse
    token = UsernameToken(
        username=settings.clearinghouse_username or (SANDBOX_TOKEN.username if sandbox else ""),
        password=settings.clearinghouse_password or (SANDBOX_TOKEN.password if sandbox else ""),
    )
    return token, settings.clearinghouse_api_key or (SANDBOX_API_KEY if sandbox else "")


def client_from_settings(
    http: httpx.AsyncClient, base_url: str, settings: Any, **kw: Any,
) -> HttpClearinghouse:
    """The adapter for ``settings.clearinghouse_protocol``, with retries and timeouts from the settings."""
    token, api_key = credentials(settings)
    cls = PROTOCOLS[settings.clearinghouse_protocol]
    if cls is CoreSoapClient:
        kw.update(token=token, sender_id=settings.submitter_id, receiver_id=settings.receiver_id)
    elif cls is RawX12JsonClient:
        kw.update(api_key=api_key)
    return cls.from_settings(http, base_url, settings, **kw)
