"""The quizzes app's settings, read lazily with their defaults in one place (ATTUNE_*).

Bad values fail loudly where they are read (desired retention outside 0.70-0.97 is refused by
quizzes.scheduling), so a typo in settings never schedules reviews silently wrong.
"""

from datetime import time

from django.conf import settings


class _Settings:
    def _get(self, name: str, default):
        return getattr(settings, f"ATTUNE_{name}", default)

    @property
    def REVIEW_DESIRED_RETENTION(self) -> float:
        """FSRS's target probability of recall when a card comes due (0.70-0.97)."""
        return self._get("REVIEW_DESIRED_RETENTION", 0.9)

    @property
    def REVIEW_LEARNING_STEPS_MINUTES(self) -> tuple[int, ...]:
        """Empty by default: reviews and reminders run by the day, so a card goes straight to
        day-long intervals instead of coming back in 1 and 10 minutes."""
        return tuple(self._get("REVIEW_LEARNING_STEPS_MINUTES", ()))

    @property
    def REVIEW_NEW_FACTS_PER_DAY(self) -> int:
        """New cards of the facts deck that come due each day once a trainee starts the course."""
        return int(self._get("REVIEW_NEW_FACTS_PER_DAY", 5))

    @property
    def REVIEW_QUICK_SECONDS(self) -> float:
        """A best answer with confidence 4 at most this fast rates Easy."""
        return float(self._get("REVIEW_QUICK_SECONDS", 20.0))

    @property
    def REVIEW_FUZZ(self) -> bool:
        return bool(self._get("REVIEW_FUZZ", True))

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
        """A row still 'sending' after this long is marked abandoned and never resent."""
        return int(self._get("REMINDER_SENDING_TIMEOUT_MINUTES", 30))

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

    # Instructors' dashboard (quizzes.instructor)

    @property
    def AT_RISK_INACTIVE_DAYS(self) -> int:
        """No activity (lesson opened, step answered) for this many days flags a trainee at risk."""
        return int(self._get("AT_RISK_INACTIVE_DAYS", 7))

    @property
    def AT_RISK_OVERDUE_REVIEWS(self) -> int:
        """More than this many overdue reviews flags a trainee at risk."""
        return int(self._get("AT_RISK_OVERDUE_REVIEWS", 10))

    @property
    def OVERDUE_AFTER_HOURS(self) -> int:
        """A review card counts as overdue once it has been due for this long (new cards are due at once)."""
        return int(self._get("OVERDUE_AFTER_HOURS", 24))

    @property
    def AT_RISK_HARMFUL_PICKS(self) -> int:
        """This many harmful picks in one skill flags a trainee at risk."""
        return int(self._get("AT_RISK_HARMFUL_PICKS", 2))

    @property
    def ITEM_ANALYSIS_BEST_PICK_FLOOR(self) -> float:
        """An item is flagged when fewer than this share of the top group pick its best option."""
        return float(self._get("ITEM_ANALYSIS_BEST_PICK_FLOOR", 0.5))


app_settings = _Settings()
