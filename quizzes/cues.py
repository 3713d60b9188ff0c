"""Surface cues: features of an option's wording that can point to the keyed best reply without the
trainee reading it for meaning. Pure: no ORM, no Django.

Three cues are measured (issue 10):

- ``ends_with_question``: the option ends with "?" (a good reply is often a question, so a trainee
  learns to pick the question);
- ``names_client``: the option uses the client's first name (names were padding to meet the length
  rule, and sat mostly on weak and harmful options);
- ``has_intensifier``: the option holds an absolute or intensifier word from ``INTENSIFIERS``
  (they sat mostly on weak and harmful options).

A step is flagged when a cue singles out its best option: in a step of three or more options, the
best option is the only one with the cue, or the only one without it. Across a course, each cue
should sit on about the same share of best options as of the other options (``cue_report``).

The client's name of an item is the first word of its vignette ("Marco, 23, ..."), without its
punctuation: every shipped item opens its vignette with the client's first name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

BEST = 3
GRADES = (3, 2, 1, 0)
MIN_OPTIONS_FOR_STEP_CHECK = 3

# Absolute and intensifier words and phrases, matched as whole words, case-insensitively. Words that
# are also ordinary connectives ("so", "quite", "all") are left out: they would flag plain sentences.
INTENSIFIERS = (
    "absolutely",
    "always",
    "at all",
    "certainly",
    "clearly",
    "completely",
    "deeply",
    "definitely",
    "entirely",
    "everyone",
    "extremely",
    "honestly",
    "incredibly",
    "indeed",
    "just",
    "literally",
    "never",
    "obviously",
    "of course",
    "perfectly",
    "really",
    "simply",
    "surely",
    "totally",
    "truly",
    "utterly",
    "very",
)

_INTENSIFIER = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in INTENSIFIERS) + r")(?!\w)",
    re.IGNORECASE,
)
# Closing quotes and brackets after the final mark: 'How did it land?"' still ends with a question.
_TRAILING = " \t\r\n\"'”’»)]"


def fold(text: str) -> str:
    """Lower case without accents, so that "Lucía" and "Lucia" are the same name."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def ends_with_question(text: str) -> bool:
    """Whether the option ends with a question mark (closing quotes and brackets aside)."""
    return (text or "").rstrip(_TRAILING).endswith("?")


def names_client(text: str, name: str) -> bool:
    """Whether the option uses the client's name as a whole word ("Marco", "Marco's"), in any case."""
    name = (name or "").strip()
    if not name:
        return False
    pattern = r"(?<!\w)" + re.escape(fold(name)) + r"(?!\w)"
    return re.search(pattern, fold(text or "")) is not None


def has_intensifier(text: str) -> bool:
    """Whether the option holds a word or phrase of ``INTENSIFIERS`` as a whole word."""
    return _INTENSIFIER.search(text or "") is not None


def client_name(vignette: str) -> str:
    """The client's first name: the vignette's first word without its punctuation ("Marco," -> "Marco")."""
    words = (vignette or "").split()
    return re.sub(r"^\W+|\W+$", "", words[0]) if words else ""


_AGE = re.compile(r"^\W*[^\W\d_][\w'’-]*\W*?,?\s*(\d{1,3})\b")


def client_age(vignette: str) -> int | None:
    """The client's age when the vignette gives it right after the name ("Marco, 23, ..."), else None."""
    match = _AGE.match(vignette or "")
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Cue:
    key: str
    # How the cue reads in a problem: "ends with '?'" -> "the best option is the only one that ends with '?'"
    phrase: str
    detect: Callable[[str, str], bool]


CUES = (
    Cue("question", "ends with '?'", lambda text, name: ends_with_question(text)),
    Cue("name", "uses the client's name", names_client),
    Cue("intensifier", "holds an absolute or intensifier word", lambda text, name: has_intensifier(text)),
)
# The inverse phrases, for a best option that is the only one without the cue.
_WITHOUT = {
    "question": "does not end with '?'",
    "name": "does not use the client's name",
    "intensifier": "holds no absolute or intensifier word",
}


def step_cue_problems(options: Sequence[dict], client_name: str) -> list[str]:
    """How a cue singles out the best option of one step (its branches aside); empty when none does.

    Only a step of three or more options with exactly one best option is checked: with two options,
    "the only one with" and "the only one without" are the same thing and say nothing."""
    best = [o for o in options if o.get("grade") == BEST]
    if len(options) < MIN_OPTIONS_FOR_STEP_CHECK or len(best) != 1:
        return []
    [best_option] = best
    others = [o for o in options if o is not best_option]
    problems = []
    for cue in CUES:
        on_best = cue.detect(best_option.get("text") or "", client_name)
        on_others = [cue.detect(o.get("text") or "", client_name) for o in others]
        if on_best and not any(on_others):
            problems.append(f"the best option ({best_option.get('id')}) is the only one that {cue.phrase}")
        elif not on_best and all(on_others):
            problems.append(f"the best option ({best_option.get('id')}) is the only one that {_WITHOUT[cue.key]}")
    return problems


@dataclass
class CueRate:
    """How often one cue sits on options of each grade, across a course."""

    cue: str
    carrying: dict[int, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    total: dict[int, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))

    def share(self, grade: int) -> float:
        return self.carrying[grade] / self.total[grade] if self.total[grade] else 0.0

    @property
    def best(self) -> float:
        """Share of best options that carry the cue."""
        return self.share(BEST)

    @property
    def others(self) -> float:
        """Share of the other options (acceptable, weak and harmful together) that carry the cue."""
        carrying = sum(self.carrying[g] for g in GRADES if g != BEST)
        total = sum(self.total[g] for g in GRADES if g != BEST)
        return carrying / total if total else 0.0

    @property
    def gap(self) -> float:
        """Best minus others: positive when the cue points to the best option, negative when away from it."""
        return self.best - self.others


def cue_report(steps: Iterable[tuple[Sequence[dict], str]]) -> dict[str, CueRate]:
    """For each cue, how many options of each grade carry it, over steps given as (options, client name)."""
    report = {cue.key: CueRate(cue.key) for cue in CUES}
    for options, name in steps:
        for option in options:
            grade = option.get("grade")
            if grade not in GRADES:
                continue
            for cue in CUES:
                rate = report[cue.key]
                rate.total[grade] += 1
                rate.carrying[grade] += cue.detect(option.get("text") or "", name)
    return report
