# Two commands for a newcomer: `make run` (the demo app) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Used while pip builds packages from source (see constraints-build.txt).
export PIP_CONSTRAINT := $(CURDIR)/constraints-build.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install axe run test bench lint messages clean-var

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints-build.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# A local demo: DEBUG on, two-factor optional, demo data loaded once.
run: export DEBUG ?= 1
run: export MFA_REQUIRED_ROLES ?=
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable
	@test -s var/demo-password || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(9))" > var/demo-password
	$(BIN)/python manage.py seed_demo --password "$${CRM_DEMO_PASSWORD:-$$(cat var/demo-password)}"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# axe-core (npm) for the accessibility checks of the browser tests; test-only, never served.
axe:
	@if command -v npm >/dev/null; then \
	  test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the accessibility checks will be skipped (CI installs it)"; fi

test: install axe
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Seeds a scratch database (SQLite; PostgreSQL too when DATABASE_URL names one) and prints the
# benchmark table and the page weight (chromium), also written to docs/performance.md.
# BENCH_ARGS="--engagements 100000" for a quick run; "--only weight --output /tmp/w.md" for one measure.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .

# Refresh the French catalogue after changing user-facing strings (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages --locale fr --ignore ".venv/*" --ignore "var/*" --ignore "tests/*" --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore ".venv/*"
