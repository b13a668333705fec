"""A run killed at any stage loses nothing: the next run completes as if nothing happened.

`python -m orchestration.run` on a few sample reports dies (OGI_CRASH_AT, ingest.faults: an
immediate os._exit, no cleanup) after fetching a report, after parsing one, between writing a
Parquet table's temporary file and renaming it, and after the dbt build before publishing, one
crash after the other in the same warehouse. A run without the variable then succeeds (the
pool slot the killed dbt step held is released) and gives the same row counts as an
uninterrupted run in another warehouse, with no report twice, and every Parquet table readable.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from ingest import publish
from ingest.faults import CRASH_ENV, CRASH_EXIT, STAGES
from tests.conftest import REPO, copy_sample_subset, mart_counts, write_catalog


def _start(warehouse: Path, catalog: Path, crash_at: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OGI_", "DAGSTER_"))}
    env["OGI_WAREHOUSE_DIR"] = str(warehouse)
    if crash_at:
        env[CRASH_ENV] = crash_at
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.run", "--catalog", str(catalog)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finish(proc: subprocess.Popen) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=300)
    return proc.returncode, out[-2000:]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    full = copy_sample_subset(tmp_path_factory.mktemp("crash_corpus"))
    readable = [r for r in full.rows if r["url"] not in full.unreadable]
    # Three reports that parse and one that cannot be read: every stage is reached.
    rows = [*readable[:3], full.rows[-2]]
    return write_catalog(full.catalog.with_name("few.csv"), rows)


def test_a_run_killed_at_any_stage_is_completed_by_the_next(corpus: Path, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    uninterrupted = _start(reference, corpus)  # alongside the crashes

    warehouse = tmp_path / "crashed"
    for stage in STAGES:
        code, out = _finish(_start(warehouse, corpus, crash_at=stage))
        assert code == CRASH_EXIT, (stage, code, out)
    db = warehouse / "ogi.duckdb"
    assert not db.exists(), "no build was published before the crash after dbt"
    assert publish.build_path(db).exists()

    code, out = _finish(_start(warehouse, corpus))
    assert code == 0, out
    code, out = _finish(uninterrupted)
    assert code == 0, out
    assert mart_counts(db) == mart_counts(reference / "ogi.duckdb")
    with duckdb.connect(str(db), read_only=True) as con:
        n, distinct = con.sql(
            "select count(*), count(distinct report_id) from dim_reports"
        ).fetchone()
    assert n == distinct == 4
    assert not publish.build_path(db).exists()

    # Every Parquet table is whole; what the crash between write and rename left is a hidden
    # temporary file, which no reader takes for a table.
    for path in (warehouse / "parquet").glob("*.parquet"):
        assert pq.ParquetFile(path).metadata.num_rows >= 0
    leftovers = [p.name for p in (warehouse / "parquet").iterdir() if p.name.endswith(".tmp")]
    assert all(name.startswith(".") for name in leftovers), leftovers
