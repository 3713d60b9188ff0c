"""A phone-first step and feedback that teaches: the trainee's own words, every reason, the
consequence of a harmful pick, and results that link onward."""

import pytest
from django.urls import reverse

from course.models import Lesson, Module
from course.services import lesson_complete
from quizzes.models import Attempt

pytestmark = pytest.mark.django_db


def start(client, quiz, trainee):
    client.post(reverse("quizzes:start", args=[quiz.pk]))
    return Attempt.objects.get(user=trainee, status=Attempt.IN_PROGRESS)


def answer(client, attempt, item, option, step=""):
    return client.post(
        reverse("quizzes:answer", args=[attempt.pk]), {"item": item, "step": step, "option": option, "confidence": "3"}
    )


def test_the_step_says_the_place_is_kept_and_offers_keys(trainee_client, quiz, trainee):
    attempt = start(trainee_client, quiz, trainee)
    trainee_client.post(reverse("quizzes:reply", args=[attempt.pk]), {"item": "priya", "text": "Say more?"})
    page = trainee_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "Your place is kept: you can stop at any time and come back to this step." in page
    assert "client 1 of 2" in page and "data-key-hint" in page and "attune/answer.js" in page
    # the options come before the trainee's own draft, so they sit high on a phone
    assert page.index('name="option"') < page.index("You wrote first")


def test_feedback_puts_the_written_reply_beside_the_best_and_every_reason(trainee_client, quiz, trainee):
    attempt = start(trainee_client, quiz, trainee)
    trainee_client.post(
        reverse("quizzes:reply", args=[attempt.pk]), {"item": "priya", "text": "Tell me more about that."}
    )
    response = answer(trainee_client, attempt, "priya", "b")
    page = trainee_client.get(response.url).content.decode()
    assert "What you wrote first" in page and "Tell me more about that." in page
    assert "The reply that helps most" in page
    for other in ("a", "c", "d"):
        assert f"Why {other} is graded" in page
    assert 'data-testid="cannot-pass"' not in page


def test_after_a_harmful_pick_the_trainee_is_told_the_attempt_cannot_pass(trainee_client, quiz, trainee):
    attempt = start(trainee_client, quiz, trainee)
    trainee_client.post(reverse("quizzes:reply", args=[attempt.pk]), {"item": "priya", "text": "Hm."})
    page = trainee_client.get(answer(trainee_client, attempt, "priya", "d").url).content.decode()
    assert "this attempt can no longer pass" in page


def test_without_harmful_fails_a_harmful_pick_does_not_claim_the_attempt_is_lost(trainee_client, quiz, trainee):
    quiz.harmful_fails = False
    quiz.save()
    attempt = start(trainee_client, quiz, trainee)
    trainee_client.post(reverse("quizzes:reply", args=[attempt.pk]), {"item": "priya", "text": "Hm."})
    page = trainee_client.get(answer(trainee_client, attempt, "priya", "d").url).content.decode()
    assert "can no longer pass" not in page


def test_a_passed_result_links_to_the_module_it_opened(trainee_client, quiz, trainee):
    for lesson in Lesson.objects.filter(module__slug="first"):
        lesson_complete(trainee, lesson)
    attempt = start(trainee_client, quiz, trainee)
    trainee_client.post(reverse("quizzes:reply", args=[attempt.pk]), {"item": "priya", "text": "Hm."})
    answer(trainee_client, attempt, "priya", "a")
    answer(trainee_client, attempt, "priya", "a", step="a")
    answer(trainee_client, attempt, "mira", "b")
    attempt.refresh_from_db()
    assert attempt.passed is True
    page = trainee_client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
    second = Module.objects.get(slug="second")
    assert "This pass opens:" in page and reverse("course:module", args=["relationship", second.slug]) in page


def test_feedback_names_what_a_harmful_reply_breaks(trainee_client, quiz, trainee):
    attempt = start(trainee_client, quiz, trainee)
    trainee_client.post(reverse("quizzes:reply", args=[attempt.pk]), {"item": "priya", "text": "Hm."})
    page = trainee_client.get(answer(trainee_client, attempt, "priya", "d").url).content.decode()
    assert "It breaks: Warmth, acceptance and understanding." in page and "It shows:" not in page
    # an untagged reply says nothing of dimensions
    page = trainee_client.get(answer(trainee_client, attempt, "mira", "a").url).content.decode()
    assert 'data-testid="chosen-dimensions"' not in page


def test_feedback_names_what_the_best_reply_shows(trainee_client, quiz, trainee):
    attempt = start(trainee_client, quiz, trainee)
    trainee_client.post(reverse("quizzes:reply", args=[attempt.pk]), {"item": "priya", "text": "Hm."})
    page = trainee_client.get(answer(trainee_client, attempt, "priya", "a").url).content.decode()
    assert "It shows: Alliance-rupture-repair responsiveness." in page and "It breaks:" not in page


def test_replay_walk_follows_a_branch_to_its_end_and_refuses_a_path_past_it():
    from quizzes import grading
    from tests.quizzes.conftest import BRANCHING_STEPS

    picks, step = grading.replay_walk(BRANCHING_STEPS, "a")
    assert [option["id"] for _, option in picks] == ["a"] and step["client_reply"].startswith("Honestly?")
    picks, step = grading.replay_walk(BRANCHING_STEPS, "a.c")
    assert step is None and picks[1] == ("Honestly? It felt like I was your project.", picks[1][1])
    assert picks[1][1]["grade"] == 0
    assert grading.replay_walk(BRANCHING_STEPS, "d")[1] is None
    for nowhere in ("d.a", "z", "a.z", "a.a.a"):
        with pytest.raises(grading.StepNotFound):
            grading.replay_walk(BRANCHING_STEPS, nowhere)
    assert grading.has_branches(BRANCHING_STEPS) and not grading.has_branches({"options": [{"id": "a"}]})


def finish(client, quiz, trainee):
    attempt = start(client, quiz, trainee)
    client.post(reverse("quizzes:reply", args=[attempt.pk]), {"item": "priya", "text": "Hm."})
    answer(client, attempt, "priya", "b")  # the branch behind a is never seen in the attempt
    answer(client, attempt, "mira", "b")
    attempt.refresh_from_db()
    assert attempt.status == Attempt.COMPLETED
    return attempt


def test_a_finished_branching_item_replays_unscored_down_the_branch_not_taken(trainee_client, quiz, trainee):
    from quizzes.models import Answer, Item

    attempt = finish(trainee_client, quiz, trainee)
    priya = Item.objects.get(slug="priya")
    result = trainee_client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
    replay = reverse("quizzes:session_replay", args=[priya.pk])
    assert 'data-testid="branch-replays"' in result and replay in result
    assert reverse("quizzes:session_replay", args=[Item.objects.get(slug="mira").pk]) not in result  # no branches
    answers = Answer.objects.count()
    first = trainee_client.get(replay).content.decode()
    assert "Yeah, the plan was fine." in first and "?path=a" in first and "?path=d" in first
    branch = trainee_client.get(replay, {"path": "a"}).content.decode()
    assert "Why a is graded 3." in branch and "Honestly? It felt like I was your project." in branch
    assert "?path=a.c" in branch and 'data-testid="branch-end"' not in branch
    end = trainee_client.get(replay, {"path": "a.c"}).content.decode()
    assert 'data-testid="branch-end"' in end and "Why c is graded 0." in end and "harmful" in end
    assert '?path=a"' in end  # back one reply, to try another
    assert Answer.objects.count() == answers  # unscored: nothing written
    assert trainee_client.get(replay, {"path": "d.a"}).status_code == 400


def test_an_item_not_finished_cannot_be_replayed(trainee_client, quiz, trainee):
    from quizzes.models import Item

    start(trainee_client, quiz, trainee)
    assert (
        trainee_client.get(reverse("quizzes:session_replay", args=[Item.objects.get(slug="priya").pk])).status_code
        == 404
    )
