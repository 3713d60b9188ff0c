"""Brute force: 30 wrong passwords lock the username (and the address) on every login route.

The lockout and the last try before it run against the host's real limit (30); the cool-off and
the address rules use a limit of 3, the same code with a tenth of the requests."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 30
SMALL = 3


@pytest.fixture
def user(db):
    return UserFactory(username="amara", is_staff=True, is_superuser=True)


def site_login(client, password, username="amara"):
    return client.post("/accounts/login/", {"username": username, "password": password})


def admin_login(client, password, username="amara"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password, "next": "/admin/"})


def token_login(client, password, username="amara"):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


ROUTES = {
    # route: (log in, a fresh client, status of a wrong password, status of the right one)
    "site": (site_login, Client, 200, 302),
    "admin": (admin_login, Client, 200, 302),
    "token": (token_login, APIClient, 400, 200),
}


def test_the_host_uses_the_real_limit():
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


@pytest.mark.parametrize("route", ROUTES)
def test_thirty_wrong_passwords_lock_the_account_even_against_the_right_one(route, user):
    login, make_client, wrong_status, _ = ROUTES[route]
    client = make_client()
    statuses = [login(client, "wrong-guess").status_code for _ in range(LIMIT)]
    # The 30th failure already answers with the lockout.
    assert statuses == [wrong_status] * (LIMIT - 1) + [429]
    locked = login(client, PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    if route == "token":
        body = locked.json()
        assert body["code"] == "locked_out" and body["retry_after"] == 15 * 60
        assert body["detail"] == f"Too many failed login attempts. Try again after {body['retry_at']}."
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["retry_at"])
        assert not Token.objects.filter(user=user).exists()
    else:
        page = locked.content.decode()
        assert locked["Content-Type"].startswith("text/html")
        assert 'data-testid="lockout"' in page and "Sign-in paused" in page
        assert "in about 15 minutes" in page
        assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("route", ROUTES)
def test_the_right_password_before_the_limit_logs_in(route, user):
    login, make_client, wrong_status, ok_status = ROUTES[route]
    client = make_client()
    assert [login(client, "wrong-guess").status_code for _ in range(LIMIT - 1)] == [wrong_status] * (LIMIT - 1)
    assert login(client, PASSWORD).status_code == ok_status


@pytest.mark.parametrize("route", ROUTES)
def test_the_lock_lifts_after_the_cool_off_and_not_before(route, user, settings):
    settings.AXES_FAILURE_LIMIT = SMALL
    login, make_client, _, ok_status = ROUTES[route]
    client = make_client()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(SMALL):
            login(client, "wrong-guess")
        clock.shift(timedelta(minutes=14, seconds=50))
        still = login(client, PASSWORD)
        assert still.status_code == 429
        # The refused attempt did not extend the lock: ten seconds left, as the page says.
        assert still["Retry-After"] == "10"
        clock.shift(timedelta(seconds=11))
        assert login(client, PASSWORD).status_code == ok_status


def test_a_locked_account_is_locked_from_another_address_too(user, settings):
    settings.AXES_FAILURE_LIMIT = SMALL
    for _ in range(SMALL):
        site_login(Client(REMOTE_ADDR="10.0.0.1"), "wrong-guess")
    assert site_login(Client(REMOTE_ADDR="10.0.0.2"), PASSWORD).status_code == 429


def test_an_address_that_tries_many_usernames_is_locked_for_all(user, settings):
    settings.AXES_FAILURE_LIMIT = SMALL
    client = Client(REMOTE_ADDR="10.0.0.3")
    for n in range(SMALL):
        site_login(client, "wrong-guess", username=f"guess{n}")
    assert site_login(client, PASSWORD).status_code == 429
    # Another address is not affected.
    assert site_login(Client(REMOTE_ADDR="10.0.0.4"), PASSWORD).status_code == 302


def test_the_lockout_page_says_when_in_the_sites_time_zone(user, settings):
    settings.AXES_FAILURE_LIMIT = SMALL
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        client = Client()
        for _ in range(SMALL):
            site_login(client, "wrong-guess")
        page = site_login(client, PASSWORD).content.decode()
    assert "You can try again after 09:15 UTC (in about 15 minutes)." in page
    # The refused right password was not counted as one more failure.
    assert AccessAttempt.objects.get(username="amara").failures_since_start == SMALL


def test_no_login_is_logged_and_failures_go_after_the_cool_off(user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        site_login(Client(REMOTE_ADDR="10.0.0.5"), "wrong-guess")
        assert AccessAttempt.objects.count() == 1
        clock.shift(timedelta(minutes=16))
        assert site_login(Client(), PASSWORD).status_code == 302
    assert AccessAttempt.objects.count() == 0
    assert AccessLog.objects.count() == 0


@pytest.mark.parametrize(
    "remote, forwarded, proxies, expected",
    [
        ("10.0.0.9", "", 0, "10.0.0.9"),
        ("10.0.0.9", "203.0.113.7", 0, "10.0.0.9"),  # no proxy declared: the header is the client's own
        ("10.0.0.9", "203.0.113.7", 1, "203.0.113.7"),
        ("10.0.0.9", "198.51.100.1, 203.0.113.7", 1, "203.0.113.7"),  # a forged left entry is ignored
        ("10.0.0.9", "198.51.100.1, 203.0.113.7, 10.0.0.8", 2, "203.0.113.7"),
        ("10.0.0.9", "203.0.113.7", 2, "10.0.0.9"),  # fewer hops than proxies: only the connection
        ("10.0.0.9", "not-an-address", 1, "10.0.0.9"),
    ],
)
def test_the_lockout_counts_the_client_behind_the_declared_proxies(remote, forwarded, proxies, expected):
    from django.test import RequestFactory

    from config.client_ip import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request, proxies) == expected


def test_behind_a_proxy_one_clients_failures_do_not_lock_another(user, settings, monkeypatch):
    import config.client_ip

    settings.AXES_FAILURE_LIMIT = SMALL
    monkeypatch.setattr(config.client_ip, "PROXY_COUNT", 1)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(SMALL):
        site_login(Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.7"), "wrong-guess", username=f"guess{n}")
    assert site_login(Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.7"), PASSWORD).status_code == 429
    assert site_login(Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.2"), PASSWORD).status_code == 302
