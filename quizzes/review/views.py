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
from . import selectors, services
from .models import ReviewLog


def course_panel(request, outline) -> str:
    """ "N reviews due" on the course page (registered with course.extensions)."""
    if not request.user.is_authenticated:
        return ""
    due = selectors.due_count(request.user, course=outline.course)
    return render_to_string("attune/review/_course_panel.html", {"due": due}, request=request)


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())


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
    post = request.POST
    confidence = post.get("confidence", "")
    card_id = _whole(post.get("card", ""))
    try:
        outcome = services.review_submit(
            request.user,
            card_id if card_id is not None else -1,
            post.get("key", ""),
            post.get("option", ""),
            _whole(confidence) if _whole(confidence) is not None else confidence or None,
            _seconds(post.get("seconds", "")),
            post.get("review_id", ""),
        )
    except services.CardNotFound:
        raise Http404("No such review card.")
    except ValidationError as exc:
        return _session_error(request, _errors(exc), 400)
    except quiz_services.Conflict as exc:
        return _session_error(request, str(exc), 409)
    return redirect("review:feedback", outcome.log.client_id)


def _whole(value: str) -> int | None:
    """A form's whole number, or None ('²' passes str.isdigit() but not int())."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _seconds(value: str) -> float | None:
    """The answer time the page measured, or None when it is missing or not a sensible number."""
    try:
        seconds = float(value) if value.isascii() else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds <= 86400 else None


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
