"""Adaptive difficulty per skill: when a trainee's level moves. Pure: no ORM.

Deliberate practice works at the edge of one's ability (Rousmaniere, 2017; the APA Essentials
of Deliberate Practice series rate each client statement beginner, intermediate or advanced and
ask the trainee how hard it felt). A trainee's level in a skill moves up after a run of best
replies or a "too easy", and down after a run of weak or harmful ones or a "too hard"; "about
right" keeps it and resets the runs. The thresholds are settings (ATTUNE_LEVEL_*).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..grading import BEST, DIFFICULTIES, WEAK

LEVELS = DIFFICULTIES  # beginner < intermediate < advanced
REACTIONS = ("too_easy", "about_right", "too_hard")


@dataclass(frozen=True)
class Thresholds:
    up_after_best: int = 3  # best replies in a row at the level
    down_after_misses: int = 2  # weak or harmful replies in a row


@dataclass(frozen=True)
class Level:
    level: str = "beginner"
    best_run: int = 0
    miss_run: int = 0


def _moved(level: str, by: int) -> str:
    index = max(0, min(len(LEVELS) - 1, LEVELS.index(level) + by))
    return LEVELS[index]


def after_answer(current: Level, grade: int, limits: Thresholds) -> Level:
    """The level after one scored reply in the skill (a quiz's first step or a review)."""
    best_run = current.best_run + 1 if grade == BEST else 0
    miss_run = current.miss_run + 1 if grade <= WEAK else 0
    if best_run >= limits.up_after_best:
        return Level(_moved(current.level, +1))
    if miss_run >= limits.down_after_misses:
        return Level(_moved(current.level, -1))
    return Level(current.level, best_run, miss_run)


def after_reaction(current: Level, reaction: str) -> Level:
    """The level after the trainee's one-tap reaction to an item."""
    if reaction not in REACTIONS:
        raise ValueError(f"reaction must be one of {', '.join(REACTIONS)}, not {reaction!r}")
    if reaction == "too_easy":
        return Level(_moved(current.level, +1))
    if reaction == "too_hard":
        return Level(_moved(current.level, -1))
    return Level(current.level)


def closest_first(items_levels: list[str], level: str) -> list[int]:
    """Indexes of items ordered by how far their difficulty is from the level (stable within)."""
    target = LEVELS.index(level)
    return sorted(range(len(items_levels)), key=lambda i: abs(LEVELS.index(items_levels[i]) - target))
