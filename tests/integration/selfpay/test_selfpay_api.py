"""Self-pay over REST on a real PostgreSQL: the acceptance case, admin schedules/rules, FPL tiers,
payment plans on an estimate, Good Faith Estimates (immutable, versioned, HTML/FHIR, portal scope).

Hand-computed figures (demo rates demo-2026-01; 2026 HHS guideline, 48 states + DC):
- household of 3: poverty line $27,320.00 (15,960 + 2 x 5,680);
  $35,000 / $27,320 = 1.281112... -> 128.11 % -> tier C of the example schedule (>125-150 %), patient pays 40 %.
- IOP default: 8 weeks x 3 days = 24 days x $300.00 self-pay = $7,200.00 -> 40 % = $2,880.00, discount $4,320.00.
- PHP default: 15 days x $500.00 = $7,500.00 -> $3,000.00, discount $4,500.00.
- Inpatient default: 10 days x $1,500.00 = $15,000.00 -> $6,000.00, discount $9,000.00.
- Monthly income 35,000 / 12 = $2,916.67; the default rules allow payments up to 10 % of it = $291.67, terms
  3/6/12/24 with at most 12 months up to $5,000 and 24 above, minimum $25:
  IOP $2,880: 3 -> $960, 6 -> $480 (too high), 12 -> $240.00 (fits)            -> offered: 12 months
  PHP $3,000: 12 -> $250.00 (fits; 24 not allowed at or under $5,000)          -> offered: 12 months
  Inpatient $6,000: 12 -> $500 (too high), 24 -> $250.00 (fits)                -> offered: 24 months
"""

from __future__ import annotations

import datetime as dt
import html
import shutil
import subprocess
import uuid
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

AS_OF = "2026-03-02"
LOCATION = {"lines": ["100 Main St"], "city": "Sacramento", "state": "CA", "postal_code": "95814"}
PATIENT = {"first_name": "Ana <b>", "last_name": "O'Neil & Sons", "date_of_birth": "1990-05-17"}


def _estimate(client: Any, headers: dict[str, dict[str, str]], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "self_pay": True,
        "as_of": AS_OF,
        "start_date": AS_OF,
        "household": {"size": 3, "annual_income": "35000", "state": "CA"},
        "patient": PATIENT,
    }
    body.update(overrides)
    response = client.post("/v1/estimates", json=body, headers=headers["intake"])
    assert response.status_code == 201, response.text
    return response.json()


def _level(estimate: dict[str, Any], level: str) -> dict[str, Any]:
    return next(e for e in estimate["comparison"]["estimates"] if e["level"] == level)


@pytest.fixture(scope="module")
def acceptance(client: Any, headers: dict[str, dict[str, str]]) -> dict[str, Any]:
    return _estimate(client, headers)


# --------------------------------------------------------------------------- acceptance case


def test_self_pay_comparison_with_fpl_tier_discount_and_plans(acceptance: dict[str, Any]) -> None:
    expected = {  # level: (days, responsibility, discount, balance, plan terms offered, monthly payment)
        "iop": (24, "7200.00", "4320.00", "2880.00", [12], "240.00"),
        "php": (15, "7500.00", "4500.00", "3000.00", [12], "250.00"),
        "inpatient": (10, "15000.00", "9000.00", "6000.00", [24], "250.00"),
    }
    for level, (days, responsibility, discount, balance, terms, payment) in expected.items():
        est = _level(acceptance, level)
        a = est["affordability"]
        assert est["service_days"] == days
        assert a["self_pay"] is True
        assert a["fpl"]["percent_of_poverty"] == "128.11"
        assert a["fpl"]["poverty_line"] == "27320.00"
        assert a["fpl"]["guideline_year"] == 2026
        fee = a["sliding_fee"]
        assert (fee["tier_code"], fee["patient_pays_percent"]) == ("C", "40")
        assert fee["provisional"] is True and fee["schedule_is_example"] is True
        assert a["patient_responsibility"] == responsibility
        assert a["discount"] == discount
        assert a["balance_after_discount"] == balance
        assert a["monthly_household_income"] == "2916.67"
        assert a["payment_plan_rules"]["max_percent_of_monthly_income"] == "10"
        assert [plan["term_months"] for plan in a["payment_plans"]] == terms
        assert a["payment_plans"][0]["regular_payment"] == payment
        assert a["payment_plans"][0]["total_paid"] == balance
    # the summary intake reads out gives the discounted amounts
    assert acceptance["comparison"]["summary"].endswith(
        "After the sliding-fee discount (tier C): IOP: $2,880.00; PHP: $3,000.00; INPATIENT: $6,000.00."
    )


def test_acceptance_gfe_page_opens(client: Any, headers: dict[str, dict[str, str]], acceptance: dict[str, Any]) -> None:
    estimate_id = acceptance["estimate_id"]
    issued = client.post(
        f"/v1/estimates/{estimate_id}/good-faith-estimates",
        json={"levels": ["iop"], "diagnosis_codes": ["F33.1"], "service_location": LOCATION},
        headers=headers["intake"],
    )
    assert issued.status_code == 201, issued.text
    body = issued.json()
    gfe = body["gfe"]
    assert gfe["patient"]["name"] == "Ana <b> O'Neil & Sons"
    line = gfe["sections"][0]["lines"][0]
    assert (line["service_code"], line["revenue_code"], line["quantity"]) == ("S9480", "0905", 24)
    assert (line["unit_charge"], line["expected_charge"]) == ("300.00", "7200.00")  # 24 x $300
    assert (line["period_start"], line["period_end"]) == ("2026-03-02", "2026-04-24")
    assert gfe["total_expected_charges"] == "7200.00"
    assert [d["amount"] for d in gfe["discounts"]] == ["4320.00"]
    assert gfe["total_estimated_patient_cost"] == "2880.00"  # 7,200 - 4,320
    assert gfe["convening_provider"]["npi"] == "1234567893"

    page = client.get(f"/v1/good-faith-estimates/{body['id']}/page", headers=headers["billing"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert html.escape("Ana <b> O'Neil & Sons") in text or "Ana &lt;b&gt; O&#39;Neil &amp; Sons" in text
    assert "Ana <b>" not in text
    assert "1234567893" in text and "123456789" in text
    assert "$400.00" in text
    assert "$2,880.00" in text and "$4,320.00" in text


# --------------------------------------------------------------------------- admin: schedules and rules


def _tiers(**changes: Any) -> list[dict[str, Any]]:
    tiers = [
        {"code": "A", "label": "full", "max_percent_fpl": "100", "kind": "nominal_per_day", "nominal_amount": "10.00"},
        {"code": "B", "label": "half", "max_percent_fpl": "200", "kind": "percent_of_charge", "patient_pays_percent": "50"},
        {"code": "C", "label": "full charge", "max_percent_fpl": None, "kind": "full_charge"},
    ]
    for key, value in changes.items():
        index, field = key.split("__")
        tiers[int(index)][field] = value
    return tiers


def test_schedule_validation_errors_name_fields(client: Any, headers: dict[str, dict[str, str]]) -> None:
    body = {
        "name": "bad", "effective_from": "2026-01-01",
        "tiers": _tiers(**{"1__patient_pays_percent": "150", "2__max_percent_fpl": "300"}),
    }
    response = client.post("/v1/admin/sliding-fee-schedules", json=body, headers=headers["admin"])
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"$.tiers[1].patient_pays_percent", "$.tiers[2].max_percent_fpl"} <= fields

    body = {"name": "bad", "effective_from": "2026-01-01",
            "tiers": _tiers(**{"0__kind": "percent_of_charge", "0__nominal_amount": None,
                               "0__patient_pays_percent": "10"})}
    response = client.post("/v1/admin/sliding-fee-schedules", json=body, headers=headers["admin"])
    assert response.status_code == 400
    assert "$.tiers[0].kind" in {e["field"] for e in response.json()["errors"]}  # HRSA: full discount <= 100 %

    wrong_role = client.post("/v1/admin/sliding-fee-schedules", json=body, headers=headers["intake"])
    assert wrong_role.status_code == 403


def test_schedule_versions_supersede_by_date_and_drive_the_fpl_tier(client: Any, new_organization: Any) -> None:
    org, headers = new_organization()  # an organization of its own: no other test's schedule is in force there
    # organization_id in the body is deprecated; naming the key's own organization still works.
    first = {"organization_id": org, "name": "2020 schedule", "effective_from": "2020-01-01", "tiers": _tiers()}
    second = {"organization_id": org, "name": "2026 schedule", "effective_from": "2026-01-01",
              "tiers": _tiers(**{"1__patient_pays_percent": "30"})}
    r1 = client.post("/v1/admin/sliding-fee-schedules", json=first, headers=headers["admin"])
    r2 = client.post("/v1/admin/sliding-fee-schedules", json=second, headers=headers["admin"])
    assert (r1.status_code, r2.status_code) == (201, 201)
    assert (r1.json()["version"], r2.json()["version"]) == (1, 2)
    listed = client.get("/v1/admin/sliding-fee-schedules", params={"organization_id": org}, headers=headers["admin"])
    assert listed.status_code == 200
    current = {s["version"]: s["current"] for s in listed.json()["schedules"]}
    assert current == {2: True, 1: False}  # today is after 2026-01-01
    assert listed.json()["fallback"]["is_example"] is True

    # $35,000 for 3 people = 128.11 % -> tier B (100-200 %) in both versions; what it pays differs by date.
    def tier(on: str) -> dict[str, Any]:
        r = client.post("/v1/self-pay/fpl", headers=headers["intake"], json={
            "household": {"size": 3, "annual_income": "35000", "state": "CA"},
            "determination_date": on, "organization_id": org})
        assert r.status_code == 200, r.text
        return r.json()

    old, new = tier("2025-06-01"), tier("2026-03-02")
    assert (old["schedule_version"], old["tier_code"], old["patient_pays_percent"]) == (1, "B", "50")
    assert (new["schedule_version"], new["tier_code"], new["patient_pays_percent"]) == (2, "B", "30")
    assert old["determination"]["percent_of_poverty"] == "131.33"  # 2025 line for 3: $26,650; 35,000/26,650


def test_estimate_takes_the_schedule_in_force_on_the_first_service_day(client: Any, new_organization: Any) -> None:
    # The course starts on Martin Luther King Jr. Day (Monday 2026-01-19, a federal holiday: the program is closed),
    # so its first service day is its next program day, Wednesday the 21st, the day a new schedule starts. The
    # estimate reads the schedule in force on the start date with its other inputs; the one in force on the first
    # service day must still win.
    org, headers = new_organization()
    for name, start, pays in (("2020 schedule", "2020-01-01", "50"), ("from the 21st", "2026-01-21", "30")):
        body = {"name": name, "effective_from": start, "tiers": _tiers(**{"1__patient_pays_percent": pays})}
        assert client.post("/v1/admin/sliding-fee-schedules", json=body, headers=headers["admin"]).status_code == 201
    iop = _level(_estimate(client, headers, levels=["iop"], as_of="2026-01-19", start_date="2026-01-19"), "iop")
    assert iop["first_service_date"] == "2026-01-21"
    fee = iop["affordability"]["sliding_fee"]
    # $35,000 for 3 people against the 2026 line ($27,320) = 128.11 % -> tier B, which pays 30 % from the 21st.
    assert (fee["tier_code"], fee["patient_pays_percent"], fee["schedule_is_example"]) == ("B", "30", False)


@pytest.mark.parametrize(
    ("income", "tier", "percent"),
    [
        ("27320.00", "A", "100.00"),  # exactly 100 % of $27,320 -> at or below 100 %
        ("27320.01", "B", "100.00"),  # a cent above: displays 100.00 but is above 100 %
        ("34150.00", "B", "125.00"),  # 125 % x 27,320 = 34,150: inclusive upper bound of B
        ("34150.01", "C", "125.00"),
        ("54640.00", "E", "200.00"),  # 200 % x 27,320
        ("54640.01", "F", "200.00"),
    ],
)
def test_tier_boundaries_over_rest(client: Any, headers: dict[str, dict[str, str]], income: str, tier: str,
                                   percent: str) -> None:
    response = client.post("/v1/self-pay/fpl", headers=headers["intake"], json={
        "household": {"size": 3, "annual_income": income, "state": "CA"}, "determination_date": AS_OF})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["tier_code"], body["determination"]["percent_of_poverty"]) == (tier, percent)
    assert body["schedule_is_example"] is True


def test_fpl_calculator_refuses_portal_and_bad_state(client: Any, headers: dict[str, dict[str, str]]) -> None:
    body = {"household": {"size": 3, "annual_income": "35000", "state": "ZZ"}}
    assert client.post("/v1/self-pay/fpl", json=body, headers=headers["portal"]).status_code == 403
    response = client.post("/v1/self-pay/fpl", json=body, headers=headers["intake"])
    assert response.status_code in (400, 422)
    assert response.json()["errors"][0]["field"].startswith("$.household")


def test_payment_plan_rules_admin(client: Any, new_organization: Any) -> None:
    org, headers = new_organization()
    bad = {"organization_id": org, "effective_from": "2026-01-01", "rules": {
        "minimum_monthly_payment": "25.00", "allowed_terms_months": [3, 3],
        "term_limits": [{"max_balance": "1000.00", "max_months": 6}]}}
    response = client.post("/v1/admin/payment-plan-rules", json=bad, headers=headers["admin"])
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"$.rules.allowed_terms_months", "$.rules.term_limits[0].max_balance"} <= fields

    good = {"organization_id": org, "effective_from": "2026-01-01", "rules": {
        "minimum_monthly_payment": "50.00", "allowed_terms_months": [6, 12],
        "term_limits": [{"max_balance": None, "max_months": 12}], "apr_percent": "0"}}
    created = client.post("/v1/admin/payment-plan-rules", json=good, headers=headers["admin"])
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1 and created.json()["current"] is True
    listed = client.get("/v1/admin/payment-plan-rules", params={"organization_id": org}, headers=headers["admin"])
    assert [r["rules"]["minimum_monthly_payment"] for r in listed.json()["rules"]] == ["50.00"]
    assert listed.json()["fallback"]["max_percent_of_monthly_income"] == "10"


# --------------------------------------------------------------------------- payment plans on an estimate


def test_payment_plan_accepted_with_schedule(client: Any, headers: dict[str, dict[str, str]], db: Any) -> None:
    # No household: no discount, no income check. IOP $7,200 over 12 months = $600.00 a month.
    estimate = _estimate(client, headers, household=None, levels=["iop"])
    response = client.post(
        f"/v1/estimates/{estimate['estimate_id']}/payment-plans",
        json={"level": "iop", "term_months": 12, "first_due_date": "2026-04-30"},
        headers=headers["billing"],
    )
    assert response.status_code == 201, response.text
    plan = response.json()["plan"]
    assert (plan["balance"], plan["regular_payment"], plan["final_payment"]) == ("7200.00", "600.00", "600.00")
    assert len(plan["lines"]) == 12 and plan["total_paid"] == "7200.00"
    assert [line["due_date"] for line in plan["lines"][:3]] == ["2026-04-30", "2026-05-30", "2026-06-30"]
    stored = db.fetchrow("SELECT term_months, balance FROM accepted_payment_plans WHERE id = $1",
                         uuid.UUID(response.json()["id"]))
    assert (stored["term_months"], stored["balance"]) == (12, Decimal("7200.00"))
    assert db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'payment_plan.create' AND resource_id = $1",
                       estimate["estimate_id"]) == 1


@pytest.mark.parametrize(
    ("household", "term", "rule"),
    [
        # $20,000 / $27,320 = 73.21 % -> tier A: 3 days x $20 = $60; 3 months x $20.00 < $25 minimum.
        ({"size": 3, "annual_income": "20000", "state": "CA"}, 3, "minimum_monthly_payment"),
        # Tier C: $2,880 balance (<= $5,000) may run at most 12 months.
        ({"size": 3, "annual_income": "35000", "state": "CA"}, 24, "term_limits"),
        # $2,880 over 6 months = $480.00 > 10 % of $2,916.67 = $291.67.
        ({"size": 3, "annual_income": "35000", "state": "CA"}, 6, "max_percent_of_monthly_income"),
        ({"size": 3, "annual_income": "35000", "state": "CA"}, 9, "allowed_terms_months"),
    ],
)
def test_payment_plan_refusal_names_the_rule(client: Any, headers: dict[str, dict[str, str]],
                                             household: dict[str, Any], term: int, rule: str) -> None:
    courses = [{"level": "iop", "weeks": 1, "days_per_week": 3}] if rule == "minimum_monthly_payment" else []
    estimate = _estimate(client, headers, household=household, levels=["iop"], courses=courses)
    if rule == "minimum_monthly_payment":
        assert _level(estimate, "iop")["affordability"]["balance_after_discount"] == "60.00"
    response = client.post(f"/v1/estimates/{estimate['estimate_id']}/payment-plans",
                           json={"level": "iop", "term_months": term}, headers=headers["intake"])
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("payment-plan-rule-violation")
    assert problem["errors"][0]["field"] == f"$.rules.{rule}"


def test_payment_plan_unknown_estimate_and_level(client: Any, headers: dict[str, dict[str, str]],
                                                 acceptance: dict[str, Any]) -> None:
    missing = client.post(f"/v1/estimates/{uuid.uuid4()}/payment-plans", json={"level": "iop", "term_months": 6},
                          headers=headers["intake"])
    assert missing.status_code == 404
    bad_level = client.post(f"/v1/estimates/{acceptance['estimate_id']}/payment-plans",
                            json={"level": "detox", "term_months": 6}, headers=headers["intake"])
    assert bad_level.status_code == 400 and bad_level.json()["errors"][0]["field"] == "$.level"
    portal = client.post(f"/v1/estimates/{acceptance['estimate_id']}/payment-plans",
                         json={"level": "iop", "term_months": 6}, headers=headers["portal"])
    assert portal.status_code == 403


# --------------------------------------------------------------------------- Good Faith Estimates


def _issue(client: Any, headers: dict[str, dict[str, str]], estimate_id: str, **body: Any) -> Any:
    payload = {"levels": ["iop"], "service_location": LOCATION, **body}
    return client.post(f"/v1/estimates/{estimate_id}/good-faith-estimates", json=payload, headers=headers["intake"])


def test_gfe_is_immutable_and_reissue_makes_a_new_version(client: Any, headers: dict[str, dict[str, str]],
                                                          db: Any) -> None:
    estimate = _estimate(client, headers)
    first = _issue(client, headers, estimate["estimate_id"])
    second = _issue(client, headers, estimate["estimate_id"], diagnosis_codes=["F32.2"])
    assert (first.status_code, second.status_code) == (201, 201)
    one, two = first.json(), second.json()
    assert one["id"] != two["id"] and (one["version"], two["version"]) == (1, 2)
    again = client.get(f"/v1/good-faith-estimates/{one['id']}", headers=headers["billing"])
    assert again.status_code == 200 and again.json() == one  # the first is unchanged
    assert again.json()["gfe"]["diagnosis_codes"] == []

    async def tamper(pool: asyncpg.Pool) -> None:
        await pool.execute("UPDATE good_faith_estimates SET content = '{}' WHERE id = $1", uuid.UUID(one["id"]))

    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        client.blocking_portal.call(tamper, client.app.state.pool)
    actions = db.fetch("SELECT action, patient_key FROM audit_log WHERE resource_id = $1 ORDER BY id", one["id"])
    assert [r["action"] for r in actions] == ["good_faith_estimate.issue", "good_faith_estimate.read"]
    assert all(r["patient_key"] for r in actions)


def test_gfe_fhir_bundle_and_roles(client: Any, headers: dict[str, dict[str, str]], acceptance: dict[str, Any]) -> None:
    issued = _issue(client, headers, acceptance["estimate_id"]).json()
    fhir = client.get(f"/v1/good-faith-estimates/{issued['id']}/fhir", headers=headers["billing"])
    assert fhir.status_code == 200
    assert fhir.headers["content-type"].startswith("application/fhir+json")
    bundle = fhir.json()
    assert bundle["resourceType"] == "Bundle"
    # a portal-role key names no estimate: like any GFE outside a token's estimate, it is not found
    assert client.get(f"/v1/good-faith-estimates/{issued['id']}", headers=headers["portal"]).status_code == 404
    assert client.get(f"/v1/good-faith-estimates/{issued['id']}/fhir", headers=headers["admin"]).status_code == 403
    assert client.get(f"/v1/good-faith-estimates/{uuid.uuid4()}", headers=headers["intake"]).status_code == 404
    assert client.get("/v1/good-faith-estimates/not-a-uuid", headers=headers["intake"]).status_code == 404


def test_gfe_page_for_portal_token_of_that_estimate_only(client: Any, headers: dict[str, dict[str, str]],
                                                        acceptance: dict[str, Any]) -> None:
    issued = _issue(client, headers, acceptance["estimate_id"]).json()
    other = _estimate(client, headers, levels=["php"])

    def token_for(estimate_id: str) -> dict[str, str]:
        r = client.post(f"/v1/estimates/{estimate_id}/portal-tokens", headers=headers["intake"])
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    own = client.get(f"/v1/good-faith-estimates/{issued['id']}/page", headers=token_for(acceptance["estimate_id"]))
    assert own.status_code == 200 and own.headers["content-type"].startswith("text/html")
    foreign = client.get(f"/v1/good-faith-estimates/{issued['id']}/page", headers=token_for(other["estimate_id"]))
    assert foreign.status_code == 404
    # the token opens the GFE's JSON form too (and its FHIR form: test_gfe_forms.py)
    assert client.get(f"/v1/good-faith-estimates/{issued['id']}",
                      headers=token_for(acceptance["estimate_id"])).status_code == 200


def test_gfe_needs_a_patient_and_takes_location_and_codes_from_settings_and_rates(client: Any, headers: dict[str, dict[str, str]]) -> None:
    anonymous = _estimate(client, headers, patient=None, levels=["iop", "inpatient"])
    no_patient = _issue(client, headers, anonymous["estimate_id"])
    assert no_patient.status_code == 422 and no_patient.json()["errors"][0]["field"] == "$.patient"
    with_patient = _issue(client, headers, anonymous["estimate_id"],
                          patient={"name": "Sam Lee", "date_of_birth": "1985-01-02"})
    assert with_patient.status_code == 201
    assert with_patient.json()["gfe"]["patient"]["name"] == "Sam Lee"
    # Without a service location the provider's configured address is used (PROVIDER_* settings; defaults here).
    no_location = client.post(f"/v1/estimates/{anonymous['estimate_id']}/good-faith-estimates",
                              json={"levels": ["iop"], "patient": {"name": "Sam Lee", "date_of_birth": "1985-01-02"}},
                              headers=headers["intake"])
    assert no_location.status_code == 201, no_location.text
    address = no_location.json()["gfe"]["convening_provider"]["address"]
    assert (address["lines"], address["city"], address["state"]) == (["100 DEMO WAY"], "SACRAMENTO", "CA")
    # Inpatient room and board is billed by revenue code 0114 alone (no HCPCS): the line carries no service code.
    inpatient = _issue(client, headers, anonymous["estimate_id"], levels=["inpatient"],
                       patient={"name": "Sam Lee", "date_of_birth": "1985-01-02"})
    assert inpatient.status_code == 201, inpatient.text
    line = inpatient.json()["gfe"]["sections"][0]["lines"][0]
    assert (line["service_code"], line["revenue_code"], line["quantity"]) == (None, "0114", 10)
    # 10 days x $1,500.00 self-pay = $15,000.00
    assert line["expected_charge"] == "15000.00"


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium is not installed")
def test_gfe_page_renders_in_a_headless_browser(client: Any, headers: dict[str, dict[str, str]],
                                                acceptance: dict[str, Any], tmp_path: Any) -> None:
    issued = _issue(client, headers, acceptance["estimate_id"]).json()
    page = client.get(f"/v1/good-faith-estimates/{issued['id']}/page", headers=headers["intake"])
    source = tmp_path / "gfe.html"
    source.write_text(page.text, encoding="utf-8")
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", source.as_uri()],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Ana &lt;b&gt; O'Neil &amp; Sons" in result.stdout  # the DOM has text, not a <b> element
    assert "1234567893" in result.stdout


def test_proof_of_income_seen_makes_the_discount_final(client: Any, headers: dict[str, dict[str, str]]) -> None:
    household = {"size": 3, "annual_income": "35000", "state": "CA", "proof_of_income_seen": True}
    estimate = _estimate(client, headers, household=household, levels=["iop"])
    fee = _level(estimate, "iop")["affordability"]["sliding_fee"]
    assert fee["tier_code"] == "C" and fee["provisional"] is False
    # still 24 x $300.00 = $7,200.00 at 40 % = $2,880.00
    assert _level(estimate, "iop")["affordability"]["balance_after_discount"] == "2880.00"
