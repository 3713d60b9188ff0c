import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from course.models import Enrollment
from course.services import lesson_complete, lesson_open
from quizzes.instructor import rules
from quizzes.instructor.selectors import cohort_dashboard
from quizzes.review.models import SkillLevel
from tests.conftest import UserFactory, enroll
from tests.quizzes.instructor.conftest import GOOD, HARMFUL, bulk_cohort, play
from tests.quizzes.instructor.test_queue_and_trainee import TRAINEE_PAGE_QUERIES  # one pin for the page

# session, user, "teaches anything?", cohort, modules (+quiz), the course's skill names, the
# cohort's counts (trainees, at risk, matching the filters), the page's enrollments; for the page's
# trainees only: lesson progress, module results, attempts, practice levels (and readiness), skill
# tallies, overdue cards; the skills in use, the cohort's trainee ids and its per-skill tallies and
# levels over them; the nav's unread notifications count, and the reflections waiting for a score.
# The same at any cohort size.
DASHBOARD_QUERIES = 20
# The API: no session or user lookup with force_authenticate, and no nav to count for.
DASHBOARD_API_QUERIES = 16


@pytest.mark.parametrize("size", [10, 200])
def test_dashboard_runs_in_a_constant_number_of_queries(
    size, client, cohort, quiz, instructor, django_assert_num_queries
):
    users = bulk_cohort(cohort, quiz, size)
    Enrollment.objects.filter(cohort=cohort).update(created_at=timezone.now() - timedelta(days=30))
    for user in users[:5]:
        lesson_open(user, cohort.course.modules.get(slug="first").lessons.first())
    client.force_login(instructor)
    url = reverse("quizzes_instructor:dashboard", args=[cohort.pk])
    client.get(url)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(url)
    board = response.context["board"]
    assert (len(board.rows), board.matching, board.total_trainees) == (min(size, 100), size, size)
    assert board.at_risk_count > 0  # the filtered request below has rows to build
    # Ordering by last activity reads the course's lesson ids first (a literal list keeps the
    # per-trainee subquery on its index).
    with django_assert_num_queries(DASHBOARD_QUERIES + 1):
        assert client.get(url, {"risk": "at_risk", "sort": "-last_activity"}).status_code == 200


@pytest.mark.parametrize("size", [10, 200])
def test_dashboard_api_runs_in_a_constant_number_of_queries(size, cohort, quiz, instructor, django_assert_num_queries):
    from rest_framework.test import APIClient

    bulk_cohort(cohort, quiz, size)
    api = APIClient()
    api.force_authenticate(instructor)
    url = reverse("api-instructor-dashboard", args=[cohort.pk])
    with django_assert_num_queries(DASHBOARD_API_QUERIES):
        response = api.get(url)
    body = response.json()
    assert body["total_trainees"] == size and body["pages"] == -(-size // 100) and body["page"] == 1
    assert len(body["trainees"]) == min(size, 100)
    if size > 100:
        with django_assert_num_queries(DASHBOARD_API_QUERIES):
            last = api.get(url, {"page": body["pages"]}).json()
        names = {row["username"] for row in body["trainees"]} | {row["username"] for row in last["trainees"]}
        assert len(names) == size  # the two pages hold every trainee once


def test_grid_statuses_scores_and_risk(cohort, quiz, trainee, instructor):
    first = cohort.course.modules.get(slug="first")
    second = cohort.course.modules.get(slug="second")
    play(trainee, quiz, GOOD)
    for lesson in second.lessons.all():
        lesson_open(trainee, lesson)
        lesson_complete(trainee, lesson)
    harmful = enroll(UserFactory(username="harmful", first_name="Hal"), cohort)
    play(harmful, quiz, HARMFUL)
    play(harmful, quiz, HARMFUL)
    enroll(UserFactory(username="idle"), cohort)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        board = cohort_dashboard(cohort)
    rows = {r.user.username: r for r in board.rows}
    assert [m.slug for m in board.modules] == [first.slug, second.slug]
    good = rows["trainee"]
    # quiz passed, lessons not read: in progress, as on the trainee's own pages (course.rules)
    assert (good.cells[0].status, good.cells[0].score) == (rules.IN_PROGRESS, 1.0)
    assert good.cells[1].status == rules.COMPLETED
    assert good.risk == [] and good.skills["here_and_now.immediacy"].share == 1.0
    assert rows["harmful"].cells[0].status == rules.IN_PROGRESS and rows["harmful"].cells[0].attempts == 2
    assert rows["harmful"].risk == [
        "2 harmful picks in Immediacy: speaking to what happens between us",
        "2 harmful picks in Repairing a confrontation rupture",
    ]
    assert rows["idle"].cells[0].status == rules.NOT_STARTED
    assert rows["idle"].risk == []  # enrolled today: not idle for 7 days yet
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        board = cohort_dashboard(cohort)
    assert {r.user.username for r in board.rows if r.at_risk} == {"trainee", "harmful", "idle"}
    assert board.at_risk_count == 3


@override_settings(ATTUNE_AT_RISK_HARMFUL_PICKS=3)
def test_thresholds_come_from_settings(cohort, quiz, trainee):
    play(trainee, quiz, HARMFUL)
    play(trainee, quiz, HARMFUL)
    board = cohort_dashboard(cohort)
    assert board.thresholds.harmful_picks == 3 and board.rows[0].risk == []


def test_mastery_follows_the_review_rule(cohort, course_with_lessons, trainee):
    """Best option on 3 isomorphs across sessions 7+ days apart, no harm in the last 5: ready."""
    from quizzes.models import Item, Quiz
    from tests.quizzes.instructor.conftest import PLAIN_STEPS

    module = course_with_lessons.modules.get(slug="first")
    quiz = Quiz.objects.create(module=module)
    for index in range(3):
        Item.objects.create(
            course=course_with_lessons,
            quiz=quiz,
            slug=f"iso-{index}",
            order=index,
            skill="warmth.acceptance",
            isomorph_group="warmth.acceptance",
            difficulty="beginner",
            vignette="v",
            client_statement="c",
            steps=PLAIN_STEPS,
        )
    picks = [(f"iso-{i}", "", "a") for i in range(3)]
    start = timezone.now() - timedelta(days=10)
    with time_machine.travel(start, tick=False):
        play(trainee, quiz, picks)
    assert not cohort_dashboard(cohort).rows[0].skills["warmth.acceptance"].ready
    with time_machine.travel(start + timedelta(days=8), tick=False):
        play(trainee, quiz, picks)
    assert cohort_dashboard(cohort).rows[0].skills["warmth.acceptance"].ready
    play(trainee, quiz, [("iso-0", "", "c"), ("iso-1", "", "a"), ("iso-2", "", "a")])
    assert not cohort_dashboard(cohort).rows[0].skills["warmth.acceptance"].ready


def test_overdue_reviews_come_from_review_cards(cohort, trainee, instructor):
    from quizzes.review.models import ReviewCard

    now = timezone.now()
    # Overdue once due for more than a day (ATTUNE_OVERDUE_AFTER_HOURS): two of these four.
    for index, days in enumerate([-3, -2, -0.5, 2]):
        ReviewCard.objects.create(
            user=trainee,
            course=cohort.course,
            kind=ReviewCard.SKILL,
            skill=f"skill.{index}",
            due=now + timedelta(days=days),
            created_at=now,
        )
    with override_settings(ATTUNE_AT_RISK_OVERDUE_REVIEWS=1):
        row = cohort_dashboard(cohort).rows[0]
    assert row.overdue_reviews == 2 and row.risk == ["2 overdue reviews"]


def test_filters_and_sorting(client, cohort, quiz, trainee, instructor):
    zed = enroll(UserFactory(username="zed", first_name="Zed"), cohort)
    play(zed, quiz, HARMFUL)
    play(zed, quiz, HARMFUL)
    play(enroll(UserFactory(username="amy", first_name="Amy"), cohort), quiz, GOOD)
    client.force_login(instructor)
    url = reverse("quizzes_instructor:dashboard", args=[cohort.pk])

    def names(**params):
        return [r.user.username for r in client.get(url, params).context["board"].rows]

    assert names() == ["amy", "trainee", "zed"]
    assert names(sort="-name") == ["zed", "trainee", "amy"]
    assert names(risk="at_risk") == ["zed"]
    assert names(risk="on_track", q="AM") == ["amy"]
    assert names(module="first", status="completed") == []  # amy passed the quiz but read nothing
    assert names(module="first", status="in progress") == ["amy", "zed"]
    assert names(module="first", status="passed") == []  # the old label, now meaning completed
    assert names(module="first", status="not started") == ["trainee"]


@pytest.mark.parametrize(
    "params, summary, open_",
    [
        ({}, "Filters: all trainees, sorted by name", False),
        ({"sort": "-overdue", "page": "1"}, "Filters: all trainees, sorted by most overdue reviews", False),
        ({"sort": "-name"}, "Filters: all trainees, sorted by name in reverse", False),
        ({"risk": "at_risk"}, "Filters: at risk only, sorted by name", True),
        (
            {"q": "am", "module": "first", "status": "in progress", "sort": "risk"},
            "Filters: name contains “am”, all trainees, module 1 in progress, sorted by fewest risk reasons",
            True,
        ),
        ({"risk": "maybe"}, "Filters: some could not be used", True),
    ],
)
def test_the_filter_form_folds_behind_a_line_saying_what_it_filters(
    params, summary, open_, client, cohort, quiz, instructor
):
    client.force_login(instructor)
    html = client.get(reverse("quizzes_instructor:dashboard", args=[cohort.pk]), params).content.decode()
    fold = html[html.index('<details class="card filter-fold"') :]
    fold = fold[: fold.index("</details>")]
    assert f'<summary data-testid="filter-summary">{summary}</summary>' in fold
    assert (" open>" in fold.split("\n", 1)[0]) is open_
    assert 'id="f-risk"' in fold  # the form itself sits inside the fold


@pytest.mark.parametrize(
    "params, field",
    [
        ({"risk": "maybe"}, "risk"),
        ({"sort": "age"}, "sort"),
        ({"module": "nope"}, "module"),
        ({"q": "x" * 101}, "q"),
        ({"page": "²"}, "page"),
        ({"page": "9" * 5000}, "page"),
        ({"page": "0"}, "page"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(params, field, client, cohort, instructor):
    from rest_framework.test import APIClient

    client.force_login(instructor)
    response = client.get(reverse("quizzes_instructor:dashboard", args=[cohort.pk]), params)
    assert response.status_code == 400 and field in response.context["errors"]
    api = APIClient()
    api.force_authenticate(instructor)
    response = api.get(reverse("api-instructor-dashboard", args=[cohort.pk]), params)
    assert response.status_code == 400 and field in response.json()


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_grid_csv_columns_and_formula_escaping(client, cohort, quiz, instructor):
    evil = enroll(UserFactory(username="evil", first_name='=HYPERLINK("http://x")', last_name=""), cohort)
    play(evil, quiz, GOOD)
    client.force_login(instructor)
    response = client.get(reverse("quizzes_instructor:dashboard_csv", args=[cohort.pk]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    # Names and percentages, as the screens show them; the trainee's ids in columns of their own.
    assert header == [
        "user_id", "username", "name", "last_activity", "overdue_reviews", "at_risk", "risk_reasons",
        "modules_done", "M1 First steps: status", "M1 First steps: best score (%)",
        "M2 Second steps: status", "M2 Second steps: best score (%)",
        "Repairing a confrontation rupture: score (%)", "Repairing a confrontation rupture: ready to practise",
        "Repairing a confrontation rupture: level",
        "Immediacy: speaking to what happens between us: score (%)",
        "Immediacy: speaking to what happens between us: ready to practise",
        "Immediacy: speaking to what happens between us: level",
    ]  # fmt: skip
    (row,) = rows
    assert row[:2] == [str(evil.pk), "evil"]
    assert row[2] == '\'=HYPERLINK("http://x")'
    assert row[8:10] == ["in progress", "100"]  # passed the quiz, read no lesson
    assert row[12] == "100" and row[15] == "100"
    levels = SkillLevel.objects.get(user=evil, skill="here_and_now.immediacy").level
    assert (
        row[-1] == levels and row[-4] == SkillLevel.objects.get(user=evil, skill="rupture.confrontation.repair").level
    )


def test_grid_csv_follows_the_filters(client, cohort, quiz, trainee, instructor):
    zed = enroll(UserFactory(username="zed"), cohort)
    play(zed, quiz, HARMFUL)
    play(zed, quiz, HARMFUL)
    client.force_login(instructor)
    response = client.get(reverse("quizzes_instructor:dashboard_csv", args=[cohort.pk]), {"risk": "at_risk"})
    assert [r[1] for r in read_csv(response)[1:]] == ["zed"]


def test_charts_page_renders_accessible_svg(client, cohort, quiz, trainee, instructor):
    play(trainee, quiz, GOOD)
    client.force_login(instructor)
    html = client.get(reverse("quizzes_instructor:charts", args=[cohort.pk])).content.decode()
    assert '<title id="skills-title">' in html and '<desc id="completion-desc">' in html
    assert "trainee, Immediacy: speaking to what happens between us: 100%" in html
    assert "Module quizzes passed" in html


def test_dashboard_shows_each_trainees_practice_levels_and_the_cohorts_per_skill(client, cohort, quiz, instructor):

    users = bulk_cohort(cohort, quiz, 4)  # immediacy levels: beginner, intermediate, advanced, beginner
    course = cohort.course
    SkillLevel.objects.create(
        user=users[0], course=course, skill="rupture.confrontation.repair", level="advanced", updated_at=timezone.now()
    )
    board = cohort_dashboard(cohort)
    rows = {r.user.username: r for r in board.rows}
    assert rows["t0"].level_counts == {"beginner": 1, "intermediate": 0, "advanced": 1}
    assert rows["t1"].levels == {"here_and_now.immediacy": "intermediate"}
    summary = {s.skill: s.levels for s in board.skill_summary}
    assert summary["here_and_now.immediacy"] == {"beginner": 2, "intermediate": 1, "advanced": 1}
    assert summary["rupture.confrontation.repair"] == {"beginner": 0, "intermediate": 0, "advanced": 1}

    client.force_login(instructor)
    html = client.get(reverse("quizzes_instructor:dashboard", args=[cohort.pk])).content.decode()
    assert '<span class="practice-level">1 beginner</span> <span class="practice-level">1 advanced</span>' in html
    assert "2 beginner · 1 intermediate · 1 advanced" in html

    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(instructor)
    body = api.get(reverse("api-instructor-dashboard", args=[cohort.pk])).json()
    by_name = {row["username"]: row for row in body["trainees"]}
    assert by_name["t0"]["levels"] == {"here_and_now.immediacy": "beginner", "rupture.confrontation.repair": "advanced"}
    assert {s["skill"]: s["levels"] for s in body["skill_summary"]}["here_and_now.immediacy"]["beginner"] == 2


@pytest.mark.parametrize("skills", [1, 2])
def test_trainee_page_shows_levels_in_skill_order_in_a_constant_number_of_queries(
    skills, client, cohort, quiz, trainee, instructor, django_assert_num_queries
):

    play(trainee, quiz, GOOD)
    play(trainee, quiz, HARMFUL)
    SkillLevel.objects.filter(user=trainee).delete()
    for skill, level in [("here_and_now.immediacy", "advanced"), ("rupture.confrontation.repair", "intermediate")][
        :skills
    ]:
        SkillLevel.objects.create(
            user=trainee, course=cohort.course, skill=skill, level=level, updated_at=timezone.now()
        )
    client.force_login(instructor)
    url = reverse("quizzes_instructor:trainee", args=[cohort.pk, trainee.pk])
    client.get(url)
    with django_assert_num_queries(TRAINEE_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    # The course's skill order, not the names' (Immediacy comes after the repairs in the vocabulary).
    expected = [("Repairing a confrontation rupture", "intermediate")] if skills == 2 else []
    expected.append(("Immediacy: speaking to what happens between us", "advanced"))
    assert response.context["detail"].levels == expected


def test_the_cohorts_skill_summary_has_no_join_to_misplan_on_fresh_data(cohort, quiz):
    """The two cohort-wide aggregates read the course's running totals against the cohort's ids
    (a list): joined to the enrollments instead, a course loaded since the last ANALYZE looked
    like one row on each side and PostgreSQL's nested loop compared every row with every trainee
    (200 ms a query at 1,000 trainees). Their plans must hold no join, whatever the statistics."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL plan: needs DATABASE_URL")
    bulk_cohort(cohort, quiz, 30)
    with CaptureQueriesContext(connection) as captured:
        board = cohort_dashboard(cohort)
    assert sum(s.answered for s in board.skill_summary) == 30  # the tallies were read, over the whole cohort
    heads = ('SELECT "attune_quizzes_skilltally"."skill"', 'SELECT "attune_review_skilllevel"."skill"')
    summary = [q["sql"] for q in captured.captured_queries if q["sql"].startswith(heads) and "GROUP BY" in q["sql"]]
    assert len(summary) == 2, [q["sql"][:120] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        for sql in summary:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Join" not in plan and "Nested Loop" not in plan, plan


def test_id_in_selects_what_in_selects_and_nothing_for_no_ids(cohort, quiz):
    from quizzes.instructor.id_list import IdIn

    users = bulk_cohort(cohort, quiz, 5)
    levels = SkillLevel.objects.filter(course=cohort.course)
    chosen = [users[0].pk, users[3].pk, users[3].pk]  # a repeat is one id
    assert sorted(levels.filter(IdIn("user_id", chosen)).values_list("user_id", flat=True)) == sorted(
        levels.filter(user_id__in=chosen).values_list("user_id", flat=True)
    )
    assert levels.filter(IdIn("user_id", chosen)).count() == 2
    assert not levels.filter(IdIn("user_id", [])).exists()
    assert levels.exclude(IdIn("user_id", chosen)).count() == 3
    with pytest.raises(ValueError):
        IdIn("user_id", ["1); DROP TABLE x; --"])  # nothing but integers reaches the SQL
