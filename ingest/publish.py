"""Publishing the DuckDB file: dbt builds a copy, the copy replaces the published file at once.

Readers (a BI client, the quality report, the exports) open the published file
(warehouse/ogi.duckdb) read-only. dbt never writes it: each build writes the build file beside it
(warehouse/.ogi.build.duckdb), and only once the build and its error-severity tests succeeded
does the build file replace the published one with a rename. A reader therefore sees the
previous warehouse or the new one, never a table half built, and never a lock held by the
writer; a build that fails leaves the published file as it was.

* `prepare_build` starts the build file as a copy of the published one, so models a partial
  build does not select keep their tables.
* `publish` renames the build file over the published one (same directory, so the rename is
  atomic), refusing a build file that still has a write-ahead log (dbt exited without closing it).
* `discard` removes the build file of a failed build.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

BUILD_PREFIX = "."
BUILD_SUFFIX = ".build"


def wal_path(database: Path) -> Path:
    """DuckDB's write-ahead log of `database`."""
    return database.with_name(database.name + ".wal")


def build_path(published: Path) -> Path:
    """The build file of `published`: hidden, in the same directory (ogi.duckdb ->
    .ogi.build.duckdb)."""
    return published.with_name(f"{BUILD_PREFIX}{published.stem}{BUILD_SUFFIX}{published.suffix}")


def discard(build: Path) -> None:
    """Remove a build file and its write-ahead log."""
    for path in (build, wal_path(build)):
        path.unlink(missing_ok=True)


def prepare_build(published: Path) -> Path:
    """A fresh build file: a copy of the published file when there is one (any leftover of an
    interrupted build is removed first)."""
    build = build_path(published)
    build.parent.mkdir(parents=True, exist_ok=True)
    discard(build)
    if published.exists():
        shutil.copyfile(published, build)
        if wal_path(published).exists():
            shutil.copyfile(wal_path(published), wal_path(build))
    return build


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not supported on this platform
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(build: Path, published: Path) -> Path:
    """Replace `published` by `build` in one rename; returns the published path."""
    if not build.exists():
        raise FileNotFoundError(f"no build file at {build}")
    if wal_path(build).exists():
        raise RuntimeError(f"{build} still has a write-ahead log: the build did not close it")
    with open(build, "rb+") as fh:
        os.fsync(fh.fileno())
    # A log left beside the published file by a writer killed before builds were published
    # would be replayed onto the new file: it belongs to the old one.
    wal_path(published).unlink(missing_ok=True)
    os.replace(build, published)
    _fsync_directory(published.parent)
    return published
