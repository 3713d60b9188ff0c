"""Account basics: password reset by email (Django's views in the site's templates, once through a
real SMTP server of the test's own), password change, and a settings page about the person: the
time zone in words, errors that name fields in words, and the device's zone only until one is chosen."""

import email
import re
from email import policy

import pytest
from django.urls import reverse

from quizzes.reminders import services as reminder_services
from quizzes.reminders.models import ReminderPreference
from tests.conftest import PASSWORD, UserFactory
from tests.quizzes.test_reminders_faults import FaultySMTP

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-different-long-password-42"
LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/[^\s]+/)")


def reset_link(body: str) -> str:
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def choose_new_password(client, link: str):
    """Follow the emailed link: Django swaps the token for a session and redirects to the form."""
    form_page = client.get(link)
    assert form_page.status_code == 302
    page = client.get(form_page.url)
    assert page.status_code == 200 and b"Choose a new password" in page.content
    return client.post(form_page.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def test_the_login_page_offers_a_password_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in page and "Forgotten your password?" in page


def test_a_password_reset_by_email_end_to_end(client, mailoutbox):
    user = UserFactory(username="forgetful", email="forgetful@example.org")
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200 and b"Reset your password" in page.content and b'class="site-header"' in page.content
    sent = client.post(reverse("password_reset"), {"email": "forgetful@example.org"})
    assert sent.status_code == 302 and sent.url == reverse("password_reset_done")
    assert b"Check your email" in client.get(sent.url).content
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["forgetful@example.org"]
    assert mailoutbox[0].subject == "Choose a new Attune password"
    link = reset_link(mailoutbox[0].body)
    done = choose_new_password(client, link)
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    assert b"Your new password is saved" in client.get(done.url).content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    again = client.get(link)  # a link works once
    assert again.status_code == 200 and b'data-testid="reset-link-invalid"' in again.content


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, mailoutbox):
    UserFactory(username="known", email="known@example.org")
    sent = client.post(reverse("password_reset"), {"email": "stranger@example.org"})
    assert sent.status_code == 302 and sent.url == reverse("password_reset_done") and mailoutbox == []


def test_mismatched_new_passwords_show_the_error_in_words(client, mailoutbox):
    UserFactory(username="typo", email="typo@example.org")
    client.post(reverse("password_reset"), {"email": "typo@example.org"})
    form_url = client.get(reset_link(mailoutbox[0].body)).url
    page = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert page.status_code == 200 and b'data-testid="field-error"' in page.content
    assert b"new_password2:" not in page.content


def test_the_reset_email_goes_out_through_a_real_smtp_server(client, settings):
    server = FaultySMTP()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        user = UserFactory(username="by-smtp", email="by-smtp@example.org")
        assert client.post(reverse("password_reset"), {"email": "by-smtp@example.org"}).status_code == 302
        assert server.received == ["by-smtp@example.org"]
        message = email.message_from_bytes(server.messages[0], policy=policy.default)
        assert message["Subject"] == "Choose a new Attune password"
        link = reset_link(message.get_body(("plain",)).get_content())
    finally:
        server.close()
    assert choose_new_password(client, link).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_trainee_changes_their_password_from_settings(trainee_client, trainee):
    settings_page = trainee_client.get(reverse("reminders:preferences")).content.decode()
    assert reverse("password_change") in settings_page and 'data-testid="account"' in settings_page
    wrong = trainee_client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and b'data-testid="field-error"' in wrong.content
    done = trainee_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done.url == reverse("password_change_done")
    assert b"Your password is changed" in trainee_client.get(done.url).content  # still logged in
    trainee.refresh_from_db()
    assert trainee.check_password(NEW_PASSWORD)


# ---------------------------------------------------------------- the settings page


def test_the_time_zone_is_a_select_of_zones_in_words(trainee_client, trainee):
    reminder_services.preference_update(trainee, {"time_zone": "Europe/London"})
    page = trainee_client.get(reverse("reminders:preferences")).content.decode()
    assert '<select id="time_zone" name="time_zone"' in page
    assert re.search(r'<option value="Europe/London" selected>London, United Kingdom · UTC[+-]\d\d:\d\d</option>', page)
    assert '<option value="America/Argentina/Buenos_Aires"' in page and "IANA" not in page
    assert "Reminders follow the clock in <strong>London, United Kingdom</strong>" in page
    assert "logging in on another device does not change it" in page


def test_an_uncommon_device_zone_is_offered_in_words(trainee_client, trainee):
    reminder_services.preference_zone_from_device(trainee.pk, "America/Boise")
    page = trainee_client.get(reverse("reminders:preferences")).content.decode()
    assert '<option value="America/Boise" selected>Boise (America) · America/Boise</option>' in page
    assert "taken from the device you last logged in on" in page


def test_errors_name_fields_in_words_not_ids(trainee_client, trainee):
    form = {"time_zone": "Nowhere/City", "reminder_time": "25:99", "frequency": "daily", "subscribed": "on"}
    page = trainee_client.post(reverse("reminders:preferences"), form)
    assert page.status_code == 400
    error = page.content.decode().split('data-testid="error"')[1].split("</div>")[0]
    assert '<a href="#time_zone">Time zone</a>:' in error and '<a href="#reminder_time">Remind me at</a>:' in error
    assert "time_zone:" not in error and "reminder_time:" not in error


def test_a_chosen_zone_survives_a_later_login_elsewhere(client, trainee):
    def log_in(zone):
        client.post(reverse("login"), {"username": "trainee", "password": PASSWORD, "device_time_zone": zone})
        pref = ReminderPreference.objects.get(user=trainee)
        return pref

    assert log_in("Europe/London").time_zone == "Europe/London"  # a London phone
    client.logout()
    pref = log_in("UTC")  # a UTC laptop, before any choice: the device still leads
    assert (pref.time_zone, pref.time_zone_chosen) == ("UTC", False)
    form = {"time_zone": "Europe/London", "reminder_time": "19:00", "frequency": "daily", "subscribed": "on"}
    assert client.post(reverse("reminders:preferences"), form).status_code == 302  # saving the page chooses
    client.logout()
    pref = log_in("Asia/Tokyo")  # then a laptop elsewhere
    assert (pref.time_zone, pref.time_zone_chosen) == ("Europe/London", True)
    client.logout()
    client.cookies["attune_device_tz"] = "America/New_York"  # the cookie route, too
    client.post(reverse("login"), {"username": "trainee", "password": PASSWORD})
    assert ReminderPreference.objects.get(user=trainee).time_zone == "Europe/London"


def test_the_api_says_whether_the_zone_was_chosen_and_a_patch_chooses_it(api_client, trainee):
    reminder_services.preference_zone_from_device(trainee.pk, "Europe/Paris")
    body = api_client.get("/api/v1/reminder-preferences/").json()
    assert (body["time_zone"], body["time_zone_chosen"]) == ("Europe/Paris", False)
    body = api_client.patch("/api/v1/reminder-preferences/", {"time_zone": "Europe/Paris"}, format="json").json()
    assert body["time_zone_chosen"] is True
    assert not reminder_services.preference_zone_from_device(trainee.pk, "Asia/Tokyo")  # a later login elsewhere
    ignored = api_client.patch("/api/v1/reminder-preferences/", {"time_zone_chosen": False}, format="json")
    assert ignored.status_code == 200 and ignored.json()["time_zone_chosen"] is True  # read-only
