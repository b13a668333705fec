"""Shared fixtures: a warehouse in a temporary directory, catalogs, and a small report corpus.

The corpus is a handful of reports copied from the embedded sample (ingest/sample), one per
rendering plus the unusual statuses, with their truth, and two entries that cannot be read (a
missing file and a remote URL), so every run exercises the error path too.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ingest.catalog import COLUMNS

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
    "DAGSTER_HOME",
)

# Files a test leaves for people to look at (a screenshot): listed at the end of the session.
ARTIFACTS = pytest.StashKey[list[tuple[str, Path]]]()

MISSING_REPORT = "reports/not_there.html"
REMOTE_REPORT = "https://www.example.gov.cn/xxgk/ndbg/2023.html"


def point_warehouse_at(mp: pytest.MonkeyPatch, directory: Path) -> Path:
    """Make every warehouse location derive from `directory`."""
    for name in WAREHOUSE_VARS:
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
    remote: str = REMOTE_REPORT  # a catalog entry that would have to be fetched

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
    rows.append({"url": MISSING_REPORT, "agency": "不存在局", "level": "department"})
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


@pytest.fixture
def record_artifact(request: pytest.FixtureRequest):
    """`record_artifact(label, path)`: list a file the test wrote in the session's summary."""

    def record(label: str, path: Path) -> None:
        request.config.stash.setdefault(ARTIFACTS, []).append((label, path))

    return record


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    artifacts = config.stash.get(ARTIFACTS, [])
    if artifacts:
        terminalreporter.section("test artifacts")
        for label, path in artifacts:
            terminalreporter.write_line(f"{label}: {path}")
