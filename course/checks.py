"""System checks of the host's configuration that would otherwise surface as a trainee's 500."""

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import Error, Tags, Warning, register
from django.core.files.storage import storages

from .conf import app_settings


# Not tagged `staticfiles`: collectstatic, which writes the manifest, runs only those checks.
@register()
def check_static_manifest(app_configs, **kwargs):
    """With a manifest storage (WhiteNoise's in config.production), `{% static %}` raises on every
    page until collectstatic has written the manifest, and a process that started without it keeps
    failing until restarted."""
    # A fresh instance: the shared one would keep the manifest it read now for the process's life.
    storage = storages.create_storage(settings.STORAGES["staticfiles"])
    if not isinstance(storage, ManifestFilesMixin) or not storage.manifest_strict:
        return []
    if storage.manifest_storage.exists(storage.manifest_name):
        return []
    return [
        Error(
            f"The static files manifest {storage.manifest_name} is missing from STATIC_ROOT ({settings.STATIC_ROOT}):"
            " every page that links a static file would be a 500.",
            hint="Run `python manage.py collectstatic --noinput` before starting the web server, then restart it"
            " (the README's production start, scripts/start-production, does both).",
            id="attune.E010",
        )
    ]


@register()
def check_api_tokens(app_configs, **kwargs):
    """A token lifetime that is not a positive number of hours would fail every token request; DRF's
    own TokenAuthentication would let tokens live for ever."""
    if not apps.is_installed("rest_framework.authtoken"):
        return []
    problems = []
    try:
        valid = app_settings.API_TOKEN_TTL_HOURS > 0
    except (TypeError, ValueError):
        valid = False
    if not valid:
        problems.append(
            Error(
                "ATTUNE_API_TOKEN_TTL_HOURS must be a positive number of hours,"
                f" not {settings.ATTUNE_API_TOKEN_TTL_HOURS!r}.",
                hint="Leave it unset for 720 (30 days).",
                id="attune.E011",
            )
        )
    classes = getattr(settings, "REST_FRAMEWORK", {}).get("DEFAULT_AUTHENTICATION_CLASSES", [])
    if "rest_framework.authentication.TokenAuthentication" in classes:
        problems.append(
            Warning(
                "REST_FRAMEWORK names DRF's TokenAuthentication, whose tokens never expire.",
                hint="Name course.api.authentication.ExpiringTokenAuthentication instead (ATTUNE_API_TOKEN_TTL_HOURS).",
                id="attune.W012",
            )
        )
    return problems


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
            id="attune.W013",
        )
    ]
