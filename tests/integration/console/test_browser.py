"""The console and the patient page in a real browser: Debian's Chromium driven by Playwright, against the
service running under uvicorn with its PostgreSQL and sandbox payer.

Each page is checked with axe-core (vendored in tests/data/axe-core) for serious or critical violations,
and a screenshot of it is saved under tests/.artifacts/screenshots/ (git-ignored).

"Three actions" from the empty form to the comparison: pick the payer, type the caller's details, press
the button (the Medicare path does it with the keyboard alone).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright import sync_api

from tests.integration.console.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HERE = Path(__file__).resolve()
REPO = HERE.parents[3]
AXE = REPO / "tests" / "data" / "axe-core" / "axe.min.js"
SHOTS = REPO / "tests" / ".artifacts" / "screenshots"
#: Flags for Chromium as root in a closed network (see the machine notes): no sandbox, no GPU, no calls home.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: install Debian's chromium (.ci/run does)")
    pytest.skip("Debian chromium is not installed (apt-get install chromium)", allow_module_level=True)



@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp only so the test can inject axe-core; the pages themselves run under their strict CSP
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    tab = context.new_page()
    yield tab
    context.close()


def _shot(tab: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _axe(tab: Any) -> None:
    tab.add_script_tag(path=str(AXE))
    violations = tab.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
               .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))""")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, serious


def _no_horizontal_scroll(tab: Any) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _sign_in(tab: Any, base_url: str, username: str) -> None:
    tab.goto(f"{base_url}/console")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password", exact=True).fill(PASSWORD)
    tab.get_by_role("button", name="Sign in", exact=True).click()
    tab.wait_for_url(f"{base_url}/console")
    assert tab.get_by_text("Signed in as Jo Intake").is_visible()


def _caller(tab: Any, payer: str, first: str, last: str, dob: str, member_id: str = "") -> None:
    tab.select_option("#payer_id", payer)                                        # action 1
    tab.fill("#first_name", first)                                               # action 2: the caller's details
    tab.fill("#last_name", last)
    tab.fill("#date_of_birth", dob)
    if member_id:
        tab.fill("#member_id", member_id)
    tab.get_by_role("button", name="Check coverage and compare IOP, PHP, inpatient").click()  # action 3
    tab.wait_for_load_state()


def _read_aloud(tab: Any) -> list[str]:
    return tab.locator(".spoken li").all_inner_texts()


def test_sign_in_page_is_accessible_and_signs_in(page, live_service, staff_username) -> None:  # noqa: ANN001
    _app, base_url = live_service
    page.goto(f"{base_url}/console")
    _axe(page)
    _shot(page, "01-sign-in")
    page.get_by_label("Username").fill(staff_username)
    page.get_by_label("Password", exact=True).fill("wrong password here")
    page.get_by_role("button", name="Sign in", exact=True).click()
    assert "not right" in page.get_by_role("alert").inner_text()
    _sign_in(page, base_url, staff_username)
    _axe(page)
    _shot(page, "02-console-empty")


def test_ppo_member_comparison_in_three_actions_at_desk_and_phone_width(page, live_service, staff_username) -> None:  # noqa: ANN001
    _app, base_url = live_service
    _sign_in(page, base_url, staff_username)
    _caller(page, "SBPPO", "DANIEL", "MILLER", "1980-01-15", "PPO-FAM-006")
    spoken = _read_aloud(page)
    assert spoken[0].startswith("Coverage with SANDBOX PPO is active")
    assert ("Deductible: $900.00 left of $1,500.00 for the patient; $2,100.00 left of $3,000.00 for the family."
            in spoken)
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    assert [rows.nth(i).locator("th").inner_text() for i in range(3)] == ["IOP", "PHP", "Inpatient"]
    chart = page.locator("svg.chart")
    assert chart.is_visible() and chart.locator("rect").count() == 6
    assert page.get_by_role("button", name="Issue a patient portal link").is_visible()
    _no_horizontal_scroll(page)
    _axe(page)
    _shot(page, "03-console-ppo")
    page.set_viewport_size({"width": 390, "height": 844})
    _no_horizontal_scroll(page)
    label_heights = chart.locator("text").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert min(label_heights) >= 12, label_heights  # the chart's words stay readable on a phone (px, as drawn)
    _shot(page, "04-console-ppo-phone")


def test_medicare_member_by_keyboard_alone(page, live_service, staff_username) -> None:  # noqa: ANN001
    _app, base_url = live_service
    _sign_in(page, base_url, staff_username)
    for _ in range(12):  # Tab from the top of the page to the payer list
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "payer_id":
            break
    assert page.evaluate("document.activeElement.id") == "payer_id"
    page.keyboard.type("MEDICARE")                      # type-ahead picks the payer
    assert page.eval_on_selector("#payer_id", "e => e.value") == "SBMCR"
    for field, text in (("first_name", "MARTHA"), ("last_name", "JONES"), ("date_of_birth", "03141951"),
                        ("member_id", "MCR-PARTB-001")):
        for _ in range(3):  # a date field's month/day/year parts may take a Tab each
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == field:
                break
        assert page.evaluate("document.activeElement.id") == field
        page.keyboard.type(text)
    page.keyboard.press("Enter")                        # submits the form
    page.wait_for_selector("table")
    spoken = _read_aloud(page)
    assert "Part A deductible $1,736.00 left. Part B deductible $120.00 left." in spoken
    assert "Original Medicare has no out-of-pocket maximum." in spoken
    assert any(line.startswith("Ask: does the patient have a Medicare supplement") for line in spoken)
    _axe(page)
    _shot(page, "05-console-medicare")


def test_member_not_found_is_shown_beside_the_member_id(page, live_service, staff_username) -> None:  # noqa: ANN001
    _app, base_url = live_service
    _sign_in(page, base_url, staff_username)
    _caller(page, "SBPPO", "ALEX", "TESTER", "1980-01-01", "NOT-A-MEMBER-1")
    member_id = page.locator("#member_id")
    assert member_id.get_attribute("aria-invalid") == "true"
    error = page.locator("#member_id-error").inner_text()
    assert "Check the member ID, name and date of birth" in error
    assert page.locator("table").count() == 0
    _axe(page)
    _shot(page, "06-console-member-not-found")


def test_self_pay_caller_then_the_patient_page_with_a_token_and_revoked(page, browser, live_service,  # noqa: ANN001
                                                                         staff_username, api_keys) -> None:
    _app, base_url = live_service
    _sign_in(page, base_url, staff_username)
    page.select_option("#payer_id", "self-pay")
    page.fill("#first_name", "RIVER")
    page.fill("#last_name", "STONE")
    page.fill("#date_of_birth", "1992-05-05")
    page.fill("#household_size", "1")
    page.fill("#annual_income", "30000")
    page.get_by_role("button", name="Check coverage and compare IOP, PHP, inpatient").click()
    page.wait_for_selector("table")
    spoken = _read_aloud(page)
    assert spoken[0] == "No insurance is used: this estimate is at our self-pay prices."
    assert spoken[-1].startswith("You have the right to a Good Faith Estimate")
    assert "Sliding scale" in page.locator("#afford-title + h3 + p").inner_text()
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Good Faith Estimate: IOP").click()
    gfe = opened.value
    gfe.wait_for_load_state()
    assert "RIVER STONE" in gfe.content()
    _shot(gfe, "07-good-faith-estimate")
    gfe.close()
    page.get_by_role("button", name="Issue a patient portal link").click()
    link = page.locator("#portal-link").input_value()
    assert re.fullmatch(rf"{re.escape(base_url)}/portal#token=pt1\.[\w-]+\.[\w-]+", link)
    _axe(page)
    _shot(page, "08-console-self-pay")

    patient = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True).new_page()
    requests: list[str] = []
    patient.on("request", lambda request: requests.append(request.url))
    patient.goto(link)
    patient.wait_for_selector("text=You would pay about")
    assert patient.url == f"{base_url}/portal"                          # the fragment is gone from the bar
    assert not [url for url in requests if "pt1." in url]               # and was never in a request URL
    assert patient.get_by_role("heading", name="Intensive outpatient program (IOP)").is_visible()
    assert patient.get_by_text("right to a Good Faith Estimate").is_visible()
    assert patient.get_by_role("button", name=re.compile("Open Good Faith Estimate 1")).is_visible()
    _no_horizontal_scroll(patient)
    _axe(patient)
    _shot(patient, "09-patient-page")

    token_id = _token_id(link)
    revoked = httpx.delete(f"{base_url}/v1/portal-tokens/{token_id}", headers={"X-API-Key": api_keys["intake"]})
    assert revoked.status_code == 204
    patient.reload()
    assert "This link no longer works" in patient.get_by_role("alert").inner_text()
    _axe(patient)
    _shot(patient, "10-patient-page-revoked")
    patient.context.close()


def _token_id(link: str) -> str:
    """The token's id, from its (unencrypted, signed) payload."""
    import base64  # noqa: PLC0415
    import json  # noqa: PLC0415

    payload = link.split("#token=", 1)[1].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["tid"]
