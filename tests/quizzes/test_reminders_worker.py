"""End to end: a real Celery worker process against Redis and PostgreSQL sends the reminder."""

import os
import signal
import subprocess
import sys
import time
import uuid
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection
from django.utils import timezone

from quizzes.reminders import reminders
from quizzes.reminders.models import Notification, Reminder
from tests.quizzes.reviewing import SECRET_VIGNETTE, build_review_course, due_trainee

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def worker_database_url() -> str:
    """DATABASE_URL pointing at the test database pytest-django created, for the worker."""
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path=f"/{connection.settings_dict['NAME']}"))


@pytest.fixture
def worker(postgres, redis_url, tmp_path):
    """A worker on a queue of its own, writing email to a folder this test reads."""
    from config.celery import app

    queue = f"attune-test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(mail_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    celery = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue]
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*celery, "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield mail_dir, tmp_path / "worker.log"
    finally:
        app.conf.task_default_queue = previous
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_real_worker_sends_exactly_one_email_and_one_notification(worker, cohort, course_with_lessons):
    mail_dir, worker_log = worker
    build_review_course(course_with_lessons)
    user = due_trainee("tara", cohort, timezone.now(), due=2)
    first = reminders.plan_sweep()  # autocommit: on_commit enqueues at once, to the worker's queue
    assert first.planned == 1
    sent = wait_for(lambda: Reminder.objects.filter(status=Reminder.SENT).exists())
    assert sent, f"no reminder sent; worker log:\n{worker_log.read_text()[-3000:]}"
    second = reminders.plan_sweep()  # the next beat: nothing new to plan
    assert second.planned == 0 and second.enqueued == 0
    time.sleep(1.5)  # give a duplicate, if there were one, time to arrive
    files = list(mail_dir.iterdir())
    messages = [m for f in files for m in f.read_bytes().split(b"\n" + b"-" * 79 + b"\n") if m.strip()]
    assert len(messages) == 1, [f.name for f in files]
    email = message_from_bytes(messages[0])
    assert email["To"] == user.email and "2" in email["Subject"]
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert SECRET_VIGNETTE.encode() not in messages[0]
    assert {part.get_content_type() for part in email.walk()} >= {"text/plain", "text/html"}
    assert Notification.objects.filter(user=user).count() == 1
    assert Reminder.objects.get().attempts == 1
