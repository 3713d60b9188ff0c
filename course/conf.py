"""The course app's settings, read lazily with their defaults in one place (ATTUNE_*)."""

from pathlib import Path

from django.conf import settings

SHIPPED_COURSE_PATH = Path(__file__).resolve().parent / "content" / "therapeutic-relationship"


class _Settings:
    @property
    def DEFAULT_COURSE_PATH(self) -> Path:
        return Path(getattr(settings, "ATTUNE_DEFAULT_COURSE_PATH", SHIPPED_COURSE_PATH))

    @property
    def PRIVACY_SELF_ERASURE(self) -> bool:
        """Whether a trainee may erase their own account (programmes decide; staff always may)."""
        return bool(getattr(settings, "ATTUNE_PRIVACY_SELF_ERASURE", False))

    @property
    def API_TOKEN_TTL_HOURS(self) -> float:
        """How long an API token lasts from the moment it is issued (30 days)."""
        return float(getattr(settings, "ATTUNE_API_TOKEN_TTL_HOURS", 24 * 30))

    def retention_days(self, kind: str) -> int | None:
        """Days to keep a kind of free text (free_reply, reflection, instructor_comment); None keeps it."""
        days = getattr(settings, f"ATTUNE_PRIVACY_{kind.upper()}_RETENTION_DAYS", None)
        return None if days is None else int(days)


app_settings = _Settings()
