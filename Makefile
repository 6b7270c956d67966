# Omni Clerk — two commands set everything up: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint types pytest bench soak dist translations sysdeps sysdeps-test venv clean help

help:
	@echo "make run    — the demo: embedded hub on 127.0.0.1, seeded data, the terminal window"
	@echo "make test   — lint, types and the whole test suite (Qt offscreen, real hub, PostgreSQL)"
	@echo "make bench  — run the benchmarks and rewrite docs/benchmarks.md"
	@echo "make soak   — long fault-injection runs (bounded)"
	@echo "make dist   — build the Linux terminal bundle (PyInstaller)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

sysdeps:
	@scripts/sysdeps.sh

sysdeps-test:
	@scripts/sysdeps.sh --test

translations: $(STAMP)
	@scripts/build_translations.sh

run: sysdeps $(STAMP) translations
	@scripts/run_demo.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

# The suite in two passes: everything but the real-X tests spread over one pytest worker per
# core (pytest-xdist; PYTEST_JOBS=1 for one process), then the real-X tests alone — their
# synthetic key bursts are timed, and a second busy worker beside them is not a scanner's world.
PYTEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
pytest: $(STAMP) translations
	@url=$$(scripts/postgres.sh start) && export CLERK_TEST_PG_URL=$$url && \
	  export QT_QPA_PLATFORM=offscreen && \
	  $(BIN)/python -m pytest -p no:cacheprovider -n $(PYTEST_JOBS) -m "not x11" $(PYTEST_ARGS) && \
	  $(BIN)/python -m pytest -p no:cacheprovider -m x11 tests/x11 $(PYTEST_ARGS)

test: sysdeps-test $(STAMP) lint types dist pytest

bench: sysdeps-test $(STAMP) translations
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

soak: sysdeps-test $(STAMP)
	@url=$$(scripts/postgres.sh start) && export CLERK_TEST_PG_URL=$$url && \
	  QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -p no:cacheprovider -m soak --run-soak tests/ $(PYTEST_ARGS)

dist: sysdeps $(STAMP) translations
	@scripts/build_dist.sh

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
