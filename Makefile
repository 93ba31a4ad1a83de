# PartnerHub: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Test processes: one per core on the 2-core machines this runs on.
TEST_WORKERS ?= 2
STAMPS := .setup-stamps
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: setup deps system run run-prod backup restore pg-client test lint format bench chromium clean

## deps: Python packages into .venv and front-end packages into node_modules, when their pins change.
deps: system $(STAMPS)/python $(STAMPS)/node

$(STAMPS)/python: requirements.txt requirements-dev.txt
	@mkdir -p $(STAMPS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(STAMPS)/node: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## setup: dependencies, database schema, US geography and demo data (each step skips what is done).
setup: deps
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_geography --if-empty
	$(PY) manage.py seed_demo

## run: set up, then serve http://127.0.0.1:$(PORT) and print the demo logins.
run: setup
	@$(PY) manage.py seed_demo --logins-only
	@echo "Serving http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## run-prod: the production stack on http://127.0.0.1:$(PORT): gunicorn + whitenoise, PostgreSQL,
## Redis, and the task worker (Procfile, via honcho). Env: bin/run-prod and README (Operations).
run-prod: deps
	PORT=$(PORT) bin/run-prod

## backup: the database and uploaded files into var/backups/<timestamp>/ with a manifest.
backup: $(STAMPS)/python pg-client
	$(PY) manage.py backup

## restore: BACKUP=var/backups/<timestamp> (default: the latest) into an empty database;
## FORCE=1 replaces a database that is not empty (backing it up first).
restore: $(STAMPS)/python pg-client
	$(PY) manage.py restore $(BACKUP) $(if $(FORCE),--force)

APT_INSTALL = if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq

## system: Debian libraries WeasyPrint needs for the one-pager PDF (Pango, HarfBuzz subset).
system:
	@if ! ldconfig -p | grep -q libharfbuzz-subset || ! ldconfig -p | grep -q libpangoft2; then \
	  $(APT_INSTALL) libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; \
	fi

## chromium: Debian's chromium for the browser tests (Playwright cannot download its own here).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then $(APT_INSTALL) chromium >/dev/null; fi
	@/usr/bin/chromium --version

## pg-client: Debian's PostgreSQL client (pg_dump, pg_restore), when DATABASE_URL is PostgreSQL.
pg-client:
	@case "$${DATABASE_URL:-sqlite://}" in postgres*) \
	  command -v pg_dump >/dev/null || $(APT_INSTALL) postgresql-client >/dev/null;; esac

## test: the whole suite, browser tests included, on DATABASE_URL (SQLite when unset).
test: deps chromium pg-client
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMPS)/python $(STAMPS)/node
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	@# Production settings with a throwaway key made here: no real secret in the repository.
	DJANGO_SETTINGS_MODULE=config.settings.production ALLOWED_HOSTS=partnerhub.example.org \
	  SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  $(PY) manage.py check --deploy --fail-level WARNING
	$(VENV)/bin/bandit -c pyproject.toml -r . --quiet --severity-level high
	$(PY) bin/audit_dependencies.py

format: $(STAMPS)/python
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## bench: speed figures, each beside its baseline measured in the same run: pages (SQLite or
## BENCH_DATABASE_URL), then the metrics dashboards on PostgreSQL at volume
## (BENCH_METRICS_DATABASE_URL; built once, a few minutes; skipped without PostgreSQL).
bench: setup
	DJANGO_SETTINGS_MODULE=config.settings.local DEBUG=false $(PY) -m bench

clean:
	rm -rf $(VENV) node_modules $(STAMPS) staticfiles db.sqlite3*
