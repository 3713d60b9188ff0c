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
        # the skill's mastery state after the first pick: JSON and a date through the raw SQL too
        "best_items": [item.pk], "first_best_on": AT.date(), "last_best_on": AT.date(),
        "recent_picks": [[AT.isoformat(), 3]], "ready": False,
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


def test_the_facts_deck_goes_in_in_module_then_slug_order_a_few_a_day(quiz, trainee, settings):
    from datetime import timedelta

    from course.models import Module
    from quizzes.review.models import Fact
    from quizzes.review.services import facts_deck_ensure

    settings.ATTUNE_REVIEW_NEW_FACTS_PER_DAY = per_day = 2
    course = quiz.module.course
    modules = list(Module.objects.filter(course=course).order_by("order"))
    for module, slug in [(modules[-1], "a-late"), (modules[0], "c-first"), (modules[0], "b-first")]:
        Fact.objects.create(course=course, module=module, slug=slug, question="Q?", explanation="Because.",
                            options=[{"id": "a", "text": "A", "correct": True}])  # fmt: skip
    Fact.objects.create(course=course, module=modules[0], slug="archived", question="Q?", explanation=".",
                        options=[{"id": "a", "text": "A", "correct": True}], is_active=False)  # fmt: skip
    expected = list(
        Fact.objects.filter(course=course, is_active=True)
        .order_by("module__order", "slug")
        .values_list("pk", flat=True)
    )
    assert facts_deck_ensure(trainee.pk, course.pk, AT) == 3
    cards = ReviewCard.objects.filter(user=trainee, kind=ReviewCard.FACT)
    rows = {c.fact_id: (c.due, c.created_at, c.state, c.reps, c.skill, c.step, c.stability, c.last_item_id)
            for c in cards}  # fmt: skip
    assert rows == {
        pk: (AT + timedelta(days=index // per_day), AT, ReviewCard.LEARNING, 0, "", None, None, None)
        for index, pk in enumerate(expected)
    }
    assert facts_deck_ensure(trainee.pk, course.pk, AT) == 0 and cards.count() == 3
