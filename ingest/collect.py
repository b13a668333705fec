"""From catalog entries to archived reports: local reads, fetching, discovery, attachments.

`collect` runs one batch:

1. Listing rows (kind=listing) are read page by page (`ingest.discover`): pagination is
   followed, report links are picked by their title, sub-columns are followed up to
   `Limits.max_depth` hops, and at most `Limits.max_pages` pages are read per listing row. A
   report found becomes an entry with the listing row's agency, region code and level, the
   year of its title, and `linked_from` the page that lists it. A listing whose first page
   cannot be read, or that lists no report, becomes an error row of its own.
2. Every report entry, from the catalog or found on a listing, is read once: a local file
   from disk, a URL through `ingest.fetch.Fetcher`, into the raw archive. A local file that is
   as the last run read it (`ingest.local_files`: same stat, archived copy present) is not
   read again: its archived copy is what reading it would give.
3. An HTML article without statistics tables (its parse status is neither complete nor
   partial) that links PDF / DOC(X) files gets those fetched too, as reports of their own
   (the article's catalog metadata, `linked_from` the article): both are recorded. When the
   article's bytes are those of the last run, the status of that run is used, not parsed
   again.

Every read of any kind is a row of the fetch log (`ingest.fetch_log`), appended at the end;
nothing is raised for a fault of a source, so one dead link never stops the batch.

`ogi fetch [CATALOG]` (`main`) runs a batch without parsing, with a progress bar, and prints
a JSON summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import zip_longest
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from ingest import paths
from ingest.archive import (
    ERROR,
    NOT_MODIFIED,
    ArchivedReport,
    Retrieval,
    failed,
    local_retrieval,
    now_utc,
    read_into_archive,
)
from ingest.catalog import CatalogEntry, read_catalog
from ingest.discover import ReportLink, attachment_links, may_link_documents, read_listing
from ingest.documents import detect
from ingest.faults import crash_point
from ingest.fetch import Fetcher, FetchPolicy, Known
from ingest.fetch_log import append_log, known_validators, log_builder, log_row, read_log
from ingest.local_files import LocalFiles, Stat, file_stat
from ingest.narrative import title_info
from ingest.normalize import decode, same_name
from ingest.parse import parse_document
from ingest.store import Row, previous_reports

ATTACHMENT = "attachment"
WITH_STATISTICS = frozenset({"complete", "partial"})
MAX_ARTICLE_BYTES = 8 * 1024 * 1024  # larger "articles" are not read for attachment links
MAX_FAILURES_SHOWN = 50
LOCAL_CHUNK = 64  # local files read per thread hop
LOCAL_THREADS = 2  # threads reading local files

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """Bounds of discovery, per listing row of the catalog."""

    max_pages: int = 50  # listing pages read
    max_depth: int = 2  # hops from the listing into sub-columns


class Progress(Protocol):
    """Told of the work as it is found (`queued`) and done (`done`): a progress bar."""

    def queued(self, n: int) -> None: ...

    def done(self, got: Retrieval) -> None: ...


@dataclass
class Collected:
    """The archived reports of a batch, the listing rows that read well, and counts."""

    reports: list[ArchivedReport]
    retired: tuple[str, ...]  # report_ids of listing rows that listed reports (no row of theirs)
    batch_id: str
    log_path: str | None = None
    log_rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)  # by error class, all reads

    @property
    def failed(self) -> list[ArchivedReport]:
        return [a for a in self.reports if not a.ok]

    def summary(self) -> dict:
        return {**self.counts, "failures": dict(self.failures), "fetch_log": self.log_path}


async def _pool(items: Sequence[T], work: Callable[[T], Awaitable[None]], workers: int) -> None:
    """`work` on every item, `workers` at a time (the items are not all turned into tasks)."""
    it = iter(items)

    async def worker() -> None:
        for item in it:
            await work(item)

    await asyncio.gather(*(worker() for _ in range(max(1, min(workers, len(items))))))


def by_turns(entries: Sequence[CatalogEntry]) -> list[CatalogEntry]:
    """The entries with the hosts taking turns (a, b, c, a, b, c …), each host's in order, so
    that the workers spread over the sites instead of queueing for one site's slots."""
    hosts: dict[str, list[CatalogEntry]] = {}
    for e in entries:
        hosts.setdefault("" if e.is_local else urlsplit(e.location).netloc.lower(), []).append(e)
    turns = zip_longest(*hosts.values())
    return [e for turn in turns for e in turn if e is not None]


class _Batch:
    def __init__(
        self,
        fetcher: Fetcher,
        raw_dir: Path,
        previous: dict[str, Row],
        limits: Limits,
        progress: Progress | None,
        local: LocalFiles,
    ) -> None:
        self.fetcher = fetcher
        self.raw_dir = raw_dir
        self.local = local
        self.previous = previous
        self.limits = limits
        self.progress = progress
        self.batch_id = uuid.uuid4().hex[:16]
        self.log = log_builder()
        self.reports: list[ArchivedReport] = []
        self.retired: list[str] = []
        self.seen: set[str] = set()  # locations of the report entries of this batch
        self.counts: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()

    def _queued(self, n: int) -> None:
        if self.progress is not None and n:
            self.progress.queued(n)

    def _record(self, kind: str, got: Retrieval, report_id: str, linked_from: str | None) -> None:
        self.log.extend([log_row(self.batch_id, kind, got, report_id, linked_from)])
        if got.outcome == ERROR:
            self.failures[got.error_class or "error"] += 1
        elif got.outcome == NOT_MODIFIED:
            self.counts["not_modified"] += 1
        elif got.bytes:
            self.counts["bytes_fetched"] += got.bytes
        if self.progress is not None:
            self.progress.done(got)

    async def run(self, entries: Sequence[CatalogEntry]) -> None:
        listings = [e for e in entries if e.is_listing]
        plain = [e for e in entries if not e.is_listing]
        self.seen.update(e.location for e in plain)
        self._queued(len(entries))
        found: list[CatalogEntry] = []
        workers = self.fetcher.policy.concurrency
        local = [e for e in plain if e.is_local]
        remote = [e for e in plain if not e.is_local]
        chunks = [local[i : i + LOCAL_CHUNK] for i in range(0, len(local), LOCAL_CHUNK)]
        await asyncio.gather(
            _pool(chunks, self._local_chunk, LOCAL_THREADS),
            self._remote(listings, remote, found, workers),
        )

    async def _remote(
        self,
        listings: Sequence[CatalogEntry],
        plain: Sequence[CatalogEntry],
        found: list[CatalogEntry],
        workers: int,
    ) -> None:
        await _pool(listings, lambda e: self._listing(e, found), workers)
        self.counts["discovered"] = len(found)
        self._queued(len(found))
        await _pool(by_turns([*plain, *found]), self._report, workers)

    async def _local_chunk(self, chunk: Sequence[CatalogEntry]) -> None:
        """Local files read a chunk per thread hop: one hop per file costs more than reading
        a typical report."""
        got = await asyncio.to_thread(_read_local_chunk, chunk, self.raw_dir, self.local)
        for entry, (stat, retrieval) in zip(chunk, got, strict=True):
            await self._report(entry, self._noted(entry, stat, retrieval))

    async def _read(self, entry: CatalogEntry, url: str | None = None) -> Retrieval:
        """The entry (or a page of it) read into the archive; never raises."""
        try:
            if entry.is_local:
                return await self._read_local(entry)
            return await self.fetcher.fetch(url or entry.location)
        except Exception as exc:  # noqa: BLE001 - a fault of this code must not stop the batch
            return failed(url or entry.source, "internal", f"{type(exc).__name__}: {exc}")

    async def _read_local(self, entry: CatalogEntry) -> Retrieval:
        """A local file's archived copy when the file is as the last read left it, else the
        file read and archived (on a thread: hashing and file I/O release the GIL)."""
        stat, got = await asyncio.to_thread(_read_local_file, entry, self.raw_dir, self.local)
        return self._noted(entry, stat, got)

    def _noted(self, entry: CatalogEntry, stat: Stat | None, got: Retrieval) -> Retrieval:
        """`got`, once the stat of a local file read whole is noted (`ingest.local_files`)."""
        if stat is not None and got.ok and got.sha256:
            self.local.record(entry.location, stat, got.sha256)
        return got

    async def _report(self, entry: CatalogEntry, got: Retrieval | None = None) -> None:
        if got is None:
            got = await self._read(entry)
        kind = ATTACHMENT if entry.kind == ATTACHMENT else "report"
        self._record(kind, got, entry.report_id, entry.linked_from)
        crash_point("fetch")
        self.reports.append(ArchivedReport(entry, got))
        if entry.is_local or not got.ok or kind == ATTACHMENT:
            return
        try:
            links = await self._attachments(entry, got)
        except Exception:  # noqa: BLE001 - the article is recorded; its links are a bonus
            self.failures["attachment_links"] += 1
            return
        for url in links:
            if url in self.seen:
                continue
            self.seen.add(url)
            self._queued(1)
            self.counts["attachments"] += 1
            await self._report(
                replace(entry, source=url, location=url, kind=ATTACHMENT, linked_from=entry.source)
            )

    async def _attachments(self, entry: CatalogEntry, got: Retrieval) -> list[str]:
        """The documents an article without statistics tables links."""
        if got.raw_path is None or (got.bytes or 0) > MAX_ARTICLE_BYTES:
            return []
        data = Path(got.raw_path).read_bytes()
        if detect(data) != "markup" or not may_link_documents(data):
            return []
        status = self._previous_status(entry, got.sha256)
        if status is None:
            result = await asyncio.to_thread(parse_document, data, entry.source, got.charset)
            status = result["status"]
        if status in WITH_STATISTICS:
            return []
        text, _encoding = decode(data, got.charset)
        return attachment_links(text, got.final_url or entry.location)

    def _previous_status(self, entry: CatalogEntry, sha256: str | None) -> str | None:
        row = self.previous.get(entry.report_id)
        if row is None or sha256 is None or row.get("sha256") != sha256:
            return None
        return None if row.get("status") == "error" else row.get("status")

    async def _listing(self, entry: CatalogEntry, found: list[CatalogEntry]) -> None:
        frontier: deque[tuple[str, int]] = deque([(entry.location, 0)])
        visited: set[str] = set()
        first: Retrieval | None = None
        listed = 0
        while frontier and len(visited) < self.limits.max_pages:
            url, depth = frontier.popleft()
            if url in visited:
                continue
            if visited:
                self._queued(1)
            visited.add(url)
            got = await self._read(entry, url)
            linked_from = None if url == entry.location else entry.source
            self._record("listing", got, entry.report_id, linked_from)
            first = first or got
            if not got.ok or got.raw_path is None:
                continue
            try:
                text, _encoding = decode(Path(got.raw_path).read_bytes(), got.charset)
                page = read_listing(text, got.final_url or url)
            except Exception:  # noqa: BLE001 - an unreadable page lists nothing
                self.failures["listing_unreadable"] += 1
                continue
            for link in page.reports:
                if entry.year is not None and link.year not in (None, entry.year):
                    continue
                listed += 1
                if link.url in self.seen:
                    continue
                self.seen.add(link.url)
                found.append(_listed(entry, link, url))
            frontier.extend((u, depth) for u in page.next_pages if u not in visited)
            if depth < self.limits.max_depth:
                frontier.extend((u, depth + 1) for u in page.sections if u not in visited)
        self.counts["listing_pages"] += len(visited)
        assert first is not None
        if not first.ok:
            self.reports.append(ArchivedReport(entry, first))
        elif listed == 0:
            message = f"no annual-report links on {len(visited)} listing page(s)"
            none = replace(first, outcome=ERROR, error_class="no_reports_found", error=message)
            self.failures["no_reports_found"] += 1
            self.reports.append(ArchivedReport(entry, none))
        else:
            self.retired.append(entry.report_id)


def _read_local_file(
    entry: CatalogEntry, raw_dir: Path, local: LocalFiles
) -> tuple[Stat | None, Retrieval]:
    """(None, the archived copy) when the file is as the last read left it; else the stat of
    the file taken before it is read, and what reading it gave. Never raises."""
    try:
        unchanged = local.unchanged(entry.location, raw_dir)
        if unchanged is not None:
            sha, size, archived = unchanged
            return None, local_retrieval(entry, sha, size, archived, now_utc(), NOT_MODIFIED)
        try:
            stat = file_stat(os.stat(entry.location))
        except OSError:
            stat = None
        return stat, read_into_archive(entry, raw_dir)
    except Exception as exc:  # noqa: BLE001 - a fault of this code must not stop the batch
        return None, failed(entry.source, "internal", f"{type(exc).__name__}: {exc}")


def _read_local_chunk(
    chunk: Sequence[CatalogEntry], raw_dir: Path, local: LocalFiles
) -> list[tuple[Stat | None, Retrieval]]:
    return [_read_local_file(entry, raw_dir, local) for entry in chunk]


def _listed(listing: CatalogEntry, link: ReportLink, page: str) -> CatalogEntry:
    """The entry of a report found on a listing page. It takes the listing row's agency, region
    code and level, unless its title names another agency (a government's column often lists
    its departments' reports): then the agency is the title's, the level unknown."""
    named, _year, _title = title_info([], link.title)
    other = (
        named is not None and listing.agency is not None and not same_name(named, listing.agency)
    )
    return replace(
        listing,
        source=link.url,
        location=link.url,
        kind=None,
        agency=named if other else listing.agency,
        level=None if other else listing.level,
        year=link.year or listing.year,
        linked_from=page,
    )


def collect(
    entries: Iterable[CatalogEntry],
    raw_dir: Path,
    parquet_dir: Path,
    policy: FetchPolicy | None = None,
    *,
    limits: Limits | None = None,
    progress: Progress | None = None,
    previous: dict[str, Row] | None = None,
) -> Collected:
    """Read every entry into the raw archive (see the module docstring) and append the fetch
    log under `parquet_dir`. Conditional requests use the validators of the log so far.
    `previous`: the reports rows of earlier runs, when the caller has read them already."""
    entries = list(entries)
    known = known_validators(read_log(parquet_dir)) if any(not e.is_local for e in entries) else {}
    previous = previous_reports(parquet_dir) if previous is None else previous
    local = LocalFiles.read(parquet_dir)
    batch = asyncio.run(
        _collect(
            entries,
            raw_dir,
            policy or FetchPolicy.from_env(),
            known,
            previous,
            limits,
            progress,
            local,
        )
    )
    # catalog order; what a row led to (found on a listing, attached to an article) after it
    reports = sorted(
        batch.reports,
        key=lambda a: (a.entry.line, a.entry.linked_from is not None, a.entry.source),
    )
    log = batch.log.to_table()
    log_path, log_rows = append_log(log, parquet_dir)
    local.write(parquet_dir)
    counts = {
        "reports": len(reports),
        "archived": sum(a.ok for a in reports),
        "fetch_errors": sum(not a.ok for a in reports),
        **batch.counts,
    }
    return Collected(
        reports,
        tuple(batch.retired),
        batch.batch_id,
        str(log_path),
        log_rows,
        counts,
        dict(batch.failures.most_common()),
    )


async def _collect(
    entries: list[CatalogEntry],
    raw_dir: Path,
    policy: FetchPolicy,
    known: dict[str, Known],
    previous: dict[str, Row],
    limits: Limits | None,
    progress: Progress | None,
    local: LocalFiles,
) -> _Batch:
    async with Fetcher(raw_dir, policy, known) as fetcher:
        batch = _Batch(fetcher, raw_dir, previous, limits or Limits(), progress, local)
        await batch.run(entries)
    return batch


def main(argv: Sequence[str] | None = None) -> int:
    from ingest.progress import BarProgress

    ap = argparse.ArgumentParser(
        prog="ogi fetch",
        description="Fetch a catalog's reports into the raw archive and the fetch log (no "
        "parsing); print a JSON summary. Limits: the OGI_FETCH_* variables.",
    )
    ap.add_argument("catalog", nargs="?", help="catalog CSV (default: $OGI_CATALOG or the sample)")
    ap.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw a progress bar (default: when stderr is a terminal)",
    )
    ap.add_argument(
        "--lift-host-limits",
        action="store_true",
        help="no per-host limit or delay (for a server of your own)",
    )
    args = ap.parse_args(argv)
    catalog = Path(args.catalog) if args.catalog else paths.catalog_path()
    if not catalog.is_file():
        ap.error(f"no catalog file at {catalog}")
    try:
        policy = FetchPolicy.from_env()
    except ValueError as exc:
        ap.error(str(exc))
    if args.lift_host_limits:
        policy = policy.lifted()
    reading = read_catalog(catalog)
    with BarProgress(args.progress) as bar:
        collected = collect(
            reading.entries, paths.raw_dir(), paths.parquet_dir(), policy, progress=bar
        )
    summary = {
        "catalog": reading.path,
        "catalog_problems": [p.as_dict() for p in reading.problems],
        **collected.summary(),
    }
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
