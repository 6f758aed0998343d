# Partner Atlas — developer commands (GNU make).
#
#   make run     install, migrate the database, seed a demo directory if it is empty,
#                start the app and the worker beside it
#   make test    install, lint, format check, then every test (unit, app, integration, e2e)
#   make check   ruff, import-linter layer contracts, mypy over core/
#   make lint    ruff check
#   make format  ruff fix + format (rewrites files)
#   make bench   run the benchmarks
#   make clean   remove the virtualenv and caches (keeps var/, where the database lives)
#
# Everything runs from the project's own .venv, built from requirements.txt; no sudo needed.
# Browser and PostgreSQL tests need Debian's chromium and postgresql packages: .ci/run installs
# them; without them those tests are skipped locally (and fail under CI=true).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
# Touched after a successful install; older than requirements.txt means "install again".
STAMP := $(VENV)/.installed

.PHONY: help install run test check lint format bench clean

help:
	@sed -n '3,10s/^# \{0,1\}//p' $(MAKEFILE_LIST)

install: $(STAMP)

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Partner Atlas needs Python 3.11 or newer as '$(PYTHON)' (make PYTHON=...)" >&2; exit 1; }
	@test -x $(VENV_PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(VENV_PY) -m pip install --disable-pip-version-check --quiet -r requirements.txt
	@touch $@

# The worker (deadlines, reminders, email delivery) runs beside the app and stops with it:
# the trap ends it however streamlit exits (Ctrl-C, an error, a normal stop).
# Demo mode (the demo directory and accounts, README) is on for `make run` only.
run: export ATLAS_DEMO = 1
run: install
	$(VENV_PY) -m core migrate
	$(VENV_PY) -m core seed --if-empty
	$(VENV_PY) -m core worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null || true; wait $$worker 2>/dev/null || true' EXIT INT TERM; \
	$(VENV_PY) -m streamlit run deploy/serve.py  # app.py, served as deploy/serve.py explains

# `python -m pytest` (not `pytest`) also puts the project root on sys.path for `import core`.
test: install check
	$(VENV_PY) -m pytest

# Static checks, fastest first: style, layer contracts (pyproject [tool.importlinter]), types.
check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

lint: install
	$(VENV)/bin/ruff check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(VENV_PY) -m bench

# var/ is left alone: it holds the local database, which is data, not build output.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .cache screenshots
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
