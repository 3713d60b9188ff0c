"""The spaced review app's settings, read lazily with their defaults in one place (ATTUNE_*)."""

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
    def LEVEL_UP_AFTER_BEST(self) -> int:
        """Best replies in a row in a skill before its practice level goes up."""
        return int(self._get("LEVEL_UP_AFTER_BEST", 3))

    @property
    def LEVEL_DOWN_AFTER_MISSES(self) -> int:
        """Weak or harmful replies in a row in a skill before its practice level goes down."""
        return int(self._get("LEVEL_DOWN_AFTER_MISSES", 2))


app_settings = _Settings()
