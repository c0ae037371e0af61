# spec-audit: `make demo` runs the whole audit on generated logs; `make test` runs the test suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
SAMPLES ?= data/samples
DB ?= data/audit.duckdb
CONVERSATIONS ?= 20000
DAYS ?= 30
SEED ?= 7

.PHONY: install demo test test-fast lint format dagster clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(SAMPLES)/ground_truth.json: | install
	$(BIN)/spec-audit generate-sample --conversations $(CONVERSATIONS) --days $(DAYS) \
		--seed $(SEED) --out $(SAMPLES)

demo: install $(SAMPLES)/ground_truth.json
	$(BIN)/spec-audit run --landing $(SAMPLES) --db $(DB)

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

dagster: install
	mkdir -p .dagster_home && DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -w workspace.yaml

clean:
	rm -rf $(SAMPLES) $(DB) $(DB).wal .pytest_cache
