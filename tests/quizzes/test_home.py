"""The trainee's home plans the day: next lesson, quiz to pass and why, reviews, notifications."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from course.models import Lesson
from course.services import lesson_complete
from quizzes import grading
from quizzes.models import Answer, Attempt, Reflection
from quizzes.reminders.models import Notification
from quizzes.review.models import ReviewCard

pytestmark = pytest.mark.django_db

HOME = "course:my_courses"


def read_first_module(trainee):
    for lesson in Lesson.objects.filter(module__slug="first"):
        lesson_complete(trainee, lesson)


def finished_attempt(trainee, quiz, score, grades):
    now = timezone.now()
    attempt = Attempt.objects.create(
        user=trainee,
        quiz=quiz,
        seed=1,
        item_ids=[],
        status=Attempt.COMPLETED,
        started_at=now,
        completed_at=now,
        score=score,
        passed=False,
    )
    for item, grade in zip(quiz.items.order_by("order"), grades, strict=False):
        Answer.objects.create(attempt=attempt, item=item, item_version=1, option_id="a", grade=grade, answered_at=now)
    return attempt


def test_a_new_trainee_is_welcomed_with_how_the_course_works_and_how_long_it_takes(trainee_client):
    page = trainee_client.get(reverse(HOME)).content.decode()
    assert 'data-testid="welcome"' in page
    assert "Read." in page and "Practise." in page and "Review." in page
    # four lessons at the factory's estimate
    minutes = sum(Lesson.objects.values_list("estimated_minutes", flat=True))
    assert f"about {minutes} minutes in all" in page
    assert "Start the first lesson" in page and 'data-testid="home-quiz"' not in page


def test_with_the_lessons_read_the_home_names_the_quiz_as_the_next_step(trainee_client, trainee, quiz):
    read_first_module(trainee)
    page = trainee_client.get(reverse(HOME)).content.decode()
    assert "Quiz to pass: First steps" in page and "its quiz is your next step" in page
    assert reverse("course:module", args=["relationship", "first"]) + "#quiz-title" in page
    assert 'data-testid="welcome"' not in page


def test_a_low_score_is_explained_against_the_pass_mark(trainee_client, trainee, quiz):
    read_first_module(trainee)
    finished_attempt(trainee, quiz, 0.5, [grading.WEAK, grading.BEST])
    page = trainee_client.get(reverse(HOME)).content.decode()
    assert "Your best attempt scored 50%; the pass mark is 70%." in page


def test_a_harmful_pick_is_named_as_the_reason(trainee_client, trainee, quiz):
    read_first_module(trainee)
    finished_attempt(trainee, quiz, 0.8, [grading.HARMFUL, grading.BEST])
    page = trainee_client.get(reverse(HOME)).content.decode()
    assert "scored 80% (pass mark 70%)" in page and "a harmful reply means the attempt cannot pass" in page


def test_reviews_due_notifications_and_a_new_comment_reach_the_home(trainee_client, trainee, quiz):
    now = timezone.now()
    read_first_module(trainee)
    course = quiz.module.course
    ReviewCard.objects.create(
        user=trainee, course=course, kind=ReviewCard.SKILL, skill="a", due=now - timedelta(hours=1), created_at=now
    )
    ReviewCard.objects.create(
        user=trainee, course=course, kind=ReviewCard.SKILL, skill="b", due=now + timedelta(days=2), created_at=now
    )
    Notification.objects.create(user=trainee, title="Your reflection has a comment", link="/x/", created_at=now)
    attempt = finished_attempt(trainee, quiz, 0.9, [grading.BEST])
    Reflection.objects.create(
        attempt=attempt,
        author=trainee,
        text="t",
        created_at=now,
        updated_at=now,
        instructor_comment="Good noticing.",
        scored_at=now,
    )
    page = trainee_client.get(reverse(HOME)).content.decode()
    assert "1 review due" in page and 'data-testid="review-forecast"' in page
    assert "Reviews in the coming 7 days" in page
    assert "1 unread notification" in page and "Your reflection has a comment" in page
    assert "A new comment from your instructor" in page and "Good noticing." in page
    # the navigation carries the count on every page
    lesson_page = trainee_client.get(reverse("course:lesson", args=["relationship", "first-1"])).content.decode()
    assert 'data-testid="nav-notifications"' in lesson_page and '1<span class="visually-hidden"> unread' in lesson_page


def test_the_home_costs_a_fixed_number_of_queries(trainee_client, trainee, quiz, django_assert_num_queries):
    read_first_module(trainee)
    finished_attempt(trainee, quiz, 0.5, [grading.HARMFUL])
    Notification.objects.create(user=trainee, title="n", created_at=timezone.now())
    trainee_client.get(reverse(HOME))
    # session, user, visible courses with progress and results in one UNION (the structure is cached per course
    # version); quizzes: quiz, best attempts, harmful picks, comment; review: forecast, due;
    # reminders: unread (shared with the nav), latest unread
    with django_assert_num_queries(11):
        trainee_client.get(reverse(HOME))


def test_next_on_a_modules_last_lesson_leads_to_its_quiz_once_the_lessons_are_read(trainee_client, trainee, quiz):
    last = reverse("course:lesson", args=["relationship", "first-2"])
    page = trainee_client.get(last).content.decode()
    assert 'data-testid="next-quiz"' not in page and "Next: Second steps 1" in page
    read_first_module(trainee)
    page = trainee_client.get(last).content.decode()
    assert 'data-testid="next-quiz"' in page and "Next: the quiz of First steps" in page


def test_mark_complete_and_go_on_from_the_last_lesson_lands_on_the_quiz(trainee_client, trainee, quiz):
    lesson_complete(trainee, Lesson.objects.get(slug="first-1"))
    response = trainee_client.post(
        reverse("course:lesson_complete", args=["relationship", "first-2"]), {"then": "next"}
    )
    assert response.status_code == 302
    assert response.url == reverse("course:module", args=["relationship", "first"]) + "#quiz-title"


def test_the_lock_says_pass_the_quiz_when_only_the_quiz_is_left(trainee_client, trainee, quiz):
    read_first_module(trainee)
    page = trainee_client.get(reverse("course:module", args=["relationship", "second"]))
    assert page.status_code == 403
    assert "Pass the quiz of" in page.content.decode() and "Read the lessons of" not in page.content.decode()


def test_error_pages_are_styled_and_lead_home(trainee_client, rf):
    from django.views.defaults import server_error

    missing = trainee_client.get("/no-such-page/")
    assert missing.status_code == 404 and "This page is not here" in missing.content.decode()
    assert "attune/attune.css" in missing.content.decode()
    crashed = server_error(rf.get("/"))
    assert crashed.status_code == 500 and b"Something went wrong on our side" in crashed.content


def test_the_403_page_is_styled(trainee_client, rf, trainee):
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/")
    request.user = trainee
    page = permission_denied(request, PermissionDenied())
    assert page.status_code == 403 and b"You cannot open this page" in page.content
