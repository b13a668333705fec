"""Where the warehouse lives: every location, read from the environment at call time.

Each location has an environment variable and a default relative to the repository root. They
are functions, not constants, so a change of environment (a test pointing the warehouse at a
temporary directory, a run given another catalog) takes effect without re-importing anything.

  OGI_WAREHOUSE_DIR      <repo>/warehouse
  OGI_PARQUET_DIR        <warehouse>/parquet        Parquet tables written by ingest, read by dbt
  OGI_DUCKDB_PATH        <warehouse>/ogi.duckdb     the DuckDB file dbt builds
  OGI_RAW_DIR            <warehouse>/raw            content-addressed copies of the report bytes
  OGI_ARCHIVE_INDEX_DIR  <warehouse>/archive_index  per year: the reports last archived
  OGI_REPORT_PATH        <warehouse>/report.html    the quality report, written after each build
  OGI_EXPORTS_DIR        <warehouse>/exports        every mart as Parquet (and CSV), a dictionary
  OGI_CATALOG            ingest/sample/catalog.csv  the list of reports to ingest
  DAGSTER_HOME           <warehouse>/dagster_home   run history of the orchestration
  DBT_PROJECT_DIR        <repo>/dbt_project

Every function returns an absolute path; a relative value in the environment is taken relative
to the current working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CATALOG = Path(__file__).resolve().parent / "sample" / "catalog.csv"


def _from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(os.path.abspath(os.path.expanduser(value))) if value else default


def warehouse_dir() -> Path:
    return _from_env("OGI_WAREHOUSE_DIR", REPO_ROOT / "warehouse")


def parquet_dir() -> Path:
    return _from_env("OGI_PARQUET_DIR", warehouse_dir() / "parquet")


def duckdb_path() -> Path:
    return _from_env("OGI_DUCKDB_PATH", warehouse_dir() / "ogi.duckdb")


def raw_dir() -> Path:
    return _from_env("OGI_RAW_DIR", warehouse_dir() / "raw")


def report_path() -> Path:
    return _from_env("OGI_REPORT_PATH", warehouse_dir() / "report.html")


def exports_dir() -> Path:
    return _from_env("OGI_EXPORTS_DIR", warehouse_dir() / "exports")


def archive_index_dir() -> Path:
    return _from_env("OGI_ARCHIVE_INDEX_DIR", warehouse_dir() / "archive_index")


def catalog_path() -> Path:
    return _from_env("OGI_CATALOG", SAMPLE_CATALOG)


def dagster_home() -> Path:
    return _from_env("DAGSTER_HOME", warehouse_dir() / "dagster_home")


def dbt_project_dir() -> Path:
    return _from_env("DBT_PROJECT_DIR", REPO_ROOT / "dbt_project")


def dbt_env(parquet: Path | None = None, duckdb: Path | None = None) -> dict[str, str]:
    """The variables the dbt project reads (its sources and its profile), as absolute paths."""
    return {
        "OGI_PARQUET_DIR": str(parquet or parquet_dir()),
        "OGI_DUCKDB_PATH": str(duckdb or duckdb_path()),
    }
