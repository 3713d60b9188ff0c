"""Playing a quiz in the browser: thin views over quizzes.services and quizzes.selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from course.selectors import ModuleLocked, course_outline, module_require_open

from . import extensions, forms, grading, items, selectors, services, sessions
from .models import Answer, FreeReply
from .validators import error_text


def module_panel(request, outline, state) -> str:
    """The quiz box on a module page (registered with course.extensions)."""
    quiz = getattr(state.module, "quiz", None) if state.module.quiz_required else None
    if quiz is None:
        return ""
    attempts = selectors.panel_attempts(request.user, quiz)
    open_attempt = next((a for a in attempts if a.is_open), None)
    best = max((a for a in attempts if not a.is_open), key=lambda a: (bool(a.passed), a.score or 0), default=None)
    return render_to_string(
        "attune/quizzes/_module_panel.html",
        {
            "quiz": quiz,
            "outline": outline,
            "state": state,
            "open_attempt": open_attempt,
            "best": best,
            "attempts": [a for a in attempts if not a.is_open],
            "item_count": items.active_count(outline.course, quiz.pk),
        },
        request=request,
    )


def _locked(request, exc: ModuleLocked):
    """The module page with its lock, as a 403 naming what opens the module (as for its lessons)."""
    context = {"outline": exc.outline, "state": exc.state}
    return render(request, "attune/course/module_detail.html", context, status=403)


def home_panel(request, outlines) -> str:
    """The quiz to pass next and why it is not passed yet, and an instructor's new comment, on
    the trainee's home (registered with course.extensions)."""
    if not request.user.is_authenticated:
        return ""
    to_pass = selectors.quizzes_to_pass(request.user, outlines)
    comment = selectors.latest_instructor_comment(request.user)
    if not to_pass and comment is None:
        return ""
    return render_to_string(
        "attune/quizzes/_home_panel.html", {"to_pass": to_pass, "comment": comment}, request=request
    )


def module_next(request, outline, state):
    """Where "Next" leads from a module's last lesson: the module's quiz, once the lessons are read
    and while the quiz is not passed (registered with course.extensions)."""
    if not state.module.quiz_required or state.quiz_passed or state.lessons_done < len(state.lessons):
        return None
    if getattr(state.module, "quiz", None) is None:
        return None
    url = reverse("course:module", args=[outline.course.slug, state.module.slug]) + "#quiz-title"
    return url, gettext("the quiz of %(module)s") % {"module": state.module.title}


@login_required
@require_POST
def start(request, quiz_id):
    quiz = get_object_or_404(selectors.quizzes_visible_to(request.user), pk=quiz_id)
    try:
        attempt, _ = services.attempt_start(request.user, quiz)
    except ModuleLocked as exc:
        return _locked(request, exc)
    except services.Conflict as exc:
        messages.error(request, str(exc))
        return redirect("course:module", quiz.module.course.slug, quiz.module.slug)
    return redirect("quizzes:attempt", attempt.pk)


def _attempt(request, attempt_id):
    return get_object_or_404(selectors.attempts_of(request.user), pk=attempt_id)


@login_required
def attempt_page(request, attempt_id):
    attempt = _attempt(request, attempt_id)
    try:
        module_require_open(request.user, attempt.quiz.module)
    except ModuleLocked as exc:
        return _locked(request, exc)
    step = selectors.current_step(attempt)
    if step.phase == "done":
        return redirect("quizzes:result", attempt.pk)
    return render(request, "attune/quizzes/attempt.html", {"attempt": attempt, "step": step, "quiz": attempt.quiz})


def _error_page(request, attempt, error, status, form=None):
    """Show the step again with what went wrong, keeping the text the trainee sent."""
    attempt.refresh_from_db()
    step = selectors.current_step(attempt)
    if step.phase == "done":
        return redirect("quizzes:result", attempt.pk)
    context = {
        "attempt": attempt,
        "step": step,
        "quiz": attempt.quiz,
        "error": error,
        "posted_text": request.POST.get("text", ""),
        "form": form,
    }
    return render(request, "attune/quizzes/attempt.html", context, status=status)


@login_required
@require_POST
def write_reply(request, attempt_id):
    attempt = _attempt(request, attempt_id)
    form = forms.ReplyForm(request.POST)
    if not form.is_valid():
        return _error_page(request, attempt, error_text(form.errors), 400, form)
    try:
        services.attempt_write_reply(attempt, form.cleaned_data["item"], form.cleaned_data["text"])
    except ModuleLocked as exc:
        return _locked(request, exc)
    except ValidationError as exc:
        return _error_page(request, attempt, error_text(exc), 400, form)
    except services.Conflict as exc:
        return _error_page(request, attempt, str(exc), 409)
    return redirect("quizzes:attempt", attempt.pk)


@login_required
@require_POST
def answer(request, attempt_id):
    attempt = _attempt(request, attempt_id)
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        return _error_page(request, attempt, error_text(form.errors), 400, form)
    data = form.cleaned_data
    try:
        outcome = services.attempt_answer(
            attempt, data["item"], data["step"], data["option"], data["confidence"], data["seconds"]
        )
    except ModuleLocked as exc:
        return _locked(request, exc)
    except ValidationError as exc:
        return _error_page(request, attempt, error_text(exc), 400, form)
    except services.Conflict as exc:
        return _error_page(request, attempt, str(exc), 409)
    return redirect("quizzes:feedback", attempt.pk, outcome.answer.pk)


@login_required
def feedback(request, attempt_id, answer_id):
    attempt = _attempt(request, attempt_id)
    answer = get_object_or_404(Answer.objects.select_related("item"), pk=answer_id, attempt=attempt)
    found = grading.answered_step(answer.item.steps, answer.step_path, answer.option_id)
    if found is None:  # the item was rewritten since: its history is on the result page
        return redirect("quizzes:result" if not attempt.is_open else "quizzes:attempt", attempt.pk)
    step, chosen = found
    attempt.refresh_from_db()
    move = selectors.session_move(answer.item, answer.step_path, answer.option_id)
    next_step = chosen.get("next")
    if move is not None:  # a session: the next line follows from the state, not from the option
        next_step = {"client_reply": move.next_line} if move.next_line else None
    written = FreeReply.objects.filter(attempt=attempt, item=answer.item).values_list("text", flat=True).first()
    harmful = answer.grade == grading.HARMFUL
    shows, breaks = selectors.option_dimension_names(answer.item.course_id, chosen)
    return render(
        request,
        "attune/quizzes/feedback.html",
        {
            "attempt": attempt,
            "answer": answer,
            "item": answer.item,
            "chosen": chosen,
            "best": grading.best_option(step),
            "next_step": next_step,
            "move": move,
            "panels": extensions.feedback_panels(request, answer.item) if not answer.step_path else "",
            "show_state": attempt.quiz.show_state,
            "grade_label": grading.GRADE_LABELS[answer.grade],
            "finished": not attempt.is_open,
            "written": written,
            "cannot_pass": harmful and attempt.quiz.harmful_fails,
            "shows": shows,
            "breaks": breaks,
            "others": [
                {**o, "label": grading.GRADE_LABELS[o["grade"]]} for o in step["options"] if o["id"] != chosen["id"]
            ],
        },
    )


@login_required
def result(request, attempt_id):
    attempt = _attempt(request, attempt_id)
    if attempt.is_open:
        return redirect("quizzes:attempt", attempt.pk)
    quiz = attempt.quiz
    summary = selectors.attempt_result(attempt, quiz)
    reflection = getattr(attempt, "reflection", None)
    # The instructor's score per criterion of the rubric, in the rubric's order (shown with their comment).
    saved = (reflection.rubric_scores or {}) if reflection else {}
    rubric_scores = [(c, saved.get(c)) for c in (quiz.reflection_rubric or [])] if saved else []
    course_id = quiz.module.course_id
    skills, dimensions = selectors.skill_names([course_id]), selectors.dimension_names([course_id])
    review = selectors.attempt_review(attempt)
    opened = []
    if summary.passed:  # link onward to the modules this pass opened
        outline = course_outline(request.user, quiz.module.course)
        opened = [
            state.module
            for state in outline.modules
            if not state.locked and any(p.pk == quiz.module_id for p in state.module.prerequisite_list)
        ]
    return render(
        request,
        "attune/quizzes/result.html",
        {
            "attempt": attempt,
            "quiz": quiz,
            "summary": summary,
            "reflection": reflection,
            "skills": [(skills.get((course_id, key), key), n) for key, n in sorted(summary.by_skill.items())],
            "dimensions": [
                (dimensions.get((course_id, key), key), n) for key, n in sorted(summary.by_dimension.items())
            ],
            "review": review,
            "branching": list(
                {line.item.pk: line.item for line in review if grading.has_branches(line.item.steps)}.values()
            ),
            "sessions": selectors.session_summaries(attempt),
            "labels": grading.GRADE_LABELS,
            "opened": opened,
            "pass_mark": round(100 * quiz.pass_threshold),
            "rubric_scores": rubric_scores,
            "rubric_total": sum(v for _, v in rubric_scores if v is not None),
            "rubric_maximum": 2 * len(rubric_scores),  # 0-2 a criterion (instructor.forms.RUBRIC_MAX)
        },
    )


@login_required
@require_POST
def save_reflection(request, attempt_id):
    attempt = _attempt(request, attempt_id)
    form = forms.ReflectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form.errors))
        return redirect("quizzes:result", attempt.pk)
    try:
        services.reflection_save(attempt, form.cleaned_data["text"], form.cleaned_data["shared"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("quizzes:result", attempt.pk)
    except services.Conflict as exc:
        messages.error(request, str(exc))
        return redirect("quizzes:attempt", attempt.pk)
    messages.success(request, gettext("Your reflection is saved."))
    return redirect("quizzes:result", attempt.pk)


@login_required
def session_replay(request, item_id):
    """Replay a session the trainee has finished, unscored: nothing is written."""
    item = get_object_or_404(selectors.sessions_replayable_by(request.user), pk=item_id)
    form = forms.ReplayForm(request.GET)
    if not form.is_valid():
        return render(request, "attune/quizzes/replay.html", {"item": item, "errors": form.errors}, status=400)
    path = form.cleaned_data["path"] or ""
    if not sessions.is_session(item.steps):
        return _branch_replay(request, item, path)
    try:
        step = grading.step_at(item.steps, path)
    except grading.StepNotFound:
        summary = selectors.session_summary(item, sessions.split_path(path), "replay")
        if summary is None:
            return render(
                request, "attune/quizzes/replay.html", {"item": item, "errors": {"path": ["leads nowhere"]}}, status=400
            )
        return render(request, "attune/quizzes/replay.html", {"item": item, "summary": summary, "path": path})
    return render(
        request,
        "attune/quizzes/replay.html",
        {
            "item": item,
            "step": step,
            "options": _replay_options(request, item, step, path),
            "path": path,
            # The first step is the item's own steps, which carry no client_reply: the statement opens it.
            "client_line": step.get("client_reply") or item.client_statement,
        },
    )


def _replay_options(request, item, step, path) -> list[dict]:
    # Shuffled (stable for this trainee), so the order of the links never hints at the best reply.
    options = grading.shuffled_options(step, request.user.pk, item.slug, path)
    return [{**option, "path": grading.child_path(path, option["id"])} for option in options]


def _branch_replay(request, item, path):
    """A branching item replayed: every pick so far with its grade and reason, then the client's
    next line, or the end of that branch with a way back to try another reply."""
    try:
        picks, step = grading.replay_walk(item.steps, path)
    except grading.StepNotFound:
        return render(
            request, "attune/quizzes/replay.html", {"item": item, "errors": {"path": ["leads nowhere"]}}, status=400
        )
    walked = [
        {"client_line": line or item.client_statement, "option": option, "label": grading.GRADE_LABELS[option["grade"]]}
        for line, option in picks
    ]
    context = {"item": item, "tree": True, "walked": walked, "path": path, "back": grading.parent_path(path)}
    if step is not None:
        context.update(
            step=step,
            options=_replay_options(request, item, step, path),
            client_line=step.get("client_reply") or item.client_statement,
        )
    return render(request, "attune/quizzes/replay.html", context)
