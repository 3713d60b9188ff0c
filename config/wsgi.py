import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _refuse_to_serve_without_the_static_manifest() -> None:
    # A worker that starts before collectstatic would answer every page with a 500 until restarted,
    # even after the manifest appears: better not to start at all (the check is attune.E010).
    from course.checks import check_static_manifest

    for problem in check_static_manifest(None):
        raise ImproperlyConfigured(f"{problem.id}: {problem.msg} {problem.hint}")


_refuse_to_serve_without_the_static_manifest()
