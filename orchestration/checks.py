"""Asset checks beyond the dbt tests: how well fetching and parsing went, how much is quarantined.

Each check measures the whole table (every partition, so a one-year run still shows every
year), compares it with the thresholds of `ingest.quality.Thresholds`, and reports with
severity WARN: a result outside the thresholds is shown in the UI and the run summary, never
a reason to stop the run or what follows it (the checks are not blocking). The metadata says
what was measured, against which threshold, and which partitions or reports are behind it.

* `parse_coverage` (on `reports`): per partition, the shares of the reports read that were
  parsed complete, partial, narrative only, with no statistics, or failed.
* `fetch_failure_rate` (on `reports`): the share of catalog entries whose bytes could not be
  read, per partition, with the most frequent reasons.
* `quarantine_share` (on `rpt_quarantine`): per reporting year, the share of reports with
  statistics kept out of the facts because an identity does not hold. It reads the DuckDB file,
  so it takes the warehouse's pool slot like the dbt build.
"""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg
import duckdb

from ingest import quality
from ingest.store import read_table, table_path
from orchestration.ingest_assets import table_asset_key
from orchestration.metadata import markdown_table, table
from orchestration.partitions import KEYS
from orchestration.resources import DUCKDB_POOL, WarehouseResource

THRESHOLDS = quality.Thresholds()
REPORTS = table_asset_key("reports")
QUARANTINE = dg.AssetKey("rpt_quarantine")
SHOWN_QUARANTINED = 20


def check_result(
    verdict: quality.Verdict, explains: str, rows: str = "by_partition", **extra: object
) -> dg.AssetCheckResult:
    """A WARN-severity result: the summary, what is measured, the thresholds, the figures, the
    verdict's rows as a table named `rows`, and any `extra` metadata."""
    metadata: dict[str, object] = {
        "summary": verdict.summary,
        "measures": dg.MetadataValue.md(explains),
        "thresholds": dg.MetadataValue.json(THRESHOLDS.as_dict()),
        **verdict.figures,
        rows: table(verdict.rows),
        **extra,
    }
    return dg.AssetCheckResult(
        passed=verdict.passed,
        severity=dg.AssetCheckSeverity.WARN,
        description=verdict.summary,
        metadata=metadata,
    )


def _missing(what: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=False,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"nothing to measure: {what}",
        metadata={"summary": f"nothing to measure: {what}"},
    )


def reports_check(
    name: str,
    description: str,
    measure: Callable[..., quality.Verdict],
    explains: str,
    **extra: Callable[[quality.Verdict], object],
) -> dg.AssetChecksDefinition:
    """A check on `reports` that measures the whole table (every partition) against
    THRESHOLDS; each `extra` entry turns the verdict into one more metadata entry."""

    @dg.asset_check(asset=REPORTS, name=name, description=description)
    def check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        path = table_path(warehouse.parquet_path(), "reports")
        if not path.exists():
            return _missing(f"no reports table at {path}")
        verdict = measure(read_table(warehouse.parquet_path(), "reports"), KEYS, THRESHOLDS)
        return check_result(verdict, explains, **{k: f(verdict) for k, f in extra.items()})

    return check


parse_coverage = reports_check(
    "parse_coverage",
    "Share of the reports read that were parsed complete / partial / narrative only / no "
    "statistics / failed, per year partition; warns outside the thresholds.",
    quality.parse_coverage,
    "Of the reports whose bytes were read, per partition: the share of each parse status. "
    "`failed` is status error although the bytes were read (the parser or the result was "
    "rejected); reports that could not be read are left to `fetch_failure_rate`. A year warns "
    f"when failed > {THRESHOLDS.max_parse_failed:.0%} or complete < "
    f"{THRESHOLDS.min_complete:.0%}.",
)

fetch_failure_rate = reports_check(
    "fetch_failure_rate",
    "Share of catalog entries whose bytes could not be read (fetch failures), per year "
    "partition, with the most frequent reasons; warns above the threshold.",
    quality.fetch_failures,
    "Entries of the catalog whose report bytes could not be read or archived (fetch_status "
    "error), over all partitions; warns when the share exceeds "
    f"{THRESHOLDS.max_fetch_failed:.0%}. The reasons table groups the error messages.",
    reasons=lambda verdict: markdown_table(verdict.details, ["reports", "reason"]),
)


QUARANTINE_BY_YEAR = """
select
    reporting_year as year,
    count(*) filter (where status in ('complete', 'partial') or is_quarantined)
        as with_statistics,
    count(*) filter (where is_quarantined) as quarantined
from dim_reports
group by reporting_year
order by reporting_year nulls last
"""

QUARANTINED_REPORTS = f"""
select q.report_id, r.source, q.agency_name as agency, q.reporting_year as year,
    q.n_failed, q.n_undecided, q.n_parse_undecided, q.reason
from rpt_quarantine as q
left join dim_reports as r using (report_id)
order by q.n_failed desc, q.n_undecided + q.n_parse_undecided desc, q.report_id
limit {SHOWN_QUARANTINED}
"""


def _records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dg.asset_check(
    asset=QUARANTINE,
    description="Share of reports with statistics quarantined (a hard identity does not hold), "
    "per reporting year, with the reports and their failing identities; warns above the "
    "threshold.",
    pool=DUCKDB_POOL,
)
def quarantine_share(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    path = warehouse.duckdb_file()
    if not path.exists():
        return _missing(f"no warehouse at {path}")
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            by_year = _records(con, QUARANTINE_BY_YEAR)
            shown = _records(con, QUARANTINED_REPORTS)
    except duckdb.Error as exc:
        return _missing(f"cannot read {path}: {exc}")
    verdict = quality.quarantine(by_year, shown, THRESHOLDS)
    return check_result(
        verdict,
        "Reports with statistics (status complete or partial, or quarantined) by reporting "
        "year (dim_reports.reporting_year), and how many are in rpt_quarantine: kept out of "
        "the fct_ tables because their printed numbers break a hard identity (1-4) or leave it "
        "undecided (a blank total), or because it involves a cell the parser could not decide "
        f"(n_parse_undecided: not a failure). A year warns above {THRESHOLDS.max_quarantined:.0%}. "
        f"The table lists the {SHOWN_QUARANTINED} reports with the most failing identities.",
        rows="by_year",
        quarantined_reports=markdown_table(
            verdict.details,
            ["report_id", "source", "agency", "year", "n_failed", "n_parse_undecided", "reason"],
        ),
    )


INGEST_CHECKS = [parse_coverage, fetch_failure_rate]
WAREHOUSE_CHECKS = [quarantine_share]
