# Two entry points: `make run` (the portal on SQLite with demo data) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint setup messages clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

setup: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

run: setup
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The browser tests drive Debian's Chromium: root installs it, anyone else is told what to install
# (without it the browser tests fail, they are never skipped).
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	  else echo "The browser tests need Chromium: run 'sudo apt-get install -y chromium'."; fi; }

# Two processes (pytest-xdist), each with its own test database; PYTEST_WORKERS=0 runs in this one.
PYTEST_WORKERS ?= 2
test: $(VENV)/.dev chromium
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r clinic patients triage

messages: $(VENV)/.dev
	$(BIN)/python manage.py makemessages --locale it --no-obsolete --ignore '.venv/*' --ignore 'bench/*' --ignore 'artifacts/*' --ignore 'staticfiles/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

# Load benchmark on PostgreSQL (docs/performance.md); BENCH_ARGS passes options, e.g. --duration 30.
.PHONY: bench
bench: $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-bench.txt
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
