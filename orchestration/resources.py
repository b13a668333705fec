"""The warehouse locations as a Dagster resource.

Every field left empty is read from the environment when a run uses it (`ingest.paths`), so
the same definitions serve `make run`, `dagster dev` and tests that point the warehouse at a
temporary directory. A field set in the launchpad overrides the environment for that run.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from ingest import paths


def _or_default(value: str | None, default: Path) -> Path:
    return Path(value).expanduser().absolute() if value else default


class WarehouseResource(dg.ConfigurableResource):
    """Where ingest reads the catalog and writes raw bytes and Parquet, and where dbt builds."""

    catalog: str | None = None
    raw_dir: str | None = None
    parquet_dir: str | None = None
    duckdb_path: str | None = None
    fresh: bool = False  # Parquet tables hold only this run's reports (default: replace theirs)

    def catalog_path(self) -> Path:
        return _or_default(self.catalog, paths.catalog_path())

    def raw_path(self) -> Path:
        return _or_default(self.raw_dir, paths.raw_dir())

    def parquet_path(self) -> Path:
        return _or_default(self.parquet_dir, paths.parquet_dir())

    def duckdb_file(self) -> Path:
        return _or_default(self.duckdb_path, paths.duckdb_path())

    def dbt_env(self) -> dict[str, str]:
        """The variables the dbt project reads its locations from."""
        return paths.dbt_env(self.parquet_path(), self.duckdb_file())
