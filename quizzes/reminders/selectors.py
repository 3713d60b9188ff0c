"""Reads of reminders: a trainee's notifications."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from course.prepared import Prepared

from .models import Notification


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


# The nav's count on every page, compiled once (course/prepared.py): one row, or none for no unread.
_UNREAD = Prepared(
    lambda user_id: (
        Notification.objects.filter(user_id=user_id, read_at__isnull=True)
        .values("user_id")
        .annotate(n=Count("*"))
        .values_list("n")
    ),
    int,
)


def unread_count(user) -> int:
    rows = _UNREAD.rows(user.pk)
    return rows[0][0] if rows else 0


def unread_count_for_request(request) -> int:
    """unread_count, counted once per request (the nav and the home page both show it)."""
    cached = getattr(request, "_attune_unread", None)
    if cached is None:
        cached = request._attune_unread = unread_count(request.user)
    return cached


def unread_latest(user, limit: int = 3) -> list[Notification]:
    return list(notifications_of(user).filter(read_at__isnull=True).only("title", "body", "link", "created_at")[:limit])
