"""The Dagster definitions, and one real run of the job `main` over a few sample reports.

The run (ingest assets over every year partition, then `dbt build` with the dbt tests as asset
checks, then the checks of orchestration.checks) happens once per module against a warehouse in
a temporary directory and a Dagster instance whose pools allow one op at a time. Another run
holds the `duckdb` pool's slot until the dbt build is waiting for it, so the run also shows
that a second writer of the DuckDB file waits its turn. Every test below reads its events, the
instance, or the DuckDB file it built (opened read-only).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import HOSTILE_AGENCY

from ingest import paths
from ingest.catalog import report_id
from ingest.codes import LEDGER_ROWS
from ingest.partitions import OTHER
from ingest.schema import TABLES
from orchestration.definitions import defs
from orchestration.ingest_assets import table_asset_key
from orchestration.partitions import KEYS, range_tags
from orchestration.resources import DUCKDB_POOL
from orchestration.run import DAGSTER_YAML, free_stale_slots, prepare_dagster_home, run_config
from orchestration.summary import format_summary, read_summary

MARTS = (
    "fct_applications",
    "fct_dispositions",
    "fct_reviews",
    "fct_litigation",
    "fct_proactive_disclosure",
    "dim_reports",
    "dim_agencies",
    "dim_applicant_types",
    "dim_dispositions",
    "rpt_reconciliation",
    "rpt_quarantine",
)
INGEST_KEYS = {dg.AssetKey("catalog"), dg.AssetKey("raw_reports")} | {
    table_asset_key(t) for t in TABLES
}


# What orchestration.run writes into dagster.yaml: one op at a time per pool.
POOLS = {"concurrency": {"pools": {"granularity": "op", "default_limit": 1}}}
OTHER_RUN = "another-run-writing-duckdb"
DBT_STEP = "warehouse_dbt_assets"


class SlotHolder(threading.Thread):
    """Another run's hold on the `duckdb` pool's only slot, released once a step of ours has
    been waiting for it (or after a timeout)."""

    def __init__(self, instance: dg.DagsterInstance, timeout: float = 300) -> None:
        super().__init__(daemon=True)
        self.storage = instance.event_log_storage
        self.timeout = timeout
        self.storage.set_concurrency_slots(DUCKDB_POOL, 1)
        claim = self.storage.claim_concurrency_slot(DUCKDB_POOL, OTHER_RUN, "build", 0)
        assert claim.is_claimed
        self.waiting: list[str] = []
        self.released_at: float | None = None

    def run(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            pending = self.storage.get_concurrency_info(DUCKDB_POOL).pending_steps
            waiting = [p.step_key for p in pending if p.run_id != OTHER_RUN]
            if waiting:
                self.waiting = waiting
                break
            time.sleep(0.2)
        self.released_at = time.time()
        self.storage.free_concurrency_slots_for_run(OTHER_RUN)


@dataclass(frozen=True)
class Run:
    result: dg.ExecuteInProcessResult
    corpus: object  # tests.conftest.Corpus
    duckdb_path: Path
    step_starts: dict[str, float]
    pool: SlotHolder

    def materializations(self) -> dict[dg.AssetKey, dg.AssetMaterialization]:
        return {
            e.asset_key: e.step_materialization_data.materialization
            for e in self.result.get_asset_materialization_events()
        }

    def sql(self, query: str) -> list[tuple]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            return con.execute(query).fetchall()


@pytest.fixture(scope="module")
def run(module_warehouse) -> Run:
    warehouse, corpus = module_warehouse
    job = defs.resolve_job_def("main")
    with dg.instance_for_test(overrides=POOLS, set_dagster_home=False) as instance:
        holder = SlotHolder(instance)
        holder.start()
        result = job.execute_in_process(
            run_config=run_config(str(corpus.catalog), fresh=False, log_level="WARNING"),
            instance=instance,
            tags=range_tags(),
            raise_on_error=False,
        )
        holder.join()
        starts = {
            e.step_key: e.timestamp
            for e in instance.all_logs(result.run_id, of_type=dg.DagsterEventType.STEP_START)
        }
    assert paths.duckdb_path() == warehouse / "ogi.duckdb"
    return Run(result, corpus, paths.duckdb_path(), starts, holder)


# --- definitions (no run needed) -------------------------------------------------------------


def test_definitions_load() -> None:
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("main") is not None


def test_dbt_sources_hang_below_the_ingest_tables() -> None:
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    assert INGEST_KEYS <= keys
    assert {dg.AssetKey(m) for m in MARTS} <= keys
    # no separate source assets: dbt's ogi.<table> is the ingest asset of that table
    assert not any(k.path[0] == "ogi" for k in keys)
    assert table_asset_key("reports") in graph.get(dg.AssetKey("stg_reports")).parent_keys
    assert table_asset_key("cells") in graph.get(dg.AssetKey("stg_cells")).parent_keys
    assert graph.get(table_asset_key("cells")).parent_keys == {dg.AssetKey("raw_reports")}
    assert graph.get(dg.AssetKey("raw_reports")).parent_keys == {dg.AssetKey("catalog")}


def test_groups_and_checks() -> None:
    graph = defs.resolve_asset_graph()
    assert {graph.get(k).group_name for k in INGEST_KEYS} == {"ingest"}
    assert graph.get(dg.AssetKey("stg_reports")).group_name == "staging"
    assert graph.get(dg.AssetKey("fct_applications")).group_name == "marts"
    checked = {check.asset_key for check in graph.asset_check_keys}
    assert dg.AssetKey("dim_reports") in checked  # dbt tests are asset checks


def test_ingest_is_partitioned_by_year_and_dbt_reads_all_years() -> None:
    graph = defs.resolve_asset_graph()
    assert KEYS[0] == "2019" and KEYS[-1] == OTHER and str(time.localtime().tm_year) in KEYS
    for key in INGEST_KEYS - {dg.AssetKey("catalog")}:
        assert list(graph.get(key).partitions_def.get_partition_keys()) == list(KEYS), key
    assert graph.get(dg.AssetKey("catalog")).partitions_def is None
    for mart in MARTS:
        assert graph.get(dg.AssetKey(mart)).partitions_def is None


def test_jobs() -> None:
    assert defs.resolve_job_def("refresh_year").partitions_def is not None
    rebuilt = defs.resolve_job_def("rebuild_from_archive").asset_layer.executable_asset_keys
    assert dg.AssetKey("catalog") not in rebuilt and dg.AssetKey("raw_reports") not in rebuilt
    assert {table_asset_key(t) for t in TABLES} | {dg.AssetKey(m) for m in MARTS} <= set(rebuilt)


def test_what_opens_the_duckdb_file_is_in_the_pool() -> None:
    assert defs.resolve_assets_def("fct_applications").op.pool == DUCKDB_POOL
    checks = {c.name for c in defs.resolve_asset_graph().asset_check_keys}
    assert {"parse_coverage", "fetch_failure_rate", "quarantine_share"} <= checks
    from orchestration.checks import quarantine_share

    assert quarantine_share.op.pool == DUCKDB_POOL


def test_run_helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OGI_WAREHOUSE_DIR", str(tmp_path / "wh"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    home = prepare_dagster_home()
    assert home == tmp_path / "wh" / "dagster_home" and (home / "dagster.yaml").is_file()
    assert (home / "dagster.yaml").read_text() == DAGSTER_YAML
    with dg.DagsterInstance.from_config(str(home)) as instance:
        pools = instance.get_concurrency_config().pool_config
        assert pools.default_pool_limit == 1 and pools.pool_granularity.value == "op"
    config = run_config("rel/catalog.csv", fresh=True)["resources"]["warehouse"]["config"]
    assert config["fresh"] is True and Path(config["catalog"]).is_absolute()


def test_slots_of_runs_that_ended_are_freed() -> None:
    """A process killed while it held the pool's slot would block every later run."""
    with dg.instance_for_test(overrides=POOLS, set_dagster_home=False) as instance:
        storage = instance.event_log_storage
        storage.set_concurrency_slots(DUCKDB_POOL, 1)
        assert storage.claim_concurrency_slot(DUCKDB_POOL, "gone", "build", 0).is_claimed
        assert free_stale_slots(instance, DUCKDB_POOL) == ["gone"]
        assert not storage.get_concurrency_info(DUCKDB_POOL).claimed_slots


# --- one run of the job ----------------------------------------------------------------------


def test_the_run_succeeds(run: Run) -> None:
    failures = [e.message for e in run.result.all_events if e.is_failure]
    assert run.result.success, failures


def test_the_dbt_build_waited_for_the_pool(run: Run) -> None:
    """Another run held the duckdb slot: the build waited, and started once it was free."""
    assert DBT_STEP in run.pool.waiting
    assert run.pool.released_at is not None
    assert run.step_starts[DBT_STEP] >= run.pool.released_at


def test_every_partition_was_materialized_in_one_run(run: Run) -> None:
    partitions = Counter(
        e.partition
        for e in run.result.get_asset_materialization_events()
        if e.asset_key == table_asset_key("reports")
    )
    assert partitions == dict.fromkeys(KEYS, 1)


def test_every_asset_is_materialized(run: Run) -> None:
    materialized = set(run.materializations())
    assert materialized == set(defs.resolve_asset_graph().get_all_asset_keys())


def test_every_dbt_test_ran_as_a_check(run: Run) -> None:
    """Error-severity tests all pass; warn-severity tests may fail (sources that do not
    reconcile are a fact to report, not a build error)."""
    evaluations = run.result.get_asset_check_evaluations()
    expected = set(defs.resolve_asset_graph().asset_check_keys)
    assert {e.asset_check_key for e in evaluations} == expected
    failed = [e for e in evaluations if not e.passed]
    assert [e.asset_check_key for e in failed if e.severity != dg.AssetCheckSeverity.WARN] == []


def test_ingest_metadata(run: Run) -> None:
    materialized = run.materializations()
    n = len(run.corpus.rows)
    reports = materialized[table_asset_key("reports")].metadata
    assert reports["dagster/row_count"].value == n
    assert reports["parquet_path"].value == str(paths.parquet_dir() / "reports.parquet")
    statuses = {k.split("/", 1)[1]: v.value for k, v in reports.items() if k.startswith("status/")}
    assert sum(statuses.values()) == n and statuses["error"] >= 2
    assert reports["partitions"].value == ", ".join(KEYS)
    by_year = reports["status_by_partition"].value
    assert sum(r.data["reports"] for r in by_year.records) == n
    assert {r.data["partition"] for r in by_year.records} <= set(KEYS)
    worst = reports["worst_reports"].value
    assert worst.startswith("| report_id |") and report_id(run.corpus.missing) in worst
    assert str(paths.parquet_dir() / "cells.parquet") in reports["parquet_paths"].value
    raw = materialized[dg.AssetKey("raw_reports")].metadata
    assert raw["fetch_errors"].value == 2 and raw["archived"].value == n - 2
    assert sum(r.data["fetch_errors"] for r in raw["by_partition"].value.records) == 2
    catalog = materialized[dg.AssetKey("catalog")].metadata
    assert catalog["entries"].value == n
    entries = {
        r.data["partition"]: r.data["entries"]
        for r in catalog["entries_by_partition"].value.records
    }
    assert sum(entries.values()) == n and entries[OTHER] >= 1  # the entry without a year
    codes = materialized[table_asset_key("codes")].metadata
    assert codes["dagster/row_count"].value > 0
    # dbt tables carry their row counts too
    dim_reports = materialized[dg.AssetKey("dim_reports")].metadata
    assert dim_reports["dagster/row_count"].value == n


def test_report_and_exports_follow_the_marts(run: Run) -> None:
    graph = defs.resolve_asset_graph()
    for key in (dg.AssetKey("quality_report"), dg.AssetKey("mart_exports")):
        assert graph.get(key).parent_keys == {dg.AssetKey(m) for m in MARTS}
        assert graph.get(key).group_name == "outputs"
    materialized = run.materializations()
    report = materialized[dg.AssetKey("quality_report")].metadata
    assert report["path"].value == str(paths.report_path()) and paths.report_path().is_file()
    assert f"**{len(run.corpus.rows)} reports**" in report["summary"].value
    exports = materialized[dg.AssetKey("mart_exports")].metadata
    assert exports["path"].value == str(paths.exports_dir())
    assert Path(exports["data_dictionary"].value).is_file()
    assert exports["files"].value == len(MARTS) + 1  # Parquet of every mart, the dictionary


def test_the_warehouse_holds_every_report(run: Run) -> None:
    rows = dict(run.sql("select report_id, status from dim_reports"))
    corpus = run.corpus
    assert set(rows) == {report_id(s) for s in corpus.sources}
    assert rows[report_id(corpus.missing)] == "error"
    assert rows[report_id(corpus.remote)] == "error"
    readable = [report_id(s) for s in corpus.sources if s not in corpus.unreadable]
    assert all(rows[r] != "error" for r in readable)


def test_every_mart_is_built(run: Run) -> None:
    tables = {name for (name,) in run.sql("select table_name from information_schema.tables")}
    assert set(MARTS) <= tables


def test_quarantined_reports_are_kept_out_of_the_facts(run: Run) -> None:
    quarantined = {r for (r,) in run.sql("select report_id from rpt_quarantine")}
    breaking = [s for s, t in run.corpus.truth.items() if t.get("expected_failures")]
    assert {report_id(s) for s in breaking} <= quarantined
    flagged = {r for (r,) in run.sql("select report_id from dim_reports where is_quarantined")}
    assert quarantined == flagged
    in_facts = {r for (r,) in run.sql("select distinct report_id from fct_applications")}
    assert not quarantined & in_facts


def test_summary_matches_the_warehouse(run: Run) -> None:
    summary = read_summary(run.duckdb_path)
    statuses = Counter(s for (_, s) in run.sql("select report_id, status from dim_reports"))
    assert summary["reports_by_status"] == dict(statuses)
    assert sum(statuses.values()) == len(run.corpus.rows)
    assert set(summary["fact_rows"]) == {m for m in MARTS if m.startswith("fct_")}
    failures = summary["identity_failures"]
    assert failures["quarantined_reports"] == run.sql("select count(*) from rpt_quarantine")[0][0]
    assert summary["fetch_failures"] == {"not_found": 1, "refused_host": 1}
    text = format_summary(summary)
    assert "fct_applications" in text and "quarantined reports" in text
    assert "fetch failures: 2" in text


def test_facts_reproduce_the_printed_values(run: Run) -> None:
    """The ledger of every report in fct_applications is its source's, as printed."""
    facts = run.sql(
        f"select report_id, applicant_type, {', '.join(LEDGER_ROWS)} from fct_applications"
    )
    truth = {report_id(s): t.get("applications", {}) for s, t in run.corpus.truth.items()}
    assert facts
    for rid, col, *values in facts:
        assert values == [truth[rid][row].get(col) for row in LEDGER_ROWS], (rid, col)


def _evaluation(run: Run, name: str) -> dg.AssetCheckEvaluation:
    (evaluation,) = [
        e for e in run.result.get_asset_check_evaluations() if e.asset_check_key.name == name
    ]
    return evaluation


def test_ingest_and_quarantine_checks_warn_and_explain(run: Run) -> None:
    """Outside their thresholds the checks warn (the run still succeeds) and say why."""
    for name in ("parse_coverage", "fetch_failure_rate", "quarantine_share"):
        evaluation = _evaluation(run, name)
        assert evaluation.severity == dg.AssetCheckSeverity.WARN, name
        metadata = evaluation.metadata
        assert {"summary", "measures", "thresholds"} <= set(metadata), name
        assert evaluation.description == metadata["summary"].value, name
    fetch = _evaluation(run, "fetch_failure_rate")
    n = len(run.corpus.rows)
    assert not fetch.passed  # 2 unreadable entries out of a few: far above 5%
    assert fetch.metadata["fetch_failed"].value == 2 and fetch.metadata["entries"].value == n
    assert "file not found" in fetch.metadata["reasons"].value
    assert f"2 of {n} entries" in fetch.description
    coverage = _evaluation(run, "parse_coverage")
    rows = {r.data["partition"]: r.data for r in coverage.metadata["by_partition"].value.records}
    assert set(rows) <= set(KEYS) and all(r["read"] >= 0 for r in rows.values())
    quarantine = _evaluation(run, "quarantine_share")
    held = run.sql("select count(*) from rpt_quarantine")[0][0]
    assert quarantine.metadata["quarantined"].value == held >= 1
    listed = quarantine.metadata["quarantined_reports"].value
    assert all(r in listed for (r,) in run.sql("select report_id from rpt_quarantine"))


def test_catalog_text_reaches_the_marts_verbatim_and_nothing_else(run: Run) -> None:
    """An agency name made of quotes, SQL, comment marks, $(...) and backticks is data."""
    agencies = {a for (a,) in run.sql("select catalog_agency from dim_reports")}
    assert HOSTILE_AGENCY in agencies
    assert not Path("/tmp/ogi-pwned").exists()
