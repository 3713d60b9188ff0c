"""course.sessions: Django's database sessions, read through one precompiled query."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from course import sessions


def test_the_session_read_equals_its_queryset(trainee_client):
    key = trainee_client.cookies["sessionid"].value
    now = timezone.now()
    for probe in (key, "no-such-key"):
        assert sessions._SESSION.rows(probe, now) == list(sessions._SESSION.build(probe, now))
    assert sessions._SESSION.rows(key, now)[0][0] == key


def test_a_logout_ends_the_session_for_every_client_holding_it(trainee_client, course_with_lessons):
    home = reverse("course:my_courses")
    other = Client()  # another worker or browser tab with the same cookie
    other.cookies["sessionid"] = trainee_client.cookies["sessionid"].value
    assert other.get(home).status_code == 200
    assert trainee_client.post(reverse("logout")).status_code == 302
    assert other.get(home).status_code == 302  # to the login page: the row is gone


def test_an_expired_or_unknown_session_is_no_login(trainee_client, course_with_lessons):
    home = reverse("course:my_courses")
    key = trainee_client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert trainee_client.get(home).status_code == 302
    trainee_client.cookies["sessionid"] = "x" * 32
    assert trainee_client.get(home).status_code == 302
