"""The apps under a host's own user model (email as USERNAME_FIELD, no username, first_name or
get_full_name): migrate, check, import the shipped course, then play, review, sweep and show."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, env, stdin=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_apps_work_with_a_custom_user_model(tmp_path):
    # A database of its own (SQLite), so the run never touches the suite's test database.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_custom_user",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'custom_user.sqlite3'}",
    }
    for args in (("migrate", "-v0"), ("check",), ("import_course", "-v0")):
        result = manage(*args, env=env)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    result = manage("shell", env=env, stdin=(ROOT / "tests" / "custom_user" / "play.py").read_text())
    assert result.returncode == 0, result.stderr
    assert "custom user: played, reviewed, swept and shown" in result.stdout
