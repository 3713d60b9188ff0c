"""The raw SQL of a skill's first answer (quizzes/review/first_answer.py) writes exactly the rows the
ORM reads back, once; and the items an answer reads from its per-process copy follow every change."""

import uuid
from datetime import UTC, datetime

import pytest

from quizzes import items as quiz_items
from quizzes.models import Item
from quizzes.review.first_answer import insert_first_answer
from quizzes.review.models import ReviewCard, ReviewLog, SkillLevel

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
DUE = datetime(2026, 3, 2, 9, 40, 15, 123456, tzinfo=UTC)


def rows(trainee, item):
    card = {
        "user_id": trainee.pk, "course_id": item.course_id, "kind": ReviewCard.SKILL, "skill": item.skill,
        "fact_id": None, "created_at": AT, "state": ReviewCard.LEARNING, "step": 1, "stability": 2.5,
        "difficulty": 5.25, "due": DUE, "last_review": AT, "last_item_id": item.pk, "reps": 1,
    }  # fmt: skip
    log = {
        "client_id": uuid.uuid4(), "user_id": trainee.pk, "source": ReviewLog.QUIZ, "item_id": item.pk,
        "option_id": "a", "grade": 3, "rating": 3, "confidence": 4, "seconds": 12.5, "reviewed_at": AT,
        "due_before": AT, "due_after": DUE, "before": None,
    }  # fmt: skip
    level = {
        "user_id": trainee.pk, "course_id": item.course_id, "skill": item.skill, "level": "intermediate",
        "best_run": 0, "miss_run": 0, "moves": 1, "updated_at": AT,
    }  # fmt: skip
    return card, log, level


def fields(instance, names):
    return {name: getattr(instance, name) for name in names}


def test_a_first_answer_writes_the_card_its_log_and_the_level_the_orm_reads_back(quiz, trainee):
    item = Item.objects.get(slug="priya")
    card, log, level = rows(trainee, item)
    card_id, levelled = insert_first_answer(card, log, level)
    assert levelled is True
    stored = ReviewCard.objects.get()
    assert stored.pk == card_id and fields(stored, card) == card
    assert fields(ReviewLog.objects.get(), log) == {**log}
    assert ReviewLog.objects.get().card_id == card_id
    assert fields(SkillLevel.objects.get(), level) == level


def test_an_existing_card_writes_nothing(quiz, trainee):
    item = Item.objects.get(slug="priya")
    insert_first_answer(*rows(trainee, item))
    assert insert_first_answer(*rows(trainee, item)) == (None, False)
    assert (ReviewCard.objects.count(), ReviewLog.objects.count(), SkillLevel.objects.count()) == (1, 1, 1)


def test_an_existing_level_is_left_to_the_level_rule(quiz, trainee):
    item = Item.objects.get(slug="priya")
    card, log, level = rows(trainee, item)
    SkillLevel.objects.create(**{**level, "level": "advanced", "moves": 4})
    card_id, levelled = insert_first_answer(card, log, level)
    assert card_id == ReviewCard.objects.get().pk and levelled is False
    assert SkillLevel.objects.get().level == "advanced"


def test_a_saved_item_moves_the_answers_copy_on(quiz, trainee):
    course = quiz.module.course
    item = Item.objects.get(slug="mira")
    assert quiz_items.course_items(course)[item.pk].client_statement == "You must be so bored of me."
    item.client_statement = "Am I boring you?"
    item.save()
    course.refresh_from_db()
    assert quiz_items.course_items(course)[item.pk].client_statement == "Am I boring you?"
