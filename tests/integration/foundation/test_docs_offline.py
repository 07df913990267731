"""The API docs page renders in a real headless browser with every other host blocked.

Debian's chromium through Playwright (``executable_path``); every request to a host other than
the service is aborted and recorded. The page must need none of them and must list the operations.
"""

from __future__ import annotations

import shutil
from typing import Any
from urllib.parse import urlsplit

import pytest

from service.app import create_app
from service.threaded_server import ThreadedServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium is not installed")


@pytest.fixture(scope="module")
def base_url(settings, client) -> Any:  # noqa: ANN001 - client: migrations exist first
    server = ThreadedServer(create_app(settings), "127.0.0.1", 0)
    url = server.start(timeout=60)
    try:
        yield url
    finally:
        server.stop()


def test_docs_render_with_no_outside_host(base_url: str) -> None:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    own_host = urlsplit(base_url).netloc
    blocked: list[str] = []
    failed: list[str] = []

    def only_the_service(route: Any) -> None:
        if urlsplit(route.request.url).netloc == own_host or route.request.url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.route("**/*", only_the_service)
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.goto(f"{base_url}/schema/docs", wait_until="networkidle")
            page.wait_for_selector(".opblock", timeout=30_000)
            summaries = page.locator(".opblock-summary-path").all_inner_texts()
        finally:
            browser.close()

    assert blocked == [], f"the docs page asked outside hosts: {blocked}"
    assert failed == [], failed
    paths = {text.replace("\u200b", "").strip() for text in summaries}
    assert {"/v1/eligibility/checks", "/v1/estimates", "/v1/good-faith-estimates/{gfe_id}/fhir"} <= paths
    assert len(summaries) >= 30  # every operation is listed
