"""A small world of real rows for the schema and access-matrix tests.

One course of two modules (the second locked until the first is done), a quiz on each, two
cohorts of that course with a trainee and an instructor each, a staff user with no permission
and a superuser. Each trainee has played the first quiz twice without passing it (so the second
module stays locked whatever lessons a test completes): a free reply and a shared reflection,
then a private reflection; each private text carries a marker so a test can look
for it in any response body.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from rest_framework.authtoken.models import Token

from course.models import Cohort, Module
from quizzes import services
from quizzes.models import Item, Quiz
from quizzes.reminders import services as reminder_services
from quizzes.reminders.models import Notification
from quizzes.review import selectors as review_selectors
from quizzes.review import services as review_services
from quizzes.review.models import ReviewCard
from tests.conftest import CourseFactory, LessonFactory, ModuleFactory, UserFactory, enroll, give_shipped_vocabulary

PLAIN_STEPS = {
    "options": [
        {"id": "a", "text": "Best", "grade": 3, "rationale": "r"},
        {"id": "b", "text": "Weak", "grade": 1, "rationale": "r"},
        {"id": "c", "text": "Harmful", "grade": 0, "rationale": "r"},
    ]
}
PERSONAS = ["anonymous", "trainee_a", "trainee_b", "instructor_a", "instructor_b", "staff", "superuser"]


@dataclass
class Trainee:
    user: object
    attempt_shared: object  # finished, free reply and a shared reflection
    attempt_private: object  # finished, a private reflection
    attempt_open: object  # open on the first quiz, waiting for the written reply
    notification: object
    markers: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    course: object
    open_module: object
    locked_module: object
    quiz: object
    locked_quiz: object
    cohort_a: object
    cohort_b: object
    users: dict[str, object]
    tokens: dict[str, str]
    a: Trainee
    b: Trainee


def _quiz(course, module, prefix: str) -> Quiz:
    quiz = Quiz.objects.create(module=module, reflection_prompt="What did you notice?", reflection_rubric=["Names it"])
    for order, (slug, write_first) in enumerate([(f"{prefix}-priya", True), (f"{prefix}-mira", False)], start=1):
        Item.objects.create(
            course=course,
            quiz=quiz,
            slug=slug,
            order=order,
            skill="rupture.withdrawal.notice",
            isomorph_group="rupture.withdrawal.notice",
            difficulty="beginner",
            write_first=write_first,
            vignette="A client, quieter than usual.",
            client_statement="Yeah, the plan was fine.",
            steps=PLAIN_STEPS,
        )
    return quiz


def _play(user, quiz, tag: str) -> Trainee:
    markers = {
        "reply": f"zq{tag}replymarker",
        "shared": f"zq{tag}sharedmarker",
        "private": f"zq{tag}privatemarker",
    }
    first, _ = services.attempt_start(user, quiz)
    slugs = list(quiz.items.order_by("order").values_list("slug", flat=True))
    for slug in slugs:
        first.refresh_from_db()
        if quiz.items.get(slug=slug).write_first:
            services.attempt_write_reply(first, slug, markers["reply"])
        services.attempt_answer(first, slug, "", "b", 3)  # not passed: the second module stays locked
    first.refresh_from_db()
    services.reflection_save(first, markers["shared"], True)
    second, _ = services.attempt_start(user, quiz)
    for slug in slugs:
        second.refresh_from_db()
        if quiz.items.get(slug=slug).write_first:
            services.attempt_write_reply(second, slug, f"zq{tag}secondreply")
        services.attempt_answer(second, slug, "", "b", 2)
    second.refresh_from_db()
    services.reflection_save(second, markers["private"], False)
    third, _ = services.attempt_start(user, quiz)
    ReviewCard.objects.filter(user=user).update(due=timezone.now() - timedelta(minutes=1))
    prompt = review_selectors.next_review(user)
    if prompt is not None:  # one spaced review, so the review feedback route has a real id
        review_services.review_submit(user, prompt.card.pk, prompt.key, prompt.options[0]["id"], 3, 5.0, uuid.uuid4())
    reminder_services.preference_ensure(user.pk)
    note = Notification.objects.create(
        user=user, title=f"zq{tag}notemarker", body="Two reviews are due.", link="/", created_at=timezone.now()
    )
    return Trainee(user, first, second, third, note, markers)


def build_world() -> World:
    course = CourseFactory(slug="relationship", title="The Relationship")
    give_shipped_vocabulary(course)
    first = ModuleFactory(course=course, slug="first", title="First steps", order=1, quiz_required=True)
    second = ModuleFactory(course=course, slug="second", title="Second steps", order=2)
    second.prerequisites.add(first)
    for module in (first, second):
        LessonFactory(module=module, slug=f"{module.slug}-1", title=f"{module.title} 1", order=1)
    quiz = _quiz(course, first, "open")
    locked_quiz = _quiz(course, second, "locked")
    cohort_a = Cohort.objects.create(course=course, name="Cohort A", start_date=date(2026, 9, 1))
    cohort_b = Cohort.objects.create(course=course, name="Cohort B", start_date=date(2026, 9, 1))
    users = {
        "trainee_a": enroll(UserFactory(username="trainee_a"), cohort_a),
        "trainee_b": enroll(UserFactory(username="trainee_b"), cohort_b),
        "instructor_a": UserFactory(username="instructor_a"),
        "instructor_b": UserFactory(username="instructor_b"),
        "staff": UserFactory(username="staff", is_staff=True),
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }
    cohort_a.instructors.add(users["instructor_a"])
    cohort_b.instructors.add(users["instructor_b"])
    a = _play(users["trainee_a"], quiz, "a")
    b = _play(users["trainee_b"], quiz, "b")
    tokens = {name: Token.objects.create(user=user).key for name, user in users.items()}
    return World(course, first, second, quiz, locked_quiz, cohort_a, cohort_b, users, tokens, a, b)


def module_is_locked_for(user, module: Module) -> bool:
    from course import selectors

    outline = selectors.course_outline(user, module.course)
    state = outline.module(module.slug)
    return state is not None and state.locked
