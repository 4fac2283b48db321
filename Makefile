# 浙江知识产权交易与质押融资平台 — developer commands.
#   make run    virtualenv + install + migrate (SQLite in ./var) + demo data, then serve http://127.0.0.1:8000
#   make test   ruff, then the whole suite on PostgreSQL and on SQLite
# Every target can be rerun: installs are redone only when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
PIP := $(VENV_PYTHON) -m pip --disable-pip-version-check --quiet
# The demo runs with DEBUG on (a development secret key, static files from the apps); production sets DEBUG=false.
MANAGE := DEBUG=true $(VENV_PYTHON) manage.py
PYTEST := $(VENV_PYTHON) -m pytest
VAR_DIR ?= $(CURDIR)/var
export VAR_DIR

# PostgreSQL for make test-pg; pytest-django creates and drops test_<name>.
PG_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/zjip
# Parallel workers for the main pass; run `make test XDIST=` to run serially.
XDIST ?= -n 2 --dist loadgroup
# Extra pytest arguments, e.g. make test-sqlite PYTEST_ARGS="tests/market -x".
PYTEST_ARGS ?=
# The benchmarks' size: 1,000,000 patents and listings is what their targets name; smaller for a quick pass.
BENCH_COUNT ?= 1000000
# Tests that start their own Celery worker or browser run first, in one process, then the rest in parallel.
SERIAL_MARKERS := celery_worker or browser
# The suite runs with the embedded defaults; only DATABASE_URL differs between the two runs.
TEST_VAR_DIR := $(CURDIR)/var/test
TEST_ENV := env -u DATABASE_URL -u CELERY_BROKER_URL -u CELERY_RESULT_BACKEND -u SEARCH_BACKEND \
	-u DEBUG -u SECRET_KEY -u MEDIA_ROOT VAR_DIR=$(TEST_VAR_DIR) DJANGO_ALLOW_ASYNC_UNSAFE=true

.DEFAULT_GOAL := help
.PHONY: help venv install install-test migrate seed run test test-pg test-sqlite lint bench

help:
	@echo "make run          安装并启动演示站点 / install, migrate, seed demo data, serve http://127.0.0.1:8000"
	@echo "make test         ruff + 全部测试 (PostgreSQL 与 SQLite) / lint and the whole suite on both databases"
	@echo "make test-pg      测试 (PostgreSQL: $(PG_DATABASE_URL))"
	@echo "make test-sqlite  测试 (SQLite, in memory)"
	@echo "make lint         ruff check ."
	@echo "make bench        基准测试 / the benchmarks (PostgreSQL at 127.0.0.1; BENCH_COUNT=$(BENCH_COUNT))"

$(VENV_PYTHON):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "需要 Python 3.11 / Python 3.11 is required, got " + sys.version.split()[0] + " (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)

venv: $(VENV_PYTHON)

$(VENV)/.installed: pyproject.toml | $(VENV_PYTHON)
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -e '.[test]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	@mkdir -p "$(VAR_DIR)"
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

run: seed
	$(MANAGE) runserver 127.0.0.1:8000

lint: install-test
	$(VENV)/bin/ruff check .

# $(call run_suite,NAME,ENV): the serial tests first (a pass that selects none exits 5, which is fine),
# then the parallel pass, so that the run ends on the summary of the bulk of the suite. Each pass has
# its own temporary directory, so other pytest sessions on the machine cannot prune it.
define run_suite
	@mkdir -p "$(TEST_VAR_DIR)"
	$(TEST_ENV) $(2) $(PYTEST) -m "$(SERIAL_MARKERS)" --basetemp="$(TEST_VAR_DIR)/tmp-$(1)-serial" \
		$(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(TEST_ENV) $(2) $(PYTEST) $(XDIST) -m "not ($(SERIAL_MARKERS))" --basetemp="$(TEST_VAR_DIR)/tmp-$(1)" \
		$(PYTEST_ARGS)
endef

test-pg: install-test
	$(call run_suite,pg,DATABASE_URL=$(PG_DATABASE_URL))

test-sqlite: install-test
	$(call run_suite,sqlite,)

test: lint test-pg test-sqlite

# Each benchmark prints its figures and ends with one line holding a JSON object of them.
bench: install
	$(VENV_PYTHON) benchmarks/valuation_batch.py --count $(BENCH_COUNT)
	$(VENV_PYTHON) benchmarks/search_bench.py --count $(BENCH_COUNT) --backends database
	$(VENV_PYTHON) benchmarks/auction_bids.py
	$(VENV_PYTHON) benchmarks/stats_bench.py --count $(BENCH_COUNT)
	$(VENV_PYTHON) benchmarks/load.py
	$(VENV_PYTHON) benchmarks/matching_precision.py
	$(VENV_PYTHON) benchmarks/securitisation.py
