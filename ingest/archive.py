"""The raw archive: every report's bytes, kept exactly as read, addressed by their sha256.

Layout: `<raw_dir>/<sha[:2]>/<sha>`. A file is written once (to a temporary name, then linked
into place) and never overwritten, so the archive only grows and the same bytes always land at
the same path. Parsing reads from the archive, so a report can be re-parsed by a newer parser
without reading its source again, and a report that fails to parse keeps its bytes for study.

Only local files are read here. A remote URL yields a structured failure ("fetch not
available"), never an exception: one unreadable report never stops a run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.catalog import CatalogEntry


@dataclass(frozen=True)
class ArchivedReport:
    """A catalog entry after reading: where its bytes are archived, or why none could be read."""

    entry: CatalogEntry
    sha256: str | None = None
    raw_path: str | None = None
    bytes: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def fetch_status(self) -> str:
        return "ok" if self.ok else "error"


class FetchError(Exception):
    """A report's bytes could not be obtained."""


def read_source(entry: CatalogEntry) -> bytes:
    """The bytes of a local entry. Raises FetchError with a readable message otherwise."""
    if not entry.is_local:
        raise FetchError(f"fetch not available: remote sources are not read ({entry.location})")
    try:
        return Path(entry.location).read_bytes()
    except FileNotFoundError:
        raise FetchError(f"file not found: {entry.location}") from None
    except IsADirectoryError:
        raise FetchError(f"is a directory, not a report file: {entry.location}") from None
    except OSError as exc:
        raise FetchError(f"cannot read {entry.location}: {exc.strerror or exc}") from None


def raw_path_for(sha256: str, raw_dir: Path) -> Path:
    return raw_dir / sha256[:2] / sha256


def store_raw(data: bytes, raw_dir: Path) -> tuple[str, Path]:
    """Archive `data`; returns (sha256, path). An existing file is never rewritten."""
    sha = hashlib.sha256(data).hexdigest()
    dest = raw_path_for(sha, raw_dir)
    if dest.exists():
        return sha, dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{sha[:8]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            os.link(tmp, dest)  # fails rather than overwrites if another writer got there first
        except FileExistsError:
            pass
        except OSError:  # file systems without hard links
            if not dest.exists():
                os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return sha, dest


def archive_entry(entry: CatalogEntry, raw_dir: Path) -> ArchivedReport:
    """Read one entry and archive its bytes; failures are returned, not raised."""
    try:
        data = read_source(entry)
    except FetchError as exc:
        return ArchivedReport(entry, error=str(exc))
    try:
        sha, path = store_raw(data, raw_dir)
    except OSError as exc:
        sha = hashlib.sha256(data).hexdigest()
        return ArchivedReport(entry, sha256=sha, bytes=len(data), error=f"cannot archive: {exc}")
    return ArchivedReport(entry, sha256=sha, raw_path=str(path), bytes=len(data))


def archive_entries(entries: Iterable[CatalogEntry], raw_dir: Path) -> list[ArchivedReport]:
    return [archive_entry(e, raw_dir) for e in entries]
