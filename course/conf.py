"""The course app's settings, read lazily with their defaults in one place (ATTUNE_*)."""

from pathlib import Path

from django.conf import settings

SHIPPED_COURSE_PATH = Path(__file__).resolve().parent / "content" / "therapeutic-relationship"


class _Settings:
    @property
    def DEFAULT_COURSE_PATH(self) -> Path:
        return Path(getattr(settings, "ATTUNE_DEFAULT_COURSE_PATH", SHIPPED_COURSE_PATH))


app_settings = _Settings()
