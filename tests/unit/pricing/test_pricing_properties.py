"""Money invariants of the engine (hypothesis), commercial in-network unless said otherwise."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from pricing_support import CourseOfCare, Level, acc, commercial, level_benefits, one

money = st.integers(min_value=0, max_value=500_000).map(lambda c: D(c) / 100)
pct = st.integers(min_value=0, max_value=100).map(D)


@st.composite
def plans(draw):
    ded_total = draw(money)
    ded_rem = draw(st.one_of(st.none(), money.map(lambda m: min(m, ded_total))))
    oop_total = draw(st.one_of(st.none(), money))
    oop_rem = None if oop_total is None else draw(money.map(lambda m: min(m, oop_total)))
    fam = draw(st.one_of(st.none(), money))
    return level_benefits(
        deductible_individual=acc(ded_total, ded_rem),
        deductible_family=None if fam is None else acc(fam, fam),
        oop_max_individual=None if oop_total is None else acc(oop_total, oop_rem),
        coinsurance_percent=draw(st.one_of(st.none(), pct)),
        copay=draw(st.one_of(st.none(), money.map(lambda m: min(m, D(100))))),
        copay_per=draw(st.sampled_from(["day", "visit", "admission"])),
    )


courses = st.builds(lambda w, d, h: CourseOfCare(level=Level.IOP, weeks=w, days_per_week=d, hours_per_day=D(h)),
                    st.integers(1, 12), st.integers(1, 5), st.integers(1, 8))


def _amounts(est):
    t = est.totals
    return [t.gross_charges, t.allowed, t.payer_pays, t.patient_pays, t.deductible, t.copay, t.coinsurance,
            t.not_covered, t.over_limit, t.balance_bill, est.patient_pays_per_week, est.patient_pays_per_treatment_hour]


@settings(max_examples=150, deadline=None)
@given(plans(), courses)
def test_in_network_invariants(lb, course):
    est = one(commercial(lb), course)
    t = est.totals
    assert t.patient_pays >= 0 and t.payer_pays >= 0
    assert t.payer_pays + t.patient_pays == t.allowed  # in network, covered, no limit
    if lb.oop_max_individual is not None:
        assert t.patient_pays <= lb.oop_max_individual.remaining + t.not_covered + t.over_limit + t.balance_bill
    for amount in _amounts(est):
        assert amount == amount.quantize(D("0.01"))  # exact cents
    for day in est.days:
        assert day.patient_pays >= 0 and day.payer_pays >= 0
    assert sum((d.patient_pays for d in est.days), D(0)) == t.patient_pays  # totals = sums of rounded days
    assert est.totals.deductible + t.copay + t.coinsurance == t.patient_pays


@settings(max_examples=80, deadline=None)
@given(plans(), st.integers(1, 11))
def test_monotone_in_number_of_weeks(lb, weeks):
    shorter = one(commercial(lb), CourseOfCare(level=Level.IOP, weeks=weeks))
    longer = one(commercial(lb), CourseOfCare(level=Level.IOP, weeks=weeks + 1))
    assert longer.totals.patient_pays >= shorter.totals.patient_pays
    assert longer.totals.allowed >= shorter.totals.allowed


@settings(max_examples=40, deadline=None)
@given(plans(), courses)
def test_deterministic(lb, course):
    import msgspec

    a = one(commercial(lb), course)
    b = one(commercial(lb), course)
    assert msgspec.json.encode(a) == msgspec.json.encode(b)


@settings(max_examples=60, deadline=None)
@given(plans(), courses)
def test_out_of_network_balance_bill_on_top(lb, course):
    from contracts.benefits import Network
    import msgspec

    out = msgspec.structs.replace(lb, network=Network.OUT)
    est = one(commercial(out), course, network="out")
    t = est.totals
    # OON allowed $250 vs gross $400: $150 a day balance bill, never capped
    assert t.balance_bill == D(150) * est.service_days
    assert t.payer_pays + t.patient_pays - t.balance_bill == t.allowed
    assert t.patient_pays >= t.balance_bill
