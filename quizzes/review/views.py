"""Review sessions, feedback and skills: thin views."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from .. import services as quiz_services
from ..validators import error_text
from . import selectors, services
from .forms import ReviewAnswerForm
from .models import ReviewLog


def course_panel(request, outline) -> str:
    """ "N reviews due" on the course page (registered with course.extensions)."""
    if not request.user.is_authenticated:
        return ""
    due = selectors.due_count(request.user, course=outline.course)
    return render_to_string("attune/review/_course_panel.html", {"due": due}, request=request)


@login_required
def session(request):
    prompt = selectors.next_review(request.user)
    return render(
        request,
        "attune/review/session.html",
        {"prompt": prompt, "review_id": uuid.uuid4(), "error": request.GET.get("error")},
    )


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
    context = {"prompt": prompt, "review_id": uuid.uuid4(), "error": error}
    return render(request, "attune/review/session.html", context, status=status)


@login_required
def feedback(request, review_id):
    log = get_object_or_404(ReviewLog.objects.select_related("item"), client_id=review_id, user=request.user)
    outcome = services.stored_outcome(log)
    return render(
        request,
        "attune/review/feedback.html",
        {"outcome": outcome, "due_left": selectors.due_count(request.user)},
    )


@login_required
def mastery(request):
    return render(request, "attune/review/mastery.html", {"skills": selectors.mastery_by_skill(request.user)})
