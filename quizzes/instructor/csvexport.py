"""CSV rows for streaming, with every cell made safe to open in a spreadsheet (no ORM)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets skip these before deciding that a cell is a formula (" =1+2", '"=1+2').
LEADING_BLANKS_AND_QUOTES = " \t\r\n\"'"
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value) -> str:
    """Text for one cell: None is empty; numbers stay numbers; text that a spreadsheet would run
    as a formula gets a leading apostrophe (OWASP's advice), so it shows as typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    starts_like_formula = text.startswith(FORMULA_PREFIXES) or text.lstrip(LEADING_BLANKS_AND_QUOTES).startswith(
        FORMULA_PREFIXES
    )
    if starts_like_formula and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """One CSV line at a time (for StreamingHttpResponse), starting with a BOM so spreadsheets read UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def _iso(value) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def _pct(value) -> str:
    """A share 0-1 as the screens show it: a whole percentage (the header says "%")."""
    return "" if value is None else f"{value * 100:.0f}"


def _index(value) -> str:
    """Facility and discrimination stay indices from 0 to 1 (-1 to 1), two places, as on the screen."""
    return "" if value is None else f"{value:.2f}"


def grid_header(dashboard) -> list[str]:
    header = [
        "user_id",
        "username",
        "name",
        "last_activity",
        "overdue_reviews",
        "at_risk",
        "risk_reasons",
        "modules_done",
    ]
    for module in dashboard.modules:
        title = f"M{module.order} {module.title}"
        header += [f"{title}: status", f"{title}: best score (%)"]
    for skill in dashboard.skills:
        name = dashboard.skill_label(skill)
        header += [f"{name}: score (%)", f"{name}: ready to practise", f"{name}: level"]
    return header


def grid_rows(dashboard) -> Iterator[list]:
    """The dashboard's rows as shown (same filters and order): one line per trainee."""
    for row in dashboard.rows:
        line = [
            row.user.pk,
            row.user.get_username(),
            row.name,
            _iso(row.last_activity),
            row.overdue_reviews,
            row.at_risk,
            "; ".join(row.risk),
            row.modules_done,
        ]
        for cell in row.cells:
            line += [cell.status, _pct(cell.score)]
        for skill in dashboard.skills:
            skill_cell = row.skills.get(skill)
            line += [
                _pct(skill_cell.share) if skill_cell else "",
                bool(skill_cell and skill_cell.ready),
                row.levels.get(skill, ""),  # the practice level, once the trainee has practised the skill
            ]
        yield line


ITEM_HEADER = [
    "item",
    "item_id",
    "skill",
    "skill_id",
    "answered",
    "facility",
    "discrimination",
    "top group chose best (%)",
    "flags",
    "step",
    "option",
    "grade",
    "harmful",
    "best",
    "picks",
    "share of picks (%)",
    "picks in top group",
    "picks in bottom group",
    "option text",
]


def item_rows(analysis) -> Iterator[list]:
    """One line per option of every step of every item, with the item's figures repeated."""
    for row in analysis.rows():
        item, stat = row.item, row.stat
        for step in stat.steps:
            for option in step.options:
                yield [
                    row.title,
                    item.slug,
                    row.skill_name,
                    item.skill,
                    stat.answered,
                    _index(stat.facility),
                    _index(stat.discrimination),
                    _pct(stat.best_pick_upper),
                    "; ".join(stat.flags),
                    step.path or "first",
                    option.id,
                    option.grade,
                    option.harmful,
                    option.best,
                    option.count,
                    _pct(option.share),
                    option.upper_count,
                    option.lower_count,
                    option.text,
                ]
