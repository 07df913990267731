"""Good Faith Estimate for uninsured and self-pay patients (No Surprises Act, 45 CFR 149.610).

:func:`build_gfe` turns a :class:`contracts.selfpay.GoodFaithEstimateRequest` (everything,
including the issue date, is an input: no clock) into a :class:`GoodFaithEstimate` with the
seven content items of 149.610(c):

1. patient name and date of birth -> ``patient``
2. primary item/service in clear language and its date -> ``primary_service``
3. itemized items grouped by provider/facility -> ``sections``
4. diagnosis codes, service codes (HCPCS/CPT, revenue) and expected charges -> ``diagnosis_codes``, ``sections[].lines``
5. name, NPI, TIN and location/state of each provider -> ``sections[].provider``
6. items expected to be scheduled separately -> ``separately_scheduled``
7. the four disclaimers -> ``disclaimers`` (+ ``dispute_right`` with the $400 / 120 days / $25 figures)

Also: each provider's ``dispute_baseline`` (its expected charges after the discounts shown - the
self-pay sliding fee is the convening provider's - which a bill is compared with for the $400
rule), and ``due_date`` / ``due_rule`` from when the care was scheduled (``gfe_timing.py``).
A co-provider (the psychiatrist) must come with its expected items.

:func:`render_html` prints it (Jinja2, autoescaped). :mod:`.gfe_fhir` gives the Da Vinci PCT form.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

import jinja2
import msgspec

from contracts.selfpay import (
    CodeSystem,
    GfeDisclaimer,
    GfeDiscountLine,
    GfeDisputeRight,
    GfeLine,
    GfeProvider,
    GfeProviderSection,
    GoodFaithEstimate,
    GoodFaithEstimateRequest,
)
from service.errors import FieldError, InvalidInput
from service.money import ZERO, cents, format_usd
from service.pricing.selfpay.gfe_timing import gfe_due

#: 45 CFR 149.620(a)(2)(ii): a bill at least this much above the provider's GFE total may be disputed.
DISPUTE_THRESHOLD = Decimal("400.00")
#: Days from the bill to start patient-provider dispute resolution (CMS standard notice).
DISPUTE_DAYS = 120
#: HHS administrative fee for the dispute (CMS standard notice).
DISPUTE_FEE = Decimal("25.00")
#: Where the CMS standard notice sends patients for dispute instructions and the form.
DISPUTE_INSTRUCTIONS_URL = "https://www.cms.gov/nosurprises"

_HCPCS = re.compile(r"^[A-Z0-9][0-9]{3}[A-Z0-9]$")
_REVENUE = re.compile(r"^[0-9]{4}$")
_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


class GfeInvalid(InvalidInput):
    slug, title = "invalid-good-faith-estimate", "The Good Faith Estimate request is not valid"


def co_provider_item_fields(exc: GfeInvalid, *, level_items: int) -> GfeInvalid:
    """The same problem with the issuing request's own field names: a GFE built from an estimate puts the levels'
    lines first and the request's ``co_provider_items`` after them, so ``$.items[n]`` past the levels is
    ``$.co_provider_items[n - level_items]``."""
    def rename(field: str) -> str:
        if field.startswith("$.items["):
            index, _, rest = field[len("$.items["):].partition("]")
            if index.isdigit() and int(index) >= level_items:
                return f"$.co_provider_items[{int(index) - level_items}]{rest}"
        return field
    errors = [FieldError(field=rename(e.field), reason=e.reason) for e in exc.errors]
    return GfeInvalid("; ".join(f"{e.field}: {e.reason}" for e in errors), errors=errors)


def dispute_eligible(billed_total: Decimal, gfe_total: Decimal) -> bool:
    """True when a provider's bill is at least $400.00 above that provider's GFE total.

    Compare per provider/facility with ``sections[].dispute_baseline`` (the expected charges after the
    discounts shown, e.g. the self-pay sliding fee), not the grand total.
    """
    return cents(billed_total) - cents(gfe_total) >= DISPUTE_THRESHOLD


def disclaimers() -> list[GfeDisclaimer]:
    return [
        GfeDisclaimer(
            code="separately_scheduled",
            text=(
                "Other items or services may be recommended as part of your care that are not included in this "
                "estimate. They would be scheduled separately and would have their own Good Faith Estimate."
            ),
        ),
        GfeDisclaimer(
            code="estimate_only",
            text=(
                "This is only an estimate. The actual items, services or charges may be different from this "
                "estimate."
            ),
        ),
        GfeDisclaimer(code="dispute_right", text=dispute_right().text),
        GfeDisclaimer(
            code="not_a_contract",
            text=(
                "This Good Faith Estimate is not a contract and does not require you to obtain the items or "
                "services listed in it."
            ),
        ),
    ]


def dispute_right() -> GfeDisputeRight:
    return GfeDisputeRight(
        threshold=DISPUTE_THRESHOLD,
        days_to_start=DISPUTE_DAYS,
        administrative_fee=DISPUTE_FEE,
        instructions_url=DISPUTE_INSTRUCTIONS_URL,
        text=(
            f"You have the right to start the patient-provider dispute resolution process if you are billed "
            f"{format_usd(DISPUTE_THRESHOLD)} or more above the expected charges of any provider or facility on "
            f"this Good Faith Estimate, after any discount it shows. You must start the process within {DISPUTE_DAYS} calendar days of the date "
            f"on the bill; the federal administrative fee is {format_usd(DISPUTE_FEE)}. Instructions and the form "
            f"are at {DISPUTE_INSTRUCTIONS_URL}. Starting a dispute will not adversely affect the quality of the "
            "care you receive. Keep a copy of this Good Faith Estimate."
        ),
    )


def build_gfe(request: GoodFaithEstimateRequest) -> GoodFaithEstimate:
    """Validate the request and assemble the estimate; raises :class:`GfeInvalid` listing every problem."""
    errors: list[FieldError] = []

    def err(path: str, reason: str) -> None:
        errors.append(FieldError(field=path, reason=reason))

    if not request.gfe_id.strip():
        err("$.gfe_id", "must not be empty")
    if not request.patient.name.strip():
        err("$.patient.name", "must not be empty")
    if request.patient.date_of_birth > request.issue_date:
        err("$.patient.date_of_birth", "is after the issue date")
    if not request.primary_service.description.strip():
        err("$.primary_service.description", "must not be empty")
    if not request.items:
        err("$.items", "at least one item is required")

    providers = [request.convening_provider, *request.co_providers]
    by_npi: dict[str, GfeProvider] = {}
    for i, provider in enumerate(providers):
        path = "$.convening_provider" if i == 0 else f"$.co_providers[{i - 1}]"
        if provider.npi in by_npi:
            err(f"{path}.npi", f"NPI {provider.npi} is listed twice")
        by_npi.setdefault(provider.npi, provider)
        if not provider.name.strip():
            err(f"{path}.name", "must not be empty")

    for i, code in enumerate(request.diagnosis_codes):
        if not _ICD10.match(code):
            err(f"$.diagnosis_codes[{i}]", f"{code!r} is not an ICD-10-CM code")

    lines_by_npi: dict[str, list[GfeLine]] = {p.npi: [] for p in providers}
    for i, item in enumerate(request.items):
        at = f"$.items[{i}]"
        npi = item.provider_npi or request.convening_provider.npi
        if npi not in by_npi:
            err(f"{at}.provider_npi", f"NPI {npi} is neither the convening provider nor a co-provider")
            continue
        if not item.description.strip():
            err(f"{at}.description", "must not be empty")
        if item.service_code is None:
            if item.revenue_code is None:
                err(f"{at}.service_code", "a line needs a CPT/HCPCS code or a revenue code")
        elif not _HCPCS.match(item.service_code):
            err(f"{at}.service_code", f"{item.service_code!r} is not a 5-character CPT/HCPCS code")
        if item.revenue_code is not None and not _REVENUE.match(item.revenue_code):
            err(f"{at}.revenue_code", f"{item.revenue_code!r} is not a 4-digit revenue code")
        if item.period_end < item.period_start:
            err(f"{at}.period_end", "is before period_start")
        if item.quantity < 1:
            err(f"{at}.quantity", "must be at least 1")
        if not item.unit_charge.is_finite() or item.unit_charge < 0:
            err(f"{at}.unit_charge", "must be 0 or more")
            continue
        expected = cents(item.unit_charge * item.quantity)
        if item.expected_charge is not None and cents(item.expected_charge) != expected:
            err(
                f"{at}.expected_charge",
                f"{item.expected_charge} differs from unit_charge x quantity = {expected}",
            )
        lines_by_npi[npi].append(
            GfeLine(
                line_number=i + 1,
                description=item.description,
                service_code=item.service_code,
                service_code_system=CodeSystem(item.service_code_system),
                revenue_code=item.revenue_code,
                period_start=item.period_start,
                period_end=item.period_end,
                quantity=item.quantity,
                unit_charge=cents(item.unit_charge),
                expected_charge=expected,
            )
        )

    for i, discount in enumerate(request.discounts):
        if not discount.amount.is_finite() or discount.amount < 0:
            err(f"$.discounts[{i}].amount", "must be 0 or more (it is subtracted)")

    for i, provider in enumerate(request.co_providers):
        if provider.npi in lines_by_npi and not lines_by_npi[provider.npi] and provider.npi != request.convening_provider.npi:
            err(f"$.co_providers[{i}]", f"co-provider NPI {provider.npi} has no items: list its expected charges")
    total_discounts = sum((cents(d.amount) for d in request.discounts if d.amount.is_finite()), ZERO)
    sections = []
    for p in providers:
        if not (lines_by_npi[p.npi] or p.npi == request.convening_provider.npi):
            continue
        convening = p.npi == request.convening_provider.npi
        section_total = sum((line.expected_charge for line in lines_by_npi[p.npi]), ZERO)
        # The discounts shown (the sliding fee) are the convening provider's: its baseline is after them.
        baseline = section_total - total_discounts if convening else section_total
        if convening and baseline < 0:
            err("$.discounts", f"discounts ({total_discounts}) exceed the convening provider's expected charges "
                               f"({section_total})")
        sections.append(GfeProviderSection(provider=p, is_convening=convening, lines=lines_by_npi[p.npi],
                                           total_expected_charges=section_total, dispute_baseline=baseline))
    total = sum((s.total_expected_charges for s in sections), ZERO)
    timing = gfe_due(scheduled_on=request.scheduled_on, service_date=request.primary_service.scheduled_date,
                     requested_on=request.scheduled_on or request.issue_date)
    due_rule = timing.rule
    if timing.due_date is not None and request.issue_date > timing.due_date:
        due_rule += f"; issued {request.issue_date.isoformat()}, after the due date"
    if request.scheduled_on is not None and request.scheduled_on > request.issue_date:
        err("$.scheduled_on", "is after the issue date")
    if errors:
        raise GfeInvalid("; ".join(f"{e.field}: {e.reason}" for e in errors), errors=errors)

    discount_note = None
    if request.discounts:
        kind = ("a sliding fee discount" if all(d.tier_code for d in request.discounts)
                else "financial assistance under the provider's policy")
        discount_note = (
            f"The discount shown is {kind}, based on household income and size. The discounted "
            "amount depends on the income determination"
            + (
                " and is provisional until proof of income is verified."
                if any(d.provisional for d in request.discounts)
                else "."
            )
        )
    return GoodFaithEstimate(
        gfe_id=request.gfe_id,
        issue_date=request.issue_date,
        patient=request.patient,
        primary_service=request.primary_service,
        convening_provider=request.convening_provider,
        sections=sections,
        diagnosis_codes=list(request.diagnosis_codes),
        separately_scheduled=list(request.separately_scheduled),
        total_expected_charges=total,
        discounts=[_with_cents(d) for d in request.discounts],
        total_discounts=total_discounts,
        total_estimated_patient_cost=total - total_discounts,
        discount_note=discount_note,
        disclaimers=disclaimers(),
        dispute_right=dispute_right(),
        due_date=timing.due_date,
        due_rule=due_rule,
    )


def _with_cents(discount: GfeDiscountLine) -> GfeDiscountLine:
    return msgspec.structs.replace(discount, amount=cents(discount.amount))


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("service.pricing.selfpay", "templates"),
        autoescape=True,  # patient-entered text (names, descriptions) must never become markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["usd"] = format_usd
    env.filters["longdate"] = lambda d: f"{d:%B} {d.day}, {d.year}"
    return env


def render_html(gfe: GoodFaithEstimate) -> str:
    """A printable, self-contained HTML page of the estimate."""
    return _environment().get_template("gfe.html").render(gfe=gfe)
