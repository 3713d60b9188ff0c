"""Mastery of a skill, with no ORM (CONTENT.md's review policy).

A skill is "ready to practise" when the trainee chose the best option on at least 3 different
isomorphs, in at least 2 sessions 7 or more days apart, and made no harmful pick in their last
5 attempts at the skill. It is readiness to practise, never clinical competence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from ..grading import BEST, HARMFUL

ISOMORPHS_NEEDED = 3
SESSION_GAP_DAYS = 7
RECENT_WINDOW = 5
LABEL = "ready to practise"


@dataclass(frozen=True)
class Pick:
    """One answer to the root step of an item of the skill, from a quiz or a review."""

    item_id: int
    grade: int
    at: datetime


@dataclass(frozen=True)
class Mastery:
    ready: bool
    best_isomorphs: int
    session_span_days: int
    harmful_in_recent: int
    picks: int

    @property
    def label(self) -> str:
        return LABEL if self.ready else "still practising"


def mastery(picks: Iterable[Pick]) -> Mastery:
    ordered = sorted(picks, key=lambda p: p.at)
    best = [p for p in ordered if p.grade == BEST]
    isomorphs = len({p.item_id for p in best})
    sessions: set[date] = {p.at.date() for p in best}
    span = (max(sessions) - min(sessions)).days if sessions else 0
    harmful = sum(1 for p in ordered[-RECENT_WINDOW:] if p.grade == HARMFUL)
    ready = isomorphs >= ISOMORPHS_NEEDED and len(sessions) >= 2 and span >= SESSION_GAP_DAYS and harmful == 0
    return Mastery(ready, isomorphs, span, harmful, len(ordered))
