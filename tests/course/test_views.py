import pytest
from django.urls import reverse

from course.models import LessonProgress
from course.services import lesson_complete
from tests.conftest import LessonFactory, ModuleFactory

pytestmark = pytest.mark.django_db


def lesson_url(slug, course="relationship"):
    return reverse("course:lesson", args=[course, slug])


def test_anonymous_is_sent_to_log_in(client, course_with_lessons):
    response = client.get(reverse("course:my_courses"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_login_page_logs_in_and_out(client, trainee):
    response = client.post(reverse("login"), {"username": "trainee", "password": "a-long-test-password"})
    assert response.status_code == 302
    assert client.get(reverse("course:my_courses")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("course:my_courses")).status_code == 302


def test_my_courses_shows_progress_and_where_to_continue(trainee_client, trainee):
    lesson_complete(trainee, trainee.cohorts.get().course.modules.get(slug="first").lessons.get(order=1))
    response = trainee_client.get(reverse("course:my_courses"))
    content = response.content.decode()
    assert "1 of 4 lessons complete" in content
    assert 'value="1"' in content
    assert "Next lesson" in content and "First steps 2" in content
    assert 'data-testid="welcome"' not in content


def test_continue_prefers_the_lesson_last_opened_but_unfinished(trainee_client):
    trainee_client.get(lesson_url("first-2"))
    response = trainee_client.get(reverse("course:my_courses"))
    assert response.context["outlines"][0].continue_lesson.slug == "first-2"


def test_locked_module_names_the_prerequisite_that_opens_it(trainee_client):
    response = trainee_client.get(reverse("course:course", args=["relationship"]))
    assert "Read the lessons of" in response.content.decode() and "First steps</a>" in response.content.decode()
    module_page = trainee_client.get(reverse("course:module", args=["relationship", "second"]))
    assert module_page.status_code == 403
    assert "To open this module:" in module_page.content.decode()


def test_locked_lesson_is_refused_and_not_recorded(trainee_client, trainee):
    response = trainee_client.get(lesson_url("second-1"))
    assert response.status_code == 403
    assert "First steps" in response.content.decode()
    assert not LessonProgress.objects.filter(user=trainee).exists()
    assert trainee_client.post(reverse("course:lesson_complete", args=["relationship", "second-1"])).status_code == 403


def test_completing_the_prerequisite_opens_the_next_module(trainee_client, trainee):
    for slug in ("first-1", "first-2"):
        trainee_client.post(reverse("course:lesson_complete", args=["relationship", slug]))
    assert trainee_client.get(lesson_url("second-1")).status_code == 200


def test_lesson_page_renders_text_and_marks_complete(trainee_client, trainee):
    response = trainee_client.get(lesson_url("first-1"))
    assert response.status_code == 200
    assert "<strong>text</strong>" in response.content.decode()
    assert "Next: First steps 2" in response.content.decode()
    response = trainee_client.post(reverse("course:lesson_complete", args=["relationship", "first-1"]))
    assert response.status_code == 302
    assert LessonProgress.objects.get(user=trainee, lesson__slug="first-1").completed_at is not None
    page = trainee_client.get(lesson_url("first-1")).content.decode()
    assert "You have completed this lesson" in page and "1 of 4 lessons complete" in page


def test_double_click_on_complete_keeps_one_row_and_first_time(trainee_client, trainee):
    url = reverse("course:lesson_complete", args=["relationship", "first-1"])
    trainee_client.post(url)
    first = LessonProgress.objects.get(user=trainee).completed_at
    trainee_client.post(url)
    assert LessonProgress.objects.filter(user=trainee).count() == 1
    assert LessonProgress.objects.get(user=trainee).completed_at == first


def test_mark_complete_needs_post(trainee_client):
    assert trainee_client.get(reverse("course:lesson_complete", args=["relationship", "first-1"])).status_code == 405


def test_another_cohorts_course_is_404(client, other_trainee, course_with_lessons):
    client.force_login(other_trainee)
    assert client.get(reverse("course:course", args=["relationship"])).status_code == 404
    assert client.get(lesson_url("first-1")).status_code == 404
    assert client.post(reverse("course:lesson_complete", args=["relationship", "first-1"])).status_code == 404
    assert "The Relationship" not in client.get(reverse("course:my_courses")).content.decode()


def test_archived_lessons_are_hidden(trainee_client, course_with_lessons):
    lesson = LessonFactory(module=course_with_lessons.modules.get(slug="first"), slug="gone", order=9, is_active=False)
    assert trainee_client.get(lesson_url(lesson.slug)).status_code == 404


def test_course_page_query_count_does_not_grow_with_the_course(
    trainee_client, course_with_lessons, django_assert_num_queries
):
    url = reverse("course:course", args=["relationship"])
    trainee_client.get(url)
    # session, user, the visible course with progress and results in one UNION (the structure is
    # cached), and the panels (reviews due and unread notifications)
    with django_assert_num_queries(5):
        trainee_client.get(url)
    for index in range(3, 9):
        module = ModuleFactory(course=course_with_lessons, slug=f"extra-{index}", order=index)
        module.prerequisites.add(course_with_lessons.modules.get(slug="first"))
        for order in (1, 2, 3):
            LessonFactory(module=module, slug=f"extra-{index}-{order}", order=order)
    with django_assert_num_queries(8):  # the course's version moved: modules, lessons, prerequisites once
        response = trainee_client.get(url)
    assert len(response.context["outline"].modules) == 8
    with django_assert_num_queries(5):
        response = trainee_client.get(url)
    assert len(response.context["outline"].modules) == 8


def test_a_module_with_a_quiz_completes_only_when_the_quiz_is_passed(trainee_client, trainee, course_with_lessons):
    from course.services import module_result_record

    first = course_with_lessons.modules.get(slug="first")
    first.quiz_required = True
    first.save()
    for slug in ("first-1", "first-2"):
        trainee_client.post(reverse("course:lesson_complete", args=["relationship", slug]))
    assert trainee_client.get(lesson_url("second-1")).status_code == 403
    module_result_record(trainee, first, 0.5, False)
    assert trainee_client.get(lesson_url("second-1")).status_code == 403
    module_result_record(trainee, first, 0.9, True)
    module_result_record(trainee, first, 0.6, False)
    assert trainee_client.get(lesson_url("second-1")).status_code == 200
    outline = trainee_client.get(reverse("course:course", args=["relationship"])).context["outline"]
    assert outline.modules[0].status == "completed" and outline.modules[0].best_score == 0.9
