"""System checks of the host's configuration that would otherwise surface as a trainee's 500."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import Error, register
from django.core.files.storage import storages


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
