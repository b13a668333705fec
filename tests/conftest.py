"""Shared fixtures: a warehouse in a temporary directory, catalogs, and a small report corpus.

The corpus is a handful of reports copied from the embedded sample (ingest/sample), one per
rendering plus the unusual statuses, with their truth, and two entries that cannot be read (a
missing file and a URL of a refused host), so every run exercises the error path too.

`sample_runs` is the sample warehouse: `python -m orchestration.run` (what `make run` does) on
the whole embedded sample, twice, then rebuilt from the archive; built once per pytest run for every test that reads it.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from ingest.catalog import COLUMNS
from ingest.data_dictionary import mart_docs
from ingest.fetch import ALLOW_PRIVATE_ENV, FetchPolicy
from ingest.render import make_report
from ingest.sample import AGENCIES

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO / "ingest" / "sample"

# Every variable ingest.paths reads for a warehouse location.
WAREHOUSE_VARS = (
    "OGI_WAREHOUSE_DIR",
    "OGI_PARQUET_DIR",
    "OGI_DUCKDB_PATH",
    "OGI_RAW_DIR",
    "OGI_ARCHIVE_INDEX_DIR",
    "OGI_CATALOG",
    "OGI_REPORT_PATH",
    "OGI_EXPORTS_DIR",
    "DAGSTER_HOME",
)

# Variables that change how sources are fetched: unset, so runs behave the same everywhere.
FETCH_VARS = (ALLOW_PRIVATE_ENV, *FetchPolicy.ENV)

# Files a test leaves for people to look at (a screenshot): listed at the end of the session.
ARTIFACTS = pytest.StashKey[list[tuple[str, Path]]]()
# Figures a test measures (inputs tried, reads made): summed, listed at the end of the session.
FIGURES = pytest.StashKey[dict[str, int]]()

MISSING_REPORT = "reports/not_there.html"
# Catalog text must reach the tables verbatim and never SQL or a shell: quotes, a statement
# separator, comment marks, command substitution and backticks.
HOSTILE_AGENCY = "不存在局'; drop table dim_reports; -- \" $(touch /tmp/ogi-pwned) `id` {{ x }}"
# A URL on the loopback address: refused before any request (private hosts are fetched only
# with OGI_ALLOW_PRIVATE_HOSTS=1), so it fails the same way on every machine, offline.
REMOTE_REPORT = "http://127.0.0.1:9/xxgk/ndbg/2023.html"


def report_2022(seed: int) -> dict:
    """The truth of a generated 2022 report in the 2021 form (its agency and values drawn from
    `seed`)."""
    agency = AGENCIES[seed % len(AGENCIES)]
    return make_report(
        random.Random(seed),
        agency=agency.name,
        level=agency.level,
        year=2022,
        template_proactive="2021",
        template_applications="2021",
    )


def point_warehouse_at(mp: pytest.MonkeyPatch, directory: Path) -> Path:
    """Make every warehouse location derive from `directory`."""
    for name in (*WAREHOUSE_VARS, *FETCH_VARS):
        mp.delenv(name, raising=False)
    mp.setenv("OGI_WAREHOUSE_DIR", str(directory))
    return directory


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh warehouse directory for one test; ingest.paths points into it."""
    return point_warehouse_at(monkeypatch, tmp_path / "warehouse")


def write_catalog(path: Path, rows: Iterable[Mapping[str, object]]) -> Path:
    """Write a catalog CSV with the catalog columns (missing values left blank)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return path


@pytest.fixture
def catalog_writer():
    """`write_catalog(path, rows)`: write a catalog CSV for a test."""
    return write_catalog


@dataclass(frozen=True)
class Corpus:
    """A catalog in a temporary directory and what is known about its reports."""

    catalog: Path
    rows: list[dict[str, str]]
    truth: dict[str, dict] = field(default_factory=dict)  # by catalog url
    missing: str = MISSING_REPORT  # a catalog entry whose file does not exist
    remote: str = REMOTE_REPORT  # a catalog entry fetched and refused

    @property
    def unreadable(self) -> tuple[str, ...]:
        return (self.missing, self.remote)

    @property
    def sources(self) -> list[str]:
        return [r["url"] for r in self.rows]


def _pick(truths: list[dict]) -> list[dict]:
    """One report per rendering and script, plus one per unusual status and one that breaks
    an identity: a few reports covering the kinds the sample holds."""
    picked: dict[str, dict] = {}
    for t in truths:
        kinds = [
            f"rendering:{t.get('rendering')}",
            f"script:{t.get('script')}",
            f"status:{t.get('status')}",
        ]
        if t.get("expected_failures"):
            kinds.append("breaks_identity")
        for kind in kinds:
            if kind not in picked and kind != "status:complete":
                picked[kind] = t
    unique = {t["file"]: t for t in picked.values()}
    return list(unique.values())


def copy_sample_subset(dest: Path) -> Corpus:
    """Copy a few sample reports (and their catalog rows) under `dest`, add unreadable entries."""
    with (SAMPLE_DIR / "catalog.csv").open(encoding="utf-8", newline="") as fh:
        catalog_rows = {r["url"]: r for r in csv.DictReader(fh)}
    with (SAMPLE_DIR / "truth.jsonl").open(encoding="utf-8") as fh:
        truths = [json.loads(line) for line in fh if line.strip()]
    chosen = _pick(truths)
    rows = []
    for t in chosen:
        target = dest / t["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE_DIR / t["file"], target)
        rows.append(dict(catalog_rows[t["file"]]))
    rows.append({"url": MISSING_REPORT, "agency": HOSTILE_AGENCY, "level": "department"})
    rows.append({"url": REMOTE_REPORT, "agency": "远方局", "year": "2023"})
    catalog = write_catalog(dest / "catalog.csv", rows)
    return Corpus(catalog, rows, {t["file"]: t for t in chosen})


@pytest.fixture
def small_corpus(tmp_path: Path) -> Corpus:
    return copy_sample_subset(tmp_path / "corpus")


@pytest.fixture(scope="module")
def module_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Corpus]]:
    """A warehouse and a corpus shared by the tests of one module (for expensive builds)."""
    base = tmp_path_factory.mktemp("module_warehouse")
    with pytest.MonkeyPatch.context() as mp:
        directory = point_warehouse_at(mp, base / "warehouse")
        yield directory, copy_sample_subset(base / "corpus")


# The marts (dbt_project/models/marts), whose row counts a second run must reproduce.
SAMPLE_MARTS = tuple(m.name for m in mart_docs())


def mart_counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.sql(f"select count(*) from {t}").fetchone()[0] for t in SAMPLE_MARTS}


def mart_checksums(db: Path) -> dict[str, tuple[int, int]]:
    """Per mart: its rows and the sum of the hashes of its rows, whatever their order, leaving
    out when things happened (timestamp columns, *_at): equal checksums, equal facts."""
    sums = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for t in SAMPLE_MARTS:
            columns = [
                f'"{name}"'
                for name, kind in con.execute(
                    "select column_name, data_type from information_schema.columns"
                    " where table_name = ? order by ordinal_position",
                    [t],
                ).fetchall()
                if not name.endswith("_at") and not kind.startswith("TIMESTAMP")
            ]
            row = f"hash({', '.join(columns)})"
            n, total = con.execute(f"select count(*), sum({row}::hugeint) from {t}").fetchone()
            sums[t] = (n, int(total or 0))
    return sums


@dataclass(frozen=True)
class SampleRuns:
    """`python -m orchestration.run` on the embedded sample in one warehouse: twice, then a
    rebuild from the archive (`--from-archive`)."""

    warehouse: Path
    env: dict[str, str]  # the environment of the runs (OGI_WAREHOUSE_DIR set, no other OGI_)
    outputs: list[str]  # stdout and stderr of each run
    counts: list[dict[str, int]]  # mart row counts after each run
    checksums: list[dict[str, tuple[int, int]]]  # mart checksums after each run

    @property
    def duckdb_path(self) -> Path:
        return self.warehouse / "ogi.duckdb"

    def mart_counts(self) -> dict[str, int]:
        """The mart row counts now."""
        return mart_counts(self.duckdb_path)


@pytest.fixture(scope="session")
def sample_runs(tmp_path_factory: pytest.TempPathFactory) -> SampleRuns:
    warehouse = tmp_path_factory.mktemp("sample_warehouse")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OGI_", "DAGSTER_"))}
    env["OGI_WAREHOUSE_DIR"] = str(warehouse)
    outputs, counts, checksums = [], [], []
    for args in ([], [], ["--from-archive"]):
        proc = subprocess.run(
            [sys.executable, "-m", "orchestration.run", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        outputs.append(proc.stdout + proc.stderr)
        counts.append(mart_counts(warehouse / "ogi.duckdb"))
        checksums.append(mart_checksums(warehouse / "ogi.duckdb"))
    return SampleRuns(warehouse, env, outputs, counts, checksums)


@pytest.fixture
def record_artifact(request: pytest.FixtureRequest):
    """`record_artifact(label, path)`: list a file the test wrote in the session's summary."""

    def record(label: str, path: Path) -> None:
        request.config.stash.setdefault(ARTIFACTS, []).append((label, path))

    return record


@pytest.fixture
def count_figure(request: pytest.FixtureRequest):
    """`count_figure(label, n=1)`: add `n` to a figure listed in the session's summary."""

    def count(label: str, n: int = 1) -> None:
        figures = request.config.stash.setdefault(FIGURES, {})
        figures[label] = figures.get(label, 0) + n

    return count


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    figures = config.stash.get(FIGURES, {})
    if figures:
        terminalreporter.section("figures")
        for label, n in figures.items():
            terminalreporter.write_line(f"{label}: {n}")
    artifacts = config.stash.get(ARTIFACTS, [])
    if artifacts:
        terminalreporter.section("test artifacts")
        for label, path in artifacts:
            terminalreporter.write_line(f"{label}: {path}")
