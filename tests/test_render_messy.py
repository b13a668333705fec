"""The messy renderings: deterministic, and each prints what it claims with the truth intact."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest
from selectolax.lexbor import LexborHTMLParser

from ingest import checks
from ingest.codes import APPLICANT_COLUMNS, OUTCOMES, REVIEW_GROUPS, by_code
from ingest.noise import TYPOS, blank_totals, noisy_label, without_reviews
from ingest.render import (
    ALL_RENDERINGS,
    MESSY_RENDERINGS,
    RENDERINGS,
    adapt_truth,
    make_report,
    render,
    render_bytes,
)

SEEDS = range(8)
FOOTER = re.compile(r"^(?:[-—]\s*\d+\s*[-—]|第\s*\d+\s*页.*|\d{1,2})$")


def truth_for(seed: int, **kw) -> dict:
    versions = [("2019", "2019"), ("2021", "2021"), ("2021", "2019")][seed % 3]
    params = {
        "agency": "青原市人民政府",
        "level": "city",
        "year": 2019 + seed % 6,
        "template_proactive": versions[0],
        "template_applications": versions[1],
        "scale": ("small", "medium", "large")[seed % 3],
    }
    params.update(kw)
    return make_report(random.Random(seed), **params)


def text_of(truth: dict, rendering: str, seed: int) -> str:
    data, _ = render_bytes(truth, rendering, "simplified", random.Random(seed))
    return data.decode("utf-8")


def printed(value) -> str | None:
    return None if value is None else str(value)


def norm(text: str) -> str:
    """Spaces gone, full-width forms half-width, numbering 1、/1． written 1."""
    return re.sub(r"(\d)[、．]", r"\1.", unicodedata.normalize("NFKC", text).replace(" ", ""))


def app_rows(truth: dict):
    labels = by_code("applications")
    for code, row in truth["applications"].items():
        yield code, labels[code].label_zh.split(" ", 1)[-1], [row[c] for c in APPLICANT_COLUMNS]


# --- API ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("rendering", list(MESSY_RENDERINGS))
def test_same_seed_same_bytes(rendering):
    for seed in range(3):
        for script in ("simplified", "traditional"):
            a = adapt_truth(truth_for(seed), rendering, random.Random(seed))
            b = adapt_truth(truth_for(seed), rendering, random.Random(seed))
            assert a == b
            assert render_bytes(a, rendering, script, random.Random(seed)) == render_bytes(
                b, rendering, script, random.Random(seed)
            )


def test_every_rendering_is_listed_and_rendered():
    assert set(ALL_RENDERINGS) == set(RENDERINGS) | set(MESSY_RENDERINGS)
    assert not set(RENDERINGS) & set(MESSY_RENDERINGS)
    truth = truth_for(1)
    for rendering in ALL_RENDERINGS:
        data, ext = render_bytes(truth, rendering, "traditional", random.Random(1))
        assert isinstance(data, bytes) and data and ext in ("html", "txt")
    with pytest.raises(ValueError):
        render_bytes(truth, "pdf", "simplified", random.Random(0))
    # the plain renderings give the same text through render and render_bytes
    for rendering in RENDERINGS:
        text, _ = render(truth, rendering, "simplified", random.Random(3))
        data, _ = render_bytes(truth, rendering, "simplified", random.Random(3))
        assert data == text.encode("utf-8")


# --- PDF text -----------------------------------------------------------------------------------


def test_pdf_layout_aligns_values_wraps_labels_and_prints_footers():
    wrapped = vertical = footers = 0
    for seed in SEEDS:
        truth = truth_for(seed)
        doc = text_of(truth, "pdf_layout", seed)
        lines = doc.splitlines()
        for _code, _label, values in app_rows(truth):
            want = r"\s{2,}".join(re.escape(printed(v) or "") + r"\S*" for v in values)
            hits = [ln for ln in lines if re.search(r"\s{2,}" + want + "$", ln)]
            assert hits, (seed, values)
        footers += sum(bool(FOOTER.match(ln.strip())) for ln in lines)
        wrapped += sum(ln.startswith("  ") and not re.search(r"\d", ln) for ln in lines)
        vertical += "\n（\n" in doc or "\n(\n" in doc
    assert footers and wrapped and vertical


def test_pdf_text_prints_one_cell_per_line_some_values_before_their_label():
    early = footers = 0
    for seed in SEEDS:
        truth = truth_for(seed)
        lines = [ln.strip() for ln in text_of(truth, "pdf_text", seed).splitlines()]
        footers += sum(bool(FOOTER.match(ln)) for ln in lines if ln)
        for _code, label, values in app_rows(truth):
            cells = [printed(v) for v in values]
            starts = [
                i
                for i in range(len(lines) - 7)
                if all(c is None or lines[i + k] == c for k, c in enumerate(cells))
            ]
            assert starts, (seed, label)
            before = "".join(lines[max(0, starts[0] - 12) : starts[0]])
            early += label not in before.replace(" ", "")
    assert early and footers


def test_flat_glues_the_numbers_of_a_row_to_its_label():
    spaced = 0
    for seed in SEEDS:
        truth = truth_for(seed)
        doc = text_of(truth, "flat", seed)
        squeezed = {norm(ln) for ln in doc.splitlines()}
        for _code, label, values in app_rows(truth):
            label = norm(label)
            digits = "".join(printed(v) or "" for v in values if v is not None)
            assert any(
                label in ln and re.sub(r"[^\d]", "", ln.split(label, 1)[1]) == digits
                for ln in squeezed
            ), (seed, label)
        reviews = "".join(str(truth["reviews"][g][o]) for g in REVIEW_GROUPS for o in OUTCOMES)
        assert reviews in squeezed
        spaced += bool(re.search(r"\d \d", doc))
    assert spaced


# --- HTML variants ------------------------------------------------------------------------------


def test_html_split_reviews_prints_three_five_column_tables():
    truth = truth_for(2)
    tree = LexborHTMLParser(text_of(truth, "html_split_reviews", 2))
    rows = [tr for tr in tree.css("tr") if len(tr.css("td")) in (5, 15)]
    values = [[td.text().strip() for td in tr.css("td")] for tr in rows]
    assert not [v for v in values if len(v) == 15]
    for g in REVIEW_GROUPS:
        assert [str(truth["reviews"][g][o]) for o in OUTCOMES] in values


def test_html_no_reviews_drops_section_four_from_truth_and_page():
    truth = adapt_truth(truth_for(3), "html_no_reviews", random.Random(0))
    assert "reviews" not in truth and truth["status"] == "partial"
    doc = text_of(truth, "html_no_reviews", 3)
    assert "四、政府信息公开行政复议" in doc and "结果维持" not in doc
    assert without_reviews(truth) == truth


def test_html_chrome_nests_the_report_in_layout_tables():
    doc = text_of(truth_for(4), "html_chrome", 4)
    tree = LexborHTMLParser(doc)
    assert any(t.css("table")[1:] for t in tree.css("table"))  # a table holding tables
    assert "累计访问" in doc and "网站标识码" in doc
    assert sum(1 for t in tree.css("table") if len(t.css("table")) == 1) > 5


def test_html_split_labels_breaks_row_labels_inside_cells():
    doc = text_of(truth_for(5), "html_split_labels", 5)
    tree = LexborHTMLParser(doc)
    split = [
        td
        for td in tree.css("td")
        if len(td.css("p")) + len(td.css("span")) >= 2 and "公开" in td.text()
    ]
    assert len(split) > 5


@pytest.mark.parametrize("rendering", ["html_gbk_meta", "html_gbk_bare"])
def test_gbk_pages(rendering):
    truth = truth_for(6)
    data, ext = render_bytes(truth, rendering, "simplified", random.Random(6))
    assert ext == "html"
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("gbk")
    assert "政府信息公开工作年度报告" in text
    assert ("charset=gb2312" in text) == (rendering == "html_gbk_meta")
    assert ("charset" in text.lower()) == (rendering == "html_gbk_meta")
    traditional, _ = render_bytes(truth, rendering, "traditional", random.Random(6))
    assert "報告" in traditional.decode("gb18030")


# --- noise and blanks ---------------------------------------------------------------------------


def test_noisy_label_forms():
    rng = random.Random(0)
    seen = {noisy_label(rng, "2.其他法律行政法规禁止公开", 1.0) for _ in range(50)}
    assert all("其他法律行政止公开" in s.replace(" ", "").replace("\u3000", "") for s in seen)
    assert {s[1] for s in seen} >= {"、", "．"}
    assert any(re.search(r"\S[ \u3000]+\S", s) for s in seen)
    assert noisy_label(random.Random(1), "行政复议", 1.0).replace(" ", "") == "行政法复议"
    assert noisy_label(random.Random(1), "（一）予以公开", 0.0) == "（一）予以公开"
    brackets = {noisy_label(random.Random(i), "（一）予以公开", 1.0) for i in range(20)}
    assert any("(" in b for b in brackets)


@pytest.mark.parametrize("rendering", ["html_noisy", "text_noisy"])
def test_noisy_renderings_change_labels_not_numbers(rendering):
    typos = 0
    for seed in SEEDS:
        truth = truth_for(seed)
        doc = text_of(truth, rendering, seed)
        typos += any(wrong in doc for _right, wrong in TYPOS)
        if rendering == "text_noisy":
            lines = [ln.strip() for ln in doc.splitlines()]
            for _code, _label, values in app_rows(truth):
                cells = [printed(v) for v in values]
                assert any(
                    all(c is None or lines[i + k] == c for k, c in enumerate(cells))
                    for i in range(len(lines) - 7)
                )
    assert typos


def test_blank_total_column_is_null_and_read_blank_unknown():
    truth = adapt_truth(truth_for(7), "blank_total", random.Random(7))
    totals = [row["total"] for row in truth["applications"].values()]
    assert totals.count(None) >= len(totals) // 2
    assert truth["expected_failures"] == []
    readings = {c["reading"] for c in checks.evaluate(truth) if c["identity"] == "applicants"}
    assert "blank_unknown" in readings
    tree = LexborHTMLParser(text_of(truth, "blank_total", 7))
    row = next(tr for tr in tree.css("tr") if "本年新收" in tr.text())
    assert len(row.css("td")) == 8
    again = blank_totals(truth_for(7), random.Random(7))
    assert again == truth
