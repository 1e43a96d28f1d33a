# Common tasks. `make run` and `make test` are the README's two commands for a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: run test lint format typecheck pytest e2e bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

## run: install into .venv and start the service in dev mode on embedded defaults
run: $(VENV)/.installed
	$(BIN)/cds-service serve --dev --host $(HOST) --port $(PORT)

## test: install the test tools into .venv, then ruff, mypy and pytest
test: $(VENV)/.installed-test
	$(BIN)/ruff check cds_service fhir_mappings
	$(BIN)/ruff format --check cds_service fhir_mappings
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check cds_service fhir_mappings tests

format: $(VENV)/.installed-test
	$(BIN)/ruff format cds_service fhir_mappings tests

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

e2e: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q tests/e2e

## bench: the benchmark (docs/performance.md); installs wrk with apt-get when it is missing
bench: $(VENV)/.installed-test
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache var
