# civicshield: the common tasks. `make demo` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: install, initialise the SQLite store, load the demo workspace and serve the dashboard
demo: $(STAMP)
	$(VENV)/bin/civicshield demo

## test: the whole suite (SQLite always; PostgreSQL and Chromium when installed)
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

## lint: ruff, mypy (strict) and the import contracts
lint: $(STAMP)
	$(PY) -m ruff check src tests bench scripts
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

## bench: ingest benchmark (prints messages/s and peak memory)
bench: $(STAMP)
	$(PY) bench/ingest.py

check: lint test

clean:
	rm -rf $(VENV) civicshield-data .pytest_cache .mypy_cache .ruff_cache
