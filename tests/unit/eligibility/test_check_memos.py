"""The per-process memos of the cached-check path: a view and an encoded answer per row version and organization,
inquiries validated once per distinct value set, invalid ones refused every time."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import msgspec
import pytest
from litestar.serialization import encode_json

from contracts.benefits import NormalizedBenefits, PayerClass, Source
from contracts.eligibility_api import EligibilityCheck, PatientSummary
from contracts.read_aloud import SpokenLine, SpokenTopic
from service.eligibility.check_views import CheckAnswer, CheckView, CheckViews
from service.eligibility.valid_inquiries import ValidInquiries
from service.eligibility.x12.builder_270 import EligibilityInquiry, Payer, Provider, Subscriber
from service.eligibility.x12.writer import X12ValueError

ROW = {"id": "7d0c2f4e-0000-4000-8000-000000000001", "updated_at": dt.datetime(2026, 3, 2, 9, 0), "status": "active"}


def _builder(calls: list[str], word: str):
    def build() -> CheckView:
        calls.append(word)
        return CheckView(benefits=NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True,
                                                     payer_class=PayerClass.COMMERCIAL),
                         message=word, read_aloud=())
    return build


def test_a_row_version_is_put_into_words_once_per_organization():
    views, calls = CheckViews(), []
    assert views.view("org-a", ROW, _builder(calls, "first")).message == "first"
    assert views.view("org-a", ROW, _builder(calls, "again")).message == "first"
    assert views.view("org-b", ROW, _builder(calls, "other org")).message == "other org"  # never shared across
    updated = {**ROW, "updated_at": ROW["updated_at"] + dt.timedelta(seconds=1)}
    assert views.view("org-a", updated, _builder(calls, "updated")).message == "updated"
    assert views.view("org-a", {**updated, "status": "inactive"}, _builder(calls, "status")).message == "status"
    assert calls == ["first", "other org", "updated", "status"]


def test_views_are_bounded_least_recently_used_first():
    views, calls = CheckViews(max_entries=2), []
    rows = [{**ROW, "id": str(n)} for n in range(3)]
    views.view("o", rows[0], _builder(calls, "0"))
    views.view("o", rows[1], _builder(calls, "1"))
    views.view("o", rows[0], _builder(calls, "0 again"))  # used: row 1 is now the oldest
    views.view("o", rows[2], _builder(calls, "2"))
    assert len(views) == 2
    views.view("o", rows[0], _builder(calls, "0 rebuilt"))
    views.view("o", rows[1], _builder(calls, "1 rebuilt"))
    assert calls == ["0", "1", "2", "1 rebuilt"]


def _with_rows(calls: list[str], word: str, row_bytes: int):
    def build() -> CheckView:
        calls.append(word)
        rows = msgspec.Raw(b"[" + b" " * (row_bytes - 2) + b"]")  # rows kept as JSON, as a large 271's are
        return CheckView(benefits=NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True,
                                                     payer_class=PayerClass.COMMERCIAL, benefit_rows=rows),
                         message=word, read_aloud=())
    return build


def test_views_are_bounded_by_the_bytes_of_their_rows_and_a_huge_one_is_never_kept():
    views, calls = CheckViews(max_row_bytes=1600), []  # a view may weigh up to 1600 // 16 = 100 bytes
    rows = [{**ROW, "id": str(n)} for n in range(40)]
    for n, row in enumerate(rows):
        views.view("o", row, _with_rows(calls, str(n), 80))
    assert len(views) == 20 and views.row_bytes == 20 * 80  # 1600 bytes hold 20 views of 80: the oldest 20 went
    views.view("o", rows[39], _with_rows(calls, "39 again", 80))
    views.view("o", rows[0], _with_rows(calls, "0 rebuilt", 80))
    assert calls[-1] == "0 rebuilt" and "39 again" not in calls
    huge = {**ROW, "id": "huge"}
    views.view("o", huge, _with_rows(calls, "huge", 101))
    views.view("o", huge, _with_rows(calls, "huge again", 101))
    assert calls[-2:] == ["huge", "huge again"] and views.row_bytes == 20 * 80


#: Strings that look like the spliced fields' JSON: an answer must splice the top-level fields only.
LOOKALIKE = '"from_cache":false,"age_seconds":0,"patient":{"first_name":null}'


def _resource(view: CheckView, row: dict = ROW) -> EligibilityCheck:
    return EligibilityCheck(
        id=row["id"], status=row["status"], source="clearinghouse", message=view.message, read_aloud=list(view.read_aloud),
        payer_id="SBPPO", payer_name=LOOKALIKE, date_of_service=dt.date(2026, 3, 2), service_type_codes=["30"],
        patient=PatientSummary(first_name="ZED"), benefits=view.benefits, attempts=1,
        created_at=dt.datetime(2026, 3, 2, 8, 59, tzinfo=dt.timezone.utc),
        updated_at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc))


def _view(message: str = LOOKALIKE) -> CheckView:
    benefits = NormalizedBenefits(source=Source.CLEARINGHOUSE_271, active=True, payer_class=PayerClass.COMMERCIAL,
                                  payer_name=LOOKALIKE, benefit_rows=msgspec.Raw(b'[{"patient": {"a": 1}}]'))
    return CheckView(benefits=benefits, message=message,
                     read_aloud=(SpokenLine(topic=SpokenTopic.COVERAGE, text=LOOKALIKE),))


@pytest.mark.parametrize("from_cache, age", [(False, 0), (True, 0), (True, 86399), (False, 7)])
def test_an_encoded_answer_is_what_litestar_encodes_with_the_requests_own_age_and_patient(from_cache, age):
    resource = _resource(_view())
    answer = CheckAnswer(resource)
    patient = PatientSummary(first_name="ADA", last_name="O'NEIL \"Q\"", date_of_birth=dt.date(1980, 2, 3),
                             member_id_masked="****6789", is_dependent=True, patient_key="pk_1")
    expected = encode_json(msgspec.structs.replace(resource, from_cache=from_cache, age_seconds=age, patient=patient))
    assert answer.encode(from_cache=from_cache, age_seconds=age, patient=patient) == expected
    assert b"ZED" not in b"".join(answer._parts)  # the patient (PHI) is never kept in the memo


def test_an_answer_is_encoded_once_per_row_version_and_held_by_id_and_by_cache_key():
    views, made = CheckViews(), []

    def resource(view: CheckView) -> EligibilityCheck:
        made.append(view.message)
        return _resource(view)

    assert views.held("o", ROW["id"]) is None
    views.view("o", ROW, lambda: _view("words"))  # the view alone: no answer held yet
    assert views.held("o", ROW["id"]) is None
    first = views.answer("o", ROW, lambda: _view("unused"), resource, cache_key="k1")
    assert views.answer("o", ROW, lambda: _view("unused"), resource) is first and made == ["words"]
    held = views.held("o", ROW["id"])
    assert held is not None and held.answer is first and held.version == (ROW["updated_at"], "active")
    assert views.held_for_key("o", "k1") is held and views.held_for_key("other org", "k1") is None
    assert views.held("other org", ROW["id"]) is None
    newer = {**ROW, "status": "inactive"}  # a newer row version replaces the entry and its answer
    views.view("o", newer, lambda: _view("newer"))
    assert views.held("o", ROW["id"]) is None and views.held_for_key("o", "k1") is None and len(views) == 1


def test_a_dropped_entry_takes_its_cache_key_along():
    views = CheckViews(max_entries=1)
    views.answer("o", ROW, _view, _resource, cache_key="k1")
    views.answer("o", {**ROW, "id": "another"}, _view, _resource)
    assert views.held_for_key("o", "k1") is None and len(views) == 1


INQUIRY = EligibilityInquiry(
    payer=Payer("SBPPO", "SANDBOX PPO"), provider=Provider("1234567893", "SUNRISE BEHAVIORAL HEALTH"),
    subscriber=Subscriber("MILLER", "DANIEL", dt.date(1980, 1, 15), "PPO-FAM-006"),
    date_of_service=dt.date(2026, 3, 2), service_type_codes=["MH"], trace_number="A1B2C3D4E5F6A7B8C9D0")


def test_an_inquiry_is_made_once_per_distinct_values_and_an_invalid_one_refused_every_time():
    valid, made = ValidInquiries(), []

    def inquiry(value: EligibilityInquiry):  # noqa: ANN202
        made.append(value)
        return value

    valid.validate(b"values", lambda: inquiry(INQUIRY))
    valid.validate(b"values", lambda: inquiry(replace(INQUIRY, trace_number="FFFFFFFFFFFFFFFFFFFF")))
    assert made == [INQUIRY]  # the same values again: nothing made or validated
    bad = replace(INQUIRY, payer=Payer("SBPPO", "SANDBOX*PPO"))  # '*' is the element separator
    for _ in range(2):
        with pytest.raises(X12ValueError) as refused:
            valid.validate(b"bad values", lambda: inquiry(bad))
        assert refused.value.field == "payer.name"
    assert made == [INQUIRY, bad, bad]
    late = replace(INQUIRY, date_of_service=dt.date(1979, 1, 1))  # before the date of birth
    with pytest.raises(X12ValueError):
        valid.validate(b"late values", lambda: late)
