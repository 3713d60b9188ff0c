from datetime import timedelta

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from course.models import LessonProgress
from tests.conftest import LessonFactory, ModuleFactory

pytestmark = pytest.mark.django_db


def test_my_courses_lists_only_my_cohorts_courses(api_client, other_trainee):
    response = api_client.get("/api/v1/courses/")
    assert response.status_code == 200
    assert [c["slug"] for c in response.json()] == ["relationship"]
    assert response.json()[0]["total_lessons"] == 4
    assert response.json()[0]["continue_lesson"] == "first-1"


def test_course_detail_shows_locks_with_the_prerequisite(api_client):
    modules = api_client.get("/api/v1/courses/relationship/").json()["modules"]
    assert modules[0]["status"] == "not started"
    assert modules[1]["locked"] is True
    assert modules[1]["locked_by"] == [{"slug": "first", "title": "First steps"}]


def test_locked_lesson_is_403_naming_the_prerequisite(api_client):
    response = api_client.get("/api/v1/courses/relationship/lessons/second-1/")
    assert response.status_code == 403
    assert "First steps" in response.json()["detail"]
    assert api_client.post("/api/v1/courses/relationship/lessons/second-1/complete/").status_code == 403


def test_lesson_detail_and_complete(api_client, trainee):
    lesson = api_client.get("/api/v1/courses/relationship/lessons/first-1/").json()
    assert lesson["body_html"] == "<p>Some <strong>text</strong>.</p>"
    assert lesson["next"] == "first-2" and lesson["previous"] is None and lesson["completed"] is False
    response = api_client.post("/api/v1/courses/relationship/lessons/first-1/complete/")
    assert response.status_code == 200
    assert response.json()["course_percent"] == 25
    again = api_client.post("/api/v1/courses/relationship/lessons/first-1/complete/")
    assert again.json()["completed_at"] == response.json()["completed_at"]
    assert LessonProgress.objects.filter(user=trainee).count() == 1


def test_another_cohorts_course_is_404_everywhere(other_trainee, course_with_lessons):
    api = APIClient()
    api.force_authenticate(other_trainee)
    for url in (
        "/api/v1/courses/relationship/",
        "/api/v1/courses/relationship/modules/",
        "/api/v1/courses/relationship/modules/first/",
        "/api/v1/courses/relationship/lessons/first-1/",
    ):
        assert api.get(url).status_code == 404, url
    assert api.post("/api/v1/courses/relationship/lessons/first-1/complete/").status_code == 404


def test_unknown_module_and_lesson_are_404(api_client):
    assert api_client.get("/api/v1/courses/relationship/modules/nope/").status_code == 404
    assert api_client.get("/api/v1/courses/relationship/lessons/nope/").status_code == 404


def test_anonymous_is_refused(course_with_lessons):
    assert APIClient().get("/api/v1/courses/").status_code in (401, 403)


def test_token_authentication(trainee):
    response = APIClient().post("/api/v1/auth/token/", {"username": "trainee", "password": "a-long-test-password"})
    assert response.status_code == 200
    token = Token.objects.get(user=trainee)
    assert response.json()["token"] == token.key
    assert APIClient().post("/api/v1/auth/token/", {"username": "trainee", "password": "nope"}).status_code == 400
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/progress/").status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api.get("/api/v1/progress/").status_code == 401


def test_progress_query_count_is_flat(api_client, trainee, course_with_lessons, django_assert_num_queries):
    api_client.post("/api/v1/courses/relationship/lessons/first-1/complete/")
    # visible courses, lesson progress and module results (one UNION): the structure comes from the cache
    with django_assert_num_queries(1):
        response = api_client.get("/api/v1/progress/")
    first = response.json()[0]
    assert first["completed_lessons"] == 1 and first["modules"][0]["lessons_done"] == 1
    for index in range(3, 7):
        module = ModuleFactory(course=course_with_lessons, slug=f"more-{index}", order=index)
        LessonFactory(module=module, slug=f"more-{index}", order=1)
    # the new modules bumped the course's version: one miss (modules, lessons, prerequisites) ...
    with django_assert_num_queries(4):
        response = api_client.get("/api/v1/progress/")
    assert len(response.json()[0]["modules"]) == 6
    # ... then the cache again
    with django_assert_num_queries(1):
        response = api_client.get("/api/v1/progress/")
    assert len(response.json()[0]["modules"]) == 6


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    body = schema.content.decode()
    assert "/api/v1/courses/{course}/lessons/{lesson}/complete/" in body
    assert client.get("/api/docs/").status_code == 200


def test_reopening_a_lesson_moves_only_its_last_opening(api_client, trainee, course_with_lessons):
    import time_machine
    from django.utils import timezone

    from course.models import LessonProgress

    url = "/api/v1/courses/relationship/lessons/first-1/"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert api_client.get(url).status_code == 200
        api_client.post(url + "complete/")
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        assert api_client.get(url).status_code == 200
    row = LessonProgress.objects.get(user=trainee, lesson__slug="first-1")
    assert row.first_opened_at == start and row.completed_at == start
    assert row.last_opened_at == start + timedelta(hours=3)
    assert LessonProgress.objects.filter(user=trainee).count() == 1
