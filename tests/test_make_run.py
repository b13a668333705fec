"""What `make run` does, as a user runs it: the whole sample, twice, a rebuild from the
archive, then dbt on its own.

The runs are the shared `sample_runs` (tests/conftest.py). The quarantine must list exactly the sample reports whose printed numbers break an identity
(the generator knows which), a second run and a rebuild from the archive must give the same
tables, the terminal gets the summary while the logs go to a file, and
`cd dbt_project && dbt build` must work on what the runs left behind.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "ingest" / "sample"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def runs(sample_runs):
    return sample_runs.warehouse, sample_runs.env, sample_runs.outputs, sample_runs.counts


def test_summary_is_printed(runs):
    _, _, outputs, _ = runs
    for heading in ("reports:", "fact rows:", "identity failures:", "quarantined reports"):
        assert heading in outputs[-1]


def test_the_logs_go_to_a_file_and_the_terminal_stays_short(runs):
    warehouse, _, outputs, _ = runs
    log = warehouse / "logs" / "run.log"
    for output in outputs:
        assert f"logs: {log}" in output
        assert " - dagster - " not in output and "dbt" not in output.split("fact rows:")[0]
        assert len(output.splitlines()) < 40
    assert "(main): succeeded" in outputs[0]
    assert "(rebuild_from_archive): succeeded" in outputs[-1]
    text = log.read_text(encoding="utf-8")
    assert " - dagster - " in text and "rebuild_from_archive" in text


def test_second_run_and_rebuild_give_the_same_tables(runs):
    warehouse, _, _, counts = runs
    assert counts[0] == counts[1] == counts[2]
    with duckdb.connect(str(warehouse / "ogi.duckdb"), read_only=True) as con:
        n, distinct = con.sql(
            "select count(*), count(distinct report_id) from dim_reports"
        ).fetchone()
    assert n == distinct == 72


def test_three_runs_give_identical_facts(sample_runs):
    """Two runs and a rebuild from the archive: every mart has the same rows, compared by a
    checksum of its rows (timestamps left out), not only by counts."""
    first, second, rebuilt = sample_runs.checksums
    assert first == second == rebuilt
    assert all(n > 0 for n, _ in first.values())
    assert len({total for _, total in first.values()}) == len(first)


def test_quarantine_is_exactly_the_inconsistent_sample_reports(runs):
    warehouse, _, _, _ = runs
    truths = [json.loads(x) for x in (SAMPLE / "truth.jsonl").read_text("utf-8").splitlines()]
    expected = {t["file"] for t in truths if t["expected_failures"]}
    with duckdb.connect(str(warehouse / "ogi.duckdb"), read_only=True) as con:
        got = {
            r[0]
            for r in con.sql(
                "select d.source from rpt_quarantine q join dim_reports d using (report_id)"
            ).fetchall()
        }
        in_facts = con.sql(
            "select count(*) from fct_applications f join rpt_quarantine q using (report_id)"
        ).fetchone()[0]
    assert got == expected and len(expected) >= 2
    assert in_facts == 0


def test_dbt_build_works_on_its_own_after_a_run(runs, sample_runs):
    warehouse, env, _, counts = runs
    env = {
        **env,
        "OGI_PARQUET_DIR": str(warehouse / "parquet"),
        "OGI_DUCKDB_PATH": str(warehouse / "ogi.duckdb"),
    }
    proc = subprocess.run(
        [
            str(BIN / "dbt"),
            "build",
            "--profiles-dir",
            ".",
            "--target-path",
            str(warehouse / "target"),
            "--log-path",
            str(warehouse / "logs"),
        ],
        cwd=REPO / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert sample_runs.mart_counts() == counts[-1]


def test_a_year_outside_the_partitions_is_refused(runs):
    _, env, _, _ = runs
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.run", "--year", "2015"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "--year 2015 is not a partition (2019, " in proc.stderr


def test_dagster_definitions_validate(runs):
    _, env, _, _ = runs
    proc = subprocess.run(
        [str(BIN / "dagster"), "definitions", "validate", "-m", "orchestration.definitions"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
