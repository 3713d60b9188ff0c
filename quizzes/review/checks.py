"""System checks: a bad ATTUNE_* setting fails at start-up (`manage.py check`), not at a trainee's first answer."""

from django.core.checks import Error, register

from .conf import app_settings
from .scheduling import validate_retention


@register()
def check_review_settings(app_configs, **kwargs):
    try:
        validate_retention(app_settings.REVIEW_DESIRED_RETENTION)
    except (TypeError, ValueError) as exc:
        return [Error(str(exc), hint="Set ATTUNE_REVIEW_DESIRED_RETENTION between 0.70 and 0.97.", id="attune.E001")]
    return []
