"""Rendering: one Jinja environment (autoescaped), pages as HTML responses with strict security headers,
and the view rows the comparison table, chart and affordability section show.

Pure apart from rendering: estimate contracts in, strings out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from litestar import MediaType, Response

from contracts.benefits import Network
from contracts.estimate import EstimateResponse, LevelEstimate
from service.console.chart import Bar, bar_chart
from service.money import format_usd
from service.read_aloud import DELIVERY_WORDS, level_name

#: No inline script or style anywhere; the patient page's one script is a file (script-src 'self').
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
CSP_WITH_SCRIPT = CSP + "; script-src 'self'"
STATIC_TYPES = {"console.css": "text/css; charset=utf-8", "portal.js": "text/javascript; charset=utf-8"}


@functools.cache
def environment() -> Environment:
    return Environment(loader=PackageLoader("service.console", "templates"), autoescape=select_autoescape(default=True),
                       trim_blocks=True, lstrip_blocks=True)


def page(template: str, *, status: int = 200, script: bool = False, cookies: list[Any] | None = None,
         **context: Any) -> Response[str]:
    """A rendered page that is never cached (it may hold PHI) and may not be framed."""
    html = environment().get_template(template).render(**context)
    return Response(html, status_code=status, media_type=MediaType.HTML, cookies=cookies or [], headers={
        "Cache-Control": "no-store", "Content-Security-Policy": CSP_WITH_SCRIPT if script else CSP,
        "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"})


@functools.cache
def static_file(name: str) -> bytes | None:
    if name not in STATIC_TYPES:
        return None
    return resources.files("service.console").joinpath("static", name).read_bytes()


def _qualifier(estimate: LevelEstimate, several_networks: bool) -> str:
    words = DELIVERY_WORDS[estimate.delivery]
    if several_networks:
        words += " (in network)" if estimate.network is Network.IN else " (out of network)"
    return words


def _level_title(estimate: LevelEstimate, several_networks: bool) -> str:
    name = level_name(estimate.level)
    return name[:1].upper() + name[1:] + _qualifier(estimate, several_networks)


LONG_NAMES = {"iop": "Intensive outpatient program (IOP)", "php": "Partial hospitalization program (PHP)",
              "inpatient": "Inpatient hospital care"}


@dataclass
class LevelRow:
    level: str
    name: str
    days: int
    weeks: str
    patient_pays: str
    per_week: str
    per_hour: str
    payer_pays: str
    first_date: str
    last_date: str
    sliding_fee: str | None = None
    has_discount: bool = False
    plans: list[str] = field(default_factory=list)

    qualifier: str = ""

    @property
    def long_name(self) -> str:
        return LONG_NAMES[self.level] + self.qualifier


def long_date(value: Any) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def level_rows(response: EstimateResponse) -> list[LevelRow]:
    estimates = response.comparison.estimates
    several = len({e.network for e in estimates}) > 1
    rows = []
    for e in estimates:
        row = LevelRow(level=e.level.value, name=_level_title(e, several), days=e.service_days, weeks=f"{e.weeks.normalize():f}",
                       patient_pays=format_usd(e.totals.patient_pays), per_week=format_usd(e.patient_pays_per_week),
                       per_hour=format_usd(e.patient_pays_per_treatment_hour),
                       payer_pays=format_usd(e.totals.payer_pays), first_date=long_date(e.first_service_date),
                       last_date=long_date(e.last_service_date), qualifier=_qualifier(e, several))
        section = e.affordability
        if section is not None:
            fee = section.sliding_fee
            if fee is not None and section.discount > 0:
                row.has_discount = True
                row.sliding_fee = (f"Sliding scale {fee.tier_label}: {format_usd(section.discount)} off, "
                                   f"{format_usd(section.balance_after_discount)} to pay"
                                   + (" (until proof of income is seen)." if fee.provisional else "."))
            elif section.fpl is None:
                row.sliding_fee = "Enter the household size and income to see the sliding-scale discount."
            else:
                row.sliding_fee = "No sliding-scale discount at this household income."
            row.plans = [f"{plan.term_months} months: {format_usd(plan.regular_payment)} a month from "
                         f"{long_date(plan.first_due_date)}"
                         + (f" after {format_usd(plan.down_payment)} down" if plan.down_payment > 0 else "")
                         + (", no interest" if plan.apr_percent == 0
                            else f", {plan.apr_percent.normalize():f} % a year ({format_usd(plan.total_interest)} in all)")
                         for plan in section.payment_plans]
        rows.append(row)
    return rows


def chart_for(response: EstimateResponse) -> Any:
    several = len({e.network for e in response.comparison.estimates}) > 1
    bars = [Bar(_level_title(e, several), e.totals.patient_pays) for e in response.comparison.estimates]
    return bar_chart(bars, title="Patient pays per level of care")
