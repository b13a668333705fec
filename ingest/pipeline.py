"""Catalog to Parquet in three steps, usable on its own or as the stages of the orchestration.

  1. read the catalog                       ingest.catalog.read_catalog
  2. fetch / read each report's bytes       ingest.collect.collect (raw archive, fetch log)
  3. parse and write the tables             stream_tables (or build_tables + write_tables)

Step 3 reads each report back from the archive, parses it and turns the result into rows, on
every core for a large batch (a process pool, chunks of reports); the rows go to the Parquet
files as they come (`ingest.store.TableStream`), so memory holds a few chunks of rows, however
many reports there are. A report whose bytes (sha256), catalog agency and year, and parser code
are those of the row already in the tables is not parsed again: its rows are carried over
(`Previous`), with the fetch columns of this run; when no report is parsed again the files of
its rows are not even rewritten.

`python -m ingest.pipeline [CATALOG] [--fresh] [--workers N]` runs all three and prints a JSON
summary.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

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
    TableStream,
    WrittenTable,
    catalog_columns,
    codes_table,
    error_rows,
    now_utc,
    previous_reports,
    read_previous,
    result_rows,
    table_path,
    write_parquet,
)

# the per-report tables other than reports: the rows of a report's values, checks and issues
ROW_TABLES = tuple(name for name in REPORT_TABLES if name != "reports")

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

    def revisions(
        self, changed: dict[str, tuple[str, str]], new_cells: Sequence[pa.Table]
    ) -> pa.Table | None:
        """The revised_report issues of the reports in `changed` (see `changed_bytes`) whose
        values differ from their previous cells, given (at least) their new cells."""
        if not changed or not new_cells:
            return None
        cells = pa.concat_tables(new_cells)
        found = revision_issues(changed, self.rows_of("cells", set(changed)), cells)
        return pa.Table.from_pylist(found, schema=TABLES["issues"]) if found else None

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
    revised = previous.revisions(changed, [tables["cells"]]) if previous is not None else None
    if revised is not None:
        tables["issues"] = pa.concat_tables([tables["issues"], revised])
    for name in REPORT_TABLES:
        kept = (
            previous.rows_of(name, reused) if previous is not None and name != "reports" else None
        )
        if kept is not None and kept.num_rows:
            tables[name] = pa.concat_tables([tables[name], kept])
    tables["codes"] = codes_table()
    return Tables(tables, status_counts(statuses), parsed, len(reused))


# Reports parsed per task of the process pool, and the batch size from which a pool pays.
CHUNK = 64
POOL_FROM = 256


def _parse_chunk(
    archived: list[ArchivedReport], parse: Parser
) -> tuple[dict[str, pa.Table], Counter]:
    """Parse a chunk of reports into Arrow tables (in a worker process, or in this one)."""
    builders = {name: TableBuilder(TABLES[name]) for name in REPORT_TABLES}
    statuses: Counter[str] = Counter()
    for report in archived:
        rows = report_rows(report, parse)
        for name, table_rows in rows.items():
            builders[name].extend(table_rows)
        statuses[str(rows["reports"][0]["status"])] += 1
    return {name: b.to_table() for name, b in builders.items()}, statuses


def _parsed_chunks(
    archived: list[ArchivedReport], parse: Parser, workers: int
) -> Iterator[tuple[dict[str, pa.Table], Counter]]:
    """The parsed tables of `archived`, chunk by chunk, in order; on `workers` processes when
    there are enough reports for a pool to pay and the parse function can be sent to one."""
    chunks = [archived[i : i + CHUNK] for i in range(0, len(archived), CHUNK)]
    if workers <= 1 or len(archived) < POOL_FROM or not _picklable(parse):
        for chunk in chunks:
            yield _parse_chunk(chunk, parse)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # a bounded window of chunks in flight: memory holds a few chunks, whatever the batch
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.submit(_parse_chunk, chunk, parse))
            if len(pending) >= 4 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _picklable(obj: object) -> bool:
    try:
        pickle.dumps(obj)
    except Exception:  # noqa: BLE001 - a closure or lambda: parsed in this process
        return False
    return True


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def stream_tables(
    archived: Sequence[ArchivedReport],
    parquet_dir: Path,
    *,
    parse: Parser = parse_document,
    previous: Previous | None = None,
    retire: Iterable[str] = (),
    workers: int | None = None,
) -> tuple[Tables, dict[str, WrittenTable]]:
    """Parse the reports and write the Parquet tables as a stream, never holding all rows.

    The outcome of `build_tables` then `write_tables`: with `previous` (merging), reports whose
    bytes did not change keep their rows, reports absent from the batch keep theirs, and the
    rows of `retire` are dropped; without it each table holds exactly this batch. Reports are
    parsed on `workers` processes (default: every core) in chunks, each chunk's rows going to
    the files as they come. When nothing is parsed again, the files of cells, checks and issues
    are left as they are, and so is the reports table when no report's row changed but for the
    time it was read (every read is in the fetch log): files that did not change are not
    rewritten, so what reads them (dbt) can tell that nothing changed.
    """
    workers = default_workers() if workers is None else workers
    retire = set(retire)
    reused: list[Row] = []
    to_parse: list[ArchivedReport] = []
    for report in archived:
        old = previous.reusable(report) if previous is not None else None
        if old is None:
            to_parse.append(report)
        else:
            reused.append({**old, **catalog_columns(report)})
    batch = {a.entry.report_id for a in archived}
    parsed = {a.entry.report_id for a in to_parse}
    before = set(previous.reports) if previous is not None else set()
    untouched = (
        previous is not None
        and not parsed
        and not (retire & before)
        and all(_intact(parquet_dir, name) for name in ROW_TABLES)
    )

    def opened(name: str, dropped: set[str]) -> TableStream:
        stream = TableStream(parquet_dir, name)
        if previous is not None:
            stream.carry_over(_ids(dropped), _ids(batch))
        return stream

    statuses: Counter[str] = Counter(str(row["status"]) for row in reused)
    reports = TableBuilder(TABLES["reports"])
    reports.extend(reused)
    report_parts = [reports.to_table()]
    streams: dict[str, TableStream] = {}
    written: dict[str, WrittenTable] = {}
    try:
        if not untouched:
            streams = {name: opened(name, parsed | retire) for name in ROW_TABLES}
        changed: dict[str, tuple[str, str]] = {}  # report_id -> (old, new) sha256
        if previous is not None:
            for report in to_parse:
                changed.update(previous.changed_bytes(report))
        new_cells: list[pa.Table] = []  # of the reports whose bytes changed
        for tables, counts in _parsed_chunks(to_parse, parse, workers):
            statuses.update(counts)
            report_parts.append(tables["reports"])
            for name in ROW_TABLES:
                streams[name].write(tables[name])
            if changed:
                cells = tables["cells"]
                new_cells.append(cells.filter(pc.is_in(cells["report_id"], _ids(changed))))
        revised = previous.revisions(changed, new_cells) if previous is not None else None
        if revised is not None:
            streams["issues"].write(revised)
        for name in ROW_TABLES:
            if name in streams:
                written[name] = streams.pop(name).close()
            else:
                written[name] = _untouched(parquet_dir, name, _ids(batch))
        if untouched and _intact(parquet_dir, "reports") and _only_read_again(reused, previous):
            written["reports"] = _untouched(parquet_dir, "reports", _ids(batch))
        else:
            streams["reports"] = opened("reports", batch | retire)
            streams["reports"].write(pa.concat_tables(report_parts))
            written["reports"] = streams.pop("reports").close()
    finally:
        for stream in streams.values():
            stream.abort()
    codes = codes_table()
    old_codes = read_previous(parquet_dir, "codes")
    if old_codes is None or not old_codes.equals(codes):
        write_parquet(codes, table_path(parquet_dir, "codes"))
    path = str(table_path(parquet_dir, "codes"))
    written["codes"] = WrittenTable("codes", path, codes.num_rows, codes.num_rows, 0)
    tables = Tables({}, status_counts(statuses), len(to_parse), len(reused))
    return tables, {name: written[name] for name in TABLES}


def _only_read_again(reused: list[Row], previous: Previous | None) -> bool:
    """Whether every row is its previous row but for the time its report was read."""
    if previous is None:
        return False
    for row in reused:
        old = previous.reports[str(row["report_id"])]
        if any(row[k] != old[k] for k in row if k != "fetched_at"):
            return False
    return True


def _ids(ids: Iterable[str]) -> pa.Array:
    return pa.array(sorted(ids), pa.string())


def _intact(parquet_dir: Path, table: str) -> bool:
    try:
        return pq.read_schema(table_path(parquet_dir, table)).equals(TABLES[table])
    except (OSError, pa.ArrowInvalid):
        return False


def _untouched(parquet_dir: Path, table: str, batch: pa.Array) -> WrittenTable:
    """A table left as it was: its rows, those of this batch's reports counted as written."""
    path = table_path(parquet_dir, table)
    source = pq.ParquetFile(path)
    ours = 0
    for part in source.iter_batches(batch_size=256 * 1024, columns=["report_id"]):
        ours += pc.sum(pc.is_in(part.column(0), value_set=batch)).as_py() or 0
    rows = source.metadata.num_rows
    return WrittenTable(table, str(path), rows, ours, rows - ours)


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
    workers: int | None = None,
) -> dict:
    """Read a catalog, fetch and parse its reports, write the Parquet tables; a summary dict.

    Locations default to `ingest.paths`, fetch limits to `FetchPolicy.from_env()`. With
    `merge` (the default), reports of earlier runs that are not in this catalog stay in the
    tables and unchanged reports are not parsed again; without it the tables hold this
    catalog only, every report parsed anew. Reports are parsed on `workers` processes
    (default: every core) when there are many; the tables are written as a stream.
    """
    reading = read_catalog(catalog_path or paths.catalog_path())
    parquet_dir = parquet_dir or paths.parquet_dir()
    previous = Previous(parquet_dir) if merge else None  # read before this run writes
    collected = collect(
        reading.entries,
        raw_dir or paths.raw_dir(),
        parquet_dir,
        policy,
        progress=progress,
        previous=previous.reports if previous is not None else None,
    )
    tables, written = stream_tables(
        collected.reports,
        parquet_dir,
        parse=parse,
        previous=previous,
        retire=collected.retired,
        workers=workers,
    )
    return summarize(reading, collected, tables, written)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingest.pipeline", description="Ingest a catalog of reports into Parquet."
    )
    parser.add_argument("catalog", nargs="?", help="catalog CSV (default: $OGI_CATALOG)")
    parser.add_argument(
        "--fresh", action="store_true", help="tables hold only this catalog's reports"
    )
    parser.add_argument("--workers", type=int, help="processes that parse (default: one per core)")
    args = parser.parse_args(argv)
    from ingest.progress import BarProgress

    with BarProgress() as bar:
        summary = ingest_catalog(
            args.catalog, merge=not args.fresh, progress=bar, workers=args.workers
        )
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
