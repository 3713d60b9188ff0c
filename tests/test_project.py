"""The suite also guards the project itself: lint, migrations in step with models, deploy settings."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    # The browser tests allow sync ORM calls beside Playwright's loop; a deploy check rightly refuses that flag.
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env={**base, **(env or {})}, timeout=300)


def test_ruff_finds_nothing():
    result = run(sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_migrations_match_the_models():
    result = run(
        sys.executable,
        "manage.py",
        "makemigrations",
        "--check",
        "--dry-run",
        env={"DATABASE_URL": "sqlite:///:memory:"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_checks_pass_under_production_settings():
    result = run(
        sys.executable,
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "config.production",
            "DATABASE_URL": "sqlite:///:memory:",
            "DJANGO_SECRET_KEY": "x" * 20 + "-production-like-secret-key-" + "y" * 30,
            "DJANGO_ALLOWED_HOSTS": "attune.example",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
