# Two commands for a newcomer: `make run` (the demo app) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Installs take exactly the locked files, checked by their hashes, as wheels: nothing is built.
PIP_LOCKED := --require-hashes --no-deps --only-binary :all:
LOCKS := requirements-installer.txt requirements.txt requirements-dev.txt requirements-overrides.txt

.PHONY: install lock upgrade axe run test bench lint messages clean-var

# The virtual environment holds exactly the lock: made anew whenever a lock file changes.
install: $(VENV)/.installed

$(VENV)/.installed: $(LOCKS)
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(PIP_LOCKED) -r requirements-installer.txt
	$(BIN)/python -m pip install --quiet $(PIP_LOCKED) -r requirements-dev.txt
	@# pip check, allowing only the requirement left out on purpose (requirements-overrides.txt)
	test -z "$$($(BIN)/python -m pip check | grep -v '^django-tasks-rq .* requires rq-scheduler' | grep -v '^No broken')"
	touch $@

# Writes the lock files from pyproject.toml, keeping every pin that still fits (needs the network).
# UPGRADE=--upgrade takes the newest releases the ranges allow (`make upgrade` does, then tests).
UV := $(VENV)/bin/uv
UV_COMPILE = UV_CUSTOM_COMPILE_COMMAND="make lock" $(UV) pip compile --quiet --universal \
  --python-version 3.11 --generate-hashes $(UPGRADE)
lock:
	test -x $(UV) || $(MAKE) install
	$(UV_COMPILE) --group pyproject.toml:installer -o requirements-installer.txt
	$(UV_COMPILE) pyproject.toml --extra redis --overrides requirements-overrides.txt -o requirements.txt
	$(UV_COMPILE) pyproject.toml --extra redis --extra test --overrides requirements-overrides.txt -c requirements.txt -o requirements-dev.txt

upgrade:
	$(MAKE) lock UPGRADE=--upgrade
	$(MAKE) test

# A local demo: DEBUG on, two-factor optional, demo data loaded once; a worker runs the jobs.
run: export DEBUG ?= 1
run: export MFA_REQUIRED_ROLES ?=
run: install
	$(BIN)/python manage.py migrate --no-input
	@test -s var/demo-password || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(9))" > var/demo-password
	$(BIN)/python manage.py seed_demo --password "$${CRM_DEMO_PASSWORD:-$$(cat var/demo-password)}"
	@# the worker (reminders, digests, webhooks, big imports) runs beside the server and stops with it
	$(BIN)/python manage.py worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:8000

# axe-core (npm) for the accessibility checks of the browser tests; test-only, never served.
axe:
	@if command -v npm >/dev/null; then \
	  test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the accessibility checks will be skipped (CI installs it)"; fi

test: install axe lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Seeds a scratch database (SQLite; PostgreSQL too when DATABASE_URL names one) and prints the
# benchmark table and the page weight (chromium), also written to docs/performance.md.
# BENCH_ARGS="--engagements 100000" for a quick run; "--only weight --output /tmp/w.md" for one measure.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Types are checked where the rules live (the library, services, selectors: pyproject's [tool.mypy]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Refresh the French catalogue after changing user-facing strings (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages --locale fr --ignore ".venv/*" --ignore "var/*" --ignore "tests/*" --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore ".venv/*"
