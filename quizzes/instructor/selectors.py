"""Reads for instructors, scoped to the cohorts they teach, in a fixed number of queries per page.

Nothing here is cached: membership is read on every request, so removing an instructor from a
cohort takes effect on their next request. Per-trainee figures are aggregated by the database
(GROUP BY trainee), never computed by a query per trainee.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, Count, F, Max, Q, QuerySet, Sum, When
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from course.models import Cohort, Enrollment, LessonProgress, Module, ModuleResult
from course.selectors import sees_every_cohort

from .. import grading
from ..models import Answer, Attempt, Dimension, FreeReply, Item, Quiz, Reflection, Skill
from ..review import mastery as mastery_rules
from ..review.levels import LEVELS
from ..review.models import ReviewCard, ReviewLog, SkillLevel
from ..selectors import reflections_readable_by
from . import labels, rules, stats
from .conf import app_settings

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


def _trainee_filter(cohort: Cohort, enrollments: list[Enrollment], user_id: int | None = None):
    """The cohort's trainees for the dashboard's grouped queries. On PostgreSQL the ids already
    read, as a literal list: a subquery lets the planner, before statistics catch up with a bulk
    load, pick a nested loop that compares every card or answer with every enrollment (6 s at
    5,000 trainees). SQLite keeps the subquery (its limit on query parameters)."""
    if connection.vendor == "postgresql":
        return [e.user_id for e in enrollments]
    return _trainee_ids(cohort, user_id)


def display_name(user) -> str:
    full_name = getattr(user, "get_full_name", None)  # AbstractBaseUser has none
    return (full_name() if callable(full_name) else "") or user.get_username()


# ---------------------------------------------------------------- spaced review (issue 5, read only)


def overdue_reviews_by_trainee(cohort: Cohort, now: datetime, trainee_ids=None) -> dict[int, int]:
    """Review cards of this course due for longer than ATTUNE_OVERDUE_AFTER_HOURS, per trainee, in one
    grouped query. The grace matters: a new facts deck is due the moment it is dealt, so counting
    every due card would flag each trainee after their first quiz."""
    overdue_before = now - timedelta(hours=app_settings.OVERDUE_AFTER_HOURS)
    rows = (
        ReviewCard.objects.filter(
            user__in=_trainee_ids(cohort) if trainee_ids is None else trainee_ids,
            course_id=cohort.course_id,
            due__lt=overdue_before,
        )
        .order_by()
        .values("user_id")
        .annotate(n=Count("*"))
        .values_list("user_id", "n")
    )
    return dict(rows)


def course_items(course_id: int) -> dict[int, tuple[str, bool]]:
    """Every item of the course (active or not): pk -> (skill, is_active)."""
    return {pk: (skill, active) for pk, skill, active in Item.objects.filter(course_id=course_id).values_list(
        "pk", "skill", "is_active")}  # fmt: skip


def mastery_by_trainee(
    cohort: Cohort, items: dict[int, tuple[str, bool]] | None = None, trainee_ids=None
) -> dict[tuple[int, str], mastery_rules.Mastery]:
    """quizzes.review.mastery's rule for every (trainee, skill) of the cohort, in two queries:
    first-step answers in quizzes and spaced reviews, the same picks the trainee's own page uses.

    Answers are matched to the course's item ids, not joined to the item table: on freshly
    loaded data (no statistics yet) that join made PostgreSQL loop over items x trainees."""
    trainee_ids = _trainee_ids(cohort) if trainee_ids is None else trainee_ids
    items = items if items is not None else course_items(cohort.course_id)
    picks: dict[tuple[int, str], list[mastery_rules.Pick]] = defaultdict(list)
    answers = Answer.objects.filter(attempt__user__in=trainee_ids, step_path="", item_id__in=list(items)).values_list(
        "attempt__user_id", "item_id", "grade", "answered_at"
    )
    for user_id, item_id, grade, at in answers:
        picks[(user_id, items[item_id][0])].append(mastery_rules.Pick(item_id, grade, at))
    reviews = ReviewLog.objects.filter(
        user__in=trainee_ids,
        source=ReviewLog.REVIEW,
        card__kind=ReviewCard.SKILL,
        card__course_id=cohort.course_id,
        item__isnull=False,
    ).values_list("user_id", "card__skill", "item_id", "grade", "reviewed_at")
    for user_id, skill, item_id, grade, at in reviews:
        picks[(user_id, skill)].append(mastery_rules.Pick(item_id, grade, at))
    return {key: mastery_rules.mastery(values) for key, values in picks.items()}


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
    rows: list[TraineeRow]
    total_trainees: int
    at_risk_count: int
    thresholds: rules.RiskThresholds
    query: rules.DashboardQuery
    skill_summary: list[SkillSummary] = field(default_factory=list)
    skill_names: dict[str, str] = field(default_factory=dict)

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


def cohort_dashboard(
    cohort: Cohort,
    query: rules.DashboardQuery | None = None,
    now: datetime | None = None,
    modules=None,
    user_id: int | None = None,
    names: dict[str, str] | None = None,
) -> Dashboard:
    """Trainees by modules, skills, levels, activity and risk for a whole cohort in ten queries, whatever its size
    (with user_id, the same figures for that trainee alone, as their page's summary)."""
    now = now or timezone.now()
    query = query or rules.DashboardQuery()
    modules = modules if modules is not None else course_modules(cohort)
    course_id = cohort.course_id

    enrollments = Enrollment.objects.filter(cohort=cohort)
    if user_id is not None:  # one trainee's page: the cohort's figures for one row
        enrollments = enrollments.filter(user_id=user_id)
    enrollments = list(enrollments.select_related("user").order_by(f"user__{get_user_model().USERNAME_FIELD}"))
    trainee_ids = _trainee_filter(cohort, enrollments, user_id)
    lessons = {
        (row["user_id"], row["lesson__module_id"]): row
        for row in LessonProgress.objects.filter(
            user__in=trainee_ids, lesson__module__course_id=course_id, lesson__is_active=True
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
        for row in ModuleResult.objects.filter(user__in=trainee_ids, module__course_id=course_id).values(
            "user_id", "module_id", "best_score", "passed_at"
        )
    }
    attempts = {
        (row["user_id"], row["quiz__module_id"]): row
        for row in Attempt.objects.filter(user__in=trainee_ids, quiz__module__course_id=course_id)
        .values("user_id", "quiz__module_id")
        .annotate(n=Count("id"), last=Max("started_at"))
        .order_by()
    }
    items = course_items(course_id)
    # Grouped by item, not joined to the item table (see mastery_by_trainee); summed by skill below.
    item_rows = (
        Answer.objects.filter(attempt__user__in=trainee_ids, item_id__in=list(items))
        .values("attempt__user_id", "item_id")
        .annotate(
            earned=Sum("grade"),
            steps=Count("id"),
            harmful=Count("id", filter=Q(grade=grading.HARMFUL)),
            last=Max("answered_at"),
        )
        .order_by()
    )
    by_skill: dict[tuple[int, str], dict] = {}
    for row in item_rows:
        key = (row["attempt__user_id"], items[row["item_id"]][0])
        total = by_skill.setdefault(key, {"earned": 0, "steps": 0, "harmful": 0, "last": None})
        total["earned"] += row["earned"] or 0
        total["steps"] += row["steps"]
        total["harmful"] += row["harmful"]
        if row["last"] and (total["last"] is None or row["last"] > total["last"]):
            total["last"] = row["last"]
    skill_rows = [{"attempt__user_id": u, "item__skill": k, **v} for (u, k), v in by_skill.items()]
    mastery = mastery_by_trainee(cohort, items, trainee_ids)
    levels_by_user: dict[int, dict[str, str]] = defaultdict(dict)
    for trainee_id, skill, level in SkillLevel.objects.filter(user__in=trainee_ids, course_id=course_id).values_list(
        "user_id", "skill", "level"
    ):
        levels_by_user[trainee_id][skill] = level
    names = names if names is not None else _skill_names(course_id)
    skills = _skills_in_course(items, names)
    overdue = overdue_reviews_by_trainee(cohort, now, trainee_ids)
    limits = thresholds()

    skills_by_user: dict[int, dict[str, SkillCell]] = defaultdict(dict)
    last_answer: dict[int, datetime] = {}
    for row in skill_rows:
        user_id, skill = row["attempt__user_id"], row["item__skill"]
        skills_by_user[user_id][skill] = SkillCell(
            earned=row["earned"] or 0,
            possible=row["steps"] * grading.MAX_GRADE,
            harmful=row["harmful"],
            ready=bool((user_id, skill) in mastery and mastery[(user_id, skill)].ready),
        )
        if row["last"] and (user_id not in last_answer or row["last"] > last_answer[user_id]):
            last_answer[user_id] = row["last"]

    rows = []
    for enrollment in enrollments:
        user = enrollment.user
        cells, activity = [], [last_answer.get(user.pk)]
        for module in modules:
            lesson_row = lessons.get((user.pk, module.pk), {})
            result = results.get((user.pk, module.pk))
            attempt_row = attempts.get((user.pk, module.pk), {})
            activity += [lesson_row.get("last"), attempt_row.get("last")]
            cells.append(
                ModuleCell(
                    # course.rules.module_status, as on the trainee's own pages (no prerequisites here).
                    status=rules.module_status(
                        module.lessons_total,
                        lesson_row.get("completed", 0),
                        module.quiz_required,
                        bool(result and result["passed_at"]),
                        started=bool(lesson_row.get("opened") or attempt_row.get("n") or result),
                    ),
                    passed=bool(result and result["passed_at"]),
                    score=result["best_score"] if result else None,
                    lessons_done=lesson_row.get("completed", 0),
                    lessons_total=module.lessons_total,
                    attempts=attempt_row.get("n", 0),
                )
            )
        last_activity = max((a for a in activity if a), default=None)
        user_skills = skills_by_user.get(user.pk, {})
        rows.append(
            TraineeRow(
                user=user,
                name=display_name(user),
                enrolled_at=enrollment.created_at,
                cells=cells,
                skills=user_skills,
                last_activity=last_activity,
                overdue_reviews=overdue.get(user.pk, 0),
                levels=levels_by_user.get(user.pk, {}),
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

    summary = []
    for skill in skills:
        cells = [r.skills[skill] for r in rows if skill in r.skills]
        shares = [c.share for c in cells if c.share is not None]
        summary.append(
            SkillSummary(
                skill,
                names.get(skill, skill),
                sum(shares) / len(shares) if shares else None,
                sum(1 for c in cells if c.ready),
                len(cells),
                level_counts(r.levels[skill] for r in rows if skill in r.levels),
            )
        )
    return Dashboard(
        cohort=cohort,
        modules=modules,
        skills=skills,
        rows=_filter_and_sort(rows, modules, query),
        total_trainees=len(rows),
        at_risk_count=sum(1 for r in rows if r.at_risk),
        thresholds=limits,
        query=query,
        skill_summary=summary,
        skill_names=names,
    )


def _skill_names(course_id: int) -> dict[str, str]:
    """The course's skills, key -> name, in the order its vocabulary declares them."""
    return dict(Skill.objects.filter(course_id=course_id).order_by("order", "key").values_list("key", "name"))


def _skills_in_course(items: dict[int, tuple[str, bool]], names: dict[str, str]) -> list[str]:
    used = {skill for skill, active in items.values() if active}
    ordered = [s for s in names if s in used]
    return ordered + sorted(used - set(ordered))


def _filter_and_sort(rows: list[TraineeRow], modules: list[Module], query: rules.DashboardQuery) -> list[TraineeRow]:
    if query.q:
        needle = query.q.casefold()
        rows = [r for r in rows if needle in r.name.casefold() or needle in r.user.get_username().casefold()]
    if query.risk == "at_risk":
        rows = [r for r in rows if r.at_risk]
    elif query.risk == "on_track":
        rows = [r for r in rows if not r.at_risk]
    if query.module and query.status:
        index = next(i for i, m in enumerate(modules) if m.slug == query.module)
        rows = [r for r in rows if r.cells[index].status == query.status]
    oldest = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    keys = {
        "name": lambda r: (r.name.casefold(), r.user.pk),
        "last_activity": lambda r: (r.last_activity or oldest, r.user.pk),
        "progress": lambda r: (r.progress, r.user.pk),
        "risk": lambda r: (len(r.risk), r.user.pk),
        "overdue": lambda r: (r.overdue_reviews, r.user.pk),
    }
    return sorted(rows, key=keys[query.sort], reverse=query.descending)


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
    board = cohort_dashboard(cohort, now=now, modules=modules, user_id=trainee.pk, names=names)
    (row,) = board.rows
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
