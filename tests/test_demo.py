"""`make run`'s demo data: the seeds work on the shipped course, twice, and tell a coherent story."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from course.models import Course
from course.selectors import course_outline
from quizzes.reminders.reminders import plan_sweep

pytestmark = pytest.mark.django_db


def test_demo_seeds_are_repeatable_and_leave_a_reminder_to_send(settings):
    settings.DEBUG = True  # the demo seeds refuse to run outside DEBUG (published passwords)
    call_command("import_course", verbosity=0)
    outputs = []
    for _ in range(2):
        call_command("seed_demo", stdout=StringIO())
        outputs.append(StringIO())
        call_command("seed_quiz_demo", stdout=outputs[-1])
    # The figures for the note: the demo's answers move practice levels, and its module 2 quiz plays a
    # relationship-state session to an ending; a second run plays nothing new and reports the same.
    for output in outputs:
        lines = output.getvalue().splitlines()
        assert "Practice levels moved for 5 trainee(s) by their answers." in lines
        assert ("Sessions played to an ending by 3 trainee(s): m2-session-chidi: end-heard 2, end-noted 1.") in lines
    users = get_user_model().objects
    assert {"trainee", "instructor", "admin", "amara", "eero"} <= set(users.values_list("username", flat=True))
    course = Course.objects.get()
    for trainee in users.filter(enrollments__isnull=False):
        outline = course_outline(trainee, course)
        for state in outline.modules:
            if state.best_score is not None:
                assert not state.locked, f"{trainee}: a quiz was taken in a locked module {state.module}"
    trainee = users.get(username="trainee")
    assert trainee.quiz_attempts.filter(status="completed").exists()
    report = plan_sweep(dry_run=True)
    assert report.planned == 1 and "trainee" in "\n".join(report.lines)
