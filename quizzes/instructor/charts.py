"""Server-side SVG pictures with no ORM and no script: a skill heat map and completion over time.

Each picture carries <title> and <desc> (referenced by aria-labelledby) and every cell or point
its own <title>; the pages also show the same numbers as a table, the text alternative.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

# Pale enough at every stop for dark text (the figure written in each square) to keep 4.5:1.
_STOPS = [(0.0, (244, 165, 150)), (0.5, (253, 226, 150)), (1.0, (150, 212, 165))]
NO_ANSWER = "#eef0f2"


def _colour(share: float | None) -> str:
    """From a pale red (0) through pale yellow to pale green (1); light grey when there is no answer yet."""
    if share is None:
        return NO_ANSWER
    share = max(0.0, min(1.0, share))
    for (x0, c0), (x1, c1) in zip(_STOPS, _STOPS[1:], strict=False):
        if share <= x1:
            t = (share - x0) / (x1 - x0)
            return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(c0, c1, strict=True))
    return "#" + "".join(f"{v:02x}" for v in _STOPS[-1][1])


# Average advance of a character at 13 px in the page's sans-serif, generous so labels never clip.
CHAR_PX = 7.6
FONT_PX = 13


def heat_map(
    rows: list[str], columns: list[str], values: dict[tuple[int, int], float | None], *, chart_id: str, title: str
) -> str:
    """A grid of rows (trainees) by columns (skills); values[(r, c)] is a share 0-1 or None.

    Each square carries its figure as text (colour is never the only cue) and the picture is drawn
    at its natural size in a scroll box, so the 13 px labels are never scaled down."""
    cell = 46
    # Whole labels on one line at 45 degrees: 46 px apart they sit 32 px apart across the slant,
    # room for 13 px text; wrapped onto more lines they ran into their neighbours.
    longest = max((len(label) for label in columns), default=0)
    rise = round(longest * CHAR_PX * 0.71)
    left = round(max((len(label) for label in rows), default=4) * CHAR_PX) + 16
    top = rise + 24
    width = left + cell * len(columns) + rise + 8
    height = top + cell * len(rows) + 10
    desc = (
        f"{len(rows)} trainees by {len(columns)} skills; each square shows the trainee's score in the skill "
        "as a percentage, shaded from red (0%) through yellow to green (100%); a dash where there are no "
        "answers yet. The table below gives the same figures."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'class="chart chart--natural">',
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<g font-size="{FONT_PX}" fill="#1f2a30">',
    ]
    for c, label in enumerate(columns):
        x = left + c * cell + cell / 2
        parts.append(
            f'<text transform="translate({x:.0f},{top - 8}) rotate(-45)" aria-hidden="true">{escape(label)}</text>'
        )
    for r, label in enumerate(rows):
        y = top + r * cell
        parts.append(
            f'<text x="{left - 8}" y="{y + cell / 2 + 4:.0f}" text-anchor="end" '
            f'aria-hidden="true">{escape(label)}</text>'
        )
        for c, column in enumerate(columns):
            share = values.get((r, c))
            shown = "no answers" if share is None else f"{share:.0%}"
            figure = "–" if share is None else f"{round(share * 100)}"
            x0 = left + c * cell
            parts.append(
                f'<g><rect x="{x0}" y="{y}" width="{cell - 3}" height="{cell - 3}" fill="{_colour(share)}" '
                f'stroke="#8a969c" stroke-width="0.5"><title>{escape(label)}, {escape(column)}: {shown}</title></rect>'
                f'<text x="{x0 + (cell - 3) / 2:.1f}" y="{y + cell / 2 + 3:.0f}" text-anchor="middle" font-size="12" '
                f'aria-hidden="true">{figure}</text></g>'
            )
    parts.append("</g></svg>")
    return "".join(parts)


def line_chart(
    series: dict[str, list[tuple[date, float]]], *, chart_id: str, title: str, y_label: str = "% of cohort"
) -> str:
    """Cumulative shares (0-1) over dates, one line per series, with a legend in text."""
    width, height, left, right, top, bottom = 640, 280, 48, 24, 16, 64
    dates = sorted({d for points in series.values() for d, _ in points})
    desc_parts = []
    for name, points in series.items():
        if points:
            desc_parts.append(f"{name}: {points[-1][1]:.0%} by {points[-1][0].isoformat()}")
        else:
            desc_parts.append(f"{name}: nothing yet")
    desc = "; ".join(desc_parts) + ". The table below gives the figures by date."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'class="chart chart--natural">',
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<g font-size="{FONT_PX}" fill="#1f2a30">',
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

        for d in date_ticks(first, last):
            parts.append(
                f'<line x1="{x_of(d):.1f}" x2="{x_of(d):.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}" '
                f'stroke="#4a5a63"/><text x="{x_of(d):.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
                f'aria-hidden="true">{d.day} {d:%b}</text>'
            )
        palette = ["#0b5f73", "#a15c00", "#6a2c6e"]
        dashes = ["", ' stroke-dasharray="6 4"', ' stroke-dasharray="2 3"']
        for index, (name, points) in enumerate(series.items()):
            colour, dash = palette[index % 3], dashes[index % 3]
            if points:
                coords = " ".join(f"{x_of(d):.1f},{top + plot_h * (1 - v):.1f}" for d, v in points)
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5"{dash} points="{coords}"/>')
                for d, v in changes(points):
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


def changes(points: list[tuple[date, float]]) -> list[tuple[date, float]]:
    """The points where the share moved (and the first and last): the days worth a mark or a table row."""
    kept = [p for i, p in enumerate(points) if i == 0 or i == len(points) - 1 or p[1] != points[i - 1][1]]
    return kept


def date_ticks(first: date, last: date, most: int = 6) -> list[date]:
    """Up to `most` evenly spaced dates from first to last, both included."""
    span = (last - first).days
    if span <= 0:
        return [first]
    count = min(most, span + 1)
    return sorted({first + timedelta(days=round(span * i / (count - 1))) for i in range(count)})
