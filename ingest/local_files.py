"""The local files already archived, so that a file that did not change is not read again.

Reading a local report archives its bytes under their sha256 (`ingest.archive`). This index
remembers, for each file read, what `os.stat` said just before it was read (device, inode,
size, modification and change times in nanoseconds) and the sha256 of what was read. On a later
run a file whose stat is exactly the one recorded, and whose archived copy is still in the
archive with that size, holds the same bytes: it is not read or hashed again. Any difference
(a write changes the modification and the change time; restoring the modification time changes
the change time; replacing the file changes the inode) reads and hashes it again, and so does a
missing archived copy.

A file written within `SETTLE_NS` before it was read could be written again within the same
tick of the file system's clock, keeping its stat: such a file is not recorded, and is read again
next time.

The index is `<parquet_dir>/local_files.parquet`, one row per file path, rewritten (atomically)
after each batch with the files that batch read; rows of files other batches read are kept.
A missing or unreadable index is an empty one: every file is then read.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ingest.store import read_parquet, write_parquet

FILE_NAME = "local_files.parquet"
SETTLE_NS = 2_000_000_000

SCHEMA = pa.schema(
    [
        pa.field("path", pa.string(), nullable=False),
        pa.field("device", pa.int64(), nullable=False),
        pa.field("inode", pa.int64(), nullable=False),
        pa.field("size", pa.int64(), nullable=False),
        pa.field("mtime_ns", pa.int64(), nullable=False),
        pa.field("ctime_ns", pa.int64(), nullable=False),
        pa.field("sha256", pa.string(), nullable=False),
    ]
)

Stat = tuple[int, int, int, int, int]  # device, inode, size, mtime_ns, ctime_ns


def index_path(parquet_dir: Path) -> Path:
    return parquet_dir / FILE_NAME


def file_stat(st: os.stat_result) -> Stat:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclass
class LocalFiles:
    """The recorded files ({path: (stat, sha256)}) and those recorded by this batch."""

    known: dict[str, tuple[Stat, str]]
    recorded: dict[str, tuple[Stat, str]]

    @classmethod
    def read(cls, parquet_dir: Path) -> LocalFiles:
        table = read_parquet(index_path(parquet_dir))
        known: dict[str, tuple[Stat, str]] = {}
        if table is not None and table.schema.equals(SCHEMA):
            columns = table.to_pydict()
            for path, *stat, sha in zip(*columns.values(), strict=True):
                known[path] = (tuple(stat), sha)
        return cls(known, {})

    def unchanged(self, path: str, raw_dir: Path) -> tuple[str, int, str] | None:
        """(sha256, size, archived copy) of `path` when it is as recorded and its archived copy
        is there."""
        found = self.known.get(path)
        if found is None:
            return None
        stat, sha = found
        archived = os.path.join(raw_dir, sha[:2], sha)  # raw_path_for, without Path objects
        try:
            now = file_stat(os.stat(path))
            archived_size = os.stat(archived).st_size
        except OSError:
            return None
        return (sha, now[2], archived) if now == stat and archived_size == now[2] else None

    def record(self, path: str, stat: Stat, sha256: str) -> None:
        """Note what `path` held when its stat was `stat` (taken before it was read), unless it
        was written too recently to be told apart from a later write."""
        if time.time_ns() - max(stat[3], stat[4]) >= SETTLE_NS:
            self.recorded[path] = (stat, sha256)

    def write(self, parquet_dir: Path) -> None:
        """Save the index: the files recorded by this batch over the earlier ones."""
        if not self.recorded:
            return
        rows = {**self.known, **self.recorded}
        columns: list[list] = [[] for _ in SCHEMA]
        for path, (stat, sha) in rows.items():
            for column, value in zip(columns, (path, *stat, sha), strict=True):
                column.append(value)
        write_parquet(pa.Table.from_arrays(columns, schema=SCHEMA), index_path(parquet_dir))
