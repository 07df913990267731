"""Payment plans: amortization exact to the cent, rule refusals, month-end due dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from contracts.selfpay import PaymentLineKind, PaymentPlanRequest, PaymentPlanRules, TermLimit
from service.pricing.selfpay.payment_plans import (
    PaymentPlanRulesInvalid,
    PlanRuleViolation,
    add_months,
    amortize,
    check_plan_request,
    check_requested_plan,
    offer_plans,
    validate_rules,
    with_schedule,
)

D = Decimal
RULES = PaymentPlanRules(
    minimum_monthly_payment=D("25"),
    term_limits=[
        TermLimit(max_balance=D("1000"), max_months=6),
        TermLimit(max_balance=D("5000"), max_months=12),
        TermLimit(max_balance=None, max_months=24),
    ],
    allowed_terms_months=[3, 6, 12, 24],
)
FIRST = dt.date(2026, 1, 31)


def installments(offer):
    return [line for line in offer.lines if line.kind is PaymentLineKind.INSTALLMENT]


def test_interest_free_plan_last_payment_absorbs_rounding() -> None:
    # 1,000.00 / 3 = 333.333... -> 333.33, 333.33, last 1,000.00 - 666.66 = 333.34
    offer = check_requested_plan(D("1000"), 3, RULES, monthly_income=None, first_due_date=FIRST)
    assert [p.amount for p in installments(offer)] == [D("333.33"), D("333.33"), D("333.34")]
    assert offer.total_paid == D("1000.00") and offer.total_interest == D("0.00")


def test_down_payment_and_apr() -> None:
    rules = msgspec.structs.replace(RULES, down_payment_percent=D("10"), apr_percent=D("12"))
    # balance 1,200.00, 10 % down = 120.00, financed 1,080.00, r = 12 % / 12 = 0.01, n = 3
    # payment = 1080 * 0.01 / (1 - 1.01^-3) = 367.2240... -> 367.22
    # m1: interest 10.80, principal 356.42, left 723.58
    # m2: interest 7.2358 -> 7.24, principal 359.98, left 363.60
    # m3: interest 3.636 -> 3.64, payment 363.60 + 3.64 = 367.24
    offer = check_requested_plan(D("1200"), 3, rules, monthly_income=None, first_due_date=FIRST)
    assert offer.down_payment == D("120.00") and offer.amount_financed == D("1080.00")
    assert [(p.amount, p.interest, p.principal) for p in installments(offer)] == [
        (D("367.22"), D("10.80"), D("356.42")),
        (D("367.22"), D("7.24"), D("359.98")),
        (D("367.24"), D("3.64"), D("363.60")),
    ]
    # interest 10.80 + 7.24 + 3.64 = 21.68; total paid 120 + 367.22 + 367.22 + 367.24 = 1,221.68 = 1,200 + 21.68
    assert offer.total_interest == D("21.68")
    assert offer.total_paid == D("1221.68")
    assert offer.lines[0].kind is PaymentLineKind.DOWN_PAYMENT and offer.lines[0].due_date is None


#: A plan's terms as the property tests draw them: balance, months, APR and down payment percent.
PLAN_TERMS = dict(
    balance=st.decimals(min_value=D("1.00"), max_value=D("250000"), places=2),
    term=st.integers(min_value=1, max_value=60),
    apr=st.decimals(min_value=D("0"), max_value=D("36"), places=2),
    down=st.decimals(min_value=D("0"), max_value=D("50"), places=0),
)


@settings(max_examples=300, deadline=None)
@given(**PLAN_TERMS)
def test_amortization_sums_exactly(balance: Decimal, term: int, apr: Decimal, down: Decimal) -> None:
    down_payment = (balance * down / 100).quantize(D("0.01"))
    try:
        offer = amortize(
            balance=balance, term_months=term, apr_percent=apr, down_payment=down_payment, first_due_date=FIRST
        )
    except PlanRuleViolation as exc:
        # only for pathological plans of a few cents a month (interest >= payment, or < 1 cent each)
        assert exc.rule == "allowed_terms_months"
        assert balance - down_payment < D("0.05") * term
        return
    pays = installments(offer)
    assert len(pays) == term
    assert all(p.amount >= D("0.01") and p.amount == p.amount.quantize(D("0.01")) for p in pays)
    assert sum(p.principal for p in pays) == offer.amount_financed
    assert sum(p.interest for p in pays) == offer.total_interest
    assert offer.down_payment + sum(p.amount for p in pays) == offer.total_paid == balance + offer.total_interest
    assert pays[-1].balance_after == 0
    # the last payment only absorbs rounding: within a cent per payment of the regular one, each cent
    # grown by the interest it accrues until the end (a cent short in month 1 of a 36 % APR plan is
    # 1.03^50 = 4.4 cents by month 51): bound = cent x sum((1 + r)^k, k < n). Plans of under $1 a month
    # may fall back to one cent less per payment (see amortize), so two cents there.
    per_payment = D("0.01") if offer.amount_financed >= term else D("0.02")
    monthly = apr / 100 / 12
    growth = sum((1 + monthly) ** k for k in range(term))
    assert abs(pays[-1].amount - offer.regular_payment) <= per_payment * growth
    if apr == 0:
        assert offer.total_interest == 0


def test_due_dates_clamp_to_month_end_and_recover() -> None:
    # Jan 31 -> Feb 28 (2026 not leap) -> Mar 31 -> Apr 30
    assert [add_months(FIRST, k) for k in range(4)] == [
        dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30),
    ]
    assert add_months(dt.date(2027, 12, 31), 2) == dt.date(2028, 2, 29)  # leap year
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)  # across a year
    offer = check_requested_plan(D("600"), 6, RULES, monthly_income=None, first_due_date=FIRST)
    assert [p.due_date for p in installments(offer)][:3] == [FIRST, dt.date(2026, 2, 28), dt.date(2026, 3, 31)]
    assert offer.last_due_date == dt.date(2026, 6, 30)


@settings(max_examples=300, deadline=None)
@given(st.dates(dt.date(1990, 1, 1), dt.date(2090, 12, 31)), st.integers(0, 120))
def test_due_dates_are_the_calendar_months_clamped(anchor: dt.date, months: int) -> None:
    # add_months knows month lengths itself (a table and leap years); the standard library's calendar agrees
    import calendar  # noqa: PLC0415

    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    assert add_months(anchor, months) == dt.date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def test_offer_plans_filters_by_every_rule() -> None:
    # 1,000.00: terms up to 6 months (<= 1,000); 3 -> 333.34 max, 6 -> 166.67; 12 and 24 too long
    assert [o.term_months for o in offer_plans(D("1000"), RULES, monthly_income=None, first_due_date=FIRST)] == [3, 6]
    # 100.00: 6 months -> 16.67 < 25 minimum; 3 months -> 33.33 ok
    assert [o.term_months for o in offer_plans(D("100"), RULES, monthly_income=None, first_due_date=FIRST)] == [3]
    # 6,000.00: up to 24 months allowed; all four terms pass the minimum
    assert [o.term_months for o in offer_plans(D("6000"), RULES, monthly_income=None, first_due_date=FIRST)] == [
        3, 6, 12, 24,
    ]
    # affordability: 5 % of 3,000.00 a month = 150.00; 6,000 / 24 = 250 > 150 -> nothing fits
    capped = msgspec.structs.replace(RULES, max_percent_of_monthly_income=D("5"))
    assert offer_plans(D("6000"), capped, monthly_income=D("3000"), first_due_date=FIRST) == []
    # 2,400 over 24 months (terms up to 12 for <= 5,000) -> 12 months: 200.00 > 150; 1,500 / 12 = 125 fits
    assert [o.term_months for o in offer_plans(D("1500"), capped, monthly_income=D("3000"), first_due_date=FIRST)] == [
        12,
    ]


@pytest.mark.parametrize(
    ("balance", "term", "rules_change", "income", "rule"),
    [
        (D("1000"), 5, {}, None, "allowed_terms_months"),  # 5 is not offered
        (D("1000"), 12, {}, None, "term_limits"),  # <= 1,000 allows 6 months
        (D("120"), 6, {}, None, "minimum_monthly_payment"),  # 120 / 6 = 20 < 25
        (D("3000"), 12, {"max_percent_of_monthly_income": D("5")}, D("4000"), "max_percent_of_monthly_income"),
        (D("3000"), 12, {"max_percent_of_monthly_income": D("5")}, None, "max_percent_of_monthly_income"),
    ],
)
def test_refusals_name_the_rule(balance, term, rules_change, income, rule) -> None:  # type: ignore[no-untyped-def]
    # 3,000 / 12 = 250 > 5 % of 4,000 = 200
    rules = msgspec.structs.replace(RULES, **rules_change)
    with pytest.raises(PlanRuleViolation) as info:
        check_requested_plan(balance, term, rules, monthly_income=income, first_due_date=FIRST)
    assert info.value.rule == rule
    assert info.value.errors[0].field == f"$.rules.{rule}"
    assert rule in repr(info.value)


def test_balance_below_the_minimum_is_one_payment_not_a_refusal() -> None:
    rules = msgspec.structs.replace(RULES, allowed_terms_months=[1, 3])
    offer = check_requested_plan(D("20"), 1, rules, monthly_income=None, first_due_date=FIRST)
    assert offer.regular_payment == D("20.00")


def test_wire_request() -> None:
    req = msgspec.json.decode(
        b'{"balance":"900.00","term_months":3,"first_due_date":"2026-01-31"}', type=PaymentPlanRequest
    )
    assert check_plan_request(req, RULES).total_paid == D("900.00")
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"balance":"1","term_months":3,"first_due_date":"2026-01-31","x":1}',
                            type=PaymentPlanRequest)
    encoded = msgspec.json.decode(msgspec.json.encode(check_plan_request(req, RULES)))
    assert encoded["lines"][0]["amount"] == "300.00"


def test_invalid_rules_name_the_field() -> None:
    bad = msgspec.structs.replace(
        RULES, term_limits=[TermLimit(max_balance=D("1000"), max_months=6)], down_payment_percent=D("100")
    )
    with pytest.raises(PaymentPlanRulesInvalid) as info:
        validate_rules(bad)
    fields = {e.field for e in info.value.errors}
    assert {"$.term_limits[0].max_balance", "$.down_payment_percent"} <= fields


@settings(max_examples=300, deadline=None)
@given(**{**PLAN_TERMS, "apr": st.one_of(st.just(D("0")), PLAN_TERMS["apr"]),
          # small balances over long terms: payments of a cent or two, or none that repays
          "balance": st.one_of(PLAN_TERMS["balance"], st.decimals(min_value=D("0.01"), max_value=D("3"), places=2))},
       first=st.dates(dt.date(2025, 1, 1), dt.date(2030, 12, 31)))
def test_a_schedule_built_later_is_the_schedule_built_at_once(balance, term, apr, down, first) -> None:
    # an estimate stores its plans without their lines (worked out without them when there is no interest);
    # with_schedule builds them from the plan's own figures
    made = dict(balance=balance, term_months=term, apr_percent=apr,
                down_payment=(balance * down / 100).quantize(D("0.01")), first_due_date=first)
    try:
        eager = amortize(**made)
    except PlanRuleViolation as refused:
        with pytest.raises(PlanRuleViolation) as lazy_refused:
            amortize(**made, with_lines=False)
        assert repr(lazy_refused.value) == repr(refused)
        return
    lazy = amortize(**made, with_lines=False)
    encode = msgspec.json.Encoder(decimal_format="string").encode  # written the same way, not only equal
    assert lazy.lines == [] and encode(msgspec.structs.replace(eager, lines=[])) == encode(lazy)
    assert encode(with_schedule(lazy)) == encode(eager)
    assert with_schedule(eager) is eager


def test_offers_without_schedules_are_the_same_offers() -> None:
    # 1,000.00 under RULES: terms 3 and 6 (see test_offer_plans_filters_by_every_rule)
    eager = offer_plans(D("1000"), RULES, monthly_income=None, first_due_date=FIRST)
    lazy = offer_plans(D("1000"), RULES, monthly_income=None, first_due_date=FIRST, with_lines=False)
    assert [offer.term_months for offer in lazy] == [3, 6] and all(offer.lines == [] for offer in lazy)
    assert [with_schedule(offer) for offer in lazy] == eager


@settings(max_examples=80, deadline=None)
@given(st.decimals(min_value=D("0.01"), max_value=D("60000"), places=2), st.sampled_from([D("0"), D("10"), D("25")]),
       st.sampled_from([D("0"), D("3.5"), D("12")]), st.sampled_from([D("0"), D("20")]),
       st.sampled_from([None, D("5"), D("10")]), st.decimals(min_value=D("100"), max_value=D("9000"), places=2))
# 75.00 over 3 months is $25.00 a month, exactly the minimum: offered
@example(D("75.00"), D("25"), D("0"), D("0"), None, D("1000"))
# 100.00 over 3 months: 33.33, 33.33, then 33.34, above 10 % of $333.30 a month ($33.33): refused
@example(D("100.00"), D("0"), D("0"), D("0"), D("10"), D("333.30"))
def test_offers_are_the_terms_whose_plans_break_no_rule(balance, minimum, apr, down, cap, income) -> None:
    # the reference: every allowed term built on its own and checked against each rule (plan_violations)
    from service.pricing.selfpay.payment_plans import build_plan, plan_violations  # noqa: PLC0415

    rules = msgspec.structs.replace(RULES, minimum_monthly_payment=minimum, apr_percent=apr,
                                    down_payment_percent=down, max_percent_of_monthly_income=cap)
    expected = []
    for term in sorted(rules.allowed_terms_months):
        try:
            plan = build_plan(balance, term, rules, first_due_date=FIRST, with_lines=False)
        except PlanRuleViolation:
            continue
        if not plan_violations(plan, rules, income):
            expected.append(plan)
    assert offer_plans(balance, rules, monthly_income=income, first_due_date=FIRST, with_lines=False) == expected
