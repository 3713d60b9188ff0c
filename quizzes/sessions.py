"""Relationship-state sessions: a scenario whose client remembers. Pure: no ORM.

A session declares a few state variables (the alliance bond, the client's arousal against a
window of tolerance, their openness), each with a range and a start. Every option carries its
grade and rationale, as in other items, and an effect on the state ("bond: -1"). After a reply:

1. the effect is applied (clamped to the variable's range);
2. the session's `end_when` rules are read top to bottom: the first that matches ends it
   (for example the client leaves when the bond reaches its floor);
3. otherwise the turn's `next` rules are read top to bottom, the first that matches wins, and
   the last rule is the default: it names the next turn or an ending;
4. after `max_turns` replies a session still going reaches `on_turn_limit`.

A turn's client line may depend on the state too (`lines`: first match, else `client`).

Everything follows from the choices alone, so a position is addressed by them: "" is the
start, "a.c" the position after choosing a and then c. That keeps sessions inside the same
attempt machinery as branching items (an attempt's step path, one answer per step) and makes
the space of a session finite and small enough to explore in full when it is validated.

A condition maps variables to tests: `bond: "<= 1"`, `arousal: over` (above its window;
also `under`, `within`), `openness: ">= 3"`; `option: b` tests the reply just chosen; all
must hold. Outcomes of endings: good, mixed or poor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

KIND = "session"
# An ending counts as one more graded step: a good ending as a best reply, a mixed one as acceptable.
OUTCOMES = {"good": 3, "mixed": 2, "poor": 0}
ZONES = ("under", "within", "over")
MAX_TURNS_LIMIT = 8
MAX_POSITIONS = 5000  # a session whose space is larger than this is refused by the validator
COMPARISON = re.compile(r"^\s*(<=|>=|==|<|>)\s*(-?\d+)\s*$")


class SessionError(ValueError):
    """A session's definition is inconsistent (an unknown turn, a variable it never declared)."""


def is_session(steps: dict) -> bool:
    return isinstance(steps, dict) and steps.get("kind") == KIND


def zone(variable: dict, value: int) -> str:
    low, high = variable.get("window", (variable["min"], variable["max"]))
    return "under" if value < low else "over" if value > high else "within"


def check_test(variable: dict, test) -> str | None:
    """Why a condition's test cannot be read, or None."""
    if isinstance(test, str) and test.strip() in ZONES:
        return None if "window" in variable else f"{test.strip()!r} needs a window on the variable"
    if isinstance(test, bool) or not isinstance(test, (str, int)):
        return f"{test!r} is not a test: use '<= 1', '>= 3', '== 2' or under/within/over"
    if isinstance(test, int) or COMPARISON.match(test):
        return None
    return f"{test!r} is not a test: use '<= 1', '>= 3', '== 2' or under/within/over"


def passes(variable: dict, value: int, test) -> bool:
    if isinstance(test, int):
        return value == test
    test = test.strip()
    if test in ZONES:
        return zone(variable, value) == test
    op, number = COMPARISON.match(test).groups()
    number = int(number)
    return {
        "<=": value <= number,
        ">=": value >= number,
        "==": value == number,
        "<": value < number,
        ">": value > number,
    }[op]


def matches(spec: dict, when: dict | None, state: dict[str, int], option_id: str | None) -> bool:
    for name, test in (when or {}).items():
        if name == "option":
            if option_id != test:
                return False
        elif not passes(spec["state"][name], state[name], test):
            return False
    return True


@dataclass
class Position:
    """Where a session stands after some choices."""

    turn: str | None  # None once ended
    state: dict[str, int]
    ending: str | None = None
    trajectory: list[dict[str, int]] = field(default_factory=list)  # the state before each reply, then after the last
    grades: list[int] = field(default_factory=list)
    turns: list[str] = field(default_factory=list)  # the turn of each reply
    matched: list[tuple[str, int]] = field(default_factory=list)  # (turn or "end_when", rule index) used

    @property
    def ended(self) -> bool:
        return self.ending is not None


def start(spec: dict) -> Position:
    state = {name: variable["start"] for name, variable in spec["state"].items()}
    return Position(turn=spec["start"], state=state, trajectory=[dict(state)])


def _clamp(variable: dict, value: int) -> int:
    return max(variable["min"], min(variable["max"], value))


def step(spec: dict, position: Position, option_id: str) -> Position:
    """The position after one reply; SessionError for a reply the turn does not offer."""
    if position.ended:
        raise SessionError("the session has ended")
    turn = spec["turns"][position.turn]
    option = next((o for o in turn["options"] if o["id"] == option_id), None)
    if option is None:
        raise SessionError(f"turn {position.turn!r} has no option {option_id!r}")
    state = dict(position.state)
    for name, change in (option.get("effect") or {}).items():
        state[name] = _clamp(spec["state"][name], state[name] + change)
    after = Position(
        turn=None,
        state=state,
        trajectory=[*position.trajectory, dict(state)],
        grades=[*position.grades, option["grade"]],
        turns=[*position.turns, position.turn],
        matched=list(position.matched),
    )
    for index, rule in enumerate(spec.get("end_when", [])):
        if matches(spec, rule.get("when"), state, option_id):
            after.matched.append(("end_when", index))
            after.ending = rule["goto"]
            return after
    target = None
    for index, rule in enumerate(turn["next"]):
        if matches(spec, rule.get("when"), state, option_id):
            after.matched.append((position.turn, index))
            target = rule["goto"]
            break
    if target is None:
        raise SessionError(f"turn {position.turn!r}: no rule matched and there is no default")
    if target in spec["endings"]:
        after.ending = target
    elif len(after.grades) >= spec["max_turns"]:
        after.ending = spec["on_turn_limit"]
    else:
        after.turn = target
    return after


def play(spec: dict, choices: Iterable[str]) -> Position:
    position = start(spec)
    for option_id in choices:
        position = step(spec, position, option_id)
    return position


def split_path(path: str) -> list[str]:
    return path.split(".") if path else []


def client_line(spec: dict, position: Position) -> str:
    turn = spec["turns"][position.turn]
    for line in turn.get("lines", []):
        if matches(spec, line.get("when"), position.state, None):
            return line["text"]
    return turn["client"]


def step_at(spec: dict, path: str) -> dict:
    """The position at a path as a step of the attempt machinery: the client's line and the
    turn's options, each marked `next` when the session goes on after it. KeyError-free:
    SessionError for a path that leads nowhere (an ended session, an unknown option)."""
    position = play(spec, split_path(path))
    if position.ended:
        raise SessionError(f"the session ended before {path!r}")
    turn = spec["turns"][position.turn]
    options = []
    for option in turn["options"]:
        goes_on = not step(spec, position, option["id"]).ended
        options.append({**{k: v for k, v in option.items() if k != "next"}, "next": goes_on})
    return {
        "turn": position.turn,
        "client_reply": client_line(spec, position) if path else "",
        "options": options,
        "state": dict(position.state),
    }


@dataclass
class Outcome:
    ending: str
    outcome: str
    replies_share: float
    score: float


def outcome_of(spec: dict, position: Position) -> Outcome:
    """A finished session's grade: its replies and its ending (one more step, OUTCOMES) over the
    best possible, so a good path that ends badly falls short, and so does a good ending reached
    through weak replies."""
    if not position.ended:
        raise SessionError("the session has not ended")
    outcome = spec["endings"][position.ending]["outcome"]
    share = sum(position.grades) / (3 * len(position.grades)) if position.grades else 0.0
    total = (sum(position.grades) + OUTCOMES[outcome]) / (3 * (len(position.grades) + 1))
    return Outcome(position.ending, outcome, share, round(total, 4))


# ---------------------------------------------------------------- exploration (for validate_course)


@dataclass
class Exploration:
    paths: int = 0  # distinct complete paths (choice sequences that end)
    endings: dict[str, int] = field(default_factory=dict)  # ending -> number of paths reaching it
    best: float | None = None  # best and worst score over all paths
    worst: float | None = None
    best_path: str = ""
    best_path_ending: str = ""
    reached_turns: set[str] = field(default_factory=set)
    used_rules: set[tuple[str, int]] = field(default_factory=set)
    positions: int = 0
    too_large: bool = False
    # (path, ending) of each path whose last reply is harmful (grade 0) yet ends mixed or good
    harmful_not_poor: list[tuple[str, str]] = field(default_factory=list)


def explore(spec: dict) -> Exploration:
    """Every path of a session, state included (so the space is finite: at most max_turns replies)."""
    found = Exploration()
    pending: list[tuple[str, Position]] = [("", start(spec))]
    while pending:
        path, position = pending.pop()
        found.positions += 1
        if found.positions > MAX_POSITIONS:
            found.too_large = True
            return found
        found.reached_turns.add(position.turn)
        for option in spec["turns"][position.turn]["options"]:
            after = step(spec, position, option["id"])
            found.used_rules.update(after.matched)
            child = f"{path}.{option['id']}" if path else option["id"]
            if after.ended:
                found.paths += 1
                found.endings[after.ending] = found.endings.get(after.ending, 0) + 1
                result = outcome_of(spec, after)
                if found.best is None or result.score > found.best:
                    found.best, found.best_path, found.best_path_ending = result.score, child, after.ending
                if found.worst is None or result.score < found.worst:
                    found.worst = result.score
                if option["grade"] == 0 and result.outcome != "poor":
                    found.harmful_not_poor.append((child, after.ending))
            else:
                pending.append((child, after))
    return found


def problems(spec: dict) -> list[str]:
    """What is wrong with a session's design, each naming the turn, rule or ending."""
    found = explore(spec)
    if found.too_large:
        return [f"has more than {MAX_POSITIONS} positions: fewer turns or options, or more rules that end it"]
    messages = []
    for turn_id in spec["turns"]:
        if turn_id not in found.reached_turns:
            messages.append(f"turn {turn_id!r} can never be reached")
    for turn_id, turn in spec["turns"].items():
        if turn_id not in found.reached_turns:
            continue
        for index, rule in enumerate(turn["next"]):
            if (turn_id, index) not in found.used_rules:
                what = "the default" if "when" not in rule else f"rule {index + 1} ({_describe(rule['when'])})"
                messages.append(f"turn {turn_id!r}: {what} never matches on any path")
    for index, rule in enumerate(spec.get("end_when", [])):
        if ("end_when", index) not in found.used_rules:
            messages.append(f"end_when rule {index + 1} ({_describe(rule.get('when'))}) never matches on any path")
    for ending_id in spec["endings"]:
        if ending_id not in found.endings:
            messages.append(f"ending {ending_id!r} can never be reached")
    if len(found.endings) == 1:
        messages.append(f"every path ends the same way ({next(iter(found.endings))!r}): choices must matter")
    # The last reply is what the client leaves with: after a harmful one no state earns a kinder ending.
    for path, ending_id in sorted(found.harmful_not_poor):
        outcome = spec["endings"][ending_id]["outcome"]
        messages.append(
            f"path {path} ends on a harmful reply (grade 0) in {ending_id!r}, which is {outcome}: "
            f"a harmful last reply must end in a poor ending"
        )
    if found.best_path_ending and spec["endings"][found.best_path_ending]["outcome"] != "good":
        messages.append(
            f"the best path ({found.best_path}) ends in {found.best_path_ending!r}, "
            f"which is not a good ending: the best replies must end well"
        )
    return messages


def _describe(when: dict | None) -> str:
    return ", ".join(f"{name} {test}" for name, test in (when or {}).items()) or "always"


def iter_paths(spec: dict) -> Iterable[tuple[str, dict]]:
    """Every position of a session that asks for a reply, with its path and step."""
    pending = [""]
    while pending:
        path = pending.pop()
        current = step_at(spec, path)
        yield path, current
        for option in current["options"]:
            if option["next"]:
                pending.append(f"{path}.{option['id']}" if path else option["id"])


def turn_steps(spec: dict) -> Iterable[tuple[str, dict]]:
    """Each turn once, as a step (the keying rules apply to a turn's options, whatever the path)."""
    for turn_id, turn in spec["turns"].items():
        yield turn_id, {"options": turn["options"]}


# ---------------------------------------------------------------- the graph, for authors and the docs


def _effect(option: dict) -> str:
    return ", ".join(f"{name} {change:+d}" for name, change in (option.get("effect") or {}).items()) or "no change"


def graph_text(spec: dict, name: str) -> str:
    found = explore(spec)
    variables = ", ".join(f"{n} {v['min']}-{v['max']} (start {v['start']})" for n, v in spec["state"].items())
    lines = [f"Session {name}: {variables}; at most {spec['max_turns']} replies, then {spec['on_turn_limit']}"]
    for rule in spec.get("end_when", []):
        lines.append(f"  always: when {_describe(rule.get('when'))} -> {rule['goto']}")
    for turn_id, turn in spec["turns"].items():
        lines.append(f"turn {turn_id}{' (start)' if turn_id == spec['start'] else ''}")
        for option in turn["options"]:
            lines.append(f"  {option['id']} [grade {option['grade']}] {_effect(option)}")
        for rule in turn["next"]:
            lines.append(f"  then when {_describe(rule.get('when'))} -> {rule['goto']}")
    for ending_id, ending in spec["endings"].items():
        lines.append(f"ending {ending_id} ({ending['outcome']}): {found.endings.get(ending_id, 0)} paths")
    lines.append(f"{found.paths} paths; scores {found.worst:.2f}-{found.best:.2f}; best path {found.best_path}")
    return "\n".join(lines)


def graph_dot(spec: dict, name: str) -> str:
    r"""Graphviz DOT text: turns as boxes listing their replies, endings as ellipses, rules as arrows."""
    newline, left_newline = "\\n", "\\l"  # DOT's own escapes inside a label

    def quote(text: str) -> str:
        return '"' + text.replace('"', "'") + '"'

    lines = [f"digraph {quote(name)} {{", "  rankdir=LR; node [shape=box, fontname=sans];"]
    for ending_id, ending in spec["endings"].items():
        label = quote(f"{ending_id} ({ending['outcome']})")
        lines.append(f"  {quote(ending_id)} [shape=ellipse, label={label}];")
    for turn_id, turn in spec["turns"].items():
        replies = left_newline.join(f"{o['id']} [{o['grade']}] {_effect(o)}" for o in turn["options"])
        label = quote(turn_id + newline + replies + left_newline)
        lines.append(f"  {quote(turn_id)} [label={label}];")
        for rule in turn["next"]:
            lines.append(f"  {quote(turn_id)} -> {quote(rule['goto'])} [label={quote(_describe(rule.get('when')))}];")
    for rule in spec.get("end_when", []):
        lines.append(f"  any -> {quote(rule['goto'])} [style=dashed, label={quote(_describe(rule.get('when')))}];")
    lines.append("}")
    return "\n".join(lines)
