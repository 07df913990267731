"""A large 271 (read in the worker process) through the API: stored, read back and priced with every row.

Its ``benefit_rows`` stay JSON from the worker to the database and back into answers (``rows_json.py``); these
tests check the rows a caller gets are the payer's, whatever path they took.
"""

from __future__ import annotations

import uuid

import msgspec
import pytest

from service.eligibility import store
from service.eligibility.rows_json import rows_of
from tests.corpus import x12_with_extra_rows
from tests.integration.pricing.helpers import estimate_body

pytestmark = pytest.mark.integration

# DANA FISHER, ACME CHOICE PPO 2500: 4 rows sent + 500 added mental-health coinsurance rows (25 %).
LARGE = x12_with_extra_rows("commercial-wrong-se-count-no-iea.271", 500)


def test_a_large_posted_271_is_stored_and_read_back_with_every_row(client, headers, db) -> None:  # noqa: ANN001
    posted = client.post("/v1/eligibility/parse-271", json={"x12": LARGE}, headers=headers["billing"])
    assert posted.status_code == 201, posted.text
    rows = posted.json()["benefits"]["benefit_rows"]
    assert len(rows) == 504 and rows[-1]["messages"] == ["ROW 499"]
    check_id = posted.json()["id"]
    assert db.fetchval("SELECT jsonb_array_length(benefits -> 'benefit_rows') FROM eligibility_checks "
                       "WHERE id = $1::uuid", check_id) == 504
    # Read back, the rows are never decoded into objects (they go into the answer as stored); rows_of decodes
    # them for the code that reads rows.
    row = client.blocking_portal.call(store.fetch_check, client.app.state.pool, uuid.UUID(check_id))
    stored = store.decode_benefits(row)
    assert isinstance(stored.benefit_rows, msgspec.Raw)
    assert msgspec.to_builtins(rows_of(stored)) == rows
    read = client.get(f"/v1/eligibility/checks/{check_id}", headers=headers["intake"]).json()
    assert read["benefits"]["benefit_rows"] == rows
    assert {k: v for k, v in read["benefits"].items() if k != "benefit_rows"} == \
        {k: v for k, v in posted.json()["benefits"].items() if k != "benefit_rows"}

    # Priced from the stored check and from the posted text alike: in network, deductible 2500.00 with 1800.00
    # left, MH coinsurance 25 % (the payer's own row; the 500 added rows repeat it).
    by_check = client.post("/v1/estimates", json=estimate_body(eligibility_check_id=check_id, levels=["iop"]),
                           headers=headers["intake"])
    by_text = client.post("/v1/estimates", json=estimate_body(x12_271=LARGE, levels=["iop"]),
                          headers=headers["intake"])
    assert by_check.status_code == 201, by_check.text
    assert by_text.status_code == 201, by_text.text
    [iop_check] = by_check.json()["comparison"]["estimates"]
    [iop_text] = by_text.json()["comparison"]["estimates"]
    assert iop_check["totals"] == iop_text["totals"]
    # IOP 24 days x 300.00 allowed: days 1-6 meet the 1800.00 left (6 x 300.00); days 7-24 18 x 25 % x 300.00 =
    # 1350.00 -> 3150.00
    assert (iop_check["totals"]["deductible"], iop_check["totals"]["patient_pays"]) == ("1800.00", "3150.00")

    # The stored check as a second plan (the estimate keeps its terms to re-run the coordination).
    primary = {"payer_name": "ACME PPO", "payer_class": "commercial", "active": True,
               "in_network": {"coinsurance_percent": "20"}, "heard_from": {"representative_name": "Pat"}}
    two_plans = client.post("/v1/estimates", json=estimate_body(
        manual=primary, levels=["iop"], other_coverage=[{"eligibility_check_id": check_id}]), headers=headers["intake"])
    assert two_plans.status_code == 201, two_plans.text
    [iop] = two_plans.json()["comparison"]["estimates"]
    assert [p["name"] for p in iop["payers"]][:2] == ["ACME PPO", "ACME HEALTH PLANS"]
