"""System checks for what a host must configure around the apps (`manage.py check` says so at start-up)."""

from django.apps import apps
from django.core.checks import Tags, Warning, register


@register(Tags.security)
def check_json_parser(app_configs, **kwargs):
    """DRF's own JSON parser lets ~1,000 nested brackets raise RecursionError (a 500), anonymously."""
    if not apps.is_installed("rest_framework"):
        return []
    from rest_framework.parsers import JSONParser
    from rest_framework.settings import api_settings

    from .api.parsers import DepthLimitedJSONParser

    plain = [
        parser.__name__
        for parser in api_settings.DEFAULT_PARSER_CLASSES
        if issubclass(parser, JSONParser) and not issubclass(parser, DepthLimitedJSONParser)
    ]
    if not plain:
        return []
    return [
        Warning(
            f"REST_FRAMEWORK's DEFAULT_PARSER_CLASSES decode JSON with {', '.join(plain)}, which has no depth limit: "
            "deeply nested JSON is a RecursionError (500) on every API endpoint.",
            hint='Use "course.api.parsers.DepthLimitedJSONParser" in its place.',
            id="attune_course.W001",
        )
    ]
