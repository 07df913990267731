"""The batch CSV the billing office hands in: rows become check requests; a bad row is named, nothing queued."""

from __future__ import annotations

import datetime as dt

import pytest

from service.eligibility.batches.cli import BatchFileError, read_batch_csv

HEADER = "payer_id,first_name,last_name,date_of_birth,member_id,date_of_service,service_type_codes,dependent_first_name,dependent_last_name,dependent_date_of_birth\n"


def test_rows_become_check_requests_with_dependents_and_service_types():
    batch = read_batch_csv(HEADER + "SBPPO,DANIEL,MILLER,1980-01-15,PPO-FAM-006,2026-06-01,MH|A8,EMMA,MILLER,2010-06-01\n"
                           "SBMCR,MARTHA,JONES,1951-03-14,MCR-PARTB-001,2026-06-02,,,,\n")
    first, second = batch.items
    assert first.dependent.first_name == "EMMA" and first.service_type_codes == ["MH", "A8"]
    assert second.dependent is None and second.date_of_service == dt.date(2026, 6, 2)
    assert second.service_type_codes  # the default behavioral-health service types


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("payer_id,first_name\nSBPPO,X\n", "the CSV header lacks last_name, date_of_birth, member_id, date_of_service"),
        (HEADER + "SBPPO,DANIEL,MILLER,15/01/1980,PPO-FAM-006,2026-06-01,,,,\n", "row 2: .*date_of_birth"),
        (HEADER, "lists no members"),
    ],
)
def test_a_bad_file_names_the_row(text, message):
    with pytest.raises(BatchFileError, match=message):
        read_batch_csv(text)
