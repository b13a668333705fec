"""Ingest as assets: catalog -> raw_reports -> the Parquet tables dbt reads.

Each asset is one stage of `ingest.pipeline`. `catalog` and `raw_reports` hand small records
(entries, archive locations) to the next stage; report bytes stay in the raw archive and the
parsed values go straight to Parquet, one report at a time.
"""

from collections import Counter
from typing import Any

import dagster as dg
import pyarrow as pa

from ingest.archive import ArchivedReport, archive_entries
from ingest.catalog import CatalogProblem, CatalogReading, read_catalog
from ingest.pipeline import build_tables
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


@dg.asset(group_name=GROUP, kinds={"file"})
def raw_reports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, catalog: CatalogReading
) -> dg.Output:
    """Every report's bytes in the content-addressed raw archive (or why they could not be read)."""
    raw_dir = warehouse.raw_path()
    archived = archive_entries(catalog.entries, raw_dir)
    failed = [a for a in archived if not a.ok]
    for a in failed:
        context.log.warning(f"{a.entry.source}: {a.error}")
    return dg.Output(
        archived,
        metadata={
            "raw_dir": dg.MetadataValue.path(str(raw_dir)),
            "archived": len(archived) - len(failed),
            "fetch_errors": len(failed),
            "bytes": sum(a.bytes or 0 for a in archived),
            **row_count(len(archived)),
        },
    )


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
    raw_reports: list[ArchivedReport],
):
    """Parse every archived report and write the Parquet tables (replacing those reports' rows)."""
    built = build_tables(raw_reports)
    written = write_tables(built.tables, warehouse.parquet_path(), merge=not warehouse.fresh)
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
        yield dg.MaterializeResult(asset_key=table_asset_key(name), metadata=metadata)
