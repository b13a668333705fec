# ogi-warehouse: `make run` builds the warehouse from the embedded sample, `make test` runs the
# whole test suite. Both create .venv and install the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DAGSTER_HOME ?= $(abspath warehouse/dagster_home)

.PHONY: run test dev lint format dbt-build clean install

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m orchestration.run $(if $(CATALOG),--catalog $(CATALOG),)

test: $(STAMP)
	$(BIN)/python -m pytest -q

dev: $(STAMP)
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

dbt-build: $(STAMP)
	cd dbt_project && ../$(BIN)/dbt build --profiles-dir .

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf warehouse/parquet warehouse/raw warehouse/*.duckdb* dbt_project/target dbt_project/logs
