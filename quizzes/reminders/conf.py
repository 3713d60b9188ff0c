"""The reminders app's settings, read lazily with their defaults in one place (ATTUNE_*)."""

from datetime import time

from django.conf import settings


class _Settings:
    def _get(self, name: str, default):
        return getattr(settings, f"ATTUNE_{name}", default)

    @property
    def REMINDER_BATCH_SIZE(self) -> int:
        """Trainees per keyset batch of the planning sweep."""
        return int(self._get("REMINDER_BATCH_SIZE", 10_000))

    @property
    def REMINDER_ENQUEUE_CHUNK(self) -> int:
        """send_reminder calls per broker message (Celery chunks)."""
        return int(self._get("REMINDER_ENQUEUE_CHUNK", 100))

    @property
    def REMINDER_DEFAULT_TIME(self) -> time:
        return self._get("REMINDER_DEFAULT_TIME", time(18, 0))

    @property
    def REMINDER_DEFAULT_QUIET_HOURS(self) -> tuple[time, time] | None:
        return self._get("REMINDER_DEFAULT_QUIET_HOURS", (time(21, 0), time(8, 0)))

    @property
    def REMINDER_DEFAULT_TIME_ZONE(self) -> str:
        return self._get("REMINDER_DEFAULT_TIME_ZONE", settings.TIME_ZONE)

    @property
    def REMINDER_MAX_RETRIES(self) -> int:
        return int(self._get("REMINDER_MAX_RETRIES", 5))

    @property
    def REMINDER_RETRY_BASE_SECONDS(self) -> float:
        return float(self._get("REMINDER_RETRY_BASE_SECONDS", 30))

    @property
    def REMINDER_RETRY_MAX_SECONDS(self) -> float:
        return float(self._get("REMINDER_RETRY_MAX_SECONDS", 1800))

    @property
    def REMINDER_SENDING_TIMEOUT_MINUTES(self) -> int:
        """A row still 'sending' after this long (its worker died or hit the hard time limit) is
        marked ambiguous and never resent. Keep it above the send task's hard time limit."""
        return int(self._get("REMINDER_SENDING_TIMEOUT_MINUTES", 30))

    @property
    def REMINDER_RELAY_AFTER_SECONDS(self) -> int:
        """A planned row whose broker message should have run this long ago is re-enqueued by the
        relay (a lost message, a failed enqueue, Redis restarted without persistence)."""
        return int(self._get("REMINDER_RELAY_AFTER_SECONDS", 600))

    @property
    def REMINDER_RELAY_LIMIT(self) -> int:
        """Rows the relay re-enqueues per sweep at most (the rest at the next)."""
        return int(self._get("REMINDER_RELAY_LIMIT", 20_000))

    @property
    def REMINDER_SEND_SOFT_TIME_LIMIT(self) -> int:
        """Seconds a send task may run before it stops its batch (the rest are re-enqueued)."""
        return int(self._get("REMINDER_SEND_SOFT_TIME_LIMIT", 240))

    @property
    def REMINDER_SEND_TIME_LIMIT(self) -> int:
        """Seconds before the worker kills a send task outright (its in-flight row ends ambiguous)."""
        return int(self._get("REMINDER_SEND_TIME_LIMIT", 300))

    @property
    def REMINDER_PLAN_SOFT_TIME_LIMIT(self) -> int:
        return int(self._get("REMINDER_PLAN_SOFT_TIME_LIMIT", 240))

    @property
    def REMINDER_PLAN_TIME_LIMIT(self) -> int:
        return int(self._get("REMINDER_PLAN_TIME_LIMIT", 280))

    @property
    def REMINDER_STALE_HOURS(self) -> int:
        """A planned reminder not sent within this many hours is skipped rather than sent late."""
        return int(self._get("REMINDER_STALE_HOURS", 6))

    @property
    def REMINDER_IGNORED_BEFORE_WEEKLY(self) -> int:
        """After this many reminders ignored in a row, remind weekly instead of daily."""
        return int(self._get("REMINDER_IGNORED_BEFORE_WEEKLY", 7))

    @property
    def SITE_URL(self) -> str:
        return str(self._get("SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


app_settings = _Settings()
