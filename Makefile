# ogi-warehouse: `make run` builds the warehouse from the embedded sample (`YEAR=2023` for one
# year, `CATALOG=file.csv` for your own reports), `make rebuild` re-parses what is archived,
# `make test` runs the whole test suite. All create .venv and install the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DAGSTER_HOME ?= $(abspath warehouse/dagster_home)

.PHONY: run rebuild test dev lint format dbt-build clean install

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m orchestration.run $(if $(CATALOG),--catalog $(CATALOG),) $(if $(YEAR),--year $(YEAR),)

rebuild: $(STAMP)
	$(BIN)/python -m orchestration.run --from-archive

test: $(STAMP)
	$(BIN)/python -m pytest -q

dev: $(STAMP)
	@$(BIN)/python -c 'from orchestration.run import prepare_dagster_home as p; p()'
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

dbt-build: $(STAMP)
	cd dbt_project && ../$(BIN)/dbt build --profiles-dir .

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf warehouse/parquet warehouse/raw warehouse/archive_index warehouse/logs \
		warehouse/test-artifacts warehouse/*.duckdb* dbt_project/target dbt_project/logs
