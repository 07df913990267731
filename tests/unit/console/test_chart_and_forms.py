"""Pure parts of the console: the server-rendered bar chart and the form-to-contract checks."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest

from service.console.chart import LABEL, VALUE_ROOM, WIDTH, Bar, bar_chart
from service.console.forms import check_fields, read_form
from service.console.staff import StaffAccountError, check_new_account


def test_bars_are_proportional_to_what_the_patient_pays_and_carry_a_text_alternative() -> None:
    svg = str(bar_chart([Bar("IOP", D("1000.00")), Bar("Inpatient", D("4000.00")), Bar("PHP", D("0.00"))],
                        title="Patient pays"))
    track = WIDTH - LABEL - VALUE_ROOM  # 400 - 0 - 112 = 288 units: the largest amount fills it
    widths = [int(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="(\d+)" height="\d+" fill="#1f5f8b"', svg)]
    assert widths == [track // 4, track, 2]  # 1000/4000 of 288 = 72; a zero still shows a 2-unit sliver
    assert 'aria-label="Patient pays: IOP $1,000.00; Inpatient $4,000.00; PHP $0.00"' in svg
    assert "<script" not in svg and "style=" not in svg  # the console's CSP allows neither


def test_labels_are_escaped() -> None:
    assert "&lt;b&gt;" in str(bar_chart([Bar("<b>", D("1"))], title="t"))


def test_every_bad_field_is_named_at_once_in_the_contracts_words() -> None:
    form = read_form({"first_name": "", "last_name": "MILLER", "date_of_birth": "1980-02-30", "member_id": "X",
                      "household_size": "0", "annual_income": "$30,000"}, today=dt.date(2026, 3, 2), state="ca")
    check_fields(form, required=("first_name", "last_name", "date_of_birth", "member_id"))
    assert form.errors == {
        "first_name": "Object missing required field `first_name`",
        "date_of_birth": "Invalid RFC3339 encoded date",
        "member_id": "Expected `str` of length >= 2",
        "household_size": "Expected `int` >= 1",
    }  # "$30,000" is read as 30000
    assert form.values["date_of_service"] == "2026-03-02" and form.values["household_state"] == "CA"


@pytest.mark.parametrize(("username", "password", "words"), [
    ("a", "long enough password", "username"), ("Jo Smith", "long enough password", "username"),
    ("jsmith", "short", "password")])
def test_staff_accounts_need_a_plain_username_and_a_long_password(username: str, password: str, words: str) -> None:
    with pytest.raises(StaffAccountError, match=words):
        check_new_account(username, password)
    assert check_new_account(" JSmith ", "twelve chars!") == "jsmith"


def test_a_nul_character_is_refused_beside_its_field_not_sent_to_the_database() -> None:
    form = read_form({"first_name": "AN\x00A"}, today=dt.date(2026, 3, 2), state="CA")
    assert form.errors == {"first_name": "must not contain the NUL character (\\u0000)"}
    assert form.values["first_name"] == "ANA"
