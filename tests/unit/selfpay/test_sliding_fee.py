"""Sliding fee: default schedule, validation with field paths, tier boundaries, amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec
import pytest

from contracts.selfpay import SlidingFeeTier, TierKind
from service.pricing.selfpay.poverty import determine_fpl
from service.pricing.selfpay.sliding_fee import (
    ScheduleInvalid,
    apply_sliding_fee,
    default_schedule,
    schedule_errors,
    validate_schedule,
)

ON = dt.date(2026, 3, 2)
SCHEDULE = default_schedule()


def det(income: str, size: int = 4):
    # household of 4 in 2026: poverty line 33,000, so income 330 = 1 %
    return determine_fpl(household_size=size, annual_income=Decimal(income), state="CA", on=ON)


def test_default_schedule_is_valid_and_marked_as_example() -> None:
    assert validate_schedule(SCHEDULE) is SCHEDULE
    assert SCHEDULE.is_example
    assert [t.code for t in SCHEDULE.tiers] == ["A", "B", "C", "D", "E", "F"]


def test_acceptance_household_of_3_california_tier_c() -> None:
    # 35,000 / 27,320 = 128.11 % -> above 125, at or below 150 -> tier C, patient pays 40 %.
    # 24 program days at $200 = $4,800; 40 % of 4,800 = 1,920.00; discount 4,800 - 1,920 = 2,880.00
    d = determine_fpl(household_size=3, annual_income=Decimal("35000"), state="CA", on=ON)
    r = apply_sliding_fee(SCHEDULE, d, Decimal("4800"), service_days=24, proof_of_income_seen=True)
    assert r.tier_code == "C"
    assert r.patient_pays_percent == Decimal("40")
    assert (r.patient_amount, r.discount) == (Decimal("1920.00"), Decimal("2880.00"))
    assert r.explanation == "Tier C (125–150 % FPL): you pay 40 % of $4,800.00 = $1,920.00"
    assert r.guideline_year == 2026 and r.percent_of_poverty == Decimal("128.11")
    assert not r.provisional


@pytest.mark.parametrize(
    ("income", "tier"),
    [
        ("33000", "A"),  # exactly 100.00 %
        ("33003.30", "B"),  # 33,003.30 / 33,000 = 100.01 %
        ("33000.01", "B"),  # 100.00003 %: displays 100.00 but is above 100
        ("41250", "B"),  # exactly 125 % (1.25 * 33,000)
        ("41250.01", "C"),
        ("66000", "E"),  # exactly 200.00 %
        ("66003.30", "F"),  # 200.01 %
        ("0", "A"),
    ],
)
def test_tier_boundaries_are_inclusive_on_the_exact_ratio(income: str, tier: str) -> None:
    r = apply_sliding_fee(SCHEDULE, det(income), Decimal("1000"), service_days=5, proof_of_income_seen=True)
    assert r.tier_code == tier


def test_tier_b_explanation() -> None:
    # 25 % of $1,000.00 = $250.00
    r = apply_sliding_fee(SCHEDULE, det("33003.30"), Decimal("1000"), service_days=5, proof_of_income_seen=True)
    assert r.explanation == "Tier B (100–125 % FPL): you pay 25 % of $1,000.00 = $250.00"
    assert r.discount == Decimal("750.00")


def test_nominal_tier_charges_per_day() -> None:
    # tier A: $20 a day x 24 days = $480.00 of $4,800.00
    r = apply_sliding_fee(SCHEDULE, det("10000"), Decimal("4800"), service_days=24, proof_of_income_seen=True)
    assert (r.patient_amount, r.discount) == (Decimal("480.00"), Decimal("4320.00"))
    assert r.explanation.startswith("Tier A (0–100 % FPL): full discount; you pay a nominal $20.00 a day × 24 days")


def test_nominal_never_exceeds_the_charge() -> None:
    # per day: 200 + 200 + 10 -> min(20, 200) + min(20, 200) + min(20, 10) = 50.00
    r = apply_sliding_fee(
        SCHEDULE, det("0"), [Decimal("200"), Decimal("200"), Decimal("10")], proof_of_income_seen=True
    )
    assert (r.service_days, r.gross_charge, r.patient_amount) == (3, Decimal("410.00"), Decimal("50.00"))
    # total only: 5 days x 20 = 100 > 60 -> capped at 60.00
    r = apply_sliding_fee(SCHEDULE, det("0"), Decimal("60"), service_days=5, proof_of_income_seen=True)
    assert (r.patient_amount, r.discount) == (Decimal("60.00"), Decimal("0.00"))


def test_full_charge_tier() -> None:
    r = apply_sliding_fee(SCHEDULE, det("90000"), Decimal("1234.56"), service_days=3, proof_of_income_seen=True)
    assert (r.tier_code, r.patient_amount, r.discount) == ("F", Decimal("1234.56"), Decimal("0.00"))


def test_percent_rounds_half_up_to_cents() -> None:
    # 25 % of 0.10 = 0.025 -> 0.03 (half up)
    r = apply_sliding_fee(SCHEDULE, det("33003.30"), Decimal("0.10"), service_days=1, proof_of_income_seen=True)
    assert r.patient_amount == Decimal("0.03")


def test_missing_proof_of_income_makes_the_discount_provisional() -> None:
    r = apply_sliding_fee(SCHEDULE, det("33003.30"), Decimal("100"), service_days=1, proof_of_income_seen=False)
    assert r.provisional
    assert any("provisional" in w for w in r.warnings)
    relaxed = msgspec.structs.replace(SCHEDULE, proof_of_income_required=False)
    r = apply_sliding_fee(relaxed, det("33003.30"), Decimal("100"), service_days=1, proof_of_income_seen=False)
    assert not r.provisional


def test_schedule_not_in_effect_is_refused() -> None:
    future = msgspec.structs.replace(SCHEDULE, effective_from=dt.date(2027, 1, 1))
    with pytest.raises(Exception, match="not in effect"):
        apply_sliding_fee(future, det("1"), Decimal("1"), service_days=1, proof_of_income_seen=True)


def _tiers(*tiers: SlidingFeeTier):
    return msgspec.structs.replace(SCHEDULE, tiers=list(tiers))


def _fields(schedule) -> set[str]:
    return {e.field for e in schedule_errors(schedule)}


def test_validation_names_the_field_path() -> None:
    a, b, c, d, e, f = SCHEDULE.tiers
    assert "$.tiers[2].max_percent_fpl" in _fields(_tiers(a, c, b, d, e, f))  # not sorted
    assert "$.tiers[4].max_percent_fpl" in _fields(_tiers(a, b, c, d, e))  # last tier bounded
    assert "$.tiers[1].max_percent_fpl" in _fields(_tiers(a, f, b))  # unbounded in the middle
    bad_pct = msgspec.structs.replace(b, patient_pays_percent=Decimal("101"))
    assert "$.tiers[1].patient_pays_percent" in _fields(_tiers(a, bad_pct, f))
    bad_nominal = msgspec.structs.replace(a, nominal_amount=Decimal("-1"))
    assert "$.tiers[0].nominal_amount" in _fields(_tiers(bad_nominal, f))
    dup = msgspec.structs.replace(c, code="B")
    assert "$.tiers[2].code" in _fields(_tiers(a, b, dup, f))
    assert "$.tiers" in _fields(_tiers())
    with pytest.raises(ScheduleInvalid) as info:
        validate_schedule(_tiers(a, c, b, d, e, f))
    assert info.value.errors


def test_hrsa_full_discount_at_or_below_100_percent() -> None:
    _, b, _, _, _, f = SCHEDULE.tiers
    # first tier charging 25 % reaches 0-125 %: breaks the HRSA rule
    assert "$.tiers[0].kind" in _fields(_tiers(b, f))
    # a nominal tier only up to 80 % leaves 80-100 % on a 25 % tier: also broken
    low_a = msgspec.structs.replace(SCHEDULE.tiers[0], max_percent_fpl=Decimal("80"))
    assert "$.tiers[1].kind" in _fields(_tiers(low_a, b, f))
    # a 0 % percent_of_charge tier is a full discount and is allowed
    free = SlidingFeeTier(
        code="A", label="free", max_percent_fpl=Decimal(100), kind=TierKind.PERCENT_OF_CHARGE,
        patient_pays_percent=Decimal(0),
    )
    assert _fields(_tiers(free, b, f)) == set()


def test_schedule_round_trips_on_the_wire_and_refuses_unknown_fields() -> None:
    from contracts.selfpay import SlidingFeeSchedule

    raw = msgspec.json.encode(SCHEDULE)
    assert msgspec.json.decode(raw, type=SlidingFeeSchedule) == SCHEDULE
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(raw[:-1] + b',"surprise":1}', type=SlidingFeeSchedule)
