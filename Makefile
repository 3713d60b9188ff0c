# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint format bench validate clean

install: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_course
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_quiz_demo
	$(PY) scripts/run_demo.py

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

format: install
	$(VENV)/bin/ruff format .

validate: install
	$(PY) manage.py validate_course

bench: install
	$(PY) -m benchmarks

clean:
	rm -rf var db.sqlite3 .pytest_cache
