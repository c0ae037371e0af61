# spec-audit: `make demo` runs the whole audit on generated logs; `make test` runs the test suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
SAMPLES ?= data/samples
DB ?= data/audit.duckdb
CONVERSATIONS ?= 20000
DAYS ?= 30
SEED ?= 7
PORT ?= 8501
EVAL ?= ../shared/eval
EVAL_ARGS ?=

.PHONY: install demo test test-fast lint format dagster dashboard bench bench-quick bench-dashboard eval clean

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

dashboard: install
	$(BIN)/spec-audit dashboard --db $(DB) --port $(PORT)

# Issue 8: the pipeline on 1,000,000 generated conversations (cached in data/bench), then our
# labelling side by side with a Python loop, pandas and Evidently (in its own environment,
# benchmarks/.venv-side, created here). Writes benchmarks/RESULTS.md. Slow: about an hour on 2 cores.
BENCH_CONVERSATIONS ?= 1000000
BENCH_RUNS ?= 3
SIDE_VENV := benchmarks/.venv-side

$(SIDE_VENV)/.installed:
	test -x $(SIDE_VENV)/bin/python || $(PYTHON) -m venv $(SIDE_VENV)
	$(SIDE_VENV)/bin/python -m pip install --quiet 'evidently==0.7.23' 'pandas<3' pyarrow
	touch $@

bench: install $(SIDE_VENV)/.installed
	$(BIN)/python benchmarks/pipeline.py --conversations $(BENCH_CONVERSATIONS) --runs $(BENCH_RUNS) \
		--memory-sizes 100000,300000 --write
	$(BIN)/python benchmarks/side_by_side.py --runs $(BENCH_RUNS) --write

# Smoke test of both benchmarks on 2,000 conversations (does not touch RESULTS.md).
bench-quick: install
	$(BIN)/python benchmarks/pipeline.py --quick
	$(BIN)/python benchmarks/side_by_side.py --conversations 2000 --runs 1

# Times each dashboard page's queries on 1,000,000 generated conversations (slow: ~30 minutes).
bench-dashboard: install
	$(BIN)/python benchmarks/dashboard.py

# Score the labellers on labelled data (skipped with a message when $(EVAL) is absent).
eval: install
	$(BIN)/python benchmarks/eval.py --eval $(EVAL) $(EVAL_ARGS)

clean:
	rm -rf $(SAMPLES) $(DB) $(DB).wal .pytest_cache
