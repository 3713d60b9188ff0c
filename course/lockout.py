"""What a locked-out login sees, when the host counts failed logins with django-axes.

The host points `AXES_LOCKOUT_CALLABLE` at `lockout_response`: one answer for every login route, a
page that says when to try again for people, a JSON 429 for API clients (the token endpoint). Only
imported when axes is installed.
"""

import math
from datetime import UTC, datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.db.models import Max, Sum
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

LOCKOUT_STATUS = 429  # Too Many Requests, with Retry-After: the same for the page and the API


def unlock_time(request: HttpRequest, credentials: dict | None) -> datetime | None:
    """When this request's lockout ends, or None for a lockout without a cool-off (an admin lifts it).

    The lock ends a cool-off after the last failure that counted; failures during the lockout do not
    count (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False), so the time does not move."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    handler = AxesProxyHandler.get_implementation()
    last = None
    if isinstance(handler, AxesDatabaseHandler):
        limit = get_failure_limit(request, credentials)
        # One queryset per lockout parameter (the username, the address): the later lock decides.
        for attempts in handler.get_user_attempts(request, credentials):
            found = attempts.aggregate(total=Sum("failures_since_start"), last=Max("attempt_time"))
            if (found["total"] or 0) >= limit and found["last"] and (last is None or found["last"] > last):
                last = found["last"]
    return (last or timezone.now()) + cool_off


def _wants_json(request: HttpRequest) -> bool:
    """A DRF view (the token endpoint) or a client that asks for JSON only."""
    view = getattr(getattr(request, "resolver_match", None), "func", None)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        try:
            from rest_framework.views import APIView
        except ImportError:  # the API is an optional part
            APIView = None
        if APIView is not None and issubclass(view_class, APIView):
            return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _whole_seconds(moment: datetime | None) -> datetime | None:
    """Rounded up, so "try again after" is never a moment too early."""
    if moment is None or not moment.microsecond:
        return moment
    return moment.replace(microsecond=0) + timedelta(seconds=1)


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None):
    unlock = unlock_time(request, credentials)
    seconds = max(1, math.ceil((unlock - timezone.now()).total_seconds())) if unlock else None
    retry_at = _whole_seconds(unlock)
    if _wants_json(request):
        stamp = retry_at.astimezone(UTC).isoformat().replace("+00:00", "Z") if retry_at else None
        if retry_at:
            detail = _("Too many failed login attempts. Try again after %(time)s.") % {"time": stamp}
        else:
            detail = _("Too many failed login attempts. Ask an administrator to unlock the account.")
        body = {"detail": detail, "code": "locked_out"}
        if retry_at:
            body.update(retry_at=stamp, retry_after=seconds)
        response = JsonResponse(body, status=LOCKOUT_STATUS)
    else:
        context = {"retry_at": retry_at, "minutes": math.ceil(seconds / 60) if seconds else None}
        response = render(request, "attune/course/lockout.html", context, status=LOCKOUT_STATUS)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


def bridge_drf_lockout(sender, request=None, **kwargs):
    """Axes flags the request it was given; for the API token endpoint that is DRF's Request wrapper,
    which the middleware never sees. Flag the Django request inside it too, so the token endpoint
    answers with the lockout response rather than the serializer's 400."""
    inner = getattr(request, "_request", None)
    if not isinstance(inner, HttpRequest) or inner is request:
        return
    AxesProxyHandler.update_request(inner)  # the address and time the lockout lookup needs
    inner.axes_locked_out = True
    inner.axes_credentials = getattr(request, "axes_credentials", None)


def connect_signals() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(bridge_drf_lockout, dispatch_uid="attune_axes_drf_lockout")
