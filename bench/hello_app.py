"""The ceiling for bench/service_speed.py: a Litestar hello-world (one GET answering a small JSON object).

Served by granian with the same number of workers as the service, it is what this machine, this framework
and this load generator can do at best; the service's figures are printed as a share of it.
"""

from __future__ import annotations

from litestar import Litestar, get


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(route_handlers=[health], logging_config=None, openapi_config=None)
