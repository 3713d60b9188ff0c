"""Adaptive difficulty: the pure level rules, and the services and pages that move and use them."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from quizzes import services as quiz_services
from quizzes.models import Item
from quizzes.review import levels, selectors
from quizzes.review.levels import Level, Thresholds
from quizzes.review.models import ReviewCard, SkillLevel
from tests.quizzes.reviewing import SKILL, build_review_course

LIMITS = Thresholds(up_after_best=3, down_after_misses=2)
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


# ---------------------------------------------------------------- the pure rules


@pytest.mark.parametrize(
    ("start", "grades", "expected"),
    [
        ("beginner", [3, 3], Level("beginner", 2, 0)),
        ("beginner", [3, 3, 3], Level("intermediate")),
        ("intermediate", [3, 3, 3], Level("advanced")),
        ("advanced", [3, 3, 3], Level("advanced")),  # the top stays the top
        ("advanced", [1, 0], Level("intermediate")),
        ("beginner", [0, 0], Level("beginner")),  # the floor stays the floor
        ("intermediate", [3, 3, 2, 3], Level("intermediate", 1, 0)),  # an acceptable reply breaks the run
        ("intermediate", [1, 2, 1], Level("intermediate", 0, 1)),
        ("intermediate", [0, 3, 0], Level("intermediate", 0, 1)),
    ],
)
def test_a_run_of_replies_moves_the_level(start, grades, expected):
    level = Level(start)
    for grade in grades:
        level = levels.after_answer(level, grade, LIMITS)
    assert level == expected


@pytest.mark.parametrize(
    ("start", "reaction", "expected"),
    [
        ("beginner", "too_easy", "intermediate"),
        ("advanced", "too_easy", "advanced"),
        ("advanced", "too_hard", "intermediate"),
        ("beginner", "too_hard", "beginner"),
        ("intermediate", "about_right", "intermediate"),
    ],
)
def test_a_reaction_moves_the_level_and_resets_the_runs(start, reaction, expected):
    assert levels.after_reaction(Level(start, 2, 1), reaction) == Level(expected)


def test_an_unknown_reaction_is_refused():
    with pytest.raises(ValueError, match="too_easy, about_right, too_hard"):
        levels.after_reaction(Level(), "meh")


def test_thresholds_come_from_settings(settings):
    from quizzes.review.services import _thresholds

    settings.ATTUNE_LEVEL_UP_AFTER_BEST = 5
    settings.ATTUNE_LEVEL_DOWN_AFTER_MISSES = 1
    assert _thresholds() == Thresholds(5, 1)


def test_items_closest_to_the_level_come_first():
    assert levels.closest_first(["advanced", "beginner", "intermediate"], "beginner") == [1, 2, 0]


# ---------------------------------------------------------------- services and pages


@pytest.fixture
def review_course(course_with_lessons):
    quiz = build_review_course(course_with_lessons)
    difficulties = {
        "withdrawal-harold": "beginner",
        "withdrawal-joaquin": "intermediate",
        "withdrawal-priya": "advanced",
    }
    for slug, difficulty in difficulties.items():
        Item.objects.filter(slug=slug).update(difficulty=difficulty)
    return quiz


def answer_first_step(trainee, quiz, option_id):
    attempt, _ = quiz_services.attempt_start(trainee, quiz)
    item = Item.objects.get(pk=attempt.item_ids[attempt.position])
    quiz_services.attempt_answer(attempt, item.slug, "", option_id, 3)
    return item


@pytest.mark.django_db
def test_quiz_answers_move_the_trainee_level_and_reviews_draw_at_it(trainee, review_course, settings):
    settings.ATTUNE_LEVEL_UP_AFTER_BEST = 2
    attempt, _ = quiz_services.attempt_start(trainee, review_course)
    while attempt.is_open:  # every item's best reply is "a"
        item = Item.objects.get(pk=attempt.item_ids[attempt.position])
        quiz_services.attempt_answer(attempt, item.slug, "", "a", 3)
        attempt.refresh_from_db()
    row = SkillLevel.objects.get(user=trainee, skill=SKILL)
    assert (row.level, row.best_run, row.moves) == ("intermediate", 1, 1)  # three best replies, two per level
    card = ReviewCard.objects.get(user=trainee, kind=ReviewCard.SKILL, skill=SKILL)
    card.last_item = None
    assert selectors.isomorph_for(card).slug == "withdrawal-joaquin"  # the intermediate client
    SkillLevel.objects.filter(pk=row.pk).update(level="advanced")
    assert selectors.isomorph_for(card).slug == "withdrawal-priya"
    card.last_item = Item.objects.get(slug="withdrawal-priya")
    # the only advanced client was shown last: never the same client twice, so the nearest level next
    assert selectors.isomorph_for(card).slug == "withdrawal-joaquin"


@pytest.mark.django_db
def test_a_reaction_moves_the_level_on_the_page_and_the_api(trainee, trainee_client, review_course):
    from rest_framework.test import APIClient

    item = Item.objects.get(slug="withdrawal-joaquin")
    url = reverse("review:react")
    # an item the trainee has never answered cannot be reacted to
    assert trainee_client.post(url, {"item": item.pk, "reaction": "too_easy"}).status_code == 404
    answered = answer_first_step(trainee, review_course, "b")
    response = trainee_client.post(url, {"item": answered.pk, "reaction": "too_easy", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert SkillLevel.objects.get(user=trainee, skill=answered.skill).level == "intermediate"
    bad = trainee_client.post(url, {"item": answered.pk, "reaction": "meh"})
    assert bad.status_code == 400 and b"reaction" in bad.content
    offsite = trainee_client.post(
        url, {"item": answered.pk, "reaction": "about_right", "next": "https://evil.example/"}
    )
    assert offsite["Location"] == reverse("review:mastery")
    api = APIClient()
    api.force_authenticate(trainee)
    moved = api.post("/api/v1/reviews/reactions/", {"item": answered.pk, "reaction": "too_hard"}, format="json")
    assert moved.status_code == 200 and moved.json() == {"skill": answered.skill, "level": "beginner"}
    assert (
        api.post("/api/v1/reviews/reactions/", {"item": answered.pk, "reaction": "x"}, format="json").status_code == 400
    )
    page = trainee_client.get(reverse("review:mastery")).content.decode()
    assert 'data-testid="level-' in page and "Beginner" in page
