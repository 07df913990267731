"""Good Faith Estimate: required content in JSON and HTML, escaping, FHIR PCT bundle, dispute rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec
import pytest

from contracts.selfpay import (
    GfeAddress,
    GfeDiscountLine,
    GfeItem,
    GfePatient,
    GfePrimaryService,
    GfeProvider,
    GfeSeparateItem,
    GoodFaithEstimateRequest,
)
from service.pricing.selfpay.gfe import GfeInvalid, build_gfe, dispute_eligible, render_html

D = Decimal
CLINIC = GfeProvider(
    name="Harbor Behavioral Health",
    npi="1234567893",
    tin="12-3456789",
    address=GfeAddress(lines=["100 Main St"], city="Oakland", state="CA", postal_code="94612"),
)
LAB = GfeProvider(
    name="Bay Lab",
    npi="1987654320",
    tin="987654321",
    address=GfeAddress(lines=["5 Elm St"], city="Oakland", state="CA", postal_code="94610"),
)


def request(**changes) -> GoodFaithEstimateRequest:  # type: ignore[no-untyped-def]
    base = GoodFaithEstimateRequest(
        gfe_id="GFE-2026-0001",
        issue_date=dt.date(2026, 3, 2),
        patient=GfePatient(name="Alex Rivera", date_of_birth=dt.date(1990, 5, 17)),
        primary_service=GfePrimaryService(
            description="Intensive outpatient program, 3 days a week for 8 weeks", scheduled_date=dt.date(2026, 3, 9)
        ),
        convening_provider=CLINIC,
        co_providers=[LAB],
        items=[
            GfeItem(
                description="IOP program day", service_code="S9480", revenue_code="0905",
                period_start=dt.date(2026, 3, 9), period_end=dt.date(2026, 5, 1), quantity=24,
                unit_charge=D("200.00"),
            ),
            GfeItem(
                description="Psychiatric evaluation", service_code="90792", service_code_system="cpt",
                period_start=dt.date(2026, 3, 9), period_end=dt.date(2026, 3, 9), quantity=1,
                unit_charge=D("350.00"), expected_charge=D("350.00"),
            ),
            GfeItem(
                description="Drug screen", service_code="80305", period_start=dt.date(2026, 3, 9),
                period_end=dt.date(2026, 3, 9), quantity=2, unit_charge=D("45.50"), provider_npi=LAB.npi,
            ),
        ],
        diagnosis_codes=["F33.1"],
        discounts=[GfeDiscountLine(description="Sliding fee discount", amount=D("2880.00"), tier_code="C",
                                   provisional=True)],
        separately_scheduled=[GfeSeparateItem(description="Medication management visits after discharge")],
    )
    return msgspec.structs.replace(base, **changes)


def test_totals_and_grouping_by_provider() -> None:
    gfe = build_gfe(request())
    # clinic: 24 x 200.00 = 4,800.00 + 350.00 = 5,150.00; lab: 2 x 45.50 = 91.00; total 5,241.00
    assert [(s.provider.npi, s.total_expected_charges) for s in gfe.sections] == [
        (CLINIC.npi, D("5150.00")), (LAB.npi, D("91.00")),
    ]
    assert gfe.total_expected_charges == D("5241.00")
    # 5,241.00 - 2,880.00 = 2,361.00
    assert gfe.total_estimated_patient_cost == D("2361.00")
    assert "depends on the income determination" in (gfe.discount_note or "")


def test_json_has_every_required_element() -> None:
    data = msgspec.json.decode(msgspec.json.encode(build_gfe(request())))
    assert data["patient"] == {"name": "Alex Rivera", "date_of_birth": "1990-05-17"}  # (1)
    assert data["primary_service"]["scheduled_date"] == "2026-03-09"  # (2)
    assert len(data["sections"]) == 2  # (3) grouped by provider
    line = data["sections"][0]["lines"][0]
    assert (line["service_code"], line["revenue_code"], line["expected_charge"]) == ("S9480", "0905", "4800.00")  # (4)
    assert data["diagnosis_codes"] == ["F33.1"]  # (4)
    provider = data["sections"][1]["provider"]
    assert (provider["npi"], provider["tin"], provider["address"]["state"]) == (LAB.npi, LAB.tin, "CA")  # (5)
    assert data["separately_scheduled"][0]["description"].startswith("Medication")  # (6)
    codes = [d["code"] for d in data["disclaimers"]]  # (7)
    assert codes == ["separately_scheduled", "estimate_only", "dispute_right", "not_a_contract"]
    assert data["dispute_right"] == {
        "threshold": "400.00", "days_to_start": 120, "administrative_fee": "25.00",
        "instructions_url": "https://www.cms.gov/nosurprises", "text": data["dispute_right"]["text"],
    }
    text = " ".join(d["text"] for d in data["disclaimers"])
    for phrase in ("$400.00", "120 calendar days", "$25.00", "not a contract", "only an estimate",
                   "will not adversely affect"):
        assert phrase in text


def test_html_has_every_required_element() -> None:
    html = render_html(build_gfe(request()))
    for expected in (
        "Alex Rivera", "May 17, 1990", "Intensive outpatient program", "March 9, 2026", "S9480", "0905", "F33.1",
        "$4,800.00", "Harbor Behavioral Health", "1234567893", "12-3456789", "Oakland", "Bay Lab", "$5,241.00",
        "Medication management", "$400.00", "120", "$25.00", "not a contract", "only an estimate",
        "@media print", "Sliding fee discount", "$2,361.00",
    ):
        assert expected in html, expected


def test_html_escapes_patient_text() -> None:
    evil = request(patient=GfePatient(name="<script>alert(1)</script>", date_of_birth=dt.date(1990, 1, 1)))
    html = render_html(build_gfe(evil))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("billed", "gfe_total", "eligible"),
    [("1400.00", "1000.00", True), ("1399.99", "1000.00", False), ("5000", "1000", True), ("1000", "1000", False)],
)
def test_dispute_threshold(billed: str, gfe_total: str, eligible: bool) -> None:
    # eligible when billed - GFE >= 400.00: 1,400.00 - 1,000.00 = 400.00 yes; 399.99 no
    assert dispute_eligible(D(billed), D(gfe_total)) is eligible


def test_invalid_requests_name_the_field() -> None:
    bad_item = msgspec.structs.replace(request().items[0], expected_charge=D("1.00"), revenue_code="95")
    with pytest.raises(GfeInvalid) as info:
        build_gfe(request(items=[bad_item], patient=GfePatient(name=" ", date_of_birth=dt.date(1990, 1, 1))))
    fields = {e.field for e in info.value.errors}
    assert {"$.items[0].expected_charge", "$.items[0].revenue_code", "$.patient.name"} <= fields
    stranger = msgspec.structs.replace(request().items[0], provider_npi="1111111111")
    with pytest.raises(GfeInvalid, match="provider_npi"):
        build_gfe(request(items=[stranger]))
    with pytest.raises(GfeInvalid, match="exceed"):
        build_gfe(request(discounts=[GfeDiscountLine(description="x", amount=D("99999"))]))


def test_request_forbids_unknown_fields() -> None:
    raw = msgspec.json.encode(request())
    assert msgspec.json.decode(raw, type=GoodFaithEstimateRequest) == request()
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(raw[:-1] + b',"extra":true}', type=GoodFaithEstimateRequest)
