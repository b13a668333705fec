"""The synthetic report generator: truths that obey the identities, renderings that print them."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest
from selectolax.lexbor import LexborHTMLParser

from ingest import checks
from ingest.codes import (
    APPLICANT_COLUMNS,
    OUTCOMES,
    REVIEW_GROUPS,
    application_rows,
    by_code,
    proactive_layout,
)
from ingest.render import (
    BREAKABLE,
    RENDERINGS,
    make_report,
    render,
    to_traditional,
)

COMBOS = [("2019", "2019"), ("2021", "2021"), ("2021", "2019"), ("2019", "2021")]
LEVELS = ("province", "city", "county")
SCALES = ("none", "small", "medium", "large")
BLANKS = {"", "/", "—", "-", "无"}


def truth_for(seed: int, **kw) -> dict:
    proactive_v, applications_v = COMBOS[seed % len(COMBOS)]
    params = {
        "agency": "青原市人民政府",
        "level": LEVELS[seed % 3],
        "year": 2019 + seed % 6,
        "template_proactive": proactive_v,
        "template_applications": applications_v,
        "scale": SCALES[seed % 4],
    }
    params.update(kw)
    return make_report(random.Random(seed), **params)


def hard_failures(truth: dict) -> list[list[str]]:
    return [
        [c["identity"], c["at"]]
        for c in checks.evaluate(truth)
        if c["holds"] is False and not c["soft"]
    ]


def norm(text: str) -> str:
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return re.sub(r"^(\d{1,2})[、.]", r"\1.", t)


def tokens(doc: str, rendering: str) -> list[str]:
    """The document as a flat sequence of cells (and text lines) in reading order."""
    if rendering == "html":
        tree = LexborHTMLParser(doc)
        return [td.text(separator="").strip() for td in tree.css("td")]
    if rendering == "pipe":
        return [c.strip() for line in doc.splitlines() for c in line.split(" | ")]
    return [line.strip() for line in doc.splitlines() if line.strip()]


def find_run(toks: list[str], label: str | None, values: list) -> bool:
    """Is there a cell `label` directly followed by cells printing `values`?"""
    want = norm(label) if label is not None else None
    n = len(values)
    for i in range(len(toks)):
        start = i
        if want is not None:
            if norm(toks[i]) != want:
                continue
            start = i + 1
        cells = toks[start : start + n]
        if len(cells) == n and all(
            (v is None and c in BLANKS) or (v is not None and number(c) == v)
            for c, v in zip(cells, values, strict=True)
        ):
            return True
    return False


def number(cell: str) -> float | None:
    t = unicodedata.normalize("NFKC", cell).replace(",", "").replace("(万元", "")
    scale = 1.0
    if t.endswith("元"):
        t, scale = t[:-1], 1 / 10000
    try:
        return round(float(t) * scale, 6)
    except ValueError:
        return None


# --- the truth -----------------------------------------------------------------------------


def test_same_seed_same_truth_and_bytes():
    for seed in range(4):
        assert truth_for(seed) == truth_for(seed)
        truth = truth_for(seed)
        for rendering in RENDERINGS:
            for script in ("simplified", "traditional"):
                a = render(truth, rendering, script, random.Random(seed))
                b = render(truth, rendering, script, random.Random(seed))
                assert a == b


def test_truth_has_the_contract_shape():
    for seed in range(8):
        truth = truth_for(seed)
        proactive_v, applications_v = COMBOS[seed % len(COMBOS)]
        assert truth["template"] == {"proactive": proactive_v, "applications": applications_v}
        assert list(truth["applications"]) == list(application_rows(applications_v))
        for row in truth["applications"].values():
            assert list(row) == list(APPLICANT_COLUMNS)
        assert list(truth["reviews"]) == list(REVIEW_GROUPS)
        for row in truth["reviews"].values():
            assert list(row) == list(OUTCOMES)
        layout = proactive_layout(proactive_v)
        assert {k: tuple(v) for k, v in truth["proactive"].items()} == layout
        assert truth["status"] == "complete"
        assert truth["level"] == LEVELS[seed % 3]
        assert "new_requests" in truth["narrative"]


def test_every_identity_holds_without_a_break():
    for seed in range(60):
        truth = truth_for(seed, scale=None if seed % 5 == 0 else SCALES[seed % 4])
        assert hard_failures(truth) == []
        assert truth["expected_failures"] == []
        narrative = [c for c in checks.evaluate(truth) if c["identity"] == "narrative"]
        assert len(narrative) == len(truth["narrative"])
        assert all(c["holds"] for c in narrative)


@pytest.mark.parametrize("identity", BREAKABLE)
def test_a_break_fails_exactly_the_recorded_checks(identity):
    for seed in range(12):
        truth = truth_for(seed, break_identity=identity)
        failures = hard_failures(truth)
        assert failures == truth["expected_failures"]
        assert identity in {i for i, _ in failures}


def test_blank_cells_are_null_and_keep_the_identities():
    blanked = []
    for seed in range(300):
        truth = truth_for(seed, scale="small")
        if any(v is None for row in truth["applications"].values() for v in row.values()):
            blanked.append(truth)
    assert blanked
    for truth in blanked:
        assert hard_failures(truth) == []
        assert any(c["reading"] == "blank_as_zero" for c in checks.evaluate(truth))


def test_carried_over_is_taken_as_given():
    given = {"natural_person": 4, "legal_service_org": 1}
    truth = truth_for(1, carried_over=given)
    row = truth["applications"]["carried_over"]
    assert row["natural_person"] == 4 and row["legal_service_org"] == 1 and row["total"] == 5


def test_tables_lost_and_no_statistics():
    lost = truth_for(3, kind="narrative_only")
    assert lost["status"] == "narrative_only"
    assert not {"applications", "reviews", "proactive"} & set(lost)
    assert "new_requests" in lost["narrative"]
    none = truth_for(3, kind="no_statistics")
    assert none["status"] == "no_statistics" and none["narrative"] == {}
    for rendering in RENDERINGS:
        doc, _ = render(lost, rendering, "simplified", random.Random(2))
        assert "<table" not in doc
        assert f"{lost['narrative']['new_requests']}件" in doc
        for heading in ("二、主动公开", "三、收到和处理", "四、政府信息公开行政复议"):
            assert heading in doc
        doc, _ = render(none, rendering, "simplified", random.Random(2))
        assert "<table" not in doc
        assert re.search(r"\d+件", doc) is None


def test_invalid_arguments_are_refused():
    with pytest.raises(ValueError):
        truth_for(0, kind="narrative_only", break_identity="ledger")
    with pytest.raises(ValueError):
        truth_for(0, break_identity="typo")
    with pytest.raises(ValueError):
        truth_for(0, template_applications="2020")
    with pytest.raises(ValueError):
        render(truth_for(0), "pdf", "simplified", random.Random(0))


# --- the renderings ------------------------------------------------------------------------


@pytest.mark.parametrize("rendering", list(RENDERINGS))
def test_each_rendering_prints_every_row_and_value(rendering):
    for seed in range(12):
        truth = truth_for(seed, break_identity=BREAKABLE[seed % 4] if seed % 3 == 0 else None)
        doc, ext = render(truth, rendering, "simplified", random.Random(seed + 100))
        assert ext == ("html" if rendering == "html" else "txt")
        toks = tokens(doc, rendering)
        labels = by_code("applications")
        for code, row in truth["applications"].items():
            label = labels[code].label_zh.split(" ", 1)[-1]
            values = [row[c] for c in APPLICANT_COLUMNS]
            assert find_run(toks, label, values), (seed, code)
        values = [truth["reviews"][g][o] for g in REVIEW_GROUPS for o in OUTCOMES]
        assert find_run(toks, None, values), seed
        items = by_code("proactive")
        version = truth["template"]["proactive"]
        for item, measures in truth["proactive"].items():
            label = items[item].labels[0 if version == "2019" else -1]
            assert find_run(toks, label, list(measures.values())), (seed, item)
        for heading in ("一、总体情况", "六、其他需要报告的事项", "申请人情况", "行政诉讼"):
            assert heading in doc


def test_html_is_a_full_page_with_the_template_structure():
    truth = truth_for(5)
    doc, _ = render(truth, "html", "simplified", random.Random(9))
    assert '<meta charset="utf-8">' in doc
    assert f"{truth['agency']}" in doc and "政府信息公开工作年度报告" in doc
    tree = LexborHTMLParser(doc)
    value_rows = [tr for tr in tree.css("tr") if len(tr.css("td")) == 15]
    assert len(value_rows) == 1
    spans = [td.attributes.get("rowspan") for td in tree.css("td")]
    assert str(len(truth["applications"]) - 3) in spans  # 三、本年度办理结果 over its rows


def test_traditional_uses_taiwan_phrasing():
    truth = truth_for(0)  # 2019 section 二: 规范性文件
    for rendering in RENDERINGS:
        simplified, _ = render(truth, rendering, "simplified", random.Random(4))
        traditional, _ = render(truth, rendering, "traditional", random.Random(4))
        assert "文件" in simplified
        assert "檔案" in traditional and "文件" not in traditional
        assert "規範性檔案" in traditional
    assert to_traditional("门户网站") == "入口網站"


def test_the_text_states_exactly_the_narrative():
    for seed in range(24):
        truth = truth_for(seed)
        rendering = list(RENDERINGS)[seed % 3]
        doc, _ = render(truth, rendering, "simplified", random.Random(seed))
        n = truth["narrative"]
        for key, value in n.items():
            assert f"{value}件" in doc, (seed, key)
        stated_review = re.search(r"行政复议(案件)?(\d+)件", doc)
        assert (stated_review is not None) == ("review_total" in n)
        if stated_review:
            assert int(stated_review[2]) == n["review_total"]
            litigation = re.search(r"行政诉讼(案件)?(\d+)件", doc)
            assert int(litigation[2]) == n["litigation_total"]
