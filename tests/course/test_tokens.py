"""API tokens expire after ATTUNE_API_TOKEN_TTL_HOURS and die with a password change, on every route
Django changes a password by."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

EXPIRED = {"detail": "Token expired: post your username and password to the token endpoint for a new one."}
NEW_PASSWORD = "another-long-password-9"


def obtain(username="trainee", password=PASSWORD) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def progress(key: str):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/v1/progress/")


def test_a_token_works_until_its_time_is_up_then_gets_401_and_a_new_one_is_issued(trainee):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        key = obtain()
    with time_machine.travel(start + timedelta(hours=24 * 30) - timedelta(seconds=1), tick=False):
        assert progress(key).status_code == 200
        assert obtain() == key  # still valid: the same token
    with time_machine.travel(start + timedelta(hours=24 * 30), tick=False):
        response = progress(key)
        assert response.status_code == 401
        assert response.json() == EXPIRED
        assert response["WWW-Authenticate"] == "Token"
        fresh = obtain()
        assert fresh != key
        assert progress(fresh).status_code == 200
        assert progress(key).status_code == 401  # the old key is gone, not revived
    assert list(Token.objects.filter(user=trainee).values_list("key", flat=True)) == [fresh]


def test_the_lifetime_is_a_setting(trainee, settings):
    settings.ATTUNE_API_TOKEN_TTL_HOURS = 1
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        key = obtain()
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        assert progress(key).status_code == 200
    with time_machine.travel(start + timedelta(minutes=60), tick=False):
        assert progress(key).status_code == 401


@pytest.mark.urls("tests.course.password_urls")
def test_django_password_change_view_revokes_the_token(trainee):
    key = obtain()
    browser = Client()
    browser.force_login(trainee)
    response = browser.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password_change/done/"
    assert progress(key).status_code == 401
    assert progress(obtain(password=NEW_PASSWORD)).status_code == 200


@pytest.mark.urls("tests.course.password_urls")
def test_django_password_reset_views_revoke_the_token(trainee):
    key = obtain()
    browser = Client()
    assert browser.post("/accounts/password_reset/", {"email": trainee.email}).status_code == 302
    (link,) = re.findall(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)
    set_password_page = browser.get(link)
    assert set_password_page.status_code == 302  # Django swaps the token in the URL for one in the session
    response = browser.post(
        set_password_page["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/reset/done/"
    assert progress(key).status_code == 401
    assert progress(obtain(password=NEW_PASSWORD)).status_code == 200


def test_the_admin_password_form_and_set_password_revoke_the_token(trainee, client):
    key = obtain()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(
        f"/admin/auth/user/{trainee.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert progress(key).status_code == 401
    key = obtain(password=NEW_PASSWORD)
    trainee.refresh_from_db()
    trainee.set_password("yet-another-password-7")
    trainee.save()
    assert progress(key).status_code == 401


def test_disabling_password_login_in_the_admin_revokes_the_token(trainee, client):
    key = obtain()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(
        f"/admin/auth/user/{trainee.pk}/password/", {"usable_password": "false", "unset-password": "1"}
    )
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert not trainee.has_usable_password()
    assert progress(key).status_code == 401


def test_other_saves_keep_the_token(trainee, settings):
    key = obtain()
    trainee.first_name = "Ada"
    trainee.save()
    assert progress(key).status_code == 200
    # Logging in with a newer preferred hasher re-hashes the same password: no change, token kept.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    # Through the login page: the lockout backend needs the request that Client.login() lacks.
    assert Client().post(reverse("login"), {"username": "trainee", "password": PASSWORD}).status_code == 302
    trainee.refresh_from_db()
    assert trainee.password.startswith("pbkdf2_sha256$")
    assert progress(key).status_code == 200


def test_disabling_the_password_ends_the_tokens_but_later_saves_of_a_passwordless_account_keep_them(trainee):
    key = obtain()
    trainee.set_unusable_password()  # the admin's "disable password-based authentication"
    trainee.save()
    assert progress(key).status_code == 401
    # An account without a usable password (single sign-on, say) keeps a token issued to it
    # however often the account is saved afterwards.
    later = Token.objects.create(user=trainee).key
    trainee.first_name = "Ada"
    trainee.save()
    trainee.save(update_fields=["last_login"])
    assert progress(later).status_code == 200
