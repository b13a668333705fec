"""From the bytes of a published report to text the parser reads (ingest.tables.from_text).

Reports are published as web pages, but also as PDF and Word files. `read_text` tells them apart
by their first bytes, not by the file name (download links often lie about the type):

* ``%PDF-``: the text layer of the PDF, one printed line per text line. Characters that share
  a baseline form one line; where they are separated by a wide gap (a table column) the pieces
  are joined with `` | ``, so a table row reads ``label | 12 | 0 | 3``, the pipe layout the
  text parser splits into cells. Wrapped paragraph lines are joined back into one line (the
  narrative sentences must not be cut), and page furniture (``- 3 -``, ``第 3 页``, a running
  header repeated on every page) is dropped.
* a zip archive holding ``word/document.xml`` (DOCX): paragraphs as lines; each table row as
  its cells joined with `` | ``; a cell merged into the one above (``w:vMerge`` continuation)
  is left out, as a rowspan label is printed only on the first row of its group.
* ``D0 CF 11 E0`` (OLE2: legacy Word .doc, WPS): refused with a clear error.
* anything else: HTML or plain text, decoded with ingest.normalize.decode (the charset of
  the HTTP header first, when there was one).

Unreadable input raises DocumentError (a ValueError) with the reason;
`ingest.parse.parse_document` turns it into a report with status "error". The work is
bounded: PDFs over `MAX_PDF_BYTES` or `MAX_PAGES` pages are refused, and extraction stops
after `PDF_SECONDS` seconds.
"""

from __future__ import annotations

import codecs
import io
import re
import statistics
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from xml.etree import ElementTree

from ingest.normalize import decode
from ingest.tables import looks_like_html

MAX_PDF_BYTES = 50 * 1024 * 1024
MAX_PAGES = 300
PDF_SECONDS = 120.0
MAX_DOCX_XML_BYTES = 100 * 1024 * 1024

CELL_SEPARATOR = " | "


class DocumentError(ValueError):
    """A report file that cannot be read, with the reason."""


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = {
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpeg",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
}


def detect(data: bytes) -> str:
    """The kind of a report file from its first bytes: pdf | docx | doc | zip | image | rtf |
    markup (HTML or plain text, told apart after decoding)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or _zip_has_document(data) else "zip"
    if data.startswith(OLE2_MAGIC[:4]):
        return "doc"
    if any(data.startswith(m) for m in _IMAGES):
        return "image"
    if data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    return "markup"


def _zip_has_document(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


def read_text(data: bytes, charset: str | None = None) -> tuple[str, str, bytes | None]:
    """(text, kind, utf8) of one report's bytes; kind is html | text | pdf | docx. `charset`
    is the one declared by the web server, if any (see ingest.normalize.decode). `utf8` is the
    bytes themselves when they are the text exactly, in UTF-8 (most web pages): an HTML
    parser then takes them as they are instead of the text encoded again. None otherwise.

    Raises DocumentError for what cannot be read: legacy .doc, images, corrupt or oversized PDFs.
    """
    kind = detect(data)
    if kind == "pdf":
        return pdf_text(data), "pdf", None
    if kind == "docx":
        return docx_text(data), "docx", None
    if kind == "doc":
        raise DocumentError("legacy .doc not supported; convert to .docx")
    if kind == "zip":
        raise DocumentError("zip archive without word/document.xml (not a DOCX report)")
    if kind == "image":
        fmt = next(v for m, v in _IMAGES.items() if data.startswith(m))
        raise DocumentError(f"{fmt} image: tables published as images are not read")
    if kind == "rtf":
        raise DocumentError("RTF not supported; convert to .docx")
    text, encoding = decode(data, charset)
    if "\x00" in text[:4096]:
        raise DocumentError("binary content (not an HTML or text report)")
    if not looks_like_html(text):
        return text, "text", None
    return text, "html", data if _is_utf8(encoding) else None


def _is_utf8(encoding: str) -> bool:
    """Whether `encoding` (as ingest.normalize.decode names the one it used) decoded strictly
    with the UTF-8 codec: not utf-8-sig (the BOM), nor a decoding that replaced bytes."""
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


# =============================================================================================
# PDF
# =============================================================================================


@dataclass
class _Glyph:
    text: str
    x0: float
    x1: float
    y0: float
    y1: float

    @property
    def size(self) -> float:
        return max(self.y1 - self.y0, 1.0)

    @property
    def mid(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class _Line:
    """The glyphs of one baseline, split into pieces at wide gaps (table columns)."""

    pieces: list[str]
    x0: float
    x1: float
    top: float
    bottom: float
    size: float

    @property
    def text(self) -> str:
        return CELL_SEPARATOR.join(self.pieces)


# page furniture: "- 3 -", "— 3 —", "第 3 页", "第3页 共12页", "3/12", "3", "Page 3"
_PAGE_MARK = re.compile(
    r"^(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3}|\d{1,3}|page\s*\d{1,3}(?:\s*of\s*\d{1,3})?)$",
    re.I,
)
_SPACES = re.compile(r"\s{2,}")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
# a gap wider than this share of the font size separates two cells of a row
_COLUMN_GAP = 0.9
# a text line within this share of the page's text width from its right edge is full: the
# paragraph goes on in the next line
_FULL_LINE = 0.06
_MARGIN_BAND = 0.08  # top and bottom share of the page where running headers and footers sit


def pdf_text(data: bytes, *, seconds: float = PDF_SECONDS) -> str:
    """The text of a PDF report, line by line in reading order (see the module docstring)."""
    from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    if len(data) > MAX_PDF_BYTES:
        raise DocumentError(
            f"PDF of {len(data) / 1048576:.0f} MB refused (limit {MAX_PDF_BYTES // 1048576} MB)"
        )
    if b"%%EOF" not in data[-4096:]:
        raise DocumentError("truncated PDF (no %%EOF end marker)")
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        pages = []
        for page in PDFPage.create_pages(document):
            pages.append(page)
            if len(pages) > MAX_PAGES:
                raise DocumentError(f"PDF of more than {MAX_PAGES} pages refused")
        if not pages:
            raise DocumentError("corrupt PDF: no pages found")
        glyph_pages = _glyphs(pages, time.monotonic() + seconds)
    except PDFPasswordIncorrect as exc:
        raise DocumentError("encrypted PDF: a password is needed") from exc
    except DocumentError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file fails in many ways inside pdfminer
        raise DocumentError(f"corrupt PDF: {type(exc).__name__}: {exc}") from exc
    glyphs = [g for page, _height in glyph_pages for g in page]
    if not any(g.text.strip() for g in glyphs):
        raise DocumentError("PDF without a text layer (scanned images are not read)")
    unmapped = sum(g.text.startswith("(cid:") for g in glyphs)
    if unmapped > len(glyphs) / 2:
        raise DocumentError("PDF text cannot be decoded (fonts without a Unicode mapping)")
    pages_lines = [(_lines(page), height) for page, height in glyph_pages]
    return "\n".join(_reflow(_drop_furniture(pages_lines))) + "\n"


def _glyphs(pages, deadline: float) -> list[tuple[list[_Glyph], float]]:
    """Every character of every page with its box (no layout analysis: rows are built here)."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar, LTContainer
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager

    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    out = []
    for number, page in enumerate(pages, 1):
        if time.monotonic() > deadline:
            raise DocumentError(f"PDF text extraction stopped after page {number - 1} (time limit)")
        interpreter.process_page(page)
        layout = device.get_result()
        height = float(layout.height)
        chars: list[_Glyph] = []
        stack = list(layout)
        while stack:
            item = stack.pop()
            if isinstance(item, LTChar):
                if item.upright:
                    chars.append(_Glyph(item.get_text(), item.x0, item.x1, item.y0, item.y1))
            elif isinstance(item, LTContainer):
                stack.extend(item)
        out.append((chars, height))
    return out


def _lines(glyphs: list[_Glyph]) -> list[_Line]:
    """Glyphs grouped by baseline (top to bottom), each line split at column gaps."""
    rows: list[list[_Glyph]] = []
    mids: list[float] = []
    for g in sorted(glyphs, key=lambda g: -g.mid):
        if not g.text or g.text.startswith("(cid:"):
            continue  # nothing printed, or a glyph without a Unicode mapping
        # the glyph joins the row whose middle it shares (within 40% of its height)
        for i in range(len(rows) - 1, max(len(rows) - 4, -1), -1):
            if abs(mids[i] - g.mid) <= 0.4 * min(g.size, rows[i][0].size):
                rows[i].append(g)
                break
        else:
            rows.append([g])
            mids.append(g.mid)
    lines = []
    for row in rows:
        row.sort(key=lambda g: g.x0)
        size = statistics.median(g.size for g in row)
        pieces: list[str] = []
        current = ""
        last_x1 = None
        for g in row:
            if last_x1 is not None and g.x0 - last_x1 > _COLUMN_GAP * size and current.strip():
                pieces.append(current)
                current = ""
            elif last_x1 is not None and g.x0 - last_x1 > 0.15 * size and not current.endswith(" "):
                current += " "  # a word gap the PDF drew without a space character
            current += g.text
            if g.text.strip():
                last_x1 = g.x1
        pieces.append(current)
        pieces = [p.strip() for piece in pieces for p in _SPACES.split(piece) if p.strip()]
        if pieces:
            lines.append(
                _Line(
                    pieces=pieces,
                    x0=row[0].x0,
                    x1=max(g.x1 for g in row),
                    top=max(g.y1 for g in row),
                    bottom=min(g.y0 for g in row),
                    size=size,
                )
            )
    return lines


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_furniture(pages: list[tuple[list[_Line], float]]) -> list[list[_Line]]:
    """Lines without the page numbers and the running header/footer repeated on the pages."""
    in_band: Counter[str] = Counter()
    for lines, height in pages:
        keys = {_furniture_key(ln.text) for ln in lines if _in_margin(ln, height)}
        in_band.update(keys)
    repeated = {k for k, n in in_band.items() if n >= 2 and n * 2 >= len(pages)}
    seen: set[str] = set()
    kept = []
    for lines, height in pages:
        page = []
        for ln in lines:
            text = ln.text.strip()
            if _PAGE_MARK.match(text) and (_in_margin(ln, height) or not text.isdigit()):
                continue
            key = _furniture_key(text)
            if _in_margin(ln, height) and key in repeated:
                if key in seen:
                    continue  # the first one stays: a running header often repeats the title
                seen.add(key)
            page.append(ln)
        kept.append(page)
    return kept


def _in_margin(line: _Line, height: float) -> bool:
    return height > 0 and (
        line.bottom > height * (1 - _MARGIN_BAND) or line.top < height * _MARGIN_BAND
    )


def _reflow(pages: list[list[_Line]]) -> list[str]:
    """Text lines; a paragraph wrapped over several printed lines becomes one line again.

    A line continues the previous one when both are single pieces, the previous one reaches
    the right edge of the page's text, and the next starts at the left edge (a heading or the
    last line of a paragraph stops short; a wrapped table label stays inside its cell)."""
    out: list[str] = []
    for lines in pages:
        singles = [ln for ln in lines if len(ln.pieces) == 1]
        if not singles:
            out.extend(ln.text for ln in lines)
            continue
        left = min(ln.x0 for ln in singles)
        right = max(ln.x1 for ln in singles)
        width = max(right - left, 1.0)
        previous: _Line | None = None
        for ln in lines:
            joins = (
                previous is not None
                and len(previous.pieces) == 1
                and len(ln.pieces) == 1
                and previous.x1 >= right - _FULL_LINE * width
                and ln.x0 <= left + 2.5 * ln.size
                and previous.bottom - ln.top < 1.5 * ln.size
            )
            if joins:
                sep = "" if _CJK.match(out[-1][-1:]) or _CJK.match(ln.text[:1]) else " "
                out[-1] += sep + ln.text
            else:
                out.append(ln.text)
            previous = ln
    return out


# =============================================================================================
# DOCX
# =============================================================================================

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_text(data: bytes) -> str:
    """The text of a DOCX report: paragraphs as lines, table rows as pipe-separated cells."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            info = z.getinfo("word/document.xml")
            if info.file_size > MAX_DOCX_XML_BYTES:
                raise DocumentError("DOCX document.xml too large")
            xml = z.read(info)
    except KeyError as exc:
        raise DocumentError("zip archive without word/document.xml (not a DOCX report)") from exc
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise DocumentError(f"corrupt DOCX: {exc}") from exc
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise DocumentError(f"corrupt DOCX: document.xml: {exc}") from exc
    body = root.find(f"{_W}body")
    lines: list[str] = []
    _docx_block(body if body is not None else root, lines)
    return "\n".join(lines) + "\n"


def _docx_block(node: ElementTree.Element, lines: list[str]) -> None:
    for child in node:
        if child.tag == f"{_W}p":
            lines.extend(s for s in _paragraph(child).split("\n") if s.strip())
        elif child.tag == f"{_W}tbl":
            _table(child, lines)
        elif child.tag != f"{_W}sectPr":  # content controls, inserted runs: look inside
            _docx_block(child, lines)


def _paragraph(p: ElementTree.Element) -> str:
    parts = []
    for el in p.iter():
        if el.tag == f"{_W}t":
            parts.append(el.text or "")
        elif el.tag == f"{_W}tab":
            parts.append("\t")
        elif el.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif el.tag == f"{_W}noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def _table(tbl: ElementTree.Element, lines: list[str]) -> None:
    for tr in tbl.findall(f"{_W}tr"):
        cells = []
        for tc in tr.findall(f"{_W}tc"):
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if merge is not None and merge.get(f"{_W}val", "continue") == "continue":
                continue  # merged into the cell above: printed once, on the group's first row
            text = "".join(_paragraph(p) for p in tc.iter(f"{_W}p"))
            cells.append(re.sub(r"\s+", " ", text).replace("|", "/").strip())
        if any(cells):
            lines.append(CELL_SEPARATOR.join(cells))
