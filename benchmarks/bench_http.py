"""Trainee endpoints over HTTP: gunicorn (2 sync workers, DEBUG off) on PostgreSQL, driven by wrk.

Each round runs the anchor and three references (benchmarks/urls.py: a DRF view making one indexed
query, the same view without it, a plain JsonResponse, and the floor of a page: a session-signed-in
view with one query in the base template) and then every endpoint for
ATTUNE_BENCH_SECONDS with `wrk -t2 -c16`; rounds are interleaved so each endpoint is divided by the
anchor measured minutes, not hours, apart. The figures are medians over ATTUNE_BENCH_ROUNDS rounds:
throughput as a ratio to the anchor, p99 in ms and as a ratio to the anchor's p99, and the queries
one request makes (counted in-process).

ATTUNE_BENCH_ONLY=answer (any part of a label) runs the anchors and just the endpoints it names.

The answer POST walks many prepared attempts (fresh ones each round, one trainee each): a wrk Lua
script posts each attempt's steps in order, a whole pass of attempts apart, so every request answers
a current step (no repeats), first answers of a skill and attempt-finishing answers included.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

# The protocol: medians of 5 interleaved rounds of 10 s (about ten minutes in all).
SECONDS = int(os.environ.get("ATTUNE_BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("ATTUNE_BENCH_ROUNDS", "5"))
WORKERS, THREADS, CONNECTIONS = 2, 2, 16
# Answers one round may need: generous, so wrk never runs out of current steps to answer.
ANSWER_RATE_CEILING = 800
READ_TARGET, READ_P99 = 0.8, 2.0
ANSWER_TARGET, ANSWER_P99 = 0.5, 3.0
ROOT = Path(__file__).resolve().parent.parent

LUA = r"""
-- Posts answers to prepared attempts: each wrk thread owns every attempt whose index % threads is its id.
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  local nthreads = tonumber(args[2])
  requests, position = {}, 1
  for line in io.lines(args[1]) do
    local attempt, token, path, body = line:match("^(%d+)\t([^\t]+)\t([^\t]+)\t(.*)$")
    if tonumber(attempt) % nthreads == id then
      table.insert(requests, wrk.format("POST", path, {
        ["Authorization"] = "Token " .. token, ["Content-Type"] = "application/json"}, body))
    end
  end
end
function request()
  -- wrk calls thread 0's request() once before the run to check the script, and never sends
  -- that request: it must not use up a step, or that attempt's later steps all answer 409.
  if id == 0 and not verified then
    verified = true
    return requests[position]
  end
  local r = requests[position]
  position = position + 1
  if position > #requests then position = 1 end
  return r
end
function response(status, headers, body)
  if status >= 300 then  -- printed for the bench's error message
    io.write("failed response: " .. status .. " " .. string.sub(body, 1, 300) .. "\n")
  end
end
"""


@dataclass
class Endpoint:
    label: str
    path: str
    headers: dict = field(default_factory=dict)
    kind: str = "read"  # read, answer or anchor
    queries: int | None = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database Django is connected to (the bench's, or the test run's)."""
    from django.db import connection

    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Server:
    """gunicorn serving benchmarks.settings on a free local port."""

    def __init__(self, workers: int):
        self.port = _free_port()
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="benchmarks.settings",
            DJANGO_DEBUG="false",
            DATABASE_URL=database_url(),
            DJANGO_CONN_MAX_AGE="600",
            PYTHONPATH=str(ROOT),
        )
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--worker-class", "sync", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.base = f"http://127.0.0.1:{self.port}"

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.output()}")
            try:
                with urllib.request.urlopen(self.base + "/bench/plain/", timeout=2) as response:  # noqa: S310 (http, local)
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {timeout} s: {self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# ---------------------------------------------------------------- data


def _course():
    from course.conf import app_settings
    from course.models import Course
    from course.services import course_import

    # The shipped course (a second import changes nothing), found by the slug the import reports:
    # on a fresh database the dashboard benchmark's courses come first.
    report = course_import(app_settings.DEFAULT_COURSE_PATH)
    return Course.objects.get(slug=report.course)


def _users(prefix: str, count: int, cohort):
    """`count` new trainees enrolled in the cohort, with an API token each."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from course.models import Enrollment

    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"{prefix}-{i}", first_name=f"Trainee {i}", password="!") for i in range(count)]  # noqa: S106
    )
    Enrollment.objects.bulk_create([Enrollment(cohort=cohort, user=u) for u in users])
    tokens = Token.objects.bulk_create([Token(key=Token.generate_key(), user=u) for u in users])
    return users, [t.key for t in tokens]


def _finish_modules(users, modules) -> None:
    """Lessons read and quizzes passed in these modules, so the modules that follow them are open."""
    from django.utils import timezone

    from course.models import LessonProgress, ModuleResult

    now = timezone.now()
    lessons = [lesson for m in modules for lesson in m.lessons.filter(is_active=True)]
    LessonProgress.objects.bulk_create(
        [LessonProgress(user=u, lesson=lesson, first_opened_at=now, last_opened_at=now, completed_at=now)
         for u in users for lesson in lessons]
    )  # fmt: skip
    ModuleResult.objects.bulk_create([ModuleResult(user=u, module=m, best_score=1.0, passed_at=now)
                                      for u in users for m in modules])  # fmt: skip


def _walk(item, rng: random.Random) -> list[tuple[str, str]]:
    """The (step path, option id) of every step a trainee answers in an item, picking at random."""
    from quizzes import grading

    steps, path = [], ""
    while path is not None:
        step = grading.step_at(item.steps, path)
        option = rng.choice(step["options"])
        steps.append((path, option["id"]))
        path = grading.next_step_path(item.steps, path, option["id"])
    return steps


def _prepared_attempts(users, quiz, items, rng: random.Random):
    """One open attempt at the quiz per user, their written replies in place for write-first items."""
    from django.utils import timezone

    from quizzes.models import Attempt, FreeReply

    now = timezone.now()
    attempts = Attempt.objects.bulk_create(
        [Attempt(user=u, quiz=quiz, seed=rng.randrange(2**31), item_ids=[i.pk for i in items], started_at=now)
         for u in users]
    )  # fmt: skip
    FreeReply.objects.bulk_create(
        [FreeReply(attempt=a, item=i, text="I would stay with what you just said.", created_at=now)
         for a in attempts for i in items if i.write_first]
    )  # fmt: skip
    return attempts


def _answer_lines(attempts, tokens, items, rng: random.Random) -> list[str]:
    """The Lua script's input: step k of every attempt, then step k+1 of every attempt, and so on.

    Every attempt of a round follows the same (randomly chosen) walk, so each pass holds all of the
    attempts: walks of different lengths would leave a tail of a few attempts whose next step is
    posted while their previous one is still in flight (a 409, not the attempt's current step).
    """
    from django.urls import reverse

    bodies = [
        json.dumps({"item": item.slug, "step": step, "option": option, "confidence": 3})
        for item in items
        for step, option in _walk(item, rng)
    ]
    paths = [reverse("api-attempt-answer", args=[attempt.pk]) for attempt in attempts]
    return [
        f"{attempt.pk}\t{token}\t{path}\t{body}"
        for body in bodies
        for attempt, token, path in zip(attempts, tokens, paths, strict=True)
    ]


@dataclass
class Fixture:
    course: object
    reader: object
    token: str
    cookie: str
    attempt: object
    module: object
    lesson: object
    quiz: object  # the quiz the answer POST walks: module 2's, with its prerequisites done
    items: list
    cohort: object
    done: list  # the modules finished by every answering trainee


def build(smoke: bool = False) -> Fixture:
    """The shipped course, a cohort, and a reader part-way through module 1 with an open attempt."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from course import services as course_services
    from course.models import Cohort, Enrollment
    from quizzes import services as quiz_services

    course = _course()
    stamp = f"{int(time.time() * 1000)}"  # every run its own trainees: attempts and tokens start fresh
    cohort = Cohort.objects.create(course=course, name=f"Bench HTTP {stamp}", start_date=timezone.localdate())
    User = get_user_model()
    reader = User.objects.create(username=f"bench-http-{stamp}-reader", first_name="Reader", password="!")  # noqa: S106
    Enrollment.objects.create(cohort=cohort, user=reader)
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=reader).key
    module = course.modules.filter(is_active=True).order_by("order").first()
    lessons = list(module.lessons.filter(is_active=True).order_by("order"))
    for lesson in lessons[:-1]:  # all but the last read: the module is in progress
        course_services.lesson_open(reader, lesson)
        course_services.lesson_complete(reader, lesson)
    attempt, _ = quiz_services.attempt_start(reader, module.quiz)
    # Answers go to the second module's quiz (12 items, 4 skills: a typical mix of a skill's first
    # answers, plain ones and one that finishes); the first module's 3 items would finish every third.
    second = course.modules.filter(is_active=True, quiz__isnull=False).order_by("order")[1]
    done = list(second.prerequisites.all())
    quiz = second.quiz
    items = list(quiz.items.filter(is_active=True).order_by("order", "slug"))
    client = Client()
    client.force_login(reader)
    return Fixture(
        course, reader, token, client.cookies["sessionid"].value, attempt, module, lessons[-1], quiz, items, cohort,
        done,
    )  # fmt: skip


def endpoints(fx: Fixture) -> list[Endpoint]:
    from django.urls import reverse

    api = {"Authorization": f"Token {fx.token}"}
    page = {"Cookie": f"sessionid={fx.cookie}"}
    c = fx.course.slug
    return [
        Endpoint("anchor: one-query DRF view", "/bench/anchor/", api, "anchor"),
        Endpoint("authenticated, no query", "/bench/authenticated/", api, "plain"),
        Endpoint("plain JsonResponse", "/bench/plain/", {}, "plain"),
        Endpoint("page floor: session, 1 query", "/bench/page/", page, "plain"),
        Endpoint("courses list API", reverse("api-courses"), api),
        Endpoint("one course API", reverse("api-course", args=[c]), api),
        Endpoint("progress API", reverse("api-progress"), api),
        Endpoint("module page", reverse("course:module", args=[c, fx.module.slug]), page),
        Endpoint("lesson page", reverse("course:lesson", args=[c, fx.lesson.slug]), page),
        Endpoint("due reviews API", reverse("api-reviews"), api),
        Endpoint("attempt current-step API", reverse("api-attempt", args=[fx.attempt.pk]), api),
        Endpoint("answer POST", "(prepared attempts)", {}, "answer"),
    ]


def count_queries(fx: Fixture, points: list[Endpoint]) -> dict[str, str]:
    """Queries one request makes, in-process with the same settings (a warm structure cache)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    notes = {}
    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        client = Client()
        for point in points:
            if point.kind == "answer":
                continue
            headers = {"HTTP_AUTHORIZATION": point.headers["Authorization"]} if "Authorization" in point.headers else {}
            if "Cookie" in point.headers:
                client.cookies["sessionid"] = fx.cookie
            client.get(point.path, **headers)  # warm the structure cache
            with CaptureQueriesContext(connection) as queries:
                response = client.get(point.path, **headers)
            assert response.status_code == 200, (point.label, response.status_code)
            point.queries = len(queries.captured_queries)
        answer = next((p for p in points if p.kind == "answer"), None)
        if answer is None:
            return notes
        # One trainee's walk through the quiz, each answer counted under what it is: the trainee's
        # very first (it also lays out the facts deck and the reminder preference), a skill's first
        # (its card), a plain root answer, a branch step, and the one that finishes the attempt.
        users, tokens = _users(f"{fx.reader.username}-count", 1, fx.cohort)
        _finish_modules(users, fx.done)
        (attempt,) = _prepared_attempts(users, fx.quiz, fx.items, random.Random(1))
        lines = _answer_lines([attempt], tokens, fx.items, random.Random(1))
        skill_of = {item.slug: item.skill for item in fx.items}
        seen, kinds = set(), {}
        for number, line in enumerate(lines):
            _, token, path, body = line.split("\t")
            sent = json.loads(body)
            with CaptureQueriesContext(connection) as queries:
                response = client.post(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
            if number == len(lines) - 1:
                kind = "the last"
            elif number == 0:
                kind = "the trainee's first"
            elif sent["step"]:
                kind = "a branch step"
            elif skill_of[sent["item"]] not in seen:
                kind = "a skill's first"
            else:
                kind = "a plain answer"
            if not sent["step"]:
                seen.add(skill_of[sent["item"]])
            kinds.setdefault(kind, []).append(len(queries.captured_queries))
        answer.queries = max(kinds["a plain answer"])
        order = ["a plain answer", "a branch step", "a skill's first", "the trainee's first", "the last"]
        counted = ", ".join(f"{max(kinds[k])} {k}" for k in order if k in kinds)
        notes["answer POST"] = f"{counted} (token lookup included); 1 in {len(lines)} answers finishes an attempt"
    return notes


# ---------------------------------------------------------------- wrk


@dataclass
class Run:
    rate: float
    p99_ms: float
    requests: int
    errors: int
    failure: str = ""  # the first failed response's status and body (the answer script reports them)


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, seconds: int, headers: dict, script: Path | None = None, args=(), connections=CONNECTIONS):
    command = ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    if args:
        command += ["--", *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    failure = re.search(r"^failed response: .*$", out, re.M)
    return Run(rate, p99, requests, errors, failure.group(0) if failure else "")


def _answer_round(fx: Fixture, round_no: int, seconds: int, connections: int, base: str, folder: Path) -> Run:
    rng = random.Random(round_no)
    steps = sum(len(_walk(i, random.Random(0))) for i in fx.items)
    needed = max(4, ANSWER_RATE_CEILING * seconds // max(1, steps))
    users, tokens = _users(f"{fx.reader.username}-r{round_no}", needed, fx.cohort)
    _finish_modules(users, fx.done)
    attempts = _prepared_attempts(users, fx.quiz, fx.items, rng)
    lines = _answer_lines(attempts, tokens, fx.items, rng)
    data = folder / f"answers-{round_no}.tsv"
    data.write_text("\n".join(lines) + "\n")
    script = folder / "answers.lua"
    script.write_text(LUA)
    run = wrk(base + "/", seconds, {}, script, (str(data), str(THREADS)), connections)
    if run.requests > len(lines):
        print(f"  warning: wrk sent {run.requests} answers for {len(lines)} prepared steps (repeats measured)")
    return run


def run(smoke: bool = False):
    if shutil.which("wrk") is None:
        print("  wrk is not installed (apt-get install wrk): HTTP benchmarks skipped")
        return {}
    seconds, rounds, workers, connections = (1, 1, 1, 2) if smoke else (SECONDS, ROUNDS, WORKERS, CONNECTIONS)
    fx = build(smoke)
    points = endpoints(fx)
    only = os.environ.get("ATTUNE_BENCH_ONLY")  # e.g. "answer": the anchors plus the endpoints named so
    if only:
        points = [p for p in points if p.kind in ("anchor", "plain") or only in p.label]
    notes = count_queries(fx, points)
    server = Server(workers)
    results: dict[str, list[Run]] = {p.label: [] for p in points}
    try:
        server.wait()
        with tempfile.TemporaryDirectory() as folder:
            for round_no in range(rounds):
                for point in points:
                    if point.kind == "answer":
                        outcome = _answer_round(fx, round_no, seconds, connections, server.base, Path(folder))
                    else:
                        outcome = wrk(server.base + point.path, seconds, point.headers, connections=connections)
                    results[point.label].append(outcome)
                    if outcome.errors:
                        raise RuntimeError(
                            f"{point.label}: {outcome.errors} failed requests of {outcome.requests} {outcome.failure}"
                        )
                if not smoke:
                    anchor = results[points[0].label][-1]
                    line = f"anchor {anchor.rate:,.0f} req/s, p99 {anchor.p99_ms:.1f} ms"
                    print(f"  round {round_no + 1}/{rounds}: {line}")
    finally:
        server.stop()
    return report(points, results, notes, smoke)


def report(points, results, notes, smoke: bool):
    anchor = points[0].label
    workers, connections, seconds = (1, 2, 1) if smoke else (WORKERS, CONNECTIONS, SECONDS)
    print(f"  gunicorn {workers} sync workers, DEBUG off; wrk -t{THREADS} -c{connections} -d{seconds}s; "
          f"medians of {len(results[anchor])} interleaved rounds")  # fmt: skip
    a_rate = statistics.median(r.rate for r in results[anchor])
    a_p99 = statistics.median(r.p99_ms for r in results[anchor])
    print(f"  {'endpoint':<30} {'req/s':>8} {'x anchor':>9} {'p99 ms':>8} {'x p99':>6} {'queries':>8}  verdict")
    figures = {}
    for point in points:
        runs = results[point.label]
        ratio = statistics.median(r.rate / a.rate for r, a in zip(runs, results[anchor], strict=True))
        p99_ratio = statistics.median(r.p99_ms / a.p99_ms for r, a in zip(runs, results[anchor], strict=True))
        rate = statistics.median(r.rate for r in runs)
        p99 = statistics.median(r.p99_ms for r in runs)
        target, p99_target = {"read": (READ_TARGET, READ_P99), "answer": (ANSWER_TARGET, ANSWER_P99)}.get(
            point.kind, (None, None)
        )
        verdict = ""
        if target is not None:
            verdict = "OK" if ratio >= target and p99_ratio <= p99_target else "MISSED"
            verdict += f" (goal >= {target}x, p99 <= {p99_target}x)"
        queries = "" if point.queries is None else str(point.queries)
        print(f"  {point.label:<30} {rate:8,.0f} {ratio:8.2f}x {p99:8.1f} {p99_ratio:5.2f}x {queries:>8}  {verdict}")
        figures[point.label] = (ratio, p99_ratio, point.queries)
    for label, note in notes.items():
        print(f"  {label} queries: {note}")
    print(f"  (anchor {a_rate:,.0f} req/s, p99 {a_p99:.1f} ms)")
    return figures
