"""A session's trajectory as a server-side SVG line chart: one line per state variable over the
replies, with a <title>/<desc> and a <title> on every point. Pure: no ORM, no script. Pages show
the same figures as a table, the text alternative."""

from __future__ import annotations

from html import escape

# One colour and one dash pattern per line, so the lines differ without colour too.
STYLES = [("#1c4f8a", ""), ("#a4410e", "6 4"), ("#2f6b3a", "2 3"), ("#6a2c6e", "8 3 2 3")]


def line_chart(series: dict[str, list[int]], ranges: dict[str, tuple[int, int]], *, chart_id: str, title: str) -> str:
    """series[name] is the variable's value at the start and after each reply."""
    width, height, left, right, top, bottom = 560, 220, 44, 120, 16, 34
    points = max((len(values) for values in series.values()), default=1)
    step = (width - left - right) / max(1, points - 1)
    plot_height = height - top - bottom

    def y_of(name: str, value: int) -> float:
        low, high = ranges[name]
        share = 0.5 if high == low else (value - low) / (high - low)
        return top + plot_height * (1 - share)

    desc = "; ".join(
        f"{name} from {values[0]} to {values[-1]} (range {ranges[name][0]}-{ranges[name][1]})"
        for name, values in series.items()
        if values
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<g font-size="11" fill="currentColor"><line x1="{left}" y1="{top + plot_height}" '
        f'x2="{width - right}" y2="{top + plot_height}" stroke="currentColor" stroke-width="1"/>',
    ]
    for index in range(points):
        x = left + index * step
        label = "start" if index == 0 else f"reply {index}"
        parts.append(f'<text x="{x:.0f}" y="{height - 12}" text-anchor="middle" aria-hidden="true">{label}</text>')
    for number, (name, values) in enumerate(series.items()):
        colour, dash = STYLES[number % len(STYLES)]
        coordinates = [(left + i * step, y_of(name, v)) for i, v in enumerate(values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dashed}/>')
        for i, (x, y) in enumerate(coordinates):
            when = "at the start" if i == 0 else f"after reply {i}"
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                f"<title>{escape(name)} {when}: {values[i]}</title></circle>"
            )
        if coordinates:
            x, y = coordinates[-1]
            parts.append(
                f'<text x="{x + 8:.0f}" y="{y + 4:.0f}" fill="{colour}" aria-hidden="true">{escape(name)}</text>'
            )
    parts.append("</g></svg>")
    return "".join(parts)
