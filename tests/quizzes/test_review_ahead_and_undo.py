"""Reviews as a spaced-repetition user expects them: the week's forecast, practice ahead (unscored)
and undo of the last review (the card's exact previous FSRS state)."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from quizzes.review import selectors, services
from quizzes.review.models import ReviewCard, ReviewLog, SkillLevel
from tests.quizzes.reviewing import SKILL
from tests.quizzes.test_review import NOW, answer_first_item, quiz  # noqa: F401 - the quiz fixture

pytestmark = pytest.mark.django_db

FSRS_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "last_item_id", "reps")
LEVEL_FIELDS = ("level", "best_run", "miss_run", "moves", "updated_at")


def fields(row, names):
    row.refresh_from_db()
    return {name: getattr(row, name) for name in names}


@pytest.fixture
def reviewed_once(quiz, trainee):  # noqa: F811
    """A skill card the first quiz answer scheduled (real FSRS floats), and its level row."""
    with time_machine.travel(NOW, tick=False):
        answer_first_item(trainee, quiz, option="a")
    return ReviewCard.objects.get(user=trainee, kind=ReviewCard.SKILL)


def review(user, card, option="d", at=None):
    card.refresh_from_db()
    with time_machine.travel(at or card.due + timedelta(hours=1), tick=False):
        key = selectors.prompt_for(card).key
        return services.review_submit(user, card.pk, key, option, 2, 9, uuid.uuid4())


def test_undo_restores_the_cards_exact_fsrs_state_and_the_skills_level(trainee, reviewed_once):
    card = reviewed_once
    level = SkillLevel.objects.get(user=trainee, skill=SKILL)
    before, level_before = fields(card, FSRS_FIELDS), fields(level, LEVEL_FIELDS)
    assert before["stability"] is not None and before["last_item_id"] is not None
    outcome = review(trainee, card, option="d")  # a harmful pick: Again, the level's miss run grows
    after = fields(card, FSRS_FIELDS)
    assert after != before and after["reps"] == before["reps"] + 1
    assert fields(level, LEVEL_FIELDS) != level_before

    restored = services.review_undo(trainee, outcome.log.client_id)

    assert fields(restored, FSRS_FIELDS) == before  # floats and microseconds included
    assert fields(level, LEVEL_FIELDS) == level_before
    assert not ReviewLog.objects.filter(source=ReviewLog.REVIEW).exists()
    assert ReviewLog.objects.filter(source=ReviewLog.QUIZ).count() == 1  # the quiz's first answer stays
    # the same review can be played again and lands where the first one did
    again = review(trainee, card, option="d", at=outcome.log.reviewed_at)
    assert again.card.reps == after["reps"] and again.card.state == after["state"]


def test_only_the_latest_review_can_be_undone_and_only_once(trainee, reviewed_once):
    first = review(trainee, reviewed_once, option="a")
    second = review(trainee, reviewed_once, option="a")
    with pytest.raises(services.NothingToUndo):
        services.review_undo(trainee, first.log.client_id)
    services.review_undo(trainee, second.log.client_id)
    with pytest.raises(services.NothingToUndo):
        services.review_undo(trainee, second.log.client_id)
    # the first is now the latest: it can go too, back to the quiz's schedule
    services.review_undo(trainee, first.log.client_id)
    assert fields(reviewed_once, ("reps",)) == {"reps": 1}


def test_a_card_moved_meanwhile_is_not_undone(trainee, reviewed_once):
    outcome = review(trainee, reviewed_once)
    ReviewCard.objects.filter(pk=reviewed_once.pk).update(reps=99)  # another tab's review claimed the card
    with pytest.raises(services.NothingToUndo):
        services.review_undo(trainee, outcome.log.client_id)
    assert ReviewLog.objects.filter(pk=outcome.log.pk).exists() and fields(reviewed_once, ("reps",))["reps"] == 99


def test_undo_leaves_a_level_moved_since_by_a_reaction(trainee, reviewed_once):
    outcome = review(trainee, reviewed_once, option="a")
    level = SkillLevel.objects.get(user=trainee, skill=SKILL)
    with time_machine.travel(outcome.log.reviewed_at + timedelta(minutes=2), tick=False):
        services.level_react(trainee, outcome.log.item, "too_hard")
    moved = fields(level, LEVEL_FIELDS)
    services.review_undo(trainee, outcome.log.client_id)
    assert fields(level, LEVEL_FIELDS) == moved


def test_undo_gives_back_the_reminders_reviewed_mark_the_review_set(trainee, reviewed_once):
    from quizzes.reminders.models import ReminderPreference

    pref = ReminderPreference.objects.get(user=trainee)
    assert pref.last_reviewed_at == NOW  # the quiz's first answer
    ReminderPreference.objects.filter(pk=pref.pk).update(ignored_in_a_row=3)
    outcome = review(trainee, reviewed_once)
    pref.refresh_from_db()
    assert (pref.last_reviewed_at, pref.ignored_in_a_row) == (outcome.log.reviewed_at, 0)

    services.review_undo(trainee, outcome.log.client_id)

    pref.refresh_from_db()  # that day's reminder is no longer skipped for a review that is gone
    assert (pref.last_reviewed_at, pref.ignored_in_a_row) == (NOW, 3)


def test_undo_leaves_a_reviewed_mark_moved_since(trainee, reviewed_once):
    from quizzes.reminders.models import ReminderPreference

    outcome = review(trainee, reviewed_once)
    later = outcome.log.reviewed_at + timedelta(minutes=5)  # e.g. a quiz's first answer in another skill
    ReminderPreference.objects.filter(user=trainee).update(last_reviewed_at=later, ignored_in_a_row=0)
    services.review_undo(trainee, outcome.log.client_id)
    pref = ReminderPreference.objects.get(user=trainee)
    assert (pref.last_reviewed_at, pref.ignored_in_a_row) == (later, 0)


def test_another_trainee_cannot_undo_my_review(trainee, other_trainee, reviewed_once):
    outcome = review(trainee, reviewed_once)
    with pytest.raises(services.NothingToUndo):
        services.review_undo(other_trainee, outcome.log.client_id)


def test_the_feedback_page_offers_undo_and_the_undo_page_restores(trainee_client, trainee, reviewed_once):
    before = fields(reviewed_once, FSRS_FIELDS)
    outcome = review(trainee, reviewed_once)
    page = trainee_client.get(reverse("review:feedback", args=[outcome.log.client_id]))
    assert b'data-testid="undo"' in page.content
    response = trainee_client.post(reverse("review:undo"), {"review_id": str(outcome.log.client_id)})
    assert response.status_code == 302 and response.url == reverse("review:session")
    assert fields(reviewed_once, FSRS_FIELDS) == before
    again = trainee_client.post(reverse("review:undo"), {"review_id": str(outcome.log.client_id)})
    assert again.status_code == 409 and b"Only your latest review can be undone." in again.content
    bad = trainee_client.post(reverse("review:undo"), {"review_id": "x"})
    assert bad.status_code == 400 and b"review_id" in bad.content


def test_an_older_review_has_no_undo_button(trainee_client, trainee, reviewed_once):
    first = review(trainee, reviewed_once, option="a")
    review(trainee, reviewed_once, option="a")
    page = trainee_client.get(reverse("review:feedback", args=[first.log.client_id]))
    assert page.status_code == 200 and b'data-testid="undo"' not in page.content


def test_nothing_due_shows_the_weeks_forecast_and_practice_ahead(trainee_client, trainee, reviewed_once):
    ReviewCard.objects.filter(user=trainee).update(due=NOW + timedelta(days=2))
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        page = trainee_client.get(reverse("review:session")).content.decode()
    assert 'data-testid="nothing-due"' in page and 'data-testid="review-forecast"' in page
    assert "Practise ahead (not scored)" in page and reverse("review:ahead") in page
    days = page.split('data-testid="review-forecast"')[1].split("</table>")[0]
    assert days.count("<tr>") == 8  # a header row and seven days


def test_practice_ahead_is_unscored_and_walks_the_deck(trainee_client, trainee, reviewed_once):
    facts = list(ReviewCard.objects.filter(user=trainee, kind=ReviewCard.FACT).order_by("pk"))
    ReviewCard.objects.filter(pk=reviewed_once.pk).update(due=NOW + timedelta(days=1))
    for days, fact in enumerate(facts, start=2):
        ReviewCard.objects.filter(pk=fact.pk).update(due=NOW + timedelta(days=days))
    snapshot = {card.pk: fields(card, FSRS_FIELDS) for card in [reviewed_once, *facts]}
    level = fields(SkillLevel.objects.get(user=trainee, skill=SKILL), LEVEL_FIELDS)
    logs = ReviewLog.objects.count()
    seen = []
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        url = reverse("review:ahead")
        for _ in range(4):
            page = trainee_client.get(url)
            assert page.status_code == 200 and b"Not scored" in page.content
            prompt = page.context["prompt"]
            seen.append(prompt.card.pk)
            form = {"card": prompt.card.pk, "key": prompt.key, "option": prompt.options[0]["id"]}
            feedback = trainee_client.post(reverse("review:ahead_answer"), form)
            assert feedback.status_code == 200 and b"scored review is still due on" in feedback.content
            url = reverse("review:ahead") + f"?after={prompt.card.pk}"
    # soonest first, then each next one, wrapping round to the soonest
    assert seen == [reviewed_once.pk, facts[0].pk, facts[1].pk, reviewed_once.pk]
    assert {card.pk: fields(card, FSRS_FIELDS) for card in [reviewed_once, *facts]} == snapshot
    assert fields(SkillLevel.objects.get(user=trainee, skill=SKILL), LEVEL_FIELDS) == level
    assert ReviewLog.objects.count() == logs


def test_practice_ahead_gives_way_to_due_reviews_and_refuses_odd_input(trainee_client, trainee, reviewed_once):
    with time_machine.travel(NOW, tick=False):  # the facts deck is due now
        assert trainee_client.get(reverse("review:ahead")).url == reverse("review:session")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        ReviewCard.objects.filter(user=trainee).update(due=NOW + timedelta(days=3))
        stale = trainee_client.post(
            reverse("review:ahead_answer"), {"card": reviewed_once.pk, "key": "nope", "option": "a"}
        )
        assert stale.status_code == 409
        missing = trainee_client.post(reverse("review:ahead_answer"), {"card": "²", "key": "x", "option": "a"})
        assert missing.status_code == 404
        odd = trainee_client.get(reverse("review:ahead") + "?after=%C2%B2")
        assert odd.status_code == 200


def test_practice_ahead_never_shows_the_isomorph_the_next_review_will_score(trainee, reviewed_once):
    card = reviewed_once
    card.refresh_from_db()
    upcoming = selectors.prompt_for(card).key
    practice = selectors.next_ahead(trainee, now=NOW + timedelta(minutes=1))
    assert practice.card == card and practice.key not in (upcoming, card.last_item.slug)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        outcome = services.practice_outcome(trainee, card.pk, practice.key, "a")
    assert outcome.chosen["grade"] == 3 and selectors.prompt_for(card).key == upcoming  # nothing moved


def test_the_api_undoes_the_latest_review_and_refuses_it_twice(api_client, trainee, reviewed_once):
    before = fields(reviewed_once, FSRS_FIELDS)
    outcome = review(trainee, reviewed_once)
    response = api_client.post("/api/v1/reviews/undo/", {"review_id": str(outcome.log.client_id)}, format="json")
    assert response.status_code == 200 and response.json()["reps"] == before["reps"]
    assert fields(reviewed_once, FSRS_FIELDS) == before
    again = api_client.post("/api/v1/reviews/undo/", {"review_id": str(outcome.log.client_id)}, format="json")
    assert again.status_code == 409
    bad = api_client.post("/api/v1/reviews/undo/", {"review_id": "nope"}, format="json")
    assert bad.status_code == 400 and list(bad.json()) == ["review_id"]


def test_review_feedback_shows_what_was_asked_and_frames_a_harmful_pick(trainee_client, trainee, reviewed_once):
    outcome = review(trainee, reviewed_once, option="d")
    page = trainee_client.get(reverse("review:feedback", args=[outcome.log.client_id])).content.decode()
    assert 'data-testid="asked"' in page and outcome.log.item.client_statement in page
    assert 'data-testid="harmful-note"' in page and "This reply could hurt the relationship." in page
    fact = ReviewCard.objects.filter(user=trainee, kind=ReviewCard.FACT).select_related("fact").first()
    with time_machine.travel(NOW + timedelta(minutes=3), tick=False):
        key = selectors.prompt_for(fact).key
        wrong = next(o["id"] for o in fact.fact.options if not o.get("correct"))
        fact_outcome = services.review_submit(trainee, fact.pk, key, wrong, 2, 9, uuid.uuid4())
    page = trainee_client.get(reverse("review:feedback", args=[fact_outcome.log.client_id])).content.decode()
    assert fact.fact.question in page and "The right answer" in page and 'data-testid="harmful-note"' not in page
