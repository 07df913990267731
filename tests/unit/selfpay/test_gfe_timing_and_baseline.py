"""GFE due date (45 CFR 149.610(b): 1 business day after scheduling when 3+ business days ahead, 3 when 10+;
3 after a request), business days skipping weekends and federal holidays (5 U.S.C. 6103(a)); the $400 dispute
baseline (45 CFR 149.620) after the self-pay discount; co-providers with their items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import msgspec
import pytest

from contracts.selfpay import GfeItem, GfeProvider, GfeAddress
from service.errors import FieldError
from service.pricing.selfpay.gfe import GfeInvalid, build_gfe, co_provider_item_fields, dispute_eligible
from service.pricing.selfpay.gfe_timing import add_business_days, business_days_between, gfe_due
from tests.unit.selfpay.test_gfe import CLINIC, LAB, request

PSYCHIATRIST = GfeProvider(name="Dr. Lee", npi="1245319599", tin="11-2223333",
                           address=GfeAddress(lines=["100 Main St"], city="Oakland", state="CA", postal_code="94612"))


def test_business_days_skip_weekends_and_federal_holidays():
    # Wed Nov 25 2026 + 1 business day: Thu Nov 26 is Thanksgiving (fourth Thursday of November) -> Fri Nov 27
    assert add_business_days(dt.date(2026, 11, 25), 1) == dt.date(2026, 11, 27)
    # Thu Jul 2 2026 + 1: Fri Jul 3 is Independence Day observed (Jul 4 is a Saturday), then the weekend: Mon Jul 6
    assert add_business_days(dt.date(2026, 7, 2), 1) == dt.date(2026, 7, 6)
    # Mon Jan 12 -> Mon Jan 26 2026: 10 weekdays minus MLK Day (Jan 19) = 9 business days
    assert business_days_between(dt.date(2026, 1, 12), dt.date(2026, 1, 26)) == 9


def test_due_dates_by_how_far_ahead_the_care_is_scheduled():
    # Scheduled Mon Jan 12 2026 for Mon Jan 26: 9 business days ahead (3 to 9) -> 1 business day: Tue Jan 13
    assert gfe_due(scheduled_on=dt.date(2026, 1, 12), service_date=dt.date(2026, 1, 26),
                   requested_on=dt.date(2026, 1, 12)).due_date == dt.date(2026, 1, 13)
    # ... for Tue Jan 27: 10 business days ahead -> 3 business days: Thu Jan 15
    assert gfe_due(scheduled_on=dt.date(2026, 1, 12), service_date=dt.date(2026, 1, 27),
                   requested_on=dt.date(2026, 1, 12)).due_date == dt.date(2026, 1, 15)
    # Fri Jan 16 for Wed Jan 21: 2 business days (Tue 20, Wed 21; Mon 19 is MLK Day) -> no GFE required
    late = gfe_due(scheduled_on=dt.date(2026, 1, 16), service_date=dt.date(2026, 1, 21),
                   requested_on=dt.date(2026, 1, 16))
    assert late.due_date is None and "no Good Faith Estimate is required" in late.rule
    # requested Fri Jan 16 without scheduling -> 3 business days: Tue 20, Wed 21, Thu 22
    assert gfe_due(scheduled_on=None, service_date=None,
                   requested_on=dt.date(2026, 1, 16)).due_date == dt.date(2026, 1, 22)


def test_the_gfe_records_its_due_date():
    # scheduled Mon Mar 2 2026 for Mon Mar 9: 5 business days ahead -> due Tue Mar 3; issued Mar 2 (on time)
    gfe = build_gfe(request(scheduled_on=dt.date(2026, 3, 2)))
    assert gfe.due_date == dt.date(2026, 3, 3)
    assert "due within 1 business day, by 2026-03-03" in gfe.due_rule
    late = build_gfe(request(scheduled_on=dt.date(2026, 2, 20)))  # 11 business days ahead -> due Wed Feb 25
    assert late.due_date == dt.date(2026, 2, 25) and late.due_rule.endswith("after the due date")


def test_dispute_baseline_is_after_the_sliding_fee_discount():
    gfe = build_gfe(request())
    clinic, lab = gfe.sections
    # clinic $5,150.00 expected - $2,880.00 sliding-fee discount = $2,270.00; the lab has no discount: $91.00
    assert clinic.dispute_baseline == D("2270.00")
    assert lab.dispute_baseline == D("91.00")
    # a clinic bill of $2,670.00 is $400.00 above the baseline: disputable; $2,669.99 is not
    assert dispute_eligible(D("2670.00"), clinic.dispute_baseline)
    assert not dispute_eligible(D("2669.99"), clinic.dispute_baseline)
    assert "after any discount it shows" in gfe.dispute_right.text


def test_a_co_provider_is_listed_with_its_items_and_one_without_is_refused():
    visit = GfeItem(description="Psychiatrist visit", service_code="99214", service_code_system="cpt",
                    period_start=dt.date(2026, 3, 9), period_end=dt.date(2026, 5, 1), quantity=8,
                    unit_charge=D("150.00"), provider_npi=PSYCHIATRIST.npi)
    base = request()
    gfe = build_gfe(msgspec.structs.replace(base, co_providers=[LAB, PSYCHIATRIST], items=[*base.items, visit]))
    # the psychiatrist's section: 8 x $150.00 = $1,200.00; total $5,241.00 + $1,200.00 = $6,441.00
    assert [s.provider.npi for s in gfe.sections] == [CLINIC.npi, LAB.npi, PSYCHIATRIST.npi]
    assert gfe.sections[2].total_expected_charges == D("1200.00")
    assert gfe.total_expected_charges == D("6441.00")
    with pytest.raises(GfeInvalid) as caught:
        build_gfe(msgspec.structs.replace(base, co_providers=[LAB, PSYCHIATRIST]))
    assert caught.value.errors[0].field == "$.co_providers[1]"


def test_route_names_co_provider_item_fields():
    exc = GfeInvalid("x", errors=[FieldError(field="$.items[3].quantity", reason="must be at least 1"),
                                  FieldError(field="$.items[0].description", reason="must not be empty")])
    renamed = co_provider_item_fields(exc, level_items=2)
    assert [e.field for e in renamed.errors] == ["$.co_provider_items[1].quantity", "$.items[0].description"]
