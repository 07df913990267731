"""A horizontal bar chart of what the patient pays per level, as inline SVG rendered on the server.

Pure: figures in, markup out. No script, no inline style (the console's Content-Security-Policy allows
neither): presentation attributes only. Each bar carries a <title> and the chart a text alternative,
so a screen reader reads the same figures the table shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from service.money import format_usd

WIDTH = 640
ROW = 44
LABEL = 170
VALUE_ROOM = 110


@dataclass(frozen=True)
class Bar:
    label: str
    amount: Decimal


def bar_chart(bars: Sequence[Bar], *, title: str) -> Markup:
    """An ``<svg>`` element; bar lengths are proportional to the amounts (the largest fills the track)."""
    track = WIDTH - LABEL - VALUE_ROOM
    top = max((b.amount for b in bars), default=Decimal(0))
    height = ROW * len(bars) + 8
    alternative = escape(f"{title}: " + "; ".join(f"{b.label} {format_usd(b.amount)}" for b in bars))
    parts = [f'<svg class="chart" role="img" aria-label="{alternative}" viewBox="0 0 {WIDTH} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{alternative}</title>"]
    for i, bar in enumerate(bars):
        y = 4 + i * ROW
        length = int((bar.amount / top * track).to_integral_value()) if top > 0 else 0
        parts.append(
            f'<g><title>{escape(bar.label)}: {escape(format_usd(bar.amount))}</title>'
            f'<text x="0" y="{y + 26}" font-size="15" fill="#1b1b1b">{escape(bar.label)}</text>'
            f'<rect x="{LABEL}" y="{y + 8}" width="{track}" height="26" fill="#e8edf2"/>'
            f'<rect x="{LABEL}" y="{y + 8}" width="{max(length, 2)}" height="26" fill="#1f5f8b"/>'
            f'<text x="{LABEL + track + 8}" y="{y + 26}" font-size="15" font-weight="bold" fill="#1b1b1b">'
            f'{escape(format_usd(bar.amount))}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))
