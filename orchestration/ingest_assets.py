"""Ingest as assets: catalog -> raw_reports -> the Parquet tables dbt reads.

Each asset is one stage of `ingest.pipeline`. `catalog` and `raw_reports` hand small records
(entries, archive locations) to the next stage; report bytes stay in the raw archive and the
parsed values go straight to Parquet, one report at a time. `raw_reports` fetches (listings,
reports, attachments; limits from the OGI_FETCH_* variables) and appends the fetch log;
`parsed_tables` parses only the reports whose bytes changed.
"""

from collections import Counter
from typing import Any

import dagster as dg
import pyarrow as pa

from ingest.catalog import CatalogProblem, CatalogReading, read_catalog
from ingest.collect import MAX_FAILURES_SHOWN, Collected, collect
from ingest.fetch import FetchPolicy
from ingest.pipeline import Previous, build_tables
from ingest.schema import TABLES
from ingest.store import write_tables
from orchestration.resources import WarehouseResource

GROUP = "ingest"

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


def _problems_markdown(problems: tuple[CatalogProblem, ...]) -> str:
    lines = ["| line | severity | code | source | message |", "|---|---|---|---|---|"]
    lines += [
        f"| {p.line} | {p.severity} | {p.code} | {p.source or ''} | {p.message} |" for p in problems
    ]
    return "\n".join(lines)


@dg.asset(group_name=GROUP, kinds={"csv"})
def catalog(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.Output:
    """The validated catalog: the reports to ingest and the rows that were left out."""
    path = warehouse.catalog_path()
    reading: CatalogReading = read_catalog(path)
    for p in reading.problems:
        log = context.log.error if p.severity == "error" else context.log.warning
        log(f"catalog line {p.line}: {p.code}: {p.message}")
    metadata: dict[str, Any] = {
        "catalog_path": dg.MetadataValue.path(str(path)),
        "entries": len(reading.entries),
        "errors": len(reading.errors),
        "warnings": len(reading.warnings),
        **row_count(len(reading.entries)),
    }
    if reading.problems:
        metadata["problems"] = dg.MetadataValue.md(_problems_markdown(reading.problems))
    return dg.Output(reading, metadata=metadata)


def _failures_markdown(collected: Collected) -> str:
    lines = ["| source | error | message |", "|---|---|---|"]
    for a in collected.failed[:MAX_FAILURES_SHOWN]:
        message = (a.error or "").replace("|", "/")
        lines.append(f"| {a.retrieval.url} | {a.retrieval.error_class} | {message} |")
    if len(collected.failed) > MAX_FAILURES_SHOWN:
        lines.append(f"| … | | {len(collected.failed) - MAX_FAILURES_SHOWN} more |")
    return "\n".join(lines)


@dg.asset(group_name=GROUP, kinds={"file"})
def raw_reports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, catalog: CatalogReading
) -> dg.Output:
    """Every report's bytes in the content-addressed raw archive (or why they could not be read):
    local files read, URLs fetched, listing pages followed, attachments of articles fetched."""
    raw_dir = warehouse.raw_path()
    collected = collect(catalog.entries, raw_dir, warehouse.parquet_path(), FetchPolicy.from_env())
    for a in collected.failed[:MAX_FAILURES_SHOWN]:
        context.log.warning(f"{a.retrieval.url}: {a.retrieval.error_class}: {a.error}")
    counts = collected.counts
    metadata: dict[str, Any] = {
        "raw_dir": dg.MetadataValue.path(str(raw_dir)),
        "fetch_log": dg.MetadataValue.path(str(collected.log_path)),
        "archived": counts["archived"],
        "fetch_errors": counts["fetch_errors"],
        "not_modified": counts.get("not_modified", 0),
        "discovered": counts.get("discovered", 0),
        "attachments": counts.get("attachments", 0),
        "listing_pages": counts.get("listing_pages", 0),
        "bytes": counts.get("bytes_fetched", 0),
        **{f"failures/{name}": n for name, n in collected.failures.items()},
        **row_count(len(collected.reports)),
    }
    if collected.failed:
        metadata["failures"] = dg.MetadataValue.md(_failures_markdown(collected))
    return dg.Output(collected, metadata=metadata)


@dg.multi_asset(
    name="parsed_tables",
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
    """Parse the archived reports and write the Parquet tables (replacing those reports' rows);
    a report whose bytes did not change keeps its rows unless the run is fresh."""
    parquet = warehouse.parquet_path()
    previous = None if warehouse.fresh else Previous(parquet)
    built = build_tables(raw_reports.reports, previous=previous)
    written = write_tables(
        built.tables, parquet, merge=not warehouse.fresh, retire=raw_reports.retired
    )
    errors = Counter(
        error for error in built.tables["reports"]["error"].to_pylist() if error is not None
    )
    for message, n in errors.items():
        context.log.warning(f"{n} report(s) with status error: {message}")
    for name, w in written.items():
        metadata: dict[str, Any] = {
            "parquet_path": dg.MetadataValue.path(w.path),
            "rows_written": w.written,
            "rows_kept": w.kept,
            **row_count(w.rows),
        }
        if name == "reports":
            metadata.update({f"status/{s}": n for s, n in built.status_counts.items()})
            metadata.update({"parsed": built.parsed, "unchanged": built.reused})
        yield dg.MaterializeResult(asset_key=table_asset_key(name), metadata=metadata)
