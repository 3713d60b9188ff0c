import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Answer, Attempt
from tests.conftest import UserFactory, enroll

pytestmark = pytest.mark.django_db


def module_url():
    return reverse("course:module", args=["relationship", "first"])


def test_module_page_offers_the_quiz_and_start_opens_an_attempt(trainee_client, quiz, trainee):
    page = trainee_client.get(module_url()).content.decode()
    assert "Practice quiz" in page and "Start quiz" in page and "Pass mark 70%" in page
    response = trainee_client.post(reverse("quizzes:start", args=[quiz.pk]))
    attempt = Attempt.objects.get(user=trainee)
    assert response.status_code == 302 and response.url == reverse("quizzes:attempt", args=[attempt.pk])
    assert "Resume quiz" in trainee_client.get(module_url()).content.decode()
    trainee_client.post(reverse("quizzes:start", args=[quiz.pk]))
    assert Attempt.objects.filter(user=trainee).count() == 1


def test_attempt_page_asks_for_the_free_reply_first(trainee_client, quiz, trainee):
    trainee_client.post(reverse("quizzes:start", args=[quiz.pk]))
    attempt = Attempt.objects.get(user=trainee)
    page = trainee_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "in your own words" in page and 'name="option"' not in page
    trainee_client.post(reverse("quizzes:reply", args=[attempt.pk]), {"item": "priya", "text": "Say more?"})
    page = trainee_client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert page.count('name="option"') == 4 and "You wrote first" in page


def test_missing_confidence_is_a_400_that_says_so_and_stores_nothing(trainee_client, quiz, trainee):
    trainee_client.post(reverse("quizzes:start", args=[quiz.pk]))
    attempt = Attempt.objects.get(user=trainee)
    trainee_client.post(reverse("quizzes:reply", args=[attempt.pk]), {"item": "priya", "text": "Say more?"})
    response = trainee_client.post(
        reverse("quizzes:answer", args=[attempt.pk]), {"item": "priya", "step": "", "option": "a"}
    )
    assert response.status_code == 400 and "confidence" in response.content.decode()
    assert not Answer.objects.exists()


def test_answer_then_feedback_then_branch(trainee_client, quiz, trainee):
    trainee_client.post(reverse("quizzes:start", args=[quiz.pk]))
    attempt = Attempt.objects.get(user=trainee)
    trainee_client.post(reverse("quizzes:reply", args=[attempt.pk]), {"item": "priya", "text": "Say more?"})
    response = trainee_client.post(
        reverse("quizzes:answer", args=[attempt.pk]),
        {"item": "priya", "step": "", "option": "d", "confidence": "2", "seconds": "4.2"},
    )
    answer = Answer.objects.get()
    assert response.url == reverse("quizzes:feedback", args=[attempt.pk, answer.pk])
    assert answer.seconds == pytest.approx(4.2) and answer.confidence == 2
    feedback = trainee_client.get(response.url).content.decode()
    assert "harmful" in feedback and "could hurt the relationship" in feedback and "Why a is graded 3" in feedback
    again = trainee_client.post(
        reverse("quizzes:answer", args=[attempt.pk]), {"item": "priya", "step": "", "option": "a", "confidence": "2"}
    )
    assert again.status_code == 409 and "already answered" in again.content.decode()


def test_another_trainees_attempt_pages_are_404(client, quiz, trainee):
    attempt = Attempt.objects.create(user=trainee, quiz=quiz, seed=1, item_ids=[], started_at="2026-11-01T10:00Z")
    stranger = enroll(UserFactory(username="stranger"), trainee.cohorts.get())
    client.force_login(stranger)
    for name in ("quizzes:attempt", "quizzes:result"):
        assert client.get(reverse(name, args=[attempt.pk])).status_code == 404
    assert client.post(reverse("quizzes:answer", args=[attempt.pk]), {}).status_code == 404
    assert client.post(reverse("quizzes:reflection", args=[attempt.pk]), {"text": "x"}).status_code == 404


def test_result_page_breaks_the_score_down_by_skill_and_dimension(trainee_client, quiz, trainee):
    from tests.quizzes.test_attempts import play

    attempt = play(
        Attempt.objects.create(
            user=trainee,
            quiz=quiz,
            seed=3,
            item_ids=list(quiz.items.order_by("order").values_list("pk", flat=True)),
            started_at="2026-11-01T10:00Z",
        )
    )
    page = trainee_client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
    assert "Noticing a withdrawal rupture" in page and "Immediacy: speaking to what happens between us" in page
    assert "Alliance-rupture-repair responsiveness" in page and "100%" in page and "passed" in page
    assert "ready to practise these skills with supervision" in page


def test_history_survives_a_later_rewrite_of_the_item(trainee_client, quiz, trainee):
    from quizzes.models import Item
    from tests.quizzes.test_attempts import play

    attempt = play(
        Attempt.objects.create(
            user=trainee,
            quiz=quiz,
            seed=3,
            started_at="2026-11-01T10:00Z",
            item_ids=list(quiz.items.order_by("order").values_list("pk", flat=True)),
        )
    )
    priya = Item.objects.get(slug="priya")
    steps = priya.steps
    del steps["options"][0]["next"]  # version 2 drops the branch the trainee answered
    steps["options"] = [o for o in steps["options"] if o["id"] != "a"] + [dict(steps["options"][0], id="e")]
    Item.objects.filter(pk=priya.pk).update(steps=steps, version=2)
    page = trainee_client.get(reverse("quizzes:result", args=[attempt.pk]))
    assert page.status_code == 200 and "rewritten since you answered it" in page.content.decode()
    assert "100%" in page.content.decode()
    answer = Answer.objects.filter(attempt=attempt, step_path="a").get()
    assert trainee_client.get(reverse("quizzes:feedback", args=[attempt.pk, answer.pk])).status_code == 302


def test_replaying_a_finished_plain_item_opens_on_the_clients_statement(trainee_client, quiz, trainee):
    """A branching item that is not a relationship-state session replays too: its first step has no
    client_reply of its own (this was a KeyError, a 500)."""
    from quizzes import services

    attempt, _ = services.attempt_start(trainee, quiz)
    services.attempt_write_reply(attempt, "priya", "I would ask what shifted.")
    services.attempt_answer(attempt, "priya", "", "b", 3)
    attempt.refresh_from_db()
    services.attempt_answer(attempt, "mira", "", "b", 3)
    mira = quiz.items.get(slug="mira")
    response = trainee_client.get(reverse("quizzes:session_replay", args=[mira.pk]))
    assert response.status_code == 200
    assert "You must be so bored of me." in response.content.decode()


def test_the_quiz_panel_costs_one_query_and_counts_the_active_items(
    trainee_client, quiz, trainee, django_assert_num_queries
):
    assert "2 client scenarios." in trainee_client.get(module_url()).content.decode()
    trainee_client.post(reverse("quizzes:start", args=[quiz.pk]))
    # session, user, the course with the trainee's state, the panel's attempts, the nav's unread count;
    # the items are counted from the course's items kept under its structure version
    with django_assert_num_queries(5):
        page = trainee_client.get(module_url()).content.decode()
    assert "Resume quiz" in page and "2 client scenarios." in page
    item = quiz.items.get(slug="priya")
    item.is_active = False
    item.save()  # an admin edit: the version moves, the count follows
    assert "1 client scenario." in trainee_client.get(module_url()).content.decode()


def test_the_panel_and_unread_reads_equal_their_querysets(quiz, trainee, other_trainee):
    from quizzes import selectors, services
    from quizzes.reminders import selectors as reminders
    from quizzes.reminders.models import Notification

    services.attempt_start(trainee, quiz)
    Notification.objects.create(user=trainee, title="A", body="B", created_at=timezone.now())
    for user in (trainee, other_trainee):
        prepared = selectors._PANEL_ATTEMPTS
        assert prepared.rows(user.pk, quiz.pk) == list(prepared.build(user.pk, quiz.pk))
        assert reminders.unread_count(user) == Notification.objects.filter(user=user, read_at__isnull=True).count()
    assert reminders.unread_count(trainee) == 1
    (attempt,) = selectors.panel_attempts(trainee, quiz)
    assert attempt.is_open and attempt.pk == quiz.attempts.get().pk
