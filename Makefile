# ogi-warehouse: `make run` builds the warehouse from the embedded sample (`YEAR=2023` for one
# year, `CATALOG=file.csv` for your own reports), `make rebuild` re-parses what is archived,
# `make test` runs the whole test suite, `make docs` writes the dbt documentation site. All
# create .venv and install the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
COMPILED := $(VENV)/.compiled

export DAGSTER_HOME ?= $(abspath warehouse/dagster_home)
# The dbt docs site (static_index.html opens from the file system, no server needed).
DOCS_DIR ?= warehouse/docs
# The warehouse the docs read column types from: as ingest.paths resolves it.
WAREHOUSE_DB = $(or $(OGI_DUCKDB_PATH),$(abspath $(or $(OGI_WAREHOUSE_DIR),warehouse))/ogi.duckdb)

# `make bench`: reports in the synthetic corpus (cached under warehouse/bench by N and seed)
REPORTS ?= 10000
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: run rebuild test docs dev lint format dbt-build clean install bench

$(STAMP): pyproject.toml setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The parser's compiled modules (ingest/compiled.py) follow their sources: an edited module is
# recompiled in place (the others are up to date and skipped). Until then it runs from source.
$(COMPILED): $(STAMP) $(wildcard ingest/*.py)
	@$(BIN)/python setup.py --quiet build_ext --inplace 2>&1 | grep -v -i -e warning -e '^ *$$' || true
	@touch $(COMPILED)

install: $(COMPILED)

run: $(COMPILED)
	$(BIN)/python -m orchestration.run $(if $(CATALOG),--catalog $(CATALOG),) $(if $(YEAR),--year $(YEAR),)

rebuild: $(COMPILED)
	$(BIN)/python -m orchestration.run --from-archive

test: $(COMPILED)
	$(BIN)/python -m pytest -q

docs: $(STAMP)
	@test -f "$(WAREHOUSE_DB)" || $(MAKE) run
	cd dbt_project && OGI_DUCKDB_PATH="$(abspath $(WAREHOUSE_DB))" $(abspath $(BIN))/dbt docs generate \
		--static --profiles-dir . --target-path "$(abspath $(DOCS_DIR))"
	@echo "dbt docs: $(abspath $(DOCS_DIR))/static_index.html"

$(BENCH_STAMP): $(COMPILED) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/ogi bench --reports $(REPORTS) $(BENCH_ARGS)

dev: $(COMPILED)
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
		warehouse/test-artifacts warehouse/*.duckdb* warehouse/.*.duckdb* warehouse/report.html warehouse/exports \
		warehouse/docs dbt_project/target dbt_project/logs
