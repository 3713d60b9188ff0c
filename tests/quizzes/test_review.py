"""Spaced review on the database: cards from quiz answers, review sessions, mastery, the API and pages."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from quizzes import services as quiz_services
from quizzes.reminders import services as reminder_services
from quizzes.reminders.models import Notification, ReminderPreference
from quizzes.review import selectors, services
from quizzes.review.models import ReviewCard, ReviewLog
from tests.conftest import UserFactory, enroll
from tests.quizzes.reviewing import SKILL, build_review_course

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def quiz(course_with_lessons):
    return build_review_course(course_with_lessons)


def answer_first_item(user, quiz, option="a", confidence=3):
    """Answer as a request would: the facts deck and the `reviewed` signal follow the commit."""
    from django.test import TestCase

    attempt, _ = quiz_services.attempt_start(user, quiz)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return quiz_services.attempt_answer(attempt, "withdrawal-harold", "", option, confidence, seconds=30)


def test_the_facts_deck_and_reminder_note_wait_for_the_commit(quiz, trainee, django_capture_on_commit_callbacks):
    attempt, _ = quiz_services.attempt_start(trainee, quiz)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        quiz_services.attempt_answer(attempt, "withdrawal-harold", "", "a", 3, seconds=30)
    # the skill's card and its first log are part of the answer's transaction; the deck is not
    assert ReviewCard.objects.filter(user=trainee, kind=ReviewCard.SKILL).count() == 1
    assert not ReviewCard.objects.filter(user=trainee, kind=ReviewCard.FACT).exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert ReviewCard.objects.filter(user=trainee, kind=ReviewCard.FACT).count() == 2


def test_first_answer_of_a_skill_creates_its_card_the_facts_deck_and_preferences(quiz, trainee):
    with time_machine.travel(NOW, tick=False):
        answer_first_item(trainee, quiz, option="a")
    card = ReviewCard.objects.get(user=trainee, kind=ReviewCard.SKILL)
    assert card.skill == SKILL and card.reps == 1 and card.last_review == NOW and card.due >= NOW + timedelta(days=1)
    assert card.last_item.slug == "withdrawal-harold"
    log = ReviewLog.objects.get(card=card)
    assert (log.source, log.grade, log.rating) == (ReviewLog.QUIZ, 3, 3)
    assert ReviewCard.objects.filter(user=trainee, kind=ReviewCard.FACT, due=NOW).count() == 2
    pref = ReminderPreference.objects.get(user=trainee)
    assert pref.last_reviewed_at == NOW and pref.next_reminder_at is not None


def test_a_harmful_first_answer_rates_again_and_later_answers_leave_the_card_alone(quiz, trainee):
    with time_machine.travel(NOW, tick=False):
        answer_first_item(trainee, quiz, option="d")
    card = ReviewCard.objects.get(user=trainee, kind=ReviewCard.SKILL)
    assert ReviewLog.objects.get(card=card).rating == 1
    attempt = trainee.quiz_attempts.get()
    quiz_services.attempt_answer(attempt, "withdrawal-joaquin", "", "a", 4)
    card.refresh_from_db()
    assert card.reps == 1 and ReviewLog.objects.count() == 1


def skill_card_due(user, course):
    card = ReviewCard.objects.create(
        user=user, course=course, kind=ReviewCard.SKILL, skill=SKILL, due=NOW - timedelta(hours=1), created_at=NOW
    )
    return card


def test_each_review_shows_a_different_isomorph_than_last_time(quiz, trainee, course_with_lessons):
    card = skill_card_due(trainee, course_with_lessons)
    seen = []
    for _ in range(4):
        card.refresh_from_db()
        with time_machine.travel(card.due + timedelta(minutes=1), tick=False):
            prompt = selectors.next_review(trainee)
            assert prompt.card == card
            seen.append(prompt.key)
            services.review_submit(trainee, card.pk, prompt.key, "b", 2, 10, uuid.uuid4())
    assert all(a != b for a, b in zip(seen, seen[1:], strict=False)) and len(set(seen)) == 3


def test_double_submit_with_the_same_review_id_counts_once(quiz, trainee, course_with_lessons):
    card = skill_card_due(trainee, course_with_lessons)
    review_id = uuid.uuid4()
    with time_machine.travel(NOW, tick=False):
        key = selectors.next_review(trainee).key
        first = services.review_submit(trainee, card.pk, key, "a", 3, 12, review_id)
        again = services.review_submit(trainee, card.pk, key, "a", 3, 12, str(review_id))
    assert not first.repeated and again.repeated and again.log.pk == first.log.pk
    card.refresh_from_db()
    assert card.reps == 1 and ReviewLog.objects.filter(card=card).count() == 1


def test_a_review_dated_before_the_last_one_is_refused_naming_the_field(api_client, quiz, trainee, course_with_lessons):
    card = skill_card_due(trainee, course_with_lessons)
    with time_machine.travel(NOW, tick=False):
        key = selectors.next_review(trainee).key
        services.review_submit(trainee, card.pk, key, "a", 3, 12, uuid.uuid4())
        card.refresh_from_db()
        key = selectors.prompt_for(card).key
        response = api_client.post(
            "/api/v1/reviews/",
            {
                "card": card.pk,
                "key": key,
                "option": "a",
                "confidence": 3,
                "review_id": str(uuid.uuid4()),
                "reviewed_at": (NOW - timedelta(hours=1)).isoformat(),
            },
            format="json",
        )
    assert response.status_code == 400 and "reviewed_at" in response.json()
    assert ReviewLog.objects.filter(card=card).count() == 1


def test_review_api_plays_due_items_one_by_one_with_feedback(api_client, quiz, trainee, course_with_lessons):
    with time_machine.travel(NOW, tick=False):
        answer_first_item(trainee, quiz)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        state = api_client.get("/api/v1/reviews/").json()
        assert (state["due"], state["due_facts"], state["due_skills"]) == (2, 2, 0)
        answered = []
        while state["next"]:
            prompt = state["next"]
            assert prompt["kind"] == "fact" and {o["id"] for o in prompt["options"]} == {"a", "b"}
            response = api_client.post(
                "/api/v1/reviews/",
                {
                    "card": prompt["card"],
                    "key": prompt["key"],
                    "option": "a",
                    "confidence": 2,
                    "seconds": 4,
                    "review_id": str(uuid.uuid4()),
                },
                format="json",
            )
            assert response.status_code == 200, response.content
            body = response.json()
            assert body["best"]["text"] in {"A", "B"} and body["explanation"].startswith("Because")
            assert body["rating"] in {"again", "good"} and not body["repeated"]
            answered.append(prompt["key"])
            state = api_client.get("/api/v1/reviews/").json()
    assert sorted(answered) == ["fact-ci", "fact-r"] and state["due"] == 0


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"option": "zz"}, "option"),
        ({"confidence": 9}, "confidence"),
        ({"review_id": "not-a-uuid"}, "review_id"),
        ({"card": "x"}, "card"),
    ],
)
def test_bad_review_input_is_a_400_naming_the_field(api_client, quiz, trainee, course_with_lessons, payload, field):
    card = skill_card_due(trainee, course_with_lessons)
    key = selectors.prompt_for(card).key
    body = {"card": card.pk, "key": key, "option": "a", "confidence": 3, "review_id": str(uuid.uuid4()), **payload}
    response = api_client.post("/api/v1/reviews/", body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_another_trainees_card_is_a_404_and_a_stale_key_a_409(api_client, quiz, trainee, course_with_lessons, cohort):
    other = enroll(UserFactory(username="other"), cohort)
    theirs = skill_card_due(other, course_with_lessons)
    body = {"card": theirs.pk, "key": "withdrawal-harold", "option": "a", "confidence": 3}
    assert (
        api_client.post("/api/v1/reviews/", {**body, "review_id": str(uuid.uuid4())}, format="json").status_code == 404
    )
    mine = skill_card_due(trainee, course_with_lessons)
    stale = {**body, "card": mine.pk, "key": "withdrawal-priya", "review_id": str(uuid.uuid4())}
    assert api_client.post("/api/v1/reviews/", stale, format="json").status_code == 409


def test_mastery_api_reports_ready_to_practise_never_competent(
    api_client, trainee_client, quiz, trainee, course_with_lessons
):
    card = skill_card_due(trainee, course_with_lessons)
    for day in (0, 0, 8):
        with time_machine.travel(NOW + timedelta(days=day, hours=len(ReviewLog.objects.all())), tick=False):
            card.refresh_from_db()
            services.review_submit(trainee, card.pk, selectors.prompt_for(card).key, "a", 3, 9, uuid.uuid4())
    (skill,) = api_client.get("/api/v1/reviews/mastery/").json()
    assert skill["skill"] == SKILL and skill["ready_to_practise"] and skill["label"] == "ready to practise"
    assert skill["best_isomorphs"] == 3
    client_html = trainee_client.get(reverse("review:mastery"))
    assert b"Ready to practise" in client_html.content and b"ompetent in it" in client_html.content


# ---------------------------------------------------------------- preferences


def test_preferences_api_validates_each_field(api_client, trainee):
    url = "/api/v1/reminder-preferences/"
    assert api_client.get(url).json()["time_zone"] == "UTC"
    for payload, field in [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"reminder_time": "25:00"}, "reminder_time"),
        ({"frequency": "hourly"}, "frequency"),
        ({"quiet_start": "22:00"}, "quiet_end"),
        ({"paused_until": "someday"}, "paused_until"),
    ]:
        response = api_client.patch(
            url, {**payload, "quiet_end": None} if field == "quiet_end" else payload, format="json"
        )
        assert response.status_code == 400 and field in response.json(), (payload, response.content)
    good = {
        "time_zone": "America/New_York",
        "reminder_time": "07:45",
        "quiet_start": "22:00",
        "quiet_end": "06:30",
        "frequency": "weekly",
        "paused_until": "2026-12-31",
        "email_enabled": False,
    }
    body = api_client.patch(url, good, format="json").json()
    assert body["time_zone"] == "America/New_York" and body["reminder_time"] == "07:45:00"
    assert body["quiet_start"] == "22:00:00" and body["frequency"] == "weekly" and body["email_enabled"] is False


def test_preferences_page_saves_and_shows_errors(trainee_client, trainee):
    url = reverse("reminders:preferences")
    assert trainee_client.get(url).status_code == 200
    form = {
        "time_zone": "Europe/London",
        "reminder_time": "19:15",
        "quiet_start": "23:00",
        "quiet_end": "07:00",
        "frequency": "daily",
        "paused_until": "",
        "email_enabled": "on",
        "subscribed": "on",
    }
    assert trainee_client.post(url, form).status_code == 302
    pref = ReminderPreference.objects.get(user=trainee)
    assert str(pref.reminder_time) == "19:15:00" and not pref.in_app_enabled and pref.unsubscribed_at is None
    bad = trainee_client.post(url, {**form, "time_zone": "Nowhere/City"})
    assert bad.status_code == 400 and b"time_zone" in bad.content


# ---------------------------------------------------------------- unsubscribe


def test_unsubscribe_in_one_click_with_no_login(client, trainee):
    token = reminder_services.unsubscribe_token(trainee.pk)
    url = reverse("reminders:unsubscribe", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and b"Yes, stop reminders" in page.content
    assert not ReminderPreference.objects.filter(unsubscribed_at__isnull=False).exists()  # GET changes nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and ReminderPreference.objects.get(user=trainee).unsubscribed_at is not None
    assert client.post(url).status_code == 200  # idempotent


def test_a_tampered_unsubscribe_token_is_refused(client, trainee, other_trainee):
    token = reminder_services.unsubscribe_token(trainee.pk)
    forged = reminder_services.unsubscribe_token(other_trainee.pk).split(":")[0] + ":" + token.split(":", 1)[1]
    for bad in (token[:-2] + ("aa" if not token.endswith("aa") else "bb"), forged, "nonsense"):
        response = client.post(reverse("reminders:unsubscribe", args=[bad]))
        assert response.status_code == 400
    assert not ReminderPreference.objects.filter(unsubscribed_at__isnull=False).exists()


# ---------------------------------------------------------------- notifications and course page


def notify(user, n):
    for i in range(n):
        Notification.objects.create(
            user=user,
            title=f"Reminder {i}",
            body="3 due",
            link="/quizzes/review/",
            created_at=NOW + timedelta(minutes=i),
        )


def test_notifications_api_lists_counts_unread_and_marks_read(
    api_client, trainee, other_trainee, django_assert_num_queries
):
    notify(trainee, 5)
    notify(other_trainee, 2)
    with django_assert_num_queries(3):  # count, page, unread count (force_authenticate needs no query)
        body = api_client.get("/api/v1/notifications/").json()
    assert body["count"] == 5 and body["unread_count"] == 5 and body["results"][0]["title"] == "Reminder 4"
    first = body["results"][0]["id"]
    assert api_client.post("/api/v1/notifications/read/", {"ids": [first]}, format="json").json() == {
        "marked": 1,
        "unread_count": 4,
    }
    theirs = Notification.objects.filter(user=other_trainee).first().pk
    assert api_client.post("/api/v1/notifications/read/", {"ids": [theirs]}, format="json").json()["marked"] == 0
    assert api_client.post("/api/v1/notifications/read/", {}, format="json").json()["unread_count"] == 0
    assert Notification.objects.filter(user=other_trainee, read_at__isnull=True).count() == 2


def test_notifications_page_and_mark_all_read(trainee_client, trainee):
    notify(trainee, 3)
    page = trainee_client.get(reverse("reminders:notifications"))
    assert b"3 unread" in page.content
    trainee_client.post(reverse("reminders:notifications_read"))
    assert b"0 unread" in trainee_client.get(reverse("reminders:notifications")).content


def test_course_page_shows_reviews_due(trainee_client, trainee, quiz, course_with_lessons, django_assert_num_queries):
    url = reverse("course:course", args=[course_with_lessons.slug])
    assert b"No reviews due right now" in trainee_client.get(url).content
    skill_card_due(trainee, course_with_lessons)
    notify(trainee, 2)
    page = trainee_client.get(url)
    assert b"1 review due" in page.content and reverse("review:session").encode() in page.content
    assert b"(2 unread)" in page.content
    with django_assert_num_queries(1):
        assert selectors.due_count(trainee, course=course_with_lessons) == 1


def test_review_pages_play_a_review_with_feedback(trainee_client, trainee, quiz, course_with_lessons):
    card = skill_card_due(trainee, course_with_lessons)
    session = trainee_client.get(reverse("review:session"))
    prompt = session.context["prompt"]
    assert prompt.card == card and b"Which reply would you give?" in session.content
    review_id = str(session.context["review_id"])
    form = {
        "card": card.pk,
        "key": prompt.key,
        "option": "d",
        "confidence": "2",
        "seconds": "7.5",
        "review_id": review_id,
    }
    response = trainee_client.post(reverse("review:answer"), form)
    assert response.status_code == 302
    again = trainee_client.post(reverse("review:answer"), form)  # a double click
    assert again.url == response.url and ReviewLog.objects.count() == 1
    feedback = trainee_client.get(response.url)
    assert b"harmful" in feedback.content and b"The reply that helps most" in feedback.content
    assert b"Nothing is due" in trainee_client.get(reverse("review:session")).content
    bad = trainee_client.post(reverse("review:answer"), {**form, "review_id": "x"})
    assert bad.status_code == 400 and b"review_id" in bad.content


def test_the_facts_deck_is_introduced_a_few_cards_a_day(quiz, trainee, settings):
    from quizzes.review.models import Fact

    settings.ATTUNE_REVIEW_NEW_FACTS_PER_DAY = 2
    module = quiz.module
    for index in range(3):
        Fact.objects.create(
            course=module.course,
            module=module,
            slug=f"extra-{index}",
            question="Q?",
            options=[{"id": "a", "text": "A", "correct": True}],
            explanation="Because.",
        )
    with time_machine.travel(NOW, tick=False):
        answer_first_item(trainee, quiz, option="a")
    dues = sorted(ReviewCard.objects.filter(user=trainee, kind=ReviewCard.FACT).values_list("due", flat=True))
    assert dues == [NOW, NOW, NOW + timedelta(days=1), NOW + timedelta(days=1), NOW + timedelta(days=2)]


def test_login_takes_the_device_time_zone_until_the_trainee_chooses_one(client, trainee):
    from quizzes.reminders.models import ReminderPreference

    def log_in(zone):
        client.post(
            "/accounts/login/", {"username": "trainee", "password": "a-long-test-password", "device_time_zone": zone}
        )
        client.logout()
        return ReminderPreference.objects.get(user=trainee)

    pref = log_in("America/New_York")
    assert pref.time_zone == "America/New_York" and not pref.time_zone_chosen
    assert log_in("Not/AZone").time_zone == "America/New_York"
    reminder_services.preference_update(trainee, {"time_zone": "Europe/London"})
    pref = log_in("Asia/Tokyo")
    assert pref.time_zone == "Europe/London" and pref.time_zone_chosen


# ---------------------------------------------------------------- hardening: bad input is a 4xx, never a 500


@pytest.mark.parametrize("value", ["18:30Z", "18:30+05", "07:00:00+01:00"])
def test_a_reminder_time_with_a_zone_offset_is_a_400_naming_the_field(api_client, trainee_client, trainee, value):
    """Times of day are local to the trainee's zone; an offset in them would crash the save."""
    for field in ("reminder_time", "quiet_start"):
        body = {field: value, **({"quiet_end": "07:00"} if field == "quiet_start" else {})}
        response = api_client.patch("/api/v1/reminder-preferences/", body, format="json")
        assert response.status_code == 400 and field in response.json(), response.content
    form = {"time_zone": "Europe/London", "reminder_time": value, "frequency": "daily", "email_enabled": "on"}
    page = trainee_client.post(reverse("reminders:preferences"), form)
    assert page.status_code == 400 and b"reminder_time" in page.content
    assert ReminderPreference.objects.get(user=trainee).reminder_time.tzinfo is None


def test_odd_digits_in_the_review_form_are_a_4xx_not_a_500(trainee_client, trainee, quiz, course_with_lessons):
    """'²' passes str.isdigit() but not int(): the form must not crash on it."""
    card = skill_card_due(trainee, course_with_lessons)
    key = selectors.prompt_for(card).key
    form = {
        "card": card.pk,
        "key": key,
        "option": "a",
        "confidence": "3",
        "seconds": "",
        "review_id": str(uuid.uuid4()),
    }
    assert trainee_client.post(reverse("review:answer"), {**form, "card": "²"}).status_code == 404
    bad = trainee_client.post(reverse("review:answer"), {**form, "confidence": "²"})
    assert bad.status_code == 400 and b"confidence" in bad.content
    huge = trainee_client.post(reverse("review:answer"), {**form, "card": "9" * 30})
    assert huge.status_code == 404
    assert trainee_client.post(reverse("review:answer"), {**form, "seconds": "²"}).status_code == 302
    assert ReviewLog.objects.get(card=card).seconds is None


def test_odd_or_huge_notification_ids_are_ignored_not_a_500(api_client, trainee_client, trainee):
    notify(trainee, 1)
    response = trainee_client.post(reverse("reminders:notifications_read"), {"id": ["²", "9" * 30]})
    assert response.status_code == 302 and Notification.objects.filter(read_at__isnull=True).count() == 1
    response = api_client.post("/api/v1/notifications/read/", {"ids": [10**30]}, format="json")
    assert response.status_code == 400 and "ids" in response.json()
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_a_huge_card_id_in_the_api_is_a_404(api_client, trainee, quiz, course_with_lessons):
    body = {"card": 10**30, "key": "k", "option": "a", "confidence": 3, "review_id": str(uuid.uuid4())}
    assert api_client.post("/api/v1/reviews/", body, format="json").status_code in (400, 404)


def test_an_unsubscribe_link_of_a_deleted_account_is_not_a_500(client, trainee):
    token = reminder_services.unsubscribe_token(trainee.pk)
    trainee.delete()
    url = reverse("reminders:unsubscribe", args=[token])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 200 and not ReminderPreference.objects.exists()


def test_the_notifications_page_counts_every_unread_not_only_those_shown(trainee_client, trainee):
    notify(trainee, 55)
    page = trainee_client.get(reverse("reminders:notifications"))
    assert b"55 unread" in page.content and len(page.context["notifications"]) == 50


def test_saving_preferences_keeps_a_review_recorded_meanwhile(trainee):
    """The sweep and reviews write the same row; a preferences save must not put their columns back."""
    from django.db.models.signals import pre_save

    reminder_services.preference_ensure(trainee.pk, NOW)
    reviewed = NOW + timedelta(minutes=1)

    def review_lands_meanwhile(sender, instance, **kwargs):
        ReminderPreference.objects.filter(pk=instance.pk).update(last_reviewed_at=reviewed, last_reminded_at=reviewed)

    pre_save.connect(review_lands_meanwhile, sender=ReminderPreference, dispatch_uid="review-meanwhile")
    try:
        reminder_services.preference_update(trainee, {"reminder_time": "08:15"}, now=NOW + timedelta(minutes=2))
    finally:
        pre_save.disconnect(sender=ReminderPreference, dispatch_uid="review-meanwhile")
    pref = ReminderPreference.objects.get(user=trainee)
    assert str(pref.reminder_time) == "08:15:00"
    assert pref.last_reviewed_at == reviewed and pref.last_reminded_at == reviewed


@pytest.mark.parametrize("confidence", ["²", "9" * 5000, "5"])
def test_odd_confidence_in_a_review_is_a_400_naming_it_on_the_page_and_the_api(
    api_client, trainee_client, trainee, quiz, course_with_lessons, confidence
):
    card = skill_card_due(trainee, course_with_lessons)
    form = {
        "card": card.pk,
        "key": selectors.prompt_for(card).key,
        "option": "a",
        "confidence": confidence,
        "review_id": str(uuid.uuid4()),
    }
    page = trainee_client.post(reverse("review:answer"), form)
    assert page.status_code == 400 and "confidence: must be a whole number from 1" in page.content.decode()
    api = api_client.post("/api/v1/reviews/", form, format="json")
    assert api.status_code == 400 and list(api.json()) == ["confidence"]
    assert not ReviewLog.objects.exists()


@pytest.mark.parametrize("seconds", ["²", "9" * 400])
def test_odd_seconds_in_a_review_are_a_400_on_the_api(api_client, trainee, quiz, course_with_lessons, seconds):
    card = skill_card_due(trainee, course_with_lessons)
    body = {
        "card": card.pk,
        "key": selectors.prompt_for(card).key,
        "option": "a",
        "confidence": 3,
        "seconds": seconds,
        "review_id": str(uuid.uuid4()),
    }
    response = api_client.post("/api/v1/reviews/", body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["seconds"]


def test_due_reviews_are_one_query_and_agree_with_the_plain_reads(
    api_client, quiz, trainee, other_trainee, course_with_lessons, django_assert_num_queries
):
    from quizzes.review.models import SkillLevel

    with time_machine.travel(NOW, tick=False):
        answer_first_item(trainee, quiz)
    card = ReviewCard.objects.get(user=trainee, kind=ReviewCard.SKILL)
    ReviewCard.objects.filter(pk=card.pk).update(due=NOW - timedelta(days=1))  # the most overdue
    SkillLevel.objects.update_or_create(
        user=trainee, course=course_with_lessons, skill=card.skill, defaults={"level": "advanced", "updated_at": NOW}
    )
    later = NOW + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        api_client.get("/api/v1/reviews/")  # the course's items are kept from here on
        with django_assert_num_queries(1):  # cards, facts, level and counts (force_authenticate needs none)
            state = api_client.get("/api/v1/reviews/").json()
        assert (state["due"], state["due_skills"], state["due_facts"]) == (3, 1, 2)
        card.refresh_from_db()
        expected = selectors.prompt_for(card)  # the plain reads: the items and the level queried
        assert state["next"]["card"] == card.pk and state["next"]["key"] == expected.key
        assert [o["id"] for o in state["next"]["options"]] == [o["id"] for o in expected.options]
        for user in (trainee, other_trainee):
            assert selectors._DUE.rows(user.pk, later) == list(selectors._DUE.build(user.pk, later))
            counts, prompt = selectors.due_reviews(user)
            assert counts == selectors.due_count_by_kind(user)
        assert prompt is None
