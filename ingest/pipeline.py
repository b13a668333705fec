"""Catalog to Parquet in three steps, usable on its own or as the stages of the orchestration.

  1. read the catalog                       ingest.catalog.read_catalog
  2. fetch / read each report's bytes       ingest.collect.collect (raw archive, fetch log)
  3. parse and write the tables             stream_tables

Step 3 reads each report back from the archive, parses it and turns the result into rows, on
every core for a large batch (a process pool, chunks of reports); the rows go to the Parquet
files as they come (`ingest.store.TableStream`), so memory holds a few chunks of rows, however
many reports there are. The rows of earlier runs are merged in as the files are rewritten: a
batch replaces the rows of its reports (and, given a filter, of every report of its year
partitions) and keeps the others. A report whose bytes (sha256), catalog agency and year, and
parser code are those of the row already in the tables is not parsed again: its rows are
carried over (`Previous`), with the fetch columns of this run; when no report is parsed again
the files of its rows are not even rewritten. The Dagster asset `parsed_tables` and `python -m
ingest.pipeline` both write through `stream_tables`.

`python -m ingest.pipeline [CATALOG] [--fresh] [--workers N]` runs all three and prints a JSON
summary.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
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

from ingest import compiled, memo, paths
from ingest.archive import ArchivedReport
from ingest.catalog import CatalogReading, read_catalog
from ingest.collect import Collected, Progress, collect
from ingest.faults import crash_point
from ingest.fetch import FetchPolicy
from ingest.locking import exclusive
from ingest.parse import parse_document
from ingest.revisions import revision_issues
from ingest.schema import PARSER_VERSION, TABLES, parser_digest
from ingest.store import (
    REPORT_TABLES,
    STATUSES,
    Row,
    TableBuilder,
    TableColumns,
    TableStream,
    WrittenTable,
    catalog_columns,
    codes_table,
    error_columns,
    now_utc,
    read_previous,
    result_columns,
    row_count,
    rows_of,
    table_path,
    write_parquet,
)

# the per-report tables other than reports: the rows of a report's values, checks and issues
ROW_TABLES = tuple(name for name in REPORT_TABLES if name != "reports")

# (bytes, source, charset declared by the server) -> parse result
Parser = Callable[[bytes, str, str | None], dict]
# The columns of a previous reports row that decide whether its report is parsed again.
DECIDING = (
    "report_id",
    "sha256",
    "status",
    "parser_version",
    "parser_digest",
    "catalog_agency",
    "catalog_year",
)
# Previous rows are turned into Python values this many at a time.
BLOCK = 4096


def report_rows(archived: ArchivedReport, parse: Parser = parse_document) -> dict[str, list[Row]]:
    """Parse one archived report into table rows; any failure becomes a status "error" row."""
    return {name: rows_of(c) for name, c in report_columns(archived, parse).items()}


def report_columns(archived: ArchivedReport, parse: Parser = parse_document) -> TableColumns:
    """`report_rows`, column-wise."""
    parsed_at = now_utc()
    if not archived.ok or archived.raw_path is None:
        return error_columns(archived, archived.error or "no bytes archived", parsed_at)
    try:
        data = Path(archived.raw_path).read_bytes()
    except OSError as exc:
        return error_columns(archived, f"cannot read the archived copy: {exc}", parsed_at)
    try:
        result = parse(data, archived.entry.source, archived.retrieval.charset)
    except Exception as exc:  # one bad report never stops a run
        return error_columns(archived, f"parser failed: {type(exc).__name__}: {exc}", parsed_at)
    crash_point("parse")
    try:
        return result_columns(archived, result, parsed_at)
    except Exception as exc:
        return error_columns(archived, f"parse result rejected: {exc}", parsed_at)


class Previous:
    """The rows earlier runs wrote, which a batch is merged into.

    With `reuse` (the default) a report whose bytes did not change keeps its rows, and one whose
    bytes changed is compared with its previous values (revised reports). Without it (a rebuild
    after a parser upgrade) every report is parsed again and compared with nothing: the earlier
    rows only stay for the reports the batch does not replace."""

    def __init__(self, parquet_dir: Path, *, reuse: bool = True) -> None:
        self.parquet_dir = parquet_dir
        table = read_previous(parquet_dir, "reports") if reuse else None
        # the rows stay in Arrow; only the columns that decide a re-parse become Python values
        self.table = TABLES["reports"].empty_table() if table is None else table
        columns = [self.table[name].to_pylist() for name in DECIDING]
        self.reports: dict[str, Row] = {
            str(values[0]): dict(zip(DECIDING, values, strict=True))
            for values in zip(*columns, strict=True)
        }
        self._position = {report_id: i for i, report_id in enumerate(columns[0])}

    def reusable(self, archived: ArchivedReport) -> bool:
        """Whether parsing `archived` again would change nothing: same bytes, same catalog agency
        and year, same parser as its previous row; errors are always retried."""
        row = self.reports.get(archived.entry.report_id)
        if row is None or archived.sha256 is None or row["status"] == "error":
            return False
        return (
            row["sha256"] == archived.sha256
            and row["parser_version"] == PARSER_VERSION
            and row["parser_digest"] == parser_digest()
            and row["catalog_agency"] == archived.entry.agency
            and row["catalog_year"] == archived.entry.year
        )

    def reports_rows(self, reports: Sequence[ArchivedReport]) -> pa.Table:
        """The previous reports rows of `reports` with the catalog and fetch columns of this run,
        a block of rows at a time."""
        builder = TableBuilder(TABLES["reports"], batch_rows=BLOCK)
        for start in range(0, len(reports), BLOCK):
            block = reports[start : start + BLOCK]
            old = self.table.take(self._positions(block)).to_pylist()
            builder.extend({**row, **catalog_columns(a)} for row, a in zip(old, block, strict=True))
        return builder.to_table()

    def read_again_only(self, reports: Sequence[ArchivedReport], rows: pa.Table) -> bool:
        """Whether `rows` (see `reports_rows`) are the previous rows of `reports` but for the
        time each report was read."""
        old = self.table.take(self._positions(reports)).drop_columns(["fetched_at"])
        return rows.drop_columns(["fetched_at"]).equals(old)

    def _positions(self, reports: Sequence[ArchivedReport]) -> pa.Array:
        return pa.array([self._position[a.entry.report_id] for a in reports], pa.int64())

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
        """The previous rows of `report_ids` in `table`, read row group by row group."""
        if not report_ids or not _intact(self.parquet_dir, table):
            return None
        wanted = pc.field("report_id").isin(sorted(report_ids))
        try:
            return pq.read_table(table_path(self.parquet_dir, table), filters=wanted)
        except (OSError, pa.ArrowInvalid):
            return None


@dataclass(frozen=True)
class Batch:
    """What a batch wrote: its reports rows (one per report; the other tables went to the files
    as they came), the status of each report, how many were parsed and how many kept their rows
    because their bytes did not change."""

    reports: pa.Table
    status_counts: dict[str, int]
    parsed: int = 0
    reused: int = 0


# Reports parsed per task of the process pool, and the batch size from which a pool pays.
CHUNK = 64
POOL_FROM = 256
# Workers are new interpreters, not copies of the caller: a caller with threads (a Dagster
# step) is never forked, and workers do not hold the caller's memory. As with every pool that
# spawns, a script that calls stream_tables runs its work under `if __name__ == "__main__":`.
_POOL_CONTEXT = multiprocessing.get_context("spawn")


def _parse_chunk(
    archived: list[ArchivedReport], parse: Parser
) -> tuple[dict[str, pa.Table], Counter]:
    """Parse a chunk of reports into Arrow tables (in a worker process, or in this one)."""
    builders = {name: TableBuilder(TABLES[name]) for name in REPORT_TABLES}
    statuses: Counter[str] = Counter()
    for report in archived:
        columns = report_columns(report, parse)
        for name, builder in builders.items():
            builder.extend_columns(columns[name])
        statuses[str(columns["reports"]["status"][0])] += 1
    return {name: b.to_table() for name, b in builders.items()}, statuses


# A worker's memos level off at a few hundred MB on real reports (330 MB after 30,000 of the
# bench's). Documents unlike any report, a whole text printed as one line of hundreds of
# thousands of characters, would keep adding to them; past this, they are emptied.
MEMO_LIMIT_MB = 1024


def _parse_chunk_in_worker(
    archived: list[ArchivedReport], parse: Parser
) -> tuple[dict[str, pa.Table], Counter]:
    """`_parse_chunk` in a worker process. What is alive between chunks stays for the life of
    the worker (modules, and the memos of labels and cells, which grow to hundreds of
    thousands of objects): it is frozen, so that the collector does not walk it again and again
    while the chunk's short-lived objects come and go. After the chunk, a worker whose memory
    has grown past `MEMO_LIMIT_MB` empties the parser's memos (they fill again as reports
    come)."""
    gc.freeze()
    parsed = _parse_chunk(archived, parse)
    resident = _resident_mb()
    if resident is not None and resident > MEMO_LIMIT_MB:
        memo.forget(compiled.loaded().values())
    return parsed


def _resident_mb() -> float | None:
    """This process's resident memory now, in MB (Linux /proc); None where it cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


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
    with ProcessPoolExecutor(max_workers=workers, mp_context=_POOL_CONTEXT) as pool:
        # a bounded window of chunks in flight: memory holds a few chunks, whatever the batch
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.submit(_parse_chunk_in_worker, chunk, parse))
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


# (reports done, reports to parse): told after each chunk
ParseProgress = Callable[[int, int], None]


def stream_tables(
    archived: Sequence[ArchivedReport],
    parquet_dir: Path,
    *,
    parse: Parser = parse_document,
    previous: Previous | None = None,
    retire: Iterable[str] = (),
    replace: pc.Expression | None = None,
    workers: int | None = None,
    progress: ParseProgress | None = None,
) -> tuple[Batch, dict[str, WrittenTable]]:
    """Parse the reports and write the Parquet tables as a stream, never holding all rows.

    Without `previous`, each table holds exactly this batch. With it (merging), the rows of the
    batch's reports are replaced and those of every other report kept, except the reports that
    `replace` selects (a filter on the reports table: a year partition replaces all of that
    year's rows, so a report that left the catalog leaves the tables) and the ids of `retire`
    (no longer reports, such as a listing page that now reads well): their rows go. Reports
    whose bytes did not change keep their rows (see `Previous`).

    Reports are parsed on `workers` processes (default: every core) in chunks, each chunk's rows
    going to the files as they come. When nothing is parsed again and no row goes, the files of
    cells, checks and issues are left as they are, and so is the reports table when no report's
    row changed but for the time it was read (every read is in the fetch log): files that did
    not change are not rewritten, so what reads them (dbt) can tell that nothing changed.
    Writers of the same directory take turns (a file lock), so concurrent batches never lose
    each other's rows. The codes table is written whole when it changed.
    """
    workers = default_workers() if workers is None else workers
    reused: list[ArchivedReport] = []
    to_parse: list[ArchivedReport] = []
    for report in archived:
        (reused if previous is not None and previous.reusable(report) else to_parse).append(report)
    batch = {a.entry.report_id for a in archived}
    parsed = {a.entry.report_id for a in to_parse}
    reused_rows = (
        previous.reports_rows(reused) if previous is not None else TABLES["reports"].empty_table()
    )
    report_parts = [reused_rows]
    statuses: Counter[str] = Counter(str(s) for s in reused_rows["status"].to_pylist())
    written: dict[str, WrittenTable] = {}
    with exclusive(parquet_dir / ".write.lock"):
        before, selected = _previous_ids(parquet_dir, replace)
        gone = set(retire) | selected  # reports whose rows go, in the batch or not
        drop_rows = (parsed | gone) - {a.entry.report_id for a in reused}
        untouched = (
            previous is not None
            and not parsed
            and not (drop_rows & before)
            and all(_intact(parquet_dir, name) for name in ROW_TABLES)
        )

        def opened(name: str, dropped: set[str]) -> TableStream:
            stream = TableStream(parquet_dir, name)
            if previous is not None:
                stream.carry_over(_ids(dropped), _ids(batch))
            return stream

        streams: dict[str, TableStream] = {}
        try:
            if not untouched:
                streams = {name: opened(name, drop_rows) for name in ROW_TABLES}
            changed: dict[str, tuple[str, str]] = {}  # report_id -> (old, new) sha256
            if previous is not None:
                for report in to_parse:
                    changed.update(previous.changed_bytes(report))
            new_cells: list[pa.Table] = []  # of the reports whose bytes changed
            done = 0
            for tables, counts in _parsed_chunks(to_parse, parse, workers):
                statuses.update(counts)
                report_parts.append(tables["reports"])
                for name in ROW_TABLES:
                    streams[name].write(tables[name])
                if changed:
                    cells = tables["cells"]
                    new_cells.append(cells.filter(pc.is_in(cells["report_id"], _ids(changed))))
                done += tables["reports"].num_rows
                if progress is not None:
                    progress(done, len(to_parse))
            revised = previous.revisions(changed, new_cells) if previous is not None else None
            if revised is not None:
                streams["issues"].write(revised)
            for name in ROW_TABLES:
                if name in streams:
                    written[name] = streams.pop(name).close()
                else:
                    written[name] = _untouched(parquet_dir, name, _ids(batch))
            batch_reports = pa.concat_tables(report_parts)
            if (
                untouched
                and _intact(parquet_dir, "reports")
                and previous.read_again_only(reused, reused_rows)
            ):
                written["reports"] = _untouched(parquet_dir, "reports", _ids(batch))
            else:
                streams["reports"] = opened("reports", batch | gone)
                streams["reports"].write(batch_reports)
                written["reports"] = streams.pop("reports").close()
        finally:
            for stream in streams.values():
                stream.abort()
        written["codes"] = _write_codes(parquet_dir)
    outcome = Batch(batch_reports, status_counts(statuses), len(to_parse), len(reused))
    return outcome, {name: written[name] for name in TABLES}


def _write_codes(parquet_dir: Path) -> WrittenTable:
    """The codes table, rewritten only when the code list changed."""
    codes = codes_table()
    path = table_path(parquet_dir, "codes")
    before = row_count(path)
    old = read_previous(parquet_dir, "codes")
    if old is None or not old.equals(codes):
        write_parquet(codes, path)
    return WrittenTable("codes", str(path), codes.num_rows, codes.num_rows, 0, before)


def _previous_ids(parquet_dir: Path, replace: pc.Expression | None) -> tuple[set[str], set[str]]:
    """The report ids of the reports table, and those of them that `replace` selects (none
    without a filter, or when the table is missing or of another layout)."""
    if not _intact(parquet_dir, "reports"):
        return set(), set()
    columns = ["report_id", "catalog_year"]
    try:
        ids = pq.read_table(table_path(parquet_dir, "reports"), columns=columns)
    except (OSError, pa.ArrowInvalid):
        return set(), set()
    selected = ids.filter(replace) if replace is not None else ids.slice(0, 0)
    return set(ids["report_id"].to_pylist()), set(selected["report_id"].to_pylist())


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
    return WrittenTable(table, str(path), rows, ours, rows - ours, dropped=ours)


def status_counts(counts: Counter[str] | dict[str, int]) -> dict[str, int]:
    """Counts for every contract status, in contract order (zeros included)."""
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def summarize(
    reading: CatalogReading,
    collected: Collected,
    batch: Batch,
    written: dict[str, WrittenTable],
) -> dict:
    return {
        "catalog": reading.path,
        "entries": len(reading.entries),
        "catalog_problems": [p.as_dict() for p in reading.problems],
        "archived": collected.counts["archived"],
        "fetch_errors": collected.counts["fetch_errors"],
        "fetch": collected.summary(),
        "parsed": batch.parsed,
        "reused": batch.reused,
        "status": batch.status_counts,
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
    batch, written = stream_tables(
        collected.reports,
        parquet_dir,
        parse=parse,
        previous=previous,
        retire=collected.retired,
        workers=workers,
    )
    return summarize(reading, collected, batch, written)


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
