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


def production_env(tmp_path) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "config.production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-like-secret-key-" + "y" * 30,
        "DJANGO_ALLOWED_HOSTS": "attune.example",
        "ATTUNE_VAR_DIR": str(tmp_path),  # STATIC_ROOT is var/staticfiles
        "PYTHON": sys.executable,
    }


def fetch(url: str) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    # As the TLS-terminating proxy would send it: config.production redirects plain HTTP.
    request = urllib.request.Request(url, headers={"Host": "attune.example", "X-Forwarded-Proto": "https"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - http to loopback only
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_the_documented_production_start_collects_static_files_before_serving(tmp_path):
    import re
    import socket
    import time

    env = production_env(tmp_path)
    # Before collectstatic, the deploy check fails on the missing manifest (attune.E010) ...
    before = run(sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert before.returncode == 1 and "attune.E010" in before.stderr, before.stdout + before.stderr
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    # ... gunicorn started without collectstatic refuses to boot rather than serve 500s ...
    bare = subprocess.run(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", "127.0.0.1:0", "--workers", "1"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bare.returncode == 3 and "attune.E010" in bare.stderr, bare.stderr[-3000:]
    # ... and the README's start (scripts/start-production) runs collectstatic, migrate, check --deploy, gunicorn.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "start.log").open("w")
    server = subprocess.Popen(
        ["sh", "scripts/start-production", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env={**base, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline, status, page = time.monotonic() + 180, None, ""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, page = fetch(f"http://127.0.0.1:{port}/accounts/login/")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, (tmp_path / "start.log").read_text()[-3000:]
        (stylesheet,) = re.findall(r'href="(/static/attune/attune\.[0-9a-f]{12}\.css)"', page)
        assert fetch(f"http://127.0.0.1:{port}{stylesheet}")[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()
