"""Reads for instructors, scoped to the cohorts they teach, in a fixed number of queries per page.

Nothing here is cached: membership is read on every request, so removing an instructor from a
cohort takes effect on their next request. Per-trainee figures are aggregated by the database
(GROUP BY trainee), never computed by a query per trainee.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Lower, NullIf, Trim, TruncDate
from django.http import Http404
from django.utils import timezone

from course.models import Cohort, Enrollment, Lesson, LessonProgress, Module, ModuleResult
from course.selectors import sees_every_cohort

from .. import grading
from ..models import Answer, Attempt, Dimension, FreeReply, Item, Quiz, Reflection, Skill, SkillTally
from ..review.levels import LEVELS
from ..review.models import ReviewCard, ReviewLog, SkillLevel
from ..selectors import reflections_readable_by
from . import labels, risk, rules, stats
from .conf import app_settings
from .id_list import IdIn

# ---------------------------------------------------------------- access


def cohorts_taught_by(user) -> QuerySet[Cohort]:
    """The cohorts an instructor teaches (with VIEW_ALL_COHORTS: every cohort). Read fresh on every call."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    cohorts = Cohort.objects.select_related("course").order_by("-start_date", "name")
    return cohorts if sees_every_cohort(user) else cohorts.filter(instructors=user)


def is_instructor(user) -> bool:
    """Whether the instructor pages are for this user at all (anyone else gets 403)."""
    return user.is_authenticated and (sees_every_cohort(user) or Cohort.objects.filter(instructors=user).exists())


def cohort_for(user, cohort_id: int) -> Cohort:
    """A cohort the user teaches, or 404 (whether it does not exist or is someone else's)."""
    cohort = cohorts_taught_by(user).filter(pk=cohort_id).first()
    if cohort is None:
        raise Http404("No such cohort among those you teach.")
    return cohort


def trainee_of(cohort: Cohort, user_id: int):
    enrollment = Enrollment.objects.select_related("user").filter(cohort=cohort, user_id=user_id).first()
    if enrollment is None:
        raise Http404("No such trainee in this cohort.")
    return enrollment.user


def reflection_for(viewer, cohort: Cohort, reflection_id: int) -> Reflection:
    """A shared reflection of a trainee of this cohort that the privacy rule lets the viewer read."""
    reflection = (
        reflections_readable_by(viewer)
        .filter(
            pk=reflection_id,
            shared=True,
            author__enrollments__cohort=cohort,
            attempt__quiz__module__course_id=cohort.course_id,
        )
        .exclude(author=viewer)
        .first()
    )
    if reflection is None:
        raise Http404("No such reflection shared with you in this cohort.")
    return reflection


def _shared_in(viewer, cohorts) -> QuerySet[Reflection]:
    """Shared reflections the viewer may read, written in the course of the author's cohort among these.
    Both enrollment conditions sit in one filter() so they describe the same enrollment row."""
    return (
        reflections_readable_by(viewer)
        .filter(shared=True)
        .filter(
            author__enrollments__cohort__in=cohorts,
            author__enrollments__cohort__course_id=F("attempt__quiz__module__course_id"),
        )
        .exclude(author=viewer)
    )


def unscored_reflection_counts(viewer, cohorts) -> dict[int, int]:
    """Shared reflections waiting for a score, per cohort id, in one grouped query."""
    rows = (
        _shared_in(viewer, cohorts)
        .filter(scored_at__isnull=True)
        .order_by()
        .values("author__enrollments__cohort")
        .annotate(n=Count("id"))
        .values_list("author__enrollments__cohort", "n")
    )
    return dict(rows)


def reflection_queue(viewer, cohort: Cohort) -> list[Reflection]:
    """The cohort's shared reflections: unscored first, and in each group the oldest first."""
    return list(
        _shared_in(viewer, [cohort])
        .annotate(waiting=Case(When(scored_at__isnull=True, then=0), default=1))
        .order_by("waiting", "created_at", "pk")
    )


def next_unscored(viewer, cohort: Cohort, after: Reflection | None = None) -> Reflection | None:
    """The oldest unscored shared reflection of the cohort, other than `after`."""
    waiting = _shared_in(viewer, [cohort]).filter(scored_at__isnull=True)
    if after is not None:
        waiting = waiting.exclude(pk=after.pk)
    return waiting.order_by("created_at", "pk").first()


def _trainee_ids(cohort: Cohort, user_id: int | None = None) -> QuerySet:
    enrollments = Enrollment.objects.filter(cohort=cohort)
    if user_id is not None:  # one trainee's page: the cohort's figures for one row
        enrollments = enrollments.filter(user_id=user_id)
    return enrollments.values("user_id")


def display_name(user) -> str:
    full_name = getattr(user, "get_full_name", None)  # AbstractBaseUser has none
    return (full_name() if callable(full_name) else "") or user.get_username()


# ---------------------------------------------------------------- spaced review (issue 5, read only)


def review_history_of(user, cohort: Cohort, limit: int = 100) -> list[ReviewLog]:
    """A trainee's latest spaced reviews in the cohort's course (quiz-sourced logs are the attempts above)."""
    return list(
        ReviewLog.objects.filter(user=user, card__course_id=cohort.course_id, source=ReviewLog.REVIEW)
        .select_related("card", "card__fact", "item")
        .order_by("-reviewed_at", "-pk")[:limit]
    )


# ---------------------------------------------------------------- dashboard


@dataclass
class ModuleCell:
    status: str
    passed: bool
    score: float | None
    lessons_done: int
    lessons_total: int
    attempts: int


@dataclass
class SkillCell:
    earned: int = 0
    possible: int = 0
    harmful: int = 0
    ready: bool = False

    @property
    def share(self) -> float | None:
        return self.earned / self.possible if self.possible else None


@dataclass
class TraineeRow:
    user: object
    name: str
    enrolled_at: datetime
    cells: list[ModuleCell]
    skills: dict[str, SkillCell]
    last_activity: datetime | None
    overdue_reviews: int
    risk: list[str]
    levels: dict[str, str] = field(default_factory=dict)  # skill key -> practice level, skills practised only

    @property
    def at_risk(self) -> bool:
        return bool(self.risk)

    @property
    def modules_done(self) -> int:
        return sum(1 for c in self.cells if c.status == rules.COMPLETED)

    @property
    def progress(self) -> float:
        return self.modules_done / len(self.cells) if self.cells else 0.0

    @property
    def ready_skills(self) -> int:
        return sum(1 for s in self.skills.values() if s.ready)

    @property
    def level_counts(self) -> dict[str, int]:
        """How many of the trainee's skills sit at each practice level, beginner first."""
        return level_counts(self.levels.values())


@dataclass
class SkillSummary:
    skill: str
    label: str
    mean_share: float | None
    ready: int
    answered: int
    levels: dict[str, int] = field(default_factory=dict)  # trainees at each practice level, beginner first


def level_counts(levels) -> dict[str, int]:
    counted = Counter(levels)
    return {level: counted.get(level, 0) for level in LEVELS}


@dataclass
class Dashboard:
    cohort: Cohort
    modules: list[Module]
    skills: list[str]
    rows: list[TraineeRow]  # the page's rows (every matching row when not paged)
    total_trainees: int
    at_risk_count: int
    thresholds: rules.RiskThresholds
    query: rules.DashboardQuery
    skill_summary: list[SkillSummary] = field(default_factory=list)
    skill_names: dict[str, str] = field(default_factory=dict)
    matching: int = 0  # trainees the filters let through, over every page
    page: rules.Page | None = None

    def skill_label(self, skill: str) -> str:
        return self.skill_names.get(skill, skill)


def thresholds() -> rules.RiskThresholds:
    return rules.RiskThresholds(
        inactive_days=app_settings.AT_RISK_INACTIVE_DAYS,
        overdue_reviews=app_settings.AT_RISK_OVERDUE_REVIEWS,
        harmful_picks=app_settings.AT_RISK_HARMFUL_PICKS,
    )


def course_modules(cohort: Cohort) -> list[Module]:
    return list(
        Module.objects.filter(course_id=cohort.course_id, is_active=True)
        .select_related("quiz")
        .annotate(lessons_total=Count("lessons", filter=Q(lessons__is_active=True)))
        .order_by("order")
    )


def _display_name_expression():
    """display_name() in SQL: the full name ("first last", trimmed) or else the username."""
    User = get_user_model()
    username = F(f"user__{User.USERNAME_FIELD}")
    fields = {f.name for f in User._meta.get_fields()}
    if not {"first_name", "last_name"} <= fields:
        return username
    full = Trim(Concat("user__first_name", Value(" "), "user__last_name", output_field=CharField()))
    return Coalesce(NullIf(full, Value("")), username, output_field=CharField())


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _latest(queryset, field_name: str):
    """The newest `field_name` of a per-trainee queryset, as a correlated subquery (the epoch when none)."""
    newest = queryset.filter(user_id=OuterRef("user_id")).order_by().values("user_id").annotate(m=Max(field_name))
    return Coalesce(Subquery(newest.values("m")), Value(_EPOCH), output_field=DateTimeField())


def _ordered(enrollments: QuerySet, course_id: int, query: rules.DashboardQuery, now: datetime, limits):
    """The cohort's enrollments in the dashboard's order, by the database (ties by the trainee's id)."""
    sign = "-" if query.descending else ""
    if query.sort == "name":
        enrollments = enrollments.annotate(sort_key=Lower(_display_name_expression()))
    elif query.sort == "last_activity":
        # The course's lessons as a literal list: joined inside the per-trainee subquery, PostgreSQL
        # scans the lesson table once per trainee (250 ms at 5,000).
        lesson_ids = list(
            Lesson.objects.filter(module__course_id=course_id, is_active=True).values_list("pk", flat=True)
        )
        lessons = LessonProgress.objects.filter(lesson_id__in=lesson_ids)
        attempts = Attempt.objects.filter(quiz__module__course_id=course_id)
        answers = SkillTally.objects.filter(course_id=course_id)
        enrollments = enrollments.annotate(
            sort_key=Greatest(
                _latest(lessons, "last_opened_at"),
                _latest(attempts, "started_at"),
                _latest(answers, "last_answered_at"),
            )
        )
    elif query.sort == "risk":
        enrollments = enrollments.annotate(sort_key=risk.reason_count(course_id, now, limits))
    elif query.sort == "overdue":
        overdue = risk.overdue_per_trainee(course_id, now).filter(user_id=OuterRef("user_id")).values("n")
        enrollments = enrollments.annotate(sort_key=Coalesce(Subquery(overdue), Value(0)))
    else:  # progress: no column holds it, so it is worked out from the module cells (below)
        return enrollments.order_by(f"{sign}user_id")
    return enrollments.order_by(f"{sign}sort_key", f"{sign}user_id")


def _filters(course_id: int, query: rules.DashboardQuery, now: datetime, limits) -> Q:
    """The query's name and risk filters, as one condition on the cohort's enrollments."""
    condition = Q()
    if query.q:
        condition &= Q(**{"user__" + get_user_model().USERNAME_FIELD + "__icontains": query.q}) | Q(
            display__icontains=query.q
        )
    if query.risk == "at_risk":
        condition &= risk.at_risk(course_id, now, limits)
    elif query.risk == "on_track":
        condition &= ~risk.at_risk(course_id, now, limits)
    return condition


def cohort_dashboard(
    cohort: Cohort,
    query: rules.DashboardQuery | None = None,
    now: datetime | None = None,
    modules=None,
    names: dict[str, str] | None = None,
    paged: bool = True,
) -> Dashboard:
    """A page of the cohort's trainees by modules, skills, levels, activity and risk.

    The database counts, filters, orders and pages the cohort (quizzes.instructor.risk is the
    at-risk rule in SQL; SkillTally and SkillLevel hold each trainee's running totals), so a page
    reads about as much at 5,000 trainees as at 100: the rows are built for the page's trainees
    only. `paged=False` builds every matching row (the CSV, the charts). Sorting by progress, or filtering by a module's
    status, works the statuses out for the whole cohort first: no column holds them."""
    now = now or timezone.now()
    query = query or rules.DashboardQuery()
    modules = modules if modules is not None else course_modules(cohort)
    course_id = cohort.course_id
    limits = thresholds()
    names = names if names is not None else _skill_names(course_id)

    everyone = Enrollment.objects.filter(cohort=cohort)
    named = everyone.annotate(display=_display_name_expression()) if query.q else everyone
    filters = _filters(course_id, query, now, limits)
    enrollments = named.filter(filters)
    by_status = query.module and query.status
    if by_status or query.sort == "progress":
        enrollments = _ordered_by_cells(enrollments, cohort, modules, query, now, limits)
    else:
        enrollments = _ordered(enrollments, course_id, query, now, limits)
    counts = named.aggregate(
        total=Count("id"),
        at_risk=Count("id", filter=risk.at_risk(course_id, now, limits)),
        matching=Count("id", filter=filters),
    )
    matching = len(enrollments) if isinstance(enrollments, list) else counts["matching"]
    page = None
    if paged:
        number, count, window = rules.page_window(matching, query.page)
        enrollments = enrollments[window]
    shown = enrollments if isinstance(enrollments, list) else list(enrollments.select_related("user"))
    rows = _rows(cohort, shown, modules, now, names, limits)
    if paged:
        page = rules.Page(rows, number, count)
    skills = _skills_in_course(course_id, names)
    return Dashboard(
        cohort=cohort,
        modules=modules,
        skills=skills,
        rows=rows,
        total_trainees=counts["total"],
        at_risk_count=counts["at_risk"],
        thresholds=limits,
        query=query,
        skill_summary=_skill_summary(cohort, everyone, skills, names),
        skill_names=names,
        matching=matching,
        page=page,
    )


def _ordered_by_cells(enrollments: QuerySet, cohort: Cohort, modules, query: rules.DashboardQuery, now, limits) -> list:
    """The enrollments filtered by a module's status and/or ordered by progress, from every
    matching trainee's module statuses (three grouped queries; no answer is read)."""
    by_progress = query.sort == "progress"
    ordered = enrollments if by_progress else _ordered(enrollments, cohort.course_id, query, now, limits)
    chosen = list(ordered.select_related("user"))
    cells = _module_cells(cohort, modules, [e.user_id for e in chosen])
    if query.module and query.status:
        index = next(i for i, m in enumerate(modules) if m.slug == query.module)
        chosen = [e for e in chosen if cells[e.user_id][0][index].status == query.status]
    if by_progress:
        done = {u: sum(1 for c in found[0] if c.status == rules.COMPLETED) for u, found in cells.items()}
        share = {u: n / len(modules) if modules else 0.0 for u, n in done.items()}
        chosen.sort(key=lambda e: (share[e.user_id], e.user_id), reverse=query.descending)
    return chosen


def _module_cells(cohort: Cohort, modules, user_ids: list[int]) -> dict[int, tuple[list[ModuleCell], list]]:
    """Each trainee's module cells (course.rules.module_status, as on their own pages) and the
    times of their lesson and attempt activity, in three grouped queries."""
    course_id = cohort.course_id
    # The ids as a literal list: a subquery lets PostgreSQL, before statistics catch up with a
    # bulk load, pick a nested loop over every lesson row or attempt of the course.
    ids = user_ids
    lessons = {
        (row["user_id"], row["lesson__module_id"]): row
        for row in LessonProgress.objects.filter(
            user__in=ids, lesson__module__course_id=course_id, lesson__is_active=True
        )
        .values("user_id", "lesson__module_id")
        .annotate(
            opened=Count("id"),
            completed=Count("id", filter=Q(completed_at__isnull=False)),
            last=Max("last_opened_at"),
        )
        .order_by()
    }
    results = {
        (row["user_id"], row["module_id"]): row
        for row in ModuleResult.objects.filter(user__in=ids, module__course_id=course_id).values(
            "user_id", "module_id", "best_score", "passed_at"
        )
    }
    attempts = {
        (row["user_id"], row["quiz__module_id"]): row
        for row in Attempt.objects.filter(user__in=ids, quiz__module__course_id=course_id)
        .values("user_id", "quiz__module_id")
        .annotate(n=Count("id"), last=Max("started_at"))
        .order_by()
    }
    cells: dict[int, tuple[list[ModuleCell], list]] = {}
    for user_pk in user_ids:
        row_cells, activity = [], []
        for module in modules:
            lesson_row = lessons.get((user_pk, module.pk), {})
            result = results.get((user_pk, module.pk))
            attempt_row = attempts.get((user_pk, module.pk), {})
            activity += [lesson_row.get("last"), attempt_row.get("last")]
            passed = bool(result and result["passed_at"])
            row_cells.append(
                ModuleCell(
                    # course.rules.module_status, as on the trainee's own pages (no prerequisites here).
                    status=rules.module_status(
                        module.lessons_total,
                        lesson_row.get("completed", 0),
                        module.quiz_required,
                        passed,
                        started=bool(lesson_row.get("opened") or attempt_row.get("n") or result),
                    ),
                    passed=passed,
                    score=result["best_score"] if result else None,
                    lessons_done=lesson_row.get("completed", 0),
                    lessons_total=module.lessons_total,
                    attempts=attempt_row.get("n", 0),
                )
            )
        cells[user_pk] = (row_cells, activity)
    return cells


def _rows(cohort: Cohort, enrollments: list[Enrollment], modules, now: datetime, names, limits) -> list[TraineeRow]:
    """The dashboard rows of these enrollments, in their order: six grouped queries over these trainees only."""
    if not enrollments:
        return []
    course_id = cohort.course_id
    user_ids = [e.user_id for e in enrollments]
    ids = user_ids  # a literal list, as in _module_cells
    cells = _module_cells(cohort, modules, user_ids)
    levels: dict[int, dict[str, str]] = defaultdict(dict)
    ready: set[tuple[int, str]] = set()
    for trainee_id, skill, level, is_ready in SkillLevel.objects.filter(user__in=ids, course_id=course_id).values_list(
        "user_id", "skill", "level", "ready"
    ):
        levels[trainee_id][skill] = level
        if is_ready:
            ready.add((trainee_id, skill))
    skills: dict[int, dict[str, SkillCell]] = defaultdict(dict)
    last_answer: dict[int, datetime] = {}
    for trainee_id, skill, earned, steps, harmful, last in SkillTally.objects.filter(
        user__in=ids, course_id=course_id
    ).values_list("user_id", "skill", "earned", "steps", "harmful", "last_answered_at"):
        skills[trainee_id][skill] = SkillCell(
            earned=earned, possible=steps * grading.MAX_GRADE, harmful=harmful, ready=(trainee_id, skill) in ready
        )
        if trainee_id not in last_answer or last > last_answer[trainee_id]:
            last_answer[trainee_id] = last
    overdue = dict(risk.overdue_per_trainee(course_id, now).filter(user__in=ids).values_list("user_id", "n"))
    rows = []
    for enrollment in enrollments:
        user = enrollment.user
        row_cells, activity = cells[user.pk]
        last_activity = max((a for a in [last_answer.get(user.pk), *activity] if a), default=None)
        user_skills = skills.get(user.pk, {})
        rows.append(
            TraineeRow(
                user=user,
                name=display_name(user),
                enrolled_at=enrollment.created_at,
                cells=row_cells,
                skills=user_skills,
                last_activity=last_activity,
                overdue_reviews=overdue.get(user.pk, 0),
                levels=levels.get(user.pk, {}),
                risk=rules.at_risk_reasons(
                    now,
                    last_activity,
                    enrollment.created_at,
                    overdue.get(user.pk, 0),
                    {names.get(s, s): c.harmful for s, c in user_skills.items()},  # reasons name the skill
                    limits,
                ),
            )
        )
    return rows


def _skill_summary(cohort: Cohort, enrollments: QuerySet, skills: list[str], names) -> list[SkillSummary]:
    """Per skill over the whole cohort: the mean share of the best grade, trainees who answered,
    trainees ready to practise and at each level; two grouped queries over the running totals.

    The cohort's trainees go in as a list of ids (id_list.IdIn), not a subquery: joined to the
    enrollments, the running totals of a course loaded since the last ANALYZE look like one row
    each side, and PostgreSQL's nested loop then rescanned the cohort for every row (200 ms a query
    at 1,000 trainees, 4,953 x 499 rows compared; 10 s a page at 5,000). Against a constant list
    the plan has no join to get wrong: one pass over the course's rows, each checked in a hash."""
    course_id = cohort.course_id
    trainees = IdIn("user_id", enrollments.values_list("user_id", flat=True))
    share = Cast("earned", FloatField()) / (F("steps") * grading.MAX_GRADE)
    tallies = {
        skill: (answered, mean)
        for skill, answered, mean in SkillTally.objects.filter(trainees, course_id=course_id)
        .values("skill")
        .annotate(answered=Count("*"), mean=Avg(share))
        .values_list("skill", "answered", "mean")
        .order_by()
    }
    at_level: dict[str, Counter] = defaultdict(Counter)
    ready: Counter = Counter()
    for skill, level, n, n_ready in (
        SkillLevel.objects.filter(trainees, course_id=course_id)
        .values("skill", "level")
        .annotate(n=Count("user_id"), n_ready=Count("user_id", filter=Q(ready=True)))
        .values_list("skill", "level", "n", "n_ready")
        .order_by()
    ):
        at_level[skill][level] += n
        ready[skill] += n_ready
    return [
        SkillSummary(
            skill,
            names.get(skill, skill),
            tallies[skill][1] if skill in tallies else None,
            ready[skill],
            tallies[skill][0] if skill in tallies else 0,
            {level: at_level[skill].get(level, 0) for level in LEVELS},
        )
        for skill in skills
    ]


def _skill_names(course_id: int) -> dict[str, str]:
    """The course's skills, key -> name, in the order its vocabulary declares them."""
    return dict(Skill.objects.filter(course_id=course_id).order_by("order", "key").values_list("key", "name"))


def _skills_in_course(course_id: int, names: dict[str, str]) -> list[str]:
    """The skills of the course's active items: in the vocabulary's order, then any it does not name."""
    active = Item.objects.filter(course_id=course_id, is_active=True).order_by()
    used = set(active.values_list("skill", flat=True).distinct())
    ordered = [s for s in names if s in used]
    return ordered + sorted(used - set(ordered))


# ---------------------------------------------------------------- pictures


def completion_over_time(cohort: Cohort, modules: list[Module], trainee_count: int) -> dict[str, list]:
    """Cumulative share of all (trainee, lesson) pairs read and (trainee, quiz) pairs passed, by day."""
    trainee_ids = _trainee_ids(cohort)
    lessons_total = sum(m.lessons_total for m in modules) * trainee_count
    quizzes_total = sum(1 for m in modules if m.quiz_required) * trainee_count
    lesson_days = (
        LessonProgress.objects.filter(
            user__in=trainee_ids,
            lesson__module__course_id=cohort.course_id,
            lesson__is_active=True,
            completed_at__isnull=False,
        )
        .annotate(day=TruncDate("completed_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    pass_days = (
        ModuleResult.objects.filter(
            user__in=trainee_ids, module__course_id=cohort.course_id, module__is_active=True, passed_at__isnull=False
        )
        .annotate(day=TruncDate("passed_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    lesson_rows, pass_rows = list(lesson_days), list(pass_days)
    days = [r["day"] for r in lesson_rows + pass_rows]
    first = min([cohort.start_date, *days])
    last = max([timezone.localdate(), *days])
    return {
        "Lessons read": _cumulative(lesson_rows, lessons_total, first, last),
        "Module quizzes passed": _cumulative(pass_rows, quizzes_total, first, last),
    }


def _cumulative(rows, total: int, first: date, last: date) -> list[tuple[date, float]]:
    """The running share on every day from the cohort's start to today, so the line shows the trend
    (days with no event carry the share forward) rather than a dot for each day something happened."""
    if not rows:
        return []
    per_day = {row["day"]: row["n"] for row in rows}
    running, points, day = 0, [], first
    while day <= last:
        running += per_day.get(day, 0)
        points.append((day, running / total if total else 0.0))
        day += timedelta(days=1)
    return points


# ---------------------------------------------------------------- a trainee


@dataclass
class StepLine:
    item: Item
    step_path: str
    client_line: str
    chosen: dict | None
    best: dict | None
    grade: int
    confidence: int | None
    free_reply: str | None
    title: str = ""


@dataclass
class AttemptView:
    attempt: Attempt
    lines: list[StepLine]
    reflection: Reflection | None


@dataclass
class ReviewLine:
    log: ReviewLog
    what: str  # the skill's name or the fact's question
    client: str  # the item's title, "" for a fact
    rating: str
    rating_meaning: str


@dataclass
class WeakSkill:
    name: str
    share: float | None
    harmful: int


@dataclass
class TraineeSummary:
    """The trainee's row of the cohort dashboard, with what is due now and where they struggle."""

    row: TraineeRow
    modules_total: int
    quizzes_passed: int
    quizzes_total: int
    reviews_due: int
    weak_skills: list[WeakSkill]

    @property
    def modules_done(self) -> int:
        return self.row.modules_done


# A skill is weak below this share of the best grade, or with any harmful pick.
WEAK_SHARE = 0.5


def trainee_summary(cohort: Cohort, trainee, names: dict[str, str], now: datetime | None = None) -> TraineeSummary:
    """The dashboard's figures for one trainee (the same rules and queries) and their due reviews."""
    now = now or timezone.now()
    modules = course_modules(cohort)
    enrollment = Enrollment.objects.select_related("user").get(cohort=cohort, user=trainee)
    (row,) = _rows(cohort, [enrollment], modules, now, names, thresholds())
    due = ReviewCard.objects.filter(user=trainee, course_id=cohort.course_id, due__lte=now).count()
    weak = sorted(
        (
            WeakSkill(names.get(skill, skill), cell.share, cell.harmful)
            for skill, cell in row.skills.items()
            if cell.harmful or (cell.share is not None and cell.share < WEAK_SHARE)
        ),
        key=lambda w: (-w.harmful, w.share if w.share is not None else 1.0, w.name),
    )
    quizzes = [c for m, c in zip(modules, row.cells, strict=True) if m.quiz_required]
    return TraineeSummary(
        row=row,
        modules_total=len(modules),
        quizzes_passed=sum(1 for c in quizzes if c.passed),
        quizzes_total=len(quizzes),
        reviews_due=due,
        weak_skills=weak,
    )


@dataclass
class TraineeDetail:
    cohort: Cohort
    trainee: object
    name: str
    attempts: list[AttemptView]
    reflections: list[Reflection]
    review_history: list[ReviewLog]
    levels: list[tuple[str, str]] = field(default_factory=list)  # (skill name, practice level)
    summary: TraineeSummary | None = None
    review_lines: list[ReviewLine] = field(default_factory=list)  # the history in words


def trainee_detail(viewer, cohort: Cohort, trainee) -> TraineeDetail:
    """Every attempt of a trainee in the cohort's course, step by step, under a summary."""
    names = _skill_names(cohort.course_id)
    attempts = list(
        Attempt.objects.filter(user=trainee, quiz__module__course_id=cohort.course_id)
        .select_related("quiz__module")
        .order_by("-started_at")
    )
    replies = {
        (r["attempt_id"], r["item_id"]): r["text"]
        for r in FreeReply.objects.filter(attempt__in=attempts).values("attempt_id", "item_id", "text")
    }
    lines: dict[int, list[StepLine]] = defaultdict(list)
    for answer in Answer.objects.filter(attempt__in=attempts).select_related("item").order_by("answered_at", "pk"):
        try:
            step = grading.step_at(answer.item.steps, answer.step_path)
        except grading.StepNotFound:
            step = {"options": []}
        lines[answer.attempt_id].append(
            StepLine(
                item=answer.item,
                step_path=answer.step_path,
                client_line=step.get("client_reply") or answer.item.client_statement,
                chosen=grading.option_by_id(step, answer.option_id),
                best=grading.best_option(step) if step.get("options") else None,
                grade=answer.grade,
                confidence=answer.confidence,
                free_reply=None if answer.step_path else replies.get((answer.attempt_id, answer.item_id)),
                title=labels.item_title(answer.item.slug, answer.item.vignette, names.get(answer.item.skill, "")),
            )
        )
    # Only reflections the privacy rule lets this viewer read; the text is shown on their own page.
    reflections = list(
        reflections_readable_by(viewer)
        .filter(author=trainee, shared=True, attempt__quiz__module__course_id=cohort.course_id)
        .exclude(author=viewer)
        .order_by("-created_at")
    )
    by_attempt = {r.attempt_id: r for r in reflections}
    history = review_history_of(trainee, cohort)
    return TraineeDetail(
        cohort=cohort,
        trainee=trainee,
        name=display_name(trainee),
        attempts=[AttemptView(a, lines.get(a.pk, []), by_attempt.get(a.pk)) for a in attempts],
        reflections=reflections,
        review_history=history,
        levels=practice_levels(trainee, cohort.course_id, names),
        summary=trainee_summary(cohort, trainee, names),
        review_lines=[_review_line(log, names) for log in history],
    )


def _review_line(log: ReviewLog, names: dict[str, str]) -> ReviewLine:
    card, item = log.card, log.item
    if card.skill:
        what = names.get(card.skill, card.skill)
    else:
        what = card.fact.question if card.fact else ""
    return ReviewLine(
        log=log,
        what=what,
        client=labels.item_title(item.slug, item.vignette) if item else "",
        rating=labels.rating_word(log.rating),
        rating_meaning=labels.rating_meaning(log.rating),
    )


def practice_levels(trainee, course_id: int, names: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The trainee's practice level in each skill of the course they have practised, in the course's skill
    order (as the dashboard lists skills); a skill the vocabulary no longer names comes last, by key."""
    names = names if names is not None else _skill_names(course_id)
    position = {skill: n for n, skill in enumerate(names)}  # names keeps the vocabulary's order
    rows = SkillLevel.objects.filter(user=trainee, course_id=course_id).values_list("skill", "level")
    ordered = sorted(rows, key=lambda row: (position.get(row[0], len(position)), row[0]))
    return [(names.get(skill, skill), level) for skill, level in ordered]


# ---------------------------------------------------------------- item analysis


@dataclass
class QuizSummary:
    quiz: Quiz
    attempts: int
    trainees: int
    mean_score: float | None
    pass_rate: float | None


def quiz_summaries(cohort: Cohort) -> list[QuizSummary]:
    quizzes = list(
        Quiz.objects.filter(module__course_id=cohort.course_id, module__is_active=True)
        .select_related("module")
        .order_by("module__order")
    )
    figures = {
        row["quiz_id"]: row
        for row in Attempt.objects.filter(user__in=_trainee_ids(cohort), quiz__in=quizzes, status=Attempt.COMPLETED)
        .values("quiz_id")
        .annotate(
            n=Count("id"),
            trainees=Count("user_id", distinct=True),
            mean=Sum("score"),
            passes=Count("id", filter=Q(passed=True)),
        )
        .order_by()
    }
    summaries = []
    for quiz in quizzes:
        row = figures.get(quiz.pk)
        n = row["n"] if row else 0
        summaries.append(
            QuizSummary(
                quiz,
                n,
                row["trainees"] if row else 0,
                row["mean"] / n if n else None,
                row["passes"] / n if n else None,
            )
        )
    return summaries


def quiz_for(cohort: Cohort, quiz_id: int) -> Quiz:
    quiz = (
        Quiz.objects.filter(pk=quiz_id, module__course_id=cohort.course_id, module__is_active=True)
        .select_related("module")
        .first()
    )
    if quiz is None:
        raise Http404("No such quiz in this cohort's course.")
    return quiz


@dataclass
class ItemAnalysis:
    cohort: Cohort
    quiz: Quiz
    items: list[Item]
    stats: stats.QuizStat
    titles: dict[str, str] = field(default_factory=dict)  # item slug -> "Client, age · skill"
    skill_names: dict[str, str] = field(default_factory=dict)
    small_sample: int = 0  # figures on fewer attempts than this carry a caution

    def rows(self):
        return [
            ItemRow(item, stat, self.titles.get(item.slug, item.slug), self.skill_names.get(item.skill, item.skill))
            for item, stat in zip(self.items, self.stats.items, strict=True)
        ]

    @property
    def few_attempts(self) -> bool:
        return self.stats.attempts < self.small_sample


@dataclass
class ItemRow:
    item: Item
    stat: stats.ItemStat
    title: str
    skill_name: str


def item_analysis(cohort: Cohort, quiz: Quiz) -> ItemAnalysis:
    """Item statistics over the cohort's completed attempts at a quiz, in four queries."""
    items = list(quiz.items.filter(is_active=True).order_by("order", "slug"))
    completed = Attempt.objects.filter(quiz=quiz, status=Attempt.COMPLETED, user__in=_trainee_ids(cohort))
    totals, passed = {}, {}
    for attempt_id, score, ok in completed.values_list("id", "score", "passed"):
        totals[attempt_id] = score or 0.0
        passed[attempt_id] = bool(ok)
    picks = [
        stats.Pick(*row)
        for row in Answer.objects.filter(attempt__in=completed.values("id"), item__in=items).values_list(
            "attempt_id", "item__slug", "step_path", "option_id", "grade"
        )
    ]
    quiz_stat = stats.analyse_quiz(
        [(i.slug, i.steps, i.client_statement) for i in items],
        picks,
        totals,
        passed,
        best_floor=app_settings.ITEM_ANALYSIS_BEST_PICK_FLOOR,
    )
    # Each option's tags read with the course's names ("shows Empathy"), not its keys; shown ones
    # first, then by name (PostgreSQL's jsonb keeps no key order).
    dimension_names = dict(Dimension.objects.filter(course_id=cohort.course_id).values_list("key", "name"))
    for item_stat in quiz_stat.items:
        for step in item_stat.steps:
            for option in step.options:
                named = ((dimension_names.get(key, key), polarity) for key, polarity in option.dimensions)
                option.dimensions = tuple(sorted(named, key=lambda tag: (tag[1] != grading.SHOWS, tag[0])))
    names = _skill_names(cohort.course_id)
    return ItemAnalysis(
        cohort,
        quiz,
        items,
        quiz_stat,
        titles={i.slug: labels.item_title(i.slug, i.vignette, names.get(i.skill, "")) for i in items},
        skill_names=names,
        small_sample=app_settings.SMALL_SAMPLE_ATTEMPTS,
    )
