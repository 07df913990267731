"""Authorization on the estimate (days past it, as the provider chooses) and emergency admissions (No Surprises Act).

Test rates (pricing_support.RATES): IOP contracted 300.00, self-pay 250.00; inpatient contracted 1500.00, gross
2000.00, no out-of-network allowed amount (the in-network 1500.00 is assumed: balance bill 500.00 a day).
IOP course 24 days from Mon 2026-01-05; inpatient 10 days Jan 5-14.
"""

import msgspec
import pytest

from contracts.benefits import Contact
from contracts.estimate import AuthorizationIn, EmergencyAdmissionIn
from pricing_support import D, CourseOfCare, Level, Network, acc, commercial, dt, level_benefits, one

IOP = CourseOfCare(level=Level.IOP)
STAY = CourseOfCare(level=Level.INPATIENT, length_of_stay_days=10)


def _auth(over):
    return msgspec.convert({"number": "AUTH-77", "levels": [{"level": "iop", "approved_days": 10,
                                                             "start": "2026-01-05", "end": "2026-03-31"}],
                            "next_review": "2026-01-30", "over_authorization": over}, AuthorizationIn)


@pytest.mark.parametrize(("over", "patient", "write_off"), [
    ("pending_review", "1440.00", "0.00"),   # 24 x 20% x 300.00 = 1440.00 (14 days flagged, priced as approved)
    ("self_pay", "4100.00", "0.00"),         # 10 x 60.00 + 14 x 250.00 self-pay = 600.00 + 3500.00
    ("at_risk", "600.00", "4200.00"),        # 10 x 60.00; 14 x 300.00 the provider's loss
])
def test_days_past_the_authorization_priced_as_the_provider_chooses(over, patient, write_off):
    b = msgspec.structs.replace(commercial(level_benefits(coinsurance_percent=D(20), prior_authorization_required=True)),
                                contacts=[Contact(role="prior_authorization", phone="800-555-0199")])
    est = one(b, IOP, authorization=msgspec.to_builtins(_auth(over)))
    assert est.totals.patient_pays == D(patient)
    assert est.totals.provider_write_off == D(write_off)
    a = est.authorization
    assert (a.days_authorized, a.days_past, a.first_day_past, a.phone) == (10, 14, dt.date(2026, 1, 28), "800-555-0199")  # day 11 (Mon/Wed/Fri)
    assert est.authorization_phone == "800-555-0199"
    assert any(w.startswith("authorization AUTH-77: 14 IOP day(s) from 2026-01-28 are past what it approves (next "
                            "review 2026-01-30)") and w.endswith("call 800-555-0199 to extend it") for w in est.warnings)


def _emergency_plan():
    inn = level_benefits(level=Level.INPATIENT, deductible_individual=acc(1500, 900), coinsurance_percent=D(20),
                         oop_max_individual=acc(5000, 4200))
    out = level_benefits(level=Level.INPATIENT, network=Network.OUT, deductible_individual=acc(3000, 3000),
                         coinsurance_percent=D(40), oop_max_individual=acc(10000, 10000))
    return commercial(inn, out)


def test_emergency_admission_out_of_network_is_in_network_cost_sharing_without_balance_bill():
    plain = one(_emergency_plan(), STAY, network="out")
    # plain out of network: deductible 3000.00 (days 1-2), days 3-10 8 x 40% x 1500.00 = 4800.00; balance bill
    # 10 x 500.00 = 5000.00 -> 12800.00
    assert plain.totals.patient_pays == D("12800.00")
    emergency = one(_emergency_plan(), STAY, network="out", emergency_admission={"through_emergency_department": True})
    # in-network terms on 1500.00: day 1 900.00 deductible + 20% x 600.00 = 120.00; days 2-10 9 x 300.00 = 2700.00
    # -> 3720.00, no balance bill
    assert emergency.totals.patient_pays == D("3720.00") and emergency.totals.balance_bill == D("0.00")


def test_notice_and_consent_ends_the_protection_from_the_day_signed():
    est = one(_emergency_plan(), STAY, network="out",
              emergency_admission={"through_emergency_department": True, "notice_and_consent_signed": "2026-01-10"})
    # days 1-5 (Jan 5-9) protected: 1020.00 + 4 x 300.00 = 2220.00
    # days 6-10 (Jan 10-14) out of network: deductible 1500.00 + 1500.00, then 3 x 600.00 = 1800.00; balance bill
    # 5 x 500.00 = 2500.00 -> 7300.00; total 9520.00
    assert est.totals.patient_pays == D("9520.00")
    assert est.totals.balance_bill == D("2500.00")
    assert any(line.text.startswith("Notice and consent for out-of-network care signed 2026-01-10: from day 6")
               for line in est.explanation)
