"""The shipped course passes validate_course and holds the counts issue 4 asks for."""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from course.conf import SHIPPED_COURSE_PATH
from course.package import load_package

REPO = Path(__file__).resolve().parents[1]
QUIZ_MODULES = range(2, 9)


@pytest.fixture(scope="module")
def summary() -> dict[str, int]:
    result = subprocess.run(
        [sys.executable, "manage.py", "validate_course"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "OK"
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
