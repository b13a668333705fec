"""Reports published as PDF and DOCX: every printed table value comes back; unreadable files
give status "error" with a message, never an exception."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from fixtures_documents import report_docx, report_pdf

from ingest import documents
from ingest.documents import DocumentError, detect, pdf_text, read_text
from ingest.parse import parse_document
from ingest.render import make_report

SECTIONS = ("applications", "reviews", "proactive")
LEVELS = ("province", "city", "county")


def truth_for(seed: int, version: str, **kw) -> dict:
    params = {
        "agency": "青原市生态环境局",
        "level": LEVELS[seed % 3],
        "year": 2019 + seed % 6,
        "template_proactive": version,
        "template_applications": version,
    }
    params.update(kw)
    return make_report(random.Random(seed), **params)


def wrong_cells(result: dict, truth: dict) -> list[tuple[str, str, str, object, object]]:
    out = []
    for section in SECTIONS:
        for row, cols in truth[section].items():
            for col, value in cols.items():
                got = result[section].get(row, {}).get(col, "missing")
                if got != value:
                    out.append((section, row, col, got, value))
    return out


@pytest.mark.parametrize("version", ["2019", "2021"])
@pytest.mark.parametrize("seed", range(4))
def test_pdf_report_reproduces_every_table_value(seed: int, version: str) -> None:
    truth = truth_for(seed, version, scale="large" if seed % 2 else None)
    result = parse_document(report_pdf(truth), "report.pdf")
    assert wrong_cells(result, truth) == []
    assert result["status"] == "complete"
    assert (result["agency"], result["year"]) == (truth["agency"], truth["year"])
    assert result["template"] == truth["template"]
    assert result["narrative"]["new_requests"] == truth["narrative"]["new_requests"]


@pytest.mark.parametrize("version", ["2019", "2021"])
@pytest.mark.parametrize("seed", range(3))
def test_docx_report_reproduces_every_table_value(seed: int, version: str) -> None:
    truth = truth_for(seed, version)
    result = parse_document(report_docx(truth), "report.docx")
    assert wrong_cells(result, truth) == []
    assert result["status"] == "complete"
    assert (result["agency"], result["year"]) == (truth["agency"], truth["year"])


def test_pdf_text_layout() -> None:
    truth = truth_for(5, "2021", scale="large")
    text, kind, _utf8 = read_text(report_pdf(truth))
    lines = text.splitlines()
    assert kind == "pdf"
    # a table row: the label, then each value as a cell
    row = truth["applications"]["new_requests"]
    values = " | ".join(str(row[c]) for c in row)
    assert f"一、本年新收政府信息公开申请数量 | {values}" in lines
    # the 15 review values on one line
    reviews = [str(v) for g in truth["reviews"].values() for v in g.values()]
    assert " | ".join(reviews) in lines
    # page footers gone, the running header kept once (it repeats the title)
    assert not any(line.startswith("- ") and line.endswith(" -") for line in lines)
    assert sum(line == lines[0] for line in lines) <= 2
    # a wrapped paragraph is one line again: the narrative sentence is not cut
    stated = f"共收到政府信息公开申请{truth['narrative']['new_requests']}件，依法依规按时答复"
    assert any(stated in line and line.endswith("的权利。") for line in lines)


def test_docx_table_rows_are_pipe_separated_and_merged_cells_printed_once() -> None:
    truth = truth_for(1, "2019")
    text, kind, _utf8 = read_text(report_docx(truth))
    lines = text.splitlines()
    assert kind == "docx"
    first = truth["applications"]["withheld_state_secret"]
    second = truth["applications"]["withheld_prohibited_by_law"]
    assert "（三）不予公开 | 1.属于国家秘密 | " + " | ".join(map(str, first.values())) in lines
    assert "2.其他法律行政法规禁止公开 | " + " | ".join(map(str, second.values())) in lines


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return buf.getvalue()


def _blank_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(50, 50, 400, 600, fill=1)  # a page with a picture and no text
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return report_pdf(truth_for(2, "2019"))


def unreadable(pdf: bytes) -> dict[str, tuple[bytes, str]]:
    """Files that cannot be read, with a word the error message must contain."""
    return {
        "legacy_doc": (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1024), "legacy .doc"),
        "truncated_pdf": (pdf[: len(pdf) // 2], "truncated"),
        "corrupt_pdf": (pdf[:400] + bytes(len(pdf) - 500) + pdf[-100:], "corrupt PDF"),
        "not_a_pdf": (b"%PDF-1.7\nnothing here\n%%EOF\n", "corrupt PDF"),
        "scanned_pdf": (_blank_pdf(), "text layer"),
        "spreadsheet_zip": (_zip({"xl/workbook.xml": "<workbook/>"}), "word/document.xml"),
        "corrupt_docx": (b"PK\x03\x04" + bytes(200), "DOCX"),
        "broken_docx_xml": (_zip({"word/document.xml": "<w:document"}), "corrupt DOCX"),
        "image": (b"\x89PNG\r\n\x1a\n" + bytes(64), "image"),
        "binary": (b"\x00\x01\x02\x03" * 100, "binary"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "legacy_doc",
        "truncated_pdf",
        "corrupt_pdf",
        "not_a_pdf",
        "scanned_pdf",
        "spreadsheet_zip",
        "corrupt_docx",
        "broken_docx_xml",
        "image",
        "binary",
    ],
)
def test_unreadable_files_give_status_error(pdf: bytes, name: str) -> None:
    data, word = unreadable(pdf)[name]
    result = parse_document(data, name)
    assert result["status"] == "error"
    assert word in result["error"]
    assert result["issues"][0]["severity"] == "error"
    with pytest.raises(DocumentError):
        read_text(data)


def test_legacy_doc_message() -> None:
    with pytest.raises(ValueError, match=r"legacy \.doc not supported; convert to \.docx"):
        read_text(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(512))


def test_work_is_bounded(pdf: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DocumentError, match="time limit"):
        pdf_text(pdf, seconds=0)
    monkeypatch.setattr(documents, "MAX_PAGES", 1)
    assert "more than 1 pages" in parse_document(pdf, "long.pdf")["error"]
    monkeypatch.setattr(documents, "MAX_PDF_BYTES", 1000)
    assert "refused" in parse_document(pdf, "big.pdf")["error"]


def test_markup_is_decoded_as_before() -> None:
    html = "<html><body><p>报告</p></body></html>".encode("gb18030")
    assert read_text(html) == ("<html><body><p>报告</p></body></html>", "html", None)
    assert read_text("一、总体情况\n".encode()) == ("一、总体情况\n", "text", None)
    # a page in UTF-8 comes with its bytes, which are its text exactly
    utf8 = "<html><body><p>报告</p></body></html>".encode()
    assert read_text(utf8) == (utf8.decode(), "html", utf8)
    assert detect(b"  %PDF-1.4") == "pdf"
