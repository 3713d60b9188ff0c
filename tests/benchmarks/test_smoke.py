"""A tiny run of every benchmark (benchmarks/bench_*.py): the bench must keep up with the schema.

No timing is asserted: `make bench` measures; this only proves each benchmark still builds its
data and walks its paths against the current models, on SQLite and on PostgreSQL. The HTTP
benchmark serves from gunicorn in another process, so it needs committed rows in PostgreSQL and wrk.
"""

import importlib
import os
import pkgutil
import shutil
from pathlib import Path

import pytest
from django.db import connection

import benchmarks

FOLDER = Path(benchmarks.__file__).parent
NAMES = sorted(m.name for m in pkgutil.iter_modules([str(FOLDER)]) if m.name.startswith("bench_"))
IN_PROCESS = [n for n in NAMES if n != "bench_http"]


def test_every_benchmark_is_smoked():
    assert {"bench_dashboard", "bench_reminders", "bench_http"} <= set(NAMES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", IN_PROCESS)
def test_benchmark_smoke_run(name, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    module = importlib.import_module(f"benchmarks.{name}")
    module.run(smoke=True)
    out = capsys.readouterr().out
    assert out.strip(), f"{name} printed nothing"


@pytest.mark.django_db(transaction=True)
def test_http_benchmark_smoke_run(capsys):
    """gunicorn with one worker, one second of wrk per endpoint: every request must succeed."""
    if shutil.which("wrk") is None:
        if os.environ.get("CI"):  # .ci/run installs wrk, so CI must not skip this
            pytest.fail("wrk is missing: .ci/run installs it")
        pytest.skip("wrk is not installed (apt-get install wrk)")
    if connection.vendor != "postgresql":
        pytest.skip("the HTTP benchmark serves from another process: it needs PostgreSQL (DATABASE_URL)")
    from benchmarks import bench_http

    figures = bench_http.run(smoke=True)
    out = capsys.readouterr().out
    assert "answer POST" in out, out
    assert len(figures) == 12 and "answer POST" in figures, figures
    # Every endpoint was served without a failed request (run() raises otherwise) and its queries counted.
    assert all(queries is not None for _, _, queries in figures.values()), figures
