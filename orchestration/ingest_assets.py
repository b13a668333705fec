"""Ingest as assets: catalog -> raw_reports -> the Parquet tables dbt reads.

Each asset is one stage of `ingest.pipeline`. `catalog` and `raw_reports` hand small records
(entries, archive locations) to the next stage; report bytes stay in the raw archive and the
parsed values go straight to Parquet a chunk of reports at a time (`stream_tables`: memory
holds a few chunks of rows, not the tables). `raw_reports` fetches (listings, reports,
attachments; limits from the OGI_FETCH_* variables) and appends the fetch log;
`parsed_tables` parses only the reports whose bytes changed.

`raw_reports` and the tables are partitioned by report year (orchestration.partitions): a run
handles the catalog entries of its partitions, in one batch however many partitions it covers,
and replaces exactly those partitions' rows in the tables. `raw_reports` hands its records on
through the archive index, one file per partition, so the tables can be rebuilt from the
archive alone (job rebuild_from_archive). `catalog` is one file, not partitioned.
"""

from collections import Counter
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa

from ingest.catalog import CatalogEntry, CatalogReading, read_catalog
from ingest.collect import MAX_FAILURES_SHOWN, Collected, collect
from ingest.fetch import FetchPolicy
from ingest.partitions import collected_in, entries_in, rows_in
from ingest.pipeline import Previous, stream_tables
from ingest.quality import count_by_partition, status_by_partition, worst_reports
from ingest.schema import TABLES
from ingest.store import read_table, table_path
from orchestration.metadata import markdown_table, table
from orchestration.partitions import KEYS, ordered, report_years
from orchestration.resources import WarehouseResource

GROUP = "ingest"
# The IO manager that carries raw_reports' records to the parse stage (the archive index).
ARCHIVE_INDEX = "archive_index"
# The job that parses every archived report again (orchestration.jobs).
REBUILD_JOB = "rebuild_from_archive"
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


def _failures_markdown(collected: Collected) -> str:
    lines = ["| source | error | message |", "|---|---|---|"]
    for a in collected.failed[:MAX_FAILURES_SHOWN]:
        message = (a.error or "").replace("|", "/")
        lines.append(f"| {a.retrieval.url} | {a.retrieval.error_class} | {message} |")
    if len(collected.failed) > MAX_FAILURES_SHOWN:
        lines.append(f"| … | | {len(collected.failed) - MAX_FAILURES_SHOWN} more |")
    return "\n".join(lines)


def run_entries(context: dg.AssetExecutionContext, reading: CatalogReading) -> list[CatalogEntry]:
    """The catalog entries of the run's partitions, and every listing row (the year of a report
    found on a listing is known only once the listing is read)."""
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
    for the run's year partitions: local files read, URLs fetched, listing pages followed,
    attachments of articles fetched."""
    raw_dir = warehouse.raw_path()
    entries = run_entries(context, catalog)
    everything = collect(entries, raw_dir, warehouse.parquet_path(), FetchPolicy.from_env())
    # listings may list reports of other years: counts and rows are of the run's partitions
    collected = collected_in(everything, context.partition_keys, KEYS)
    for a in collected.failed[:MAX_FAILURES_SHOWN]:
        context.log.warning(f"{a.retrieval.url}: {a.retrieval.error_class}: {a.error}")
    counts = collected.counts
    archived = collected.reports
    metadata: dict[str, Any] = {
        "raw_dir": dg.MetadataValue.path(str(raw_dir)),
        "fetch_log": dg.MetadataValue.path(str(collected.log_path)),
        "partitions": ", ".join(ordered(context.partition_keys)),
        "archived": counts["archived"],
        "fetch_errors": counts["fetch_errors"],
        "other_partitions": counts["other_partitions"],
        "not_modified": counts.get("not_modified", 0),
        "discovered": counts.get("discovered", 0),
        "attachments": counts.get("attachments", 0),
        "listing_pages": counts.get("listing_pages", 0),
        "bytes": counts.get("bytes_fetched", 0),
        **{f"failures/{name}": n for name, n in collected.failures.items()},
        "by_partition": table(
            count_by_partition(
                [a.entry.year for a in archived], KEYS, fetch_errors=[not a.ok for a in archived]
            )
        ),
        **row_count(len(archived)),
    }
    if collected.failed:
        metadata["failures"] = dg.MetadataValue.md(_failures_markdown(collected))
    return dg.Output(collected, metadata=metadata)


class ParseProgress:
    """Logs how many reports have been parsed, every PROGRESS_EVERY and at the end."""

    def __init__(self, log: dg.DagsterLogManager) -> None:
        self.log = log
        self.logged = 0

    def __call__(self, done: int, total: int) -> None:
        if done == total or done - self.logged >= PROGRESS_EVERY:
            self.log.info(f"parsed {done} of {total} reports")
            self.logged = done


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
    raw_reports: Collected,
):
    """Parse the archived reports of the run's partitions and write the Parquet tables as a
    stream (ingest.pipeline.stream_tables, on every core for a large batch): the rows of those
    partitions are replaced, every other partition's are kept. A report whose bytes did not
    change keeps its rows, unless the run is fresh or rebuilds from the archive."""
    partitions = ordered(context.partition_keys)
    parquet_dir = warehouse.parquet_path()
    # the rebuild job exists to parse again (after a parser upgrade): it reuses nothing
    reuse = context.job_name != REBUILD_JOB
    previous = None if warehouse.fresh else Previous(parquet_dir, reuse=reuse)
    batch, written = stream_tables(
        raw_reports.reports,
        parquet_dir,
        previous=previous,
        retire=raw_reports.retired,
        replace=rows_in(partitions, KEYS),
        progress=ParseProgress(context.log),
    )
    errors = Counter(error for error in batch.reports["error"].to_pylist() if error is not None)
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
            metadata.update(reports_metadata(batch.reports, parquet_dir))
            metadata.update({f"status/{s}": n for s, n in batch.status_counts.items()})
            metadata.update({"parsed": batch.parsed, "unchanged": batch.reused})
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
