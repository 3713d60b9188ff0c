"""Mastery of a skill, with no ORM (CONTENT.md's review policy).

A skill is "ready to practise" when the trainee chose the best option on at least 3 different
isomorphs, in at least 2 sessions 7 or more days apart, and made no harmful pick in their last
5 attempts at the skill. It is readiness to practise, never clinical competence.

`mastery` reads a skill's whole history; `after_pick` moves a stored MasteryState by one pick to the
same answer, so SkillLevel can keep the flag up to date as picks arrive.
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


# ---------------------------------------------------------------- the rule, one pick at a time


@dataclass(frozen=True)
class MasteryState:
    """What `mastery` needs of a skill's picks so far, kept as they arrive (SkillLevel stores it, so
    the instructor's dashboard reads a flag instead of the whole history). It keeps no more than the
    rule reads: up to ISOMORPHS_NEEDED distinct items picked best, the first and last dates of a best
    pick, and the latest RECENT_WINDOW picks as (time, grade), oldest first.

    Picks arrive in time order as a rule (a quiz answer is stamped when it is stored), but a review
    may be dated by the client a little before a quiz answer recorded earlier. So `recent` keeps each
    pick's time and a late pick slots in by time: after any sequence of `after_pick`, `ready` equals
    `mastery(picks).ready` (time ties keep arrival order, as mastery's stable sort does)."""

    best_items: tuple[int, ...] = ()
    first_best_on: date | None = None
    last_best_on: date | None = None
    recent: tuple[tuple[datetime, int], ...] = ()

    @property
    def session_span_days(self) -> int:
        if self.first_best_on is None or self.last_best_on is None:
            return 0
        return (self.last_best_on - self.first_best_on).days

    @property
    def harmful_in_recent(self) -> int:
        return sum(1 for _, grade in self.recent if grade == HARMFUL)

    @property
    def ready(self) -> bool:
        # A span of SESSION_GAP_DAYS (> 0) between the first and last best dates means two sessions.
        return (
            len(self.best_items) >= ISOMORPHS_NEEDED
            and self.session_span_days >= SESSION_GAP_DAYS
            and self.harmful_in_recent == 0
        )


NO_PICKS = MasteryState()


def after_pick(state: MasteryState, pick: Pick) -> MasteryState:
    """The state once `pick` is added (see MasteryState for the order picks may come in)."""
    best_items, first, last = state.best_items, state.first_best_on, state.last_best_on
    if pick.grade == BEST:
        if pick.item_id not in best_items and len(best_items) < ISOMORPHS_NEEDED:
            best_items = (*best_items, pick.item_id)
        day = pick.at.date()
        first = day if first is None or day < first else first
        last = day if last is None or day > last else last
    # Stable: a pick at the same time as a kept one goes after it, as if it had been sorted in.
    recent = sorted((*state.recent, (pick.at, pick.grade)), key=lambda kept: kept[0])[-RECENT_WINDOW:]
    return MasteryState(best_items, first, last, tuple(recent))


def state_of(picks: Iterable[Pick], state: MasteryState = NO_PICKS) -> MasteryState:
    for pick in picks:
        state = after_pick(state, pick)
    return state
