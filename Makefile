# Two entry points: `make run` (the portal on SQLite with demo data, and its task worker) and `make test`
# (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Every link the portal emails (and the banner of `make run`) names the address it serves on.
export DJANGO_PORTAL_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test lint setup messages clean chromium backup restore lock lock-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs come from the locks, every package checked against its hash; requirements*.txt are what
# people edit, and `make lock` compiles them into the locks (`make lock-check`: are they current?).
$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: requirements.lock requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.runtime

lock: $(VENV)/.dev
	.ci/lock $(LOCK_ARGS)

lock-check: $(VENV)/.dev
	.ci/lock --check

setup: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

# The task worker (emails) runs next to the web server and stops with it.
run: setup
	$(BIN)/python manage.py db_worker --queue-name '*' --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
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
	$(BIN)/bandit -q -c pyproject.toml -r clinic patients triage outbox
	$(BIN)/lint-imports

messages: $(VENV)/.dev
	$(BIN)/python manage.py makemessages --locale it --no-obsolete --ignore '.venv/*' --ignore 'bench/*' --ignore 'artifacts/*' --ignore 'staticfiles/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

# Backups of the PostgreSQL database named by DATABASE_URL (docs/security.md, "Backups"):
# `make backup` writes a pg_dump custom-format file (FILE=... to choose its name);
# `make restore FILE=...` replaces that database's contents with the file's, in one transaction.
BACKUP_DIR ?= var/backups
backup:
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; *) echo "make backup needs DATABASE_URL=postgres://..."; exit 2;; esac
	@mkdir -p $(BACKUP_DIR)
	@file="$${FILE:-$(BACKUP_DIR)/clinic-$$(date -u +%Y%m%dT%H%M%SZ).dump}"; \
	  pg_dump --format=custom --no-owner --no-privileges --file="$$file" "$$DATABASE_URL" && \
	  echo "Backup written to $$file"

restore:
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=var/backups/clinic-....dump"; exit 2; }
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; *) echo "make restore needs DATABASE_URL=postgres://..."; exit 2;; esac
	pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
	  --dbname="$$DATABASE_URL" "$(FILE)"

# Load benchmark on PostgreSQL (docs/performance.md); BENCH_ARGS passes options, e.g. --duration 30.
.PHONY: bench
bench: $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-bench.txt
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Production rehearsal (tests/rehearsal/run.py): nginx, two gunicorn servers, two task workers, the
# scheduler, Redis and a recording mail server on this machine, a day with faults, checks at the end.
# Needs PostgreSQL (REHEARSAL_DATABASE_URL, default a database of its own), nginx and redis-server.
.PHONY: rehearsal
rehearsal: $(VENV)/.dev
	$(BIN)/python tests/rehearsal/run.py

clean:
	rm -rf $(VENV) var staticfiles
