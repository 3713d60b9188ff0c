"""The trainee's pages and API and the instructor's grid apply one rule (course.rules.module_status)."""

import pytest
from django.urls import reverse

from course import rules
from course.services import lesson_complete, module_result_record
from quizzes.instructor.selectors import cohort_dashboard

pytestmark = pytest.mark.django_db


def statuses(client, api_client, cohort):
    page = client.get(reverse("course:course", args=["relationship"])).context["outline"]
    api = api_client.get("/api/v1/courses/relationship/").json()["modules"]
    (row,) = cohort_dashboard(cohort).rows
    return (
        page.modules[0].status,
        api[0]["status"],
        row.cells[0].status,
    ), row


def test_a_quiz_passed_without_reading_is_in_progress_everywhere(trainee_client, api_client, trainee, cohort):
    first = cohort.course.modules.get(slug="first")
    first.quiz_required = True
    first.save()
    module_result_record(trainee, first, 0.9, True)

    seen, row = statuses(trainee_client, api_client, cohort)
    assert seen == (rules.IN_PROGRESS,) * 3
    assert row.modules_done == 0

    for lesson in first.lessons.all():
        lesson_complete(trainee, lesson)
    seen, row = statuses(trainee_client, api_client, cohort)
    assert seen == (rules.COMPLETED,) * 3
    assert row.modules_done == 1
