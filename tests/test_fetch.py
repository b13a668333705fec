"""Fetching a generated portal over real HTTP on 127.0.0.1, twice, through the whole ingest.

The portal (`ingest.portal`) serves report pages printed by `ingest.render`: a paginated
listing (下一页) of annual reports among other links, a GBK page without any charset
declaration, an article without tables whose report is a PDF attachment, a redirect, a dead
link, and the faults of real sites: a redirect loop, a 500 that heals after two attempts, a 429
with Retry-After, an answer slower than the timeout, a body cut off, an oversized body, a
redirect to another scheme, a host that refuses connections. The catalog is ingested twice;
the fetch log, the raw archive and the tables are read after each run.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import point_warehouse_at, write_catalog
from fixtures_documents import report_pdf

from ingest import paths
from ingest.catalog import report_id
from ingest.fetch import ALLOW_PRIVATE_ENV, FetchPolicy
from ingest.fetch_log import log_path
from ingest.pipeline import ingest_catalog
from ingest.portal import Page, Portal
from ingest.render import make_report, render_bytes, render_html
from ingest.store import read_table

AGENCY = "青原市生态环境局"
REGION = "250100"
LISTING = "/xxgk/ndbg/index.html"
DEAD_HOST = "http://127.0.0.1:9/xxgk/ndbg/2018.html"  # nothing listens on the discard port
CHANGING = "/xxgk/ndbg/changing.html"

POLICY = dict(
    concurrency=8,
    per_host=8,
    host_delay=0.0,
    connect_timeout=1.0,
    read_timeout=1.0,
    deadline=10.0,
    retries=2,
    backoff=0.05,
    max_backoff=0.2,
    max_retry_after=5.0,
    max_redirects=4,
    max_bytes=2 * 1024 * 1024,
)


def truth(year: int, kind: str = "tables", seed: int = 0) -> dict:
    return make_report(
        random.Random(f"{year}/{kind}/{seed}"),
        agency=AGENCY,
        level="city",
        year=year,
        template_proactive="2021",
        template_applications="2021",
        kind=kind,
    )


def html(year: int, seed: int = 0) -> bytes:
    return render_html(truth(year, seed=seed), random.Random(seed)).encode("utf-8")


def listing(links: list[tuple[str, str]], next_page: str | None) -> bytes:
    items = "".join(
        f'<li><a href="{href}" title="{title}">{title[:18]}…</a><span>2024-01-20</span></li>'
        for href, title in links
    )
    more = f'<a href="{next_page}">下一页</a>' if next_page else ""
    return (
        '<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
        '<div class="nav"><a href="/">首页</a><a href="/xxgk/">政务公开</a></div>'
        f'<ul class="list">{items}</ul><div class="page">{more}</div></body></html>'
    ).encode()


def title(year: int, short: bool = False) -> str:
    return f"{AGENCY}{year}年政府信息公开{'年报' if short else '工作年度报告'}"


def portal_pages() -> dict[str, Page]:
    article = render_html(truth(2021, "narrative_only"), random.Random(3)).replace(
        "</body>",
        '<p>附件：<a href="/uploads/2021qzb.pdf">2021年度报告全真版.pdf</a></p></body>',
    )
    gbk, _ext = render_bytes(truth(2022), "html_gbk_bare", "simplified", random.Random(2))
    notice = "<html><body><h1>关于开展2023年政务公开工作的通知</h1><p>各科室：请按要求落实。</p></body></html>"
    return {
        LISTING: Page(
            listing(
                [
                    ("2023.html", title(2023)),
                    ("2022.html", title(2022)),
                    ("/xxgk/tzgg/1.html", "关于印发2023年政务公开工作要点的通知"),
                ],
                "index_1.html",
            )
        ),
        "/xxgk/ndbg/index_1.html": Page(
            listing(
                [
                    ("2021.html", title(2021)),
                    ("/old/2020.html", title(2020, short=True)),
                    ("2019.html", title(2019)),
                ],
                "index_2.html",  # not there: a listing page that fails
            )
        ),
        "/xxgk/ndbg/2023.html": Page(html(2023)),
        # GBK bytes, no charset anywhere, no validators: re-fetched in full every run
        "/xxgk/ndbg/2022.html": Page(gbk, content_type="text/html", etag=False, last_modified=None),
        "/xxgk/ndbg/2021.html": Page(article.encode("utf-8")),
        "/uploads/2021qzb.pdf": Page(report_pdf(truth(2021)), content_type="application/pdf"),
        "/old/2020.html": Page(status=301, location="/xxgk/ndbg/2020.html"),
        "/xxgk/ndbg/2020.html": Page(html(2020)),
        "/faults/heal.html": Page(html(2017), fail_first=2, fail_status=500),
        "/faults/busy.html": Page(html(2016), fail_first=1, fail_status=429, retry_after="1"),
        "/faults/slow.html": Page(html(2015), delay=2.5),
        "/faults/cut.html": Page(html(2014), truncate=True),
        "/faults/huge.html": Page(b"<p>" + b"x" * 65536 + b"</p>", repeat=48, chunked=True),
        "/faults/bomb.html": Page(b"\0" * 1024 * 1024, repeat=16, gzip=True),
        "/faults/loop.html": Page(status=302, location="/faults/loop2.html"),
        "/faults/loop2.html": Page(status=302, location="/faults/loop.html"),
        "/faults/to_ftp.html": Page(status=302, location="ftp://127.0.0.1/report.html"),
        "/news/notice.html": Page(notice.encode("utf-8")),
        CHANGING: Page(html(2024, seed=1)),
    }


REPORT_ROWS = [
    "/faults/heal.html",
    "/faults/busy.html",
    "/faults/slow.html",
    "/faults/cut.html",
    "/faults/huge.html",
    "/faults/bomb.html",
    "/faults/loop.html",
    "/faults/gone.html",
    "/faults/to_ftp.html",
    "/news/notice.html",
    CHANGING,
]
# what each source ends as after a run: (fetch outcome, error class)
FETCH_ERRORS = {
    "/faults/slow.html": "timeout",
    "/faults/cut.html": "truncated",
    "/faults/huge.html": "too_large",
    "/faults/bomb.html": "too_large",
    "/faults/loop.html": "redirect_loop",
    "/faults/gone.html": "http_404",
    "/faults/to_ftp.html": "refused_scheme",
    "/xxgk/ndbg/2019.html": "http_404",
    DEAD_HOST: "connect",
}


@dataclass(repr=False)
class Run:
    summary: dict
    reports: dict[str, dict]  # by source
    log: list[dict]  # the rows this run added to the fetch log
    archive: dict[str, bytes]  # file name -> bytes


@dataclass(repr=False)
class Site:
    portal: Portal
    local: str  # the catalog's local file
    runs: list[Run]

    def url(self, path: str) -> str:
        return path if path.startswith("http") or path == self.local else self.portal.url(path)

    def log_row(self, run: int, path: str) -> dict:
        url = self.url(path)
        rows = [r for r in self.runs[run].log if r["url"] == url]
        assert len(rows) == 1, (path, rows)
        return rows[0]

    def report(self, run: int, path: str) -> dict:
        return self.runs[run].reports[self.url(path)]


def _archive(raw: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in raw.rglob("*") if p.is_file()}


def _snapshot(summary: dict, log_rows_before: int) -> Run:
    reports = {r["source"]: r for r in read_table(paths.parquet_dir(), "reports").to_pylist()}
    log = pq.read_table(log_path(paths.parquet_dir())).to_pylist()
    return Run(summary, reports, log[log_rows_before:], _archive(paths.raw_dir()))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    base = tmp_path_factory.mktemp("fetch")
    local = base / "local" / "2013.html"
    local.parent.mkdir()
    local.write_bytes(html(2013))
    with pytest.MonkeyPatch.context() as mp, Portal(portal_pages()) as portal:
        point_warehouse_at(mp, base / "warehouse")
        mp.setenv(ALLOW_PRIVATE_ENV, "1")
        policy = FetchPolicy(**POLICY)
        rows = [
            {"url": portal.url(LISTING), "agency": AGENCY, "region_code": REGION, "level": "city"}
            | {"kind": "listing"},
            *({"url": portal.url(p), "agency": AGENCY, "level": "city"} for p in REPORT_ROWS),
            {"url": DEAD_HOST, "agency": AGENCY, "year": 2018},
            {"url": str(local), "agency": AGENCY, "year": 2013},
        ]
        catalog = write_catalog(base / "catalog.csv", rows)
        runs = [_snapshot(ingest_catalog(catalog, policy=policy), 0)]
        portal.pages[CHANGING] = Page(html(2024, seed=2))  # the site republishes one report
        runs.append(_snapshot(ingest_catalog(catalog, policy=policy), len(runs[0].log)))
        yield Site(portal, str(local), runs)


# --- run 1 -----------------------------------------------------------------------------------


def test_discovery_follows_pagination_and_picks_reports_by_title(site: Site) -> None:
    listed = {r["url"]: r for r in site.runs[0].log if r["kind"] == "listing"}
    assert set(listed) == {
        site.url(LISTING),
        site.url("/xxgk/ndbg/index_1.html"),
        site.url("/xxgk/ndbg/index_2.html"),
    }
    assert listed[site.url("/xxgk/ndbg/index_2.html")]["error_class"] == "http_404"
    found = {s: r for s, r in site.runs[0].reports.items() if r["linked_from"]}
    expected = {f"/xxgk/ndbg/{y}.html": y for y in (2023, 2022, 2021, 2019)} | {
        "/old/2020.html": 2020
    }
    assert {s: r["catalog_year"] for s, r in found.items() if not s.endswith(".pdf")} == {
        site.url(p): y for p, y in expected.items()
    }
    for path in expected:
        row = site.report(0, path)
        assert row["catalog_agency"] == AGENCY and row["catalog_region_code"] == REGION
    assert site.report(0, "/xxgk/ndbg/2021.html")["linked_from"] == site.url(
        "/xxgk/ndbg/index_1.html"
    )
    assert site.url("/xxgk/tzgg/1.html") not in site.runs[0].reports  # not an annual report
    assert site.url(LISTING) not in site.runs[0].reports  # a listing that lists is no report
    assert site.runs[0].summary["fetch"]["discovered"] == 5


def test_reports_parse_whatever_their_encoding(site: Site) -> None:
    for path in ("/xxgk/ndbg/2023.html", "/xxgk/ndbg/2022.html", "/old/2020.html"):
        row = site.report(0, path)
        assert row["status"] == "complete", (path, row["error"])
        assert row["agency"] == AGENCY
    gbk = site.log_row(0, "/xxgk/ndbg/2022.html")
    assert gbk["content_type"] == "text/html" and gbk["etag"] is None


def test_an_article_without_tables_brings_its_pdf(site: Site) -> None:
    article = site.report(0, "/xxgk/ndbg/2021.html")
    pdf = site.report(0, "/uploads/2021qzb.pdf")
    assert article["status"] == "narrative_only"
    assert pdf["status"] == "complete" and pdf["year"] == 2021
    assert pdf["linked_from"] == site.url("/xxgk/ndbg/2021.html")
    assert pdf["catalog_agency"] == AGENCY and pdf["catalog_year"] == 2021
    row = site.log_row(0, "/uploads/2021qzb.pdf")
    assert row["kind"] == "attachment" and row["content_type"] == "application/pdf"
    # an article with its tables links nothing worth fetching
    assert not [
        r
        for r in site.runs[0].reports.values()
        if r["linked_from"] == site.url("/xxgk/ndbg/2023.html")
    ]


def test_redirect_is_followed_and_recorded(site: Site) -> None:
    row = site.log_row(0, "/old/2020.html")
    assert row["final_url"] == site.url("/xxgk/ndbg/2020.html") and row["http_status"] == 200
    assert site.report(0, "/old/2020.html")["final_url"] == site.url("/xxgk/ndbg/2020.html")


def test_faults_heal_with_retries(site: Site) -> None:
    heal = site.log_row(0, "/faults/heal.html")
    assert (heal["outcome"], heal["http_status"], heal["attempts"]) == ("ok", 200, 3)
    busy = site.log_row(0, "/faults/busy.html")
    assert (busy["outcome"], busy["attempts"]) == ("ok", 2)
    assert busy["elapsed_s"] >= 1.0  # Retry-After: 1 was honoured
    assert site.report(0, "/faults/heal.html")["status"] == "complete"


def test_failures_are_rows_and_never_stop_the_batch(site: Site) -> None:
    run = site.runs[0]
    for path, error_class in FETCH_ERRORS.items():
        row = site.log_row(0, path)
        assert (row["outcome"], row["error_class"]) == ("error", error_class), (path, row)
        assert row["sha256"] is None and row["error_message"]
        report = site.report(0, path)
        assert (report["status"], report["fetch_status"], report["fetch_error"]) == (
            "error",
            "error",
            error_class,
        )
    assert site.log_row(0, "/faults/slow.html")["attempts"] == 3  # retried, then given up
    assert site.log_row(0, "/faults/cut.html")["attempts"] == 3
    assert site.log_row(0, "/faults/gone.html")["attempts"] == 1  # a 404 is not retried
    assert site.log_row(0, "/faults/to_ftp.html")["attempts"] == 1
    assert site.report(0, "/news/notice.html")["status"] == "no_statistics"
    assert site.report(0, "/news/notice.html")["fetch_status"] == "ok"
    assert run.summary["fetch_errors"] == len(FETCH_ERRORS)
    assert run.summary["fetch"]["failures"]["http_404"] == 3  # two reports and a listing page


def test_local_files_are_read_beside_the_fetched_ones(site: Site) -> None:
    row = site.runs[0].reports[site.local]
    assert row["status"] == "complete" and row["http_status"] is None
    assert site.log_row(0, site.local)["final_url"] == site.local


def test_archive_holds_every_body_by_its_digest(site: Site) -> None:
    run = site.runs[0]
    for name, data in run.archive.items():
        assert hashlib.sha256(data).hexdigest() == name  # no temporary file left either
    fetched = {r["sha256"] for r in run.log if r["outcome"] == "ok"}
    assert fetched == set(run.archive)
    for r in run.log:
        if r["outcome"] == "ok":
            assert len(run.archive[r["sha256"]]) == r["bytes"]


def test_fetch_log_carries_what_matters(site: Site) -> None:
    row = site.log_row(0, "/xxgk/ndbg/2023.html")
    assert row["etag"] and row["last_modified"] and row["content_type"].startswith("text/html")
    assert row["conditional"] is False and row["http_status"] == 200
    assert row["report_id"] == report_id(site.url("/xxgk/ndbg/2023.html"))
    assert row["elapsed_s"] >= 0 and row["fetched_at"] is not None
    assert len({r["batch_id"] for r in site.runs[0].log}) == 1
    headers = site.portal.requests_to("/xxgk/ndbg/2023.html")[0]
    assert headers["user-agent"].startswith("ogi-warehouse/")


# --- run 2 -----------------------------------------------------------------------------------


def test_second_run_sends_conditional_requests(site: Site) -> None:
    for path in ("/xxgk/ndbg/2023.html", "/uploads/2021qzb.pdf", LISTING, "/faults/heal.html"):
        sent = site.portal.requests_to(path)[-1]
        assert sent.get("if-none-match") == site.portal.pages[path].etag_value, path
        row = site.log_row(1, path)
        assert (row["outcome"], row["http_status"], row["conditional"]) == (
            "not_modified",
            304,
            True,
        )
        assert row["sha256"] == site.log_row(0, path)["sha256"]
    gbk = site.log_row(1, "/xxgk/ndbg/2022.html")  # no validators: fetched again, same bytes
    assert (gbk["outcome"], gbk["conditional"]) == ("ok", False)
    assert gbk["sha256"] == site.log_row(0, "/xxgk/ndbg/2022.html")["sha256"]


def test_second_run_parses_only_what_changed(site: Site) -> None:
    first, second = site.runs
    changed = {site.url(CHANGING)}
    errors = {s for s, r in first.reports.items() if r["status"] == "error"}
    reparsed = {
        s for s, r in second.reports.items() if r["parsed_at"] != first.reports[s]["parsed_at"]
    }
    assert reparsed == changed | errors  # errors are always retried
    assert second.summary["reused"] == len(first.reports) - len(changed | errors)
    assert second.summary["parsed"] == len(changed | errors)
    assert set(second.reports) == set(first.reports)
    new, old = site.report(1, CHANGING), site.report(0, CHANGING)
    assert new["sha256"] != old["sha256"] and new["status"] == "complete"
    assert (
        site.report(1, "/xxgk/ndbg/2023.html")["fetched_at"]
        > site.report(0, "/xxgk/ndbg/2023.html")["fetched_at"]
    )


def test_archive_only_grows(site: Site) -> None:
    first, second = site.runs
    assert set(first.archive) <= set(second.archive)
    for name, data in first.archive.items():
        assert second.archive[name] == data  # never overwritten
    assert set(second.archive) - set(first.archive) == {site.report(1, CHANGING)["sha256"]}


def test_reused_reports_keep_their_rows(site: Site) -> None:
    first, second = site.runs
    cells = read_table(paths.parquet_dir(), "cells")
    per_report = {}
    for rid in cells["report_id"].to_pylist():
        per_report[rid] = per_report.get(rid, 0) + 1
    for source, row in second.reports.items():
        assert per_report.get(report_id(source), 0) == row["n_cells"], source
        if source != site.url(CHANGING):
            assert row["n_cells"] == first.reports[source]["n_cells"]


def test_fetch_log_is_appended(site: Site) -> None:
    log = pq.read_table(log_path(paths.parquet_dir()))
    assert log.num_rows == len(site.runs[0].log) + len(site.runs[1].log)
    assert len(set(log["batch_id"].to_pylist())) == 2
