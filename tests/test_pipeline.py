"""Catalog, raw archive, Parquet store and the pipeline that chains them, on real files."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import HOSTILE_AGENCY, SAMPLE_DIR

from ingest import paths, pipeline
from ingest.archive import archive_entry, raw_path_for, store_raw
from ingest.catalog import (
    CatalogEntry,
    parse_catalog,
    read_catalog,
    report_id,
    resolve_location,
)
from ingest.codes import all_codes
from ingest.normalize import norm_label
from ingest.parse import parse_document
from ingest.pipeline import ingest_catalog, report_rows
from ingest.schema import TABLES
from ingest.store import REPORT_TABLES, RejectedResult, now_utc, read_table, result_rows
from ingest.values import read_cell

HEADER = "url,agency,region_code,level,year,kind\n"
REMOTE = "https://www.example.gov.cn/xxgk/ndbg/2023.html"


def entry_for(path: Path, source: str | None = None) -> CatalogEntry:
    return CatalogEntry(source=source or str(path), location=str(path), is_local=True, line=2)


# --- catalog ---------------------------------------------------------------------------------


def test_catalog_reads_good_rows_with_types(tmp_path: Path) -> None:
    text = HEADER + (
        "reports/a.html,甲市人民政府办公室,240100,city,2023,\n"
        "https://www.example.gov.cn/ndbg.html,乙县人民政府,240121,County,2021,aggregate\n"
        f"{tmp_path / 'abs.txt'},,,,,\n"
    )
    reading = parse_catalog(text, tmp_path)
    assert reading.problems == ()
    a, remote, absolute = reading.entries
    assert (a.source, a.agency, a.region_code, a.level, a.year) == (
        "reports/a.html",
        "甲市人民政府办公室",
        "240100",
        "city",
        2023,
    )
    assert a.is_local and a.location == str(tmp_path / "reports" / "a.html")
    assert a.line == 2
    assert not remote.is_local and remote.location == remote.source
    assert remote.level == "county" and remote.kind == "aggregate"
    assert absolute.location == str(tmp_path / "abs.txt")
    assert absolute.agency is None and absolute.year is None


def test_relative_paths_resolve_against_the_catalog_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = tmp_path / "lists" / "catalog.csv"
    catalog.parent.mkdir()
    catalog.write_text(HEADER + "../reports/a.html,,,,,\nfile:///srv/r/b.html,,,,,\n", "utf-8")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    a, b = read_catalog(catalog).entries
    assert a.location == str(tmp_path / "reports" / "a.html")
    assert a.source == "../reports/a.html"
    assert b.is_local and b.location == "/srv/r/b.html"


def test_locations_are_the_resolved_paths_through_symbolic_links(tmp_path: Path) -> None:
    """A catalog resolves each directory once and each file itself every time: a location is
    what Path.resolve gives, whether the directory, the file or neither is a link."""
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "sub" / "a.html").write_text("a")
    (real / "target.html").write_text("t")
    (tmp_path / "linked_dir").symlink_to(real, target_is_directory=True)
    (real / "sub" / "link.html").symlink_to(real / "target.html")
    sources = [
        "linked_dir/sub/a.html",
        "linked_dir/sub/../sub/a.html",
        "linked_dir/sub/link.html",
        "real/sub/link.html",
        "real/sub/missing.html",
        "linked_dir/sub/.",
        f"file://{tmp_path}/linked_dir/sub/link.html",
    ]
    directories: dict[str, str] = {}
    for source in sources:
        assert resolve_location(source, tmp_path, directories) == resolve_location(
            source, tmp_path
        ), source
    assert resolve_location(sources[0], tmp_path, directories)[0] == str(real / "sub" / "a.html")
    assert resolve_location(sources[2], tmp_path, directories)[0] == str(real / "target.html")
    assert str(real / "sub") in directories.values()


def test_malformed_rows_become_errors_and_the_rest_is_read(tmp_path: Path) -> None:
    text = HEADER + (
        ",甲局,240100,city,2023,\n"  # line 2: no url
        "b.html,乙局,24010,city,2023,\n"  # line 3: 5-digit region code
        "c.html,丙局,240100,village,2023,\n"  # line 4: unknown level
        "d.html,丁局,240100,city,20x3,\n"  # line 5: not a year
        "e.html,戊局,240100,city,1999,\n"  # line 6: before the regulations
        "f.html,己局,240100,city,2023,,surplus\n"  # line 7: too many fields
        "g.html,庚局,240100,city,2023,\n"  # line 8: good
        ",,,,,\n"  # blank row: ignored
    )
    reading = parse_catalog(text, tmp_path)
    assert [e.source for e in reading.entries] == ["g.html"]
    assert [(p.line, p.code) for p in reading.errors] == [
        (2, "missing_url"),
        (3, "bad_region_code"),
        (4, "bad_level"),
        (5, "bad_year"),
        (6, "bad_year"),
        (7, "too_many_fields"),
    ]
    assert reading.errors[1].source == "b.html" and "24010" in reading.errors[1].message


def test_missing_url_column_is_one_error(tmp_path: Path) -> None:
    reading = parse_catalog("link,agency\na.html,甲局\n", tmp_path)
    assert reading.entries == ()
    assert [p.code for p in reading.problems] == ["missing_column"]


def test_duplicates_are_dropped_with_a_warning(tmp_path: Path) -> None:
    text = HEADER + "a.html,甲局,,,,\n./a.html,甲局,,,,\nb.html,乙局,,,,\na.html,甲局,,,,\n"
    reading = parse_catalog(text, tmp_path)
    assert [e.source for e in reading.entries] == ["a.html", "b.html"]
    assert [(p.line, p.severity, p.code) for p in reading.problems] == [
        (3, "warning", "duplicate_url"),
        (5, "warning", "duplicate_url"),
    ]
    assert "line 2" in reading.problems[0].message


def test_catalog_with_byte_order_mark(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.csv"
    catalog.write_bytes(("\ufeff" + HEADER + "a.html,甲局,240100,city,2023,\n").encode("utf-8"))
    (entry,) = read_catalog(catalog).entries
    assert entry.source == "a.html"


def test_report_id_is_the_hash_of_the_source_as_given() -> None:
    assert report_id("reports/a.html") == hashlib.sha256(b"reports/a.html").hexdigest()[:16]
    assert report_id("./reports/a.html") != report_id("reports/a.html")


# --- raw archive -----------------------------------------------------------------------------


def test_same_bytes_same_path(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    sha, path = store_raw(b"<html>report</html>", raw)
    assert sha == hashlib.sha256(b"<html>report</html>").hexdigest()
    assert path == raw / sha[:2] / sha and path.read_bytes() == b"<html>report</html>"
    assert store_raw(b"<html>report</html>", raw) == (sha, path)
    assert list(raw.rglob("*")) == [path.parent, path]  # no temporary files left behind


def test_archive_never_overwrites(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    data = b"report bytes"
    dest = raw_path_for(hashlib.sha256(data).hexdigest(), raw)
    dest.parent.mkdir(parents=True)
    dest.write_bytes(b"already archived")
    os.utime(dest, (1_000_000, 1_000_000))
    _, path = store_raw(data, raw)
    assert path == dest
    assert dest.read_bytes() == b"already archived"
    assert dest.stat().st_mtime == 1_000_000


def test_archive_entry_reads_and_records(tmp_path: Path) -> None:
    report = tmp_path / "a.html"
    report.write_bytes(b"<p>2023</p>")
    archived = archive_entry(entry_for(report, "a.html"), tmp_path / "raw")
    assert archived.ok and archived.fetch_status == "ok"
    assert archived.bytes == 11
    assert Path(archived.raw_path).read_bytes() == b"<p>2023</p>"


@pytest.mark.parametrize(
    ("make_entry", "message"),
    [
        (lambda d: entry_for(d / "nope.html"), "file not found"),
        (lambda d: entry_for(d), "is a directory"),
        (
            lambda d: CatalogEntry(REMOTE, REMOTE, is_local=False, line=2),
            "fetched by ingest.collect",
        ),
    ],
)
def test_archive_failures_are_returned(tmp_path: Path, make_entry, message: str) -> None:
    archived = archive_entry(make_entry(tmp_path), tmp_path / "raw")
    assert not archived.ok and archived.fetch_status == "error"
    assert message in archived.error
    assert archived.raw_path is None and not (tmp_path / "raw").exists()


# --- store and pipeline ----------------------------------------------------------------------


def test_pipeline_writes_the_schemas_exactly(warehouse: Path, small_corpus) -> None:
    summary = ingest_catalog(small_corpus.catalog)
    parquet = paths.parquet_dir()
    assert parquet == warehouse / "parquet"
    for name, schema in TABLES.items():
        written = pq.read_schema(parquet / f"{name}.parquet")
        assert written.remove_metadata().equals(schema), name
    assert summary["tables"]["reports"]["rows"] == len(small_corpus.rows)
    assert summary["entries"] == len(small_corpus.rows)
    assert sum(summary["status"].values()) == len(small_corpus.rows)
    assert summary["fetch_errors"] == len(small_corpus.unreadable)


def test_codes_table_follows_the_csv(warehouse: Path, tmp_path: Path, catalog_writer) -> None:
    ingest_catalog(catalog_writer(tmp_path / "empty.csv", []))
    codes = read_table(paths.parquet_dir(), "codes").to_pylist()
    assert [(c["section"], c["code"]) for c in codes] == [(c.section, c.code) for c in all_codes()]
    assert [c["ordinal"] for c in codes] == list(range(1, len(codes) + 1))
    assert read_table(paths.parquet_dir(), "reports").num_rows == 0


def _counts(parquet: Path) -> dict[str, int]:
    return {name: pq.read_metadata(parquet / f"{name}.parquet").num_rows for name in TABLES}


def test_rerunning_replaces_rows(warehouse: Path, small_corpus, catalog_writer) -> None:
    first = ingest_catalog(small_corpus.catalog)
    counts = _counts(paths.parquet_dir())
    assert counts["cells"] > 0  # the sample reports carry statistics
    second = ingest_catalog(small_corpus.catalog)
    assert _counts(paths.parquet_dir()) == counts
    assert first["status"] == second["status"]
    assert all(t["kept"] == 0 for t in second["tables"].values())

    # A catalog with one of the reports: its rows are replaced, the others kept.
    one = [r for r in small_corpus.rows if r["url"] not in small_corpus.unreadable][:1]
    subset = catalog_writer(small_corpus.catalog.with_name("one.csv"), one)
    third = ingest_catalog(subset)
    assert _counts(paths.parquet_dir()) == counts
    assert third["tables"]["reports"]["written"] == 1
    assert third["tables"]["reports"]["kept"] == len(small_corpus.rows) - 1
    ids = read_table(paths.parquet_dir(), "reports")["report_id"].to_pylist()
    assert len(ids) == len(set(ids))

    # Without merging, the tables hold that one report only.
    ingest_catalog(subset, merge=False)
    only = {report_id(one[0]["url"])}
    for name in REPORT_TABLES:
        assert set(read_table(paths.parquet_dir(), name)["report_id"].to_pylist()) <= only


def test_unreadable_reports_get_error_rows(warehouse: Path, small_corpus) -> None:
    summary = ingest_catalog(small_corpus.catalog)
    reports = {r["source"]: r for r in read_table(paths.parquet_dir(), "reports").to_pylist()}
    assert set(reports) == set(small_corpus.sources)
    missing, remote = reports[small_corpus.missing], reports[small_corpus.remote]
    for row in (missing, remote):
        assert (row["status"], row["fetch_status"]) == ("error", "error")
        assert row["sha256"] is None and row["raw_path"] is None
        assert row["n_cells"] == 0
    assert "file not found" in missing["error"]
    assert "non-public address" in remote["error"] and remote["fetch_error"] == "refused_host"
    assert missing["fetch_error"] == "not_found"
    assert missing["catalog_agency"] == HOSTILE_AGENCY and missing["catalog_level"] == "department"
    assert remote["catalog_year"] == 2023
    readable = [r for s, r in reports.items() if s not in small_corpus.unreadable]
    assert readable and all(r["fetch_status"] == "ok" and r["sha256"] for r in readable)
    assert summary["status"]["error"] >= 2
    cell_ids = set(read_table(paths.parquet_dir(), "cells")["report_id"].to_pylist())
    assert report_id(small_corpus.missing) not in cell_ids


def test_one_failing_report_does_not_stop_the_batch(tmp_path: Path) -> None:
    """A parser exception and a result that does not fit the tables become error rows."""
    good, bad, odd = (tmp_path / n for n in ("good.txt", "bad.txt", "odd.txt"))
    for p in (good, bad, odd):
        p.write_text(p.stem, encoding="utf-8")

    def parse(data: bytes, source: str, charset: str | None) -> dict:
        if source == "bad.txt":
            raise RuntimeError("cannot make sense of it")
        cell = {"section": "narrative", "row": "new_requests", "col": "value", "value": 3}
        cells = [{**cell, "raw": "3", "method": "narrative"}]
        if source == "odd.txt":
            cells[0].pop("col")
        return {"status": "narrative_only", "cells": cells, "checks": [], "issues": []}

    rows = {
        name: report_rows(archive_entry(entry_for(p, name), tmp_path / "raw"), parse)
        for name, p in (("good.txt", good), ("bad.txt", bad), ("odd.txt", odd))
    }
    assert rows["good.txt"]["reports"][0]["status"] == "narrative_only"
    assert rows["good.txt"]["cells"][0]["value"] == 3.0
    bad_row, odd_row = rows["bad.txt"]["reports"][0], rows["odd.txt"]["reports"][0]
    assert (
        bad_row["status"] == "error" and "RuntimeError: cannot make sense of it" in bad_row["error"]
    )
    assert bad_row["fetch_status"] == "ok" and bad_row["raw_path"]  # the bytes stay archived
    assert odd_row["status"] == "error" and "'col'" in odd_row["error"]
    assert rows["odd.txt"]["cells"] == []


def test_checks_are_evaluated_when_the_result_has_none(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text("r", encoding="utf-8")
    archived = archive_entry(entry_for(report), tmp_path / "raw")
    result = {
        "status": "partial",
        "template": {"applications": "2019"},
        "reviews": {"review": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 2}},
    }
    rows = result_rows(archived, result, now_utc())
    (check,) = rows["checks"]
    assert (check["identity"], check["at"], check["holds"]) == ("outcomes", "review", False)
    assert rows["reports"][0]["n_checks_failed"] == 1


def test_ingest_never_imports_dagster() -> None:
    code = (
        "import sys, ingest.pipeline, ingest.paths, ingest.store; "
        "sys.exit('dagster' in sys.modules or 'dagster_dbt' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_catalog_stays_authoritative_and_differences_are_issues(
    warehouse: Path, tmp_path: Path, catalog_writer
) -> None:
    import random

    from ingest.render import make_report, render_html

    truth = make_report(
        random.Random(5),
        agency="青原市生态环境局",
        level="city",
        year=2022,
        template_proactive="2021",
        template_applications="2021",
    )
    (tmp_path / "r.html").write_text(render_html(truth, random.Random(5)), encoding="utf-8")
    rows = [{"url": "r.html", "agency": "青原市教育局", "year": 2023}]
    ingest_catalog(catalog_writer(tmp_path / "catalog.csv", rows))
    (report,) = read_table(paths.parquet_dir(), "reports").to_pylist()
    assert (report["catalog_agency"], report["agency"]) == ("青原市教育局", "青原市生态环境局")
    issues = {
        i["code"]: i["message"] for i in read_table(paths.parquet_dir(), "issues").to_pylist()
    }
    assert "青原市生态环境局" in issues["catalog_agency_differs"]
    assert "2023" in issues["catalog_year_differs"]


def test_a_republished_report_with_other_values_is_flagged(warehouse: Path, tmp_path: Path) -> None:
    lines = (SAMPLE_DIR / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    truths = [t for t in map(json.loads, lines) if t["status"] == "complete"]
    truths = [t for t in truths if t["file"].endswith(".html")][:2]
    report = tmp_path / "report.html"
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(f"url\n{report}\n", encoding="utf-8")

    def ingest(data: bytes) -> list[dict]:
        report.write_bytes(data)
        ingest_catalog(catalog)
        return read_table(paths.parquet_dir(), "issues").to_pylist()

    first = (SAMPLE_DIR / truths[0]["file"]).read_bytes()
    assert not [i for i in ingest(first) if i["code"] == "revised_report"]
    # new bytes, same values (a comment, as page chrome changes): not a revision
    assert not [i for i in ingest(first + b"<!-- 2 -->") if i["code"] == "revised_report"]
    # other values at the same address: flagged, the new values kept
    revised = [
        i
        for i in ingest((SAMPLE_DIR / truths[1]["file"]).read_bytes())
        if i["code"] == "revised_report"
    ]
    assert len(revised) == 1 and revised[0]["severity"] == "warning"
    assert "changed value(s)" in revised[0]["message"] and "→" in revised[0]["message"]


def test_column_wise_rows_equal_the_row_checked_ones() -> None:
    """The one-pass reading of the usual cells and checks gives what field-by-field checking
    gives; an unusual one (a Decimal, a string number) goes field by field."""
    from decimal import Decimal

    from ingest.store import cell_columns, cell_row, check_columns, check_row, rows_of

    cell = {"section": "applications", "row": "granted", "col": "total", "raw": "3"}
    cells = [
        {**cell, "value": 3, "method": "html_table"},
        {**cell, "value": 2.5, "method": "text_grid", "raw": None},
        {**cell, "value": None, "method": "digit_split", "undecided": "ambiguous_split"},
        {**cell, "value": None, "method": "html_table", "undecided": ""},
    ]
    check = {"identity": "ledger", "at": "total", "reading": "printed", "soft": False}
    checks = [
        {**check, "lhs": 3, "rhs": 3.0, "difference": 0, "holds": True},
        {
            **check,
            "lhs": None,
            "rhs": 2,
            "difference": None,
            "holds": None,
            "undecided": ["b", "a"],
        },
        {**check, "lhs": 1, "rhs": 2, "difference": -1, "holds": False, "undecided": []},
    ]
    odd = [{**cells[0], "value": Decimal("4")}, {**cells[1], "value": "5"}]
    for made in (cells, odd):
        assert rows_of(cell_columns("r", made)) == [cell_row("r", c) for c in made]
    odd_checks = [{**checks[0], "lhs": Decimal("3")}, {**checks[1], "soft": None}]
    for made in (checks, odd_checks):
        assert rows_of(check_columns("r", made)) == [check_row("r", c) for c in made]
    with pytest.raises(RejectedResult):
        cell_columns("r", [{**cells[0], "value": 1, "undecided": "ambiguous_split"}])
    with pytest.raises(RejectedResult):
        check_columns("r", [{**checks[0], "holds": "yes"}])


def test_a_worker_empties_its_memos_once_its_memory_passes_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "report.txt"
    report.write_text("三、本年度办理结果\n（一）予以公开 3 0 0 0 0 0 3\n", encoding="utf-8")
    archived = [archive_entry(entry_for(report, "report.txt"), tmp_path / "raw")]
    try:
        pipeline._parse_chunk_in_worker(archived, parse_document)
        assert norm_label.known and read_cell.cache_info().currsize  # below the limit: kept
        monkeypatch.setattr(pipeline, "MEMO_LIMIT_MB", 0)
        tables, statuses = pipeline._parse_chunk_in_worker(archived, parse_document)
        assert not norm_label.known and not read_cell.cache_info().currsize
        assert sum(statuses.values()) == 1 and tables["reports"].num_rows == 1
        assert parse_document(report.read_bytes(), "again.txt")["status"] != "error"  # read again
    finally:
        gc.unfreeze()  # (the worker froze this test process's objects)
