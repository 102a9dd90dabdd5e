"""The catalog page's charts, drawn as inline SVG (no chart library, no script).

Each chart is a `<figure>` with a caption; the SVG has role="img", a title and a description
that lists the figures, so a screen reader gets the numbers a sighted reader gets from the bars.
Colours come from the page's style sheet (classes `bar`, `bar second`), so both themes apply.
"""

from __future__ import annotations

from collections import Counter
from html import escape

_WIDTH = 440
_ROW = 24
_LABEL_WIDTH = 140


def site_chart(sites: Counter[str], labels: dict[str, str], top: int) -> str:
    """Horizontal bars: the `top` commonest sites, then everything else as one bar."""
    rows = sites.most_common(top)
    rest = sum(sites.values()) - sum(count for _, count in rows)
    if rest:
        rows.append((labels["others"], rest))
    if not rows:
        return ""
    largest = max(count for _, count in rows)
    bar_space = _WIDTH - _LABEL_WIDTH - 60
    height = _ROW * len(rows) + 8
    parts = []
    for n, (name, count) in enumerate(rows):
        y = 4 + n * _ROW
        width = max(1.0, bar_space * count / largest)
        shown = name if len(name) <= 16 else name[:15] + "…"
        parts.append(
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">{escape(shown)}</text>'
            f'<rect class="bar" x="{_LABEL_WIDTH}" y="{y + 3}" width="{width:.1f}" height="{_ROW - 6}">'
            f"<title>{escape(name)}: {count}</title></rect>"
            f'<text x="{_LABEL_WIDTH + width + 6:.1f}" y="{y + 15}">{count}</text>'
        )
    description = ", ".join(f"{name} {count}" for name, count in rows)
    return _figure("chart-sites", labels["per_site"], description, height, "".join(parts))


def month_chart(issued: Counter[str], accessed: Counter[str], labels: dict[str, str]) -> str:
    """Vertical bars per month from the first to the last month with a date: published
    (issued) and accessed side by side."""
    months = _month_range(set(issued) | set(accessed))
    if not months:
        return (
            f'<figure class="chart"><figcaption>{escape(labels["per_month"])}</figcaption>'
            f'<p class="empty">{escape(labels["no_dates"])}</p></figure>'
        )
    height, top, bottom, left = 210, 30, 28, 36
    plot_width = _WIDTH - left - 8
    slot = plot_width / len(months)
    largest = max([*issued.values(), *accessed.values(), 1])
    scale = (height - top - bottom) / largest
    parts = [
        f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{_WIDTH - 8}" y2="{height - bottom}"/>',
        f'<text x="{left + 2}" y="{top - 2}">{largest} {escape(labels["entries"])}</text>',
        f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end">0</text>',
    ]
    series = [(issued, "bar", labels["issued"]), (accessed, "bar second", labels["accessed"])]
    shown = [s for s in series if s[0]]
    bar = max(slot / len(shown) - 0.5, 0.5)
    step = _label_step(len(months))
    for n, month in enumerate(months):
        x = left + n * slot
        for k, (counts, css, name) in enumerate(shown):
            count = counts.get(month, 0)
            if count:
                bar_height = count * scale
                parts.append(
                    f'<rect class="{css}" x="{x + k * bar:.2f}" y="{height - bottom - bar_height:.1f}" '
                    f'width="{bar:.2f}" height="{bar_height:.1f}">'
                    f"<title>{month} {escape(name)}: {count}</title></rect>"
                )
        if _labelled(month, n, step, int(months[0][:4])) and x < _WIDTH - 40:  # no clipped label
            parts.append(f'<text x="{x:.1f}" y="{height - 10}">{month if step < 12 else month[:4]}</text>')
    legend_x = left + 8
    for k, (_, css, name) in enumerate(shown):
        parts.append(
            f'<rect class="{css}" x="{legend_x + 200 + k * 90}" y="6" width="10" height="10"/>'
            f'<text x="{legend_x + 200 + k * 90 + 14}" y="15">{escape(name)}</text>'
        )
    totals = "; ".join(
        f"{name}: " + ", ".join(f"{m} {counts[m]}" for m in months if counts.get(m))
        for counts, _, name in shown
    )
    return _figure("chart-months", labels["per_month"], totals, height, "".join(parts))


def _month_range(months: set[str]) -> list[str]:
    """Every month from the earliest to the latest (`YYYY-MM`), gaps included."""
    if not months:
        return []
    first, last = min(months), max(months)
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _labelled(month: str, index: int, step: int, first_year: int) -> bool:
    """Monthly steps label every `step`-th bar; yearly steps label Januaries only."""
    if step < 12:
        return index % step == 0
    return month.endswith("-01") and (int(month[:4]) - first_year) % (step // 12) == 0


def _label_step(count: int) -> int:
    """Label every month, quarter or year so that the labels never crowd."""
    for step in (1, 3, 6, 12, 24, 60):
        if count / step <= 10:
            return step
    return 120


def _figure(ident: str, caption: str, description: str, height: int, content: str) -> str:
    return (
        f'<figure class="chart"><figcaption id="{ident}-t">{escape(caption)}</figcaption>'
        f'<svg viewBox="0 0 {_WIDTH} {height}" role="img" aria-labelledby="{ident}-t {ident}-d">'
        f'<desc id="{ident}-d">{escape(description)}</desc>{content}</svg></figure>'
    )
