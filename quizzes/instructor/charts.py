"""Server-side SVG pictures with no ORM and no script: a skill heat map and completion over time.

Each picture carries <title> and <desc> (referenced by aria-labelledby) and every cell or point
its own <title>; the pages also show the same numbers as a table, the text alternative.
"""

from __future__ import annotations

from datetime import date
from html import escape


def _colour(share: float | None) -> str:
    """From a pale red (0) through pale yellow to green (1); grey when there is no answer yet."""
    if share is None:
        return "#e9ecef"
    share = max(0.0, min(1.0, share))
    stops = [(0.0, (214, 96, 77)), (0.5, (253, 219, 120)), (1.0, (59, 151, 94))]
    for (x0, c0), (x1, c1) in zip(stops, stops[1:], strict=False):
        if share <= x1:
            t = (share - x0) / (x1 - x0)
            return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(c0, c1, strict=True))
    return "#3b975e"


def heat_map(
    rows: list[str], columns: list[str], values: dict[tuple[int, int], float | None], *, chart_id: str, title: str
) -> str:
    """A grid of rows (trainees) by columns (skills); values[(r, c)] is a share 0-1 or None."""
    cell, left, top = 22, 160, 150
    width = left + cell * len(columns) + 90  # room for the last labels, which lean right as they rise
    height = top + cell * len(rows) + 10
    desc = (
        f"{len(rows)} trainees by {len(columns)} skills; colour from red (0%) through yellow to green (100%), "
        "grey where there are no answers yet. The table below gives the same figures."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>',
        '<g font-size="11" fill="#1f2a30">',
    ]
    for c, label in enumerate(columns):
        x = left + c * cell + cell / 2
        parts.append(
            f'<text transform="translate({x:.0f},{top - 6}) rotate(-60)" aria-hidden="true">{escape(label[:28])}</text>'
        )
    for r, label in enumerate(rows):
        y = top + r * cell
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" aria-hidden="true">{escape(label[:24])}</text>'
        )
        for c, column in enumerate(columns):
            share = values.get((r, c))
            shown = "no answers" if share is None else f"{share:.0%}"
            parts.append(
                f'<rect x="{left + c * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{_colour(share)}"><title>{escape(label)}, {escape(column)}: {shown}</title></rect>'
            )
    parts.append("</g></svg>")
    return "".join(parts)


def line_chart(
    series: dict[str, list[tuple[date, float]]], *, chart_id: str, title: str, y_label: str = "% of cohort"
) -> str:
    """Cumulative shares (0-1) over dates, one line per series, with a legend in text."""
    width, height, left, right, top, bottom = 640, 280, 48, 16, 16, 64
    dates = sorted({d for points in series.values() for d, _ in points})
    desc_parts = []
    for name, points in series.items():
        if points:
            desc_parts.append(f"{name}: {points[-1][1]:.0%} by {points[-1][0].isoformat()}")
        else:
            desc_parts.append(f"{name}: nothing yet")
    desc = "; ".join(desc_parts) + ". The table below gives the figures by date."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>',
        '<g font-size="11" fill="#1f2a30">',
    ]
    plot_w, plot_h = width - left - right, height - top - bottom
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = top + plot_h * (1 - tick)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5dbde"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" aria-hidden="true">{tick:.0%}</text>')
    parts.append(
        f'<text transform="translate(12,{top + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle" '
        f'aria-hidden="true">{escape(y_label)}</text>'
    )
    if dates:
        first, last = dates[0], dates[-1]
        span = max((last - first).days, 1)

        def x_of(d: date) -> float:
            return left + plot_w * (d - first).days / span

        for d in (first, last) if first != last else (first,):
            parts.append(
                f'<text x="{x_of(d):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'aria-hidden="true">{d.isoformat()}</text>'
            )
        palette = ["#0b5f73", "#a15c00", "#6a2c6e"]
        dashes = ["", ' stroke-dasharray="6 4"', ' stroke-dasharray="2 3"']
        for index, (name, points) in enumerate(series.items()):
            colour, dash = palette[index % 3], dashes[index % 3]
            if points:
                coords = " ".join(f"{x_of(d):.1f},{top + plot_h * (1 - v):.1f}" for d, v in points)
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5"{dash} points="{coords}"/>')
                for d, v in points:
                    parts.append(
                        f'<circle cx="{x_of(d):.1f}" cy="{top + plot_h * (1 - v):.1f}" r="3" fill="{colour}">'
                        f"<title>{escape(name)}, {d.isoformat()}: {v:.0%}</title></circle>"
                    )
            legend_y = height - 18
            legend_x = left + index * 220
            parts.append(
                f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="{legend_y}" y2="{legend_y}" stroke="{colour}" '
                f'stroke-width="2.5"{dash}/><text x="{legend_x + 30}" y="{legend_y + 4}">{escape(name)}</text>'
            )
    else:
        parts.append(f'<text x="{left + 10}" y="{top + plot_h / 2:.0f}">Nothing completed yet.</text>')
    parts.append("</g></svg>")
    return "".join(parts)
