"""Every mart as a file for pandas, R or Excel users: `python -m ingest.exports [--csv]`.

Writes `<table>.parquet` for each mart (the models under dbt_project/models/marts) and, on
request, `<table>.csv` beside it, plus `data_dictionary.csv` (table, column, type, description)
built from the dbt YAML. The warehouse is opened read-only. Files are written under a temporary
name and moved into place, so a reader never sees half a file; a CSV of an earlier export is
removed when CSV was not asked for, so the folder never holds a table older than its Parquet.

CSV files are UTF-8 with a byte-order mark (Excel then reads the Chinese text); blank cells
are empty fields, never 0.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from ingest import paths
from ingest.data_dictionary import dictionary_rows, mart_docs, write_dictionary
from ingest.files import write_atomically
from ingest.store import write_parquet

DICTIONARY_FILE = "data_dictionary.csv"
BOM = "\ufeff".encode()


class ExportError(RuntimeError):
    """The warehouse cannot be exported (missing file or mart)."""


@dataclass(frozen=True)
class Exported:
    table: str
    rows: int
    parquet: Path
    csv: Path | None


@dataclass(frozen=True)
class Exports:
    directory: Path
    tables: tuple[Exported, ...]
    dictionary: Path

    def files(self) -> list[Path]:
        found = [t.parquet for t in self.tables] + [t.csv for t in self.tables if t.csv]
        return [*found, self.dictionary]


def _write_csv(table: pa.Table, path: Path) -> None:
    with path.open("wb") as fh:
        fh.write(BOM)
        pacsv.write_csv(table, fh)


def export_marts(
    duckdb_path: Path | None = None,
    out_dir: Path | None = None,
    csv: bool = False,
    project_dir: Path | None = None,
) -> Exports:
    """Export every mart of the warehouse (default: the locations of `ingest.paths`)."""
    duckdb_path = duckdb_path or paths.duckdb_path()
    out_dir = out_dir or paths.exports_dir()
    if not duckdb_path.exists():
        raise ExportError(f"no warehouse at {duckdb_path}: build it first (make run)")
    marts = mart_docs(project_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    exported: list[Exported] = []
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        for mart in marts:
            try:
                # the tables built report by report keep no order: the files do, row by row
                query = f'select * from main."{mart.name}" order by all'
                table = con.execute(query).fetch_arrow_table()
            except duckdb.CatalogException:
                raise ExportError(f"{mart.name} is not in {duckdb_path}: run dbt build") from None
            parquet = out_dir / f"{mart.name}.parquet"
            write_parquet(table, parquet)
            csv_path = out_dir / f"{mart.name}.csv"
            if csv:
                write_atomically(csv_path, lambda tmp, table=table: _write_csv(table, tmp))
            else:
                csv_path.unlink(missing_ok=True)
            exported.append(Exported(mart.name, table.num_rows, parquet, csv_path if csv else None))
        rows = dictionary_rows(con, marts)
    dictionary = write_atomically(
        out_dir / DICTIONARY_FILE, lambda tmp: write_dictionary(rows, tmp)
    )
    return Exports(out_dir, tuple(exported), dictionary)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingest.exports",
        description="Write every mart as Parquet (and CSV) with a data dictionary.",
    )
    parser.add_argument("--duckdb", type=Path, help="warehouse file (default: $OGI_DUCKDB_PATH)")
    parser.add_argument("--out", type=Path, help="output folder (default: $OGI_EXPORTS_DIR)")
    parser.add_argument("--csv", action="store_true", help="also write each table as CSV")
    args = parser.parse_args(argv)
    try:
        exports = export_marts(args.duckdb, args.out, csv=args.csv)
    except (ExportError, duckdb.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for t in exports.tables:
        print(f"{t.table:<28}{t.rows:>8} rows  {t.parquet}")
    print(f"data dictionary: {exports.dictionary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
