"""Whether the warehouse is already built from exactly its inputs, so a build can be skipped.

dbt reads the Parquet tables of `ingest.schema.TABLES` and the files of the dbt project; the
warehouse is the DuckDB file it writes. After a build that succeeded, `record_build` writes
beside the DuckDB file (`ogi.duckdb.inputs`) the size and modification time of each of them,
the DuckDB file included. `up_to_date` is true while every one is as recorded: nothing dbt
reads changed (ingest leaves unchanged files untouched) and nothing else wrote the warehouse,
so a build would give the same tables and the same test results.
"""

from __future__ import annotations

import json
from pathlib import Path

from ingest.files import write_atomically
from ingest.schema import TABLES
from ingest.store import table_path

_PROJECT_FILES = ("*.yml", "*.sql")
_NOT_PROJECT = ("target", "logs", "dbt_packages")


def stamp_path(duckdb_path: Path) -> Path:
    return duckdb_path.with_name(duckdb_path.name + ".inputs")


def _state(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def inputs(parquet_dir: Path, project_dir: Path, duckdb_path: Path) -> dict[str, list[int] | None]:
    """Size and modification time of everything a build reads or writes."""
    files = [table_path(parquet_dir, name) for name in TABLES]
    for pattern in _PROJECT_FILES:
        files += [
            p
            for p in sorted(project_dir.rglob(pattern))
            if not set(p.relative_to(project_dir).parts) & set(_NOT_PROJECT)
        ]
    files.append(duckdb_path)
    return {str(p.resolve()): _state(p) for p in files}


def up_to_date(parquet_dir: Path, project_dir: Path, duckdb_path: Path) -> bool:
    try:
        recorded = json.loads(stamp_path(duckdb_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    now = inputs(parquet_dir, project_dir, duckdb_path)
    return None not in now.values() and recorded == now


def record_build(parquet_dir: Path, project_dir: Path, duckdb_path: Path) -> None:
    """Note the inputs of a build that succeeded (call it right after the build)."""
    text = json.dumps(inputs(parquet_dir, project_dir, duckdb_path), indent=1)
    write_atomically(stamp_path(duckdb_path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def forget(duckdb_path: Path) -> None:
    """Before a build: a build that fails half-way must not look up to date."""
    stamp_path(duckdb_path).unlink(missing_ok=True)
