"""Telehealth cost sharing in a 271: rows limited to place of service 02/10 (III*ZZ) or telehealth messages
give LevelBenefits.telehealth and never the in-person figures."""

from __future__ import annotations

from decimal import Decimal

from contracts.benefits import Level, Network
from service.eligibility.benefits import benefits_from_271

from .helpers import make_271


def eb(code, lvl="", stc=(), ins="", desc="", period="", amt="", pct="", qq="", qty="", auth="", net=""):
    return ["EB", code, lvl, list(stc), ins, desc, period, amt, pct, qq, qty, auth, net]


def level(nb, lv, net):
    return next(x for x in nb.levels if x.level is lv and x.network is net)


def test_place_of_service_02_row_is_the_telehealth_copay_not_the_program_copay():
    nb = benefits_from_271(make_271([
        eb("1", "IND", ["30"], "PR", "GOLD PPO"),
        eb("B", "IND", ["MH"], "PR", "", "27", "40", net="Y"),  # in person: $40 a visit
        eb("B", "IND", ["MH"], "PR", "", "27", "10", net="Y"), ["III", "ZZ", "02"],  # telehealth: $10 a visit
        ["MSG", "DEDUCTIBLE DOES NOT APPLY"],
        eb("A", "IND", ["MH"], "PR", "", "", "", "0.2", net="Y"),
    ]))
    iop = level(nb, Level.IOP, Network.IN)
    assert iop.copay == Decimal("40") and iop.coinsurance_percent == Decimal("20")
    assert iop.telehealth.copay == Decimal("10") and iop.telehealth.copay_per == "day"
    assert iop.telehealth.deductible_applies is False and "271" in iop.telehealth.source
    row = next(r for r in nb.benefit_rows if r.places_of_service)
    assert row.places_of_service == ["02"]


def test_telehealth_terms_in_message_text_only():
    nb = benefits_from_271(make_271([
        eb("1", "IND", ["30"], "PR", "SILVER PPO"),
        eb("A", "IND", ["MH"], "PR", "", "", "", "0.3", net="Y"),
        eb("1", "IND", ["MH"], "PR", net="Y"), ["MSG", "TELEHEALTH BEHAVIORAL HEALTH VISITS 10% COINSURANCE"],
    ]))
    iop = level(nb, Level.IOP, Network.IN)
    assert iop.coinsurance_percent == Decimal("30")
    assert iop.telehealth.coinsurance_percent == Decimal("10") and iop.telehealth.copay is None
    # the active-coverage row is about telehealth only: it says nothing of in-person IOP coverage
    assert iop.covered is None


def test_office_place_of_service_is_not_telehealth():
    nb = benefits_from_271(make_271([
        eb("1", "IND", ["30"], "PR", "GOLD PPO"),
        eb("B", "IND", ["MH"], "PR", "", "27", "40", net="Y"), ["III", "ZZ", "11"],
    ]))
    iop = level(nb, Level.IOP, Network.IN)
    assert iop.copay == Decimal("40") and iop.telehealth is None
