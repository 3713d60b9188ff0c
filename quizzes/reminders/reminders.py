"""The reminder pipeline's writes: the planning sweep and the send of one reminder.

The sweep (every 5 minutes from Celery beat, or `manage.py plan_reminders`) reads trainees whose
next reminder time has come in keyset batches, counts their due cards with one grouped query
per batch, writes one ledger row per trainee, kind and local date (a unique constraint, so two
sweeps at once plan one reminder), and enqueues send_reminder for the rows it created, in
chunks, after commit. send_reminder claims its row with a conditional UPDATE, re-checks
eligibility and sends one digest. We prefer a missed reminder to a duplicate: a row left in
'sending' (a worker died mid-send) is marked abandoned and never sent again.
"""

from __future__ import annotations

import contextlib
import logging
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone

from course.models import Enrollment

from ..review import selectors as review_selectors
from ..review.models import ReviewCard
from . import emails, services, timing
from .conf import app_settings
from .models import Notification, Reminder, ReminderPreference

log = logging.getLogger(__name__)

# The Celery task that sends a batch (quizzes/reminders/tasks.py), named so the sweep need not import it.
SEND_BATCH_TASK = "attune_reminders.send_reminders"

TRAINEE_FIELDS = (
    "user_id",
    "user__is_active",
    "enrolled",
    "time_zone",
    "reminder_time",
    "quiet_start",
    "quiet_end",
    "email_enabled",
    "in_app_enabled",
    "frequency",
    "paused_until",
    "unsubscribed_at",
    "last_reminded_at",
    "last_reviewed_at",
    "ignored_in_a_row",
)


class TransientSendError(Exception):
    """Sending failed in a way worth retrying; the row is back to 'planned'."""


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool = False
    batches: int = 0
    looked_at: int = 0
    planned: int = 0
    deferred: int = 0
    abandoned: int = 0
    skipped: Counter = field(default_factory=Counter)
    enqueued: int = 0
    reminder_ids: list[int] = field(default_factory=list)  # only with collect_ids (tests, tools)
    lines: list[str] = field(default_factory=list)  # dry run only: who and why


def _trainees_due(now: datetime, after_user_id: int, limit: int, with_username: bool):
    enrolled = Enrollment.objects.filter(user_id=OuterRef("user_id"))
    username = f"user__{ReminderPreference._meta.get_field('user').related_model.USERNAME_FIELD}"  # custom user models
    fields = TRAINEE_FIELDS + ((username,) if with_username else ())
    return list(
        ReminderPreference.objects.filter(next_reminder_at__lte=now, user_id__gt=after_user_id)
        .annotate(enrolled=Exists(enrolled))
        .order_by("user_id")
        .values_list(*fields)[:limit]
    )


def abandon_stuck(now: datetime) -> int:
    cutoff = now - timedelta(minutes=app_settings.REMINDER_SENDING_TIMEOUT_MINUTES)
    return Reminder.objects.filter(status=Reminder.SENDING, claimed_at__lt=cutoff).update(
        status=Reminder.ABANDONED, finished_at=now, detail="stuck in sending; never resent"
    )


def plan_sweep(
    now: datetime | None = None, *, dry_run: bool = False, batch_size: int | None = None, collect_ids: bool = False
) -> SweepReport:
    now = now or timezone.now()
    batch_size = batch_size or app_settings.REMINDER_BATCH_SIZE
    report = SweepReport(now=now, dry_run=dry_run)
    if not dry_run:
        report.abandoned = abandon_stuck(now)
    sweep_id = uuid.uuid4()
    after = 0
    while True:
        rows = _trainees_due(now, after, batch_size, with_username=dry_run)
        if not rows:
            break
        after = rows[-1][0]
        report.batches += 1
        report.looked_at += len(rows)
        trainees = [timing.Trainee(*row[: len(TRAINEE_FIELDS)]) for row in rows]
        counts = review_selectors.due_counts_by_user([t.user_id for t in trainees], now)
        decisions = [
            (
                trainee,
                timing.decide(
                    trainee,
                    counts.get(trainee.user_id, 0),
                    now,
                    ignored_before_weekly=app_settings.REMINDER_IGNORED_BEFORE_WEEKLY,
                ),
            )
            for trainee in trainees
        ]
        for (trainee, decision), row in zip(decisions, rows, strict=True):
            if decision.action == "remind":
                report.planned += 1
            elif decision.action == "defer":
                report.deferred += 1
            else:
                report.skipped[decision.reason] += 1
            if dry_run:
                report.lines.append(_describe(row[-1], trainee, decision, counts.get(trainee.user_id, 0)))
        if not dry_run:
            ids = _apply_batch(decisions, counts, sweep_id, now)
            report.enqueued += len(ids)
            if collect_ids:
                report.reminder_ids.extend(ids)
        if len(rows) < batch_size:
            break
    return report


def _describe(username: str, trainee: timing.Trainee, decision: timing.Decision, due: int) -> str:
    when = decision.next_at.isoformat(timespec="minutes") if decision.next_at else "when preferences change"
    if decision.action == "remind":
        return f"remind  {username}: {due} due (local date {decision.local_date}); next look {when}"
    if decision.action == "defer":
        return f"defer   {username}: {decision.reason} until {when}"
    return f"skip    {username}: {decision.reason}; next look {when}"


def _apply_batch(decisions, counts: dict[int, int], sweep_id: uuid.UUID, now: datetime) -> list[int]:
    """Ledger rows, next look times and the enqueue, in one transaction per batch."""
    reminding = [(t, d) for t, d in decisions if d.action == "remind"]
    with transaction.atomic():
        ids: list[int] = []
        if reminding and connection.vendor == "postgresql":
            ids = _insert_ledger_pg(reminding, counts, sweep_id, now)
        elif reminding:
            Reminder.objects.bulk_create(
                [
                    Reminder(
                        user_id=t.user_id,
                        kind=Reminder.REVIEW_DIGEST,
                        local_date=d.local_date,
                        sweep=sweep_id,
                        due_count=counts.get(t.user_id, 0),
                        planned_at=now,
                    )
                    for t, d in reminding
                ],
                ignore_conflicts=True,  # another sweep planned that day already: it owns the send
            )
            ids = list(
                Reminder.objects.filter(
                    sweep=sweep_id, user_id__gte=decisions[0][0].user_id, user_id__lte=decisions[-1][0].user_id
                ).values_list("pk", flat=True)
            )
        _set_next_looks(
            [(t.user_id, d.next_at, now if d.action == "remind" else None, d.ignored_in_a_row) for t, d in decisions]
        )
        if ids:
            transaction.on_commit(partial(enqueue_sends, ids))
    return ids


def _insert_ledger_pg(reminding, counts: dict[int, int], sweep_id: uuid.UUID, now: datetime) -> list[int]:
    """PostgreSQL: the batch's ledger rows as arrays in one INSERT ... ON CONFLICT DO NOTHING
    RETURNING id, so only rows this sweep created come back (another sweep's are its own)."""
    table = connection.ops.quote_name(Reminder._meta.db_table)
    sql = (
        f"INSERT INTO {table} (user_id, kind, local_date, status, sweep, due_count, planned_at, attempts, detail) "  # noqa: S608 - table name from model meta; values bound
        "SELECT u, %s, d, %s, %s, n, %s, 0, '' FROM unnest(%s::bigint[], %s::date[], %s::integer[]) AS v(u, d, n) "
        "ON CONFLICT (user_id, kind, local_date) DO NOTHING RETURNING id"
    )
    params = [
        Reminder.REVIEW_DIGEST,
        Reminder.PLANNED,
        sweep_id,
        now,
        [t.user_id for t, _ in reminding],
        [d.local_date for _, d in reminding],
        [counts.get(t.user_id, 0) for t, _ in reminding],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _set_next_looks(rows: list[tuple]) -> None:
    """Per-row next look times in one UPDATE per batch (no CASE per column): arrays through
    unnest on PostgreSQL, a VALUES list elsewhere."""
    if not rows:
        return
    table = connection.ops.quote_name(ReminderPreference._meta.db_table)
    if connection.vendor == "postgresql":
        columns = list(zip(*rows, strict=True))
        sql = (
            f"UPDATE {table} SET next_reminder_at = v.next_at, "  # noqa: S608 - table name from model meta
            f"last_reminded_at = COALESCE(v.reminded_at, {table}.last_reminded_at), ignored_in_a_row = v.ignored "
            "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::integer[]) "
            "AS v(user_id, next_at, reminded_at, ignored) "
            f"WHERE {table}.user_id = v.user_id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(column) for column in columns])
        return
    placeholder = "(%s, %s, %s, %s)"
    adapt = connection.ops.adapt_datetimefield_value
    params: list = []
    for user_id, next_at, reminded_at, ignored in rows:
        params.extend([user_id, adapt(next_at), adapt(reminded_at), ignored])
    sql = (
        f"UPDATE {table} SET next_reminder_at = v.column2, "  # noqa: S608 - table name from model meta
        f"last_reminded_at = COALESCE(v.column3, {table}.last_reminded_at), ignored_in_a_row = v.column4 "
        f"FROM (VALUES {', '.join([placeholder] * len(rows))}) AS v "
        f"WHERE {table}.user_id = v.column1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def enqueue_sends(ids: list[int]) -> None:
    """One send_reminders message per `REMINDER_ENQUEUE_CHUNK` ids, over one producer connection."""
    from celery import current_app  # by task name: the pipeline never imports its task wrappers

    send_batch_task = current_app.tasks[SEND_BATCH_TASK]
    size = app_settings.REMINDER_ENQUEUE_CHUNK
    with current_app.producer_or_acquire() as producer:
        for start in range(0, len(ids), size):
            send_batch_task.apply_async((ids[start : start + size],), producer=producer)


# ---------------------------------------------------------------- sending


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    transient: dict[int, str] = field(default_factory=dict)  # back to 'planned': retry these
    not_claimed: list[int] = field(default_factory=list)


def _claim(ids: list[int], now: datetime) -> uuid.UUID:
    """Claim every still-planned row in one conditional UPDATE; a row another worker (or an
    earlier delivery of this message) claimed first is left alone."""
    token = uuid.uuid4()
    Reminder.objects.filter(pk__in=ids, status=Reminder.PLANNED).update(
        status=Reminder.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
    )
    return token


def _due_by_user_and_kind(user_ids: list[int], now: datetime) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    rows = (
        ReviewCard.objects.filter(due__lte=now, user_id__in=user_ids)
        .order_by()
        .values_list("user_id", "kind")
        .annotate(n=Count("*"))
    )
    for user_id, kind, n in rows:
        counts.setdefault(user_id, {"skill": 0, "fact": 0})[kind] = n
    return counts


def send_batch(ids: list[int], now: datetime | None = None) -> SendResult:
    """Send the digests of some planned reminders, each at most once: one claim UPDATE, one read
    of trainees and one grouped due count for the batch, one email connection, then the outcome
    written back in one transaction. A worker dying mid-batch leaves its rows in 'sending', to
    be marked abandoned: missed, never duplicated."""
    now = now or timezone.now()
    result = SendResult()
    token = _claim(ids, now)
    enrolled = Enrollment.objects.filter(user_id=OuterRef("user_id"))
    claimed = list(
        Reminder.objects.filter(claim=token, status=Reminder.SENDING)
        .select_related("user", "user__reminder_preference")
        .annotate(enrolled=Exists(enrolled))
    )
    result.not_claimed = sorted(set(ids) - {r.pk for r in claimed})
    counts = _due_by_user_and_kind([r.user_id for r in claimed], now)
    stale_after = timedelta(hours=app_settings.REMINDER_STALE_HOURS)
    notifications: list[Notification] = []
    connection_ = None
    try:
        for reminder in claimed:
            user = reminder.user
            pref = getattr(user, "reminder_preference", None)
            user_counts = counts.get(user.pk, {"skill": 0, "fact": 0})
            if pref is None:
                result.skipped[reminder.pk] = "no preferences"
                continue
            trainee = _trainee_of(user, pref, reminder.enrolled)
            reason = timing.still_eligible(trainee, sum(user_counts.values()), reminder.planned_at, now, stale_after)
            if reason:
                result.skipped[reminder.pk] = reason
                continue
            if pref.email_enabled and user.email:
                if connection_ is None:
                    connection_ = get_connection()
                    connection_.open()
                token_ = services.unsubscribe_token(user.pk)
                message = emails.review_digest_message(user, user_counts, reminder.local_date, token_)
                message.connection = connection_
                try:
                    message.send()
                except Exception as exc:
                    detail = f"{type(exc).__name__}: {getattr(exc, 'smtp_code', '')}".strip(": ")
                    if emails.is_transient(exc):
                        result.transient[reminder.pk] = detail
                    else:
                        log.warning("reminder %s failed permanently: %s", reminder.pk, detail)
                        result.failed[reminder.pk] = detail
                    _close_quietly(connection_)
                    connection_ = None  # a broken connection is not reused
                    continue
            if pref.in_app_enabled:
                total = sum(user_counts.values())
                notifications.append(
                    Notification(
                        user=user,
                        reminder=reminder,
                        title=emails.wording_for(reminder.local_date, total)[0],
                        body=emails.due_summary(user_counts),
                        link=reverse("review:session"),
                        created_at=now,
                    )
                )
            result.sent.append(reminder.pk)
    finally:
        if connection_ is not None:
            _close_quietly(connection_)
        _record(result, notifications, token, now)
    return result


def _close_quietly(connection_) -> None:
    with contextlib.suppress(Exception):  # closing a failed SMTP connection may fail again
        connection_.close()


def _trainee_of(user, pref: ReminderPreference, enrolled: bool) -> timing.Trainee:
    return timing.Trainee(
        user_id=user.pk,
        is_active=user.is_active,
        enrolled=enrolled,
        time_zone=pref.time_zone,
        reminder_time=pref.reminder_time,
        quiet_start=pref.quiet_start,
        quiet_end=pref.quiet_end,
        email_enabled=pref.email_enabled and bool(user.email),  # no address: email is no channel
        in_app_enabled=pref.in_app_enabled,
        frequency=pref.frequency,
        paused_until=pref.paused_until,
        unsubscribed_at=pref.unsubscribed_at,
        last_reminded_at=pref.last_reminded_at,
        last_reviewed_at=pref.last_reviewed_at,
        ignored_in_a_row=pref.ignored_in_a_row,
    )


def _record(result: SendResult, notifications: list[Notification], token: uuid.UUID, now: datetime) -> None:
    """Write the batch's outcome; only rows this claim still holds in 'sending' change."""
    mine = Reminder.objects.filter(claim=token, status=Reminder.SENDING)
    with transaction.atomic():
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        if result.sent:
            mine.filter(pk__in=result.sent).update(status=Reminder.SENT, finished_at=now)
        for status, outcomes in ((Reminder.SKIPPED, result.skipped), (Reminder.FAILED, result.failed)):
            by_detail: dict[str, list[int]] = {}
            for pk, detail in outcomes.items():
                by_detail.setdefault(detail, []).append(pk)
            for detail, pks in by_detail.items():
                mine.filter(pk__in=pks).update(status=status, finished_at=now, detail=detail[:200])
        for pk, detail in result.transient.items():
            mine.filter(pk=pk).update(status=Reminder.PLANNED, claim=None, detail=f"retrying after {detail}"[:200])


def reminder_send(reminder_id: int, now: datetime | None = None) -> str:
    """Send one planned reminder at most once; returns what happened ('sent', 'skipped: ...',
    'failed: ...', 'not claimable'). Raises TransientSendError when a retry may succeed."""
    result = send_batch([reminder_id], now)
    if result.transient:
        raise TransientSendError(result.transient[reminder_id])
    if result.sent:
        return "sent"
    if result.skipped:
        return f"skipped: {result.skipped[reminder_id]}"
    if result.failed:
        return f"failed: {result.failed[reminder_id]}"
    return "not claimable"


def reminder_give_up(reminder_id: int, detail: str, now: datetime | None = None) -> bool:
    """Retries are spent: a planned row is marked failed so nothing sends it later."""
    return bool(
        Reminder.objects.filter(pk=reminder_id, status=Reminder.PLANNED).update(
            status=Reminder.FAILED, finished_at=now or timezone.now(), detail=f"gave up: {detail}"[:200]
        )
    )


def retry_countdown(retries: int) -> float:
    return timing.retry_delay(
        retries, app_settings.REMINDER_RETRY_BASE_SECONDS, app_settings.REMINDER_RETRY_MAX_SECONDS, random.random()
    )
