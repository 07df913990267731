"""Payment plans for a self-pay balance, with full amortization schedules to the cent.

Every installment is rounded with :func:`service.money.cents`; the final installment is
whatever is left (plus its interest), so the down payment plus all installments equals the
balance plus the interest actually charged, exactly. With an APR the regular payment is the
standard annuity ``P * r / (1 - (1 + r)^-n)`` with ``r = APR / 12``; interest each month is
the rounded remaining principal times ``r``.

Due dates fall on the same day of the month as the first due date, clamped to the end of a
shorter month (Jan 31 -> Feb 28/29 -> Mar 31): each is computed from the first date, never
from the previous (clamped) one.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal, localcontext

import msgspec

from contracts.selfpay import (
    PaymentLine,
    PaymentLineKind,
    PaymentPlanOffer,
    PaymentPlanRequest,
    PaymentPlanRules,
)
from service.errors import FieldError, InvalidInput, Unprocessable
from service.money import ZERO, cents, format_usd, percent_of

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class PlanRuleViolation(Unprocessable):
    """A requested plan breaks one of the organization's rules; ``rule`` names the rules field."""

    slug, title = "payment-plan-rule-violation", "The payment plan breaks an organization rule"

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail, field=f"$.rules.{rule}")
        self.rule = rule

    def __repr__(self) -> str:
        return f"PlanRuleViolation(rule={self.rule!r}, detail={self.detail!r})"


class PaymentPlanRulesInvalid(InvalidInput):
    slug, title = "invalid-payment-plan-rules", "The payment plan rules are not valid"


_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(anchor: dt.date, months: int) -> dt.date:
    """``anchor`` moved ``months`` calendar months, clamped to the last day of the target month."""
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    day = anchor.day
    if day > 28:  # only the 29th to the 31st can fall past a month's end
        day = min(day, 29 if month == 2 and calendar.isleap(year) else _DAYS_IN_MONTH[month - 1])
    return dt.date(year, month, day)


def rules_errors(rules: PaymentPlanRules) -> list[FieldError]:
    errors: list[FieldError] = []

    def err(path: str, reason: str) -> None:
        errors.append(FieldError(field=path, reason=reason))

    if not rules.minimum_monthly_payment.is_finite() or rules.minimum_monthly_payment < 0:
        err("$.minimum_monthly_payment", "must be 0 or more")
    if not rules.term_limits:
        err("$.term_limits", "at least one limit is required")
    previous: Decimal | None = None
    for i, limit in enumerate(rules.term_limits):
        last = i == len(rules.term_limits) - 1
        if limit.max_months < 1:
            err(f"$.term_limits[{i}].max_months", "must be at least 1")
        if limit.max_balance is None:
            if not last:
                err(f"$.term_limits[{i}].max_balance", "only the last limit may be unbounded")
        else:
            if last:
                err(f"$.term_limits[{i}].max_balance", "the last limit must be unbounded (null)")
            if previous is not None and limit.max_balance <= previous:
                err(f"$.term_limits[{i}].max_balance", "limits must be sorted by balance, ascending")
            previous = limit.max_balance
    if not rules.allowed_terms_months:
        err("$.allowed_terms_months", "at least one term is required")
    if len(set(rules.allowed_terms_months)) != len(rules.allowed_terms_months):
        err("$.allowed_terms_months", "terms must not repeat")
    for i, term in enumerate(rules.allowed_terms_months):
        if term < 1:
            err(f"$.allowed_terms_months[{i}]", "must be at least 1 month")
    if not (ZERO <= rules.down_payment_percent < HUNDRED):
        err("$.down_payment_percent", "must be at least 0 and below 100")
    if not (ZERO <= rules.apr_percent <= HUNDRED):
        err("$.apr_percent", "must be between 0 and 100")
    cap = rules.max_percent_of_monthly_income
    if cap is not None and not (ZERO < cap <= HUNDRED):
        err("$.max_percent_of_monthly_income", "must be above 0 and at most 100")
    return errors


def validate_rules(rules: PaymentPlanRules) -> PaymentPlanRules:
    errors = rules_errors(rules)
    if errors:
        raise PaymentPlanRulesInvalid("; ".join(f"{e.field}: {e.reason}" for e in errors), errors=errors)
    return rules


def longest_term(balance: Decimal, rules: PaymentPlanRules) -> int:
    """The longest term the organization allows for this balance (limits are inclusive)."""
    for limit in rules.term_limits:
        if limit.max_balance is None or balance <= limit.max_balance:
            return limit.max_months
    raise PaymentPlanRulesInvalid("the last term limit must be unbounded", field="$.term_limits")


def amortize(
    *, balance: Decimal, term_months: int, apr_percent: Decimal, down_payment: Decimal, first_due_date: dt.date,
    with_lines: bool = True,
) -> PaymentPlanOffer:
    """The full schedule. Raises :class:`PlanRuleViolation` (``term_months``) if a payment would be under a cent.

    ``with_lines=False``: every figure of the plan but not its ``lines`` (the schedule an estimate's answer sends
    only with ``?include=payment_schedules``); :func:`with_schedule` builds them later, the same lines."""
    _check_money(balance, "balance", positive=True)
    if term_months < 1:
        raise PlanRuleViolation("allowed_terms_months", f"a plan needs at least 1 payment, got {term_months}")
    balance, down_payment = cents(balance), cents(down_payment)
    financed = balance - down_payment
    if financed <= 0:
        raise PlanRuleViolation("down_payment_percent", "the down payment covers the whole balance; no plan is needed")
    return _amortized(balance, down_payment, financed, term_months, apr_percent, apr_percent / HUNDRED / 12,
                      first_due_date, with_lines)


def _amortized(balance: Decimal, down_payment: Decimal, financed: Decimal, term_months: int, apr_percent: Decimal,
               rate: Decimal, first_due_date: dt.date, with_lines: bool) -> PaymentPlanOffer:
    """:func:`amortize` once its figures are checked and rounded (``rate``: the monthly rate of ``apr_percent``)."""
    if rate > 0:
        with localcontext() as ctx:
            ctx.prec = 50
            regular = cents(financed * rate / (1 - (1 + rate) ** -term_months))
    else:
        regular = cents(financed / term_months)

    # Rounding the regular payment up can, over many payments, repay the balance early and
    # leave a last payment of zero or less; then one cent less per payment (rounding down)
    # always leaves a positive last payment.
    plan = _repaid(financed, regular, rate, term_months, with_lines)
    if plan is None and regular > CENT:
        regular -= CENT
        plan = _repaid(financed, regular, rate, term_months, with_lines)
    if plan is None:
        raise PlanRuleViolation(
            "allowed_terms_months",
            f"{format_usd(financed)} cannot be spread over {term_months} monthly payments of at least one cent "
            "that each repay some of the balance",
        )
    final, interest, payments = plan
    return PaymentPlanOffer(
        balance=balance,
        term_months=term_months,
        apr_percent=apr_percent,
        down_payment=down_payment,
        amount_financed=financed,
        regular_payment=regular if term_months > 1 else final,
        final_payment=final,
        total_interest=interest,
        total_paid=down_payment + financed + interest,
        first_due_date=first_due_date,
        last_due_date=add_months(first_due_date, term_months - 1),
        lines=_lines(payments, down_payment, financed, first_due_date) if with_lines and payments else [],
    )


def _repaid(financed: Decimal, regular: Decimal, rate: Decimal, term_months: int, with_lines: bool,
            ) -> tuple[Decimal, Decimal, list[tuple[Decimal, Decimal, Decimal, Decimal]] | None] | None:
    """(final payment, total interest, the payments when ``with_lines``) of a regular payment, or None as
    :func:`_payments`. Without interest and without the lines the figures follow from the regular payment alone:
    term - 1 payments of it, the rest in the last, which must be at least a cent (the property test holds this to
    the payments worked out one by one). The installments add up to the amount financed plus the interest."""
    if rate or with_lines:
        payments = _payments(financed, regular, rate, term_months)
        if payments is None:
            return None
        return payments[-1][0], sum((interest for _, _, interest, _ in payments), ZERO), payments
    final = financed - regular * (term_months - 1)
    if (term_months > 1 and regular < CENT) or final < CENT:
        return None
    return final, ZERO, None


def _payments(financed: Decimal, regular: Decimal, rate: Decimal,
              term_months: int) -> list[tuple[Decimal, Decimal, Decimal, Decimal]] | None:
    """(amount, principal, interest, balance after) of each installment for a regular payment, or None if some
    payment would not repay principal."""
    payments: list[tuple[Decimal, Decimal, Decimal, Decimal]] = []
    remaining = financed
    for n in range(1, term_months + 1):
        interest = cents(remaining * rate) if rate else ZERO
        amount = remaining + interest if n == term_months else regular
        principal = amount - interest
        if amount < Decimal("0.01") or principal <= 0 or principal > remaining:
            return None
        remaining -= principal
        payments.append((amount, principal, interest, remaining))
    return payments


def _lines(payments: list[tuple[Decimal, Decimal, Decimal, Decimal]], down_payment: Decimal, financed: Decimal,
           first_due_date: dt.date) -> list[PaymentLine]:
    lines: list[PaymentLine] = []
    if down_payment > 0:
        lines.append(
            PaymentLine(
                number=0, kind=PaymentLineKind.DOWN_PAYMENT, due_date=None, amount=down_payment,
                principal=down_payment, interest=ZERO, balance_after=financed,
            )
        )
    for n, (amount, principal, interest, remaining) in enumerate(payments, start=1):
        lines.append(
            PaymentLine(
                number=n, kind=PaymentLineKind.INSTALLMENT, due_date=add_months(first_due_date, n - 1),
                amount=amount, principal=principal, interest=interest, balance_after=remaining,
            )
        )
    return lines


def with_schedule(offer: PaymentPlanOffer) -> PaymentPlanOffer:
    """The offer with its ``lines``, when it was made without them (``with_lines=False``): the regular payment it
    settled on, repaid at its APR from its first due date, gives exactly the lines :func:`amortize` would have."""
    if offer.lines:
        return offer
    payments = _payments(offer.amount_financed, offer.regular_payment, offer.apr_percent / HUNDRED / 12,
                         offer.term_months)
    if payments is None:  # never for an offer amortize made
        raise ValueError("the offer's regular payment does not repay its amount financed")
    return msgspec.structs.replace(offer, lines=_lines(payments, offer.down_payment, offer.amount_financed,
                                                       offer.first_due_date))


def build_plan(
    balance: Decimal, term_months: int, rules: PaymentPlanRules, *, first_due_date: dt.date, with_lines: bool = True
) -> PaymentPlanOffer:
    """The schedule the rules' down payment and APR give for a term (no rule checks)."""
    balance = _check_money(balance, "balance", positive=True)
    return amortize(
        balance=balance,
        term_months=term_months,
        apr_percent=rules.apr_percent,
        down_payment=cents(percent_of(cents(balance), rules.down_payment_percent)),
        first_due_date=first_due_date,
        with_lines=with_lines,
    )


def plan_violations(
    offer: PaymentPlanOffer, rules: PaymentPlanRules, monthly_income: Decimal | None
) -> list[PlanRuleViolation]:
    """Every rule the plan breaks (empty = acceptable)."""
    return [PlanRuleViolation(rule, words()) for rule, words in _broken_rules(offer, rules, monthly_income)]


def _payment_floor(rules: PaymentPlanRules, financed: Decimal) -> Decimal:
    """The lowest acceptable monthly payment: a plan whose whole financed amount is below the minimum is one payment
    of that amount, not a violation."""
    return min(rules.minimum_monthly_payment, financed)


def _income_limit(rules: PaymentPlanRules, monthly_income: Decimal | None) -> Decimal | None:
    """The largest installment the income cap allows (None: no cap, or no income to apply it to)."""
    cap = rules.max_percent_of_monthly_income
    return cents(percent_of(monthly_income, cap)) if cap is not None and monthly_income is not None else None


def _largest_installment(offer: PaymentPlanOffer) -> Decimal:
    return max(offer.regular_payment, offer.final_payment)  # every installment is one of the two


def _broken_rules(offer: PaymentPlanOffer, rules: PaymentPlanRules,
                  monthly_income: Decimal | None) -> Iterator[tuple[str, Callable[[], str]]]:
    """Each rule the plan breaks, with its explanation to write when it is wanted (:func:`offer_plans` only asks
    whether there is one)."""
    term = offer.term_months
    if term not in rules.allowed_terms_months:
        yield "allowed_terms_months", lambda: (
            f"{term} months is not an offered term ({', '.join(str(t) for t in sorted(rules.allowed_terms_months))})")
    longest = longest_term(offer.balance, rules)
    if term > longest:
        yield "term_limits", lambda: (
            f"a balance of {format_usd(offer.balance)} may be spread over at most {longest} months")
    if offer.regular_payment < _payment_floor(rules, offer.amount_financed):
        yield "minimum_monthly_payment", lambda: (
            f"the monthly payment {format_usd(offer.regular_payment)} is below the minimum "
            f"{format_usd(rules.minimum_monthly_payment)}")
    cap = rules.max_percent_of_monthly_income
    if cap is not None:
        if monthly_income is None:
            yield "max_percent_of_monthly_income", lambda: (
                "monthly household income is needed to check that the payment is affordable")
        else:
            limit = _income_limit(rules, monthly_income)
            largest = _largest_installment(offer)
            if largest > limit:
                yield "max_percent_of_monthly_income", lambda: (
                    f"the monthly payment {format_usd(largest)} is more than {cap.normalize():f} % of monthly "
                    f"household income ({format_usd(limit)})")


def check_requested_plan(
    balance: Decimal,
    term_months: int,
    rules: PaymentPlanRules,
    *,
    monthly_income: Decimal | None,
    first_due_date: dt.date,
) -> PaymentPlanOffer:
    """The plan for a requested term, or :class:`PlanRuleViolation` naming the first rule it breaks."""
    validate_rules(rules)
    if monthly_income is not None:
        _check_money(monthly_income, "monthly_household_income")
    offer = build_plan(balance, term_months, rules, first_due_date=first_due_date)
    violations = plan_violations(offer, rules, monthly_income)
    if violations:
        raise violations[0]
    return offer


def check_plan_request(request: PaymentPlanRequest, rules: PaymentPlanRules) -> PaymentPlanOffer:
    """:func:`check_requested_plan` for the wire request."""
    return check_requested_plan(
        request.balance,
        request.term_months,
        rules,
        monthly_income=request.monthly_household_income,
        first_due_date=request.first_due_date,
    )


def offer_plans(
    balance: Decimal, rules: PaymentPlanRules, *, monthly_income: Decimal | None, first_due_date: dt.date,
    with_lines: bool = True,
) -> list[PaymentPlanOffer]:
    """Every allowed term that satisfies all rules, shortest first (may be empty); ``with_lines`` as
    :func:`amortize` takes it.

    When the rules have an affordability cap and ``monthly_income`` is None this raises
    :class:`PlanRuleViolation` (``max_percent_of_monthly_income``) rather than guess.
    """
    validate_rules(rules)
    balance = _check_money(balance, "balance", positive=True)
    if monthly_income is not None:
        _check_money(monthly_income, "monthly_household_income")
    elif rules.max_percent_of_monthly_income is not None:
        raise PlanRuleViolation(
            "max_percent_of_monthly_income", "monthly household income is needed to check that payments are affordable"
        )
    offers: list[PaymentPlanOffer] = []
    rounded = cents(balance)  # the balance an offer carries
    longest = longest_term(rounded, rules)
    # what build_plan -> amortize work out for every term, worked out once
    down_payment = cents(percent_of(rounded, rules.down_payment_percent))
    financed = rounded - down_payment
    if financed <= 0:
        return offers  # amortize refuses every term (down_payment_percent)
    rate = rules.apr_percent / HUNDRED / 12
    # _broken_rules for every term at once: the terms are the allowed ones, shortest first (past the longest the
    # balance allows, term_limits refuses them); the minimum and the income cap are the same for every term
    floor = _payment_floor(rules, financed)
    limit = _income_limit(rules, monthly_income)
    for term in sorted(rules.allowed_terms_months):
        if term > longest:
            break  # refused by term_limits (plan_violations) whatever its payments: not worked out
        try:
            offer = _amortized(rounded, down_payment, financed, term, rules.apr_percent, rate, first_due_date,
                               with_lines)
        except PlanRuleViolation:
            continue
        if offer.regular_payment < floor:
            continue  # minimum_monthly_payment
        if limit is not None and _largest_installment(offer) > limit:
            continue  # max_percent_of_monthly_income
        offers.append(offer)
    return offers


def _check_money(value: Decimal, name: str, *, positive: bool = False) -> Decimal:
    if isinstance(value, float) or not isinstance(value, (Decimal, int)):
        raise InvalidInput(f"{name} must be a Decimal amount, not {type(value).__name__}", field=f"$.{name}")
    value = Decimal(value)
    if not value.is_finite() or value < 0 or (positive and value <= 0):
        raise InvalidInput(f"{name} must be {'above' if positive else 'at least'} 0", field=f"$.{name}")
    return value
