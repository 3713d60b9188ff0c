"""Dashboard rules with no ORM: at-risk flags, the grid's filters (a module's status is course.rules').

Skill mastery ("ready to practise") is quizzes.review.mastery's rule, shared with the trainee's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from course.rules import COMPLETED, IN_PROGRESS, NOT_STARTED, module_status

# A module's status is course.rules.module_status, the rule the trainee's own pages use. The grid
# does not read prerequisites, so it never shows "locked": these are the statuses it shows and filters by.
STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETED)
# Before the rule was shared the grid said "passed" for a passed quiz; old links still filter by it.
STATUS_ALIASES = {"passed": COMPLETED}

__all__ = ["COMPLETED", "IN_PROGRESS", "NOT_STARTED", "STATUSES", "module_status"]


@dataclass(frozen=True)
class RiskThresholds:
    inactive_days: int
    overdue_reviews: int
    harmful_picks: int


def at_risk_reasons(
    now: datetime,
    last_activity: datetime | None,
    enrolled_at: datetime,
    overdue_reviews: int,
    harmful_by_skill: dict[str, int],
    thresholds: RiskThresholds,
) -> list[str]:
    """Why a trainee may need a word from their instructor (empty when there is no reason)."""
    reasons = []
    # Idle time counts from the later of the last activity and the enrolment: a trainee who joins
    # a cohort after working in its course elsewhere is not idle on their first day.
    since = max(last_activity, enrolled_at) if last_activity else enrolled_at
    idle = now - since
    if idle >= timedelta(days=thresholds.inactive_days):
        what = "no activity" if last_activity else "nothing started"
        reasons.append(f"{what} for {idle.days} days")
    if overdue_reviews > thresholds.overdue_reviews:
        reasons.append(f"{overdue_reviews} overdue reviews")
    for skill, count in sorted(harmful_by_skill.items()):
        if count >= thresholds.harmful_picks:
            reasons.append(f"{count} harmful picks in {skill}")
    return reasons


SORTS = ("name", "last_activity", "progress", "risk", "overdue")
RISK_FILTERS = ("", "at_risk", "on_track")


@dataclass(frozen=True)
class DashboardQuery:
    """The dashboard's filters and order (quizzes.instructor.forms.DashboardQueryForm parses them)."""

    q: str = ""
    risk: str = ""
    module: str = ""
    status: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1

    @property
    def sort_param(self) -> str:
        return ("-" if self.descending else "") + self.sort

    @property
    def filtered(self) -> bool:
        """Whether any filter narrows the trainees shown (the order and the page are not filters)."""
        return bool(self.q or self.risk or self.module or self.status)


PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    """One page of dashboard rows; filters and order apply to the whole cohort first."""

    rows: list
    number: int
    count: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


def page_window(matching: int, number: int, size: int = PAGE_SIZE) -> tuple[int, int, slice]:
    """Page `number` of `matching` rows: (the page number, the page count, the rows' slice). A
    number past the end gives the last page, and no rows still make one (empty) page."""
    count = max(1, -(-matching // size))
    number = min(max(1, number), count)
    return number, count, slice((number - 1) * size, number * size)
