"""Instructors' pages: thin views over quizzes.instructor.selectors and services.

Every view re-reads the cohorts the user teaches (no caching), so access follows membership
on the very next request. A user who teaches nothing gets 403; a cohort, trainee or reflection
outside what the instructor teaches is a 404.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from ..services import Conflict
from ..validators import error_dict, error_text
from . import charts, csvexport, rules, selectors, services
from .conf import app_settings
from .forms import DashboardQueryForm, ReflectionScoreForm
from .signals import remember_teaching


def instructor_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        teaches = selectors.is_instructor(request.user)
        remember_teaching(request, teaches)
        if not teaches:
            raise PermissionDenied("These pages are for instructors.")
        return view(request, *args, **kwargs)

    return wrapped


def _query(request, modules):
    form = DashboardQueryForm(request.GET, {m.slug for m in modules})
    return (form.query, None) if form.is_valid() else (None, error_dict(form.errors))


@instructor_required
@require_safe
def cohort_list(request):
    cohorts = list(selectors.cohorts_taught_by(request.user))
    waiting = selectors.unscored_reflection_counts(request.user, cohorts)
    rows = [(cohort, waiting.get(cohort.pk, 0)) for cohort in cohorts]
    return render(request, "attune/instructor/cohort_list.html", {"cohorts": cohorts, "rows": rows})


SORT_LABELS = {
    "name": gettext_lazy("Name"),
    "-last_activity": gettext_lazy("Most recently active"),
    "last_activity": gettext_lazy("Longest inactive"),
    "-risk": gettext_lazy("Most risk reasons"),
    "-overdue": gettext_lazy("Most overdue reviews"),
    "progress": gettext_lazy("Least progress"),
    "-progress": gettext_lazy("Most progress"),
}


# The order a column heading gives when no choice of the form names it.
SORT_WORDS = {
    "name": gettext_lazy("Name in reverse"),
    "risk": gettext_lazy("Fewest risk reasons"),
    "overdue": gettext_lazy("Fewest overdue reviews"),
}


def _filter_summary(query: rules.DashboardQuery | None, modules) -> str:
    """One line saying what the folded filter form does now, e.g. 'Filters: all trainees, sorted by name'."""
    if query is None:
        return gettext("Filters: some could not be used")
    parts = []
    if query.q:
        parts.append(gettext("name contains “%(text)s”") % {"text": query.q})
    parts.append(
        {"at_risk": gettext("at risk only"), "on_track": gettext("on track only")}.get(
            query.risk, gettext("all trainees")
        )
    )
    module = next((m for m in modules if m.slug == query.module), None)
    if module and query.status:
        parts.append(gettext("module %(order)s %(status)s") % {"order": module.order, "status": query.status.lower()})
    order = SORT_LABELS.get(query.sort_param) or SORT_WORDS.get(query.sort_param.lstrip("-"), query.sort_param)
    parts.append(gettext("sorted by %(order)s") % {"order": str(order).lower()})
    return gettext("Filters: %(parts)s") % {"parts": ", ".join(parts)}


def _dashboard_page(request, cohort, modules, errors, board=None):
    current = board.query.sort_param if board else "name"
    page = board.page if board else None
    context = {
        "page": page,
        "cohort": cohort,
        "modules": modules,
        "errors": errors,
        "params": request.GET,
        "board": board,
        "statuses": rules.STATUSES,
        "sort_choices": list(SORT_LABELS.items()),
        # A column heading sorts by it, and a second click reverses the order.
        "next_sort": {s: f"-{s}" if current == s else s for s in rules.SORTS},
        # The form folds away unless a filter is on (or one failed), so the grid starts on a phone's first screen.
        "filter_summary": _filter_summary(board.query if board else None, modules),
        "filters_open": bool(errors) or bool(board and board.query.filtered),
        "unscored": selectors.unscored_reflection_counts(request.user, [cohort]).get(cohort.pk, 0),
    }
    return render(request, "attune/instructor/dashboard.html", context, status=400 if errors else 200)


@instructor_required
@require_safe
def dashboard(request, cohort_id):
    cohort = selectors.cohort_for(request.user, cohort_id)
    modules = selectors.course_modules(cohort)
    query, errors = _query(request, modules)
    if errors:
        return _dashboard_page(request, cohort, modules, errors)
    return _dashboard_page(request, cohort, modules, None, selectors.cohort_dashboard(cohort, query, modules=modules))


def _csv_response(lines, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@instructor_required
@require_safe
def dashboard_csv(request, cohort_id):
    cohort = selectors.cohort_for(request.user, cohort_id)
    modules = selectors.course_modules(cohort)
    query, errors = _query(request, modules)
    if errors:
        return _dashboard_page(request, cohort, modules, errors)
    board = selectors.cohort_dashboard(cohort, query, modules=modules, paged=False)
    name = f"{slugify(cohort.name) or 'cohort'}-{timezone.localdate():%Y%m%d}.csv"
    return _csv_response(csvexport.csv_lines(csvexport.grid_header(board), csvexport.grid_rows(board)), name)


@instructor_required
@require_safe
def cohort_charts(request, cohort_id):
    cohort = selectors.cohort_for(request.user, cohort_id)
    modules = selectors.course_modules(cohort)
    board = selectors.cohort_dashboard(cohort, modules=modules, paged=False)
    table = [
        (row.name, [row.skills[skill].share if skill in row.skills else None for skill in board.skills])
        for row in board.rows
    ]
    values = {(r, c): share for r, (_, shares) in enumerate(table) for c, share in enumerate(shares)}
    completion = selectors.completion_over_time(cohort, modules, board.total_trainees)
    return render(
        request,
        "attune/instructor/charts.html",
        {
            "cohort": cohort,
            "board": board,
            "heat_map": charts.heat_map(
                [r.name for r in board.rows],
                [board.skill_label(s) for s in board.skills],
                values,
                chart_id="skills",
                title=gettext("Skill scores in %(name)s") % {"name": cohort.name},
            ),
            "completion_chart": charts.line_chart(
                completion,
                chart_id="completion",
                title=gettext("Completion over time in %(name)s") % {"name": cohort.name},
            ),
            "completion": completion,
            # The table lists the days the share moved, not every day since the start.
            "completion_changes": [(name, charts.changes(points)) for name, points in completion.items()],
            "table": table,
        },
    )


@instructor_required
@require_safe
def trainee(request, cohort_id, user_id):
    cohort = selectors.cohort_for(request.user, cohort_id)
    person = selectors.trainee_of(cohort, user_id)
    detail = selectors.trainee_detail(request.user, cohort, person)
    return render(request, "attune/instructor/trainee.html", {"cohort": cohort, "detail": detail})


@instructor_required
@require_safe
def reflection_queue(request, cohort_id):
    cohort = selectors.cohort_for(request.user, cohort_id)
    queue = selectors.reflection_queue(request.user, cohort)
    return render(
        request,
        "attune/instructor/reflection_queue.html",
        {
            "cohort": cohort,
            "queue": queue,
            "unscored": sum(1 for r in queue if r.scored_at is None),
            "rows": [(r, selectors.display_name(r.author)) for r in queue],
        },
    )


def _after_scoring(request, cohort, item):
    """From the queue, on to the oldest reflection still waiting (or back to the queue when none is);
    otherwise back to the trainee's page."""
    saved = gettext("Score and comment saved; the trainee sees them with their result.")
    if request.POST.get("from") != "queue":
        messages.success(request, saved)
        return redirect("quizzes_instructor:trainee", cohort.pk, item.author_id)
    following = selectors.next_unscored(request.user, cohort, after=item)
    if following is None:
        messages.success(request, saved + " " + gettext("No other reflection is waiting for a score."))
        return redirect("quizzes_instructor:reflections", cohort.pk)
    messages.success(request, saved + " " + gettext("This is the next one waiting."))
    url = reverse("quizzes_instructor:reflection", args=[cohort.pk, following.pk])
    return redirect(f"{url}?from=queue")


@instructor_required
@require_http_methods(["GET", "POST"])
def reflection(request, cohort_id, reflection_id):
    cohort = selectors.cohort_for(request.user, cohort_id)
    item = selectors.reflection_for(request.user, cohort, reflection_id)
    rubric = list(item.attempt.quiz.reflection_rubric or [])
    error, status = None, 200
    if request.method == "POST":
        form = ReflectionScoreForm(rubric, request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            data = form.cleaned_data
            services.reflection_score(item, request.user, data["rubric_scores"], data["comment"])
        except ValidationError as exc:
            error, status = error_text(exc), 400
        except Conflict as exc:
            error, status = str(exc), 409
        else:
            return _after_scoring(request, cohort, item)
    # Every page that shows the text is an opening, a re-shown form after a bad score included.
    services.reflection_open(item, request.user)
    saved = item.rubric_scores or {}
    criteria = [
        {"index": i, "text": c, "score": request.POST.get(f"score-{i}") if error else saved.get(c)}
        for i, c in enumerate(rubric)
    ]
    return render(
        request,
        "attune/instructor/reflection.html",
        {
            "cohort": cohort,
            "reflection": item,
            "criteria": criteria,
            "total": sum(saved.values()) if saved else None,
            "maximum": services.RUBRIC_MAX * len(rubric),
            "error": error,
            "comment": request.POST.get("comment", "") if error else item.instructor_comment,
            "author_name": selectors.display_name(item.author),
            "from_queue": (request.POST if request.method == "POST" else request.GET).get("from") == "queue",
        },
        status=status,
    )


@instructor_required
@require_safe
def quiz_list(request, cohort_id):
    cohort = selectors.cohort_for(request.user, cohort_id)
    return render(
        request,
        "attune/instructor/quiz_list.html",
        {
            "cohort": cohort,
            "summaries": selectors.quiz_summaries(cohort),
            "small_sample": app_settings.SMALL_SAMPLE_ATTEMPTS,
        },
    )


@instructor_required
@require_safe
def item_analysis(request, cohort_id, quiz_id):
    cohort = selectors.cohort_for(request.user, cohort_id)
    analysis = selectors.item_analysis(cohort, selectors.quiz_for(cohort, quiz_id))
    return render(request, "attune/instructor/item_analysis.html", {"cohort": cohort, "analysis": analysis})


@instructor_required
@require_safe
def item_analysis_csv(request, cohort_id, quiz_id):
    cohort = selectors.cohort_for(request.user, cohort_id)
    quiz = selectors.quiz_for(cohort, quiz_id)
    analysis = selectors.item_analysis(cohort, quiz)
    name = f"items-{quiz.module.slug}-{slugify(cohort.name) or 'cohort'}.csv"
    return _csv_response(csvexport.csv_lines(csvexport.ITEM_HEADER, csvexport.item_rows(analysis)), name)
