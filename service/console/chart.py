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

#: Drawn narrow, each label on its own line above its bar, so that at a phone's width (the drawing scaled to
#: about 350 px) the 16-unit text still renders at about 14 px; on a desk the CSS caps the drawing at 480 px.
WIDTH = 400
ROW = 58
LABEL = 0  # bars start at the left edge, under their label
VALUE_ROOM = 112
FONT = 16
BAR = 24


@dataclass(frozen=True)
class Bar:
    label: str
    amount: Decimal


def bar_chart(bars: Sequence[Bar], *, title: str) -> Markup:
    """An ``<svg>`` element; bar lengths are proportional to the amounts (the largest fills the track)."""
    track = WIDTH - LABEL - VALUE_ROOM
    top = max((b.amount for b in bars), default=Decimal(0))
    height = ROW * len(bars) + 4
    alternative = escape(f"{title}: " + "; ".join(f"{b.label} {format_usd(b.amount)}" for b in bars))
    parts = [f'<svg class="chart" role="img" aria-label="{alternative}" viewBox="0 0 {WIDTH} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{alternative}</title>"]
    for i, bar in enumerate(bars):
        y = 2 + i * ROW
        length = int((bar.amount / top * track).to_integral_value()) if top > 0 else 0
        parts.append(
            f'<g><title>{escape(bar.label)}: {escape(format_usd(bar.amount))}</title>'
            f'<text x="{LABEL}" y="{y + FONT}" font-size="{FONT}" fill="#1b1b1b">{escape(bar.label)}</text>'
            f'<rect x="{LABEL}" y="{y + 24}" width="{track}" height="{BAR}" fill="#e8edf2"/>'
            f'<rect x="{LABEL}" y="{y + 24}" width="{max(length, 2)}" height="{BAR}" fill="#1f5f8b"/>'
            f'<text x="{LABEL + track + 8}" y="{y + 24 + 18}" font-size="{FONT}" font-weight="bold" '
            f'fill="#1b1b1b">{escape(format_usd(bar.amount))}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))
