"""Course rules with no ORM, shared by the trainee's pages and API and the instructor's grid.

A module's status is one of:

- ``locked``: a prerequisite is not completed, so the trainee cannot open the module (only the
  trainee's outline knows prerequisites; the instructor's grid passes ``locked=False``);
- ``completed``: every active lesson is read and, when the module has a quiz, the quiz is passed;
- ``in progress``: anything begun but not completed (a lesson opened or read, a quiz attempted or
  passed: passing the quiz without reading the lessons is in progress, not completed);
- ``not started``: nothing begun.
"""

from __future__ import annotations

LOCKED, NOT_STARTED, IN_PROGRESS, COMPLETED = "locked", "not started", "in progress", "completed"
STATUSES = (LOCKED, NOT_STARTED, IN_PROGRESS, COMPLETED)


def module_completed(lessons_total: int, lessons_completed: int, quiz_required: bool, quiz_passed: bool) -> bool:
    """Every lesson read and, if the module has a quiz, the quiz passed (a module with neither is complete)."""
    return lessons_completed >= lessons_total and (quiz_passed or not quiz_required)


def module_status(
    lessons_total: int,
    lessons_completed: int,
    quiz_required: bool,
    quiz_passed: bool,
    locked: bool = False,
    started: bool = False,
) -> str:
    """The module's status for one trainee (see the module docstring for the set and the rule).

    `started` is whatever else shows the trainee began: a lesson opened, a quiz score or attempt."""
    if locked:
        return LOCKED
    if module_completed(lessons_total, lessons_completed, quiz_required, quiz_passed):
        return COMPLETED
    if started or lessons_completed or quiz_passed:
        return IN_PROGRESS
    return NOT_STARTED
