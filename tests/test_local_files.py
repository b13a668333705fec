"""Local report files are read again only when they may have changed (`ingest.local_files`).

A catalog of local files (copies of sample reports) is collected into the raw archive, then
collected again after each kind of change: a file left alone is not opened (its archived copy
is used, the fetch log says not_modified); a file rewritten with other bytes of the same size
and its modification time put back, a file replaced by another, a file whose archived copy is
gone and a file written just before it was read are all read and hashed again, so the changed
report is parsed again.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import Corpus

from ingest import archive, local_files
from ingest.archive import NOT_MODIFIED, OK
from ingest.catalog import read_catalog
from ingest.collect import Collected, collect
from ingest.pipeline import Previous, stream_tables


def _collect(corpus: Corpus, warehouse: Path) -> Collected:
    entries = [
        e for e in read_catalog(corpus.catalog).entries if e.is_local and Path(e.location).exists()
    ]
    return collect(entries, warehouse / "raw", warehouse / "parquet")


def _by_source(collected: Collected) -> dict[str, archive.Retrieval]:
    return {a.entry.source: a.retrieval for a in collected.reports if a.ok}


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The local files opened, in order (every read goes through archive.read_local)."""
    opened: list[str] = []
    real = archive.read_local

    def read_local(path: str) -> bytes:
        opened.append(path)
        return real(path)

    monkeypatch.setattr(archive, "read_local", read_local)
    return opened


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as settled at once (the real margin is 2 s)."""
    monkeypatch.setattr(local_files, "SETTLE_NS", 0)


def test_an_unchanged_file_is_not_read_again(
    small_corpus: Corpus, tmp_path: Path, reads: list[str], settled: None
) -> None:
    first = _by_source(_collect(small_corpus, tmp_path))
    assert len(reads) == len(first) and first
    assert {r.outcome for r in first.values()} == {OK}
    reads.clear()
    again = _by_source(_collect(small_corpus, tmp_path))
    assert reads == []
    assert {r.outcome for r in again.values()} == {NOT_MODIFIED}
    for source, got in again.items():
        assert (got.sha256, got.bytes, got.raw_path) == (
            first[source].sha256,
            first[source].bytes,
            first[source].raw_path,
        )
        assert Path(got.raw_path).read_bytes()  # the archived copy parsing will read


def test_changed_bytes_are_read_again_even_with_size_and_mtime_kept(
    small_corpus: Corpus, tmp_path: Path, reads: list[str], settled: None
) -> None:
    warehouse = tmp_path / "warehouse"
    first = _collect(small_corpus, warehouse)
    tables, _ = stream_tables(
        first.reports, warehouse / "parquet", previous=Previous(warehouse / "parquet")
    )
    assert tables.parsed == len(first.reports)
    before = _by_source(first)
    same_size, replaced = sorted(before)[:2]
    path = Path(before[same_size].final_url)
    st = path.stat()
    data = path.read_bytes()
    path.write_bytes(data.replace(b"2", b"3", 1) if b"2" in data else data[::-1])
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    other = Path(before[replaced].final_url)
    tmp = other.with_name(other.name + ".new")
    tmp.write_bytes(other.read_bytes() + b"\n")
    os.replace(tmp, other)

    reads.clear()
    again = _collect(small_corpus, warehouse)
    got = _by_source(again)
    assert sorted(reads) == sorted([str(path), str(other)])
    for source in (same_size, replaced):
        assert got[source].outcome == OK
        assert got[source].sha256 != before[source].sha256
    tables, _ = stream_tables(
        again.reports, warehouse / "parquet", previous=Previous(warehouse / "parquet")
    )
    assert tables.parsed == 2 and tables.reused == len(again.reports) - 2


def test_a_missing_archived_copy_is_read_again(
    small_corpus: Corpus, tmp_path: Path, reads: list[str], settled: None
) -> None:
    first = _by_source(_collect(small_corpus, tmp_path))
    source = sorted(first)[0]
    Path(first[source].raw_path).unlink()
    reads.clear()
    again = _by_source(_collect(small_corpus, tmp_path))
    assert reads == [first[source].final_url]
    assert again[source].outcome == OK and again[source].sha256 == first[source].sha256
    assert Path(again[source].raw_path).exists()


def test_a_file_written_just_before_it_was_read_is_read_again(
    small_corpus: Corpus, tmp_path: Path, reads: list[str]
) -> None:
    first = _by_source(_collect(small_corpus, tmp_path))  # the copies were written just now
    reads.clear()
    _collect(small_corpus, tmp_path)
    assert len(reads) == len(first)


def test_an_unreadable_index_is_an_empty_one(
    small_corpus: Corpus, tmp_path: Path, reads: list[str], settled: None
) -> None:
    first = _by_source(_collect(small_corpus, tmp_path))
    local_files.index_path(tmp_path / "parquet").write_bytes(b"not parquet")
    reads.clear()
    again = _by_source(_collect(small_corpus, tmp_path))
    assert len(reads) == len(first)
    assert {s: r.sha256 for s, r in again.items()} == {s: r.sha256 for s, r in first.items()}
