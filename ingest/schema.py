"""Explicit Arrow schemas of the Parquet tables that ingest writes and dbt reads.

Parquet layout (one directory, `OGI_PARQUET_DIR`, default warehouse/parquet):
  reports.parquet  one row per report (per catalog entry)
  cells.parquet    one row per parsed value: report x section x row code x column code
  checks.parquet   one row per identity evaluated by the parser
  issues.parquet   one row per parse issue
  codes.parquet    the canonical code list (ingest/data/codes.csv)
"""

from __future__ import annotations

import pyarrow as pa

PARSER_VERSION = "0.1.0"

REPORTS = pa.schema(
    [
        pa.field("report_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),  # path or URL as given in the catalog
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
        pa.field("error", pa.string()),  # fetch or parse error message
        pa.field("n_cells", pa.int32()),
        pa.field("n_issues", pa.int32()),
        pa.field("n_checks_failed", pa.int32()),
        pa.field("parser_version", pa.string(), nullable=False),
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
        pa.field("value", pa.float64()),  # null = blank in the source
        pa.field("raw", pa.string()),  # the cell text as printed
        # html_table | text_grid | digit_split | narrative
        pa.field("method", pa.string(), nullable=False),
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
        pa.field("holds", pa.bool_()),  # null = cannot be decided (blank total)
        # printed | blank_as_zero | blank_unknown
        pa.field("reading", pa.string(), nullable=False),
        pa.field("soft", pa.bool_(), nullable=False),
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

TABLES: dict[str, pa.Schema] = {
    "reports": REPORTS,
    "cells": CELLS,
    "checks": CHECKS,
    "issues": ISSUES,
    "codes": CODES,
}
