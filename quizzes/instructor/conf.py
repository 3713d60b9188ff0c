"""The instructor views app's settings, read lazily with their defaults in one place (ATTUNE_*)."""

from django.conf import settings


class _Settings:
    def _get(self, name: str, default):
        return getattr(settings, f"ATTUNE_{name}", default)

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

    @property
    def SMALL_SAMPLE_ATTEMPTS(self) -> int:
        """A figure resting on fewer attempts (or answers) than this carries a caution on the screens."""
        return int(self._get("SMALL_SAMPLE_ATTEMPTS", 20))


app_settings = _Settings()
