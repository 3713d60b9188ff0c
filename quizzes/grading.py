"""Scenario rules with no ORM: walking an item's steps, shuffling options, scoring an attempt.

An item's steps form a tree. The root step is the client's statement and its options; an
option may lead (`next`) to a branch step with the client's reply and options of its own.
A step is addressed by its path: "" for the root, "a" for the step after option a, "a.c"
for the step after option c of that step. A relationship-state session (quizzes/sessions.py)
is addressed the same way, by its choices; these functions hand it to that module.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import sessions

DIFFICULTIES = ("beginner", "intermediate", "advanced")

BEST, ACCEPTABLE, WEAK, HARMFUL = 3, 2, 1, 0
MAX_GRADE = BEST
GRADE_LABELS = {BEST: "best", ACCEPTABLE: "acceptable", WEAK: "weak", HARMFUL: "harmful"}
MAX_DEPTH = 3
# An option's dimension tag says whether the reply shows the dimension or breaks it (issue 10):
# the grade alone cannot say it, since a weak reply may be fluent and still break the repair.
SHOWS, BREAKS = "shows", "breaks"
POLARITIES = (SHOWS, BREAKS)


class StepNotFound(LookupError):
    pass


def step_at(root: dict, path: str) -> dict:
    """The step at a path ("" is the root); StepNotFound if the path leads nowhere."""
    if sessions.is_session(root):
        try:
            return sessions.step_at(root, path)
        except sessions.SessionError:
            raise StepNotFound(path)
    step = root
    if path:
        for option_id in path.split("."):
            option = option_by_id(step, option_id)
            if option is None or not option.get("next"):
                raise StepNotFound(path)
            step = option["next"]
    return step


def option_by_id(step: dict, option_id: str) -> dict | None:
    return next((o for o in step.get("options", []) if o.get("id") == option_id), None)


def option_dimensions(option: dict) -> tuple[tuple[str, str], ...]:
    """An option's dimension tags as (dimension, polarity) pairs, in the package's order. Items
    stored before polarity existed hold a plain list: there the grade decides, as it did then."""
    tags = option.get("dimensions") or ()
    if isinstance(tags, dict):
        return tuple((key, polarity) for key, polarity in tags.items() if polarity in POLARITIES)
    polarity = SHOWS if option.get("grade", HARMFUL) >= ACCEPTABLE else BREAKS
    return tuple((key, polarity) for key in tags if isinstance(key, str))


def answered_step(root: dict, path: str, option_id: str) -> tuple[dict, dict] | None:
    """The step and option an answer refers to, or None when a later version of the item
    rewrote them (answers keep their grade, so history still scores; only the text is gone)."""
    try:
        step = step_at(root, path)
    except StepNotFound:
        return None
    option = option_by_id(step, option_id)
    return (step, option) if option is not None else None


def session_ending(root: dict, answers: Iterable[tuple[str, str]]) -> tuple[str, int] | None:
    """A session's ending and its grade (sessions.OUTCOMES) from its answers' (step path, option),
    or None while it goes on or when a later version rewrote it (the replies still score)."""
    if not sessions.is_session(root):
        return None
    last = max(answers, key=lambda answer: len(answer[0]), default=None)
    if last is None:
        return None
    try:
        position = sessions.play(root, [*sessions.split_path(last[0]), last[1]])
    except (sessions.SessionError, KeyError):
        return None
    if not position.ended:
        return None
    return position.ending, sessions.OUTCOMES[root["endings"][position.ending]["outcome"]]


def keyed_steps(root: dict) -> Iterable[tuple[str, dict]]:
    """The steps whose options the keying rules check: each step of a branching item, each
    turn of a session once (a turn's options are the same on every path that reaches it)."""
    if sessions.is_session(root):
        yield from sessions.turn_steps(root)
        return
    yield from iter_steps(root)


def best_option(step: dict) -> dict:
    return max(step["options"], key=lambda o: o["grade"])


def has_branches(root: dict) -> bool:
    """A branching item: some reply leads to a further step (sessions are walked by their own rules)."""
    return not sessions.is_session(root) and any(step is not root for _, step in iter_steps(root))


def replay_walk(root: dict, path: str) -> tuple[list[tuple[str, dict]], dict | None]:
    """A replay of a branching item along `path`: each pick as (the client's line it answered,
    the option), and the step the path reaches, or None where that branch ends. StepNotFound
    for a path that leads nowhere (an unknown option, a pick after a branch's end)."""
    picks: list[tuple[str, dict]] = []
    step: dict | None = root
    for option_id in path.split(".") if path else []:
        option = option_by_id(step, option_id) if step is not None else None
        if option is None:
            raise StepNotFound(path)
        picks.append((step.get("client_reply", ""), option))
        step = option.get("next") or None
    return picks, step


def parent_path(path: str) -> str:
    return path.rpartition(".")[0]


def child_path(path: str, option_id: str) -> str:
    return f"{path}.{option_id}" if path else option_id


def next_step_path(root: dict, path: str, option_id: str) -> str | None:
    """Where a pick leads: the branch step's path, or None when the item ends there."""
    option = option_by_id(step_at(root, path), option_id)
    if option is None:
        raise StepNotFound(f"{path}:{option_id}")
    return child_path(path, option_id) if option.get("next") else None


def iter_steps(root: dict, path: str = "") -> Iterable[tuple[str, dict]]:
    """Every step of an item with its path, depth first (every position, for a session)."""
    if sessions.is_session(root):
        yield from sessions.iter_paths(root)
        return
    yield path, root
    for option in root.get("options", []):
        if option.get("next"):
            yield from iter_steps(option["next"], child_path(path, option["id"]))


def shuffled_options(step: dict, seed: int, item_key: str, path: str) -> list[dict]:
    """The step's options in an order fixed by the attempt's seed: stable on reload, new on a retake."""
    options = list(step["options"])
    random.Random(f"{seed}:{item_key}:{path}").shuffle(options)
    return options


@dataclass(frozen=True)
class AnsweredStep:
    item: str
    skill: str
    grade: int
    dimensions: tuple[tuple[str, str], ...] = ()  # (dimension, polarity) pairs
    ending: bool = False  # a session's ending, graded like a step but never a harmful pick


@dataclass
class Tally:
    earned: int = 0
    possible: int = 0
    steps: int = 0
    harmful: int = 0

    def add(self, grade: int, pick: bool = True) -> None:
        self.earned += grade
        self.possible += MAX_GRADE
        self.steps += 1
        self.harmful += pick and grade == HARMFUL

    @property
    def share(self) -> float:
        return self.earned / self.possible if self.possible else 0.0


@dataclass
class DimensionTally:
    shown: int = 0
    broken: int = 0


@dataclass
class AttemptResult:
    total: Tally
    passed: bool
    reasons: list[str]
    by_skill: dict[str, Tally] = field(default_factory=dict)
    by_dimension: dict[str, DimensionTally] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return self.total.share


def score_attempt(answers: Iterable[AnsweredStep], pass_threshold: float, harmful_fails: bool) -> AttemptResult:
    """Score every answered step against the best grade of that step.

    The maximum is 3 for each step the trainee met, so a branch reached by a good choice
    adds to both what was earned and what was possible. The attempt passes when the share
    reaches the threshold and, if `harmful_fails`, no harmful option was picked.
    """
    if not 0 < pass_threshold <= 1:
        raise ValueError(f"pass_threshold must be in (0, 1], not {pass_threshold}")
    total = Tally()
    by_skill: dict[str, Tally] = defaultdict(Tally)
    by_dimension: dict[str, DimensionTally] = defaultdict(DimensionTally)
    for answer in answers:
        if answer.grade not in GRADE_LABELS:
            raise ValueError(f"grade must be 0-3, not {answer.grade}")
        total.add(answer.grade, pick=not answer.ending)
        by_skill[answer.skill].add(answer.grade, pick=not answer.ending)
        for dimension, polarity in answer.dimensions:
            tally = by_dimension[dimension]
            if polarity == SHOWS:
                tally.shown += 1
            else:
                tally.broken += 1
    reasons = []
    if total.share + 1e-9 < pass_threshold:
        reasons.append(f"score {total.share:.0%} is below the pass mark of {pass_threshold:.0%}")
    if harmful_fails and total.harmful:
        reasons.append(f"{total.harmful} harmful choice{'s' if total.harmful != 1 else ''}")
    passed = total.steps > 0 and not reasons
    if total.steps == 0:
        reasons.append("no answers")
    return AttemptResult(total, passed, reasons, dict(by_skill), dict(by_dimension))


def fsrs_rating(
    grade: int, confidence: int | None = None, seconds: float | None = None, quick_seconds: float = 20.0
) -> str:
    """CONTENT.md's review policy: harmful or weak -> again, acceptable -> hard, best -> good,
    best with high confidence (4) and a quick answer -> easy."""
    if grade <= WEAK:
        return "again"
    if grade == ACCEPTABLE:
        return "hard"
    if confidence == 4 and seconds is not None and seconds <= quick_seconds:
        return "easy"
    return "good"
