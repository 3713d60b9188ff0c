"""Builders shared by the review and reminder tests: a skill with isomorphs, facts, due trainees."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from course.models import Module
from quizzes.models import Item, Quiz
from quizzes.reminders.models import ReminderPreference
from quizzes.review.models import Fact, ReviewCard
from tests.conftest import UserFactory, enroll

SKILL = "rupture.withdrawal.notice"
STEPS = {
    "options": [
        {"id": "a", "text": "Can we pause on how last week landed?", "grade": 3, "rationale": "Names it."},
        {"id": "b", "text": "It's fine that you didn't get to it.", "grade": 2, "rationale": "Validates."},
        {"id": "c", "text": "Tell me about your sister's call.", "grade": 1, "rationale": "Misses it."},
        {"id": "d", "text": "We agreed you would do the work.", "grade": 0, "rationale": "Pressure."},
    ]
}
SECRET_VIGNETTE = "Priya, 34, low since being made redundant"


def build_review_course(course):
    """A quiz with three isomorphs of one skill and a second skill, plus two facts."""
    module = Module.objects.get(course=course, slug="first")
    quiz = Quiz.objects.create(module=module)
    for order, name in enumerate(["harold", "joaquin", "priya"], start=1):
        Item.objects.create(
            course=course,
            quiz=quiz,
            slug=f"withdrawal-{name}",
            order=order,
            skill=SKILL,
            isomorph_group=SKILL,
            difficulty="intermediate",
            vignette=f"{SECRET_VIGNETTE} ({name}).",
            client_statement=f"Yeah, the plan was fine ({name}).",
            steps=STEPS,
        )
    Item.objects.create(
        course=course,
        quiz=quiz,
        slug="immediacy-mira",
        order=9,
        skill="here_and_now.immediacy",
        isomorph_group="here_and_now.immediacy",
        difficulty="intermediate",
        vignette="Mira, 28.",
        client_statement="You must be so bored of me.",
        steps=STEPS,
    )
    for slug, correct in (("fact-r", "b"), ("fact-ci", "a")):
        Fact.objects.create(
            course=course,
            module=module,
            slug=slug,
            question=f"Question {slug}?",
            options=[
                {"id": "a", "text": "A", "correct": correct == "a"},
                {"id": "b", "text": "B", "correct": correct == "b"},
            ],
            explanation=f"Because {slug}.",
        )
    return quiz


def due_trainee(
    username: str,
    cohort,
    now: datetime,
    due: int = 1,
    *,
    zone="Europe/London",
    at=time(18, 0),
    quiet=(None, None),
    **pref,
):
    """A trainee in the cohort with `due` fact cards due at `now` and preferences looked at from `now`."""
    user = enroll(UserFactory(username=username), cohort)
    module = Module.objects.filter(course=cohort.course).first()
    facts = list(Fact.objects.filter(course=cohort.course)[:due])
    while len(facts) < due:
        facts.append(
            Fact.objects.create(
                course=cohort.course,
                module=module,
                slug=f"bulk-fact-{username}-{len(facts)}",
                question="Q?",
                options=[{"id": "a", "text": "A", "correct": True}],
                explanation="E.",
            )
        )
    ReviewCard.objects.bulk_create(
        [
            ReviewCard(user=user, course=cohort.course, kind=ReviewCard.FACT, fact=f, due=now, created_at=now)
            for f in facts
        ]
    )
    ReminderPreference.objects.create(
        user=user,
        time_zone=zone,
        reminder_time=at,
        quiet_start=quiet[0],
        quiet_end=quiet[1],
        next_reminder_at=now,
        updated_at=now,
        **pref,
    )
    return user


@pytest.fixture(name="eager_celery")
def eager_celery_fixture():
    """Run tasks in-process when enqueued (still only after commit): the broker is not under test here."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False
