"""Item analysis with no ORM: facility, discrimination, option counts, paths through branch steps.

Inputs are plain records: one `Pick` per answered step and each attempt's total score. An item's
facility and discrimination use its first step, which every attempt meets; branch steps are
reached only by some picks, so they appear in the option counts and the path distribution.

- facility: mean grade of the first step / 3 (1.0 = everyone chose the best option).
- discrimination (upper-lower index): facility in the top 27% of attempts by total score minus
  facility in the bottom 27%. Positive when stronger trainees answer the item better.
- best-pick flag: fewer than `best_floor` of the top group chose the keyed best option, which
  usually means the key, or a tempting distractor, deserves a second look.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import sessions
from ..grading import HARMFUL, MAX_GRADE, child_path, iter_steps, option_dimensions

GROUP_FRACTION = 0.27


@dataclass(frozen=True)
class Pick:
    attempt: int
    item: str
    step_path: str
    option_id: str
    grade: int


@dataclass
class OptionStat:
    id: str
    text: str
    grade: int | None
    count: int
    share: float
    upper_count: int
    lower_count: int
    dimensions: tuple[tuple[str, str], ...] = ()  # (dimension, shows | breaks), as the item tags it

    @property
    def harmful(self) -> bool:
        return self.grade == HARMFUL

    @property
    def best(self) -> bool:
        return self.grade == MAX_GRADE


@dataclass
class StepStat:
    path: str
    client_line: str
    answered: int
    options: list[OptionStat]


@dataclass
class PathStat:
    path: str
    count: int
    share: float


@dataclass
class SessionStat:
    """Across a cohort's attempts at a relationship-state session: where they ended, and where
    the relationship moved most (mean change of each variable at each turn, falls first)."""

    endings: list[tuple[str, str, int]]  # (ending id, outcome, attempts)
    moves: list[tuple[str, str, float, int]]  # (turn, variable, mean change, replies)


@dataclass
class ItemStat:
    item: str
    answered: int
    facility: float | None
    discrimination: float | None
    best_pick_upper: float | None
    harmful_picks: int
    steps: list[StepStat]
    paths: list[PathStat]
    flags: list[str] = field(default_factory=list)
    session: SessionStat | None = None


@dataclass
class QuizStat:
    attempts: int
    mean_score: float | None
    pass_rate: float | None
    upper: frozenset[int]
    lower: frozenset[int]
    items: list[ItemStat]


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def facility(grades: Iterable[int]) -> float | None:
    """Mean grade as a share of the best grade (3)."""
    value = mean(grades)
    return None if value is None else value / MAX_GRADE


def upper_lower_groups(totals: dict[int, float], fraction: float = GROUP_FRACTION) -> tuple[frozenset, frozenset]:
    """The top and bottom `fraction` of attempts by total (at least one each, ties broken by id);
    with fewer than two attempts, or all on the same total, there is nothing to compare."""
    if len(totals) < 2 or len(set(totals.values())) == 1:
        return frozenset(), frozenset()
    ranked = sorted(totals, key=lambda attempt: (totals[attempt], attempt))
    size = max(1, round(fraction * len(ranked)))
    size = min(size, len(ranked) // 2)
    return frozenset(ranked[-size:]), frozenset(ranked[:size])


def discrimination(grades_by_attempt: dict[int, int], upper: frozenset, lower: frozenset) -> float | None:
    high = facility(g for a, g in grades_by_attempt.items() if a in upper)
    low = facility(g for a, g in grades_by_attempt.items() if a in lower)
    if high is None or low is None:
        return None
    return high - low


def path_distribution(picks: Iterable[Pick]) -> list[PathStat]:
    """How many attempts took each route through an item: "d" (ended at the first step),
    "d.a" (chose d, then a at the branch step)."""
    deepest: dict[int, Pick] = {}
    for pick in picks:
        current = deepest.get(pick.attempt)
        if current is None or len(pick.step_path) > len(current.step_path):
            deepest[pick.attempt] = pick
    counts = Counter(child_path(p.step_path, p.option_id) for p in deepest.values())
    total = sum(counts.values())
    return [PathStat(path, n, n / total) for path, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _reachable(steps: dict, path: str) -> bool:
    try:
        sessions.step_at(steps, path)
    except (sessions.SessionError, KeyError):
        return False  # a later version rewrote the session
    return True


def session_stat(steps: dict, picks: list[Pick]) -> SessionStat:
    deepest: dict[int, Pick] = {}
    changes: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pick in picks:
        current = deepest.get(pick.attempt)
        if current is None or len(pick.step_path) > len(current.step_path):
            deepest[pick.attempt] = pick
        try:
            before = sessions.play(steps, sessions.split_path(pick.step_path))
            after = sessions.step(steps, before, pick.option_id)
        except (sessions.SessionError, KeyError):
            continue
        for name in steps["state"]:
            changes[(before.turn, name)].append(after.state[name] - before.state[name])
    endings: Counter = Counter()
    for pick in deepest.values():
        try:
            end = sessions.play(steps, [*sessions.split_path(pick.step_path), pick.option_id])
        except (sessions.SessionError, KeyError):
            continue
        if end.ended:
            endings[end.ending] += 1
    moves = [(turn, name, sum(d) / len(d), len(d)) for (turn, name), d in changes.items() if any(d)]
    moves.sort(key=lambda move: (move[2], move[0], move[1]))
    return SessionStat(
        endings=[(e, steps["endings"][e]["outcome"], n) for e, n in endings.most_common()],
        moves=moves,
    )


def analyse_item(
    key: str,
    steps: dict,
    client_statement: str,
    picks: list[Pick],
    upper: frozenset,
    lower: frozenset,
    best_floor: float = 0.5,
) -> ItemStat:
    by_step: dict[str, list[Pick]] = defaultdict(list)
    for pick in picks:
        by_step[pick.step_path].append(pick)
    root = {p.attempt: p.grade for p in by_step.get("", [])}

    step_stats = []
    # A session has a position per path taken: only those the cohort reached are listed.
    positions = (
        [
            (path, sessions.step_at(steps, path))
            for path in sorted(by_step, key=lambda p: (len(p), p))
            if _reachable(steps, path)
        ]
        if sessions.is_session(steps)
        else iter_steps(steps)
    )
    for path, step in positions:
        step_picks = by_step.get(path, [])
        counts = Counter(p.option_id for p in step_picks)
        upper_counts = Counter(p.option_id for p in step_picks if p.attempt in upper)
        lower_counts = Counter(p.option_id for p in step_picks if p.attempt in lower)
        known = {o["id"] for o in step.get("options", [])}
        options = [
            OptionStat(
                id=o["id"],
                text=o.get("text", ""),
                grade=o.get("grade"),
                count=counts[o["id"]],
                share=counts[o["id"]] / len(step_picks) if step_picks else 0.0,
                upper_count=upper_counts[o["id"]],
                lower_count=lower_counts[o["id"]],
                dimensions=option_dimensions(o),
            )
            for o in step.get("options", [])
        ]
        # Picks of options an edit removed still count, so the totals add up.
        for option_id in sorted(set(counts) - known):
            options.append(
                OptionStat(
                    option_id,
                    "(no longer in the item)",
                    None,
                    counts[option_id],
                    counts[option_id] / len(step_picks),
                    upper_counts[option_id],
                    lower_counts[option_id],
                )
            )
        step_stats.append(StepStat(path, step.get("client_reply") or client_statement, len(step_picks), options))

    upper_root = [a for a in root if a in upper]
    best_upper = sum(1 for a in upper_root if root[a] == MAX_GRADE) / len(upper_root) if upper_root else None
    stat = ItemStat(
        item=key,
        answered=len(root),
        facility=facility(root.values()),
        discrimination=discrimination(root, upper, lower),
        best_pick_upper=best_upper,
        harmful_picks=sum(1 for p in picks if p.grade == HARMFUL),
        steps=step_stats,
        paths=path_distribution(picks),
        session=session_stat(steps, picks) if sessions.is_session(steps) else None,
    )
    if best_upper is not None and best_upper < best_floor:
        stat.flags.append(f"only {best_upper:.0%} of the top group chose the best option")
    if stat.discrimination is not None and stat.discrimination < 0:
        stat.flags.append("weaker attempts did better on this item than stronger ones")
    return stat


def analyse_quiz(
    items: list[tuple[str, dict, str]],
    picks: Iterable[Pick],
    totals: dict[int, float],
    passed: dict[int, bool] | None = None,
    best_floor: float = 0.5,
) -> QuizStat:
    """`items` is [(key, steps, client_statement)] in quiz order; `totals` each attempt's score."""
    upper, lower = upper_lower_groups(totals)
    by_item: dict[str, list[Pick]] = defaultdict(list)
    for pick in picks:
        if pick.attempt in totals:
            by_item[pick.item].append(pick)
    return QuizStat(
        attempts=len(totals),
        mean_score=mean(totals.values()),
        pass_rate=mean(1.0 if ok else 0.0 for ok in passed.values()) if passed else None,
        upper=upper,
        lower=lower,
        items=[
            analyse_item(key, steps, statement, by_item.get(key, []), upper, lower, best_floor)
            for key, steps, statement in items
        ],
    )
