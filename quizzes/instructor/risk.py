"""The at-risk rule as the database reads it: the queryset form of rules.at_risk_reasons.

rules.at_risk_reasons says why one trainee is at risk, for the rows a page shows; the filters here
say the same of a whole cohort in SQL, so the count, the filter and the order need no row built in
Python. tests/quizzes/instructor/test_risk.py holds the two forms to the same answer.

Each part reads only what can make a trainee at risk: activity after the idle cutoff (indexed by
time), cards overdue in the course, tallies with enough harmful picks.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from course.models import LessonProgress

from ..models import Attempt, SkillTally
from ..review.models import ReviewCard
from .conf import app_settings
from .rules import RiskThresholds


def idle_cutoff(now: datetime, limits: RiskThresholds) -> datetime:
    return now - timedelta(days=limits.inactive_days)


def overdue_before(now: datetime) -> datetime:
    """Cards due before this are overdue: a new facts deck is due the moment it is dealt, so the
    grace (ATTUNE_OVERDUE_AFTER_HOURS) keeps a first quiz from flagging every trainee."""
    return now - timedelta(hours=app_settings.OVERDUE_AFTER_HOURS)


def overdue_per_trainee(course_id: int, now: datetime):
    """The course's overdue cards counted per trainee (`user_id`, `n`); filter it on user_id or n."""
    overdue = ReviewCard.objects.filter(course_id=course_id, due__lt=overdue_before(now)).order_by()
    return overdue.values("user_id").annotate(n=Count("id"))


def active_since(course_id: int, since: datetime) -> Q:
    """Enrollments whose trainee did anything in the course after `since`: opened one of its
    lessons, started one of its quizzes or answered one of its items."""
    lessons = LessonProgress.objects.filter(
        lesson__module__course_id=course_id, lesson__is_active=True, last_opened_at__gt=since
    )
    attempts = Attempt.objects.filter(quiz__module__course_id=course_id, started_at__gt=since)
    answers = SkillTally.objects.filter(course_id=course_id, last_answered_at__gt=since)
    return (
        Q(user_id__in=lessons.order_by().values("user_id"))
        | Q(user_id__in=attempts.order_by().values("user_id"))
        | Q(user_id__in=answers.order_by().values("user_id"))
    )


def idle(course_id: int, now: datetime, limits: RiskThresholds) -> Q:
    """Nothing done for inactive_days, counted from the later of the last activity and enrolment."""
    cutoff = idle_cutoff(now, limits)
    return Q(created_at__lte=cutoff) & ~active_since(course_id, cutoff)


def too_many_overdue(course_id: int, now: datetime, limits: RiskThresholds) -> Q:
    over = overdue_per_trainee(course_id, now).filter(n__gt=limits.overdue_reviews).values("user_id")
    return Q(user_id__in=over)


def harmful_tallies(course_id: int, limits: RiskThresholds):
    return SkillTally.objects.filter(course_id=course_id, harmful__gte=limits.harmful_picks).order_by()


def at_risk(course_id: int, now: datetime, limits: RiskThresholds) -> Q:
    """Enrollments with at least one reason in rules.at_risk_reasons."""
    harmful = Q(user_id__in=harmful_tallies(course_id, limits).values("user_id"))
    return idle(course_id, now, limits) | too_many_overdue(course_id, now, limits) | harmful


def reason_count(course_id: int, now: datetime, limits: RiskThresholds):
    """How many reasons rules.at_risk_reasons gives, per enrollment (the "risk" order)."""
    skills = Subquery(
        harmful_tallies(course_id, limits)
        .filter(user_id=OuterRef("user_id"))
        .values("user_id")
        .annotate(n=Count("id"))
        .values("n"),
        output_field=IntegerField(),
    )
    one = Value(1, output_field=IntegerField())
    none = Value(0, output_field=IntegerField())
    return (
        Case(When(idle(course_id, now, limits), then=one), default=none)
        + Case(When(too_many_overdue(course_id, now, limits), then=one), default=none)
        + Coalesce(skills, none)
    )
