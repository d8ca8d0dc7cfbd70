# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
ifeq ($(strip $(VANBAN_HOME)),)
export VANBAN_HOME := $(CURDIR)/data
endif

.PHONY: install run test lint browser ocr bench load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Rebuild an index an older vanban built, ingest the bundled corpus (unchanged files are skipped),
# and serve the page and the API.
run: install ocr
	$(BIN)/vanban reindex --if-outdated --quiet
	$(BIN)/vanban ingest corpus
	$(BIN)/vanban serve --host $(HOST) --port $(PORT)

# The browser tests drive Debian's chromium (Playwright's own browser download does not work offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: run 'sudo apt-get install chromium' for the browser tests"; fi; }

# Scans are read by Debian's tesseract with its Vietnamese model (the OCR tests skip without it).
ocr:
	@command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx vie || { \
	  if [ "$$(id -u)" = 0 ]; then { apt-get update -qq && apt-get install -y -qq tesseract-ocr tesseract-ocr-vie >/dev/null; } \
	    || echo "could not install tesseract: scans will not be read and the OCR tests skip"; \
	  else echo "tesseract is missing: run 'sudo apt-get install tesseract-ocr tesseract-ocr-vie' to read scans"; fi; }

lint: install
	$(BIN)/ruff check ingest nlp search_api tests benchmarks
	$(BIN)/mypy ingest nlp search_api

test: install browser ocr lint
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/parse_speed.py
	$(BIN)/python benchmarks/extract_speed.py
	$(BIN)/python benchmarks/hostile_files.py
	$(BIN)/python benchmarks/access_timing.py
	$(BIN)/python benchmarks/ocr_engines.py
	$(BIN)/vanban bench

load: install
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
