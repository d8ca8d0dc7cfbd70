# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export VANBAN_HOME ?= $(CURDIR)/data

.PHONY: install run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/vanban ingest corpus

lint: install
	$(BIN)/ruff check ingest nlp search_api tests benchmarks
	$(BIN)/mypy ingest nlp search_api

test: install lint
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/parse_speed.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
