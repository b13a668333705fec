"""The Dagster definitions, and one real run of the job `main` over a few sample reports.

The run (ingest assets, then `dbt build` with the dbt tests as asset checks) happens once per
module against a warehouse in a temporary directory; every test below reads its events or the
DuckDB file it built (opened read-only).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingest import paths
from ingest.catalog import report_id
from ingest.codes import LEDGER_ROWS
from ingest.schema import TABLES
from orchestration.definitions import defs
from orchestration.ingest_assets import table_asset_key
from orchestration.run import prepare_dagster_home, run_config
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


@dataclass(frozen=True)
class Run:
    result: dg.ExecuteInProcessResult
    corpus: object  # tests.conftest.Corpus
    duckdb_path: Path

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
    result = job.execute_in_process(
        run_config=run_config(str(corpus.catalog), fresh=False, log_level="WARNING"),
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert paths.duckdb_path() == warehouse / "ogi.duckdb"
    return Run(result, corpus, paths.duckdb_path())


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


def test_run_helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OGI_WAREHOUSE_DIR", str(tmp_path / "wh"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    home = prepare_dagster_home()
    assert home == tmp_path / "wh" / "dagster_home" and (home / "dagster.yaml").is_file()
    config = run_config("rel/catalog.csv", fresh=True)["resources"]["warehouse"]["config"]
    assert config["fresh"] is True and Path(config["catalog"]).is_absolute()


# --- one run of the job ----------------------------------------------------------------------


def test_the_run_succeeds(run: Run) -> None:
    failures = [e.message for e in run.result.all_events if e.is_failure]
    assert run.result.success, failures


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
    raw = materialized[dg.AssetKey("raw_reports")].metadata
    assert raw["fetch_errors"].value == 2 and raw["archived"].value == n - 2
    assert materialized[dg.AssetKey("catalog")].metadata["entries"].value == n
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
