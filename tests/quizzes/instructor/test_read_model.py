"""The dashboard's read model and its database-side rules.

Answers keep SkillTally equal to a rebuild from the answers; the at-risk rule in SQL
(quizzes.instructor.risk) flags exactly the trainees rules.at_risk_reasons gives a reason for; and
the database's order and pages are the order the rows' own figures give."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from course.models import Enrollment, LessonProgress
from quizzes.instructor import risk, rules
from quizzes.instructor.selectors import cohort_dashboard, thresholds
from quizzes.models import SkillTally
from quizzes.review.models import ReviewCard
from quizzes.tallies import tallies_rebuild
from tests.conftest import UserFactory, enroll
from tests.quizzes.instructor.conftest import GOOD, HARMFUL, bulk_cohort, play

REPAIR, IMMEDIACY = "rupture.confrontation.repair", "here_and_now.immediacy"


def _tallies(course_id):
    return sorted(
        SkillTally.objects.filter(course_id=course_id).values_list(
            "user__username", "skill", "earned", "steps", "harmful", "last_answered_at"
        )
    )


def test_each_answer_adds_to_its_skills_tally_and_a_rebuild_gives_the_same(cohort, quiz, trainee):
    other = enroll(UserFactory(username="other"), cohort)
    play(trainee, quiz, GOOD)  # tomas: best, then the branch's best; mira: best
    attempt = play(trainee, quiz, HARMFUL)
    play(other, quiz, HARMFUL)
    from quizzes import services

    services.attempt_answer(attempt, "mira", "", "c", 3)  # the same answer again: stored once, counted once
    kept = _tallies(cohort.course_id)
    assert [row[:5] for row in kept] == [
        ("other", IMMEDIACY, 0, 1, 1),
        ("other", REPAIR, 0, 1, 1),
        ("trainee", IMMEDIACY, 3, 2, 1),
        ("trainee", REPAIR, 6, 3, 1),
    ]
    assert tallies_rebuild(cohort.course_id) == 4
    assert _tallies(cohort.course_id) == kept


def test_the_rebuild_command_names_a_missing_course(cohort, quiz, trainee):
    from django.core.management.base import CommandError

    play(trainee, quiz, GOOD)
    SkillTally.objects.all().delete()
    call_command("attune_rebuild_tallies", "--course", cohort.course.slug)
    assert len(_tallies(cohort.course_id)) == 2
    with pytest.raises(CommandError, match="No course with the slug 'nope'"):
        call_command("attune_rebuild_tallies", "--course", "nope")


def _age(user, cohort, days):
    Enrollment.objects.filter(user=user, cohort=cohort).update(created_at=timezone.now() - timedelta(days=days))


def _cards(user, cohort, count, due_in):
    now = timezone.now()
    ReviewCard.objects.bulk_create(
        ReviewCard(
            user=user, course=cohort.course, kind=ReviewCard.SKILL, skill=f"s{n}", due=now + due_in, created_at=now
        )
        for n in range(count)
    )


def _risk_population(cohort, quiz):
    """One trainee per side of each boundary of the rule (defaults: 7 idle days, more than 10
    overdue cards, 2 harmful picks in one skill); returns the usernames that must be at risk."""
    lesson = cohort.course.modules.get(slug="first").lessons.first()
    from course.services import lesson_open

    def trainee(name, enrolled_days_ago=30):
        user = enroll(UserFactory(username=name, first_name=name.title()), cohort)
        _age(user, cohort, enrolled_days_ago)
        return user

    trainee("never-started")  # enrolled 30 days ago, nothing done: idle
    trainee("just-joined", enrolled_days_ago=2)  # nothing done, but only 2 days in
    read_long_ago = trainee("read-long-ago")
    lesson_open(read_long_ago, lesson)
    LessonProgress.objects.filter(user=read_long_ago).update(last_opened_at=timezone.now() - timedelta(days=9))
    read_lately = trainee("read-lately")
    lesson_open(read_lately, lesson)
    # Worked in the course long ago, then joined this cohort 3 days ago: idle counts from joining.
    rejoined = trainee("rejoined", enrolled_days_ago=3)
    lesson_open(rejoined, lesson)
    LessonProgress.objects.filter(user=rejoined).update(last_opened_at=timezone.now() - timedelta(days=20))
    overdue = trainee("eleven-overdue")
    lesson_open(overdue, lesson)
    _cards(overdue, cohort, 11, -timedelta(days=2))
    ten = trainee("ten-overdue")
    lesson_open(ten, lesson)
    _cards(ten, cohort, 10, -timedelta(days=2))
    fresh = trainee("due-within-grace")
    lesson_open(fresh, lesson)
    _cards(fresh, cohort, 12, -timedelta(hours=2))
    harmful = trainee("harmful-twice")
    play(harmful, quiz, HARMFUL)
    play(harmful, quiz, HARMFUL)  # 2 harmful picks in each skill
    once = trainee("harmful-once")
    play(once, quiz, HARMFUL)  # 1 in each of two skills: not 2 in one
    return {"never-started", "read-long-ago", "eleven-overdue", "harmful-twice"}


def test_the_sql_rule_flags_exactly_the_trainees_the_reasons_name(cohort, quiz):
    expected = _risk_population(cohort, quiz)
    now = timezone.now()
    board = cohort_dashboard(cohort, now=now)
    assert {r.user.username for r in board.rows if r.at_risk} == expected
    assert board.at_risk_count == len(expected)
    flagged = Enrollment.objects.filter(cohort=cohort).filter(risk.at_risk(cohort.course_id, now, thresholds()))
    assert set(flagged.values_list("user__username", flat=True)) == expected
    counts = dict(
        Enrollment.objects.filter(cohort=cohort)
        .annotate(n=risk.reason_count(cohort.course_id, now, thresholds()))
        .values_list("user__username", "n")
    )
    assert counts == {r.user.username: len(r.risk) for r in board.rows}
    assert counts["harmful-twice"] == 2  # one reason per skill
    at_risk = cohort_dashboard(cohort, rules.DashboardQuery(risk="at_risk"), now=now)
    on_track = cohort_dashboard(cohort, rules.DashboardQuery(risk="on_track"), now=now)
    assert {r.user.username for r in at_risk.rows} == expected and at_risk.matching == len(expected)
    assert {r.user.username for r in on_track.rows} == {r.user.username for r in board.rows} - expected


SORT_KEYS = {
    "name": lambda r: (r.name.casefold(), r.user.pk),
    "last_activity": lambda r: (r.last_activity.timestamp() if r.last_activity else 0.0, r.user.pk),
    "progress": lambda r: (r.progress, r.user.pk),
    "risk": lambda r: (len(r.risk), r.user.pk),
    "overdue": lambda r: (r.overdue_reviews, r.user.pk),
}


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", rules.SORTS)
def test_the_database_orders_and_pages_as_the_rows_figures_say(sort, descending, cohort, quiz):
    users = bulk_cohort(cohort, quiz, 130)
    for n, user in enumerate(users[:40]):  # varied names, activity and overdue cards
        type(user).objects.filter(pk=user.pk).update(first_name=f"Ann {n % 7}", last_name="Zimmer" if n % 2 else "")
        _cards(user, cohort, n % 13, -timedelta(days=2))
    now = timezone.now()
    query = rules.DashboardQuery(sort=sort, descending=descending)
    first = cohort_dashboard(cohort, query, now=now)
    second = cohort_dashboard(cohort, rules.DashboardQuery(sort=sort, descending=descending, page=2), now=now)
    every = cohort_dashboard(cohort, query, now=now, paged=False)
    assert (first.page.number, first.page.count, len(first.rows), len(second.rows)) == (1, 2, 100, 30)
    assert [r.user.pk for r in first.rows + second.rows] == [r.user.pk for r in every.rows]
    expected = sorted(every.rows, key=SORT_KEYS[sort], reverse=descending)
    assert [r.user.pk for r in every.rows] == [r.user.pk for r in expected]
    assert first.total_trainees == first.matching == 130


def test_the_name_filter_reads_the_full_name_and_the_username(cohort, quiz, trainee):
    enroll(UserFactory(username="zed", first_name="Zed", last_name="Okafor"), cohort)
    enroll(UserFactory(username="okay"), cohort)
    found = cohort_dashboard(cohort, rules.DashboardQuery(q="d oka"))
    assert [r.user.username for r in found.rows] == ["zed"] and found.matching == 1
    found = cohort_dashboard(cohort, rules.DashboardQuery(q="OKA"))
    assert sorted(r.user.username for r in found.rows) == ["okay", "zed"]
