"""A second course with skills of its own works with no code change: import, play, review, pages."""

import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from course.conf import SHIPPED_COURSE_PATH
from course.models import Course
from course.services import course_import
from quizzes import grading
from quizzes import services as quiz_services
from quizzes.models import Attempt, Item, Quiz, Skill
from quizzes.review import selectors, services
from quizzes.review.models import ReviewCard, ReviewLog
from tests.conftest import CohortFactory, UserFactory, enroll

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).parent / "fixtures" / "packages" / "motivational-interviewing"
SKILL = "mi.reflective_listening"
SKILL_NAME = "Reflective listening in MI"
MI_SKILLS = {
    "mi.reflective_listening": "Reflective listening in MI",
    "mi.rolling_with_resistance": "Rolling with resistance",
    "mi.evoking_change_talk": "Evoking change talk",
}


@pytest.fixture
def courses():
    course_import(SHIPPED_COURSE_PATH)
    course_import(PACKAGE)
    return Course.objects.get(slug="therapeutic-relationship"), Course.objects.get(slug="motivational-interviewing")


@pytest.fixture
def mi_course(courses):
    return courses[1]


@pytest.fixture
def mi_cohort(mi_course):
    return CohortFactory(course=mi_course, name="MI spring")


@pytest.fixture
def mi_instructor(mi_cohort):
    user = UserFactory(username="mi_instructor")
    mi_cohort.instructors.add(user)
    return user


@pytest.fixture
def mi_trainee(mi_cohort):
    return enroll(UserFactory(username="mi_trainee"), mi_cohort)


def play_to_the_end(user, quiz) -> tuple[Attempt, list[str]]:
    """Play every step with its best option (Tom's best opens a branch step); return the steps played."""
    attempt, created = quiz_services.attempt_start(user, quiz)
    assert created
    played = []
    while attempt.is_open:
        item = Item.objects.get(pk=attempt.item_ids[attempt.position])
        if item.write_first and not attempt.step_path:
            quiz_services.attempt_write_reply(attempt, item.slug, "It sounds like the wine really helps you cope.")
        best = grading.best_option(grading.step_at(item.steps, attempt.step_path))
        quiz_services.attempt_answer(attempt, item.slug, attempt.step_path, best["id"], 4, seconds=20)
        played.append(f"{item.slug}:{attempt.step_path}")
        attempt.refresh_from_db()
    return attempt, played


@pytest.fixture
def played(mi_course, mi_trainee):
    quiz = Quiz.objects.get(module__course=mi_course, module__slug="mi1-reflections")
    attempt, steps = play_to_the_end(mi_trainee, quiz)
    assert len(steps) == 4 and any(step.startswith("mi1-reflect-tom:") and step[-1] != ":" for step in steps)
    return attempt


def test_the_second_course_imports_with_its_own_vocabulary(courses):
    shipped, mi = courses
    assert dict(Skill.objects.filter(course=mi).values_list("key", "name")) == MI_SKILLS
    shipped_keys = set(Skill.objects.filter(course=shipped).values_list("key", flat=True))
    assert shipped_keys and not shipped_keys & set(MI_SKILLS)
    assert set(Item.objects.filter(course=mi).values_list("skill", flat=True)) == {SKILL}
    second = mi.modules.get(slug="mi2-resistance")
    assert list(second.prerequisites.values_list("slug", flat=True)) == ["mi1-reflections"]


def test_playing_the_second_course_makes_a_card_that_review_offers_and_records(played, mi_course, mi_trainee):
    assert played.status == Attempt.COMPLETED and played.passed
    card = ReviewCard.objects.get(user=mi_trainee, kind=ReviewCard.SKILL)
    assert (card.course, card.skill) == (mi_course, SKILL)

    ReviewCard.objects.filter(pk=card.pk).update(due=timezone.now() - timedelta(hours=1))
    prompt = selectors.next_review(mi_trainee)
    assert prompt is not None and prompt.card == card
    assert prompt.item is not None and prompt.item.course == mi_course and prompt.item.skill == SKILL
    best = next(o["id"] for o in prompt.item.steps["options"] if o["grade"] == 3)
    outcome = services.review_submit(mi_trainee, card.pk, prompt.key, best, 3, 12, uuid.uuid4())
    assert not outcome.repeated and outcome.log.item == prompt.item
    log = ReviewLog.objects.get(card=card, source=ReviewLog.REVIEW)
    assert log.grade == 3
    card.refresh_from_db()
    assert card.reps == 2


def test_the_skills_page_shows_the_second_courses_skill_name(client, played, mi_trainee):
    client.force_login(mi_trainee)
    response = client.get(reverse("review:mastery"))
    assert response.status_code == 200
    assert SKILL_NAME in response.content.decode()


def test_the_instructor_dashboard_shows_the_trainee_and_the_skill_name(client, played, mi_cohort, mi_instructor):
    client.force_login(mi_instructor)
    response = client.get(reverse("quizzes_instructor:dashboard", args=[mi_cohort.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "mi_trainee" in page and SKILL_NAME in page


def test_the_same_skill_key_in_two_courses_keeps_each_courses_name(client, courses, played, mi_trainee):
    shipped, _ = courses
    Skill.objects.create(course=shipped, key=SKILL, name="A different skill of the shipped course", order=99)
    client.force_login(mi_trainee)
    page = client.get(reverse("review:mastery")).content.decode()
    assert SKILL_NAME in page and "A different skill of the shipped course" not in page


def test_validate_course_accepts_the_fixture():
    result = subprocess.run(
        [sys.executable, "manage.py", "validate_course", str(PACKAGE)],
        cwd=Path(__file__).parents[1],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
