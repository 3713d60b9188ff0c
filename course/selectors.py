"""Reads for trainee pages and the API, in a fixed number of queries whatever the course size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, DateTimeField, FloatField, IntegerField, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext

from . import rules, structure
from .models import Cohort, Course, Enrollment, Lesson, LessonProgress, Module, ModuleResult
from .prepared import Prepared

VIEW_ALL_COHORTS = "attune_course.view_all_cohorts"


def sees_every_cohort(user) -> bool:
    """Whether the user sees every cohort as its instructors do: a staff account holding the explicit
    permission (superusers hold every permission), never is_staff alone. The one place this is decided.

    Like the admin, the permission counts for staff accounts only: a trainee's page then asks no
    permission query at all (ModelBackend's costs two)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)):
        return False
    has_perm = getattr(user, "has_perm", None)  # a custom user model may have no PermissionsMixin
    return bool(has_perm and has_perm(VIEW_ALL_COHORTS))


def courses_visible_to(user) -> QuerySet[Course]:
    """Courses a user may open: their cohorts' (as trainee or instructor); every course with VIEW_ALL_COHORTS."""
    if not user.is_authenticated:
        return Course.objects.none()
    if sees_every_cohort(user):
        return Course.objects.all()
    return _trainee_courses(user.pk)


def _trainee_courses(user_id: int) -> QuerySet[Course]:
    # Two indexed subqueries rather than joins with OR and DISTINCT, which scan every enrollment.
    return Course.objects.filter(
        Q(pk__in=Enrollment.objects.filter(user_id=user_id).values("cohort__course_id"))
        | Q(pk__in=Cohort.objects.filter(instructors=user_id).values("course_id"))
    )


COURSE_FIELDS = tuple(f.attname for f in Course._meta.concrete_fields)


def _is_trainee(user) -> bool:
    """Whether the user's courses come from their cohorts alone (the precompiled reads below)."""
    return user.is_authenticated and not sees_every_cohort(user)


@dataclass
class LessonState:
    lesson: Lesson
    completed: bool
    opened: bool


@dataclass
class ModuleState:
    module: Module
    lessons: list[LessonState]
    locked_by: list[Module]
    quiz_passed: bool
    best_score: float | None
    # What opens a locked module: each prerequisite, and True where only its quiz is left to pass.
    locks: list[tuple[Module, bool]] = field(default_factory=list)

    @property
    def locked(self) -> bool:
        return bool(self.locked_by)

    @property
    def lessons_read(self) -> bool:
        return self.lessons_done == len(self.lessons)

    @property
    def lessons_done(self) -> int:
        return sum(1 for s in self.lessons if s.completed)

    @property
    def completed(self) -> bool:
        """The module's own work is done (whatever its prerequisites): what unlocks the modules after it."""
        return rules.module_completed(len(self.lessons), self.lessons_done, self.module.quiz_required, self.quiz_passed)

    @property
    def status(self) -> str:
        """course.rules.module_status: the same rule the instructor's grid applies."""
        return rules.module_status(
            len(self.lessons),
            self.lessons_done,
            self.module.quiz_required,
            self.quiz_passed,
            locked=self.locked,
            started=any(s.opened for s in self.lessons) or self.best_score is not None,
        )


@dataclass
class CourseOutline:
    course: Course
    modules: list[ModuleState] = field(default_factory=list)
    continue_lesson: Lesson | None = None

    @property
    def total_lessons(self) -> int:
        return sum(len(m.lessons) for m in self.modules)

    @property
    def completed_lessons(self) -> int:
        return sum(m.lessons_done for m in self.modules)

    @property
    def total_minutes(self) -> int:
        return sum(s.lesson.estimated_minutes or 0 for m in self.modules for s in m.lessons)

    @property
    def started(self) -> bool:
        """Whether the trainee has opened anything in this course (else the home welcomes them)."""
        return any(s.opened for m in self.modules for s in m.lessons) or any(
            m.best_score is not None for m in self.modules
        )

    @property
    def percent(self) -> int:
        total = self.total_lessons
        return round(100 * self.completed_lessons / total) if total else 0

    def module(self, slug: str) -> ModuleState | None:
        return next((m for m in self.modules if m.module.slug == slug), None)

    def lesson(self, slug: str) -> tuple[ModuleState, LessonState] | None:
        """An active lesson of the course with its module's state, or None."""
        for module_state in self.modules:
            for lesson_state in module_state.lessons:
                if lesson_state.lesson.slug == slug:
                    return module_state, lesson_state
        return None

    def lesson_neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        flat = [s.lesson for m in self.modules for s in m.lessons]
        index = next(i for i, item in enumerate(flat) if item.pk == lesson.pk)
        return (flat[index - 1] if index > 0 else None, flat[index + 1] if index + 1 < len(flat) else None)


def course_outlines(user, courses: list[Course], state=None) -> list[CourseOutline]:
    """Modules, lessons, locks and progress for several courses: the structure from the cache (three
    queries on a miss, lesson bodies never loaded), then one query of the trainee's own state (none
    when the caller brings the state, as _split gives it)."""
    by_course = structure.course_modules(courses)
    modules = [m for c in courses for m in by_course[c.pk]]
    if state is not None:
        progress, results = state
    else:
        progress, results = _own_state(user) if user.is_authenticated else ({}, {})

    states: dict[int, ModuleState] = {}
    for module in modules:
        result = results.get(module.pk)
        states[module.pk] = ModuleState(
            module=module,
            lessons=[
                LessonState(
                    lesson,
                    lesson.pk in progress and progress[lesson.pk].completed_at is not None,
                    lesson.pk in progress,
                )
                for lesson in module.lesson_list
            ],
            locked_by=[],
            quiz_passed=bool(result and result.passed_at),
            best_score=result.best_score if result else None,
        )
    for state in states.values():
        state.locked_by = [p for p in state.module.prerequisite_list if p.pk in states and not states[p.pk].completed]
        state.locks = [
            (p, p.quiz_required and states[p.pk].lessons_read and not states[p.pk].quiz_passed) for p in state.locked_by
        ]

    outlines = {c.pk: CourseOutline(course=c) for c in courses}
    for module in modules:
        outlines[module.course_id].modules.append(states[module.pk])
    for outline in outlines.values():
        outline.continue_lesson = _continue_lesson(outline, progress)
    return [outlines[c.pk] for c in courses]


class _Progress(NamedTuple):
    completed_at: datetime | None
    last_opened_at: datetime | None


class _Result(NamedTuple):
    passed_at: datetime | None
    best_score: float | None


def _own_state_query(user_id: int, course_slug: str | None = None, with_courses: bool = False):
    """The trainee's lesson progress and module results (all of them: a few rows per lesson opened,
    in every course; callers look up what they show), and with_courses their visible courses too (or
    the one with course_slug), by title: one UNION ALL of rows (kind, id, two datetimes, a score, and
    for a course its version, slug, title and summary)."""
    lessons, results = _own_state_parts(user_id)
    if not with_courses:
        return lessons.union(results, all=True)
    courses = _trainee_courses(user_id)
    if course_slug is not None:
        courses = courses.filter(slug=course_slug)
    return _course_rows(courses).union(lessons, results, all=True).order_by("title")


def _own_state_parts(user_id: int) -> tuple[QuerySet, QuerySet]:
    nothing = [Value(None, output_field=f) for f in (IntegerField(), CharField(), CharField(), TextField())]
    lessons = LessonProgress.objects.filter(user_id=user_id).values_list(
        Value("lesson"), "lesson_id", "completed_at", "last_opened_at", Value(None, output_field=FloatField()), *nothing
    )
    results = ModuleResult.objects.filter(user_id=user_id).values_list(
        Value("module"), "module_id", "passed_at", Value(None, output_field=DateTimeField()), "best_score", *nothing
    )
    return lessons, results


def _course_rows(courses: QuerySet[Course]) -> QuerySet:
    return courses.order_by().values_list(
        Value("course"), "id", "created_at", "updated_at", Cast(Value(None), FloatField()),  # typed: 3 branches
        "structure_version", "slug", "title", "summary",
    )  # fmt: skip


def state_with_rows(user_id: int, courses: QuerySet[Course], *others: QuerySet) -> QuerySet:
    """The courses' rows, the trainee's lesson progress and module results, and other apps' rows
    in the same nine columns (kind, an id, two datetimes, a float, an int and three texts), as one
    UNION ALL for a Prepared: what a page outside this app reads with its course's outline
    (split_state separates them)."""
    lessons, results = _own_state_parts(user_id)
    return _course_rows(courses).union(lessons, results, *others, all=True)


# The per-request reads of every trainee page and API call, compiled once (course/prepared.py).
_OWN_STATE = Prepared(_own_state_query, int)
_MY_COURSES = Prepared(lambda user_id: _own_state_query(user_id, with_courses=True), int)
_MY_COURSE = Prepared(lambda user_id, slug: _own_state_query(user_id, slug, with_courses=True), int, str)


# The columns a course row of the UNION carries, named (a field added to Course is left deferred,
# never filled from the wrong column).
_UNION_COURSE_FIELDS = ("id", "slug", "title", "summary", "created_at", "updated_at", "structure_version")


def _split(rows, others: list | None = None) -> tuple[list[Course], dict[int, _Progress], dict[int, _Result]]:
    courses, progress, outcomes = [], {}, {}
    for row in rows:
        kind, pk, at, opened_at, score, version, slug, title, summary = row
        if kind == "lesson":
            progress[pk] = _Progress(at, opened_at)
        elif kind == "module":
            outcomes[pk] = _Result(at, score)
        elif kind == "course":
            values = (pk, slug, title, summary, at, opened_at, version)
            courses.append(Course.from_db("default", _UNION_COURSE_FIELDS, values))
        elif others is not None:
            others.append(row)
    return courses, progress, outcomes


def split_state(rows) -> tuple[list[Course], tuple[dict, dict], list[tuple]]:
    """state_with_rows' rows: the courses, the trainee's state (for course_outlines) and the other rows."""
    others: list[tuple] = []
    courses, progress, outcomes = _split(rows, others)
    return courses, (progress, outcomes), others


def _own_state(user) -> tuple[dict[int, _Progress], dict[int, _Result]]:
    """The trainee's lesson progress and module results, in one precompiled query."""
    _, progress, outcomes = _split(_OWN_STATE.rows(user.pk))
    return progress, outcomes


def _continue_lesson(outline: CourseOutline, progress: dict[int, _Progress]) -> Lesson | None:
    """The last lesson opened but not finished, else the first unfinished lesson that is open."""
    open_lessons = [s for m in outline.modules if not m.locked for s in m.lessons]
    started = [s for s in open_lessons if s.opened and not s.completed]
    if started:
        return max(started, key=lambda s: progress[s.lesson.pk].last_opened_at).lesson
    return next((s.lesson for s in open_lessons if not s.completed), None)


def course_outline(user, course: Course) -> CourseOutline:
    return course_outlines(user, [course])[0]


def my_courses(user) -> list[CourseOutline]:
    """The outlines of the user's courses by title: a trainee's courses and state in one query."""
    if not _is_trainee(user):
        return course_outlines(user, list(courses_visible_to(user).order_by("title")))
    courses, progress, results = _split(_MY_COURSES.rows(user.pk))
    return course_outlines(user, courses, (progress, results))


def visible_outline(user, slug: str) -> CourseOutline | None:
    """The outline of the course with this slug if the user may open it (a trainee's course and
    state in one query), else None."""
    if not _is_trainee(user):
        course = courses_visible_to(user).filter(slug=slug).first()
        return course_outline(user, course) if course else None
    courses, progress, results = _split(_MY_COURSE.rows(user.pk, slug))
    return course_outlines(user, courses, (progress, results))[0] if courses else None


class ModuleLocked(PermissionDenied):
    """A 403 naming what opens the module; pages render the outline and state it carries."""

    def __init__(self, outline: CourseOutline, state: ModuleState):
        self.outline, self.state = outline, state
        super().__init__(module_lock_message(state))


def module_lock_message(state: ModuleState) -> str:
    names = ", ".join(f"'{m.title}'" for m in state.locked_by)
    return gettext("This module is locked: complete %(names)s first.") % {"names": names}


def module_require_open(user, module: Module) -> ModuleState:
    """The one access rule for a module's lessons, quiz, attempts and answers: raise ModuleLocked
    while a prerequisite is unfinished (or 404-worthy PermissionDenied if the module is not the user's)."""
    return module_state_open(course_outline(user, module.course), module.pk)


def module_state_open(outline: CourseOutline, module_id: int) -> ModuleState:
    """module_require_open on an outline already in hand: the module's state, or the same refusals."""
    state = next((m for m in outline.modules if m.module.pk == module_id), None)
    if state is None:
        raise PermissionDenied(gettext("This module is not open to you."))
    if state.locked:
        raise ModuleLocked(outline, state)
    return state


def lesson_body(course: Course, lesson: Lesson) -> str:
    """The one lesson body a lesson page shows (the outline's lessons carry none), kept per process
    under the course's structure version."""
    return structure.lesson_body(course, lesson.pk)
