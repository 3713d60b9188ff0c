"""The answer's claim and INSERT (quizzes/claim.py) store what the ORM reads back, and only once."""

from datetime import UTC, datetime

import pytest

from quizzes import services
from quizzes.claim import ANSWER_COLUMNS, claim_and_answer
from quizzes.models import Answer, Attempt, FreeReply, Item, SkillTally

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)


def values(item, **changes):
    return {"item_id": item.pk, "item_version": item.version, "step_path": "", "option_id": "b", "grade": 3,
            "confidence": 4, "seconds": 2.25, "answered_at": AT, **changes}  # fmt: skip


@pytest.fixture
def attempt(quiz, trainee):
    attempt, _ = services.attempt_start(trainee, quiz)
    return attempt


def test_a_claimed_step_stores_the_answer_the_orm_reads_back(attempt):
    mira = Item.objects.get(slug="mira")
    attempt.position = 1  # mira is the second item; the pointer is moved there first
    Attempt.objects.filter(pk=attempt.pk).update(position=1)
    answer = claim_and_answer(attempt, 2, "", False, values(mira), item=mira)
    stored = Answer.objects.get()
    assert answer.pk == stored.pk and answer.attempt_id == attempt.pk
    assert {name: getattr(stored, name) for name in ANSWER_COLUMNS} == values(mira)
    assert {name: getattr(answer, name) for name in ANSWER_COLUMNS} == values(mira)
    assert Attempt.objects.values_list("position", "step_path").get(pk=attempt.pk) == (2, "")


def test_a_step_claimed_meanwhile_stores_nothing(attempt):
    priya = Item.objects.get(slug="priya")
    FreeReply.objects.create(attempt=attempt, item=priya, text="Hm?", created_at=AT)
    assert claim_and_answer(attempt, 0, "a", True, values(priya, option_id="a"), item=priya) is not None
    # the same request again, from the attempt as it was read before the first moved it
    assert claim_and_answer(attempt, 0, "a", True, values(priya, option_id="c"), item=priya) is None
    assert list(Answer.objects.values_list("option_id", flat=True)) == ["a"]
    # The answer added itself to its skill's tally, once: the lost claim added nothing.
    assert list(SkillTally.objects.values_list("skill", "earned", "steps", "harmful")) == [(priya.skill, 3, 1, 0)]


def test_a_write_first_step_without_its_reply_is_not_claimed(attempt):
    priya = Item.objects.get(slug="priya")
    assert claim_and_answer(attempt, 0, "a", True, values(priya, option_id="a"), item=priya) is None
    assert not Answer.objects.exists()
    assert Attempt.objects.values_list("position", "step_path").get(pk=attempt.pk) == (0, "")
