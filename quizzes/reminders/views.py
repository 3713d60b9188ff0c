"""Reminder preferences, notifications and one-click unsubscribe: thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services, timing
from .forms import FIELD_LABELS, NotificationsReadForm, PreferenceForm
from .models import ReminderPreference


def course_panel(request, outline) -> str:
    """Unread notifications and reminder settings on the course page (registered with course.extensions)."""
    if not request.user.is_authenticated:
        return ""
    unread = selectors.unread_count_for_request(request)
    return render_to_string("attune/reminders/_course_panel.html", {"unread": unread}, request=request)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    pref = services.preference_ensure(request.user.pk)
    errors = {}
    form = PreferenceForm(request.POST) if request.method == "POST" else None
    if form is not None:
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            services.preference_update(request.user, form.cleaned_data)
        except ValidationError as exc:
            errors = {field: " ".join(msgs) for field, msgs in exc.message_dict.items()}
        else:
            messages.success(request, gettext("Your reminder preferences are saved."))
            return redirect("reminders:preferences")
    common, others = timing.zone_choices(pref.time_zone, timezone.now())
    return render(
        request,
        "attune/reminders/preferences.html",
        {
            "pref": pref,
            "form": request.POST if errors else None,  # the posted text, shown again as typed
            "preference_form": form,
            "errors": errors,
            # each error with the words its field is labelled with, linked to the field
            "error_list": [(field, FIELD_LABELS.get(field, field), message) for field, message in errors.items()],
            "frequencies": ReminderPreference.FREQUENCIES,
            "common_zones": common,
            "other_zones": others,
            "zone_in_words": timing.zone_words(pref.time_zone),
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
    form = NotificationsReadForm(request.POST)
    form.is_valid()  # always valid: ids that are not whole numbers mark nothing
    ids = form.cleaned_data["id"]
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
