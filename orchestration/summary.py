"""What the warehouse holds after a run, read from the DuckDB file opened read-only.

* reports by parse status (dim_reports), and those that could not be read by why (fetch_error)
* rows of every fact table (fct_*)
* identity failures: reports quarantined (rpt_quarantine) and checks that do not hold
  (rpt_reconciliation), the hard identities 1-4 apart from the soft ones (carry-over, narrative)
* where the outputs for users are: the quality report page and the exports folder
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.store import STATUSES


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int | None:
    try:
        row = con.execute(sql).fetchone()
    except duckdb.CatalogException:
        return None  # the model was not built
    return int(row[0]) if row and row[0] is not None else 0


def read_summary(duckdb_path: Path) -> dict:
    """Counts describing the warehouse; a table dbt did not build shows as None."""
    if not duckdb_path.exists():
        return {"duckdb_path": str(duckdb_path), "exists": False}
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        try:
            by_status = dict(
                con.execute("select status, count(*) from dim_reports group by status").fetchall()
            )
        except duckdb.CatalogException:
            by_status = None
        try:
            fetch_failures = dict(
                con.execute(
                    "select coalesce(fetch_error, 'error'), count(*) from dim_reports"
                    " where fetch_status = 'error' group by 1 order by 2 desc, 1"
                ).fetchall()
            )
        except duckdb.Error:  # not built, or built before the fetch columns existed
            fetch_failures = None
        facts = [
            name
            for (name,) in con.execute(
                "select distinct table_name from information_schema.tables"
                " where table_name like 'fct\\_%' escape '\\' order by table_name"
            ).fetchall()
        ]
        fact_rows = {name: _scalar(con, f'select count(*) from "{name}"') for name in facts}
        failures = {
            "quarantined_reports": _scalar(con, "select count(*) from rpt_quarantine"),
            "failed_checks": _scalar(
                con, "select count(*) from rpt_reconciliation where holds = false and not soft"
            ),
            "undecided_checks": _scalar(
                con, "select count(*) from rpt_reconciliation where holds is null and not soft"
            ),
            "failed_soft_checks": _scalar(
                con, "select count(*) from rpt_reconciliation where holds = false and soft"
            ),
        }
    statuses = None
    if by_status is not None:
        ordered = [s for s in STATUSES if s in by_status] + sorted(set(by_status) - set(STATUSES))
        statuses = {s: int(by_status[s]) for s in ordered}
    return {
        "duckdb_path": str(duckdb_path),
        "exists": True,
        "reports_by_status": statuses,
        "fetch_failures": fetch_failures,
        "fact_rows": fact_rows,
        "identity_failures": failures,
    }


def _count(value: int | None) -> str:
    return "not built" if value is None else str(value)


def format_summary(summary: dict) -> str:
    """A few aligned lines for the terminal."""
    if not summary.get("exists"):
        return f"warehouse: {summary['duckdb_path']} does not exist"
    lines = [f"warehouse: {summary['duckdb_path']}"]
    statuses = summary["reports_by_status"]
    if statuses is None:
        lines.append("reports: dim_reports not built")
    else:
        lines.append(f"reports: {sum(statuses.values())}")
        lines += [f"  {status:<16}{n:>8}" for status, n in statuses.items()]
    unread = summary.get("fetch_failures")
    if unread is not None:
        lines.append(f"fetch failures: {sum(unread.values())}")
        lines += [f"  {name:<16}{n:>8}" for name, n in unread.items()]
    lines.append("fact rows:")
    lines += [f"  {name:<28}{_count(n):>10}" for name, n in summary["fact_rows"].items()]
    failures = summary["identity_failures"]
    lines.append("identity failures:")
    lines += [f"  {name.replace('_', ' '):<28}{_count(n):>10}" for name, n in failures.items()]
    return "\n".join(lines)


def _output(path: Path, since: float | None, detail: str = "") -> str:
    if not path.exists():
        return "not written"
    stale = since is not None and path.stat().st_mtime < since
    return f"{path}{detail}{' (from an earlier run)' if stale else ''}"


def format_outputs(report: Path, exports: Path, since: float | None = None) -> str:
    """Where the quality report and the exports are, marking those older than `since` (the
    start of the run, as a timestamp) or not written."""
    n_files = len([f for f in exports.glob("*.*") if not f.name.startswith(".")])
    return "\n".join(
        [
            "outputs:",
            f"  {'quality report':<16}{_output(report, since)}",
            f"  {'exports':<16}{_output(exports, since, f' ({n_files} files)')}",
        ]
    )
