"""What reminders hold about a trainee, for the privacy registry in course.privacy. All of it is
deleted on erasure; a send already queued for a deleted reminder finds no row and does nothing."""

from django.utils.translation import gettext_lazy as _

from course.privacy import ModelPrivacy, register

FOR_ACCOUNT = "as long as the account exists"


def register_reminders() -> None:
    register(
        ModelPrivacy(
            model="attune_reminders.ReminderPreference",
            kind="reminder_preferences",
            description=_("Your reminder settings"),
            subject="user_id",
            retention=FOR_ACCOUNT,
            personal={
                "user": "whose settings",
                "time_zone": "when your reminder goes out",
                "time_zone_chosen": "whether you chose the zone",
                "reminder_time": "your settings",
                "quiet_start": "your settings",
                "quiet_end": "your settings",
                "email_enabled": "your settings",
                "in_app_enabled": "your settings",
                "frequency": "your settings",
                "paused_until": "your settings",
                "unsubscribed_at": "your opt-out",
                "next_reminder_at": "planning",
                "last_reminded_at": "planning",
                "last_reviewed_at": "no reminder on a day you reviewed",
                "ignored_in_a_row": "falling back to weekly",
                "updated_at": "history",
            },
        ),
        ModelPrivacy(
            model="attune_reminders.Reminder",
            kind="reminders",
            description=_("Reminders planned and sent to you"),
            subject="user_id",
            retention=FOR_ACCOUNT,
            personal={
                "user": "whom it is for",
                "kind": "what it reminds of",
                "local_date": "one a day",
                "status": "sent, skipped or failed",
                "due_count": "reviews due",
                "planned_at": "history",
                "claimed_at": "history",
                "finished_at": "history",
                "attempts": "retries",
                "detail": "why it was skipped or failed",
            },
            not_personal={
                "sweep": "the planning run's random id",
                "claim": "the send's random id",
            },
        ),
        ModelPrivacy(
            model="attune_reminders.Notification",
            kind="notifications",
            description=_("Your notifications"),
            subject="user_id",
            retention=FOR_ACCOUNT,
            personal={
                "user": "whom it is for",
                "reminder": "the reminder it came with",
                "title": "what it says",
                "body": "what it says",
                "link": "where it leads",
                "created_at": "history",
                "read_at": "unread count",
            },
            not_personal={"event_key": "a hash naming the event, so a concurrent repeat notifies once"},
        ),
    )
