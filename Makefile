# Two commands on a fresh machine: `make run` (set up, run the flow on seeds/ into data/) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INPUT ?= seeds
OUTPUT ?= data
GOLD ?= ../shared/data/gold

.PHONY: setup run test lint typecheck check evaluate bench clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

run: setup
	$(BIN)/python -m flows.news_etl --input $(INPUT) --output $(OUTPUT)

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check tasks flows

typecheck: setup
	$(BIN)/mypy

check: lint typecheck test

evaluate: setup
	$(BIN)/python -m benchmarks.evaluate --gold $(GOLD) --check benchmarks/floors.json

bench: setup
	$(BIN)/python -m benchmarks.bench

clean:
	rm -rf $(VENV) $(OUTPUT) .pytest_cache .ruff_cache .mypy_cache .hypothesis
