"""The fetch log: one Parquet row per source read, appended by every run (`fetch_log.parquet`).

It is the history of what each URL answered: status, the headers that matter (content type,
ETag, Last-Modified), size, sha256, time, attempts, and the error class and message when it
failed. A later run reads it for the validators of its conditional requests (`known`).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ingest.archive import ERROR, Retrieval
from ingest.fetch import Known
from ingest.schema import FETCH_LOG
from ingest.store import Row, TableBuilder, read_parquet, write_parquet
from ingest.urls import redact

FILE_NAME = "fetch_log.parquet"
KINDS = ("report", "listing", "attachment")


def log_path(parquet_dir: Path) -> Path:
    return parquet_dir / FILE_NAME


def log_row(
    batch_id: str,
    kind: str,
    got: Retrieval,
    report_id: str | None = None,
    linked_from: str | None = None,
) -> Row:
    return {
        "batch_id": batch_id,
        "fetched_at": got.fetched_at,
        "kind": kind,
        "report_id": report_id,
        "url": got.url,
        "final_url": got.final_url,
        "linked_from": linked_from and redact(linked_from),
        "http_status": got.http_status,
        "outcome": got.outcome,
        "conditional": got.conditional,
        "content_type": got.content_type,
        "etag": got.etag,
        "last_modified": got.last_modified,
        "bytes": got.bytes,
        "sha256": got.sha256,
        "elapsed_s": round(got.elapsed, 6),
        "attempts": got.attempts,
        "error_class": got.error_class,
        "error_message": got.error,
    }


def log_builder() -> TableBuilder:
    """Collects a batch's rows, packed into Arrow every thousand rows (compact in memory)."""
    return TableBuilder(FETCH_LOG, batch_rows=1024)


def read_log(parquet_dir: Path) -> pa.Table | None:
    """The log so far (None when there is none or it cannot be read)."""
    table = read_parquet(log_path(parquet_dir))
    if table is None:
        return None
    try:
        return table.select(FETCH_LOG.names).cast(FETCH_LOG)
    except (KeyError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def append_log(batch: pa.Table, parquet_dir: Path) -> tuple[Path, int]:
    """Append a batch of rows; returns (path, rows in the log). An old log that cannot be read
    or has another layout is moved aside (fetch_log.<time>.parquet), never overwritten."""
    path = log_path(parquet_dir)
    previous = read_log(parquet_dir)
    if previous is None and path.exists():
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        os.replace(path, path.with_name(f"fetch_log.{stamp}.parquet"))
    full = batch if previous is None else pa.concat_tables([previous, batch.cast(FETCH_LOG)])
    write_parquet(full, path)
    return path, full.num_rows


def known_validators(log: pa.Table | None) -> dict[str, Known]:
    """For each URL, the last body the log saw archived, with its validators."""
    if log is None or log.num_rows == 0:
        return {}
    good = log.filter(pc.and_(pc.not_equal(log["outcome"], ERROR), pc.is_valid(log["sha256"])))
    good = good.sort_by("fetched_at")
    columns = good.select(
        ["url", "sha256", "bytes", "etag", "last_modified", "content_type"]
    ).to_pydict()
    known: dict[str, Known] = {}
    for url, sha, size, etag, modified, ctype in zip(*columns.values(), strict=True):
        known[url] = Known(sha, size, etag, modified, ctype)
    return known
