"""Console fixtures: a staff account, and a signed-in browser-like client (cookies kept per client)."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest

from service.console.staff import create_staff

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@pytest.fixture(scope="session")
def staff_username(client: Any) -> str:
    name = f"intake{secrets.token_hex(3)}"
    pool = client.app.state.pool
    client.blocking_portal.call(lambda: create_staff(pool, username=name, password=PASSWORD, display_name="Jo Intake"))
    return name


def sign_in(client: Any, username: str) -> None:
    """Sign ``client`` in to the console as ``username`` (any earlier session's cookies cleared first)."""
    client.cookies.clear()
    page = client.get("/console")
    signed_in = client.post("/console/sign-in", data={"csrf_token": csrf_of(page.text), "username": username,
                                                      "password": PASSWORD}, follow_redirects=False)
    assert signed_in.status_code == 303, signed_in.text


@pytest.fixture()
def console(client: Any, staff_username: str) -> Any:
    """The session's client, signed in to the console (its cookies cleared afterwards)."""
    sign_in(client, staff_username)
    yield client
    client.cookies.clear()
