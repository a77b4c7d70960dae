# Two commands on a fresh machine: `make run` (set up, run the flow on seeds/ into data/) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INPUT ?= seeds
OUTPUT ?= data
GOLD ?= ../shared/data/gold

# A local Prefect server for the deployments: bound to loopback, its SQLite database under .prefect/ (set
# PREFECT_API_DATABASE_CONNECTION_URL for PostgreSQL instead).
PREFECT_PORT ?= 4200
DEPECHE_TIMEZONE ?= Europe/Paris
LOCAL_PREFECT := env PREFECT_HOME=$(CURDIR)/.prefect PREFECT_API_URL=http://127.0.0.1:$(PREFECT_PORT)/api \
	PREFECT_SERVER_ANALYTICS_ENABLED=false DEPECHE_HOME=$(CURDIR) DEPECHE_TIMEZONE=$(DEPECHE_TIMEZONE)

.PHONY: setup run test reliability lint typecheck check evaluate bench clean server worker deploy adhoc restore

# The prebuilt gazetteer and the compiled slow patterns of the NER models are part of the install (tasks/models.py):
# runs read them instead of rebuilding them at every start, and rebuild in memory what does not match.
PREBUILT := $(VENV)/share/depeche/gazetteer.json $(VENV)/share/depeche/patterns.marshal

setup: $(STAMP) $(PREBUILT)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(PREBUILT) &: $(STAMP) tasks/models.py tasks/entities.py
	$(BIN)/python -m tasks.models
	$(BIN)/python -m compileall -q flows tasks  # pip compiles installed packages, not an editable install's modules

run: setup
	$(BIN)/python -m flows.news_etl --input $(INPUT) --output $(OUTPUT)

# Undo the last commit (STEPS=N: the last N; SNAPSHOT=NAME: that one); refused while a run holds the lock.
STEPS ?= 1
restore: setup
	$(BIN)/python -m flows.restore --output $(OUTPUT) $(if $(SNAPSHOT),--snapshot $(SNAPSHOT),--steps $(STEPS))

test: setup
	$(BIN)/python -m pytest

reliability: setup
	$(BIN)/python -m pytest -m reliability -s tests/test_reliability.py tests/test_dask.py tests/test_interrupt.py
	DEPECHE_FUZZ_CASES=2000 $(BIN)/python -m pytest -s tests/test_hostile.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check tasks flows

typecheck: setup
	$(BIN)/mypy

check: lint typecheck test

evaluate: setup
	$(BIN)/python -m benchmarks.evaluate --gold $(GOLD) --check benchmarks/floors.json --out benchmarks/out/eval
	$(BIN)/python -m benchmarks.dedup --gold $(GOLD) --min-precision 99.5 --min-recall 98

bench: setup
	$(BIN)/python -m benchmarks.bench

server: setup
	$(LOCAL_PREFECT) $(BIN)/prefect server start --host 127.0.0.1 --port $(PREFECT_PORT)

worker: setup
	$(LOCAL_PREFECT) $(BIN)/prefect worker start --pool depeche --type process

# Then the failure alerts (flows/alerts.py): a webhook block and two automations, created or updated in place, when
# DEPECHE_ALERT_URL (or the file named by DEPECHE_ALERT_URL_FILE) gives the webhook's URL.
deploy: setup
	$(LOCAL_PREFECT) $(BIN)/prefect work-pool create depeche --type process --overwrite
	$(LOCAL_PREFECT) $(BIN)/prefect --no-prompt deploy --all
	$(LOCAL_PREFECT) $(BIN)/python -m flows.alerts

adhoc: setup
	$(LOCAL_PREFECT) $(BIN)/prefect deployment run news-etl/adhoc --watch \
		--param input_dir=$(abspath $(INPUT)) --param output_dir=$(abspath $(OUTPUT))

clean:
	rm -rf $(VENV) $(OUTPUT) .pytest_cache .ruff_cache .mypy_cache .hypothesis
