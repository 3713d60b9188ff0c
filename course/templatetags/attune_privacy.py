"""`{% retention_days "reflection" as days %}`: how long a kind of free text is kept (None: kept)."""

from django import template

from ..conf import app_settings

register = template.Library()


@register.simple_tag
def retention_days(kind: str) -> int | None:
    return app_settings.retention_days(kind)
