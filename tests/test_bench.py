"""The pieces `ogi bench` measures, checked for what they do (the timings are only printed):
the padded corpus, its cache, the streamed and parallel table writes, and the fast paths of
label matching and script conversion, which must give exactly what the slow paths give."""

from __future__ import annotations

from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import build_stamp, labels, pipeline
from ingest.accuracy import synthesize
from ingest.bench import MAX_PAGE, MIN_PAGE, YEARS, bench_agency, bench_report, make_corpus
from ingest.catalog import read_catalog
from ingest.collect import collect
from ingest.normalize import (
    _LINE_MEMO_CHARS,
    _nfkc_of,
    convert_in_pieces,
    norm_label,
    to_simplified,
)
from ingest.parse import parse_document
from ingest.render import ALL_RENDERINGS, _s2twp, to_traditional
from ingest.schema import TABLES
from ingest.store import REPORT_TABLES, codes_table
from ingest.tw2sp import opencc_tw2sp as _tw2sp
from ingest.values import read_cell

STATISTICS = ("status", "applications", "reviews", "proactive", "narrative", "agency", "year")


def _statistics(result: dict) -> dict:
    return {k: result[k] for k in STATISTICS}


@pytest.mark.parametrize("index", [0, 15, 8, 23, 10, 26])
def test_portal_chrome_pads_pages_without_changing_what_they_say(index: int) -> None:
    """Indices 0/15: plain page, simplified/traditional; 8/23: heavy chrome; 10/26: GBK."""
    _truth, padded, name, agency = bench_report(0, index)
    assert name.endswith(".html")
    _t, plain, _n = synthesize(0, index, ALL_RENDERINGS, agency, YEARS[index % len(YEARS)])
    assert MIN_PAGE <= len(padded) <= MAX_PAGE + len(plain)
    assert b"<script>" in padded and b"<style>" in padded
    assert _statistics(parse_document(padded, name)) == _statistics(parse_document(plain, name))


def test_bench_agencies_are_distinct_and_named_like_agencies() -> None:
    agencies = [bench_agency(k) for k in range(5000)]
    assert len({a.name for a in agencies}) == len(agencies)
    assert all(a.name[2] in "市县" and len(a.region_code) == 6 for a in agencies)


def test_corpus_is_written_once_per_size_and_seed(tmp_path: Path) -> None:
    corpus, _seconds, reused = make_corpus(14, 3, tmp_path, workers=1)
    assert not reused
    catalog = read_catalog(corpus.catalog)
    plus_one = read_catalog(corpus.catalog_plus_one)
    assert len(catalog.entries) == 14 and not catalog.problems
    assert len(plus_one.entries) == 15
    assert plus_one.entries[-1].report_id == corpus.extra_report_id
    assert all(Path(e.location).is_file() for e in plus_one.entries)
    assert corpus.bytes == sum(Path(e.location).stat().st_size for e in catalog.entries)
    assert corpus.web_pages + corpus.text_reports == 14
    again, seconds, reused = make_corpus(14, 3, tmp_path, workers=1)
    assert reused and seconds == 0 and again == corpus


def _rows(parquet: Path, table: str) -> list[tuple]:
    """A table's rows, sorted, without the columns that record when a run happened."""
    data = pq.read_table(parquet / f"{table}.parquet")
    names = [n for n in data.column_names if n not in ("parsed_at", "fetched_at")]
    return sorted(tuple(str(v) for v in row.values()) for row in data.select(names).to_pylist())


def _reference(archived) -> dict[str, pa.Table]:
    """The tables of a batch built the plain way: every report parsed here, in order, its rows
    gathered in memory."""
    rows: dict[str, list] = {name: [] for name in REPORT_TABLES}
    for report in archived:
        for name, table_rows in pipeline.report_rows(report).items():
            rows[name].extend(table_rows)
    tables = {name: pa.Table.from_pylist(rows[name], schema=TABLES[name]) for name in rows}
    return {**tables, "codes": codes_table()}


def test_streamed_parallel_tables_equal_the_plain_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, _s, _r = make_corpus(40, 5, tmp_path / "bench", workers=1)
    entries = read_catalog(corpus.catalog).entries
    streamed, built = tmp_path / "streamed", tmp_path / "built"

    got = collect(entries, streamed / "raw", streamed / "parquet")
    monkeypatch.setattr(pipeline, "POOL_FROM", 1)  # the process pool even for 40 reports
    monkeypatch.setattr(pipeline, "CHUNK", 7)
    batch, written = pipeline.stream_tables(
        got.reports,
        streamed / "parquet",
        previous=pipeline.Previous(streamed / "parquet"),
        workers=2,
    )
    assert (batch.parsed, batch.reused) == (40, 0)
    assert sum(batch.status_counts.values()) == 40

    reference = _reference(got.reports)
    built.mkdir()
    for name, table in reference.items():
        pq.write_table(table, built / f"{name}.parquet")
    statuses = Counter(reference["reports"]["status"].to_pylist())
    assert batch.status_counts == pipeline.status_counts(statuses)
    assert batch.reports.num_rows == 40
    for name in TABLES:
        schema = pq.read_schema(streamed / "parquet" / f"{name}.parquet")
        assert schema.remove_metadata().equals(TABLES[name]), name
        assert written[name].rows == reference[name].num_rows, name
        assert _rows(streamed / "parquet", name) == _rows(built, name), name


def test_a_parse_function_a_pool_cannot_take_runs_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, _s, _r = make_corpus(3, 2, tmp_path / "bench", workers=1)
    got = collect(read_catalog(corpus.catalog).entries, tmp_path / "raw", tmp_path / "parquet")
    monkeypatch.setattr(pipeline, "POOL_FROM", 1)
    seen: list[str] = []

    def parse(data: bytes, source: str, charset: str | None) -> dict:  # a closure
        seen.append(source)
        return parse_document(data, source, charset)

    batch, _written = pipeline.stream_tables(got.reports, tmp_path / "parquet", parse=parse)
    assert batch.parsed == 3 and len(seen) == 3


def test_rerun_parses_nothing_and_leaves_the_row_tables_alone(tmp_path: Path) -> None:
    corpus, _s, _r = make_corpus(20, 6, tmp_path / "bench", workers=1)
    parquet, raw = tmp_path / "w" / "parquet", tmp_path / "w" / "raw"

    def run(catalog: str):
        got = collect(read_catalog(catalog).entries, raw, parquet)
        return pipeline.stream_tables(got.reports, parquet, previous=pipeline.Previous(parquet))

    first, _ = run(corpus.catalog)
    before = {n: _rows(parquet, n) for n in REPORT_TABLES}
    stamps = {n: (parquet / f"{n}.parquet").stat().st_mtime_ns for n in REPORT_TABLES}

    again, written = run(corpus.catalog)
    assert (again.parsed, again.reused) == (0, 20)
    assert again.status_counts == first.status_counts
    for name in REPORT_TABLES:  # read again, nothing else: not one file rewritten
        assert (parquet / f"{name}.parquet").stat().st_mtime_ns == stamps[name], name
        assert written[name].kept == 0 and written[name].written == written[name].rows
    assert {n: _rows(parquet, n) for n in REPORT_TABLES} == before

    added, written = run(corpus.catalog_plus_one)
    assert (added.parsed, added.reused) == (1, 20)
    assert written["reports"].rows == 21
    cells = pq.read_table(parquet / "cells.parquet")["report_id"].to_pylist()
    new = cells.count(corpus.extra_report_id)
    assert new > 0 and len(cells) == len(before["cells"]) + new


def test_a_build_is_up_to_date_until_an_input_changes(tmp_path: Path) -> None:
    parquet, project, duckdb = tmp_path / "parquet", tmp_path / "project", tmp_path / "w.duckdb"
    (project / "models").mkdir(parents=True)
    (project / "models" / "m.sql").write_text("select 1", encoding="utf-8")
    (project / "target").mkdir()
    parquet.mkdir()
    for name in TABLES:
        (parquet / f"{name}.parquet").write_bytes(b"x")
    duckdb.write_bytes(b"db")
    assert not build_stamp.up_to_date(parquet, project, duckdb)
    build_stamp.record_build(parquet, project, duckdb)
    assert build_stamp.up_to_date(parquet, project, duckdb)
    (project / "target" / "run.sql").write_text("compiled", encoding="utf-8")  # not an input
    assert build_stamp.up_to_date(parquet, project, duckdb)
    (parquet / "cells.parquet").write_bytes(b"xy")
    assert not build_stamp.up_to_date(parquet, project, duckdb)
    build_stamp.record_build(parquet, project, duckdb)
    (project / "models" / "new.sql").write_text("select 2", encoding="utf-8")
    assert not build_stamp.up_to_date(parquet, project, duckdb)
    build_stamp.record_build(parquet, project, duckdb)
    build_stamp.forget(duckdb)
    assert not build_stamp.up_to_date(parquet, project, duckdb)


# --- fast paths, same answers ---------------------------------------------------------------

_CJK = st.sampled_from(list("政府信息公开申请行政复议诉讼其他处理不予公开国家秘密法律行止审核稽"))
_LABEL = st.text(_CJK | st.sampled_from(list("()1.、（）")), max_size=24)


@settings(max_examples=300, deadline=None)
@given(_LABEL, _LABEL, st.floats(0, 1))
def test_the_c_bound_never_hides_a_difflib_score(a: str, b: str, floor: float) -> None:
    exact = SequenceMatcher(None, a, b, autojunk=False).ratio() if a and b else float(a == b)
    got = labels.similarity_at_least(a, b, floor)
    if exact >= floor:
        assert got == exact
    else:
        assert got < floor


_MEASURE_CHARS = sorted({ch for _code, alt in labels._alternatives("measure") for ch in alt})


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.sampled_from(_MEASURE_CHARS) | _CJK | st.sampled_from(list("，。1 \n-^]")), max_size=30
    )
)
def test_a_sentence_is_told_from_a_header_by_one_search(text: str) -> None:
    # more than `slack` characters no measure label has: counted one by one before
    for slack in (0, 1, 6):
        outside = sum(1 for ch in text if ch not in _MEASURE_CHARS)
        assert bool(labels._more_than_measures(slack).search(text)) == (outside > slack)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("0123456789"), max_size=18))
def test_a_count_read_at_once_reads_as_through_the_pattern(digits: str) -> None:
    # a space in front takes the general way (spaces removed, then the number pattern)
    assert read_cell(digits) == read_cell(" " + digits)


def test_a_document_printed_as_one_huge_line_is_not_kept_in_the_text_memos() -> None:
    line = "（一）本年新收政府信息公开申请" * 400  # 6,000 characters on one line
    result = parse_document(line.encode(), "one-line.txt")
    assert result["status"] != "error"
    assert not any(len(key) > _LINE_MEMO_CHARS for key in (*norm_label.known, *_nfkc_of.known))


_TRADITIONAL = st.sampled_from(
    ["檔案", "入口網站", "資訊", "稽核", "SQL隱碼攻擊", "PN接面", "開", "報", "資料庫", "網路"]
)
_OTHER = st.sampled_from(
    [
        "<td>",
        "</p>",
        " ",
        "\u3000",
        "，",
        "。",
        "（",
        "）",
        "12",
        "abc",
        "SQL",
        "PN",
        "&nbsp;",
        "\n",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TRADITIONAL | _OTHER, max_size=30))
def test_conversion_by_pieces_is_the_conversion_of_the_whole(parts: list[str]) -> None:
    text = "".join(parts)
    assert convert_in_pieces(text, _tw2sp().convert) == _tw2sp().convert(text)
    simplified = "".join(p for p in parts if p not in ("SQL隱碼攻擊", "PN接面"))
    assert convert_in_pieces(simplified, _s2twp().convert) == _s2twp().convert(simplified)


def test_whole_pages_convert_as_before() -> None:
    for index in (0, 16, 33):
        _truth, data, _name = synthesize(9, index, ALL_RENDERINGS)
        text = data.decode("utf-8")
        traditional = to_traditional(text)
        assert traditional == _s2twp().convert(text)
        assert to_simplified(traditional) == _tw2sp().convert(traditional)
