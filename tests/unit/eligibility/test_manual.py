

def test_money_typed_in_is_returned_with_two_decimals_and_sub_cent_is_refused() -> None:
    import msgspec as _msgspec

    from contracts.eligibility import ManualBenefitsEntry as _Entry
    from service.eligibility.manual import ManualEntryError as _Err
    from service.eligibility.manual import benefits_from_manual as _convert

    body = {
        "payer_name": "ACME PPO",
        "payer_class": "commercial",
        "insurance_type": "commercial_ppo",
        "active": True,
        "in_network": {"deductible_individual": {"total": 3100, "remaining": "1200.5"}, "copay": 25, "copay_per": "day"},
        "heard_from": {"representative_name": "Pat"},
    }
    benefits = _convert(_msgspec.convert(body, _Entry))
    iop_in = next(l for l in benefits.levels if l.level.value == "iop" and l.network.value == "in")
    assert str(iop_in.deductible_individual.total) == "3100.00"
    assert str(iop_in.deductible_individual.remaining) == "1200.50"
    assert str(iop_in.copay) == "25.00"

    body["in_network"]["copay"] = "25.005"
    try:
        _convert(_msgspec.convert(body, _Entry))
    except _Err as exc:
        assert exc.field == "in_network.copay"
    else:
        raise AssertionError("a sub-cent amount must be refused")
