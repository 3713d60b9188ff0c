"""Instructor dashboard and item analysis for cohorts of 100 and 1,000 trainees.

Each cohort's course has 8 modules (3 lessons each) and 60 scenario items (a third with a branch
step); trainees have progressed through a random number of modules with 1-2 completed attempts
per module quiz, lesson progress, module results and review cards (some overdue). The data is
built once per database and reused. Times are medians of several renders through Django's test
client (the whole request: middleware, queries, template), printed with the query counts.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta

SIZES = (100, 1000, 5000)
RUNS = 5
MODULES, LESSONS_PER_MODULE, ITEMS = 8, 3, 60
SKILLS = [
    "alliance.goal_negotiation",
    "empathy.underlying_feeling",
    "rupture.withdrawal.notice",
    "rupture.confrontation.repair",
    "here_and_now.immediacy",
    "safety.pacing",
]


def _steps(rng: random.Random, branching: bool) -> dict:
    grades = [3, 2, 1, 0]
    rng.shuffle(grades)
    options = [{"id": "abcd"[i], "text": f"Option {i}", "grade": g, "rationale": "r"} for i, g in enumerate(grades)]
    if branching:
        best = next(o for o in options if o["grade"] == 3)
        best["next"] = {
            "client_reply": "And then?",
            "options": [
                {"id": "abcd"[i], "text": f"Then {i}", "grade": g, "rationale": "r"} for i, g in enumerate([3, 1, 0, 2])
            ],
        }
    return {"options": options}


def build(size: int, smoke: bool = False):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from course.models import Cohort, Course, Enrollment, Lesson, LessonProgress, Module, ModuleResult
    from quizzes import grading
    from quizzes.models import Answer, Attempt, Item, Quiz
    from quizzes.review.models import ReviewCard
    from quizzes.review.services import mastery_rebuild
    from quizzes.tallies import tallies_rebuild

    User = get_user_model()
    slug = f"bench-dashboard-{size}{'-smoke' if smoke else ''}"
    existing = Cohort.objects.filter(course__slug=slug, name=f"Bench cohort {size}").first()
    if existing is not None and existing.enrollments.count() == size:
        return existing, existing.instructors.first(), False
    if existing is not None:  # left incomplete (an interrupted run): build it again
        existing.delete()
        Course.objects.filter(slug=slug).delete()
        User.objects.filter(username__startswith=f"bench-{size}-").delete()
        User.objects.filter(username=f"bench-instructor-{size}").delete()
    rng = random.Random(size)
    now = timezone.now()
    course = Course.objects.create(slug=slug, title=f"Bench course {size}")
    modules, lessons, quizzes, items = [], {}, {}, {}
    for m in range(MODULES):
        module = Module.objects.create(
            course=course, slug=f"m{m + 1}", title=f"Module {m + 1}", order=m + 1, quiz_required=True
        )
        modules.append(module)
        lessons[module.pk] = [
            Lesson.objects.create(
                module=module, slug=f"m{m + 1}-l{n}", title=f"Lesson {n}", order=n, body_markdown="Text."
            )
            for n in range(1, LESSONS_PER_MODULE + 1)
        ]
        quizzes[module.pk] = Quiz.objects.create(module=module, reflection_rubric=["Names the marker"])
    for index in range(ITEMS):
        module = modules[index % MODULES]
        skill = SKILLS[index % len(SKILLS)]
        item = Item.objects.create(
            course=course,
            quiz=quizzes[module.pk],
            slug=f"item-{index}",
            order=index,
            skill=skill,
            isomorph_group=skill,
            difficulty="beginner",
            vignette="v",
            client_statement=f"Client {index} says something.",
            steps=_steps(rng, index % 3 == 0),
        )
        items.setdefault(module.pk, []).append(item)

    instructor = User.objects.create(username=f"bench-instructor-{size}", password="!")  # noqa: S106
    cohort = Cohort.objects.create(
        course=course, name=f"Bench cohort {size}", start_date=date.today() - timedelta(days=60)
    )
    cohort.instructors.add(instructor)
    users = User.objects.bulk_create(
        [User(username=f"bench-{size}-{i}", first_name=f"Trainee {i}", password="!") for i in range(size)]  # noqa: S106
    )
    Enrollment.objects.bulk_create([Enrollment(cohort=cohort, user=u) for u in users])

    progress, results, cards = [], [], []
    attempt_specs = []
    for user in users:
        skill_level = rng.random()
        reached = rng.randint(0, MODULES)
        day = now - timedelta(days=rng.randint(0, 50))
        for position, module in enumerate(modules[: reached + 1]):
            opened = lessons[module.pk] if position < reached else lessons[module.pk][: rng.randint(0, 2)]
            for lesson in opened:
                progress.append(
                    LessonProgress(
                        user=user,
                        lesson=lesson,
                        first_opened_at=day,
                        last_opened_at=day,
                        completed_at=day if position < reached else None,
                    )
                )
            if position < reached:
                for _ in range(rng.choice([1, 1, 2])):
                    attempt_specs.append((user, module, day, skill_level))
        for skill in SKILLS[: rng.randint(0, len(SKILLS))]:
            cards.append(
                ReviewCard(
                    user=user,
                    course=course,
                    kind=ReviewCard.SKILL,
                    skill=skill,
                    due=now + timedelta(days=rng.randint(-10, 10)),
                    created_at=day,
                )
            )
    LessonProgress.objects.bulk_create(progress, batch_size=2000)
    ReviewCard.objects.bulk_create(cards, batch_size=2000)

    attempts = Attempt.objects.bulk_create(
        [
            Attempt(user=u, quiz=quizzes[m.pk], status=Attempt.COMPLETED, seed=1, item_ids=[i.pk for i in items[m.pk]],
                    position=len(items[m.pk]), started_at=d, completed_at=d)
            for u, m, d, _ in attempt_specs
        ],
        batch_size=2000,
    )  # fmt: skip
    answers, best = [], {}
    for attempt, (user, module, day, level) in zip(attempts, attempt_specs, strict=True):
        picks = []
        for item in items[module.pk]:
            step, path = item.steps, ""
            while True:
                options = sorted(step["options"], key=lambda o: -o["grade"])
                option = options[0] if rng.random() < level else rng.choice(options)
                answers.append(
                    Answer(
                        attempt=attempt,
                        item=item,
                        item_version=1,
                        step_path=path,
                        option_id=option["id"],
                        grade=option["grade"],
                        answered_at=day,
                    )
                )
                picks.append(grading.AnsweredStep(item.slug, item.skill, option["grade"]))
                if not option.get("next"):
                    break
                step, path = option["next"], grading.child_path(path, option["id"])
        result = grading.score_attempt(picks, 0.7, True)
        attempt.score, attempt.passed = result.score, result.passed
        key = (user.pk, module.pk)
        if key not in best or result.score > best[key][0]:
            best[key] = (result.score, result.passed, day)
    Answer.objects.bulk_create(answers, batch_size=5000)
    Attempt.objects.bulk_update(attempts, ["score", "passed"], batch_size=2000)
    for (user_id, module_id), (score, passed, day) in best.items():
        results.append(
            ModuleResult(user_id=user_id, module_id=module_id, best_score=score, passed_at=day if passed else None)
        )
    ModuleResult.objects.bulk_create(results, batch_size=2000)
    # Loaded in bulk, past the services: the dashboard's running totals are summed once, as
    # `manage.py attune_rebuild_tallies` and `attune_rebuild_mastery` do after an import.
    tallies_rebuild(course.pk)
    mastery_rebuild(course.pk)
    print(f"  built cohort of {size}: {len(progress)} lesson rows, {len(attempts)} attempts, {len(answers)} answers")
    return cohort, instructor, True


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _time(client, url: str, runs: int = RUNS) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(queries.captured_queries)


def run(smoke: bool = False):
    from django.test import Client
    from django.urls import reverse

    from quizzes.models import Quiz

    sizes, runs = ((3, 5), 1) if smoke else (SIZES, RUNS)
    figures = {}
    for size in sizes:
        cohort, instructor, fresh = build(size, smoke)
        client = Client()
        client.force_login(instructor)
        quiz = Quiz.objects.filter(module__course=cohort.course).order_by("module__order").first()
        dashboard = reverse("quizzes_instructor:dashboard", args=[cohort.pk])
        api = reverse("api-instructor-dashboard", args=[cohort.pk])
        urls = {
            "dashboard": dashboard,
            "dashboard at risk": dashboard + "?risk=at_risk&sort=-last_activity",
            "dashboard API": api,
            "dashboard API at risk": api + "?risk=at_risk&sort=-last_activity",
            "grid CSV": reverse("quizzes_instructor:dashboard_csv", args=[cohort.pk]),
            "item analysis (module 1)": reverse("quizzes_instructor:item_analysis", args=[cohort.pk, quiz.pk]),
        }
        if fresh and not smoke:  # statistics not yet caught up with the bulk load: the plan must hold anyway
            for label in ("dashboard", "dashboard API"):
                median, queries = _time(client, urls[label], runs)
                figures[(label + " (fresh data)", size)] = median
                name = label + " (fresh data)"
                print(f"  {size:>5} trainees  {name:<32} median {median * 1000:8.1f} ms  ({queries} queries)")
        if not smoke:
            _analyze()
        for label, url in urls.items():
            median, queries = _time(client, url, runs)
            figures[(label, size)] = median
            print(f"  {size:>5} trainees  {label:<32} median {median * 1000:8.1f} ms  ({queries} queries)")
    if smoke:
        return figures
    small, large = sizes[0], sizes[-1]
    for label in ("dashboard", "dashboard API", "dashboard (fresh data)", "dashboard API (fresh data)"):
        if (label, small) not in figures or (label, large) not in figures:
            continue
        spread = max(figures[(label, n)] for n in sizes if (label, n) in figures) / min(
            figures[(label, n)] for n in sizes if (label, n) in figures
        )
        verdict = "OK" if spread <= 1.5 else "MISSED"
        print(f"  {label} first page: slowest / fastest over {', '.join(f'{n:,}' for n in sizes)} trainees "
              f"= {spread:.2f}x (goal <= 1.5x) {verdict}")  # fmt: skip
    ratio = figures[("item analysis (module 1)", large)] / figures[("item analysis (module 1)", small)]
    print(f"  item analysis: {large:,} trainees take {ratio:.1f}x the time of {small:,}")
    return figures
