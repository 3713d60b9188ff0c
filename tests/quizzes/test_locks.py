"""A locked module's quiz is refused through every route, with the same 403 as its lessons."""

import pytest
from django.urls import reverse
from django.utils import timezone

from course.models import Module, ModuleResult
from quizzes.models import Attempt, Item, Quiz
from quizzes.services import attempt_start
from tests.quizzes.conftest import SIMPLE_STEPS

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked_quiz(course_with_lessons):
    """A quiz on the second module, which stays locked until 'First steps' is complete."""
    module = Module.objects.get(course=course_with_lessons, slug="second")
    module.quiz_required = True
    module.save()
    quiz = Quiz.objects.create(module=module, reflection_prompt="What did you notice?")
    Item.objects.create(
        course=course_with_lessons,
        quiz=quiz,
        slug="locked-item",
        order=1,
        skill="rupture.withdrawal.notice",
        isomorph_group="rupture.withdrawal.notice",
        difficulty="intermediate",
        vignette="A client.",
        client_statement="Fine.",
        steps=SIMPLE_STEPS,
    )
    return quiz


@pytest.fixture
def locked_attempt(locked_quiz, trainee):
    """An attempt left open from before the module locked again (or made behind the rule's back)."""
    return Attempt.objects.create(
        user=trainee,
        quiz=locked_quiz,
        seed=1,
        started_at=timezone.now(),
        item_ids=list(locked_quiz.items.values_list("pk", flat=True)),
    )


def test_the_lesson_and_the_quiz_start_give_the_same_403(api_client, locked_quiz, trainee):
    lesson = api_client.get("/api/v1/courses/relationship/lessons/second-1/")
    start = api_client.post(f"/api/v1/quizzes/{locked_quiz.pk}/attempts/")
    assert lesson.status_code == 403 and start.status_code == 403
    assert start.json()["detail"] == lesson.json()["detail"] == "This module is locked: complete 'First steps' first."
    assert not Attempt.objects.filter(user=trainee).exists()


def test_api_step_reply_and_answer_of_a_locked_module_are_403(api_client, locked_attempt, trainee):
    base = f"/api/v1/attempts/{locked_attempt.pk}/"
    assert api_client.get(base).status_code == 403
    reply = api_client.post(base + "reply/", {"item": "locked-item", "text": "I hear you."}, format="json")
    assert reply.status_code == 403 and "First steps" in reply.json()["detail"]
    answer = api_client.post(
        base + "answers/", {"item": "locked-item", "step": "", "option": "b", "confidence": 3}, format="json"
    )
    assert answer.status_code == 403 and "First steps" in answer.json()["detail"]
    assert not locked_attempt.answers.exists()
    assert not ModuleResult.objects.filter(user=trainee).exists()


def test_pages_of_a_locked_module_quiz_are_403(trainee_client, locked_quiz, trainee):
    start = trainee_client.post(reverse("quizzes:start", args=[locked_quiz.pk]))
    assert start.status_code == 403 and "First steps" in start.content.decode()
    assert not Attempt.objects.filter(user=trainee).exists()
    attempt = Attempt.objects.create(
        user=trainee, quiz=locked_quiz, seed=1, started_at=timezone.now(), item_ids=[locked_quiz.items.get().pk]
    )
    assert trainee_client.get(reverse("quizzes:attempt", args=[attempt.pk])).status_code == 403
    reply = trainee_client.post(reverse("quizzes:reply", args=[attempt.pk]), {"item": "locked-item", "text": "Hm."})
    assert reply.status_code == 403
    answer = trainee_client.post(
        reverse("quizzes:answer", args=[attempt.pk]),
        {"item": "locked-item", "step": "", "option": "b", "confidence": "3"},
    )
    assert answer.status_code == 403 and not attempt.answers.exists()


def test_the_quiz_opens_with_its_module(api_client, locked_quiz, trainee):
    for slug in ("first-1", "first-2"):
        api_client.post(f"/api/v1/courses/relationship/lessons/{slug}/complete/")
    assert api_client.post(f"/api/v1/quizzes/{locked_quiz.pk}/attempts/").status_code == 201


def test_the_service_refuses_too(locked_quiz, trainee):
    from course.selectors import ModuleLocked

    with pytest.raises(ModuleLocked):
        attempt_start(trainee, locked_quiz)
