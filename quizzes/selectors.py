"""Reads for playing and reviewing quizzes, scoped to who may see them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from course.models import Cohort, Course
from course.prepared import Prepared
from course.selectors import (
    ModuleState,
    course_outlines,
    courses_visible_to,
    module_state_open,
    sees_every_cohort,
    split_state,
    state_with_rows,
)

from . import grading, sessions, trajectory
from . import items as kept_items
from .models import Answer, Attempt, Dimension, FreeReply, Item, Quiz, Reflection, Skill


def quizzes_visible_to(user) -> QuerySet[Quiz]:
    return Quiz.objects.filter(module__course__in=courses_visible_to(user), module__is_active=True).select_related(
        "module", "module__course"
    )


def attempts_of(user) -> QuerySet[Attempt]:
    """A trainee's own attempts: anyone else's is a 404."""
    return Attempt.objects.filter(user=user).select_related("user", "quiz", "quiz__module", "quiz__module__course")


ATTEMPT_FIELDS = tuple(f.attname for f in Attempt._meta.concrete_fields)
ITEM_FIELDS = tuple(f.attname for f in Item._meta.concrete_fields)


def _own_attempt_query(user_id: int, pk: int):
    """The attempt in two rows of course.selectors.state_with_rows' nine columns, with its course's
    row and the trainee's state: ("attempt", id, started_at, completed_at, score, position, status,
    step_path, item_ids as JSON text) and ("attempt-more", module id, -, -, passed as 1.0 or 0.0,
    seed, -, -, -). The quiz comes from the course's cached structure."""
    attempt = Attempt.objects.filter(user_id=user_id, pk=pk).order_by()
    none = [Value(None, output_field=f) for f in (DateTimeField(), DateTimeField())]
    texts = [Value(None, output_field=TextField()) for _ in range(3)]
    passed = Case(When(passed=True, then=Value(1.0)), When(passed=False, then=Value(0.0)), output_field=FloatField())
    rows = attempt.values_list(
        Value("attempt"), "id", "started_at", "completed_at", "score", "position", "status", "step_path",
        Cast("item_ids", TextField()),
    )  # fmt: skip
    more = attempt.values_list(Value("attempt-more"), "quiz__module_id", *none, passed, "seed", *texts)
    courses = Course.objects.filter(pk__in=attempt.values("quiz__module__course_id"))
    return state_with_rows(user_id, courses, rows, more)


# The attempt page's read, compiled once (course/prepared.py): the attempt, its course and the
# trainee's state for the module's lock in one UNION ALL.
_OWN_ATTEMPT = Prepared(_own_attempt_query, int, int)
_ITEM = Prepared(lambda pk: Item.objects.filter(pk=pk).values_list(*ITEM_FIELDS), int)
# What a module page's quiz panel shows of the trainee's attempts at its quiz (newest first).
PANEL_ATTEMPT_FIELDS = ("id", "status", "started_at", "completed_at", "score", "passed")
PANEL_ATTEMPTS = 10
_PANEL_ATTEMPTS = Prepared(
    lambda user_id, quiz_id: (
        Attempt.objects.filter(user_id=user_id, quiz_id=quiz_id)
        .order_by("-started_at")
        .values_list(*PANEL_ATTEMPT_FIELDS)[:PANEL_ATTEMPTS]
    ),
    int,
    int,
)


def panel_attempts(user, quiz: Quiz) -> list[Attempt]:
    """The user's last attempts at the quiz, newest first, with only what the module page shows
    (other fields deferred): one precompiled query."""
    return [Attempt.from_db("default", PANEL_ATTEMPT_FIELDS, row) for row in _PANEL_ATTEMPTS.rows(user.pk, quiz.pk)]


def open_attempt_of(user, attempt_id: int) -> tuple[Attempt, ModuleState, Course] | None:
    """The user's attempt (None if it is not theirs) with its module's state and its course, under
    the module's access rule (course.selectors.module_state_open raises while the module is locked):
    in one query beyond the outline's own, the quiz and module taken from the course's cached structure."""
    rows = _OWN_ATTEMPT.rows(user.pk, attempt_id) if user.is_authenticated else []
    courses, state_rows, others = split_state(rows)
    found = {row[0]: row for row in others}
    if not courses or "attempt" not in found:
        return None
    _, pk, started_at, completed_at, score, position, status, step_path, item_ids = found["attempt"]
    _, module_id, _, _, passed, seed, *_ = found["attempt-more"]
    outline = course_outlines(user, courses, state_rows)[0]
    state = module_state_open(outline, module_id)
    attempt = Attempt.from_db(
        "default",
        ATTEMPT_FIELDS,
        [
            {"id": pk, "user_id": user.pk, "quiz_id": state.module.quiz.pk, "status": status, "seed": seed,
             "item_ids": json.loads(item_ids), "position": position, "step_path": step_path,
             "started_at": started_at, "completed_at": completed_at, "score": score,
             "passed": None if passed is None else passed == 1.0}[f]
            for f in ATTEMPT_FIELDS
        ],
    )  # fmt: skip
    attempt.user, attempt.quiz = user, state.module.quiz  # sets attempt's caches only: the quiz stays shared
    return attempt, state, outline.course


def _item(pk: int, course: Course | None = None) -> Item:
    """The item: from the course's kept items when the caller has the course (no query), else read."""
    if course is not None:
        found = kept_items.course_items(course).get(pk)
        if found is not None:
            return found
    rows = _ITEM.rows(pk)
    if not rows:
        raise Item.DoesNotExist(f"No item {pk}.")
    return Item.from_db("default", ITEM_FIELDS, rows[0])


@dataclass
class CurrentStep:
    """What the trainee faces now: write their own reply, choose an option, or the attempt is done."""

    attempt: Attempt
    phase: str  # "write" | "choose" | "done"
    item: Item | None = None
    item_number: int = 0
    item_count: int = 0
    step_path: str = ""
    client_line: str = ""
    options: list[dict] | None = None
    free_reply: str | None = None
    previous_lines: list[dict] | None = None
    state: dict | None = None  # a session's state, when its quiz shows it


def current_step(attempt: Attempt, course: Course | None = None) -> CurrentStep:
    """The attempt's current step; with the attempt's course, its item comes from the course's kept
    items (callers must not mutate it)."""
    count = len(attempt.item_ids)
    if not attempt.is_open:
        return CurrentStep(attempt, "done", item_count=count, item_number=count)
    item = _item(attempt.item_ids[attempt.position], course)
    # Only a write-first item takes a written reply (services refuse one elsewhere): no query otherwise.
    reply = (
        FreeReply.objects.filter(attempt=attempt, item=item).values_list("text", flat=True).first()
        if item.write_first
        else None
    )
    base = {"item": item, "item_number": attempt.position + 1, "item_count": count, "free_reply": reply}
    if item.write_first and not attempt.step_path and reply is None:
        return CurrentStep(attempt, "write", client_line=item.client_statement, **base)
    step = grading.step_at(item.steps, attempt.step_path)
    return CurrentStep(
        attempt,
        "choose",
        step_path=attempt.step_path,
        client_line=step.get("client_reply") or item.client_statement,
        options=grading.shuffled_options(step, attempt.seed, item.slug, attempt.step_path),
        previous_lines=_conversation_so_far(attempt, item) if attempt.step_path else [],  # none before the root
        state=step.get("state") if attempt.quiz.show_state else None,
        **base,
    )


def _conversation_so_far(attempt: Attempt, item: Item) -> list[dict]:
    """The client's lines and the trainee's picks that led to a branch step."""
    lines = []
    for answer in Answer.objects.filter(attempt=attempt, item=item).order_by("answered_at", "pk"):
        step = grading.step_at(item.steps, answer.step_path)
        option = grading.option_by_id(step, answer.option_id)
        lines.append({"client": step.get("client_reply") or item.client_statement, "you": option["text"]})
    return lines


def answered_steps(attempts: list[Attempt]) -> dict[int, list[grading.AnsweredStep]]:
    """Each attempt's answers as grading input, in one query."""
    result: dict[int, list[grading.AnsweredStep]] = {a.pk: [] for a in attempts}
    answers = Answer.objects.filter(attempt__in=attempts).select_related("item").order_by("answered_at", "pk")
    sessions_played: dict[tuple[int, int], list] = {}
    for answer in answers:
        found = grading.answered_step(answer.item.steps, answer.step_path, answer.option_id)
        dimensions = grading.option_dimensions(found[1]) if found else ()
        result[answer.attempt_id].append(
            grading.AnsweredStep(answer.item.slug, answer.item.skill, answer.grade, dimensions)
        )
        if grading.sessions.is_session(answer.item.steps):
            sessions_played.setdefault((answer.attempt_id, answer.item_id), []).append(answer)
    for (attempt_id, _), played in sessions_played.items():
        item = played[0].item
        ending = grading.session_ending(item.steps, [(a.step_path, a.option_id) for a in played])
        if ending is not None:  # the ending counts as one more graded step, never as a harmful pick
            result[attempt_id].append(grading.AnsweredStep(item.slug, item.skill, ending[1], (), ending=True))
    return result


def attempt_result(attempt: Attempt, quiz: Quiz | None = None) -> grading.AttemptResult:
    quiz = quiz or attempt.quiz
    return grading.score_attempt(answered_steps([attempt])[attempt.pk], quiz.pass_threshold, quiz.harmful_fails)


REWRITTEN = "(this step has been rewritten since you answered it)"


@dataclass
class FeedbackLine:
    item: Item
    step_path: str
    client_line: str
    chosen: dict
    best: dict
    free_reply: str | None


def attempt_review(attempt: Attempt) -> list[FeedbackLine]:
    """Every step answered in an attempt with the choice, the best option and their rationales."""
    replies = dict(FreeReply.objects.filter(attempt=attempt).values_list("item_id", "text"))
    lines = []
    for answer in Answer.objects.filter(attempt=attempt).select_related("item").order_by("answered_at", "pk"):
        found = grading.answered_step(answer.item.steps, answer.step_path, answer.option_id)
        if found is None:
            step, chosen = {}, {"id": answer.option_id, "text": REWRITTEN, "grade": answer.grade}
            best = chosen if answer.grade == grading.BEST else {"id": "", "text": REWRITTEN, "grade": grading.BEST}
        else:
            (step, chosen), best = found, grading.best_option(found[0])
        lines.append(
            FeedbackLine(
                item=answer.item,
                step_path=answer.step_path,
                client_line=step.get("client_reply") or answer.item.client_statement,
                chosen=chosen,
                best=best,
                free_reply=replies.get(answer.item_id) if not answer.step_path else None,
            )
        )
    return lines


def best_attempt(user, quiz: Quiz) -> Attempt | None:
    return (
        Attempt.objects.filter(user=user, quiz=quiz, status=Attempt.COMPLETED)
        .order_by("-passed", "-score", "completed_at")
        .first()
    )


def reflections_readable_by(viewer) -> QuerySet[Reflection]:
    """A reflection is readable by its author and, once shared, by the instructors of the author's
    cohorts in that course and by whoever sees every cohort as its instructors do; by nobody else.
    Every read by someone other than the author is recorded (ReflectionAccess) by the caller."""
    teaches_author = Cohort.objects.filter(
        course=OuterRef("attempt__quiz__module__course"), enrollments__user=OuterRef("author")
    )
    if not sees_every_cohort(viewer):
        teaches_author = teaches_author.filter(instructors=viewer)
    return Reflection.objects.filter(Q(author=viewer) | Q(shared=True) & Exists(teaches_author)).select_related(
        "attempt", "attempt__quiz", "attempt__quiz__module", "author"
    )


def skill_names(course_ids) -> dict[tuple[int, str], str]:
    """The display name of each skill of these courses, keyed by (course id, skill key)."""
    rows = Skill.objects.filter(course_id__in=course_ids).values_list("course_id", "key", "name")
    return {(course_id, key): name for course_id, key, name in rows}


def option_dimension_names(course_id: int, option: dict) -> tuple[list[str], list[str]]:
    """The names of the dimensions an option shows and of those it breaks; no query for an
    untagged option."""
    tags = grading.option_dimensions(option)
    if not tags:
        return [], []
    names = dict(Dimension.objects.filter(course_id=course_id).values_list("key", "name"))
    shown = sorted(names.get(key, key) for key, polarity in tags if polarity == grading.SHOWS)
    broken = sorted(names.get(key, key) for key, polarity in tags if polarity == grading.BREAKS)
    return shown, broken


def dimension_names(course_ids) -> dict[tuple[int, str], str]:
    """The display name of each dimension of these courses, keyed by (course id, dimension key)."""
    rows = Dimension.objects.filter(course_id__in=course_ids).values_list("course_id", "key", "name")
    return {(course_id, key): name for course_id, key, name in rows}


# ---------------------------------------------------------------- relationship-state sessions


@dataclass
class SessionMove:
    """What one reply in a session changed: the state's moves, the client's next line or the ending."""

    changes: list[tuple[str, int]]
    next_line: str | None
    ending: dict | None


def session_move(item: Item, step_path: str, option_id: str) -> SessionMove | None:
    if not sessions.is_session(item.steps):
        return None
    try:
        before = sessions.play(item.steps, sessions.split_path(step_path))
        after = sessions.step(item.steps, before, option_id)
    except (sessions.SessionError, KeyError):
        return None  # rewritten since
    changes = [(name, after.state[name] - before.state[name]) for name in item.steps["state"]]
    moved = [(name, delta) for name, delta in changes if delta]
    if after.ended:
        return SessionMove(moved, None, {"id": after.ending, **item.steps["endings"][after.ending]})
    return SessionMove(moved, sessions.client_line(item.steps, after), None)


@dataclass
class SessionSummary:
    item: Item
    ending: dict
    series: dict[str, list[int]]
    rows: list[dict]  # per reply: number, the turn's client line is not repeated here; the values after it
    biggest: list[tuple[int, str, int]]  # (reply number, variable, change), largest moves first
    score: float
    chart: str


def session_summary(item: Item, choices: list[str], chart_id: str) -> SessionSummary | None:
    """A finished (or replayed) session: its ending, each variable's trajectory, the biggest moves."""
    try:
        position = sessions.play(item.steps, choices)
    except (sessions.SessionError, KeyError):
        return None
    if not position.ended:
        return None
    names = list(item.steps["state"])
    series = {name: [state[name] for state in position.trajectory] for name in names}
    moves = [
        (reply, name, series[name][reply] - series[name][reply - 1])
        for reply in range(1, len(position.trajectory))
        for name in names
        if series[name][reply] != series[name][reply - 1]
    ]
    moves.sort(key=lambda move: (-abs(move[2]), move[0]))
    ranges = {name: (v["min"], v["max"]) for name, v in item.steps["state"].items()}
    rows = [{"reply": i, "values": [series[n][i] for n in names]} for i in range(len(position.trajectory))]
    outcome = sessions.outcome_of(item.steps, position)
    return SessionSummary(
        item=item,
        ending={"id": position.ending, **item.steps["endings"][position.ending]},
        series=series,
        rows=rows,
        biggest=moves[:3],
        score=outcome.score,
        chart=trajectory.line_chart(series, ranges, chart_id=chart_id, title=f"The relationship over {item.slug}"),
    )


def sessions_replayable_by(user) -> QuerySet[Item]:
    """Sessions the trainee has finished in a completed attempt: those they may replay."""
    done = Answer.objects.filter(attempt__user=user, attempt__status=Attempt.COMPLETED).values("item_id")
    return Item.objects.filter(pk__in=done, is_active=True)


def session_summaries(attempt: Attempt) -> list[SessionSummary]:
    """Each session an attempt finished, in the order played."""
    played: dict[int, tuple[Item, list[tuple[str, str]]]] = {}
    for answer in Answer.objects.filter(attempt=attempt).select_related("item").order_by("answered_at", "pk"):
        if sessions.is_session(answer.item.steps):
            played.setdefault(answer.item_id, (answer.item, []))[1].append((answer.step_path, answer.option_id))
    summaries = []
    for index, (item, answers) in enumerate(played.values()):
        last_path, last_option = max(answers, key=lambda answer: len(answer[0]))
        summary = session_summary(item, [*sessions.split_path(last_path), last_option], f"session-{index}")
        if summary is not None:
            summaries.append(summary)
    return summaries


@dataclass
class QuizToPass:
    """A module's quiz that stands between the trainee and the next module, and why."""

    outline: object  # course.selectors.CourseOutline
    module_state: object  # course.selectors.ModuleState
    quiz: Quiz
    lessons_done: bool
    best: Attempt | None
    harmful_picks: int

    @property
    def pass_mark(self) -> int:
        return round(100 * self.quiz.pass_threshold)

    @property
    def best_percent(self) -> int | None:
        return round(100 * self.best.score) if self.best and self.best.score is not None else None

    @property
    def failed_by_harm(self) -> bool:
        return bool(self.best and self.quiz.harmful_fails and self.harmful_picks)


def quizzes_to_pass(user, outlines) -> list[QuizToPass]:
    """Per course, the first open module whose required quiz is not passed yet, with the best
    attempt and its harmful picks: three queries whatever the number of courses."""
    candidates = {}
    for outline in outlines:
        for state in outline.modules:
            if not state.locked and state.module.quiz_required and not state.quiz_passed:
                candidates[state.module.pk] = (outline, state)
                break
    if not candidates:
        return []
    quizzes = {q.module_id: q for q in Quiz.objects.filter(module_id__in=candidates)}
    best: dict[int, Attempt] = {}
    for attempt in Attempt.objects.filter(user=user, quiz__in=quizzes.values(), status=Attempt.COMPLETED).order_by(
        "-passed", "-score", "completed_at"
    ):
        best.setdefault(attempt.quiz_id, attempt)
    harmful = dict(
        Answer.objects.filter(attempt__in=best.values(), grade=grading.HARMFUL)
        .order_by()
        .values("attempt_id")
        .annotate(n=Count("*"))
        .values_list("attempt_id", "n")
        if best
        else []
    )
    found = []
    for module_id, (outline, state) in candidates.items():
        quiz = quizzes.get(module_id)
        if quiz is None:
            continue
        attempt = best.get(quiz.pk)
        found.append(
            QuizToPass(
                outline=outline,
                module_state=state,
                quiz=quiz,
                lessons_done=state.lessons_done == len(state.lessons),
                best=attempt,
                harmful_picks=harmful.get(attempt.pk, 0) if attempt else 0,
            )
        )
    return found


def latest_instructor_comment(user, days: int = 14) -> Reflection | None:
    """The newest instructor comment on the trainee's own reflections, if it came in the last days."""
    since = timezone.now() - timedelta(days=days)
    return (
        Reflection.objects.filter(author=user, scored_at__gte=since)
        .exclude(instructor_comment="")
        .select_related("attempt__quiz__module")
        .order_by("-scored_at")
        .first()
    )
