"""Bar charts as inline SVG strings: no library, no script, nothing fetched when shown.

Two shapes cover the quality report: `bars` (one value per row, e.g. a pass rate) and
`stacked_bars` (one row split into series, e.g. reports of a year by status), both horizontal
so long Chinese labels stay readable. Every chart carries a <title> and an aria-label.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from html import escape

# Categorical palette for series in order: Okabe-Ito's colour-blind-safe eight, then seven
# more that stay distinct from them.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#999999",
    "#8C564B",
    "#393B79",
    "#BCBD22",
    "#17BECF",
    "#7B4173",
    "#637939",
    "#E7BA52",
)
FONT = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC',sans-serif"
ROW = 22  # height of a bar row in px
MAX_LABEL_WIDTH = 360
VALUE_WIDTH = 90


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def format_number(value: float) -> str:
    """A count with thousands separators; two decimals when it is not whole."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def text_width(text: str) -> float:
    """Approximate width in px of `text` at 12px: CJK characters are square, Latin half."""
    return sum(12.0 if ord(ch) >= 0x2E80 else 6.8 for ch in text)


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}"'
        f' font-family="{FONT}" font-size="12">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _label_width(labels: Sequence[str]) -> int:
    """Room for the longest row label, up to MAX_LABEL_WIDTH (longer labels are cut)."""
    return min(math.ceil(max((text_width(t) for t in labels), default=0)) + 14, MAX_LABEL_WIDTH)


def _label(y: float, text: str, width: int) -> str:
    """A row label right-aligned before the bars; cut with … when wider than the column,
    the full text staying in its tooltip."""
    shown = text
    while text_width(shown) > width - 12 and len(shown) > 1:
        shown = shown[:-2] + "…"
    return (
        f'<text x="{width - 6}" y="{y + ROW / 2 + 4}" text-anchor="end">'
        f"<title>{escape(text)}</title>{escape(shown)}</text>"
    )


def bars(
    rows: Sequence[tuple[str, float]],
    title: str,
    *,
    maximum: float | None = None,
    fmt: Callable[[float], str] = format_number,
    width: int = 720,
) -> str:
    """One horizontal bar per (label, value); bars scale to `maximum` (default: largest value)."""
    top = maximum if maximum is not None else max((v for _, v in rows), default=0)
    left = _label_width([label for label, _ in rows])
    span = width - left - VALUE_WIDTH
    body: list[str] = []
    for i, (label, value) in enumerate(rows):
        y = i * ROW
        w = span * value / top if top else 0
        body += [
            _label(y, label, left),
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{ROW - 6}"'
            f' fill="{colour(0)}"><title>{escape(label)}: {escape(fmt(value))}</title></rect>',
            f'<text x="{left + w + 4:.1f}" y="{y + ROW / 2 + 4}">{escape(fmt(value))}</text>',
        ]
    return _svg(width, max(len(rows), 1) * ROW + 4, title, body)


def stacked_bars(
    rows: Sequence[tuple[str, Mapping[str, float]]],
    series: Sequence[tuple[str, str]],
    title: str,
    *,
    normalize: bool = False,
    width: int = 720,
) -> str:
    """One horizontal bar per row, split into `series` ((key, legend label), in order).

    With `normalize` each bar fills the width (shares of the row's total); otherwise bars
    scale to the largest row total, which is printed after the bar."""
    totals = [sum(values.get(k, 0) or 0 for k, _ in series) for _, values in rows]
    top = max(totals, default=0)
    left = _label_width([label for label, _ in rows])
    span = width - left - VALUE_WIDTH
    body: list[str] = []
    for i, ((label, values), total) in enumerate(zip(rows, totals, strict=True)):
        y = i * ROW
        scale = (span / total if total else 0) if normalize else (span / top if top else 0)
        x = float(left)
        body.append(_label(y, label, left))
        for j, (key, name) in enumerate(series):
            value = values.get(key, 0) or 0
            if not value:
                continue
            w = value * scale
            share = f" ({value / total:.1%})" if total else ""
            body.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{ROW - 6}"'
                f' fill="{colour(j)}"><title>{escape(label)} · {escape(name)}: '
                f"{format_number(value)}{share}</title></rect>"
            )
            x += w
        body.append(f'<text x="{x + 4:.1f}" y="{y + ROW / 2 + 4}">{format_number(total)}</text>')
    legend_top = max(len(rows), 1) * ROW + 8
    lx, ly = 10.0, float(legend_top)
    for j, (_, name) in enumerate(series):
        item = 17 + text_width(name) + 18
        if lx > 10 and lx + item > width:
            lx, ly = 10.0, ly + 18
        body += [
            f'<rect x="{lx:.1f}" y="{ly}" width="12" height="12" fill="{colour(j)}"/>',
            f'<text x="{lx + 17:.1f}" y="{ly + 10}">{escape(name)}</text>',
        ]
        lx += item
    return _svg(width, int(ly) + 22, title, body)
