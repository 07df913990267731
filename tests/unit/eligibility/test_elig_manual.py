from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from contracts.benefits import Level, Network, Source
from contracts.eligibility import EligibilityCheckRequest, ManualBenefitsEntry, Parse271Request
from service.eligibility.manual import ManualEntryError, benefits_from_manual


def entry(**over) -> ManualBenefitsEntry:
    body = {
        "payer_name": "Acme Health", "payer_class": "commercial", "insurance_type": "commercial_ppo",
        "plan_begin": "2026-01-01", "plan_end": "2026-12-31", "active": True,
        "in_network": {"deductible_individual": {"total": "1500.00", "remaining": "900.00"},
                       "coinsurance_percent": "20", "copay": "25.00", "copay_per": "day"},
        "out_of_network": {"coinsurance_percent": "40"},
        "levels": [{"level": "inpatient", "network": "in",
                    "cost_share": {"copay": "250.00", "copay_per": "admission", "prior_authorization_required": True,
                                   "limit_quantity": 30}}],
        "heard_from": {"representative_name": "Pat", "reference_number": "CALL-778"},
    }
    body.update(over)
    return msgspec.json.decode(msgspec.json.encode(body), type=ManualBenefitsEntry)


def test_manual_entry_to_normalized_benefits():
    nb = benefits_from_manual(entry())
    assert nb.source == Source.MANUAL and nb.active is True
    assert nb.warnings[0] == "benefits entered by hand" and "CALL-778" in nb.warnings[1]
    assert len(nb.levels) == 6
    iop_in = [x for x in nb.levels if x.level == Level.IOP and x.network == Network.IN][0]
    assert iop_in.deductible_individual.remaining == Decimal("900.00") and iop_in.copay_per == "day"
    inp_in = [x for x in nb.levels if x.level == Level.INPATIENT and x.network == Network.IN][0]
    assert (inp_in.copay, inp_in.copay_per, inp_in.limit.quantity) == (Decimal("250.00"), "admission", 30)
    assert inp_in.coinsurance_percent is None  # the override replaces the plan-wide cost share
    php_out = [x for x in nb.levels if x.level == Level.PHP and x.network == Network.OUT][0]
    assert php_out.coinsurance_percent == Decimal("40")


@pytest.mark.parametrize(
    "over,field",
    [
        ({"in_network": {"copay": "-1.00", "copay_per": "day"}}, "in_network.copay"),
        ({"in_network": {"coinsurance_percent": "120"}}, "in_network.coinsurance_percent"),
        ({"in_network": {"deductible_family": {"total": "100", "remaining": "200"}}},
         "in_network.deductible_family.remaining"),
        ({"plan_end": "2025-12-31"}, "plan_end"),
        ({"out_of_network": {"oop_max_individual": {"total": "-5"}}}, "out_of_network.oop_max_individual.total"),
        ({"levels": [{"level": "php", "network": "out", "cost_share": {"copay": "10"}}]}, "levels[0].cost_share.copay_per"),
    ],
)
def test_manual_validation_names_the_field(over, field):
    with pytest.raises(ManualEntryError) as exc:
        benefits_from_manual(entry(**over))
    assert exc.value.field == field and exc.value.status == 422


def test_wire_types_forbid_unknown_fields_and_limit_lengths():
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"x12": "ISA", "extra": 1}', type=Parse271Request)
    base = {"payer_id": "60054", "date_of_service": "2026-01-05",
            "subscriber": {"first_name": "A", "last_name": "B", "date_of_birth": "1980-01-01", "member_id": "W1"}}
    req = msgspec.json.decode(msgspec.json.encode(base), type=EligibilityCheckRequest)
    assert req.service_type_codes == ["MH", "A8", "CH", "BB", "A7", "CG", "30"]
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(msgspec.json.encode({**base, "subscriber": {**base["subscriber"], "last_name": "X" * 61}}),
                            type=EligibilityCheckRequest)
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(msgspec.json.encode({**base, "service_type_codes": ["MH*"]}), type=EligibilityCheckRequest)


def test_a_nul_character_in_any_text_is_refused_with_its_field():
    # PostgreSQL jsonb cannot store U+0000: such an entry was a 500 when the check was stored.
    bad = entry(payer_name="Acme\x00", notes=["ok", "b\x00d"],
                heard_from={"representative_name": "P\x00t", "reference_number": "CALL-778"})
    with pytest.raises(ManualEntryError) as exc:
        benefits_from_manual(bad)
    fields = [f for f, _ in exc.value.errors]
    assert fields == ["payer_name", "heard_from.representative_name", "notes[1]"]
    assert all("NUL" in reason for _, reason in exc.value.errors)


def test_manual_plan_design_other_payers_and_contacts_are_carried():
    nb = benefits_from_manual(entry(
        levels=[{"level": "inpatient", "network": "in", "cost_share": {
            "deductible_applies": False, "copay_with_coinsurance": False,
            "copay_tiers": [{"first_day": 1, "last_day": 5, "amount": "400"}, {"first_day": 6, "amount": "0"}],
            "telehealth": {"copay": "10", "copay_per": "day"}}}],
        other_payers=[{"order": "secondary", "kind": "medigap", "name": "Acme Supplement", "medigap_plan": "G"}],
        contacts=[{"role": "prior_authorization", "name": "Acme UM", "phone": "8005550100"}],
    ))
    inp_in = [x for x in nb.levels if x.level == Level.INPATIENT and x.network == Network.IN][0]
    assert inp_in.deductible_applies is False and inp_in.copay_with_coinsurance is False
    assert [(t.first_day, t.last_day, t.amount) for t in inp_in.copay_tiers] == [
        (1, 5, Decimal("400.00")), (6, None, Decimal("0.00"))]
    assert inp_in.telehealth.copay == Decimal("10.00") and inp_in.telehealth.source == "entered by hand"
    assert [(o.order.value, o.medigap_plan, o.source) for o in nb.other_payers] == [("secondary", "G", "manual")]
    assert nb.contacts[0].phone == "8005550100"


def test_manual_copay_tiers_must_be_in_order_and_only_the_last_open():
    with pytest.raises(ManualEntryError) as err:
        benefits_from_manual(entry(in_network={"copay_tiers": [
            {"first_day": 1, "amount": "400"}, {"first_day": 3, "last_day": 2, "amount": "1.005"}]}))
    fields = [f for f, _ in err.value.errors]
    assert "in_network.copay_tiers[0].last_day" in fields
    assert "in_network.copay_tiers[1].first_day" in fields
    assert "in_network.copay_tiers[1].last_day" in fields
    assert "in_network.copay_tiers[1].amount" in fields
