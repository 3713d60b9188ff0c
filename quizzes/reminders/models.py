"""Reminders: each trainee's preferences, the reminder ledger (the outbox) and in-app notifications."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReminderPreference(models.Model):
    """When and how a trainee wants to be reminded. `next_reminder_at` (UTC) is what the sweep reads."""

    DAILY, WEEKLY, OFF = "daily", "weekly", "off"
    FREQUENCIES = [(DAILY, "Daily"), (WEEKLY, "Weekly"), (OFF, "Off")]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="reminder_preference"
    )
    time_zone = models.CharField(max_length=64, default="UTC", help_text="IANA name, e.g. Europe/London.")
    time_zone_chosen = models.BooleanField(
        default=False, help_text="The trainee chose the zone; until then the zone of the device they log in on is used."
    )
    reminder_time = models.TimeField(help_text="Local time of day for the reminder.")
    quiet_start = models.TimeField(null=True, blank=True, help_text="Local; may be later than quiet_end.")
    quiet_end = models.TimeField(null=True, blank=True)
    email_enabled = models.BooleanField(default=True)
    in_app_enabled = models.BooleanField(default=True)
    frequency = models.CharField(max_length=8, choices=FREQUENCIES, default=DAILY)
    paused_until = models.DateField(null=True, blank=True, help_text="No reminders up to and including this date.")
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    ignored_in_a_row = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=["daily", "weekly", "off"]), name="reminder_preference_frequency_valid"
            ),
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="reminder_preference_quiet_hours_paired",
            ),
        ]
        indexes = [models.Index(fields=["next_reminder_at", "user"], name="reminder_pref_next_user")]

    def __str__(self) -> str:
        return f"Reminders for {self.user}: {self.frequency} at {self.reminder_time} {self.time_zone}"


class Reminder(models.Model):
    """The reminder ledger and outbox: at most one row per trainee, kind and local date, so at
    most one send. A committed 'planned' row is a send owed, whether or not a broker message for
    it exists: the relay re-enqueues rows whose message is overdue (`message_due_at`)."""

    REVIEW_DIGEST = "review_digest"
    KINDS = [(REVIEW_DIGEST, "Reviews due")]
    PLANNED, SENDING, SENT, SKIPPED, FAILED = "planned", "sending", "sent", "skipped", "failed"
    # ambiguous: a send began and its worker died (or hit its time limit) before the outcome was
    # written; it may have gone, so it is never resent. abandoned: the same, from before per-email claims.
    AMBIGUOUS, ABANDONED = "ambiguous", "abandoned"
    STATUSES = [(s, s.capitalize()) for s in (PLANNED, SENDING, SENT, SKIPPED, FAILED, AMBIGUOUS, ABANDONED)]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=KINDS, default=REVIEW_DIGEST)
    local_date = models.DateField(help_text="The trainee's own date when it was planned.")
    status = models.CharField(max_length=10, choices=STATUSES, default=PLANNED)
    sweep = models.UUIDField(help_text="The sweep that planned it: only that sweep enqueues it.")
    due_count = models.PositiveIntegerField(default=0)
    planned_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    message_due_at = models.DateTimeField(
        null=True, blank=True, help_text="When the latest broker message for it should run; the relay resends after."
    )
    claim = models.UUIDField(null=True, blank=True, help_text="The send that claimed it (conditional UPDATE).")
    detail = models.CharField(max_length=200, blank=True, default="", help_text="Why skipped or failed (no PII).")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "local_date"], name="reminder_one_per_user_kind_day"),
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["status", "message_due_at"], name="reminder_status_message_due"),
            models.Index(fields=["sweep"]),
            models.Index(fields=["claim"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user} on {self.local_date}: {self.status}"


class Notification(models.Model):
    """An in-app notification. Counts and a link only, never scenario or reflection text."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    reminder = models.OneToOneField(
        Reminder, on_delete=models.SET_NULL, null=True, blank=True, related_name="notification"
    )
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=500, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # The event a notification announces, where one event must notify once however many
    # requests race to announce it (six identical concurrent scores: one notification).
    event_key = models.CharField(max_length=100, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["user", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event_key"],
                condition=models.Q(event_key__isnull=False),
                name="attune_notification_one_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} for {self.user}"
