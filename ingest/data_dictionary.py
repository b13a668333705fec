"""The documentation of the dbt models, read from their YAML files: the one source of truth.

dbt persists these descriptions as DuckDB comments and renders them in `make docs`; the
exports' data dictionary (table, column, type, description) is built from the same YAML, with
each column's type read from the warehouse.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from ingest import paths

MARTS_DIR = "marts"
DICTIONARY_COLUMNS = ("table", "column", "type", "description")


@dataclass(frozen=True)
class ModelDoc:
    """A dbt model as its YAML describes it."""

    name: str
    layer: str  # the directory under models/: staging, intermediate, marts
    description: str
    columns: tuple[tuple[str, str], ...]  # (column, description) in YAML order
    yaml_path: Path


def _text(value: object) -> str:
    return " ".join(str(value or "").split())


def _doc(name: str, layer: str, entry: dict, path: Path) -> ModelDoc:
    return ModelDoc(
        name=name,
        layer=layer,
        description=_text(entry.get("description")),
        columns=tuple((c["name"], _text(c.get("description"))) for c in entry.get("columns") or []),
        yaml_path=path,
    )


def _documents(project_dir: Path | None) -> Iterator[tuple[Path, str, dict]]:
    """(YAML file, layer, content) of every YAML file under models/."""
    models = (project_dir or paths.dbt_project_dir()) / "models"
    for suffix in ("*.yml", "*.yaml"):
        for path in sorted(models.rglob(suffix)):
            layer = path.relative_to(models).parts[0] if path.parent != models else ""
            yield path, layer, yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def model_docs(project_dir: Path | None = None) -> dict[str, ModelDoc]:
    """Every model described in models/**/*.yml, by name."""
    return {
        m["name"]: _doc(m["name"], layer, m, path)
        for path, layer, content in _documents(project_dir)
        for m in content.get("models") or []
    }


def source_docs(project_dir: Path | None = None) -> dict[str, ModelDoc]:
    """Every source table described in models/**/*.yml, by `source.table`."""
    return {
        f"{s['name']}.{t['name']}": _doc(f"{s['name']}.{t['name']}", "sources", t, path)
        for path, _, content in _documents(project_dir)
        for s in content.get("sources") or []
        for t in s.get("tables") or []
    }


def mart_docs(project_dir: Path | None = None) -> list[ModelDoc]:
    """The marts (models/marts): the tables users query and the exports hold."""
    return [d for d in model_docs(project_dir).values() if d.layer == MARTS_DIR]


def column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Column name -> DuckDB type of a table in the main schema (empty when not built)."""
    rows = con.execute(
        "select column_name, data_type from duckdb_columns()"
        " where schema_name = 'main' and table_name = ? order by column_index",
        [table],
    ).fetchall()
    return dict(rows)


def dictionary_rows(
    con: duckdb.DuckDBPyConnection, models: Iterable[ModelDoc]
) -> list[dict[str, str]]:
    """One row per table (column left empty, type 'table') and per column of each model.

    The columns are the table's as built, in order; a column the YAML does not describe gets an
    empty description rather than being left out."""
    rows: list[dict[str, str]] = []
    for model in models:
        types = column_types(con, model.name)
        described = dict(model.columns)
        rows.append(
            {"table": model.name, "column": "", "type": "table", "description": model.description}
        )
        names = list(types) or list(described)
        rows += [
            {
                "table": model.name,
                "column": name,
                "type": types.get(name, ""),
                "description": described.get(name, ""),
            }
            for name in names
        ]
    return rows


def write_dictionary(rows: Iterable[dict[str, str]], path: Path) -> Path:
    """Write the data dictionary as CSV (UTF-8 with a byte-order mark, so Excel reads the
    Chinese terms; pandas and R's readr skip the mark)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=DICTIONARY_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path
