"""The shipped course passes validate_course and holds the counts issue 4 asks for."""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from course.conf import SHIPPED_COURSE_PATH
from course.package import load_package
from quizzes import sessions

REPO = Path(__file__).resolve().parents[1]
QUIZ_MODULES = range(2, 9)


@pytest.fixture(scope="module")
def validate_lines() -> list[str]:
    result = subprocess.run(
        [sys.executable, "manage.py", "validate_course"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "OK"
    return lines


@pytest.fixture(scope="module")
def summary(validate_lines) -> dict[str, int]:
    lines = validate_lines
    [line] = [line for line in lines if line.startswith("Summary: ")]
    return {name: int(count) for count, name in re.findall(r"(\d+) ([a-z -]+?)(?:,|$)", line[len("Summary: ") :])}


@pytest.fixture(scope="module")
def section():
    package = load_package(SHIPPED_COURSE_PATH)
    return package, package.sections["quizzes"]


def test_shipped_course_validates_with_the_issue_counts(summary):
    assert summary["modules"] >= 8
    assert summary["items"] >= 56
    assert summary["skills"] >= 14
    assert summary["branch items"] * 3 >= summary["items"]
    assert summary["facts"] >= 20
    assert summary["write-first items"] >= len(QUIZ_MODULES)


def test_each_quiz_module_has_eight_items_and_a_write_first_one(section):
    package, quizzes = section
    for module in package.modules:
        if module.order not in QUIZ_MODULES:
            continue
        items = [item for item in quizzes.items if item.module == module.id]
        assert len(items) >= 8, module.id
        assert any(item.write_first for item in items), module.id


def test_fourteen_skills_each_have_three_items(section):
    _, quizzes = section
    per_skill = Counter(item.skill for item in quizzes.items)
    assert sum(count >= 3 for count in per_skill.values()) >= 14, per_skill


def test_each_client_first_name_belongs_to_one_client(section):
    from quizzes import cues
    from quizzes.validation import client_name_problems, lesson_client_problems

    package, quizzes = section
    assert client_name_problems(quizzes) == []
    assert lesson_client_problems(package, quizzes) == []
    names = Counter(cues.fold(cues.client_name(item.vignette)) for item in quizzes.items)
    # No client is met twice in the shipped course, so every first name is used once.
    assert [name for name, count in names.items() if count > 1] == []
    assert len(names) == len(quizzes.items)


def test_every_skills_group_has_an_item_at_each_level(section):
    from quizzes.grading import DIFFICULTIES

    _, quizzes = section
    levels: dict[str, set[str]] = {}
    for item in quizzes.items:
        levels.setdefault(item.isomorph_group, set()).add(item.difficulty)
    assert {group: sorted(found) for group, found in levels.items() if found != set(DIFFICULTIES)} == {}


def test_every_dimension_tag_has_a_polarity_and_no_weak_reply_shows_persuasiveness(section):
    from quizzes import grading
    from quizzes.validation import polarity_problems

    _, quizzes = section
    tags = Counter()
    for item in quizzes.items:
        for _, step in grading.keyed_steps(item.steps):
            assert polarity_problems(step["options"]) == [], item.id
            for option in step["options"]:
                assert isinstance(option["dimensions"], dict), item.id
                for key, polarity in grading.option_dimensions(option):
                    tags[polarity] += 1
                    if key == "persuasiveness" and option["grade"] <= grading.WEAK:
                        assert polarity == grading.BREAKS, (item.id, option["id"])
    # Both polarities are in use: the tags say what a reply breaks, not only what it shows.
    assert tags[grading.SHOWS] > 200 and tags[grading.BREAKS] > 100, tags


# validate_course's figures for the shipped relationship-state sessions: distinct complete paths and how
# many of them reach each ending. A change to a session's turns, effects or rules moves them on purpose.
SHIPPED_SESSIONS = {
    "m2-session-chidi": (109, {"end-defended": 30, "end-heard": 27, "end-noted": 52}),
    "m3-session-nkechi": (55, {"end-closed": 19, "end-guarded": 7, "end-met": 7, "end-thaw": 5, "end-working": 17}),
    "m4-session-ewa": (
        46,
        {"end-colluded": 5, "end-leaves": 19, "end-polite": 10, "end-stays": 7, "end-understood": 5},
    ),
    "m5-session-dagny": (64, {"end-closes": 22, "end-met": 1, "end-polite": 27, "end-repaired": 14}),
    "m5-session-farida": (49, {"end-careful": 19, "end-repaired": 13, "end-withdraws": 17}),
    "m5-session-goran": (
        52,
        {"end-repaired": 15, "end-shamed": 6, "end-unresolved": 7, "end-walks-out": 12, "end-working": 12},
    ),
    "m6-session-bastian": (88, {"end-hurt": 36, "end-met": 13, "end-warm": 39}),
    "m6-session-leilani": (55, {"end-closed": 17, "end-repaired": 10, "end-smoothed": 24, "end-trust": 4}),
    "m7-session-saoirse": (40, {"end-flooded": 12, "end-grounded": 9, "end-pushed": 4, "end-shaken": 15}),
    "m8-session-teodor": (
        31,
        {"end-blurred": 8, "end-dropped": 1, "end-good": 6, "end-postponed": 2, "end-promised": 1, "end-tidy": 13},
    ),
}
SESSION_LINE = re.compile(
    r"^Session (\S+): (\d+) paths; endings: (.+); scores (\d\.\d\d)-(\d\.\d\d) \(best path \S+\)$"
)


def test_shipped_sessions_paths_and_endings_as_validate_reports_them(summary, validate_lines):
    assert summary["sessions"] >= 8
    reported = {}
    for line in validate_lines:
        match = SESSION_LINE.match(line)
        if match:
            item, paths, endings, worst, best = match.groups()
            counts = {name: int(count) for name, count in (part.rsplit(" ", 1) for part in endings.split(", "))}
            reported[item] = (int(paths), counts)
            # Every session can be played perfectly (best replies to a good ending) and badly (a harmful ending).
            assert (worst, best) == ("0.00", "1.00"), line
    assert reported == SHIPPED_SESSIONS
    assert summary["sessions"] == len(SHIPPED_SESSIONS)


def test_each_shipped_session_ends_well_on_its_best_path_and_not_always_the_same_way(section):
    _, quizzes = section
    shipped = [item for item in quizzes.items if sessions.is_session(item.steps)]
    assert {item.id for item in shipped} == set(SHIPPED_SESSIONS)
    for item in shipped:
        found = sessions.explore(item.steps)
        outcomes = {item.steps["endings"][ending]["outcome"] for ending in found.endings}
        assert item.steps["endings"][found.best_path_ending]["outcome"] == "good", item.id
        assert {"good", "mixed", "poor"} <= outcomes, item.id
        assert {"bond", "arousal", "openness"} <= set(item.steps["state"]), item.id


def test_shipped_sessions_remember_a_rupture_that_builds_and_a_reply_that_lands_by_the_bond(section):
    _, quizzes = section
    spec = {item.id: item.steps for item in quizzes.items}
    dagny, bastian = spec["m5-session-dagny"], spec["m6-session-bastian"]
    # Two small misses (grade 1 each) and Dagny goes quiet; owning them brings the bond back.
    assert sessions.play(dagny, ["b"]).turn == "t2-short"
    withdrawn = sessions.play(dagny, ["b", "b"])
    assert (withdrawn.turn, withdrawn.state["bond"]) == ("t3-withdrawn", 1)
    assert sessions.play(dagny, ["b", "b", "a", "a"]).ending == "end-repaired"
    assert sessions.play(dagny, ["b", "b", "b"]).ending == "end-closes"  # a third small miss: the bond's floor
    # The same here-and-now reply to Bastian at the same turn: an invitation after empathy, a criticism after advice.
    warm, cool = sessions.play(bastian, ["a", "b"]), sessions.play(bastian, ["b", "b"])
    assert warm.turn == cool.turn == "t3-there" and warm.state["bond"] > cool.state["bond"]
    assert sessions.play(bastian, ["a", "b", "a"]).ending == "end-met"
    assert sessions.play(bastian, ["b", "b", "a"]).ending == "end-hurt"


def test_no_shipped_session_ends_well_on_a_weak_or_harmful_last_reply(section):
    """A good ending follows a good last reply: the state alone never rewards a miss at the end."""
    _, quizzes = section
    for item in quizzes.items:
        if not sessions.is_session(item.steps):
            continue
        spec, pending = item.steps, [sessions.start(item.steps)]
        while pending:
            position = pending.pop()
            for option in spec["turns"][position.turn]["options"]:
                after = sessions.step(spec, position, option["id"])
                if not after.ended:
                    pending.append(after)
                elif spec["endings"][after.ending]["outcome"] == "good":
                    assert option["grade"] >= 2, (item.id, after.turns, option["id"])
                if after.ended and option["grade"] == 0:
                    # A harmful last reply ends poorly, whatever the state.
                    assert spec["endings"][after.ending]["outcome"] == "poor", (item.id, after.turns, option["id"])
