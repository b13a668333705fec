"""Reports printed as PDF (reportlab) and DOCX (zipfile) from a generated truth.

Both are built from one plain description of the report (`report_blocks`): the title, the
narrative paragraphs, the section headings and the three statistic tables as rows of cells.
The PDF draws each table row as its label at the left and the values at fixed column
positions; a label too long for its column wraps over several lines and the values sit at
the middle of the label, as word processors print a vertically centred cell. Pages get a
running header and a ``- n -`` footer. The DOCX holds real ``w:tbl`` tables; a group label
(（三）不予公开) spans its sub-rows with ``w:vMerge``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from ingest.codes import (
    APPLICANT_COLUMNS,
    OUTCOMES,
    REVIEW_GROUPS,
    application_rows,
    by_code,
    proactive_layout,
)
from ingest.render import (
    APPLICANT_HEADER,
    ARTICLE,
    ITEM_CLAUSE,
    ITEM_HEADER,
    LEDGER_NOTE,
    RESULTS_LABEL,
    SECTION_HEADINGS,
)

FONT = "STSong-Light"


@dataclass
class Table:
    """Rows of cells; a row is (group label or None, label, values). A header row has an
    empty label and its header cells as values."""

    role: str
    columns: int
    rows: list[tuple[str | None, str, list[str]]] = field(default_factory=list)


Block = tuple[str, object]  # ("title" | "heading" | "para", text) or ("table", Table)


def _value(v, measure: str = "") -> str:
    if v is None:
        return "/"
    if measure == "change" and v > 0:
        return f"+{v}"
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".")
    return str(v)


def _label(code_labels: tuple[str, ...], version: str) -> str:
    return code_labels[0] if version == "2019" else code_labels[-1]


def title_of(truth: dict) -> str:
    return f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告"


def report_blocks(truth: dict) -> list[Block]:
    """The report in reading order: title, narrative, headings and tables."""
    n = truth["narrative"]
    blocks: list[Block] = [
        ("title", title_of(truth)),
        (
            "para",
            f"本报告根据《中华人民共和国政府信息公开条例》要求编制，全文包括总体情况、主动公开"
            f"政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
            f"存在的主要问题及改进情况、其他需要报告的事项。本报告所列数据的统计期限自"
            f"{truth['year']}年1月1日起至{truth['year']}年12月31日止。",
        ),
        ("heading", SECTION_HEADINGS[0]),
        (
            "para",
            f"（二）依申请公开。{truth['year']}年共收到政府信息公开申请"
            f"{n.get('new_requests', 0)}件，依法依规按时答复，进一步规范依申请公开受理、"
            "审查、答复程序，畅通申请渠道，依法保障公众获取政府信息的权利。",
        ),
        ("heading", SECTION_HEADINGS[1]),
    ]
    blocks += [("table", t) for t in _proactive_tables(truth)]
    blocks += [("heading", SECTION_HEADINGS[2]), ("para", LEDGER_NOTE)]
    blocks.append(("table", _application_table(truth)))
    blocks.append(("heading", SECTION_HEADINGS[3]))
    blocks.append(("table", _review_table(truth)))
    blocks += [
        ("heading", SECTION_HEADINGS[4]),
        (
            "para",
            "本年度政府信息公开工作仍存在一些不足：一是公开内容的系统性有待加强；二是政策解读"
            "形式较为单一。下一步，将加强培训，完善制度，推动政务公开工作再上新台阶。",
        ),
        ("heading", SECTION_HEADINGS[5]),
        ("para", "本年度无其他需要报告的事项。"),
    ]
    return blocks


def _proactive_tables(truth: dict) -> list[Table]:
    version = truth["template"]["proactive"]
    layout = proactive_layout(version)
    labels = by_code("proactive")
    tables: list[Table] = []
    for item, measures in layout.items():
        clause = ITEM_CLAUSE[item]
        if not tables or tables[-1].role != clause:
            t = Table(clause, len(measures))
            t.rows.append((None, ARTICLE.format(clause=clause), []))
            t.rows.append(
                (None, ITEM_HEADER, [_label(labels[m].labels, version) for m in measures])
            )
            tables.append(t)
        values = truth["proactive"][item]
        tables[-1].rows.append(
            (None, _label(labels[item].labels, version), [_value(values[m], m) for m in measures])
        )
    return tables


def _application_table(truth: dict) -> Table:
    version = truth["template"]["applications"]
    labels = by_code("applications")
    columns = by_code("applicant")
    t = Table("applications", len(APPLICANT_COLUMNS))
    t.rows.append((None, APPLICANT_HEADER, []))
    t.rows.append((None, "", [columns[c].label_zh for c in APPLICANT_COLUMNS]))
    for r in application_rows(version):
        label = labels[r].label_zh
        group, _, sub = label.partition(" ")
        if r == "granted":
            t.rows.append((None, RESULTS_LABEL, []))
        values = [_value(truth["applications"][r][c]) for c in APPLICANT_COLUMNS]
        t.rows.append((group, sub, values) if sub else (None, label, values))
    return t


def _review_table(truth: dict) -> Table:
    labels = by_code("reviews")
    review = labels["review"].label_zh
    litigation, direct = labels["litigation_direct"].label_zh.split(" ", 1)
    after = labels["litigation_after_review"].label_zh.split(" ", 1)[1]
    outcomes = [labels[o].label_zh for o in OUTCOMES]
    t = Table("reviews", 3 * len(OUTCOMES))
    blank = [""] * (len(OUTCOMES) - 1)
    t.rows.append((None, "", [review, *blank, litigation, *blank, "", *blank]))
    t.rows.append((None, "", ["", *blank, direct, *blank, after, *blank]))
    t.rows.append((None, "", outcomes * 3))
    t.rows.append(
        (None, "", [_value(truth["reviews"][g][o]) for g in REVIEW_GROUPS for o in OUTCOMES])
    )
    return t


# =============================================================================================
# PDF
# =============================================================================================

PAGE_W, PAGE_H = 595.0, 842.0
LEFT, RIGHT, TOP, BOTTOM = 50.0, 545.0, 790.0, 70.0


def _wrap(text: str, width: float, size: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for ch in text:
        if line and stringWidth(line + ch, FONT, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


class _Pages:
    def __init__(self, title: str) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        self.buf = io.BytesIO()
        self.c = canvas.Canvas(self.buf, pagesize=(PAGE_W, PAGE_H), invariant=1)
        self.title = title
        self.page = 0
        self.y = 0.0
        self.group: str | None = None  # the group label last printed
        self._start()

    def _start(self) -> None:
        self.page += 1
        self.c.setFont(FONT, 8)
        self.c.drawCentredString(PAGE_W / 2, 815, self.title)
        self.y = TOP

    def _finish(self) -> None:
        self.c.setFont(FONT, 9)
        self.c.drawCentredString(PAGE_W / 2, 35, f"- {self.page} -")
        self.c.showPage()

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self._finish()
            self._start()

    def text(self, x: float, y: float, text: str, size: float, right: float | None = None):
        self.c.setFont(FONT, size)
        if right is None:
            self.c.drawString(x, y, text)
        else:
            self.c.drawRightString(right, y, text)

    def close(self) -> bytes:
        self._finish()
        self.c.save()
        return self.buf.getvalue()


def _column_x(table: Table) -> tuple[float, float]:
    """(x of the first value column, column width)."""
    first = 220.0 if table.columns <= 7 else LEFT
    return first, (RIGHT - first) / table.columns


def _is_value(text: str) -> bool:
    return text == "/" or text.lstrip("+-").replace(".", "", 1).isdigit()


def _draw_table(pages: _Pages, table: Table) -> None:
    first, width = _column_x(table)
    label_right = first - 8 if first > LEFT else RIGHT
    for group, label, values in table.rows:
        if group and group != pages.group:
            pages.need(14)
            pages.text(LEFT, pages.y, group, 9)
            pages.y -= 13
        pages.group = group
        is_header = any(v and not _is_value(v) for v in values)
        size = min(8.0, (width - 3) / 4) if is_header else 9.0
        x_label = LEFT + (12 if group else 0)
        label_lines = _wrap(label, label_right - x_label, 9) if label else []
        value_lines = {i: _wrap(v, width - 3, size) for i, v in enumerate(values) if v}
        depth = max([len(label_lines)] + [len(v) for v in value_lines.values()] + [1])
        pages.need(depth * 12 + 2)
        top = pages.y
        for k, line in enumerate(label_lines):
            pages.text(x_label, top - 12 * k, line, 9)
        for i, lines in value_lines.items():
            # centred in the row: the values of a wrapped label sit at its middle line(s)
            start = top - 12 * (depth - len(lines)) / 2
            for k, line in enumerate(lines):
                x0 = first + i * width
                if is_header:
                    pages.text(x0 + 1, start - 12 * k, line, size)
                else:
                    pages.text(0, start - 12 * k, line, size, right=x0 + width - 3)
        pages.y = top - 12 * depth - 3
    pages.y -= 8


def report_pdf(truth: dict) -> bytes:
    """The report as a PDF with a Chinese CID font (no font file needed)."""
    pages = _Pages(title_of(truth))
    for kind, content in report_blocks(truth):
        if kind == "table":
            _draw_table(pages, content)  # type: ignore[arg-type]
            continue
        text = str(content)
        size = 14.0 if kind == "title" else 11.0
        if kind == "para":
            text = "\u3000\u3000" + text
        for line in _wrap(text, RIGHT - LEFT, size):
            pages.need(size + 6)
            x = (PAGE_W - len(line) * size) / 2 if kind == "title" else LEFT
            pages.text(x, pages.y, line, size)
            pages.y -= size + 6
        pages.y -= 4
    return pages.close()


# =============================================================================================
# DOCX
# =============================================================================================

_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def _p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _tc(text: str, span: int = 1, merge: str | None = None) -> str:
    props = ""
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if merge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif merge == "continue":
        props += "<w:vMerge/>"
    pr = f"<w:tcPr>{props}</w:tcPr>" if props else ""
    return f"<w:tc>{pr}{_p(text) if text or merge != 'continue' else '<w:p/>'}</w:tc>"


def _docx_reviews(table: Table) -> str:
    """Section 四 as the national form: 3-level header (the review outcomes span two rows),
    one row of 15 values."""
    (_, _, top), (_, _, middle), (_, _, outcomes), (_, _, values) = table.rows
    n = len(OUTCOMES)
    review, litigation = top[0], top[n]
    direct, after = middle[n], middle[2 * n]
    rows = [
        _tc(review, span=n) + _tc(litigation, span=2 * n),
        "".join(_tc(o, merge="restart") for o in outcomes[:n])
        + _tc(direct, span=n)
        + _tc(after, span=n),
        "".join(_tc("", merge="continue") for _ in range(n))
        + "".join(_tc(o) for o in outcomes[n:]),
        "".join(_tc(v) for v in values),
    ]
    grid = '<w:gridCol w:w="600"/>' * table.columns
    body = "".join(f"<w:tr>{r}</w:tr>" for r in rows)
    return f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"


def _docx_table(table: Table) -> str:
    if table.role == "reviews":
        return _docx_reviews(table)
    width = table.columns + 2
    rows = []
    previous_group = None
    for group, label, values in table.rows:
        if not values:
            cells = _tc(label, span=width)
        elif group:
            merge = "continue" if group == previous_group else "restart"
            cells = _tc(group if merge == "restart" else "", merge=merge) + _tc(label)
        else:
            cells = _tc(label, span=2)
        cells += "".join(_tc(v) for v in values)
        previous_group = group
        rows.append(f"<w:tr>{cells}</w:tr>")
    grid = "".join('<w:gridCol w:w="900"/>' for _ in range(width))
    return f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


def report_docx(truth: dict) -> bytes:
    """The report as a minimal valid DOCX (document.xml with w:tbl tables)."""
    body = "".join(
        _docx_table(content) if kind == "table" else _p(str(content))  # type: ignore[arg-type]
        for kind, content in report_blocks(truth)
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_NS}>'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", document)
    return buf.getvalue()
