# Tally: one entry point per job. Every target installs what it needs first.
#   make demo    venv + install, seed a demo store, serve on http://127.0.0.1:8050
#   make test    lint first, then + system packages (Chromium, PostgreSQL, JDK 17, Maven), start
#                PostgreSQL and a Cassandra node, run pytest (extra arguments: PYTEST_ARGS="-k flows -x")
#   make lint    ruff check and ruff format --check: fails on a lint error or unformatted file
#   make bench   benchmarks in bench/, against the same services as the tests
# Warm re-runs are quick: the install is stamped on pyproject.toml, jars and the PostgreSQL
# cluster directory are reused (docs/setup.md).
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.tally-installed
PYTEST_ARGS ?=

.PHONY: install system-deps demo test lint bench

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q -e ".[test,cassandra]"
	@touch $(STAMP)

system-deps:
	@scripts/install-system.sh

demo: install
	@scripts/install-system.sh demo
	$(VENV)/bin/tally demo

# Style first: a minute of tests is not spent on a tree CI refuses anyway.
test: lint system-deps
	@PYTEST_ARGS="$(PYTEST_ARGS)" scripts/test.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install system-deps
	@scripts/bench.sh
