"""Bad input is a 400 naming the field on the page and the API, never a 500: the forms and
serializers parse every value (quizzes.validators holds the rules they share)."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from quizzes import services
from quizzes.forms import AnswerForm, ReflectionForm, ReplyForm
from quizzes.models import Answer, FreeReply
from quizzes.reminders.forms import PreferenceForm
from quizzes.reminders.models import ReminderPreference

pytestmark = pytest.mark.django_db

ODD_NUMBERS = ["²", "9" * 5000, "٣", "3.5", "0", "5", "-1", " "]


@pytest.fixture
def replied(quiz, trainee):
    attempt, _ = services.attempt_start(trainee, quiz)
    services.attempt_write_reply(attempt, "priya", "What did 'fine' mean?")
    return attempt


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.parametrize("confidence", ODD_NUMBERS)
def test_odd_confidence_is_a_400_naming_it_on_the_page_and_the_api(trainee_client, trainee, replied, confidence):
    form = {"item": "priya", "step": "", "option": "a", "confidence": confidence}
    page = trainee_client.post(reverse("quizzes:answer", args=[replied.pk]), form)
    assert page.status_code == 400 and "confidence: must be a whole number from 1" in page.context["error"]
    api = api_for(trainee).post(f"/api/v1/attempts/{replied.pk}/answers/", form, format="json")
    assert api.status_code == 400 and list(api.json()) == ["confidence"]
    assert not Answer.objects.exists()


@pytest.mark.parametrize("seconds", ["²", "9" * 400, "nan", "inf", "-3", "86401", "1e400"])
def test_odd_seconds_are_a_400_on_the_api_and_none_on_the_page(trainee_client, trainee, replied, seconds):
    """The API's caller sends the time itself: nonsense is its error. The page's hidden timer is
    the browser's measurement, not the trainee's input: nonsense is stored as no time."""
    form = {"item": "priya", "step": "", "option": "a", "confidence": "3", "seconds": seconds}
    api = api_for(trainee).post(f"/api/v1/attempts/{replied.pk}/answers/", form, format="json")
    assert api.status_code == 400 and list(api.json()) == ["seconds"]
    page = trainee_client.post(reverse("quizzes:answer", args=[replied.pk]), form)
    assert page.status_code == 302 and Answer.objects.get().seconds is None


def test_sensible_seconds_are_kept(trainee_client, replied):
    form = {"item": "priya", "step": "", "option": "a", "confidence": "3", "seconds": "12.5"}
    assert trainee_client.post(reverse("quizzes:answer", args=[replied.pk]), form).status_code == 302
    assert Answer.objects.get().seconds == 12.5


def test_a_lone_surrogate_in_text_is_a_400_naming_the_field(trainee, quiz):
    attempt, _ = services.attempt_start(trainee, quiz)
    api = api_for(trainee)
    body = json.dumps({"item": "priya", "text": "a\ud800b"})  # ASCII JSON: "\\ud800", as a client may send
    response = api.post(f"/api/v1/attempts/{attempt.pk}/reply/", body, content_type="application/json")
    assert response.status_code == 400 and list(response.json()) == ["text"]
    # A page's urlencoded body cannot carry one (its UTF-8 is invalid and decodes to U+FFFD), so the
    # forms refuse it for any other caller, and the page survives the bytes.
    for form_class, data in [
        (ReplyForm, {"item": "priya", "text": "a\ud800b"}),
        (ReflectionForm, {"text": "a\ud800b", "shared": "on"}),
    ]:
        form = form_class(data)
        assert not form.is_valid() and list(form.errors) == ["text"]
    assert not FreeReply.objects.exists()


def test_the_page_survives_the_bytes_of_a_surrogate(trainee_client, trainee, quiz):
    attempt, _ = services.attempt_start(trainee, quiz)
    response = trainee_client.post(
        reverse("quizzes:reply", args=[attempt.pk]),
        "item=priya&text=a%ED%A0%80b",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302 and "\ud800" not in FreeReply.objects.get().text


def test_the_answer_form_gives_clean_values():
    form = AnswerForm({"item": "priya", "step": "a", "option": "b", "confidence": "4", "seconds": "3"})
    assert form.is_valid() and form.cleaned_data == {
        "item": "priya",
        "step": "a",
        "option": "b",
        "confidence": 4,
        "seconds": 3.0,
    }


@pytest.mark.parametrize("zone", ["Not/AZone", "europe/london ", "\x00", "../../etc/passwd", "x" * 65])
def test_an_unknown_time_zone_is_a_400_naming_it_on_the_page_and_the_api(trainee_client, trainee, zone):
    form = {"time_zone": zone, "reminder_time": "19:00", "frequency": "daily", "subscribed": "on"}
    page = trainee_client.post(reverse("reminders:preferences"), form)
    assert page.status_code == 400 and list(page.context["errors"]) == ["time_zone"]
    api = api_for(trainee).patch("/api/v1/reminder-preferences/", {"time_zone": zone}, format="json")
    assert api.status_code == 400 and list(api.json()) == ["time_zone"]
    assert ReminderPreference.objects.get(user=trainee).time_zone == "UTC"


def test_the_preference_form_pairs_quiet_hours_and_parses_each_field():
    base = {"time_zone": "Europe/London", "reminder_time": "07:30:59", "frequency": "weekly"}
    form = PreferenceForm({**base, "quiet_start": "22:00"})
    assert not form.is_valid() and list(form.errors) == ["quiet_end"]
    form = PreferenceForm({**base, "paused_until": "2026-12-31", "email_enabled": "on"})
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert (str(data["reminder_time"]), str(data["paused_until"]), data["email_enabled"], data["subscribed"]) == (
        "07:30:00",
        "2026-12-31",
        True,
        False,
    )
    for field, value in [("frequency", "hourly"), ("paused_until", "someday"), ("reminder_time", "25:00")]:
        form = PreferenceForm({**base, field: value})
        assert not form.is_valid() and list(form.errors) == [field]
