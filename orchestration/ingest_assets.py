"""Ingest as assets: catalog -> raw_reports -> the Parquet tables dbt reads.

Each asset is one stage of `ingest.pipeline`. `catalog` and `raw_reports` hand small records
(entries, archive locations) to the next stage; report bytes stay in the raw archive and the
parsed values go straight to Parquet, one report at a time.

`raw_reports` and the tables are partitioned by report year (orchestration.partitions): a run
handles the catalog entries of its partitions, in one batch however many partitions it covers,
and replaces exactly those partitions' rows in the tables. `raw_reports` hands its records on
through the archive index, one file per partition, so the tables can be rebuilt from the
archive alone (job rebuild_from_archive). `catalog` is one file, not partitioned.
"""

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa

from ingest.archive import ArchivedReport, archive_entries
from ingest.catalog import CatalogEntry, CatalogReading, read_catalog
from ingest.partitions import entries_in, rows_in
from ingest.pipeline import build_tables
from ingest.quality import count_by_partition, status_by_partition, worst_reports
from ingest.schema import TABLES
from ingest.store import read_table, table_path, write_tables
from orchestration.metadata import markdown_table, table
from orchestration.partitions import KEYS, ordered, report_years
from orchestration.resources import WarehouseResource

GROUP = "ingest"
# The IO manager that carries raw_reports' records to the parse stage (the archive index).
ARCHIVE_INDEX = "archive_index"
# Parse progress is logged every this many reports.
PROGRESS_EVERY = 500

TABLE_DESCRIPTIONS: dict[str, str] = {
    "reports": "One row per catalog entry: catalog metadata, parse status, template versions.",
    "cells": "One row per parsed value: report x section x row code x column code.",
    "checks": "One row per reconciliation identity the parser evaluated.",
    "issues": "One row per parse issue.",
    "codes": "The canonical code list (ingest/data/codes.csv).",
}


def table_asset_key(table: str) -> dg.AssetKey:
    """Asset key of an ingest Parquet table; dbt's source `ogi.<table>` maps onto it."""
    return dg.AssetKey(table)


def row_count(n: int) -> dict[str, Any]:
    """The standard row-count metadata entry, shown with the asset in the UI."""
    return {"dagster/row_count": dg.MetadataValue.int(n)}


def column_schema(schema: pa.Schema) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                f.name,
                str(f.type),
                constraints=dg.TableColumnConstraints(nullable=f.nullable),
            )
            for f in schema
        ]
    )


@dg.asset(group_name=GROUP, kinds={"csv"})
def catalog(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.Output:
    """The validated catalog: the reports to ingest and the rows that were left out.

    A catalog that cannot be read as a whole (not UTF-8, no url column, broken CSV) fails the
    run: its entries would be taken for the complete list and the rows of missing reports
    dropped from every year."""
    path = warehouse.catalog_path()
    reading: CatalogReading = read_catalog(path)
    for p in reading.problems:
        log = context.log.error if p.severity == "error" else context.log.warning
        log(f"catalog line {p.line}: {p.code}: {p.message}")
    if reading.unreadable:
        raise dg.Failure(
            description=f"the catalog {path} cannot be read whole; nothing was ingested",
            metadata={"problems": markdown_table([p.as_dict() for p in reading.unreadable])},
        )
    metadata: dict[str, Any] = {
        "catalog_path": dg.MetadataValue.path(str(path)),
        "entries": len(reading.entries),
        "errors": len(reading.errors),
        "warnings": len(reading.warnings),
        "entries_by_partition": table(count_by_partition([e.year for e in reading.entries], KEYS)),
        **row_count(len(reading.entries)),
    }
    if reading.problems:
        metadata["problems"] = markdown_table(
            [p.as_dict() for p in reading.problems],
            ["line", "severity", "code", "source", "message"],
        )
    return dg.Output(reading, metadata=metadata)


def run_entries(context: dg.AssetExecutionContext, reading: CatalogReading) -> list[CatalogEntry]:
    """The catalog entries of the run's partitions."""
    return entries_in(reading.entries, context.partition_keys, KEYS)


@dg.asset(
    group_name=GROUP,
    kinds={"file"},
    partitions_def=report_years,
    backfill_policy=dg.BackfillPolicy.single_run(),
    io_manager_key=ARCHIVE_INDEX,
)
def raw_reports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, catalog: CatalogReading
) -> dg.Output:
    """Every report's bytes in the content-addressed raw archive (or why they could not be read),
    for the catalog entries of the run's year partitions."""
    raw_dir = warehouse.raw_path()
    archived = archive_entries(run_entries(context, catalog), raw_dir)
    failed = [a for a in archived if not a.ok]
    for a in failed:
        context.log.warning(f"{a.entry.source}: {a.error}")
    return dg.Output(
        archived,
        metadata={
            "raw_dir": dg.MetadataValue.path(str(raw_dir)),
            "partitions": ", ".join(ordered(context.partition_keys)),
            "archived": len(archived) - len(failed),
            "fetch_errors": len(failed),
            "bytes": sum(a.bytes or 0 for a in archived),
            "by_partition": table(
                count_by_partition(
                    [a.entry.year for a in archived],
                    KEYS,
                    fetch_errors=[not a.ok for a in archived],
                )
            ),
            **row_count(len(archived)),
        },
    )


def with_progress(
    records: Sequence[ArchivedReport], log: dg.DagsterLogManager
) -> Iterator[ArchivedReport]:
    """The records, logging how many have been handed on every PROGRESS_EVERY."""
    total = len(records)
    for i, record in enumerate(records, start=1):
        yield record
        if i % PROGRESS_EVERY == 0 or i == total:
            log.info(f"parsed {i} of {total} reports")


@dg.multi_asset(
    name="parsed_tables",
    partitions_def=report_years,
    backfill_policy=dg.BackfillPolicy.single_run(),
    specs=[
        dg.AssetSpec(
            table_asset_key(name),
            group_name=GROUP,
            description=TABLE_DESCRIPTIONS[name],
            kinds={"parquet"},
            metadata={"dagster/column_schema": column_schema(TABLES[name])},
            deps=[] if name == "codes" else [raw_reports],
        )
        for name in TABLES
    ],
    ins={"raw_reports": dg.AssetIn(raw_reports.key)},
)
def parsed_tables(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    raw_reports: list[ArchivedReport],
):
    """Parse the archived reports of the run's partitions and write the Parquet tables: the
    rows of those partitions are replaced, every other partition's are kept."""
    partitions = ordered(context.partition_keys)
    built = build_tables(with_progress(raw_reports, context.log))
    parquet_dir = warehouse.parquet_path()
    written = write_tables(
        built.tables, parquet_dir, merge=not warehouse.fresh, replace=rows_in(partitions, KEYS)
    )
    errors = Counter(
        error for error in built.tables["reports"]["error"].to_pylist() if error is not None
    )
    for message, n in errors.items():
        context.log.warning(f"{n} report(s) with status error: {message}")
    for name, w in written.items():
        metadata: dict[str, Any] = {
            "parquet_path": dg.MetadataValue.path(w.path),
            "partitions": ", ".join(partitions),
            "rows_written": w.written,
            "rows_kept": w.kept,
            "rows_dropped": w.dropped,
            **row_count(w.rows),
        }
        if name == "reports":
            metadata.update(reports_metadata(built.tables["reports"], parquet_dir))
            metadata.update({f"status/{s}": n for s, n in built.status_counts.items()})
        yield dg.MaterializeResult(asset_key=table_asset_key(name), metadata=metadata)


WORST_COLUMNS = ("report_id", "source", "catalog_year", "status", "n_checks_failed", "n_issues")


def reports_metadata(batch: pa.Table, parquet_dir: Path) -> dict[str, Any]:
    """The worst reports of this batch, and the status of every report by partition."""
    return {
        "status_by_partition": table(status_by_partition(read_table(parquet_dir, "reports"), KEYS)),
        "worst_reports": markdown_table(worst_reports(batch), [*WORST_COLUMNS, "error"]),
        "parquet_paths": dg.MetadataValue.md(
            "\n".join(f"- `{name}`: {table_path(parquet_dir, name)}" for name in TABLES)
        ),
    }
