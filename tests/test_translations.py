"""Every user-facing string is marked for translation: `makemessages -l de` runs cleanly over copies of
the apps and of the host, and the catalogues it writes hold known msgids (plurals included).

The catalogues are written into a temporary copy, never into the repository."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"

pytestmark = pytest.mark.skipif(
    shutil.which("msguniq") is None and not IN_CI, reason="GNU gettext (msguniq) is not installed"
)


def makemessages(directory: Path) -> str:
    """Run makemessages for German in directory and return the django.po it wrote."""
    (directory / "locale").mkdir(exist_ok=True)
    # -P: the app directory must not shadow the standard library (course/selectors.py vs selectors).
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "de", "--no-wrap", "--ignore", "locale/*"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr
    return (directory / "locale" / "de" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory):
    copy = tmp_path_factory.mktemp("i18n")
    ignore = shutil.ignore_patterns("__pycache__", "locale", "static", "migrations", "*.pyc")
    for app in ("course", "quizzes"):
        shutil.copytree(ROOT / app, copy / app, ignore=ignore)
    host = copy / "host"
    shutil.copytree(ROOT / "templates", host / "templates", ignore=ignore)
    return {
        "course": makemessages(copy / "course"),
        "quizzes": makemessages(copy / "quizzes"),
        "host": makemessages(host),
    }


@pytest.mark.parametrize(
    "catalogue, msgid",
    [
        ("course", 'msgid "My courses"'),
        ("course", 'msgid "Mark complete"'),
        ("course", 'msgid_plural "%(done)s of %(counter)s lessons complete"'),
        ("quizzes", 'msgid "Start review"'),
        ("quizzes", 'msgid "Start quiz"'),
        ("quizzes", 'msgid "No reviews due right now"'),
        ("quizzes", 'msgid_plural "%(counter)s reviews due"'),
        ("quizzes", 'msgid_plural "(%(counter)s unread)"'),
        ("quizzes", 'msgid "Your reminder preferences are saved."'),
        ("quizzes", 'msgid "Your instructor responded to your reflection"'),
        ("quizzes", 'msgid_plural "%(n)s reviews waiting for you"'),
        ("quizzes", 'msgid "Stop these reminders"'),
        ("quizzes", 'msgid "Item analysis"'),
        ("host", 'msgid "Log in"'),
        ("host", 'msgid "Log out"'),
    ],
)
def test_makemessages_finds_the_marked_strings(catalogues, catalogue, msgid):
    assert msgid in catalogues[catalogue]


def test_plural_forms_are_declared(catalogues):
    for po in catalogues.values():
        assert "Plural-Forms:" in po
