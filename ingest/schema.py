"""Explicit Arrow schemas of the Parquet tables that ingest writes and dbt reads.

Parquet layout (one directory, `OGI_PARQUET_DIR`, default warehouse/parquet):
  reports.parquet  one row per report (per catalog entry)
  cells.parquet    one row per parsed value: report x section x row code x column code
  checks.parquet   one row per identity evaluated by the parser
  issues.parquet   one row per parse issue
  codes.parquet    the canonical code list (ingest/data/codes.csv)
  fetch_log.parquet  one row per source read (report, listing page, attachment), every run
                     appended: the history of what each URL answered
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import pyarrow as pa

PARSER_VERSION = "0.1.0"


@cache
def parser_digest() -> str:
    """A digest of the code and code list that turn bytes into rows (the `ingest` package):
    a report whose bytes are unchanged is parsed again only when this changes."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted([*package.glob("*.py"), package / "data" / "codes.csv"]):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


REPORTS = pa.schema(
    [
        pa.field("report_id", pa.string(), nullable=False),
        # path or URL as given in the catalog (credentials masked), or as found on a page
        pa.field("source", pa.string(), nullable=False),
        pa.field("linked_from", pa.string()),  # listing page or article it was found on
        pa.field("final_url", pa.string()),  # after redirects (the absolute path of a file)
        pa.field("http_status", pa.int32()),  # of the last answer; null for local files
        pa.field("sha256", pa.string()),  # of the raw bytes; null when nothing could be read
        pa.field("raw_path", pa.string()),  # content-addressed copy under warehouse/raw
        pa.field("bytes", pa.int64()),
        pa.field("title", pa.string()),
        pa.field("agency", pa.string()),  # as parsed from the report
        pa.field("year", pa.int32()),  # reporting year, as parsed from the report
        pa.field("catalog_agency", pa.string()),
        pa.field("catalog_region_code", pa.string()),
        pa.field("catalog_level", pa.string()),
        pa.field("catalog_year", pa.int32()),
        pa.field("template_proactive", pa.string()),  # "2019" | "2021" | null
        pa.field("template_applications", pa.string()),  # "2019" | "2021" | null
        pa.field("status", pa.string(), nullable=False),
        pa.field("fetch_status", pa.string(), nullable=False),  # ok | error
        # why the bytes could not be read: not_found, http_404, timeout, connect, truncated,
        # too_large, redirect_loop, refused_host, no_reports_found (a listing) ...
        pa.field("fetch_error", pa.string()),
        pa.field("fetched_at", pa.timestamp("us", tz="UTC")),
        pa.field("error", pa.string()),  # fetch or parse error message
        pa.field("n_cells", pa.int32()),
        pa.field("n_issues", pa.int32()),
        pa.field("n_checks_failed", pa.int32()),
        # identity checks involving a cell the parser could not decide: neither held nor failed
        pa.field("n_checks_undecided", pa.int32()),
        pa.field("parser_version", pa.string(), nullable=False),
        # digest of the parser's code: a report is parsed again when it or the bytes change
        pa.field("parser_digest", pa.string()),
        pa.field("parsed_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)

CELLS = pa.schema(
    [
        pa.field("report_id", pa.string(), nullable=False),
        # applications | reviews | proactive | narrative
        pa.field("section", pa.string(), nullable=False),
        pa.field("row_code", pa.string(), nullable=False),
        # applicant code (applications), outcome (reviews), measure (proactive), 'value' (narrative)
        pa.field("col_code", pa.string(), nullable=False),
        pa.field("value", pa.float64()),  # null = blank in the source, unless undecided
        # the cell text as printed; of a glued run (digit_split, not_read): the row's whole run
        pa.field("raw", pa.string()),
        # html_table | text_grid | digit_split | narrative | not_read (a row left out)
        pa.field("method", pa.string(), nullable=False),
        # the value is printed but the parser could not decide it (null, not a blank)
        pa.field("undecided", pa.bool_(), nullable=False),
        # why (ingest.undecided): ambiguous_split, digit_split_failed, row_ambiguous ...
        pa.field("undecided_by", pa.string()),
    ]
)

CHECKS = pa.schema(
    [
        pa.field("report_id", pa.string(), nullable=False),
        # ledger | dispositions | applicants | outcomes | narrative
        pa.field("identity", pa.string(), nullable=False),
        pa.field("at", pa.string(), nullable=False),  # column, row or group code
        pa.field("lhs", pa.float64()),
        pa.field("rhs", pa.float64()),
        pa.field("difference", pa.float64()),
        pa.field("holds", pa.bool_()),  # null = cannot be decided (see reading)
        # printed | blank_as_zero | blank_unknown (a blank total) | undecided (a term the
        # parser could not decide)
        pa.field("reading", pa.string(), nullable=False),
        pa.field("soft", pa.bool_(), nullable=False),
        # the undecided terms as row.col, sorted; null when none
        pa.field("undecided", pa.list_(pa.string())),
    ]
)

ISSUES = pa.schema(
    [
        pa.field("report_id", pa.string(), nullable=False),
        pa.field("severity", pa.string(), nullable=False),  # error | warning | info
        pa.field("code", pa.string(), nullable=False),
        pa.field("message", pa.string(), nullable=False),
    ]
)

CODES = pa.schema(
    [
        pa.field("section", pa.string(), nullable=False),
        pa.field("group", pa.string()),
        pa.field("code", pa.string(), nullable=False),
        pa.field("label_zh", pa.string(), nullable=False),
        pa.field("label_en", pa.string(), nullable=False),
        pa.field("template", pa.string(), nullable=False),
        pa.field("ordinal", pa.int32(), nullable=False),
    ]
)

# Not one of TABLES: it is appended to by every run, never replaced per report.
FETCH_LOG = pa.schema(
    [
        pa.field("batch_id", pa.string(), nullable=False),  # one per run
        pa.field("fetched_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("kind", pa.string(), nullable=False),  # report | listing | attachment
        pa.field("report_id", pa.string()),  # the report, or the catalog row of a listing
        pa.field("url", pa.string(), nullable=False),  # as requested (credentials masked)
        pa.field("final_url", pa.string()),  # after redirects
        pa.field("linked_from", pa.string()),  # the listing page or article linking it
        pa.field("http_status", pa.int32()),
        pa.field("outcome", pa.string(), nullable=False),  # ok | not_modified | error
        pa.field("conditional", pa.bool_(), nullable=False),  # If-None-Match/-Modified-Since sent
        pa.field("content_type", pa.string()),
        pa.field("etag", pa.string()),
        pa.field("last_modified", pa.string()),
        pa.field("bytes", pa.int64()),
        pa.field("sha256", pa.string()),
        pa.field("elapsed_s", pa.float64()),
        pa.field("attempts", pa.int32(), nullable=False),
        pa.field("error_class", pa.string()),
        pa.field("error_message", pa.string()),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "reports": REPORTS,
    "cells": CELLS,
    "checks": CHECKS,
    "issues": ISSUES,
    "codes": CODES,
}
