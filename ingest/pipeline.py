"""Catalog to Parquet in three steps, usable on its own or as the stages of the orchestration.

  1. read the catalog                       ingest.catalog.read_catalog
  2. fetch / read each report's bytes       ingest.collect.collect (raw archive, fetch log)
  3. parse and write the tables             build_tables + ingest.store.write_tables

Step 3 reads each report back from the archive, parses it, turns the result into rows and drops
it before the next report, so memory grows with the rows of the tables, not with the reports.
A report whose bytes (sha256), catalog agency and year, and parser code are those of the row
already in the tables is not parsed again: its rows are carried over (`Previous`), with the
fetch columns of this run.

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
import pyarrow.compute as pc

from ingest import paths
from ingest.archive import ArchivedReport
from ingest.catalog import CatalogReading, read_catalog
from ingest.collect import Collected, Progress, collect
from ingest.faults import crash_point
from ingest.fetch import FetchPolicy
from ingest.parse import parse_document
from ingest.revisions import revision_issues
from ingest.schema import PARSER_VERSION, TABLES, parser_digest
from ingest.store import (
    REPORT_TABLES,
    STATUSES,
    Row,
    TableBuilder,
    WrittenTable,
    catalog_columns,
    codes_table,
    error_rows,
    now_utc,
    previous_reports,
    read_previous,
    result_rows,
    write_tables,
)

# (bytes, source, charset declared by the server) -> parse result
Parser = Callable[[bytes, str, str | None], dict]


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
        result = parse(data, archived.entry.source, archived.retrieval.charset)
    except Exception as exc:  # one bad report never stops a run
        return error_rows(archived, f"parser failed: {type(exc).__name__}: {exc}", parsed_at)
    crash_point("parse")
    try:
        return result_rows(archived, result, parsed_at)
    except Exception as exc:
        return error_rows(archived, f"parse result rejected: {exc}", parsed_at)


class Previous:
    """The rows earlier runs wrote, for the reports whose bytes did not change."""

    def __init__(self, parquet_dir: Path) -> None:
        self.parquet_dir = parquet_dir
        self.reports = previous_reports(parquet_dir)

    def reusable(self, archived: ArchivedReport) -> Row | None:
        """The previous reports row of `archived` when parsing it again would change nothing:
        same bytes, same catalog agency and year, same parser; errors are always retried."""
        row = self.reports.get(archived.entry.report_id)
        if row is None or archived.sha256 is None or row["status"] == "error":
            return None
        same = (
            row["sha256"] == archived.sha256
            and row["parser_version"] == PARSER_VERSION
            and row["parser_digest"] == parser_digest()
            and row["catalog_agency"] == archived.entry.agency
            and row["catalog_year"] == archived.entry.year
        )
        return row if same else None

    def changed_bytes(self, archived: ArchivedReport) -> dict[str, tuple[str, str]]:
        """{report_id: (previous sha256, new sha256)} when the report was read before, with a
        result, and its bytes are now different (a revised report, perhaps)."""
        row = self.reports.get(archived.entry.report_id)
        old, new = (row or {}).get("sha256"), archived.sha256
        if row is None or row["status"] == "error" or not old or not new or old == new:
            return {}
        return {archived.entry.report_id: (str(old), new)}

    def rows_of(self, table: str, report_ids: set[str]) -> pa.Table | None:
        previous = read_previous(self.parquet_dir, table)
        if previous is None or not report_ids:
            return None
        return previous.filter(pc.is_in(previous["report_id"], pa.array(sorted(report_ids))))


@dataclass(frozen=True)
class Tables:
    """The Arrow tables of one batch, with the status of each report."""

    tables: dict[str, pa.Table]
    status_counts: dict[str, int]
    parsed: int = 0
    reused: int = 0  # reports not parsed again: bytes unchanged


def build_tables(
    archived: Iterable[ArchivedReport],
    parse: Parser = parse_document,
    previous: Previous | None = None,
) -> Tables:
    """Parse every archived report into the per-report tables, plus the codes table. With
    `previous`, a report whose bytes did not change keeps its rows instead."""
    builders = {name: TableBuilder(TABLES[name]) for name in REPORT_TABLES}
    statuses: Counter[str] = Counter()
    reused: set[str] = set()
    changed: dict[str, tuple[str, str]] = {}  # report_id -> (old, new) sha256: maybe revised
    parsed = 0
    for report in archived:
        old = previous.reusable(report) if previous is not None else None
        if old is not None:
            builders["reports"].extend([{**old, **catalog_columns(report)}])
            reused.add(report.entry.report_id)
            statuses[str(old["status"])] += 1
            continue
        rows = report_rows(report, parse)
        parsed += 1
        for name, table_rows in rows.items():
            builders[name].extend(table_rows)
        statuses[str(rows["reports"][0]["status"])] += 1
        if previous is not None:
            changed.update(previous.changed_bytes(report))
    tables = {name: b.to_table() for name, b in builders.items()}
    if changed:  # previous is set
        old_cells = previous.rows_of("cells", set(changed))
        found = revision_issues(changed, old_cells, tables["cells"])
        if found:
            extra = pa.Table.from_pylist(found, schema=tables["issues"].schema)
            tables["issues"] = pa.concat_tables([tables["issues"], extra])
    for name in REPORT_TABLES:
        kept = (
            previous.rows_of(name, reused) if previous is not None and name != "reports" else None
        )
        if kept is not None and kept.num_rows:
            tables[name] = pa.concat_tables([tables[name], kept])
    tables["codes"] = codes_table()
    return Tables(tables, status_counts(statuses), parsed, len(reused))


def status_counts(counts: Counter[str] | dict[str, int]) -> dict[str, int]:
    """Counts for every contract status, in contract order (zeros included)."""
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def summarize(
    reading: CatalogReading,
    collected: Collected,
    tables: Tables,
    written: dict[str, WrittenTable],
) -> dict:
    return {
        "catalog": reading.path,
        "entries": len(reading.entries),
        "catalog_problems": [p.as_dict() for p in reading.problems],
        "archived": collected.counts["archived"],
        "fetch_errors": collected.counts["fetch_errors"],
        "fetch": collected.summary(),
        "parsed": tables.parsed,
        "reused": tables.reused,
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
    policy: FetchPolicy | None = None,
    progress: Progress | None = None,
) -> dict:
    """Read a catalog, fetch and parse its reports, write the Parquet tables; a summary dict.

    Locations default to `ingest.paths`, fetch limits to `FetchPolicy.from_env()`. With
    `merge` (the default), reports of earlier runs that are not in this catalog stay in the
    tables and unchanged reports are not parsed again; without it the tables hold this
    catalog only, every report parsed anew.
    """
    reading = read_catalog(catalog_path or paths.catalog_path())
    parquet_dir = parquet_dir or paths.parquet_dir()
    collected = collect(
        reading.entries, raw_dir or paths.raw_dir(), parquet_dir, policy, progress=progress
    )
    previous = Previous(parquet_dir) if merge else None
    tables = build_tables(collected.reports, parse, previous)
    written = write_tables(tables.tables, parquet_dir, merge=merge, retire=collected.retired)
    return summarize(reading, collected, tables, written)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingest.pipeline", description="Ingest a catalog of reports into Parquet."
    )
    parser.add_argument("catalog", nargs="?", help="catalog CSV (default: $OGI_CATALOG)")
    parser.add_argument(
        "--fresh", action="store_true", help="tables hold only this catalog's reports"
    )
    args = parser.parse_args(argv)
    from ingest.progress import BarProgress

    with BarProgress() as bar:
        summary = ingest_catalog(args.catalog, merge=not args.fresh, progress=bar)
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
