"""Payer directory files as clearinghouses publish them (CSV, Stedi-like JSON) and name matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.eligibility.payers.directory import DirectoryFileError, PayerEntry, closest, read_directory

DATA = Path(__file__).resolve().parents[2] / "data" / "payers"
SANDBOX = Path(__file__).resolve().parents[3] / "service" / "eligibility" / "payers" / "data" / "sandbox.csv"


def test_the_shipped_sandbox_csv_reads_with_capabilities():
    payers = {p.payer_id: p for p in read_directory(SANDBOX.read_bytes())}
    assert set(payers) == {"SBMCR", "SBMCD", "SBPPO", "SBHMO"}
    assert payers["SBPPO"] == PayerEntry("SBPPO", "SANDBOX PPO", ("SANDBOX HEALTH PLAN", "GOLD PPO", "SILVER PPO"),
                                         real_time_270=True, batch_270=False)
    assert payers["SBHMO"].real_time_270 is False and payers["SBHMO"].batch_270 is True


def test_a_stedi_like_json_list_reads_ids_names_aliases_and_support():
    payers = {p.payer_id: p for p in read_directory((DATA / "stedi-like.json").read_bytes())}
    assert payers["94036"].name == "Blue Shield of California" and payers["94036"].aliases == ("BSCA", "BLUE SHIELD CA")
    assert payers["60054"].aliases == ("AETNA BETTER HEALTH",)  # its own id is not an alias
    assert payers["60054"].real_time_270 is True  # ENROLLMENT_REQUIRED: the payer takes 270s once enrolled
    assert payers["PCOM1"].real_time_270 is False


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id_number,title\n1,x\n", "must name a payer id column and a payer name column"),
        (b"Payer ID,Payer Name\nA1,ONE\nA1,UNO\n", "row 3: payer id A1 is listed twice"),
        (b"payer_id,name,eligibility\nA1,ONE,maybe\n", "row 2 real-time 270: expected yes/no"),
        (b"payer_id,name\nA1,\n", "row 2: the payer name is empty"),
        (b"payer_id,name\nA1;DROP,ONE\n", "must be 1-80 letters"),
        (b'{"items": 3}', 'a list of payers, or an object with an "items" list'),
        (b"payer_id,name\n", "lists no payers"),
    ],
)
def test_a_bad_directory_file_names_the_row_and_column(content, message):
    with pytest.raises(DirectoryFileError, match=message):
        read_directory(content)


def test_closest_names_tolerate_misspelling_word_order_and_aliases():
    payers = read_directory((DATA / "stedi-like.json").read_bytes()) + read_directory(SANDBOX.read_bytes())
    assert closest("blue shield calif", payers)[0][0].payer_id == "94036"
    assert closest("atena", payers)[0][0].payer_id == "60054"
    assert closest("aetna better", payers)[0][0].payer_id == "60054"  # by alias
    assert closest("medicare part b", payers)[0][0].payer_id == "SBMCR"
    assert [p.payer_id for p, _ in closest("zzqx kkkk", payers)] == []
    scores = [s for _, s in closest("sandbox", payers)]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
