"""Review sessions, feedback and skills: thin views."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .. import services as quiz_services
from ..validators import error_text
from . import selectors, services
from .forms import AheadForm, PracticeForm, ReactionForm, ReviewAnswerForm, UndoForm
from .models import ReviewLog


def course_panel(request, outline) -> str:
    """ "N reviews due" on the course page (registered with course.extensions)."""
    if not request.user.is_authenticated:
        return ""
    due = selectors.due_count(request.user, course=outline.course)
    return render_to_string("attune/review/_course_panel.html", {"due": due}, request=request)


def reaction_panel(request, item) -> str:
    """Under an answer's feedback: how hard did this client feel? (registered with quizzes.extensions)."""
    if not request.user.is_authenticated:
        return ""
    context = {
        "item": item,
        "next": request.get_full_path(),
        "level": selectors.level_of(request.user.pk, item.course_id, item.skill),
    }
    return render_to_string("attune/review/_reaction.html", context, request=request)


@login_required
@require_POST
def react(request):
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
        )
    item = get_object_or_404(selectors.items_answered_by(request.user), pk=form.cleaned_data["item"])
    row = services.level_react(request.user, item, form.cleaned_data["reaction"])
    messages.success(
        request, gettext("Thank you. Your practice level in this skill is now %(level)s.") % {"level": row.level}
    )
    target = form.cleaned_data["next"]
    return redirect(
        target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "review:mastery"
    )


def _forecast_context(user) -> dict:
    forecast = selectors.due_forecast(user)
    days = [{"day": day, "n": n} for day, n in forecast]
    return {"days": days, "peak": max((n for _, n in forecast), default=0) or 1}


def _session_context(request, prompt, error=None) -> dict:
    context = {"prompt": prompt, "review_id": uuid.uuid4(), "error": error}
    if prompt is None:  # nothing due: the week ahead, and practice ahead if there is anything to practise
        context.update(_forecast_context(request.user), has_cards=selectors.has_cards(request.user))
    return context


@login_required
def session(request):
    prompt = selectors.next_review(request.user)
    return render(request, "attune/review/session.html", _session_context(request, prompt))


@login_required
@require_POST
def answer(request):
    form = ReviewAnswerForm(request.POST)
    if not form.is_valid():
        return _session_error(request, error_text(form.errors), 400)
    data = form.cleaned_data
    try:
        outcome = services.review_submit(
            request.user,
            data["card"] if data["card"] is not None else -1,
            data["key"],
            data["option"],
            data["confidence"],
            data["seconds"],
            data["review_id"],
        )
    except services.CardNotFound:
        raise Http404("No such review card.")
    except ValidationError as exc:
        return _session_error(request, error_text(exc), 400)
    except quiz_services.Conflict as exc:
        return _session_error(request, str(exc), 409)
    return redirect("review:feedback", outcome.log.client_id)


def _session_error(request, error: str, status: int):
    prompt = selectors.next_review(request.user)
    return render(request, "attune/review/session.html", _session_context(request, prompt, error), status=status)


@login_required
def feedback(request, review_id):
    log = get_object_or_404(ReviewLog.objects.select_related("item"), client_id=review_id, user=request.user)
    outcome = services.stored_outcome(log)
    return render(
        request,
        "attune/review/feedback.html",
        {
            "outcome": outcome,
            "due_left": selectors.due_count(request.user),
            "can_undo": bool(log.before) and selectors.latest_review_id(request.user) == log.client_id,
            "reaction": reaction_panel(request, log.item) if log.item is not None else "",
        },
    )


@login_required
@require_POST
def undo(request):
    form = UndoForm(request.POST)
    if not form.is_valid():
        return _session_error(request, error_text(form.errors), 400)
    try:
        services.review_undo(request.user, form.cleaned_data["review_id"])
    except services.NothingToUndo as exc:
        return _session_error(request, str(exc), 409)
    messages.success(request, gettext("Review undone: the card is back as it was before, due again."))
    return redirect("review:session")


@login_required
def ahead(request):
    """Practice ahead when nothing is due (unscored). With reviews due, the scored session comes first."""
    form = AheadForm(request.GET)
    after = form.cleaned_data["after"] if form.is_valid() else None
    if selectors.due_count(request.user):
        return redirect("review:session")
    prompt = selectors.next_ahead(request.user, after)
    return render(request, "attune/review/ahead.html", {"prompt": prompt, "error": None})


@login_required
@require_POST
def ahead_answer(request):
    form = PracticeForm(request.POST)
    if not form.is_valid():
        return _ahead_error(request, error_text(form.errors))
    data = form.cleaned_data
    try:
        outcome = services.practice_outcome(
            request.user, data["card"] if data["card"] is not None else -1, data["key"], data["option"]
        )
    except services.CardNotFound:
        raise Http404("No such review card.")
    except ValidationError as exc:
        return _ahead_error(request, error_text(exc))
    except quiz_services.Conflict as exc:
        return _ahead_error(request, str(exc), 409)
    # Nothing was written, so the feedback is the POST's own response (a reload repeats no write).
    return render(request, "attune/review/ahead_feedback.html", {"outcome": outcome})


def _ahead_error(request, error: str, status: int = 400):
    prompt = selectors.next_ahead(request.user)
    return render(request, "attune/review/ahead.html", {"prompt": prompt, "error": error}, status=status)


@login_required
def mastery(request):
    return render(request, "attune/review/mastery.html", {"skills": selectors.mastery_by_skill(request.user)})


def home_panel(request, outlines) -> str:
    """Reviews due now and the coming week's forecast on the trainee's home (registered with course.extensions)."""
    if not request.user.is_authenticated:
        return ""
    forecast = selectors.due_forecast(request.user)
    due_now = selectors.due_count(request.user)
    if not due_now and not any(n for _, n in forecast):
        return ""
    days = [{"day": day, "n": n} for day, n in forecast]
    peak = max((n for _, n in forecast), default=0) or 1
    context = {"due": due_now, "days": days, "peak": peak}
    return render_to_string("attune/review/_home_panel.html", context, request=request)
