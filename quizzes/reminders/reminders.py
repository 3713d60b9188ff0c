"""The reminder pipeline's writes: the planning sweep and the send of one reminder.

The sweep (every 5 minutes from Celery beat, or `manage.py plan_reminders`) reads trainees whose
next reminder time has come in keyset batches, counts their due cards with one grouped query
per batch, writes one ledger row per trainee, kind and local date (a unique constraint, so two
sweeps at once plan one reminder), and enqueues sends for the rows it created, in
chunks, after commit.

The ledger is an outbox: a committed 'planned' row is a send owed, whether or not a broker
message for it exists. Each sweep first relays: it re-enqueues planned rows whose message is
overdue (lost with a Redis restart, or never published because the broker was down; a failed
enqueue is logged, never raised), expires rows planned too long ago as skipped, and marks rows
stuck in 'sending' ambiguous. A send claims one row at a time with a conditional UPDATE, so any
number of messages for a row send it at most once, and a crash leaves at most the one email in
flight ambiguous (it may have gone; it is never resent). We prefer a missed reminder to a duplicate.
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

from celery.exceptions import SoftTimeLimitExceeded
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
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
    ambiguous: int = 0  # rows stuck in 'sending' marked ambiguous by the relay
    expired: int = 0  # planned rows too old to send, marked skipped by the relay
    relayed: int = 0  # overdue planned rows re-enqueued by the relay
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


def mark_stuck_ambiguous(now: datetime) -> int:
    """A row in 'sending' past the timeout lost its worker mid-send: it may have gone, so never resend."""
    cutoff = now - timedelta(minutes=app_settings.REMINDER_SENDING_TIMEOUT_MINUTES)
    return Reminder.objects.filter(status=Reminder.SENDING, claimed_at__lt=cutoff).update(
        status=Reminder.AMBIGUOUS, finished_at=now, detail="worker lost mid-send; may have been sent; never resent"
    )


def expire_stale(now: datetime) -> int:
    """Planned rows too old to be worth sending are skipped, never sent late (or at night)."""
    cutoff = now - timedelta(hours=app_settings.REMINDER_STALE_HOURS)
    return Reminder.objects.filter(status=Reminder.PLANNED, planned_at__lt=cutoff).update(
        status=Reminder.SKIPPED, finished_at=now, detail=timing.STALE
    )


def relay(report: SweepReport, now: datetime) -> None:
    """The outbox relay, the first step of every sweep: whatever happened to the broker since,
    every planned row gets a message again once its last one is overdue. The claim keeps an
    extra message harmless; the send's re-check keeps quiet hours and opt-outs."""
    report.ambiguous = mark_stuck_ambiguous(now)
    report.expired = expire_stale(now)
    cutoff = now - timedelta(seconds=app_settings.REMINDER_RELAY_AFTER_SECONDS)
    overdue = list(
        Reminder.objects.filter(status=Reminder.PLANNED, message_due_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[: app_settings.REMINDER_RELAY_LIMIT]
    )
    if overdue:
        report.relayed = enqueue_sends(overdue, now)


def plan_sweep(
    now: datetime | None = None, *, dry_run: bool = False, batch_size: int | None = None, collect_ids: bool = False
) -> SweepReport:
    now = now or timezone.now()
    batch_size = batch_size or app_settings.REMINDER_BATCH_SIZE
    report = SweepReport(now=now, dry_run=dry_run)
    if not dry_run:
        relay(report, now)
    sweep_id = uuid.uuid4()
    after = 0
    while True:
        rows = _trainees_due(now, after, batch_size, with_username=dry_run)
        if not rows:
            break
        after, fetched = rows[-1][0], len(rows)
        _plan_batch(rows, now, sweep_id, report, collect_ids)
        del rows  # the next batch is read with this one gone: memory holds one batch, however many trainees
        if fetched < batch_size:
            break
    return report


def _plan_batch(rows: list[tuple], now: datetime, sweep_id: uuid.UUID, report: SweepReport, collect_ids: bool) -> None:
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
        if report.dry_run:
            report.lines.append(_describe(row[-1], trainee, decision, counts.get(trainee.user_id, 0)))
    if not report.dry_run:
        ids = _apply_batch(decisions, counts, sweep_id, now, report)
        if collect_ids:
            report.reminder_ids.extend(ids)


def _describe(username: str, trainee: timing.Trainee, decision: timing.Decision, due: int) -> str:
    when = decision.next_at.isoformat(timespec="minutes") if decision.next_at else "when preferences change"
    if decision.action == "remind":
        return f"remind  {username}: {due} due (local date {decision.local_date}); next look {when}"
    if decision.action == "defer":
        return f"defer   {username}: {decision.reason} until {when}"
    return f"skip    {username}: {decision.reason}; next look {when}"


def _apply_batch(decisions, counts, sweep_id: uuid.UUID, now: datetime, report: SweepReport) -> list[int]:
    """Ledger rows and next look times in one transaction per batch; the enqueue after commit.
    If the enqueue fails the rows stay planned and the relay sends them later."""
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
                        message_due_at=now,
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
            transaction.on_commit(partial(_enqueue_new, ids, now, report))
    return ids


# A batch's column as one comma-separated text parameter that PostgreSQL splits and casts: the
# driver quotes one string instead of ten thousand array elements, a third of a batch's time.
# Only numbers, dates and ISO timestamps go in (never a comma); '' is NULL (a lone '' splits to no
# element at all, and unnest pads a shorter array with NULL: the same).
def _unnest(*types: str) -> str:
    return "unnest(" + ", ".join(f"string_to_array(%s, ',', '')::{kind}[]" for kind in types) + ")"


def _text_array(values) -> str:
    return ",".join("" if v is None else v.isoformat() if hasattr(v, "isoformat") else str(v) for v in values)


def _insert_ledger_pg(reminding, counts: dict[int, int], sweep_id: uuid.UUID, now: datetime) -> list[int]:
    """PostgreSQL: the batch's ledger rows as arrays in one INSERT ... ON CONFLICT DO NOTHING
    RETURNING id, so only rows this sweep created come back (another sweep's are its own)."""
    table = connection.ops.quote_name(Reminder._meta.db_table)
    sql = (
        f"INSERT INTO {table} (user_id, kind, local_date, status, sweep, due_count, planned_at, message_due_at, "  # noqa: S608 - table name from model meta; values bound
        "attempts, detail) SELECT u, %s, d, %s, %s, n, %s, %s, 0, '' "
        f"FROM {_unnest('bigint', 'date', 'integer')} AS v(u, d, n) "
        "ON CONFLICT (user_id, kind, local_date) DO NOTHING RETURNING id"
    )
    params = [
        Reminder.REVIEW_DIGEST,
        Reminder.PLANNED,
        sweep_id,
        now,
        now,
        _text_array(t.user_id for t, _ in reminding),
        _text_array(d.local_date for _, d in reminding),
        _text_array(counts.get(t.user_id, 0) for t, _ in reminding),
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
            f"FROM {_unnest('bigint', 'timestamptz', 'timestamptz', 'integer')} "
            "AS v(user_id, next_at, reminded_at, ignored) "
            f"WHERE {table}.user_id = v.user_id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [_text_array(column) for column in columns])
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


def _enqueue_new(ids: list[int], now: datetime, report: SweepReport) -> None:
    report.enqueued += enqueue_sends(ids, now, mark=False)  # message_due_at was set on insert


def enqueue_sends(ids: list[int], now: datetime | None = None, *, countdown: float = 0, mark: bool = True) -> int:
    """One send_reminders message per `REMINDER_ENQUEUE_CHUNK` ids, over one producer connection;
    returns how many ids were enqueued. Never raises: with the broker down the rows stay planned
    and overdue, and the relay enqueues them at a later sweep."""
    from celery import current_app  # by task name: the pipeline never imports its task wrappers

    if not ids:
        return 0
    now = now or timezone.now()
    send_batch_task = current_app.tasks[SEND_BATCH_TASK]
    size = app_settings.REMINDER_ENQUEUE_CHUNK
    done = 0
    try:
        with current_app.producer_or_acquire() as producer:
            for start in range(0, len(ids), size):
                chunk = ids[start : start + size]
                # The limits travel in the message and win over the worker's task attributes, so they
                # are read from the live settings here (as the worker reads them), not at import.
                send_batch_task.apply_async(
                    (chunk,),
                    argsrepr=f"[{len(chunk)} reminder ids]",  # not a repr of every id in every message
                    producer=producer,
                    countdown=countdown or None,
                    soft_time_limit=app_settings.REMINDER_SEND_SOFT_TIME_LIMIT,
                    time_limit=app_settings.REMINDER_SEND_TIME_LIMIT,
                )
                if mark:
                    Reminder.objects.filter(pk__in=chunk, status=Reminder.PLANNED).update(
                        message_due_at=now + timedelta(seconds=countdown)
                    )
                done += len(chunk)
    except Exception as exc:  # the broker is unreachable: the rows are safe in the ledger
        log.warning(
            "could not enqueue %d reminder send(s) (%s); they stay planned for the relay",
            len(ids) - done,
            type(exc).__name__,
        )
    return done


# ---------------------------------------------------------------- sending


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    transient: dict[int, str] = field(default_factory=dict)  # back to 'planned': retry these
    ambiguous: list[int] = field(default_factory=list)
    not_claimed: list[int] = field(default_factory=list)
    unattempted: list[int] = field(default_factory=list)  # the batch stopped before these (still planned)
    retry_in: float = 0.0  # after a transient error: when to try the transient and unattempted rows again


class _Mailer:
    """One SMTP connection for a batch, opened on first use; a broken one is dropped, not reused."""

    def __init__(self):
        self.connection = None

    def open(self):
        if self.connection is None:
            connection_ = get_connection()
            connection_.open()  # inside the caller's try: a 421 greeting or a refused connection is retried
            self.connection = connection_
        return self.connection

    def discard(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):  # closing a failed SMTP connection may fail again
                self.connection.close()
        self.connection = None


def _load_batch(ids: list[int], due_at: datetime) -> dict[int, Reminder]:
    """The batch's planned reminders with their trainees and preferences, and each trainee's due
    cards by kind (due_skill, due_fact): one statement for the whole batch."""
    enrolled = Enrollment.objects.filter(user_id=OuterRef("user_id"))
    due = ReviewCard.objects.filter(user_id=OuterRef("user_id"), due__lte=due_at).order_by().values("user_id")
    query = (
        Reminder.objects.filter(pk__in=ids, status=Reminder.PLANNED)
        .select_related("user", "user__reminder_preference")
        .annotate(enrolled=Exists(enrolled))
        .annotate(
            **{
                f"due_{kind}": Coalesce(Subquery(due.filter(kind=kind).annotate(n=Count("*")).values("n")), 0)
                for kind in ("skill", "fact")
            }
        )
    )
    return {reminder.pk: reminder for reminder in query}


# What the claim re-reads in its own statement: the trainee's account and preferences as they are
# when the row is claimed, which is the last look before the email goes.
CLAIM_PREFERENCE_FIELDS = TRAINEE_FIELDS[3:]  # the preference row's part of a trainee


def _claim(pk: int, token: uuid.UUID, now: datetime, sent: _Sent | None) -> tuple[int, timing.Trainee] | None:
    """Claim a planned row (a conditional UPDATE, committed before anything is sent) and, in the
    same statement, re-read its trainee's account, enrolment and preferences, so an opt-out
    committed before the claim stops the email without another round trip. With `sent`, the
    previous row is marked sent in the same statement (and commit), so a batch leaves at most one
    row in 'sending' at any moment. Returns the row's attempts and the trainee as now, or None if
    the row was not planned (or has no preferences)."""
    if connection.vendor != "postgresql":
        return _claim_portable(pk, token, now, sent)
    user_model = ReminderPreference._meta.get_field("user").related_model
    q = connection.ops.quote_name
    r = {f: q(Reminder._meta.get_field(f).column) for f in ("id", "status", "claim", "claimed_at", "attempts", "user")}
    p = {f: q(ReminderPreference._meta.get_field(f).column) for f in ("user", *CLAIM_PREFERENCE_FIELDS)}
    u_pk = q(user_model._meta.pk.column)
    u_active = q(user_model._meta.get_field("is_active").column)
    u_email = q(user_model._meta.get_field(user_model.get_email_field_name()).column)
    e_user = q(Enrollment._meta.get_field("user").column)
    reminder_table, pref_table = q(Reminder._meta.db_table), q(ReminderPreference._meta.db_table)
    user_table, enrollment_table = q(user_model._meta.db_table), q(Enrollment._meta.db_table)
    preferences = ", ".join(f"p.{p[f]}" for f in CLAIM_PREFERENCE_FIELDS)
    # Table and column names come from the models' _meta; every value is a parameter.
    sql = (
        f"UPDATE {reminder_table} AS r SET {r['status']} = %s, {r['claim']} = %s, {r['claimed_at']} = %s, "  # noqa: S608
        f"{r['attempts']} = r.{r['attempts']} + 1 "
        f"FROM {pref_table} AS p JOIN {user_table} AS u ON u.{u_pk} = p.{p['user']} "
        f"WHERE r.{r['id']} = %s AND r.{r['status']} = %s AND p.{p['user']} = r.{r['user']} "
        f"RETURNING r.{r['attempts']}, r.{r['user']}, u.{u_active}, "
        f"EXISTS (SELECT 1 FROM {enrollment_table} AS e WHERE e.{e_user} = r.{r['user']}), "
        f"u.{u_email}, {preferences}"
    )
    params = [Reminder.SENDING, token, now, pk, Reminder.PLANNED]
    if sent is not None:
        ctes, cte_params = _mark_sent_ctes(sent)
        sql, params = ctes + sql, cte_params + params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    attempts, user_id, is_active, enrolled, email, *prefs = row
    fields = dict(zip(CLAIM_PREFERENCE_FIELDS, prefs, strict=True))
    fields["email_enabled"] = fields["email_enabled"] and bool(email)  # no address: email is no channel
    return attempts, timing.Trainee(user_id=user_id, is_active=is_active, enrolled=enrolled, **fields)


def _claim_portable(pk: int, token: uuid.UUID, now: datetime, sent: _Sent | None):
    """_claim for databases without UPDATE ... FROM ... RETURNING across tables or writes inside
    WITH (SQLite, the no-services default): the same steps in one transaction, a few statements."""
    with transaction.atomic():
        if sent is not None:
            _mark_sent_portable(sent)
        claimed = Reminder.objects.filter(
            pk=pk, status=Reminder.PLANNED, user__reminder_preference__isnull=False
        ).update(status=Reminder.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return None
    reminder = Reminder.objects.select_related("user__reminder_preference").get(pk=pk)
    user = reminder.user
    enrolled = Enrollment.objects.filter(user_id=user.pk).exists()
    return reminder.attempts, _trainee_of(user, user.reminder_preference, enrolled)


def _mark_sent_portable(sent: _Sent) -> None:
    with transaction.atomic():
        row = Reminder.objects.filter(pk=sent.pk, claim=sent.token, status=Reminder.SENDING)
        user_id = row.values_list("user_id", flat=True).first()
        if user_id is None or not row.update(status=Reminder.SENT, finished_at=sent.finished_at):
            return
        if sent.notification is not None:
            note = sent.notification
            Notification.objects.create(
                user_id=user_id, reminder_id=sent.pk, title=note["title"], body=note["body"],
                link=note["link"], created_at=note["created_at"],
            )  # fmt: skip


@dataclass(frozen=True)
class _Sent:
    """A row whose email went (or had none to send), not yet marked sent."""

    pk: int
    token: uuid.UUID
    finished_at: datetime
    notification: dict | None


def _mark_sent_ctes(sent: _Sent) -> tuple[str, list]:
    """WITH clauses that mark a claimed row sent and, if in-app is on, write its notification, so
    both happen or neither. PostgreSQL runs a data-modifying WITH whatever the statement after it
    does, so they can ride on the next claim (one commit for both) or stand alone."""
    r = {f: Reminder._meta.get_field(f).column for f in ("id", "status", "finished_at", "claim", "user")}
    # Table and column names come from the models' _meta; every value is a parameter.
    sql = (
        f'WITH moved AS (UPDATE "{Reminder._meta.db_table}" SET "{r["status"]}" = %s, "{r["finished_at"]}" = %s '  # noqa: S608
        f'WHERE "{r["id"]}" = %s AND "{r["claim"]}" = %s AND "{r["status"]}" = %s '
        f'RETURNING "{r["id"]}", "{r["user"]}") '
    )
    params = [Reminder.SENT, sent.finished_at, sent.pk, sent.token, Reminder.SENDING]
    if sent.notification is not None:
        fields = ("user", "reminder", "title", "body", "link", "created_at")
        columns = ", ".join(f'"{Notification._meta.get_field(f).column}"' for f in fields)
        sql += (
            f', noted AS (INSERT INTO "{Notification._meta.db_table}" ({columns}) '  # noqa: S608
            f'SELECT "{r["user"]}", "{r["id"]}", %s, %s, %s, %s FROM moved) '
        )
        note = sent.notification
        params += [note["title"], note["body"], note["link"], note["created_at"]]
    return sql, params


def _mark_sent(sent: _Sent) -> None:
    if connection.vendor != "postgresql":
        _mark_sent_portable(sent)
        return
    sql, params = _mark_sent_ctes(sent)
    with connection.cursor() as cursor:
        cursor.execute(sql + "SELECT 1", params)


def _why_not(reminder: Reminder, due: int, now: datetime) -> str:
    pref = getattr(reminder.user, "reminder_preference", None)
    if pref is None:
        return "no preferences"
    return _still_eligible(_trainee_of(reminder.user, pref, reminder.enrolled), due, reminder.planned_at, now)


def _still_eligible(trainee: timing.Trainee, due: int, planned_at: datetime, now: datetime) -> str:
    return timing.still_eligible(trainee, due, planned_at, now, timedelta(hours=app_settings.REMINDER_STALE_HOURS))


def send_batch(ids: list[int], now: datetime | None = None) -> SendResult:
    """Send the digests of some planned reminders, each at most once. The batch's rows, trainees
    and due counts are read in one statement; then, one row at a time: the email is built, the
    row claimed (a conditional UPDATE, committed before anything is sent, that re-reads the
    trainee's preferences in the same statement), sent over the batch's one SMTP connection, and
    marked sent together with its in-app notification by the statement that claims the next row
    (the last row on its own): one commit an email. A worker dying mid-batch leaves at most one
    row in 'sending' (ambiguous later, never resent); the rest are either finished or still
    planned for the relay. The first transient error stops the batch: the server is unwell, and
    the rest wait for the retry rather than each failing in turn."""
    result = SendResult()
    batch = _Batch()
    pending = list(dict.fromkeys(ids))
    try:
        loaded = _load_batch(pending, now or timezone.now())
        while pending:
            pk = pending.pop(0)
            reminder = loaded.pop(pk, None)
            if reminder is None:
                result.not_claimed.append(pk)  # sent, skipped or claimed by another message already
                continue
            if _send_one(reminder, now or timezone.now(), batch, result) == "stop":
                break
    except SoftTimeLimitExceeded:
        log.warning("reminder batch hit its soft time limit; %d row(s) left for a new message", len(pending))
    finally:
        if batch.unmarked is not None:  # the last row sent: marked on its own
            _mark_sent(batch.take_unmarked())
        batch.mailer.discard()
        result.unattempted = [*result.unattempted, *pending]
    return result


@dataclass
class _Batch:
    """A send batch's one SMTP connection and the row it sent last, marked sent with the next claim."""

    mailer: _Mailer = field(default_factory=_Mailer)
    unmarked: _Sent | None = None

    def take_unmarked(self) -> _Sent | None:
        sent, self.unmarked = self.unmarked, None
        return sent


def _send_one(reminder: Reminder, now: datetime, batch: _Batch, result: SendResult) -> str:
    pk, user = reminder.pk, reminder.user
    user_counts = {"skill": reminder.due_skill, "fact": reminder.due_fact}
    due = sum(user_counts.values())
    try:
        reason = _why_not(reminder, due, now)
        if reason:  # no need to claim it: a row still planned is skipped, once
            if Reminder.objects.filter(pk=pk, status=Reminder.PLANNED).update(
                status=Reminder.SKIPPED, finished_at=now, detail=reason[:200]
            ):
                result.skipped[pk] = reason
            else:
                result.not_claimed.append(pk)
            return "next"
        message = None
        if user.reminder_preference.email_enabled and user.email:
            message = emails.review_digest_message(
                user, user_counts, reminder.local_date, services.unsubscribe_token(user.pk)
            )
    except SoftTimeLimitExceeded:
        result.unattempted.append(pk)  # not claimed: still planned
        raise
    token = uuid.uuid4()
    phase = "check"
    claimed = _claim(pk, token, now, batch.take_unmarked())
    if claimed is None:
        result.not_claimed.append(pk)  # sent, skipped or claimed by another message since the batch was read
        return "next"
    attempts, trainee = claimed
    mine = Reminder.objects.filter(pk=pk, claim=token, status=Reminder.SENDING)
    try:
        # The last look, in the claim itself: an unsubscribe, pause or channel switched off that
        # was confirmed by the time the row was claimed stops this email.
        reason = _still_eligible(trainee, due, reminder.planned_at, now)
        if reason:
            mine.update(status=Reminder.SKIPPED, finished_at=now, detail=reason[:200])
            result.skipped[pk] = reason
            return "next"
        if message is not None and trainee.email_enabled:
            try:
                phase = "connect"
                message.connection = batch.mailer.open()
                phase = "send"
                message.send()
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:
                batch.mailer.discard()
                return _send_failed(pk, mine, attempts, exc, now, result)
        phase = "record"
        # The email went (or there was none to send): the row is marked sent and its notification
        # written in one statement, so a notification exists exactly for each row marked sent.
        notification = None
        if trainee.in_app_enabled:
            notification = {
                "title": emails.wording_for(reminder.local_date, due)[0],
                "body": emails.due_summary(user_counts),
                "link": reverse("review:session"),
                "created_at": now,
            }
        batch.unmarked = _Sent(pk, token, timezone.now(), notification)  # marked with the next claim
        result.sent.append(pk)
        return "next"
    except SoftTimeLimitExceeded:
        if phase in ("check", "connect"):  # nothing went out: the row is owed again
            mine.update(status=Reminder.PLANNED, claim=None, message_due_at=now, detail="time limit before sending")
            result.unattempted.append(pk)
        else:  # the email may be out: never resend it
            mine.update(status=Reminder.AMBIGUOUS, finished_at=now, detail="time limit while sending; may have gone")
            result.ambiguous.append(pk)
        raise


def _send_failed(pk: int, mine, attempts: int, exc: Exception, now: datetime, result: SendResult) -> str:
    detail = f"{type(exc).__name__}: {getattr(exc, 'smtp_code', '')}".strip(": ")
    if not emails.is_transient(exc):
        log.warning("reminder %s failed permanently: %s", pk, detail)
        mine.update(status=Reminder.FAILED, finished_at=now, detail=detail[:200])
        result.failed[pk] = detail
        return "next"
    if attempts > app_settings.REMINDER_MAX_RETRIES:
        log.warning("reminder %s gave up after %s attempts: %s", pk, attempts, detail)
        mine.update(status=Reminder.FAILED, finished_at=now, detail=f"gave up: {detail}"[:200])
        result.failed[pk] = f"gave up: {detail}"
        return "stop"
    result.retry_in = retry_countdown(attempts - 1)
    due_at = now + timedelta(seconds=result.retry_in)
    mine.update(status=Reminder.PLANNED, claim=None, message_due_at=due_at, detail=f"retrying after {detail}"[:200])
    result.transient[pk] = detail
    return "stop"


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


def retry_later(result: SendResult, now: datetime | None = None) -> int:
    """After a transient error or a time limit, the rows the batch did not finish get a new
    message (after the backoff for a transient error, at once otherwise). If that enqueue fails
    they are still planned and the relay picks them up."""
    rest = [*result.transient, *result.unattempted]
    return enqueue_sends(rest, now, countdown=result.retry_in)


def reminder_send(reminder_id: int, now: datetime | None = None) -> str:
    """Send one planned reminder at most once; returns what happened ('sent', 'skipped: ...',
    'failed: ...', 'retrying: ...', 'not claimable')."""
    result = send_batch([reminder_id], now)
    if result.transient:
        return f"retrying: {result.transient[reminder_id]}"
    if result.sent:
        return "sent"
    if result.skipped:
        return f"skipped: {result.skipped[reminder_id]}"
    if result.failed:
        return f"failed: {result.failed[reminder_id]}"
    return "not claimable"


def retry_countdown(retries: int) -> float:
    return timing.retry_delay(
        retries, app_settings.REMINDER_RETRY_BASE_SECONDS, app_settings.REMINDER_RETRY_MAX_SECONDS, random.random()
    )
