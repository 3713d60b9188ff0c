"""The plugin as a host installs it: build the wheel, install it into a fresh virtual environment
outside the checkout, make a host with `django-admin startproject`, add the apps as the README
says, migrate, import the shipped course, serve a lesson and a quiz step, render the reminder
email. Then the same without the reminders app and with Celery unimportable.

The fresh environment reuses the test environment's third-party packages through a .pth file
(no download), but not this checkout: `course` and `quizzes` come only from the wheel.
"""

import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

HOST_SETTINGS = """
INSTALLED_APPS += [
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "course",
    "quizzes",
    "quizzes.review",
    "quizzes.instructor",
] + EXTRA_APPS
TEMPLATES[0]["DIRS"] = [BASE_DIR / "templates"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "course.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "course.api.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver"]
"""

HOST_URLS = """
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.conf import settings

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("course.api.urls")),
    path("api/v1/", include("quizzes.api.urls")),
    path("api/v1/", include("quizzes.review.api")),
    path("api/v1/instructor/", include("quizzes.instructor.api")),
    path("quizzes/", include("quizzes.urls")),
    path("quizzes/", include("quizzes.review.urls")),
    path("instructor/", include("quizzes.instructor.urls")),
]
if "quizzes.reminders" in settings.INSTALLED_APPS:
    urlpatterns += [
        path("api/v1/", include("quizzes.reminders.api")),
        path("quizzes/", include("quizzes.reminders.urls")),
    ]
urlpatterns += [path("", include("course.urls"))]
"""

# The host's own base template: the apps' pages extend it. Its nav links only to what every host has.
HOST_BASE = """{% load static %}<!doctype html><html lang="en"><head><title>{% block title %}{% endblock %}</title>
<link rel="stylesheet" href="{% static 'attune/attune.css' %}"></head>
<body><main id="main">{% block content %}{% endblock %}</main></body></html>
"""

# Run inside the host with its own Python: a trainee reads a lesson and opens a quiz step.
SCENARIO = """
import datetime, django, os, sys
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
import course, quizzes
assert "{repo}" not in course.__file__ and "{repo}" not in quizzes.__file__, course.__file__
from course.models import Cohort, Course, Enrollment
from quizzes.models import Quiz, Skill

course_obj = Course.objects.get(slug="therapeutic-relationship")
assert Skill.objects.filter(course=course_obj).count() >= 14
user = get_user_model().objects.create_user("trainee", password="pw-long-enough-1")
cohort = Cohort.objects.create(course=course_obj, name="Host cohort", start_date=datetime.date(2026, 12, 1))
Enrollment.objects.create(cohort=cohort, user=user)
client = Client()
client.force_login(user)
lesson = course_obj.modules.get(order=1).lessons.order_by("order").first()
page = client.get(f"/courses/{{course_obj.slug}}/lessons/{{lesson.slug}}/")
assert page.status_code == 200, page.status_code
assert lesson.title in page.content.decode()
for module in course_obj.modules.order_by("order")[:1]:
    for each in module.lessons.all():
        client.post(f"/courses/{{course_obj.slug}}/lessons/{{each.slug}}/complete/")
quiz = Quiz.objects.get(module__course=course_obj, module__order=1)  # the first module: open to a newcomer
started = client.post(f"/quizzes/{{quiz.pk}}/start/")
assert started.status_code == 302, started.status_code
step = client.get(started["Location"])
assert step.status_code == 200 and "client" in step.content.decode().lower(), step.status_code
if "quizzes.reminders" in settings.INSTALLED_APPS:
    from quizzes.reminders import emails, services
    user.email = "trainee@host.example"
    message = emails.review_digest_message(
        user, {{"skill": 2, "fact": 1}}, datetime.date(2026, 12, 2), services.unsubscribe_token(user.pk)
    )
    html = message.alternatives[0][0]
    assert "/quizzes/review/" in message.body and "/quizzes/review/" in html, message.body
else:
    assert "celery" not in sys.modules
print("HOST OK")
"""

# Celery is not installed for a host without the reminders extra: make it unimportable.
NO_CELERY = """
import sys
class _NoCelery:
    def find_spec(self, name, path=None, target=None):
        if name == "celery" or name.startswith("celery.") or name == "kombu" or name.startswith("kombu."):
            raise ModuleNotFoundError(f"No module named {name!r} (not installed in this host)")
        return None
sys.meta_path.insert(0, _NoCelery())
"""


def run(args, cwd, env=None, timeout=300):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv outside the checkout with the wheel installed with its extras."""
    root = tmp_path_factory.mktemp("plugin")
    run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(root / "dist")], cwd=root)
    [wheel] = (root / "dist").glob("django_attune-*.whl")
    venv = root / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=root)
    python = venv / "bin" / "python"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root).strip())
    # The test environment's third-party packages, so nothing is downloaded; never this checkout.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([str(python), "-m", "pip", "install", "-q", "--no-index", f"{wheel}[api,reminders]"], cwd=root)
    return root, python


def make_host(root: Path, python: Path, name: str, extra_apps: list[str], no_celery: bool) -> dict:
    host = root / name
    host.mkdir()
    run([str(python), "-m", "django", "startproject", "site_host", str(host)], cwd=root)
    settings = host / "site_host" / "settings.py"
    settings.write_text(settings.read_text() + f"\nEXTRA_APPS = {extra_apps!r}\n" + HOST_SETTINGS)
    (host / "site_host" / "urls.py").write_text(HOST_URLS)
    (host / "templates").mkdir()
    (host / "templates" / "base.html").write_text(HOST_BASE)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "site_host.settings", "PYTHONPATH": str(host)}
    env.pop("DATABASE_URL", None)
    if no_celery:
        (host / "sitecustomize.py").write_text(NO_CELERY)
    return {"cwd": host, "env": env}


@pytest.mark.parametrize(
    ("name", "extra_apps", "no_celery"),
    [("full_host", ["quizzes.reminders"], False), ("no_reminders_host", [], True)],
)
def test_the_installed_wheel_serves_lessons_and_quizzes_in_a_new_host(installed, name, extra_apps, no_celery):
    root, python = installed
    host = make_host(root, python, name, extra_apps, no_celery)
    run([str(python), "manage.py", "migrate", "-v0"], **host)
    out = run([str(python), "manage.py", "import_course"], **host)
    assert "created course therapeutic-relationship" in out
    script = textwrap.dedent(SCENARIO).format(repo=str(REPO))
    assert "HOST OK" in run([str(python), "-c", script], **host)
