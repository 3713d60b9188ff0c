"""The reminder pipeline on the database: planning sweep, ledger, send, skip reasons, unsubscribe."""

import smtplib
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from course.models import Enrollment
from quizzes.reminders import reminders, services, timing
from quizzes.reminders.models import Notification, Reminder, ReminderPreference
from quizzes.review.models import ReviewCard
from tests.quizzes.reviewing import SECRET_VIGNETTE, build_review_course, due_trainee, eager_celery_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 10, 17, 0, tzinfo=UTC)  # 18:00 in London


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def review_course(course_with_lessons):
    build_review_course(course_with_lessons)
    return course_with_lessons


def sweep(django_capture_on_commit_callbacks, **kw):
    with django_capture_on_commit_callbacks(execute=True):
        return reminders.plan_sweep(**kw)


def test_a_due_trainee_gets_one_digest_by_email_and_in_app(
    cohort, review_course, frozen, eager_celery, django_capture_on_commit_callbacks
):
    user = due_trainee("tara", cohort, NOW, due=2)
    report = sweep(django_capture_on_commit_callbacks)
    assert report.planned == 1 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email] and "2" in message.subject
    html = message.alternatives[0][0]
    assert "Due now: 2" in message.body and "Due now: 2" in html and "/quizzes/review/" in message.body
    assert SECRET_VIGNETTE not in message.body + html + message.subject  # counts and a link, never scenario text
    token = services.unsubscribe_token(user.pk)
    assert (
        message.extra_headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000/quizzes/reminders/unsubscribe/{token}/>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.local_date, reminder.due_count) == (Reminder.SENT, date(2026, 6, 10), 2)
    notification = Notification.objects.get(user=user)
    assert notification.reminder == reminder and notification.read_at is None
    pref = ReminderPreference.objects.get(user=user)
    assert pref.next_reminder_at == datetime(2026, 6, 11, 17, 0, tzinfo=UTC) and pref.last_reminded_at == NOW


def test_the_sweep_run_twice_still_gives_one_reminder(
    cohort, review_course, frozen, eager_celery, django_capture_on_commit_callbacks
):
    user = due_trainee("tara", cohort, NOW)
    sweep(django_capture_on_commit_callbacks)
    ReminderPreference.objects.filter(user=user).update(next_reminder_at=NOW, last_reminded_at=None)  # force a relook
    second = sweep(django_capture_on_commit_callbacks)
    assert second.planned == 1 and second.enqueued == 0  # the ledger row already exists: nothing to enqueue
    assert len(mail.outbox) == 1 and Reminder.objects.count() == 1 and Notification.objects.count() == 1


def test_a_second_send_of_the_same_row_sends_nothing(cohort, review_course, frozen, eager_celery):
    due_trainee("tara", cohort, NOW)
    (reminder_id,) = reminders.plan_sweep(collect_ids=True).reminder_ids  # in the test's transaction: not enqueued
    assert reminders.reminder_send(reminder_id) == "sent"
    assert reminders.reminder_send(reminder_id) == "not claimable"
    assert len(mail.outbox) == 1


def test_nothing_due_sends_nothing(cohort, review_course, frozen, eager_celery, django_capture_on_commit_callbacks):
    user = due_trainee("tara", cohort, NOW)
    ReviewCard.objects.filter(user=user).update(due=NOW + timedelta(days=2))
    report = sweep(django_capture_on_commit_callbacks)
    assert report.skipped == {timing.NOTHING_DUE: 1} and not mail.outbox and not Reminder.objects.exists()


def test_five_hundred_due_send_one_digest(
    cohort, review_course, frozen, eager_celery, django_capture_on_commit_callbacks
):
    due_trainee("tara", cohort, NOW, due=500)
    sweep(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and "500" in mail.outbox[0].subject and "Due now: 500" in mail.outbox[0].body
    assert Notification.objects.count() == 1


def test_a_rolled_back_transaction_enqueues_nothing(
    cohort, review_course, frozen, eager_celery, django_capture_on_commit_callbacks
):
    due_trainee("tara", cohort, NOW)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert reminders.plan_sweep().planned == 1
        raise RuntimeError("the caller's transaction fails")
    assert callbacks == [] and not mail.outbox and not Reminder.objects.exists()


@pytest.mark.parametrize("between", ["unsubscribe", "review", "deactivate", "leave", "pause"])
def test_changes_between_planning_and_sending_skip_the_send(
    between, cohort, review_course, frozen, eager_celery, django_capture_on_commit_callbacks
):
    user = due_trainee("tara", cohort, NOW)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders.plan_sweep()
    assert Reminder.objects.get().status == Reminder.PLANNED
    if between == "unsubscribe":
        services.unsubscribe(user.pk)
    elif between == "review":
        ReminderPreference.objects.filter(user=user).update(last_reviewed_at=NOW + timedelta(seconds=1))
    elif between == "deactivate":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    elif between == "leave":
        Enrollment.objects.filter(user=user).delete()
    else:
        ReminderPreference.objects.filter(user=user).update(paused_until=date(2026, 6, 20))
    with time_machine.travel(NOW + timedelta(seconds=2), tick=False):
        for callback in callbacks:
            callback()
    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.SKIPPED and reminder.detail
    assert not mail.outbox and not Notification.objects.exists()


def test_quiet_hours_over_midnight_defer_to_their_end(
    cohort, review_course, eager_celery, django_capture_on_commit_callbacks
):
    late = datetime(2026, 6, 10, 22, 30, tzinfo=UTC)  # 23:30 in London
    user = due_trainee("owl", cohort, late, at=time(23, 30), quiet=(time(22, 0), time(7, 0)))
    with time_machine.travel(late, tick=False):
        report = sweep(django_capture_on_commit_callbacks)
    assert report.deferred == 1 and not mail.outbox
    end = ReminderPreference.objects.get(user=user).next_reminder_at
    assert end == datetime(2026, 6, 11, 6, 0, tzinfo=UTC)  # 07:00 BST
    with time_machine.travel(end - timedelta(minutes=5), tick=False):
        assert sweep(django_capture_on_commit_callbacks).looked_at == 0
    with time_machine.travel(end + timedelta(minutes=1), tick=False):
        sweep(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and Reminder.objects.get().local_date == date(2026, 6, 11)


@pytest.mark.parametrize("zone, at", [("Europe/London", time(1, 30)), ("America/New_York", time(2, 30))])
@pytest.mark.parametrize("start", [date(2026, 3, 6), date(2026, 3, 27), date(2026, 10, 23), date(2026, 10, 30)])
def test_one_reminder_per_local_day_across_dst_changes(
    zone, at, start, cohort, review_course, eager_celery, django_capture_on_commit_callbacks
):
    """Sweeps every 5 minutes for four days around each DST change (US: 8 Mar, 1 Nov; UK: 29 Mar,
    25 Oct 2026), with a reminder time inside the missing or repeated hour."""
    begin = datetime.combine(start, time(0, 0), tzinfo=UTC)
    user = due_trainee("tz", cohort, begin, zone=zone, at=at)
    ReminderPreference.objects.filter(user=user).update(next_reminder_at=timing.first_slot(begin, zone, at))
    ReviewCard.objects.filter(user=user).update(due=begin - timedelta(days=30))
    moment = begin
    with time_machine.travel(begin, tick=False) as traveller:
        while moment < begin + timedelta(days=4):
            traveller.move_to(moment)
            with django_capture_on_commit_callbacks(execute=True):
                reminders.plan_sweep()
            moment += timedelta(minutes=5)
    days = list(
        Reminder.objects.filter(status=Reminder.SENT).order_by("local_date").values_list("local_date", flat=True)
    )
    assert len(days) == len(set(days)) == len(mail.outbox)
    local_first = begin.astimezone(timing.zone_or_utc(zone)).date()
    assert set(days) >= {local_first + timedelta(days=n) for n in range(1, 4)}


def test_seven_ignored_reminders_fall_back_to_weekly(
    cohort, review_course, eager_celery, django_capture_on_commit_callbacks
):
    due_trainee("busy", cohort, NOW)
    sent_days = []
    for day in range(16):
        with time_machine.travel(NOW + timedelta(days=day, minutes=1), tick=False):
            if sweep(django_capture_on_commit_callbacks).planned:
                sent_days.append(day)
    # Reminders 1..8 daily (the 8th makes seven ignored after the first), then a week's gap.
    assert sent_days == [0, 1, 2, 3, 4, 5, 6, 13]


class FlakySMTP(BaseEmailBackend):
    """An email backend standing in for an SMTP server that raises the queued failures first."""

    failures: list[Exception] = []
    sent: list = []

    def send_messages(self, messages):
        if FlakySMTP.failures:
            raise FlakySMTP.failures.pop(0)
        FlakySMTP.sent.extend(messages)
        return len(messages)


@pytest.fixture
def flaky_smtp(settings, eager_celery):
    settings.EMAIL_BACKEND = "tests.quizzes.test_reminders.FlakySMTP"
    eager_celery.conf.task_eager_propagates = False  # let eager apply() run the retries as a worker would
    FlakySMTP.failures, FlakySMTP.sent = [], []
    return FlakySMTP


def test_a_transient_smtp_error_is_retried_then_sent_once(
    cohort, review_course, frozen, eager_celery, flaky_smtp, django_capture_on_commit_callbacks
):
    due_trainee("tara", cohort, NOW)
    flaky_smtp.failures = [smtplib.SMTPServerDisconnected("gone"), smtplib.SMTPResponseException(451, b"try later")]
    sweep(django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.SENT and reminder.attempts == 3 and len(flaky_smtp.sent) == 1
    assert Notification.objects.count() == 1


def test_a_permanent_smtp_error_marks_failed_without_retrying(
    cohort, review_course, frozen, eager_celery, flaky_smtp, django_capture_on_commit_callbacks
):
    due_trainee("tara", cohort, NOW)
    flaky_smtp.failures = [smtplib.SMTPRecipientsRefused({"tara@example.org": (550, b"no such user")})]
    sweep(django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (Reminder.FAILED, 1) and "SMTPRecipientsRefused" in reminder.detail
    assert not flaky_smtp.sent and not Notification.objects.exists()


def test_retries_are_capped_then_the_row_is_failed(
    cohort, review_course, frozen, eager_celery, flaky_smtp, django_capture_on_commit_callbacks, settings
):
    settings.ATTUNE_REMINDER_MAX_RETRIES = 2
    due_trainee("tara", cohort, NOW)
    flaky_smtp.failures = [TimeoutError("slow")] * 10
    sweep(django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get()
    # a first try and 2 retries, then the row is failed (the relay never picks it up again)
    assert reminder.status == Reminder.FAILED and reminder.attempts == 3 and not flaky_smtp.sent
    assert reminder.detail.startswith("gave up")


def test_a_row_stuck_in_sending_is_marked_ambiguous_and_never_resent(
    cohort, review_course, eager_celery, django_capture_on_commit_callbacks
):
    due_trainee("tara", cohort, NOW)
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            (reminder_id,) = reminders.plan_sweep(collect_ids=True).reminder_ids
        Reminder.objects.filter(pk=reminder_id).update(status=Reminder.SENDING, claimed_at=NOW)  # worker died here
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        report = sweep(django_capture_on_commit_callbacks)
        assert reminders.reminder_send(reminder_id) == "not claimable"
    assert report.ambiguous == 1 and Reminder.objects.get().status == Reminder.AMBIGUOUS and not mail.outbox


def test_dry_run_lists_who_and_why_and_changes_nothing(cohort, review_course, frozen, eager_celery, capsys):
    due_trainee("ready", cohort, NOW)
    due_trainee("paused", cohort, NOW, paused_until=date(2026, 7, 1))
    due_trainee("gone", cohort, NOW, unsubscribed_at=NOW)
    before = list(ReminderPreference.objects.order_by("pk").values_list("next_reminder_at", flat=True))
    call_command("plan_reminders", "--dry-run")
    out = capsys.readouterr().out
    assert "remind  ready: 1 due" in out and "skip    paused: paused" in out and "skip    gone: unsubscribed" in out
    assert "would plan 1 reminder," in out
    assert not Reminder.objects.exists() and not mail.outbox
    assert before == list(ReminderPreference.objects.order_by("pk").values_list("next_reminder_at", flat=True))


def test_plan_reminders_command_plans_and_sends(
    cohort, review_course, frozen, eager_celery, capsys, django_capture_on_commit_callbacks
):
    due_trainee("ready", cohort, NOW)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("plan_reminders")
    assert "planned 1 reminder," in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_keyset_batches_cover_everyone_once(cohort, review_course, frozen, eager_celery, django_assert_num_queries):
    for n in range(7):
        due_trainee(f"t{n}", cohort, NOW)
    # the relay (stuck rows ambiguous, stale rows expired, overdue ids), then per batch: select,
    # grouped count, savepoint, insert (+ select the new ids on SQLite; PostgreSQL's INSERT returns
    # them), next looks, release
    per_batch = 6 if connection.vendor == "postgresql" else 7
    with django_assert_num_queries(3 + 3 * per_batch):
        report = reminders.plan_sweep(batch_size=3)
    assert report.batches == 3 and report.planned == 7 and Reminder.objects.count() == 7


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_give_one_reminder(postgres, cohort, review_course, eager_celery):
    due_trainee("tara", cohort, timezone.now(), due=3)
    barrier = threading.Barrier(4)
    errors = []

    def beat():
        try:
            barrier.wait()
            reminders.plan_sweep()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Reminder.objects.count() == 1 and Reminder.objects.get().status == Reminder.SENT
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1


def test_no_address_and_no_in_app_means_no_channel_not_a_false_sent(cohort, review_course, frozen, eager_celery):
    user = due_trainee("tara", cohort, NOW)
    get_user_model().objects.filter(pk=user.pk).update(email="")
    ReminderPreference.objects.filter(user=user).update(in_app_enabled=False)
    (reminder_id,) = reminders.plan_sweep(collect_ids=True).reminder_ids
    reminders.reminder_send(reminder_id)
    reminder = Reminder.objects.get(pk=reminder_id)
    assert reminder.status == Reminder.SKIPPED and timing.NO_CHANNEL in reminder.detail
    assert len(mail.outbox) == 0 and not Notification.objects.exists()


def test_the_in_app_notification_reads_naturally(cohort, review_course, frozen, eager_celery):
    user = due_trainee("tara", cohort, NOW, due=1)
    (reminder_id,) = reminders.plan_sweep(collect_ids=True).reminder_ids
    reminders.reminder_send(reminder_id)
    assert Notification.objects.get(user=user).body == "1 fact is due for review."


@pytest.mark.postgres  # the one-statement claim is PostgreSQL's; SQLite takes the portable path
def test_a_batch_reads_once_and_commits_once_an_email(
    postgres, cohort, review_course, frozen, eager_celery, django_assert_num_queries
):
    users = [due_trainee(f"b{n}", cohort, NOW, due=n + 1) for n in range(3)]
    ids = reminders.plan_sweep(collect_ids=True).reminder_ids  # in the test's transaction: not enqueued
    # one read of the batch (rows, trainees, preferences, due counts), then one claim an email that
    # also marks the previous one sent, and the last one marked on its own
    with django_assert_num_queries(1 + 3 + 1):
        result = reminders.send_batch(ids)
    assert sorted(result.sent) == sorted(ids) and not result.not_claimed
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert set(Reminder.objects.values_list("status", flat=True)) == {Reminder.SENT}
    assert sorted(Notification.objects.values_list("reminder_id", flat=True)) == sorted(ids)
    assert reminders.send_batch(ids).not_claimed == ids  # a second message for the same rows sends nothing
    assert len(mail.outbox) == 3


def test_a_trainee_unsubscribed_after_planning_gets_no_email(cohort, review_course, frozen, eager_celery):
    users = [due_trainee(f"u{n}", cohort, NOW) for n in range(2)]
    ids = reminders.plan_sweep(collect_ids=True).reminder_ids
    services.unsubscribe(users[1].pk)  # after planning, before the send
    result = reminders.send_batch(ids)
    assert [m.to[0] for m in mail.outbox] == [users[0].email]
    assert result.skipped == {Reminder.objects.get(user=users[1]).pk: timing.UNSUBSCRIBED}
    assert list(Notification.objects.values_list("user_id", flat=True)) == [users[0].pk]


def test_a_review_marks_the_trainee_in_one_statement_and_never_moves_the_mark_back(
    trainee, settings, django_assert_num_queries
):
    settings.ATTUNE_REMINDER_DEFAULT_TIME_ZONE = "Europe/London"
    with django_assert_num_queries(1):  # no preference yet: made with the defaults, marked reviewed
        services.note_reviewed(trainee.pk, NOW)
    pref = ReminderPreference.objects.get(user=trainee)
    assert (pref.time_zone, pref.last_reviewed_at, pref.ignored_in_a_row) == ("Europe/London", NOW, 0)
    assert pref.next_reminder_at == timing.first_slot(NOW, "Europe/London", pref.reminder_time)
    assert pref.updated_at == NOW

    ReminderPreference.objects.filter(user=trainee).update(ignored_in_a_row=3, time_zone="Asia/Tokyo")
    later = NOW + timedelta(hours=1)
    with django_assert_num_queries(1):
        services.note_reviewed(trainee.pk, later)
    pref.refresh_from_db()
    assert (pref.time_zone, pref.last_reviewed_at, pref.ignored_in_a_row) == ("Asia/Tokyo", later, 0)

    # A review that commits after a later one (two tabs) leaves the later mark and its count alone.
    ReminderPreference.objects.filter(user=trainee).update(ignored_in_a_row=2)
    services.note_reviewed(trainee.pk, NOW)
    pref.refresh_from_db()
    assert (pref.last_reviewed_at, pref.ignored_in_a_row, pref.updated_at) == (later, 2, NOW)
