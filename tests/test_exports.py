"""The exports of the sample warehouse: every mart as Parquet (CSV on request) and the data
dictionary, whose descriptions are the dbt YAML's (the same text dbt stores as comments)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from ingest.data_dictionary import DICTIONARY_COLUMNS, mart_docs
from ingest.exports import ExportError, export_marts, main

MARTS = [m.name for m in mart_docs()]


def _read_dictionary(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_mart_is_exported_by_the_run(sample_runs) -> None:
    exports = sample_runs.warehouse / "exports"
    assert len(MARTS) == 11 and {"dim_reports", "fct_dispositions", "rpt_quarantine"} <= set(MARTS)
    assert sorted(p.stem for p in exports.glob("*.parquet")) == sorted(MARTS)
    assert not list(exports.glob("*.csv.*")) and not list(exports.glob(".*"))
    with duckdb.connect(str(sample_runs.duckdb_path), read_only=True) as con:
        for name in MARTS:
            table = pq.read_table(exports / f"{name}.parquet")
            expected = con.execute(f'select * from "{name}"').fetch_arrow_table()
            assert table.schema.names == expected.schema.names, name
            assert table.num_rows == expected.num_rows, name


def test_data_dictionary_comes_from_the_yaml(sample_runs) -> None:
    rows = _read_dictionary(sample_runs.warehouse / "exports" / "data_dictionary.csv")
    assert list(rows[0]) == list(DICTIONARY_COLUMNS)
    docs = {m.name: m for m in mart_docs()}
    with duckdb.connect(str(sample_runs.duckdb_path), read_only=True) as con:
        built = con.execute(
            "select table_name, column_name, data_type, comment from duckdb_columns()"
            " where schema_name = 'main'"
        ).fetchall()
    built_columns = {(t, c): (ty, comment) for t, c, ty, comment in built if t in docs}
    columns = {(r["table"], r["column"]): r for r in rows if r["column"]}
    assert set(columns) == set(built_columns)
    for (table, column), row in columns.items():
        described = dict(docs[table].columns)[column]
        assert row["description"] == described != ""
        # dbt persisted the same YAML text as the column comment
        data_type, comment = built_columns[table, column]
        assert row["type"] == data_type
        assert " ".join((comment or "").split()) == described
    tables = {r["table"]: r for r in rows if not r["column"]}
    assert set(tables) == set(MARTS) and {r["type"] for r in tables.values()} == {"table"}
    assert tables["fct_reviews"]["description"] == docs["fct_reviews"].description


def test_csv_on_request(sample_runs, tmp_path: Path, capsys) -> None:
    out = tmp_path / "exports"
    assert main(["--duckdb", str(sample_runs.duckdb_path), "--out", str(out), "--csv"]) == 0
    assert "data dictionary:" in capsys.readouterr().out
    for name in MARTS:
        raw = (out / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name  # Excel reads it as UTF-8
        table = pacsv.read_csv(out / f"{name}.csv")
        assert table.num_rows == pq.read_metadata(out / f"{name}.parquet").num_rows
    assert "青原市人民政府" in (out / "rpt_quarantine.csv").read_text(encoding="utf-8-sig")
    # without --csv, no CSV of an earlier export stays behind to be mistaken for current
    exports = export_marts(sample_runs.duckdb_path, out)
    assert not list(out.glob(".*")) and sorted(p.name for p in out.glob("*.csv")) == [
        "data_dictionary.csv"
    ]
    assert len(exports.files()) == len(MARTS) + 1


def test_missing_warehouse_is_a_clear_error(tmp_path: Path, capsys) -> None:
    with pytest.raises(ExportError, match="no warehouse at"):
        export_marts(tmp_path / "none.duckdb", tmp_path / "out")
    assert main(["--duckdb", str(tmp_path / "none.duckdb")]) == 1
    assert capsys.readouterr().err.startswith("error: no warehouse at")
