"""A course with a module quiz, played by real services, and bulk history for big cohorts."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from course.models import Enrollment
from quizzes import services
from quizzes.models import Answer, Attempt, Item, Quiz
from quizzes.review.levels import LEVELS
from quizzes.review.models import SkillLevel
from quizzes.review.services import mastery_rebuild
from quizzes.tallies import tallies_rebuild
from tests.conftest import UserFactory, enroll

RUBRIC = ["Names the marker", "Stays non-defensive"]

# First step: a best (leads to a branch), b acceptable, c harmful. Branch: a best, b harmful.
BRANCHING_STEPS = {
    "options": [
        {
            "id": "a",
            "text": "Best reply",
            "grade": 3,
            "rationale": "r",
            "dimensions": {"rupture_repair": "shows"},
            "next": {
                "client_reply": "Go on then.",
                "options": [
                    {"id": "a", "text": "Welcome it", "grade": 3, "rationale": "r"},
                    {"id": "b", "text": "Lecture", "grade": 0, "rationale": "r"},
                ],
            },
        },
        {"id": "b", "text": "Fair reply", "grade": 2, "rationale": "r"},
        {
            "id": "c",
            "text": "Harmful reply",
            "grade": 0,
            "rationale": "r",
            "dimensions": {"persuasiveness": "breaks", "warmth": "breaks"},
        },
    ]
}
PLAIN_STEPS = {
    "options": [
        {"id": "a", "text": "Best", "grade": 3, "rationale": "r"},
        {"id": "b", "text": "Weak", "grade": 1, "rationale": "r"},
        {"id": "c", "text": "Harmful", "grade": 0, "rationale": "r"},
    ]
}


@pytest.fixture
def quiz(course_with_lessons):
    module = course_with_lessons.modules.get(slug="first")
    module.quiz_required = True
    module.save()
    quiz = Quiz.objects.create(module=module, reflection_prompt="What did you notice?", reflection_rubric=RUBRIC)
    for order, (slug, skill, steps) in enumerate(
        [
            ("tomas", "rupture.confrontation.repair", BRANCHING_STEPS),
            ("mira", "here_and_now.immediacy", PLAIN_STEPS),
        ]
    ):
        Item.objects.create(
            course=course_with_lessons,
            quiz=quiz,
            slug=slug,
            order=order,
            skill=skill,
            isomorph_group=skill,
            difficulty="beginner",
            vignette="v",
            client_statement=f"{slug} says something.",
            steps=steps,
        )
    return quiz


def play(user, quiz, picks: list[tuple[str, str, str]], reflection: str | None = None, shared=True) -> Attempt:
    """Play an attempt through the real services: picks are (item slug, step path, option id)."""
    attempt, _ = services.attempt_start(user, quiz)
    for item, step, option in picks:
        services.attempt_answer(attempt, item, step, option, 3)
        attempt.refresh_from_db()
    if reflection is not None:
        services.reflection_save(attempt, reflection, shared)
    return attempt


GOOD = [("tomas", "", "a"), ("tomas", "a", "a"), ("mira", "", "a")]
HARMFUL = [("tomas", "", "c"), ("mira", "", "c")]


@pytest.fixture
def played(quiz, trainee):
    """The trainee has played the quiz once with a harmful pick and shared a reflection."""
    return play(trainee, quiz, HARMFUL, reflection="I rushed to defend myself.", shared=True)


def bulk_cohort(cohort, quiz, size: int, prefix: str = "t") -> list:
    """`size` trainees with a completed attempt each, written in bulk (fast enough for 200)."""
    # Unusable passwords: hashing 200 real ones would dominate the test's time.
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"{prefix}{i}", password="!") for i in range(size)]  # noqa: S106
    )
    Enrollment.objects.bulk_create([Enrollment(cohort=cohort, user=u) for u in users], ignore_conflicts=True)
    items = {i.slug: i for i in quiz.items.all()}
    now = timezone.now()
    attempts = Attempt.objects.bulk_create(
        [
            Attempt(
                user=u,
                quiz=quiz,
                status=Attempt.COMPLETED,
                seed=1,
                item_ids=[i.pk for i in items.values()],
                position=len(items),
                started_at=now - timedelta(days=i % 20),
                completed_at=now - timedelta(days=i % 20),
                score=(i % 4) / 3,
                passed=i % 4 == 3,
            )
            for i, u in enumerate(users)
        ]
    )
    answers = []
    for i, attempt in enumerate(attempts):
        option = "abc"[i % 3]
        answers.append(
            Answer(
                attempt=attempt,
                item=items["mira"],
                item_version=1,
                step_path="",
                option_id=option,
                grade={"a": 3, "b": 1, "c": 0}[option],
                answered_at=attempt.started_at,
            )
        )
    Answer.objects.bulk_create(answers)
    # Practice levels, as their answers would have moved them: the dashboard reads them in one query.
    SkillLevel.objects.bulk_create(
        [
            SkillLevel(
                user=u, course=quiz.module.course, skill="here_and_now.immediacy", level=LEVELS[i % 3], updated_at=now
            )
            for i, u in enumerate(users)
        ]
    )
    # The answers went in bulk, past the statements that keep the running totals: sum them once.
    tallies_rebuild(quiz.module.course_id)
    mastery_rebuild(quiz.module.course_id)
    return users


@pytest.fixture
def second_cohort_trainee(db):
    """A trainee enrolled in another course's cohort: never visible to our instructor."""
    from tests.conftest import CohortFactory, CourseFactory

    return enroll(UserFactory(username="elsewhere"), CohortFactory(course=CourseFactory(slug="far"), name="Far"))
