"""Reads of reminders: a trainee's notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Notification


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
