"""Catalog to Parquet in three steps, usable on its own or as the stages of the orchestration.

  1. read the catalog              ingest.catalog.read_catalog
  2. archive each report's bytes   ingest.archive.archive_entries
  3. parse and write the tables    build_tables + ingest.store.write_tables

Step 3 reads each report back from the archive, parses it, turns the result into rows and drops
it before the next report, so memory grows with the rows of the tables, not with the reports.

`python -m ingest.pipeline [CATALOG] [--fresh]` runs all three and prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ingest import paths
from ingest.archive import ArchivedReport, archive_entries
from ingest.catalog import CatalogReading, read_catalog
from ingest.parse import parse_document
from ingest.schema import TABLES
from ingest.store import (
    REPORT_TABLES,
    STATUSES,
    Row,
    TableBuilder,
    WrittenTable,
    codes_table,
    error_rows,
    now_utc,
    result_rows,
    write_tables,
)

Parser = Callable[[bytes, str], dict]


def report_rows(archived: ArchivedReport, parse: Parser = parse_document) -> dict[str, list[Row]]:
    """Parse one archived report into table rows; any failure becomes a status "error" row."""
    parsed_at = now_utc()
    if not archived.ok or archived.raw_path is None:
        return error_rows(archived, archived.error or "no bytes archived", parsed_at)
    try:
        data = Path(archived.raw_path).read_bytes()
    except OSError as exc:
        return error_rows(archived, f"cannot read the archived copy: {exc}", parsed_at)
    try:
        result = parse(data, archived.entry.source)
    except Exception as exc:  # one bad report never stops a run
        return error_rows(archived, f"parser failed: {type(exc).__name__}: {exc}", parsed_at)
    try:
        return result_rows(archived, result, parsed_at)
    except Exception as exc:
        return error_rows(archived, f"parse result rejected: {exc}", parsed_at)


@dataclass(frozen=True)
class Tables:
    """The Arrow tables of one batch, with the status of each report."""

    tables: dict[str, pa.Table]
    status_counts: dict[str, int]


def build_tables(archived: Iterable[ArchivedReport], parse: Parser = parse_document) -> Tables:
    """Parse every archived report into the per-report tables, plus the codes table."""
    builders = {name: TableBuilder(TABLES[name]) for name in REPORT_TABLES}
    statuses: Counter[str] = Counter()
    for report in archived:
        rows = report_rows(report, parse)
        for name, table_rows in rows.items():
            builders[name].extend(table_rows)
        statuses[str(rows["reports"][0]["status"])] += 1
    tables = {name: b.to_table() for name, b in builders.items()}
    tables["codes"] = codes_table()
    return Tables(tables, status_counts(statuses))


def status_counts(counts: Counter[str] | dict[str, int]) -> dict[str, int]:
    """Counts for every contract status, in contract order (zeros included)."""
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def summarize(
    reading: CatalogReading,
    archived: Sequence[ArchivedReport],
    tables: Tables,
    written: dict[str, WrittenTable],
) -> dict:
    fetch_errors = [a for a in archived if not a.ok]
    return {
        "catalog": reading.path,
        "entries": len(reading.entries),
        "catalog_problems": [p.as_dict() for p in reading.problems],
        "archived": len(archived) - len(fetch_errors),
        "fetch_errors": len(fetch_errors),
        "status": tables.status_counts,
        "tables": {name: w.as_dict() for name, w in written.items()},
    }


def ingest_catalog(
    catalog_path: str | Path | None = None,
    *,
    raw_dir: Path | None = None,
    parquet_dir: Path | None = None,
    merge: bool = True,
    parse: Parser = parse_document,
) -> dict:
    """Read a catalog, archive and parse its reports, write the Parquet tables; a summary dict.

    Locations default to `ingest.paths`. With `merge` (the default), reports of earlier runs
    that are not in this catalog stay in the tables; without it the tables hold this catalog only.
    """
    reading = read_catalog(catalog_path or paths.catalog_path())
    archived = archive_entries(reading.entries, raw_dir or paths.raw_dir())
    tables = build_tables(archived, parse)
    written = write_tables(tables.tables, parquet_dir or paths.parquet_dir(), merge=merge)
    return summarize(reading, archived, tables, written)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingest.pipeline", description="Ingest a catalog of reports into Parquet."
    )
    parser.add_argument("catalog", nargs="?", help="catalog CSV (default: $OGI_CATALOG)")
    parser.add_argument(
        "--fresh", action="store_true", help="tables hold only this catalog's reports"
    )
    args = parser.parse_args(argv)
    summary = ingest_catalog(args.catalog, merge=not args.fresh)
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
