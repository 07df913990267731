"""Fee schedules: import validation (REST and CLI), versions that never change, estimates that keep their rates."""

from __future__ import annotations

import pytest

from service.cli import build_parser
from service.pricing.service import reproduce
from tests.integration.pricing.helpers import estimate_body, ppo_manual, totals

pytestmark = pytest.mark.integration


def test_demo_versions_are_listed_and_labelled(client, headers) -> None:  # noqa: ANN001
    listed = client.get("/v1/admin/fee-schedules", headers=headers["admin"])
    assert listed.status_code == 200
    demo = [v for v in listed.json()["versions"] if v["demo"]]
    assert {v["kind"] for v in demo} == {"chargemaster", "contract", "medicare", "medicaid"}
    assert all("DEMO" in v["basis"] for v in demo)
    charge = next(v for v in demo if v["kind"] == "chargemaster")
    one = client.get(f"/v1/admin/fee-schedules/{charge['id']}", headers=headers["admin"]).json()
    iop = next(r for r in one["rows"] if r["level"] == "iop")
    assert (iop["revenue_code"], iop["hcpcs"], iop["gross_charge_per_day"], iop["self_pay_per_day"]) == (
        "0905", "S9480", "400.00", "300.00")
    assert iop["basis"].startswith("DEMO value, basis:")
    assert client.get("/v1/admin/fee-schedules", headers=headers["intake"]).status_code == 403


def test_versions_refuse_update_and_delete(client, headers, db) -> None:  # noqa: ANN001
    client.get("/v1/admin/fee-schedules", headers=headers["admin"])  # seeds the demo versions
    import asyncpg

    for sql in ("UPDATE fee_schedule_rows SET gross_charge_per_day = 1", "DELETE FROM fee_schedule_versions",
                "UPDATE fee_schedule_versions SET effective_to = '2099-01-01'"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            db.execute(sql)


def test_import_lists_every_bad_row_and_column_and_stores_nothing(client, headers, db) -> None:  # noqa: ANN001
    before = db.fetchval("SELECT count(*) FROM fee_schedule_versions")
    body = {"kind": "chargemaster", "effective_from": "2031-01-01", "version": "bad-one", "rows": [
        {"level": "iop", "revenue_code": "905", "hcpcs": "S9480", "gross_charge_per_day": "400.00",
         "self_pay_per_day": "300.00"},
        {"level": "iop", "revenue_code": "0905", "hcpcs": "S94", "gross_charge_per_day": "-1",
         "self_pay_per_day": "300.005"},
        {"level": "detox", "revenue_code": "0114", "self_pay_per_day": "1.00",
         "contracted_in_network_per_day": "5.00"},
    ]}
    bad = client.post("/v1/admin/fee-schedules", json=body, headers=headers["admin"])
    assert bad.status_code == 422, bad.text
    fields = [e["field"] for e in bad.json()["errors"]]
    assert fields == [
        "$.rows[0].revenue_code",
        "$.rows[1].level",  # a second iop row
        "$.rows[1].hcpcs",
        "$.rows[1].gross_charge_per_day",  # negative
        "$.rows[1].self_pay_per_day",  # three decimals
        "$.rows[2].level",  # not a level
        "$.rows[2].gross_charge_per_day",  # required in a chargemaster
        "$.rows[2].contracted_in_network_per_day",  # not a chargemaster column
    ]
    reasons = [e["reason"] for e in bad.json()["errors"]]
    assert reasons[0] == "row 1, column revenue_code: '905' is not a 4-digit revenue code (e.g. 0905)"
    assert "row 2, column level: a second row for iop (first on row 1)" in reasons
    assert db.fetchval("SELECT count(*) FROM fee_schedule_versions") == before


def test_a_new_version_never_changes_an_estimate_already_made(client, headers) -> None:  # noqa: ANN001
    manual = {**ppo_manual(), "payer_id": "NEWRATESPPO"}
    old = client.post("/v1/estimates", json=estimate_body(manual=manual, levels=["iop"]), headers=headers["intake"])
    assert old.status_code == 201
    # demo contract 300.00/day: 5 x 300.00 deductible + 19 x 60.00 = 2640.00
    assert totals(old.json()) == {"iop": "2640.00"}

    imported = client.post("/v1/admin/fee-schedules", headers=headers["admin"], json={
        "kind": "contract", "payer_id": "NEWRATESPPO", "effective_from": "2026-01-01", "version": "newrates-2026",
        "basis": "contract NR-1", "rows": [
            {"level": "iop", "revenue_code": "0905", "hcpcs": "S9480", "contracted_in_network_per_day": 200},
            {"level": "php", "revenue_code": "0913", "hcpcs": "S0201", "contracted_in_network_per_day": "400.00"},
            {"level": "inpatient", "revenue_code": "0114", "contracted_in_network_per_day": "1000.00"}]})
    assert imported.status_code == 201, imported.text
    assert imported.json()["rows"][0]["contracted_in_network_per_day"] == "200.00"

    again = client.get(f"/v1/estimates/{old.json()['estimate_id']}", headers=headers["intake"])
    assert again.json() == old.json()
    pool = client.app.state.pool
    redone = client.blocking_portal.call(lambda: reproduce(pool, old.json()["estimate_id"]))
    assert str(redone.estimates[0].totals.patient_pays) == "2640.00"

    new = client.post("/v1/estimates", json=estimate_body(manual=manual, levels=["iop"]), headers=headers["intake"])
    # new contract 200.00/day: days 1-7 deductible 7 x 200.00 = 1400.00; day 8 deductible 100.00 + 20% x 100.00
    # = 20.00; days 9-24: 16 x 40.00 = 640.00 -> 1400.00 + 120.00 + 640.00 = 2160.00
    assert totals(new.json()) == {"iop": "2160.00"}
    assert imported.json()["id"] in new.json()["rate_version_ids"]
    assert imported.json()["id"] not in old.json()["rate_version_ids"]
    assert "newrates-2026" in new.json()["comparison"]["figures"]["rate_table_version"]

    dup = client.post("/v1/admin/fee-schedules", headers=headers["admin"], json={
        "kind": "contract", "payer_id": "NEWRATESPPO", "effective_from": "2026-03-01", "version": "newrates-2026",
        "rows": [{"level": "iop", "revenue_code": "0905", "contracted_in_network_per_day": "1.00"}]})
    assert dup.status_code == 409


def test_cli_import_csv_reports_rows_and_dry_run_stores_nothing(client, settings, tmp_path, capsys, db) -> None:  # noqa: ANN001
    bad = tmp_path / "charges.csv"
    bad.write_text("level,revenue_code,hcpcs,gross_charge_per_day,self_pay_per_day\n"
                   "iop,0905,S9480,410.00,310.00\n"
                   "php,0913,S0201,abc,500.00\n"
                   "iop,09X5,S9480,410.00,310.00\n")
    args = build_parser().parse_args(["fees", "import", str(bad), "--kind", "chargemaster",
                                      "--effective-from", "2032-01-01"])
    assert args.handler(args, settings) == 1
    err = capsys.readouterr().err
    assert "row 3, column gross_charge_per_day: 'abc' is not an amount" in err
    assert "row 4, column level: a second row for iop (first on row 2)" in err
    assert "row 4, column revenue_code" in err

    good = tmp_path / "charges2.csv"
    good.write_text("level,revenue_code,hcpcs,gross_charge_per_day,self_pay_per_day\n"
                    "iop,0905,S9480,410.00,310.00\nphp,0913,S0201,760.00,510.00\ninpatient,0114,,2100.00,1600.00\n")
    before = db.fetchval("SELECT count(*) FROM fee_schedule_versions")
    args = build_parser().parse_args(["fees", "import", str(good), "--kind", "chargemaster",
                                      "--effective-from", "2032-01-01", "--dry-run"])
    assert args.handler(args, settings) == 0
    assert "valid (dry run, nothing stored)" in capsys.readouterr().out
    assert db.fetchval("SELECT count(*) FROM fee_schedule_versions") == before
    args = build_parser().parse_args(["fees", "import", str(good), "--kind", "chargemaster",
                                      "--effective-from", "2032-01-01", "--version", "cli-charges-2032"])
    assert args.handler(args, settings) == 0
    assert db.fetchval("SELECT count(*) FROM fee_schedule_rows r JOIN fee_schedule_versions v ON v.id = r.version_id "
                       "WHERE v.version = 'cli-charges-2032'") == 3


def test_plan_contract_beats_payer_contract_beats_default_and_a_version_can_be_pinned(client, headers) -> None:  # noqa: ANN001
    def contract(version: str, iop: str, plan: str | None = None) -> None:
        body = {"kind": "contract", "payer_id": "PLANPPO", "effective_from": "2026-01-01", "version": version,
                "rows": [{"level": "iop", "revenue_code": "0905", "hcpcs": "S9480",
                          "contracted_in_network_per_day": iop}]}
        if plan:
            body["plan_code"] = plan
        assert client.post("/v1/admin/fee-schedules", json=body, headers=headers["admin"]).status_code == 201

    contract("planppo-all-2026", "250.00")
    contract("planppo-gold-2026", "220.00", plan="GOLD")
    manual = {**ppo_manual(), "payer_id": "PLANPPO"}

    def iop(**extra) -> str:  # noqa: ANN003
        r = client.post("/v1/estimates", json=estimate_body(manual=manual, levels=["iop"], **extra),
                        headers=headers["intake"])
        assert r.status_code == 201, r.text
        return totals(r.json())["iop"]

    # payer-wide 250.00/day: days 1-6 deductible 6 x 250.00 = 1500.00; days 7-24: 18 x 50.00 = 900.00 -> 2400.00
    assert iop() == "2400.00"
    # plan GOLD 220.00/day: days 1-6 deductible 1320.00; day 7 deductible 180.00 + 20% x 40.00 = 8.00 -> 188.00;
    # days 8-24: 17 x 44.00 = 748.00 -> 1320.00 + 188.00 + 748.00 = 2256.00
    assert iop(plan_code="GOLD") == "2256.00"
    # pinned to the demo contract (300.00/day): 1500.00 + 19 x 60.00 = 2640.00
    assert iop(plan_code="GOLD", rate_table_version="demo-2026-01-contract") == "2640.00"
    unknown = client.post("/v1/estimates", headers=headers["intake"],
                          json=estimate_body(manual=manual, rate_table_version="no-such-version"))
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "$.rate_table_version"


def test_cli_import_json_medicaid_rates(client, headers, settings, tmp_path, capsys) -> None:  # noqa: ANN001
    rates = tmp_path / "medicaid.json"
    rates.write_text('{"rows": [{"level": "iop", "revenue_code": "0905", "hcpcs": "S9480", "medicaid_per_day": 150.5},'
                     ' {"level": "php", "revenue_code": "0913", "medicaid_per_day": "280.00"}]}')
    args = build_parser().parse_args(["fees", "import", str(rates), "--kind", "medicaid", "--payer-id", "OHMCD",
                                      "--effective-from", "2026-01-01", "--version", "oh-medicaid-2026"])
    assert args.handler(args, settings) == 0, capsys.readouterr().err
    listed = client.get("/v1/admin/fee-schedules?kind=medicaid&payer_id=OHMCD", headers=headers["admin"]).json()
    assert [v["version"] for v in listed["versions"]] == ["oh-medicaid-2026"]

