"""The quality report of the sample warehouse: its figures, its page, and the page in Chromium.

The page is the one `make run` wrote (the shared `sample_runs`). Chromium is Debian's
(/usr/bin/chromium), installed with apt-get when missing and possible, driven by Playwright; the
screenshot is kept in warehouse/test-artifacts/ (or $OGI_TEST_ARTIFACTS).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import browser
import duckdb
import pytest
from browser import ARTIFACTS, CHROMIUM_FLAGS
from selectolax.lexbor import LexborHTMLParser

from ingest.charts import bars, stacked_bars
from ingest.codes import section
from ingest.quality_report import TOP_DIFFERENCES, main, read_report_data

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ("status", "identities", "dispositions", "outcomes", "differences", "quarantine")


def _scalar(db: Path, sql: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def page(sample_runs) -> Path:
    path = sample_runs.warehouse / "report.html"
    assert path.is_file(), "make run did not write the quality report"
    return path


@pytest.fixture(scope="module")
def data(sample_runs):
    return read_report_data(sample_runs.duckdb_path)


# --- charts ----------------------------------------------------------------------------------


def test_charts_are_well_formed_svg_with_escaped_labels() -> None:
    ns = {"s": "http://www.w3.org/2000/svg"}
    svg = ElementTree.fromstring(bars([("a<b", 2), ("不予公开 & co", 1)], "t <1>"))
    assert svg.find("s:title", ns).text == "t <1>"
    widths = [float(r.get("width")) for r in svg.findall("s:rect", ns)]
    assert widths[0] == 2 * widths[1] > 0
    labels = [
        t.find("s:title", ns).text
        for t in svg.findall("s:text", ns)
        if t.find("s:title", ns) is not None
    ]
    assert labels == ["a<b", "不予公开 & co"]
    stacked = ElementTree.fromstring(
        stacked_bars(
            [("x", {"p": 1, "q": 3}), ("y", {"q": 0})],
            [("p", "P"), ("q", "Q")],
            "s",
            normalize=True,
        )
    )
    rects = stacked.findall("s:rect", ns)
    assert len(rects) == 2 + 2  # two parts of x (y has none), two legend keys
    assert "x · Q: 3 (75.0%)" in [r.find("s:title", ns).text for r in rects[:2]]


# --- what the page says ----------------------------------------------------------------------


def test_run_summary_names_the_outputs(sample_runs, page: Path) -> None:
    output = sample_runs.outputs[-1]
    assert f"quality report  {page}" in output
    assert f"exports         {sample_runs.warehouse / 'exports'}" in output
    assert "earlier run" not in output


def test_figures_match_the_marts(sample_runs, data) -> None:
    db = sample_runs.duckdb_path
    quarantined = _scalar(db, "select count(*) from rpt_quarantine")
    assert data.n_reports == _scalar(db, "select count(*) from dim_reports") == 72
    assert len(data.quarantine) == quarantined >= 2
    assert data.n_passed == data.n_checked - quarantined
    assert sum(data.dispositions_total.values()) == _scalar(
        db, "select sum(count) from fct_dispositions where applicant_type = 'total'"
    )
    by_level = sum(sum(v.values()) for _, v in data.dispositions_by_level)
    assert by_level == sum(data.dispositions_total.values())
    reviews = dict(data.outcomes)["行政复议 Administrative review"]
    assert reviews["total"] == _scalar(db, "select sum(total) from fct_reviews")
    assert [p.key for p in data.pass_by_year] == [str(y) for y in range(2019, 2025)]
    assert {p.key for p in data.pass_by_template} >= {"2019 / 2019", "2021 / 2021", "2021 / 2019"}


def test_dispositions_are_shown_by_kind_and_withheld_by_reason(data) -> None:
    """granted / partial / each withheld reason / unavailable / not processed / other, in the
    order of the code list, named from it."""
    withheld = [c.code for c in section("applications") if c.group == "withheld"]
    keys = [c.key for c in data.categories]
    assert keys == [
        "granted",
        "partially_granted",
        *withheld,
        "unavailable",
        "not_processed",
        "other",
    ]
    labels = {c.key: c.label for c in data.categories}
    assert labels["partially_granted"] == "部分公开 Disclosed in part"
    assert labels["withheld_state_secret"] == "不予公开：属于国家秘密 Withheld: state secret"
    assert labels["unavailable"] == "无法提供 Unavailable"
    assert labels["other"] == "其他处理 Otherwise handled"


def test_page_sections_tables_and_links(sample_runs, page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    tree = LexborHTMLParser(html)
    assert [s.attributes["id"] for s in tree.css("section")] == list(SECTIONS)
    assert len(tree.css("svg")) == 6
    assert not tree.css("script") and not tree.css("img") and "@import" not in html
    failing = _scalar(
        sample_runs.duckdb_path, "select count(*) from rpt_reconciliation where not holds"
    )
    differences = tree.css_first("#differences tbody").css("tr")
    assert len(differences) == min(TOP_DIFFERENCES, failing)
    quarantined = tree.css_first("#quarantine tbody").css("tr")
    assert len(quarantined) == _scalar(
        sample_runs.duckdb_path, "select count(*) from rpt_quarantine"
    )
    for row in differences + quarantined:
        link = row.css_first("a")
        target = (page.parent / link.attributes["href"]).resolve()
        assert target.is_file() and target.is_relative_to(sample_runs.warehouse / "raw")
        assert link.text().startswith("reports/")


def test_cli_writes_the_page_and_fails_in_one_line(sample_runs, tmp_path: Path, capsys) -> None:
    out = tmp_path / "elsewhere" / "report.html"
    assert main(["--duckdb", str(sample_runs.duckdb_path), "--out", str(out)]) == 0
    assert out.is_file() and "**72 reports**" in capsys.readouterr().out
    # links to the archived reports are relative to where the page is
    link = LexborHTMLParser(out.read_text(encoding="utf-8")).css_first("#differences a")
    assert (out.parent / link.attributes["href"]).is_file()
    assert main(["--duckdb", str(tmp_path / "missing.duckdb"), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no warehouse at") and err.count("\n") == 1


# --- the page in a browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Path:
    return browser.chromium()


def _local_files_only(outside: list[str]):
    """A route handler that lets file: and data: URLs load and blocks (and records) the rest."""

    def handle(route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    return handle


def open_in_chromium(chromium: Path, pages: dict[str, Path], profile: Path) -> dict[str, dict]:
    """Load each page (name -> file) in one fresh headless Chromium and screenshot it to
    ARTIFACTS/<name>.png; return, per page, its console messages, page errors, failed requests
    and every request that was not for a local file (those are blocked)."""
    from playwright.sync_api import sync_playwright

    results: dict[str, dict] = {}
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(chromium),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1200, "height": 900},
        )
        try:
            for name, path in pages.items():
                seen: dict[str, list[str]] = {
                    "console": [],
                    "errors": [],
                    "failed": [],
                    "outside": [],
                }
                tab = context.new_page()
                tab.on(
                    "console", lambda m, seen=seen: seen["console"].append(f"{m.type}: {m.text}")
                )
                tab.on("pageerror", lambda e, seen=seen: seen["errors"].append(str(e)))
                tab.on("requestfailed", lambda r, seen=seen: seen["failed"].append(r.url))
                tab.route("**/*", _local_files_only(seen["outside"]))
                tab.goto(path.as_uri(), wait_until="load")
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
                tab.close()
                results[name] = seen
        finally:
            context.close()
    return results


@pytest.fixture(scope="module")
def in_chromium(chromium: Path, page: Path, tmp_path_factory) -> dict[str, dict]:
    """The quality report, and a page with a script error and an outside resource (so the
    check can be seen to fail), loaded in Chromium."""
    tmp = tmp_path_factory.mktemp("chromium")
    bad = tmp / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://cdn.invalid/x.css">'
        "</head><body><script>console.error('boom'); missing();</script></body></html>",
        encoding="utf-8",
    )
    pages = {"broken_page": bad, "quality_report": page}
    return open_in_chromium(chromium, pages, tmp / "profile")


def test_chromium_sees_errors(in_chromium: dict[str, dict]) -> None:
    seen = in_chromium["broken_page"]
    assert "error: boom" in seen["console"]
    assert seen["errors"] and seen["outside"] == ["https://cdn.invalid/x.css"]


def test_page_loads_in_chromium_without_errors(in_chromium: dict[str, dict]) -> None:
    assert in_chromium["quality_report"] == {
        "console": [],
        "errors": [],
        "failed": [],
        "outside": [],
    }
    assert (ARTIFACTS / "quality_report.png").stat().st_size > 50_000
