"""course.rules.module_status: one rule for the trainee's pages and the instructor's grid (no database)."""

import pytest

from course import rules
from course.rules import COMPLETED, IN_PROGRESS, LOCKED, NOT_STARTED, module_completed, module_status


# (lessons_total, lessons_completed, quiz_required, quiz_passed, locked, started) -> status
@pytest.mark.parametrize(
    "args, expected",
    [
        # nothing begun
        ((2, 0, False, False, False, False), NOT_STARTED),
        ((2, 0, True, False, False, False), NOT_STARTED),
        # a lesson opened, a lesson read, a quiz tried
        ((2, 0, True, False, False, True), IN_PROGRESS),
        ((2, 1, False, False, False, False), IN_PROGRESS),
        ((2, 1, True, False, False, False), IN_PROGRESS),
        # every lesson read
        ((2, 2, False, False, False, False), COMPLETED),
        ((2, 2, True, False, False, False), IN_PROGRESS),
        ((2, 2, True, True, False, False), COMPLETED),
        # the disagreeing case: quiz passed, lessons not (all) read
        ((2, 0, True, True, False, False), IN_PROGRESS),
        ((2, 1, True, True, False, False), IN_PROGRESS),
        ((2, 0, True, True, False, True), IN_PROGRESS),
        # a passed result on a module without a quiz counts as begun, not as done
        ((2, 0, False, True, False, False), IN_PROGRESS),
        # modules without lessons
        ((0, 0, False, False, False, False), COMPLETED),
        ((0, 0, True, False, False, False), NOT_STARTED),
        ((0, 0, True, True, False, False), COMPLETED),
        # a lock wins over everything: the trainee cannot open the module
        ((2, 0, False, False, True, False), LOCKED),
        ((2, 1, False, False, True, False), LOCKED),
        ((2, 2, True, True, True, False), LOCKED),
    ],
)
def test_module_status(args, expected):
    assert module_status(*args) == expected


def test_started_alone_never_completes():
    assert module_status(3, 0, False, False, started=True) == IN_PROGRESS


def test_more_read_than_active_lessons_is_still_complete():
    """Progress on lessons since archived is not counted by callers, but a surplus must not break the rule."""
    assert module_status(1, 2, False, False) == COMPLETED


@pytest.mark.parametrize(
    "args, expected",
    [
        ((2, 2, False, False), True),
        ((2, 1, False, False), False),
        ((2, 2, True, False), False),
        ((2, 2, True, True), True),
        ((2, 0, True, True), False),
        ((0, 0, False, False), True),
    ],
)
def test_module_completed(args, expected):
    assert module_completed(*args) is expected


def test_statuses_are_a_small_documented_set():
    assert rules.STATUSES == (LOCKED, NOT_STARTED, IN_PROGRESS, COMPLETED)
    assert all(s in rules.__doc__ for s in rules.STATUSES)
    seen = {
        module_status(total, done, quiz, passed, locked, started)
        for total in (0, 1, 2)
        for done in range(total + 1)
        for quiz in (False, True)
        for passed in (False, True)
        for locked in (False, True)
        for started in (False, True)
    }
    assert seen == set(rules.STATUSES)
