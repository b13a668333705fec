"""The jobs `refresh_year` and `rebuild_from_archive` on real files, ingest assets only.

Each test runs the ingest assets (catalog, raw_reports, the Parquet tables and their checks)
in process against a warehouse of its own; the dbt build they are followed by in the full jobs
is exercised by test_orchestration and test_make_run.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import dagster as dg
import pytest

from ingest import paths, pipeline
from ingest.catalog import report_id
from ingest.schema import TABLES
from ingest.store import read_table
from orchestration.definitions import defs
from orchestration.ingest_assets import table_asset_key
from orchestration.partitions import KEYS, range_tags
from orchestration.run import run_config

TABLE_KEYS = [table_asset_key(t) for t in TABLES]
INGEST = [dg.AssetKey("catalog"), dg.AssetKey("raw_reports"), *TABLE_KEYS]


def execute(
    job: str, catalog: Path, selection=INGEST, partition: str | None = None
) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def(job).execute_in_process(
        run_config=run_config(str(catalog), fresh=False, log_level="WARNING"),
        instance=dg.DagsterInstance.ephemeral(),
        partition_key=partition,
        tags=None if partition else range_tags(),
        asset_selection=selection,
        raise_on_error=False,
    )


def failure(result: dg.ExecuteInProcessResult) -> tuple[str, str]:
    """The step that failed first, and what caused it."""
    event = next(e for e in result.all_events if e.is_step_failure)
    cause = event.event_specific_data.error
    while cause.cause is not None:
        cause = cause.cause
    return event.step_key, cause.message


def reports() -> dict[str, dict]:
    return {r["report_id"]: r for r in read_table(paths.parquet_dir(), "reports").to_pylist()}


@pytest.fixture
def ingested(warehouse: Path, small_corpus):
    """A warehouse holding every year of the small corpus."""
    result = execute("main", small_corpus.catalog)
    assert result.success
    return small_corpus


def _busiest_year(rows: list[dict]) -> str:
    years = [r["year"] for r in rows if r.get("year")]
    return max(set(years), key=years.count)


def test_refresh_one_year_replaces_only_that_year(ingested, catalog_writer) -> None:
    before = reports()
    year = _busiest_year(ingested.rows)
    in_year = [r for r in ingested.rows if r.get("year") == year]
    dropped = in_year[0]["url"]
    catalog_writer(ingested.catalog, [r for r in ingested.rows if r["url"] != dropped])

    result = execute("refresh_year", ingested.catalog, partition=year)

    assert result.success
    assert {e.partition for e in result.get_asset_materialization_events() if e.partition} == {year}
    after = reports()
    assert set(after) == set(before) - {report_id(dropped)}
    for rid, row in after.items():
        refreshed = row["catalog_year"] == int(year)
        assert (row["fetched_at"] > before[rid]["fetched_at"]) == refreshed, row["source"]
        assert row["parsed_at"] == before[rid]["parsed_at"]  # the same bytes are not re-parsed


def test_rebuild_from_archive_reads_no_source(ingested, monkeypatch: pytest.MonkeyPatch) -> None:
    before = reports()
    cells = read_table(paths.parquet_dir(), "cells").num_rows
    shutil.rmtree(ingested.catalog.parent / "reports")  # every source is gone
    ingested.catalog.unlink()  # and the catalog too
    monkeypatch.setattr(pipeline, "POOL_FROM", 1)  # parsed on the process pool, a few at a time
    monkeypatch.setattr(pipeline, "CHUNK", 3)

    result = execute("rebuild_from_archive", ingested.catalog, selection=TABLE_KEYS)

    assert result.success, [e.message for e in result.all_events if e.is_failure]
    assert not [e for e in result.get_asset_materialization_events() if "raw" in str(e.asset_key)]
    after = reports()
    assert set(after) == set(before)
    for rid, row in after.items():
        assert row["status"] == before[rid]["status"]  # parsed from the archive, as before
        assert row["parsed_at"] > before[rid]["parsed_at"]
    assert read_table(paths.parquet_dir(), "cells").num_rows == cells


def test_rebuilding_a_year_never_archived_fails_and_keeps_the_tables(ingested) -> None:
    index = paths.archive_index_dir() / f"{KEYS[0]}.pickle"
    index.unlink()
    before = reports()

    result = execute("rebuild_from_archive", ingested.catalog, selection=TABLE_KEYS)

    assert not result.success
    step, cause = failure(result)
    assert step == "parsed_tables"
    assert f"no archive index for partition(s) {KEYS[0]}" in cause
    assert reports() == before


def test_an_unreadable_catalog_stops_the_run_before_the_tables(ingested) -> None:
    before = reports()
    with ingested.catalog.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["link", "agency"], ["reports/a.html", "甲局"]])

    result = execute("main", ingested.catalog)

    assert not result.success
    step, cause = failure(result)
    assert step == "catalog" and "cannot be read whole" in cause
    assert reports() == before
