"""`make bench`: run every benchmarks/bench_*.py module's run() against PostgreSQL.

Figures go to stdout (and are quoted in the issue notes), never into timed tests.
Uses ATTUNE_BENCH_DATABASE_URL (default: a database of its own, attune_bench, on the local
PostgreSQL), created and migrated if missing. `python -m benchmarks NAME` runs one module.
"""

import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/attune_bench"


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str]) -> int:
    url = os.environ.get("ATTUNE_BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    ensure_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    folder = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if m.name.startswith("bench_"))
    wanted = [n for n in names if not argv or any(a in n for a in argv)]
    print(f"Benchmarks on {urlparse(url).hostname}/{urlparse(url).path.lstrip('/')}: {', '.join(wanted)}")
    for name in wanted:
        started = time.perf_counter()
        print(f"\n== {name}")
        importlib.import_module(f"benchmarks.{name}").run()
        print(f"== {name} took {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
