"""Reminder preferences, notifications and one-click unsubscribe: thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services, timing
from .models import ReminderPreference


def course_panel(request, outline) -> str:
    """Unread notifications and reminder settings on the course page (registered with course.extensions)."""
    if not request.user.is_authenticated:
        return ""
    unread = selectors.unread_count_for_request(request)
    return render_to_string("attune/reminders/_course_panel.html", {"unread": unread}, request=request)


def _whole(value: str) -> int | None:
    """A form's whole number, or None ('²' passes str.isdigit() but not int())."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    pref = services.preference_ensure(request.user.pk)
    errors = {}
    if request.method == "POST":
        changes = {field: request.POST.get(field, "") for field in services.PREFERENCE_VALUE_FIELDS}
        for flag in services.PREFERENCE_FLAG_FIELDS:
            changes[flag] = request.POST.get(flag) == "on"
        try:
            services.preference_update(request.user, changes)
        except ValidationError as exc:
            errors = {field: " ".join(msgs) for field, msgs in exc.message_dict.items()}
        else:
            messages.success(request, gettext("Your reminder preferences are saved."))
            return redirect("reminders:preferences")
    return render(
        request,
        "attune/reminders/preferences.html",
        {
            "pref": pref,
            "form": request.POST if errors else None,
            "errors": errors,
            "frequencies": ReminderPreference.FREQUENCIES,
            "zones": timing.zone_names(),
        },
        status=400 if errors else 200,
    )


@login_required
def notifications(request):
    items = list(selectors.notifications_of(request.user)[:50])
    return render(
        request,
        "attune/reminders/notifications.html",
        {"notifications": items, "unread": selectors.unread_count(request.user)},  # all unread, not only those shown
    )


@login_required
@require_POST
def notifications_read(request):
    raw = request.POST.getlist("id")
    ids = [whole for whole in map(_whole, raw) if whole is not None] if raw else None
    services.notifications_mark_read(request.user, ids)
    return redirect("reminders:notifications")


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no session or CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    user_id = services.user_for_unsubscribe_token(token)
    if user_id is None:
        return render(request, "attune/reminders/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.unsubscribe(user_id)
        return render(request, "attune/reminders/unsubscribe.html", {"done": True})
    return render(request, "attune/reminders/unsubscribe.html", {"token": token})


def home_panel(request, outlines) -> str:
    """The newest unread notifications on the trainee's home (registered with course.extensions)."""
    if not request.user.is_authenticated:
        return ""
    unread = selectors.unread_count_for_request(request)
    latest = selectors.unread_latest(request.user) if unread else []
    return render_to_string("attune/reminders/_home_panel.html", {"unread": unread, "latest": latest}, request=request)
