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
