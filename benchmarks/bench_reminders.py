"""Reminder pipeline at scale: 100,000 trainees, 1,000,000 review cards (10% due) on PostgreSQL.

Measures, in one run:
  1. the sweep's due-finding queries (one grouped ORM query per keyset batch) against one plain
     SQL GROUP BY over the same due rows (goal: within 3x);
  2. the whole planning sweep (ledger rows, next look times, sends enqueued in Celery chunks) at
     10,000 and 100,000 trainees: planned reminders a second (goal >= 10,000/s) and peak Python
     memory (tracemalloc, goal: flat as trainees grow);
  3. sending with 2 worker processes over SMTP to a local sink (benchmarks/smtp_sink.py, a process
     of its own) against trivial tasks drained the same way (chunks of 100, queued first, then
     consumed) in the same run (goal: sends >= a tenth of the trivial rate).
Needs Redis for 3 (ATTUNE_BENCH_REDIS_URL, default redis://127.0.0.1:6379/7).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import tracemalloc
import uuid
from datetime import timedelta
from pathlib import Path

from celery import shared_task
from django.db import connection
from django.utils import timezone

TRAINEES = 100_000
SWEEP_SIZES = (10_000, 100_000)
TRIVIAL_TASKS = 20_000
SMOKE = False  # run(smoke=True): tiny sizes, eager Celery, any database (the test suite's smoke run)
CARDS_PER_TRAINEE = 10
DUE_SHARE = 0.10
PREFIX = "remind-"  # distinct from bench_dashboard's "bench-" users: each bench clears only its own
REDIS_URL = os.environ.get("ATTUNE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
ROOT = Path(__file__).resolve().parent.parent
COUNTER_KEY = "attune-bench:noop"


_redis = None


@shared_task(name="bench.noop", ignore_result=True)
def noop(_n: int) -> None:
    """The trivial task the send rate is compared against: one Redis INCR so the bench sees it."""
    global _redis
    if SMOKE:  # eager in the test suite's smoke run: no Redis
        return
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(REDIS_URL)
    _redis.incr(COUNTER_KEY)


def say(label: str, value: str) -> None:
    print(f"  {label:<58} {value}", flush=True)


# ---------------------------------------------------------------- data


def _copy(table: str, columns: list[str], rows) -> None:
    """COPY on PostgreSQL; a plain executemany elsewhere (the smoke run on SQLite)."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", list(rows))  # noqa: S608
            return
        raw = cursor.connection.cursor()
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _tables() -> dict[str, str]:
    from course.models import Enrollment
    from quizzes.reminders.models import Notification, Reminder, ReminderPreference
    from quizzes.review.models import ReviewCard, ReviewLog

    return {
        "notification": Notification._meta.db_table,
        "reminder": Reminder._meta.db_table,
        "reviewlog": ReviewLog._meta.db_table,
        "reviewcard": ReviewCard._meta.db_table,
        "preference": ReminderPreference._meta.db_table,
        "enrollment": Enrollment._meta.db_table,
        "user": Enrollment._meta.get_field("user").related_model._meta.db_table,
    }


def build() -> None:
    from course.models import Cohort, Course, Enrollment
    from quizzes.reminders.models import ReminderPreference
    from quizzes.review.models import ReviewCard

    User = Enrollment._meta.get_field("user").related_model
    ours = User.objects.filter(username__startswith=PREFIX)
    if ours.count() == TRAINEES and ReviewCard.objects.filter(user__username__startswith=PREFIX).count() == (
        TRAINEES * CARDS_PER_TRAINEE
    ):
        say("data", f"reusing {TRAINEES:,} trainees and {TRAINEES * CARDS_PER_TRAINEE:,} cards")
        return
    started = time.perf_counter()
    tables = _tables()
    with connection.cursor() as cursor:
        # Only this bench's users and their rows: other benches keep their data in the same database.
        for key in ("notification", "reminder", "reviewlog", "reviewcard", "preference", "enrollment"):
            cursor.execute(
                f"DELETE FROM {tables[key]} WHERE user_id IN "  # noqa: S608 - model tables
                f"(SELECT id FROM {tables['user']} WHERE username LIKE %s)",
                [PREFIX + "%"],
            )
        cursor.execute(f"DELETE FROM {tables['user']} WHERE username LIKE %s", [PREFIX + "%"])  # noqa: S608
    course, _ = Course.objects.get_or_create(slug="bench", defaults={"title": "Bench course"})
    cohort, _ = Cohort.objects.get_or_create(course=course, name="Bench", defaults={"start_date": timezone.localdate()})
    now = timezone.now()
    _copy(
        tables["user"],
        [
            "username",
            "password",
            "email",
            "first_name",
            "last_name",
            "is_staff",
            "is_active",
            "is_superuser",
            "date_joined",
        ],
        ((f"{PREFIX}{i}", "!", f"{PREFIX}{i}@bench.example", "", "", False, True, False, now) for i in range(TRAINEES)),
    )
    ids = list(User.objects.filter(username__startswith=PREFIX).order_by("pk").values_list("pk", flat=True))
    _copy(tables["enrollment"], ["cohort_id", "user_id", "created_at"], ((cohort.pk, u, now) for u in ids))
    zones = ["Europe/London", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "UTC"]
    rng = random.Random(5)
    _copy(
        ReminderPreference._meta.db_table,
        [
            "user_id",
            "time_zone",
            "time_zone_chosen",
            "reminder_time",
            "email_enabled",
            "in_app_enabled",
            "frequency",
            "ignored_in_a_row",
            "updated_at",
        ],
        ((u, rng.choice(zones), True, "18:00", True, True, "daily", 0, now) for u in ids),
    )
    skills = [f"bench.skill_{n:02d}" for n in range(CARDS_PER_TRAINEE)]

    def cards():
        for u in ids:
            for skill in skills:
                due = now - timedelta(hours=1) if rng.random() < DUE_SHARE else now + timedelta(days=rng.randint(1, 60))
                yield (u, course.pk, "skill", skill, 2, 5.0, 5.0, due, now - timedelta(days=3), 1, now)

    _copy(
        ReviewCard._meta.db_table,
        [
            "user_id",
            "course_id",
            "kind",
            "skill",
            "state",
            "stability",
            "difficulty",
            "due",
            "last_review",
            "reps",
            "created_at",
        ],
        cards(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say(
        "data built (COPY)",
        f"{TRAINEES:,} trainees, {TRAINEES * CARDS_PER_TRAINEE:,} cards in {time.perf_counter() - started:.1f} s",
    )


def reset(active: int, now) -> list[int]:
    """Forget every reminder; make the first `active` trainees' reminder time come now."""
    from quizzes.reminders.models import ReminderPreference

    tables = _tables()
    with connection.cursor() as cursor:
        if SMOKE or connection.vendor != "postgresql":
            cursor.execute(f"DELETE FROM {tables['notification']}")  # noqa: S608
            cursor.execute(f"DELETE FROM {tables['reminder']}")  # noqa: S608
        else:
            cursor.execute(f"TRUNCATE {tables['notification']}, {tables['reminder']}")
    ids = list(
        ReminderPreference.objects.filter(user__username__startswith=PREFIX)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    cutoff = ids[active - 1]
    ReminderPreference.objects.filter(user_id__lte=cutoff).update(
        next_reminder_at=now - timedelta(minutes=1),
        last_reminded_at=None,
        last_reviewed_at=None,
        quiet_start=None,
        quiet_end=None,
    )
    ReminderPreference.objects.filter(user_id__gt=cutoff).update(next_reminder_at=now + timedelta(days=1))
    if not SMOKE and connection.vendor == "postgresql":  # VACUUM cannot run inside the tests' transaction
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {tables['preference']}")
    return ids[:active]


# ---------------------------------------------------------------- 1. due-finding


def bench_due_finding() -> None:
    from quizzes.reminders.conf import app_settings
    from quizzes.reminders.models import ReminderPreference
    from quizzes.review import selectors
    from quizzes.review.models import ReviewCard

    now = timezone.now()
    ids = list(ReminderPreference.objects.order_by("user_id").values_list("user_id", flat=True))
    batch = app_settings.REMINDER_BATCH_SIZE
    table = ReviewCard._meta.db_table

    def orm():
        total = 0
        for start in range(0, len(ids), batch):
            total += sum(selectors.due_counts_by_user(ids[start : start + batch], now).values())
        return total

    def plain():
        with connection.cursor() as cursor:
            sql = f"SELECT user_id, count(*) FROM {table} WHERE due <= %s GROUP BY user_id"  # noqa: S608 - model table
            cursor.execute(sql, [now])
            return sum(n for _, n in cursor.fetchall())

    timings = {}
    for name, fn in (("orm", orm), ("plain", plain)):
        fn()  # warm the cache
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            due = fn()
            runs.append(time.perf_counter() - started)
        timings[name] = sorted(runs)[2]
    say("due cards found (both ways)", f"{due:,}")
    say(f"sweep's grouped ORM queries ({len(ids) // batch} batches of {batch:,})", f"{timings['orm'] * 1000:.0f} ms")
    say("plain SQL GROUP BY over the same rows", f"{timings['plain'] * 1000:.0f} ms")
    ratio = timings["orm"] / timings["plain"]
    say("ratio (goal: within 3x)", f"{ratio:.2f}x {'OK' if ratio <= 3 else 'MISSED'}")


# ---------------------------------------------------------------- 2. planning sweep


def bench_sweep() -> None:
    from quizzes.reminders import reminders

    results = {}
    small, large = SWEEP_SIZES
    for active in SWEEP_SIZES:
        now = timezone.now()
        reset(active, now)
        started = time.perf_counter()
        report = reminders.plan_sweep(now)
        elapsed = time.perf_counter() - started
        reset(active, now)
        tracemalloc.start()
        reminders.plan_sweep(now)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results[active] = (report, elapsed, peak)
        say(
            f"sweep over {active:,} trainees",
            f"{report.planned:,} planned, {sum(report.skipped.values()):,} skipped in {elapsed:.2f} s = "
            f"{report.planned / elapsed:,.0f} planned/s ({report.looked_at / elapsed:,.0f} trainees/s)",
        )
        say(f"  peak Python memory, {active:,} trainees (tracemalloc)", f"{peak / 1e6:.1f} MB")
    rate = results[large][0].planned / results[large][1]
    say(f"planned/s at {large:,} (goal >= 10,000/s)", f"{rate:,.0f} {'OK' if rate >= 10_000 else 'MISSED'}")
    growth = results[large][2] / results[small][2]
    say(f"memory {large:,} vs {small:,} trainees (flat = ~1x)", f"{growth:.2f}x")


# ---------------------------------------------------------------- 3. sending


def _start_workers(queue: str, smtp_port: int):
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": str(smtp_port),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_DEBUG": "false",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--concurrency=2",
        "-Q",
        queue,
        "-I",
        "benchmarks.bench_reminders",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=WARNING",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait(condition, timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if condition():
            return time.perf_counter() - started
        time.sleep(0.05)
    raise TimeoutError("the workers did not finish in time")


class _Sink:
    """benchmarks/smtp_sink.py in a process of its own: a real SMTP server on a local port."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.smtp_sink"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = int(self.process.stdout.readline())

    def received(self) -> int:
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def bench_sending() -> None:
    """Both rates are timed the same way: the messages wait in a queue of their own until the
    running workers are told to consume it, and the clock runs from then until the last task is
    done. Neither the sweep nor the publishing is inside the send figure."""
    import redis

    from config.celery import app
    from quizzes.reminders import reminders
    from quizzes.reminders.models import Reminder

    client = redis.Redis.from_url(REDIS_URL)
    tag = uuid.uuid4().hex[:6]
    idle, trivial_queue, send_queue = (f"attune-bench-{name}-{tag}" for name in ("idle", "noop", "send"))
    sink = _Sink()
    workers = _start_workers(idle, sink.port)
    try:
        _wait(lambda: bool(app.control.ping(timeout=0.5)), 60)  # both worker processes are ready

        trivial = TRIVIAL_TASKS
        client.set(COUNTER_KEY, 0)
        noop.chunks([(n,) for n in range(trivial)], 100).apply_async(queue=trivial_queue)
        started = time.perf_counter()
        app.control.add_consumer(trivial_queue, reply=True)
        _wait(lambda: int(client.get(COUNTER_KEY) or 0) >= trivial, 300)
        elapsed = time.perf_counter() - started
        trivial_rate = trivial / elapsed
        say(
            "trivial tasks, 2 worker processes, chunks of 100",
            f"{trivial:,} in {elapsed:.2f} s = {trivial_rate:,.0f}/s",
        )

        now = timezone.now()
        reset(SWEEP_SIZES[0], now)
        app.conf.task_default_queue = send_queue
        planned = reminders.plan_sweep(now).planned  # enqueued on commit, into the queue no one reads yet
        started = time.perf_counter()
        app.control.add_consumer(send_queue, reply=True)
        _wait(lambda: Reminder.objects.filter(status__in=["sent", "skipped", "failed"]).count() >= planned, 600)
        elapsed = time.perf_counter() - started
        sent = Reminder.objects.filter(status="sent").count()
        # Other benchmarks' trainees (the HTTP bench's, with no address) are swept too: they get
        # the in-app notification only, so the sink should hold one email per sent row with an address.
        addressed = Reminder.objects.filter(status="sent").exclude(user__email="").count()
        emails = sink.received()
        send_rate = sent / elapsed
        say(
            "reminders sent (SMTP to a local sink + in-app)",
            f"{sent:,} of {planned:,} in {elapsed:.2f} s = {send_rate:,.0f}/s "
            f"({emails:,} emails received for {addressed:,} sent rows with an address"
            f"{'' if emails == addressed else ': MISMATCH'})",
        )
        ratio = send_rate / trivial_rate
        say("send rate vs trivial rate (goal >= 0.10)", f"{ratio:.2f} {'OK' if ratio >= 0.1 else 'MISSED'}")
    finally:
        workers.send_signal(signal.SIGTERM)
        try:
            workers.wait(timeout=30)
        except subprocess.TimeoutExpired:
            workers.kill()
        sink.close()
        client.delete(idle, trivial_queue, send_queue, COUNTER_KEY)


def bench_sending_smoke() -> None:
    """The smoke run's sending: the same sweep and send path, run eagerly in this process."""
    from config.celery import app
    from quizzes.reminders import reminders
    from quizzes.reminders.models import Reminder

    now = timezone.now()
    reset(SWEEP_SIZES[0], now)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        noop.chunks([(n,) for n in range(TRIVIAL_TASKS)], 10).apply_async()
        report = reminders.plan_sweep(now)
        owed = list(Reminder.objects.filter(status="planned").values_list("pk", flat=True))
        if owed:  # the sweep enqueues on commit: inside the tests' transaction that never comes
            reminders.send_batch(owed, now)
    finally:
        app.conf.task_always_eager = eager
    done = Reminder.objects.filter(status__in=["sent", "skipped", "failed"]).count()
    say("reminders planned and handled (eager)", f"{report.planned:,} planned, {done:,} handled")


def run(smoke: bool = False) -> None:
    global TRAINEES, SWEEP_SIZES, TRIVIAL_TASKS, SMOKE
    if not smoke:
        return _run()
    saved = TRAINEES, SWEEP_SIZES, TRIVIAL_TASKS, SMOKE
    TRAINEES, SWEEP_SIZES, TRIVIAL_TASKS, SMOKE = 30, (10, 30), 20, True
    try:
        build()
        print("1. due-finding", flush=True)
        bench_due_finding()
        print("2. planning sweep", flush=True)
        bench_sweep()
        print("3. sending (smoke: eager)", flush=True)
        bench_sending_smoke()
    finally:
        TRAINEES, SWEEP_SIZES, TRIVIAL_TASKS, SMOKE = saved


def _run() -> None:
    from django.conf import settings

    from config.celery import app

    settings.DEBUG = False  # DEBUG keeps every query's SQL: that would be measured as the sweep's memory

    # Point this process's producer at the bench Redis before anything is published.
    app.conf.broker_url = REDIS_URL
    app.conf.broker_transport_options = {}
    app.conf.task_default_queue = f"attune-bench-idle-{uuid.uuid4().hex[:6]}"  # no worker: sweeps only enqueue
    build()
    print("1. due-finding", flush=True)
    bench_due_finding()
    print("2. planning sweep", flush=True)
    bench_sweep()
    import redis

    redis.Redis.from_url(REDIS_URL).delete(app.conf.task_default_queue)
    print("3. sending", flush=True)
    bench_sending()
