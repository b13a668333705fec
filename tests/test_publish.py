"""Publishing the DuckDB file: readers never see a lock, a half-built table or a failed build.

A copy of the sample warehouse (tests.conftest.sample_runs) is built again by dbt with one
report fewer while a reader process queries every mart of the published file in a loop, each
time through a new read-only connection: every read must succeed and see all the marts of one
build or of the other, never a mix. Then an error-severity dbt test is made to fail: the build
fails, the published file is left as it was, no build file is left behind. Finally the published
file is opened read-only by the pinned DuckDB client (1.4) from another working directory, and
every mart and every view is queried.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ingest import publish
from ingest.store import REPORT_TABLES, read_table, table_path, write_parquet
from orchestration.definitions import defs
from orchestration.warehouse_assets import warehouse_dbt_assets
from tests.conftest import SAMPLE_MARTS, mart_counts, point_warehouse_at

POOLS = {"concurrency": {"pools": {"granularity": "op", "default_limit": 1}}}

# Each pass: a new read-only connection, the row count of every mart, one JSON line.
READER = """
import json, sys, time, os, duckdb
path, marts, stop, out = sys.argv[1], sys.argv[2].split(','), sys.argv[3], sys.argv[4]
with open(out, 'w') as fh:
    while not os.path.exists(stop):
        try:
            with duckdb.connect(path, read_only=True) as con:
                counts = {m: con.execute(f'select count(*) from {m}').fetchone()[0] for m in marts}
            fh.write(json.dumps({'counts': counts}) + '\\n')
        except Exception as exc:
            fh.write(json.dumps({'error': f'{type(exc).__name__}: {exc}'}) + '\\n')
        fh.flush()
        time.sleep(0.02)
"""


# --- the file operations alone ---------------------------------------------------------------


def test_the_build_file_is_hidden_beside_the_published_one(tmp_path: Path) -> None:
    published = tmp_path / "ogi.duckdb"
    assert publish.build_path(published) == tmp_path / ".ogi.build.duckdb"


def test_a_build_starts_from_the_published_file_and_replaces_it(tmp_path: Path) -> None:
    published = tmp_path / "ogi.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute("create table t as select 1 as v")
    publish.build_path(published).write_bytes(b"leftover of an interrupted build")
    build = publish.prepare_build(published)
    with duckdb.connect(str(build)) as con:
        assert con.execute("select v from t").fetchall() == [(1,)]
        con.execute("create or replace table t as select 2 as v")
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select v from t").fetchall() == [(1,)]
    publish.wal_path(published).write_bytes(b"stale log of the old file")
    publish.publish(build, published)
    assert not build.exists() and not publish.wal_path(published).exists()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select v from t").fetchall() == [(2,)]


def test_a_build_file_with_a_write_ahead_log_is_not_published(tmp_path: Path) -> None:
    published = tmp_path / "ogi.duckdb"
    build = publish.prepare_build(published)
    build.write_bytes(b"x")
    publish.wal_path(build).write_bytes(b"y")
    with pytest.raises(RuntimeError, match="write-ahead log"):
        publish.publish(build, published)
    assert not published.exists()
    publish.discard(build)
    assert not build.exists() and not publish.wal_path(build).exists()


# --- builds with a reader --------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    duckdb_path: Path
    parquet_dir: Path
    first: dict[str, int]  # mart row counts of the first build
    second: dict[str, int]  # ... of the second, built while the reader ran
    reads: list[dict]
    failed: dg.ExecuteInProcessResult  # a build whose error-severity test fails
    after_failure: dict[str, int]
    hash_before_failure: bytes
    hash_after_failure: bytes


def _build_dbt(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """The dbt build alone (every model and test), over the Parquet tables as they are."""
    return dg.materialize(
        [warehouse_dbt_assets],
        resources=defs.get_repository_def().get_top_level_resources(),
        instance=instance,
        raise_on_error=False,
    )


def _drop_report(parquet: Path, report_id: str) -> None:
    for name in REPORT_TABLES:
        table = read_table(parquet, name)
        kept = table.filter(pc.not_equal(table["report_id"], report_id))
        write_parquet(kept, table_path(parquet, name))


@pytest.fixture(scope="module")
def published(sample_runs, tmp_path_factory) -> Published:
    """A copy of the sample warehouse (its Parquet tables and published file), rebuilt twice."""
    base = tmp_path_factory.mktemp("publish")
    warehouse = base / "warehouse"
    shutil.copytree(sample_runs.warehouse / "parquet", warehouse / "parquet")
    shutil.copyfile(sample_runs.duckdb_path, warehouse / "ogi.duckdb")
    db, parquet = warehouse / "ogi.duckdb", warehouse / "parquet"
    first = mart_counts(db)
    with (
        pytest.MonkeyPatch.context() as mp,
        dg.instance_for_test(overrides=POOLS, set_dagster_home=False) as instance,
    ):
        point_warehouse_at(mp, warehouse)
        # The second build, with one parsed report fewer, while the reader reads.
        with duckdb.connect(str(db), read_only=True) as con:
            (dropped,) = con.execute(
                "select report_id from dim_reports where status = 'complete' limit 1"
            ).fetchone()
        _drop_report(parquet, dropped)
        stop, out = base / "stop", base / "reads.jsonl"
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(db), ",".join(SAMPLE_MARTS), str(stop), str(out)],
            cwd=base,
        )
        try:
            time.sleep(0.5)
            assert _build_dbt(instance).success
            time.sleep(0.5)
        finally:
            stop.touch()
            reader.wait(timeout=30)
        second = mart_counts(db)
        reads = [json.loads(line) for line in out.read_text().splitlines()]

        # A failed build: every report twice in the reports table breaks an error-severity
        # uniqueness test.
        reports = read_table(parquet, "reports")
        write_parquet(pa.concat_tables([reports, reports]), table_path(parquet, "reports"))
        before = db.read_bytes()
        failed = _build_dbt(instance)
        after = db.read_bytes()
    return Published(db, parquet, first, second, reads, failed, mart_counts(db), before, after)


def test_the_two_builds_differ(published: Published) -> None:
    assert published.first != published.second
    assert published.first["dim_reports"] == published.second["dim_reports"] + 1


def test_a_reader_never_sees_a_lock_or_a_half_built_warehouse(published: Published) -> None:
    errors = [r["error"] for r in published.reads if "error" in r]
    assert errors == []
    seen = [r["counts"] for r in published.reads]
    assert len(seen) >= 5, "the reader hardly ran"
    assert all(c in (published.first, published.second) for c in seen), [
        c for c in seen if c not in (published.first, published.second)
    ]
    print(f"reader: {len(seen)} reads during the build, none failed")


def test_a_failed_build_leaves_the_published_file(published: Published) -> None:
    assert not published.failed.success
    assert published.hash_after_failure == published.hash_before_failure
    assert published.after_failure == published.second
    build = publish.build_path(published.duckdb_path)
    assert not build.exists() and not publish.wal_path(build).exists()
    failed = [
        e.asset_check_key.name
        for e in published.failed.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    ]
    assert any("unique" in name for name in failed), failed


def test_the_published_file_opens_read_only_in_duckdb_1_4_from_anywhere(
    published: Published, tmp_path: Path
) -> None:
    """The client pinned in pyproject.toml (duckdb>=1.4.5,<1.5), from another directory: the
    marts are tables, the staging views read the Parquet tables by absolute path."""
    code = """
import sys, duckdb
assert duckdb.__version__.startswith('1.4.'), duckdb.__version__
with duckdb.connect(sys.argv[1], read_only=True) as con:
    names = con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()
    for (name,) in names:
        con.execute(f'select * from "{name}"').fetchall()
    print(duckdb.__version__, len(names))
"""
    proc = subprocess.run(
        [sys.executable, "-c", code, str(published.duckdb_path)],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("OGI_")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    version, n = proc.stdout.split()
    assert version.startswith("1.4.") and int(n) >= len(SAMPLE_MARTS)


def test_downstream_readers_read_the_published_file() -> None:
    """The check, the report and the exports open duckdb_file(); dbt alone gets the build file."""
    from orchestration.resources import WarehouseResource

    resource = WarehouseResource(duckdb_path="/w/ogi.duckdb", parquet_dir="/w/parquet")
    assert resource.dbt_env()["OGI_DUCKDB_PATH"] == "/w/.ogi.build.duckdb"
    assert resource.duckdb_file() == Path("/w/ogi.duckdb")
