"""Every write of reminders: preferences, unsubscribing, notifications, and what a review changes."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, PositiveSmallIntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from . import timing
from .conf import app_settings
from .forms import PAIR_ERROR, clean_changes
from .models import Notification, ReminderPreference

UNSUBSCRIBE_SALT = "attune.reminders.unsubscribe"


# ---------------------------------------------------------------- preferences


def _new_preference_values(now: datetime) -> dict:
    """A new trainee's preference: the programme's defaults, the first reminder at its next slot."""
    zone = app_settings.REMINDER_DEFAULT_TIME_ZONE
    at = app_settings.REMINDER_DEFAULT_TIME
    quiet = app_settings.REMINDER_DEFAULT_QUIET_HOURS or (None, None)
    return {
        "time_zone": zone,
        "reminder_time": at,
        "quiet_start": quiet[0],
        "quiet_end": quiet[1],
        "next_reminder_at": timing.first_slot(now, zone, at),
        "updated_at": now,
    }


def preference_ensure(user_id: int, now: datetime | None = None) -> ReminderPreference:
    now = now or timezone.now()
    pref, _ = ReminderPreference.objects.get_or_create(user_id=user_id, defaults=_new_preference_values(now))
    return pref


def preference_update(user, changes: dict, now: datetime | None = None) -> ReminderPreference:
    """Apply changes (any subset of the fields; the page's form or the API's serializer has
    cleaned them, and they pass the form's fields once more) and look at the trainee again from
    today's slot. Errors name the field; nothing is saved unless every field is valid."""
    now = now or timezone.now()
    pref = preference_ensure(user.pk, now)
    values = clean_changes(changes)
    quiet_start = values.get("quiet_start", pref.quiet_start)
    quiet_end = values.get("quiet_end", pref.quiet_end)
    if (quiet_start is None) != (quiet_end is None):  # one end sent, the other from before
        raise ValidationError({"quiet_end" if quiet_end is None else "quiet_start": str(PAIR_ERROR)})
    subscribed = values.pop("subscribed", None)
    # Only the columns this change owns: the sweep and reviews write last_* on the same row meanwhile.
    update_fields = [*values, "next_reminder_at", "updated_at"]
    if "time_zone" in values:
        pref.time_zone_chosen = True
        update_fields.append("time_zone_chosen")
    for field, value in values.items():
        setattr(pref, field, value)
    if subscribed is True:
        pref.unsubscribed_at = None
    elif subscribed is False and pref.unsubscribed_at is None:
        pref.unsubscribed_at = now
    if subscribed is not None:
        update_fields.append("unsubscribed_at")
    pref.next_reminder_at = timing.first_slot(now, pref.time_zone, pref.reminder_time)
    pref.updated_at = now
    pref.save(update_fields=update_fields)
    return pref


def preference_zone_from_device(user_id: int, zone: str, now: datetime | None = None) -> bool:
    """Use the zone of the trainee's device (seen at login) until they choose one themselves,
    so reminders come at a sensible local time from the start. Returns whether it changed."""
    try:
        timing.validate_zone(zone)
    except ValueError:
        return False  # a browser sent something odd: keep what we have
    now = now or timezone.now()
    pref = preference_ensure(user_id, now)
    if pref.time_zone_chosen or pref.time_zone == zone:
        return False
    pref.time_zone = zone
    pref.next_reminder_at = timing.first_slot(now, zone, pref.reminder_time)
    pref.updated_at = now
    pref.save(update_fields=["time_zone", "next_reminder_at", "updated_at"])
    return True


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps({"u": user_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_for_unsubscribe_token(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user_id = data.get("u") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, int) else None


def unsubscribe(user_id: int, now: datetime | None = None) -> bool:
    """Stop reminders for a trainee; True when this call changed anything. Idempotent."""
    now = now or timezone.now()
    if not get_user_model().objects.filter(pk=user_id).exists():
        return False  # the account was deleted after the email went out: nothing left to stop
    pref = preference_ensure(user_id, now)
    return bool(
        ReminderPreference.objects.filter(pk=pref.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=now, updated_at=now
        )
    )


def note_reviewed(user_id: int, reviewed_at: datetime, before: dict | None = None) -> None:
    """Mark the trainee reviewed (no reminder that day) unless a later review already did, making
    their preference first if they have none. With `before` (a spaced review, which can be undone),
    first write the values it replaces into it; without, it is one statement."""
    if before is None:
        _upsert_reviewed(user_id, reviewed_at)
        return
    preference_ensure(user_id, reviewed_at)
    newer = ReminderPreference.objects.filter(
        Q(last_reviewed_at__isnull=True) | Q(last_reviewed_at__lt=reviewed_at), user_id=user_id
    )
    # Locked, so the values read are the ones the update replaces.
    was = newer.select_for_update().values("last_reviewed_at", "ignored_in_a_row").first()
    if was is None:
        return
    last = was["last_reviewed_at"]
    before["reminders"] = {
        "last_reviewed_at": last.isoformat() if last else None,
        "ignored_in_a_row": was["ignored_in_a_row"],
    }
    newer.update(last_reviewed_at=reviewed_at, ignored_in_a_row=0)


def _upsert_reviewed(user_id: int, reviewed_at: datetime) -> None:
    """preference_ensure and the reviewed mark in one INSERT ... ON CONFLICT DO UPDATE (PostgreSQL
    and SQLite alike): a skill's first answer runs it, and it was four statements, five the first time.
    The new row is built by the model, so its columns and defaults are the ORM's."""
    new = ReminderPreference(
        user_id=user_id, **_new_preference_values(reviewed_at), last_reviewed_at=reviewed_at, ignored_in_a_row=0
    )
    fields = ReminderPreference._meta.concrete_fields
    table = connection.ops.quote_name(ReminderPreference._meta.db_table)
    columns = [connection.ops.quote_name(f.column) for f in fields]
    user, last, ignored = (connection.ops.quote_name(n) for n in ("user_id", "last_reviewed_at", "ignored_in_a_row"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608 (names from _meta)
            f"ON CONFLICT ({user}) DO UPDATE SET {last} = excluded.{last}, {ignored} = 0 "
            f"WHERE {table}.{last} IS NULL OR {table}.{last} < excluded.{last}",
            [f.get_db_prep_save(getattr(new, f.attname), connection) for f in fields],
        )


def note_review_undone(user_id: int, reviewed_at: datetime, was: dict | None) -> None:
    """Give back what an undone review's note_reviewed replaced, if nothing has moved it since: the
    "reviewed" mark (so that day's reminder is not skipped for a review that no longer exists) and,
    while still 0, the count of reminders ignored in a row."""
    if not was:
        return
    last = was["last_reviewed_at"]
    ReminderPreference.objects.filter(user_id=user_id, last_reviewed_at=reviewed_at).update(
        last_reviewed_at=datetime.fromisoformat(last) if last else None,
        ignored_in_a_row=Case(
            When(ignored_in_a_row=0, then=Value(was["ignored_in_a_row"])),
            default=F("ignored_in_a_row"),
            output_field=PositiveSmallIntegerField(),
        ),
    )


# ---------------------------------------------------------------- notifications


def notifications_mark_read(user, ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Mark some (or, with ids None, all) of the user's unread notifications read."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=now or timezone.now())


def notification_reflection_scored(reflection, at: datetime) -> Notification:
    """Tell the trainee in the app that their instructor answered their reflection (never the text).

    The event is the reflection with the scores and comment it now holds: identical scores sent
    at once race to one row, and the unique constraint (not a check) makes it so."""
    digest = hashlib.sha256(
        json.dumps([reflection.rubric_scores, reflection.instructor_comment], sort_keys=True).encode()
    ).hexdigest()[:32]
    key = f"reflection-scored:{reflection.pk}:{digest}"
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user_id=reflection.author_id,
                title=gettext("Your instructor responded to your reflection"),
                body=gettext("Open your quiz results to read their score and comment."),
                # Straight to the reflection's section, not the top of a long results page.
                link=reverse("quizzes:result", args=[reflection.attempt_id]) + "#reflection",
                created_at=at,
                event_key=key,
            )
    except IntegrityError:
        return Notification.objects.get(user_id=reflection.author_id, event_key=key)
