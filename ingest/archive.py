"""The raw archive: every report's bytes, kept exactly as read, addressed by their sha256.

Layout: `<raw_dir>/<sha[:2]>/<sha>`. A file is written once (streamed to a temporary name,
then linked into place) and never overwritten, so the archive only grows and the same bytes
always land at the same path. Parsing reads from the archive, so a report can be re-parsed by a
newer parser without reading its source again, and a report that fails to parse keeps its
bytes for study.

`Retrieval` records what reading one source gave: the archived bytes, or why there are none
(an error class and a message), plus what the web server said when it was fetched
(`ingest.fetch`). Local files are read here; failures are returned, never raised: one
unreadable report never stops a run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest.catalog import CatalogEntry

OK, NOT_MODIFIED, ERROR = "ok", "not_modified", "error"


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Retrieval:
    """The outcome of reading one source (a local file or a URL).

    `outcome` is ok, not_modified (the server answered 304, or a local file is as it was when
    last read: the archived copy is current) or error. On error, `error_class` is a short code (not_found, http_404, timeout, connect,
    truncated, too_large, redirect_loop, refused_scheme, refused_host, ...) and `error` a
    message without credentials.
    """

    url: str  # as requested (credentials masked)
    outcome: str = OK
    sha256: str | None = None
    raw_path: str | None = None
    bytes: int | None = None
    error_class: str | None = None
    error: str | None = None
    final_url: str | None = None  # after redirects
    http_status: int | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    elapsed: float = 0.0
    attempts: int = 1
    conditional: bool = False  # sent If-None-Match / If-Modified-Since
    fetched_at: datetime = field(default_factory=now_utc)

    @property
    def ok(self) -> bool:
        return self.outcome != ERROR

    @property
    def charset(self) -> str | None:
        """The charset parameter of the Content-Type header, if any."""
        for param in (self.content_type or "").split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset" and value.strip(" \"'"):
                return value.strip(" \"'")
        return None


def failed(url: str, error_class: str, message: str, **fields) -> Retrieval:
    return Retrieval(url, ERROR, error_class=error_class, error=message, **fields)


@dataclass(frozen=True, slots=True)
class ArchivedReport:
    """A catalog entry after reading: where its bytes are archived, or why none could be read."""

    entry: CatalogEntry
    retrieval: Retrieval

    @property
    def ok(self) -> bool:
        return self.retrieval.ok

    @property
    def sha256(self) -> str | None:
        return self.retrieval.sha256

    @property
    def raw_path(self) -> str | None:
        return self.retrieval.raw_path

    @property
    def bytes(self) -> int | None:
        return self.retrieval.bytes

    @property
    def error(self) -> str | None:
        return self.retrieval.error

    @property
    def fetch_status(self) -> str:
        return "ok" if self.ok else "error"


class FetchError(Exception):
    """A report's bytes could not be obtained; `error_class` says how."""

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class


def read_local(path: str) -> bytes:
    """The bytes of a local file. Raises FetchError with a readable message otherwise."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise FetchError("not_found", f"file not found: {path}") from None
    except IsADirectoryError:
        raise FetchError("unreadable", f"is a directory, not a report file: {path}") from None
    except OSError as exc:
        raise FetchError("unreadable", f"cannot read {path}: {exc.strerror or exc}") from None


def raw_path_for(sha256: str, raw_dir: Path) -> Path:
    return raw_dir / sha256[:2] / sha256


# Directories of archives known to exist: one mkdir per directory and process, not per file.
_DIRS: set[Path] = set()


def _ensure_dir(path: Path) -> None:
    if path not in _DIRS:
        path.mkdir(parents=True, exist_ok=True)
        _DIRS.add(path)


class RawWriter:
    """Streams one body into the archive while computing its sha256. Up to `HELD` bytes stay
    in memory; a larger body spills into a temporary file in the archive, so memory holds at
    most `HELD` bytes per body however large it is. `commit` links the bytes into place,
    writing nothing when they are already archived; `discard` drops them."""

    HELD = 1024 * 1024

    def __init__(self, raw_dir: Path) -> None:
        self.raw_dir = raw_dir
        self._hash = hashlib.sha256()
        self._held: list[bytes] = []
        self._held_size = 0
        self._fh = None
        self._tmp: str | None = None
        self.size = 0

    def write(self, chunk: bytes) -> None:
        if not chunk:
            return
        self._hash.update(chunk)
        self.size += len(chunk)
        if self._fh is not None:
            self._fh.write(chunk)
            return
        self._held.append(chunk)
        self._held_size += len(chunk)
        if self._held_size > self.HELD:
            self._spill()

    def _spill(self) -> None:
        _ensure_dir(self.raw_dir)
        fd, self._tmp = tempfile.mkstemp(dir=self.raw_dir, prefix=".", suffix=".tmp")
        self._fh = os.fdopen(fd, "wb")
        self._fh.writelines(self._held)
        self._held, self._held_size = [], 0

    def commit(self) -> tuple[str, Path]:
        """(sha256, archived path). An existing file is never rewritten."""
        sha = self._hash.hexdigest()
        dest = raw_path_for(sha, self.raw_dir)
        try:
            if not dest.exists():
                if self._fh is None:
                    self._spill()
                assert self._fh is not None and self._tmp is not None
                self._fh.close()
                _ensure_dir(dest.parent)
                try:
                    self._link(dest)
                except FileNotFoundError:  # the directory went away since it was made
                    _DIRS.discard(dest.parent)
                    _ensure_dir(dest.parent)
                    self._link(dest)
        finally:
            self.discard()
        return sha, dest

    def _link(self, dest: Path) -> None:
        assert self._tmp is not None
        try:
            os.link(self._tmp, dest)  # fails rather than overwrites a concurrent writer's file
        except FileExistsError:
            pass
        except FileNotFoundError:
            raise  # the directory is gone: the caller makes it again
        except OSError:  # file systems without hard links
            if not dest.exists():
                os.replace(self._tmp, dest)

    def discard(self) -> None:
        self._held, self._held_size = [], 0
        if self._fh is not None:
            self._fh.close()
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except FileNotFoundError:
                pass
            self._tmp = None

    def __enter__(self) -> RawWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()


def store_raw(data: bytes, raw_dir: Path) -> tuple[str, Path]:
    """Archive `data`; returns (sha256, path). An existing file is never rewritten."""
    with RawWriter(raw_dir) as writer:
        writer.write(data)
        return writer.commit()


def read_into_archive(entry: CatalogEntry, raw_dir: Path) -> Retrieval:
    """Read one local entry and archive its bytes; failures are returned, not raised."""
    started = now_utc()
    try:
        data = read_local(entry.location)
    except FetchError as exc:
        return failed(entry.source, exc.error_class, str(exc), fetched_at=started)
    try:
        sha, path = store_raw(data, raw_dir)
    except OSError as exc:
        sha = hashlib.sha256(data).hexdigest()
        return failed(
            entry.source,
            "archive",
            f"cannot archive: {exc}",
            sha256=sha,
            bytes=len(data),
            fetched_at=started,
        )
    return local_retrieval(entry, sha, len(data), path, started)


def local_retrieval(
    entry: CatalogEntry,
    sha256: str,
    size: int,
    raw_path: str | Path,
    started: datetime,
    outcome: str = OK,
) -> Retrieval:
    """What reading the local entry gave: its `size` bytes, archived at `raw_path`."""
    return Retrieval(
        entry.source,
        outcome,
        sha256=sha256,
        raw_path=str(raw_path),
        bytes=size,
        final_url=entry.location,
        elapsed=(now_utc() - started).total_seconds(),
        fetched_at=started,
    )


def archive_entry(entry: CatalogEntry, raw_dir: Path) -> ArchivedReport:
    """Read one local entry and archive its bytes (remote entries go through ingest.collect)."""
    if not entry.is_local:
        return ArchivedReport(
            entry, failed(entry.source, "remote", "a remote source is fetched by ingest.collect")
        )
    return ArchivedReport(entry, read_into_archive(entry, raw_dir))
