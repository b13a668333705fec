"""From parse results to the Parquet tables that dbt reads.

Every row follows the explicit schemas of `ingest.schema`. A report is identified by its
`report_id` (see `ingest.catalog.report_id`), so writing a batch *replaces* the rows of the
reports it contains and keeps the rows of every other report: re-running never duplicates
(`TableStream`, driven by `ingest.pipeline.stream_tables`).

A report that could not be read or parsed still gets its `reports` row, with status "error" and
the message, and no rows in the other tables. Rows are validated one report at a time, so a
malformed parse result turns that one report into an error instead of failing the batch.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest.archive import ArchivedReport
from ingest.checks import evaluate
from ingest.codes import all_codes
from ingest.faults import crash_point
from ingest.files import write_atomically
from ingest.normalize import same_name
from ingest.schema import PARSER_VERSION, TABLES, parser_digest
from ingest.urls import redact

# Statuses of the parse contract, from most to least complete.
STATUSES: tuple[str, ...] = ("complete", "partial", "narrative_only", "no_statistics", "error")
# Tables holding rows per report (codes is the code list, rewritten whole).
REPORT_TABLES: tuple[str, ...] = ("reports", "cells", "checks", "issues")

Row = dict[str, object]
Columns = dict[str, list]  # rows of one table, column-wise: {column: values}, one length
TableColumns = dict[str, Columns]  # per table


class RejectedResult(ValueError):
    """A parse result that does not fit the tables."""


# --- one report to rows ----------------------------------------------------------------------


def _required_str(d: Mapping, key: str, what: str) -> str:
    value = d.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RejectedResult(f"{what} without {key!r}: {dict(d)!r}")
    return str(value)


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _opt_float(value: object, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise RejectedResult(f"{what}: not a number: {value!r}")
    try:
        return float(value)
    except ValueError:
        raise RejectedResult(f"{what}: not a number: {value!r}") from None


def _opt_int(value: object, what: str) -> int | None:
    number = _opt_float(value, what)
    if number is None:
        return None
    if not number.is_integer():
        raise RejectedResult(f"{what}: not an integer: {value!r}")
    return int(number)


def _opt_bool(value: object, what: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise RejectedResult(f"{what}: not a boolean: {value!r}")


def cell_row(report_id: str, cell: Mapping) -> Row:
    value = _opt_float(cell.get("value"), "cell value")
    undecided_by = _opt_str(cell.get("undecided") or None)
    if undecided_by is not None and value is not None:
        raise RejectedResult(f"cell undecided but with a value: {dict(cell)!r}")
    return {
        "report_id": report_id,
        "section": _required_str(cell, "section", "cell"),
        "row_code": _required_str(cell, "row", "cell"),
        "col_code": _required_str(cell, "col", "cell"),
        "value": value,
        "raw": _opt_str(cell.get("raw")),
        "method": _required_str(cell, "method", "cell"),
        "undecided": undecided_by is not None,
        "undecided_by": undecided_by,
    }


# --- the usual cells and checks, a column at a time ------------------------------------------
# A report has hundreds of cells: each column is taken out of the parser's dicts and checked
# in one pass (types, non-blank codes). A report with any unusual cell or check goes through
# `cell_row` / `check_row` instead, which check every field and name the one that is wrong.

_NONE = type(None)
_STRING = frozenset({str})
_STRING_OR_NONE = frozenset({str, _NONE})
_NUMBER_OR_NONE = frozenset({int, float, _NONE})
_BOOL_OR_NONE = frozenset({bool, _NONE})


# strings already seen to be codes (a few hundred in all: sections, rows, columns, methods)
_SEEN_CODES: set[str] = set()


def _codes(values: list) -> bool:
    """All values non-blank strings."""
    try:
        distinct = set(values)
    except TypeError:  # unhashable: not a string
        return False
    if distinct <= _SEEN_CODES:
        return True
    if not all(type(v) is str and v and not v.isspace() for v in distinct):
        return False
    if len(_SEEN_CODES) < 100_000:
        _SEEN_CODES.update(distinct)
    return True


def _numbers(values: list) -> bool:
    return set(map(type, values)) <= _NUMBER_OR_NONE


def _strings_or_none(values: list) -> bool:
    return set(map(type, values)) <= _STRING_OR_NONE


def _bools_or_none(values: list) -> bool:
    return set(map(type, values)) <= _BOOL_OR_NONE


def _floats(values: list) -> list:
    if int not in set(map(type, values)):
        return values
    return [v if v is None else float(v) for v in values]


def _terms(value: object) -> bool:
    return value is None or (type(value) in (list, tuple) and all(type(v) is str for v in value))


# the fields every cell / check of the parser has (undecided only some), each with the check
# its column passes when usual
_CELL_FIELDS: dict[str, Callable[[list], bool]] = {
    "section": _codes,
    "row": _codes,
    "col": _codes,
    "value": _numbers,
    "raw": _strings_or_none,
    "method": _codes,
}
_CHECK_FIELDS: dict[str, Callable[[list], bool]] = {
    "identity": _codes,
    "at": _codes,
    "lhs": _numbers,
    "rhs": _numbers,
    "difference": _numbers,
    "holds": _bools_or_none,
    "reading": _codes,
    "soft": _bools_or_none,
}


def _usual_columns(
    items: Sequence[Mapping], fields: Mapping[str, Callable[[list], bool]]
) -> dict[str, list] | None:
    """{field: [item[field] for item in items]} for the `fields`, when every item has them all
    and every column passes its check; None otherwise."""
    if not items:
        return {name: [] for name in fields}
    try:
        values = zip(*map(itemgetter(*fields), items), strict=True)
    except (KeyError, TypeError):  # a field missing, or an item that is not a mapping
        return None
    columns = dict(zip(fields, map(list, values), strict=True))
    return columns if all(check(columns[name]) for name, check in fields.items()) else None


def columns_of(rows: Sequence[Row], names: Sequence[str]) -> Columns:
    return {name: [row.get(name) for row in rows] for name in names}


def rows_of(columns: Columns) -> list[Row]:
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def cell_columns(report_id: str, cells: Sequence[Mapping]) -> Columns:
    """The cells rows of a report, column-wise (see `cell_row`). Raises RejectedResult."""
    usual = _usual_columns(cells, _CELL_FIELDS)
    if usual is not None:
        undecided_by = [c.get("undecided") or None for c in cells]
        value = usual["value"]
        if _strings_or_none(undecided_by) and all(
            v is None for v, u in zip(value, undecided_by, strict=True) if u is not None
        ):
            return {
                "report_id": [report_id] * len(cells),
                "section": usual["section"],
                "row_code": usual["row"],
                "col_code": usual["col"],
                "value": _floats(value),
                "raw": usual["raw"],
                "method": usual["method"],
                "undecided": [u is not None for u in undecided_by],
                "undecided_by": undecided_by,
            }
    return columns_of([cell_row(report_id, c) for c in cells], TABLES["cells"].names)


def check_columns(report_id: str, checks: Sequence[Mapping]) -> Columns:
    """The checks rows of a report, column-wise (see `check_row`). Raises RejectedResult."""
    usual = _usual_columns(checks, _CHECK_FIELDS)
    if usual is not None:
        undecided = [c.get("undecided") for c in checks]
        if all(map(_terms, filter(None, undecided))):
            return {
                "report_id": [report_id] * len(checks),
                **usual,
                "lhs": _floats(usual["lhs"]),
                "rhs": _floats(usual["rhs"]),
                "difference": _floats(usual["difference"]),
                "soft": [bool(v) for v in usual["soft"]],
                "undecided": [None if u is None else (sorted(u) or None) for u in undecided],
            }
    return columns_of([check_row(report_id, c) for c in checks], TABLES["checks"].names)


def check_row(report_id: str, check: Mapping) -> Row:
    return {
        "report_id": report_id,
        "identity": _required_str(check, "identity", "check"),
        "at": _required_str(check, "at", "check"),
        "lhs": _opt_float(check.get("lhs"), "check lhs"),
        "rhs": _opt_float(check.get("rhs"), "check rhs"),
        "difference": _opt_float(check.get("difference"), "check difference"),
        "holds": _opt_bool(check.get("holds"), "check holds"),
        "reading": _required_str(check, "reading", "check"),
        "soft": bool(_opt_bool(check.get("soft"), "check soft")),
        "undecided": _opt_terms(check.get("undecided"), "check undecided"),
    }


def _opt_terms(value: object, what: str) -> list[str] | None:
    """A list of strings, sorted; None when empty."""
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise RejectedResult(f"{what}: not a list of strings: {value!r}")
    return sorted(value) or None


def issue_row(report_id: str, issue: Mapping) -> Row:
    return {
        "report_id": report_id,
        "severity": _required_str(issue, "severity", "issue"),
        "code": _required_str(issue, "code", "issue"),
        "message": _required_str(issue, "message", "issue"),
    }


def catalog_columns(archived: ArchivedReport) -> Row:
    """The columns of a reports row that come from the catalog and the fetch, not the parse."""
    entry, got = archived.entry, archived.retrieval
    return {
        "report_id": entry.report_id,
        "source": redact(entry.source),
        "linked_from": entry.linked_from and redact(entry.linked_from),
        "final_url": got.final_url,
        "http_status": got.http_status,
        "sha256": archived.sha256,
        "raw_path": archived.raw_path,
        "bytes": archived.bytes,
        "catalog_agency": entry.agency,
        "catalog_region_code": entry.region_code,
        "catalog_level": entry.level,
        "catalog_year": entry.year,
        "fetch_status": archived.fetch_status,
        "fetch_error": got.error_class,
        "fetched_at": got.fetched_at,
    }


def _parser_columns() -> Row:
    return {"parser_version": PARSER_VERSION, "parser_digest": parser_digest()}


def catalog_disagreements(entry_agency: str | None, entry_year: int | None, result: Mapping):
    """Issues where the report names another agency or year than its catalog row. The catalog
    stays authoritative (dbt matches reports on its agency); the difference is reported."""
    issues = []
    agency = result.get("agency")
    if entry_agency and agency and not same_name(entry_agency, str(agency)):
        issues.append(
            {
                "severity": "warning",
                "code": "catalog_agency_differs",
                "message": f"the report names {agency}; the catalog says {entry_agency}",
            }
        )
    year = result.get("year")
    if entry_year is not None and year is not None and int(year) != entry_year:
        issues.append(
            {
                "severity": "warning",
                "code": "catalog_year_differs",
                "message": f"the report is about {year}; the catalog says {entry_year}",
            }
        )
    return issues


def error_rows(archived: ArchivedReport, message: str, parsed_at: datetime) -> dict[str, list[Row]]:
    """The rows of a report that could not be read or parsed: a reports row, nothing else."""
    report = {
        **catalog_columns(archived),
        **_parser_columns(),
        "title": None,
        "agency": None,
        "year": None,
        "template_proactive": None,
        "template_applications": None,
        "status": "error",
        "error": message,
        "n_cells": 0,
        "n_issues": 0,
        "n_checks_failed": 0,
        "n_checks_undecided": 0,
        "parsed_at": parsed_at,
    }
    return {"reports": [report], "cells": [], "checks": [], "issues": []}


def error_columns(archived: ArchivedReport, message: str, parsed_at: datetime) -> TableColumns:
    """`error_rows`, column-wise."""
    return {
        name: columns_of(rows, TABLES[name].names)
        for name, rows in error_rows(archived, message, parsed_at).items()
    }


def result_rows(
    archived: ArchivedReport, result: Mapping, parsed_at: datetime
) -> dict[str, list[Row]]:
    """The rows of one parsed report in every per-report table. Raises RejectedResult."""
    return {name: rows_of(c) for name, c in result_columns(archived, result, parsed_at).items()}


def result_columns(archived: ArchivedReport, result: Mapping, parsed_at: datetime) -> TableColumns:
    """The rows of one parsed report in every per-report table, column-wise. Raises
    RejectedResult."""
    report_id = archived.entry.report_id
    status = result.get("status")
    if status not in STATUSES:
        raise RejectedResult(f"unknown status {status!r}")
    checks = result["checks"] if "checks" in result else evaluate(result)
    cells = cell_columns(report_id, result.get("cells") or [])
    check_cols = check_columns(report_id, checks or [])
    entry = archived.entry
    found = [
        *(result.get("issues") or []),
        *catalog_disagreements(entry.agency, entry.year, result),
    ]
    issues = [issue_row(report_id, i) for i in found]
    template = result.get("template") or {}
    error = result.get("error") or (result.get("message") if status == "error" else None)
    report = {
        **catalog_columns(archived),
        **_parser_columns(),
        "title": _opt_str(result.get("title")),
        "agency": _opt_str(result.get("agency")),
        "year": _opt_int(result.get("year"), "year"),
        "template_proactive": _opt_str(template.get("proactive")),
        "template_applications": _opt_str(template.get("applications")),
        "status": status,
        "error": _opt_str(error),
        "n_cells": len(cells["report_id"]),
        "n_issues": len(issues),
        "n_checks_failed": sum(1 for h in check_cols["holds"] if h is False),
        "n_checks_undecided": check_cols["reading"].count("undecided"),
        "parsed_at": parsed_at,
    }
    return {
        "reports": {name: [value] for name, value in report.items()},
        "cells": cells,
        "checks": check_cols,
        "issues": columns_of(issues, TABLES["issues"].names),
    }


def codes_rows() -> list[Row]:
    """The canonical code list; ordinal is the row order of ingest/data/codes.csv, from 1."""
    return [
        {
            "section": c.section,
            "group": c.group or None,
            "code": c.code,
            "label_zh": c.label_zh,
            "label_en": c.label_en,
            "template": c.template,
            "ordinal": i,
        }
        for i, c in enumerate(all_codes(), start=1)
    ]


# --- rows to Arrow ---------------------------------------------------------------------------


class TableBuilder:
    """Collects rows column-wise and packs them into record batches as it goes."""

    def __init__(self, schema: pa.Schema, batch_rows: int = 50_000) -> None:
        self.schema = schema
        self.batch_rows = batch_rows
        self.rows = 0
        self._batches: list[pa.RecordBatch] = []
        self._columns: dict[str, list] = {name: [] for name in schema.names}
        self._pending = 0

    def extend(self, rows: Iterable[Row]) -> None:
        rows = rows if isinstance(rows, list) else list(rows)
        for name, column in self._columns.items():
            column.extend([row.get(name) for row in rows])
        self._pending += len(rows)
        self.rows += len(rows)
        if self._pending >= self.batch_rows:
            self._flush()

    def extend_columns(self, columns: Columns) -> None:
        """Rows given column-wise, with every column of the schema."""
        n = len(columns[self.schema.names[0]])
        for name, column in self._columns.items():
            column.extend(columns[name])
        self._pending += n
        self.rows += n
        if self._pending >= self.batch_rows:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._batches.append(pa.RecordBatch.from_pydict(self._columns, schema=self.schema))
            self._columns = {name: [] for name in self.schema.names}
            self._pending = 0

    def to_table(self) -> pa.Table:
        self._flush()
        return pa.Table.from_batches(self._batches, schema=self.schema)


def codes_table() -> pa.Table:
    return pa.Table.from_pylist(codes_rows(), schema=TABLES["codes"])


def now_utc() -> datetime:
    return datetime.now(UTC)


# --- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrittenTable:
    """One Parquet file after a write: its path, its rows, and how many this batch wrote."""

    table: str
    path: str
    rows: int
    written: int
    kept: int  # rows of other reports carried over from the previous file
    dropped: int = 0  # rows of the previous file this write replaced or removed
    seconds: float = 0.0  # spent writing (a streamed table)

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "rows": self.rows,
            "written": self.written,
            "kept": self.kept,
            "dropped": self.dropped,
        }


def table_path(parquet_dir: Path, table: str) -> Path:
    return parquet_dir / f"{table}.parquet"


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write atomically: readers see the old file or the new one, never a partial one."""
    write_atomically(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def row_count(path: Path) -> int:
    """The rows of a Parquet file (0 when missing or unreadable)."""
    try:
        return pq.ParquetFile(path).metadata.num_rows
    except (OSError, pa.ArrowException):
        return 0


def read_table(parquet_dir: Path, table: str) -> pa.Table:
    return pq.read_table(table_path(parquet_dir, table), schema=TABLES[table])


def read_parquet(path: Path) -> pa.Table | None:
    """A Parquet file as written, or None when it is missing or unreadable."""
    if not path.exists():
        return None
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowInvalid):
        return None


def read_previous(parquet_dir: Path, table: str) -> pa.Table | None:
    """A table as an earlier run wrote it, or None when missing, unreadable or of another
    schema (then nothing of it can be reused)."""
    previous = read_parquet(table_path(parquet_dir, table))
    return previous if previous is not None and previous.schema.equals(TABLES[table]) else None


def previous_reports(parquet_dir: Path) -> dict[str, Row]:
    """The reports rows of earlier runs by report_id (empty when there are none to reuse)."""
    table = read_previous(parquet_dir, "reports")
    return {} if table is None else {r["report_id"]: r for r in table.to_pylist()}


# --- streaming -------------------------------------------------------------------------------


class TableStream:
    """One Parquet table written as a stream: batches are appended as they come (packed into
    row groups of about `group_rows`), so memory holds one row group, not the table. The file
    is written beside its place and moved into it by `close`: readers see the old file or the
    new one. `kept` counts the rows carried over from the earlier file for reports that are not
    in this batch, `rows` every row written, `before` the rows of the earlier file."""

    def __init__(self, parquet_dir: Path, table: str, group_rows: int = 256 * 1024) -> None:
        self.table = table
        self.schema = TABLES[table]
        self.path = table_path(parquet_dir, table)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.before = row_count(self.path)
        self._tmp = self.path.with_name(f".{self.path.name}.stream.tmp")
        self._writer = pq.ParquetWriter(self._tmp, self.schema, compression="zstd")
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self.group_rows = group_rows
        self.rows = 0
        self.kept = 0
        self.seconds = 0.0

    def write(self, table: pa.Table) -> None:
        if not table.num_rows:
            return
        if not table.schema.equals(self.schema):
            table = table.cast(self.schema)
        self._pending.append(table)
        self._pending_rows += table.num_rows
        self.rows += table.num_rows
        if self._pending_rows >= self.group_rows:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            started = time.perf_counter()
            self._writer.write_table(pa.concat_tables(self._pending).combine_chunks())
            self._pending, self._pending_rows = [], 0
            self.seconds += time.perf_counter() - started

    def carry_over(self, dropped: pa.Array, batch: pa.Array) -> None:
        """Copy the rows of the earlier file, except those of `dropped` report ids; the rows of
        `batch` ids copied count as written by this batch, the others as kept."""
        previous = table_path(self.path.parent, self.table)
        try:
            source = pq.ParquetFile(previous)
            if not source.schema_arrow.equals(self.schema):
                return  # another layout: the batch rebuilds the table
            for part in source.iter_batches(batch_size=128 * 1024):
                ids = part.column("report_id")
                keep = part.filter(pc.invert(pc.is_in(ids, value_set=dropped)))
                if keep.num_rows:
                    ours = pc.sum(pc.is_in(keep.column("report_id"), value_set=batch)).as_py()
                    self.kept += keep.num_rows - (ours or 0)
                    self.write(pa.Table.from_batches([keep]))
        except (OSError, pa.ArrowInvalid):
            return  # missing or unreadable: nothing to keep

    def close(self) -> WrittenTable:
        self._flush()
        started = time.perf_counter()
        self._writer.close()
        crash_point("parquet")
        os.replace(self._tmp, self.path)
        self.seconds += time.perf_counter() - started
        written = self.rows - self.kept
        dropped = self.before - self.kept
        return WrittenTable(
            self.table, str(self.path), self.rows, written, self.kept, dropped, self.seconds
        )

    def abort(self) -> None:
        self._writer.close()
        self._tmp.unlink(missing_ok=True)
