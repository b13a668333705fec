"""Bad input never crashes a run: every input ends as a row of the reports table.

* Hypothesis: arbitrary bytes, and arbitrary text encoded as UTF-8, GBK or a mix of both,
  read from a file and parsed the way a run does (ingest.pipeline.report_rows): one reports row,
  with a status from the contract, whatever the bytes.
* One catalog of generated hostile files and rows, ingested by ingest.pipeline.ingest_catalog
  (read, archive, parse, write Parquet): random bytes and a PNG named .html, a 50 MB page, 100
  000 nested divs, invalid UTF-8 inside GBK, empty files, a directory, malformed rows (no url,
  surplus fields, a year that is not one), the same URL twice, paths leading out of the
  warehouse. Each valid entry gets exactly one reports row, each invalid row a catalog problem;
  nothing is written outside the warehouse, and archive file names are hashes.

Compressed bodies that expand past the size limit (zip bombs behind Content-Encoding) are
refused by the fetcher: tests/test_fetch.py serves one over HTTP.

The number of inputs tried is printed in the session's closing figures.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.archive import ArchivedReport, read_into_archive
from ingest.catalog import parse_catalog
from ingest.pipeline import ingest_catalog, report_rows
from ingest.store import STATUSES, read_table
from tests.conftest import write_catalog

EXAMPLES = 150
# A page this large (a table of one row repeated), the most the fetcher accepts: its text is
# far over what any report holds, so it ends as an error row (too_large) in bounded time.
LARGE_PAGE = 50 * 1024 * 1024
SHA_NAME = re.compile(r"[0-9a-f]{64}(\.[a-z0-9]+)?")


def _parse_file(path: Path, raw: Path) -> dict:
    reading = parse_catalog(f"url\n{path.name}\n", path.parent)
    (entry,) = reading.entries
    rows = report_rows(ArchivedReport(entry, read_into_archive(entry, raw)))
    (report,) = rows["reports"]
    assert report["status"] in STATUSES
    return report


@st.composite
def mixed_encodings(draw) -> bytes:
    parts = draw(st.lists(st.tuples(st.text(max_size=200), st.sampled_from(["utf-8", "gbk"]))))
    out = b""
    for text, encoding in parts:
        out += text.encode(encoding, errors="replace")
        out += draw(st.binary(max_size=8))  # stray bytes between the runs
    return out


@pytest.mark.parametrize("strategy", [st.binary(max_size=4096), mixed_encodings()])
def test_any_bytes_become_one_report_row(strategy, tmp_path_factory, count_figure) -> None:
    base = tmp_path_factory.mktemp("fuzz")

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=strategy, suffix=st.sampled_from([".html", ".txt", ".pdf", ".htm"]))
    def check(data: bytes, suffix: str) -> None:
        path = base / f"report{suffix}"
        path.write_bytes(data)
        _parse_file(path, base / "raw")
        count_figure("fuzz inputs tried")

    check()


def _hostile_files(directory: Path) -> list[dict]:
    """Catalog rows for generated hostile files (written under `directory`)."""
    rng = random.Random(7)
    files = {
        "random.html": bytes(rng.getrandbits(8) for _ in range(64 * 1024)),
        "image.html": b"\x89PNG\r\n\x1a\n" + bytes(rng.getrandbits(8) for _ in range(4096)),
        "empty.html": b"",
        "nul.txt": b"\0" * 10_000,
        "nested.html": b"<html><body>" + b"<div>" * 100_000 + b"1" + b"</div>" * 100_000,
        "mixed.html": "<p>二、主动公开政府信息情况</p>".encode("gbk")
        + b"\xff\xfe\xc3\x28"
        + "三、收到和处理政府信息公开申请情况 本年新收".encode()
        + b"\x80\x81",
        "large.html": b"<html><body><table>"
        + b"<tr><td>\xe6\x9c\xac\xe5\xb9\xb4\xe6\x96\xb0\xe6\x94\xb6</td><td>1</td></tr>"
        * (LARGE_PAGE // 40)
        + b"</table></body></html>",
    }
    rows = []
    for name, data in files.items():
        (directory / name).write_bytes(data)
        rows.append({"url": name, "agency": f"{name}局", "year": "2023"})
    (directory / "folder.html").mkdir()
    rows.append({"url": "folder.html", "agency": "目录局"})
    rows.append({"url": "random.html", "agency": "重复局"})  # the same URL twice
    rows.append({"url": "../../../../../../etc/passwd", "agency": "越界局"})
    rows.append({"url": "../outside.html", "agency": "越界局"})
    return rows


def test_a_hostile_catalog_ends_in_rows_and_problems(
    tmp_path: Path, warehouse: Path, count_figure
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = _hostile_files(corpus)
    (tmp_path / "outside.html").write_text("<p>本年新收 3</p>", encoding="utf-8")
    catalog = write_catalog(corpus / "catalog.csv", rows)
    with catalog.open("a", encoding="utf-8") as fh:  # malformed rows
        fh.write(",no url,,,2023,\n")
        fh.write("x.html,局,,,2023,,surplus,fields\n")
        fh.write("y.html,局,,,not a year,\n")
        fh.write('"unterminated,quote\n')
    before = {p for p in tmp_path.rglob("*") if warehouse not in (p, *p.parents)}

    summary = ingest_catalog(catalog)

    reports = read_table(warehouse / "parquet", "reports").to_pylist()
    sources = [r["source"] for r in reports]
    assert len(sources) == len(set(sources)), "a report twice"
    assert {r["status"] for r in reports} <= set(STATUSES)
    assert len(reports) >= len(rows) - 1  # the repeated URL is one report
    assert all(r["error"] for r in reports if r["status"] == "error")
    (large,) = [r for r in reports if r["source"] == "large.html"]
    assert large["status"] == "error" and "characters of text" in large["error"]
    assert summary  # the run completed
    after = {p for p in tmp_path.rglob("*") if warehouse not in (p, *p.parents)}
    assert after == before, "written outside the warehouse"
    raw = [p.name for p in (warehouse / "raw").rglob("*") if p.is_file()]
    assert raw and all(SHA_NAME.fullmatch(name) for name in raw), raw
    count_figure("fuzz inputs tried", len(rows) + 4)
