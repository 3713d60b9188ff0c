"""A tiny run of every benchmark (benchmarks/bench_*.py): the bench must keep up with the schema.

No timing is asserted: `make bench` measures; this only proves each benchmark still builds its
data and walks its paths against the current models, on SQLite and on PostgreSQL.
"""

import importlib
import pkgutil
from pathlib import Path

import pytest

import benchmarks

FOLDER = Path(benchmarks.__file__).parent
NAMES = sorted(m.name for m in pkgutil.iter_modules([str(FOLDER)]) if m.name.startswith("bench_"))


def test_every_benchmark_is_smoked():
    assert {"bench_dashboard", "bench_reminders"} <= set(NAMES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES)
def test_benchmark_smoke_run(name, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    module = importlib.import_module(f"benchmarks.{name}")
    module.run(smoke=True)
    out = capsys.readouterr().out
    assert out.strip(), f"{name} printed nothing"
