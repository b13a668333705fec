"""The warehouse locations as a Dagster resource.

Every field left empty is read from the environment when a run uses it (`ingest.paths`), so
the same definitions serve `make run`, `dagster dev` and tests that point the warehouse at a
temporary directory. A field set in the launchpad overrides the environment for that run.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from ingest import paths, publish
from ingest.archive_index import read_batch, write_index
from ingest.collect import Collected

# The pool of every op that opens the DuckDB file: dbt writes it, and DuckDB lets one process
# write a file at a time. The instance's dagster.yaml limits each pool to one op at a time
# (orchestration.run writes it); `dagster instance concurrency set duckdb 1` does the same.
DUCKDB_POOL = "duckdb"


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
        """The published DuckDB file: what readers open (read-only), never written by dbt."""
        return _or_default(self.duckdb_path, paths.duckdb_path())

    def build_file(self) -> Path:
        """The file dbt builds, published over duckdb_file() once the build succeeded."""
        return publish.build_path(self.duckdb_file())

    def dbt_env(self) -> dict[str, str]:
        """The variables the dbt project reads its locations from: dbt writes the build file."""
        return paths.dbt_env(self.parquet_path(), self.build_file())


class ArchiveIndexIOManager(dg.ConfigurableIOManager):
    """Hands raw_reports' records to the parse stage through the archive index, one file per
    year partition (ingest.archive_index), whatever the number of partitions in the run.

    Writing replaces the index of every partition of the run; reading concatenates those of
    the partitions asked for, so the parse stage can run alone (job rebuild_from_archive) on
    what the last ingest of each year archived. A partition never ingested fails the read with
    a message naming it, rather than being parsed as empty (which would drop its rows).
    """

    directory: str | None = None

    def index_dir(self) -> Path:
        return _or_default(self.directory, paths.archive_index_dir())

    def handle_output(self, context: dg.OutputContext, obj: Collected) -> None:
        keys = context.asset_partitions_def.get_partition_keys()
        written = write_index(
            self.index_dir(), obj.reports, context.asset_partition_keys, keys, obj.retired
        )
        context.log.debug(f"archive index written for {', '.join(sorted(written))}")

    def load_input(self, context: dg.InputContext) -> Collected:
        order = context.asset_partitions_def.get_partition_keys()
        wanted = set(context.asset_partition_keys)
        reports, retired = read_batch(self.index_dir(), [k for k in order if k in wanted])
        return Collected(reports, retired, batch_id="archive_index")
