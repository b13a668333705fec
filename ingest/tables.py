"""From a document (HTML page or plain text) to rows of cells in reading order.

Every rendering ends up as one `Layout`: a list of rows, each a list of cell strings, plus the
non-table text for the narrative. An HTML table row gives its cells as printed (a rowspan label
appears only in its first row, empty <td> give empty strings = blanks); a line of text is a
row of one cell; a pipe-separated line is a row of several cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import chain

from selectolax.lexbor import LexborHTMLParser, create_tag

from ingest.normalize import is_traditional, simplified_known, to_simplified
from ingest.values import BLANK_MARKS

HTML_TABLE = "html_table"
TEXT_GRID = "text_grid"

_SKIP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "select",
        "option",
        "iframe",
        "head",
        "button",
        "input",
        "textarea",
        "object",
        "embed",
        "canvas",
        "map",
    }
)
_BLOCK = frozenset(
    {
        "p",
        "div",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "hr",
        "form",
        "aside",
        "main",
        "center",
        "caption",
        "title",
        "body",
    }
)


def _tag_id(name: str) -> int:
    """lexbor's id of an HTML tag name: fixed for every name HTML defines, whatever the page (a
    node's id is read without building its name as a string)."""
    tag_id = create_tag(name).tag_id
    if tag_id >= 1 << 16:  # an id lexbor gives a name it does not define, page by page
        raise RuntimeError(f"<{name}> is not a tag name lexbor defines")
    return tag_id


def _tag_ids(names) -> frozenset[int]:
    return frozenset(map(_tag_id, names))


def _node_ids() -> tuple[int, frozenset[int]]:
    """The id of a text node, and those of the other nodes that are not elements (comment,
    doctype, document)."""
    tree = LexborHTMLParser("<!DOCTYPE html><body>text<!--comment--></body>")
    text, comment = (n.tag_id for n in tree.body.iter(include_text=True))
    document = tree.root.parent
    return text, frozenset({comment, document.tag_id, document.first_child.tag_id})


_TEXT_ID, _NOT_ELEMENT_IDS = _node_ids()
_SKIP_IDS = _tag_ids(_SKIP) | _NOT_ELEMENT_IDS
_BLOCK_IDS = _tag_ids(_BLOCK)
_TABLE_ID, _TR_ID, _TITLE_ID = map(_tag_id, ("table", "tr", "title"))
_ROW_GROUP_IDS = _tag_ids({"tbody", "thead", "tfoot"})
_CELL_IDS = _tag_ids({"td", "th"})
_WS = re.compile(r"[ \t\r\f\v\u00a0\u3000\u200b]+")


@dataclass
class Layout:
    rows: list[list[str]] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)  # per row: html_table | text_grid
    text_lines: list[str] = field(default_factory=list)  # non-table text, for the narrative
    title: str | None = None

    def add(self, cells: list[str], method: str) -> None:
        self.rows.append(cells)
        self.methods.append(method)


def _clean(text: str) -> str:
    """Runs of spaces as one space, none at either end. A number has none: it is returned
    as it is, without a lookup in the memo."""
    return text if text.isdigit() else _cleaned(text)


@lru_cache(maxsize=1 << 16)
def _cleaned(text: str) -> str:
    return _WS.sub(" ", text).strip()


def looks_like_html(text: str) -> bool:
    head = _lowered(text[:2048])
    return (
        b"<html" in head
        or b"<body" in head
        or b"<table" in _lowered(text[:200_000])
        or (b"<div" in head and b"</" in head)
    )


def _lowered(text: str) -> bytes:
    """The text in UTF-8, its ASCII letters lowered: markup (ASCII) is found there exactly
    where `text.lower()` has it, without lowering each Chinese character in turn. UTF-8 gives
    a character outside ASCII no ASCII byte, and the only such characters that lower to ASCII
    letters, İ (to i and a combining dot) and the Kelvin sign (to k), complete no tag above."""
    return text.encode("utf-8", "surrogatepass").lower()


def from_html(markup: str | bytes) -> Layout:
    """The layout of a web page: its text, or its bytes in UTF-8."""
    tree = LexborHTMLParser(markup)
    layout = Layout()
    title = _title(tree)
    if title is not None:
        layout.title = _clean(title.text())
    root = tree.body or tree.root
    if root is None:
        return layout
    line: list[str] = []
    rows, methods, text_lines = layout.rows, layout.methods, layout.text_lines

    def flush() -> None:
        if line:
            s = _clean("".join(line))
            line.clear()
            if s:
                rows.append([s])
                methods.append(TEXT_GRID)
                text_lines.append(s)

    leaf_tables = _leaf_tables(root)
    # explicit stack instead of recursion: pages can nest deeper than Python's stack; None
    # marks the end of a block element (the only elements whose end breaks a line)
    stack: list = [root]
    while stack:
        node = stack.pop()
        if node is None:
            flush()
            continue
        tag = node.tag_id
        if tag == _TEXT_ID:
            line.append(node.text_content or "")
            continue
        if tag in _SKIP_IDS:
            continue
        if tag == _TABLE_ID and node.mem_id in leaf_tables:
            flush()
            _table_rows(node, layout)
            continue
        if tag in _BLOCK_IDS:
            flush()
            stack.append(None)
        children = list(node.iter(include_text=True))
        children.reverse()
        stack.extend(children)
    flush()
    return layout


def _title(tree):
    """The page's first <title> in document order: the head's, found by walking the head's few
    nodes; only a page whose head has none is searched whole (a CSS query walks every node)."""
    head = tree.head
    if head is not None:
        for node in head.traverse():
            if node.tag_id == _TITLE_ID:
                return node
    return tree.css_first("title")


def _leaf_tables(root) -> set[int]:
    """The tables with no table inside them (mem_id): one query finds all tables, and a table
    with a table among its ancestors makes those ancestors not leaves."""
    tables = root.css("table")
    leaves = {t.mem_id for t in tables}
    if len(tables) < 2:
        return leaves
    top = root.mem_id
    for table in tables:
        node = table.parent
        while node is not None and node.mem_id != top:
            if node.tag_id == _TABLE_ID:
                leaves.discard(node.mem_id)
            node = node.parent
    return leaves


def _table_rows(table, layout: Layout) -> None:
    """The rows of a table with no table inside: its <tr> children and those of its row groups
    (where an HTML parser puts every row of such a table), each as its <td>/<th> texts."""
    for child in table.iter():
        tag = child.tag_id
        if tag == _TR_ID:
            _row(child, layout)
        elif tag in _ROW_GROUP_IDS:
            for tr in child.iter():
                if tr.tag_id == _TR_ID:
                    _row(tr, layout)


def _row(tr, layout: Layout) -> None:
    # (text_lexbor: the text of every text node inside, as text() gives it, with less work)
    cells = [_clean(td.text_lexbor()) for td in tr.iter() if td.tag_id in _CELL_IDS]
    if cells:
        layout.add(cells, HTML_TABLE)


_PIPE = re.compile(r"\s*[|｜]\s*")
# page furniture that PDF text puts inside tables: "- 3 -", "第 3 页", "3/12", "— 3 —"
_FOOTER = re.compile(
    r"^(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})$"
)
# whitespace-aligned columns (PDF layout text): two or more spaces, or a tab
_ALIGNED = re.compile(r"\s{2,}|\t")
_NUMERIC = re.compile(r"^[+\-−]?[\d,]+(?:\.\d+)?$")
_HEADER_CELL = 20  # longest text of one header cell in an aligned row
_PAGE_NUMBER = re.compile(r"^\d{1,3}$")
_CJK_CHAR = re.compile(r"^[\u4e00-\u9fff（）()]$")


def _split_cells(line: str) -> list[str]:
    """Cells of one text line: pipes, aligned columns, or a label followed by
    space-separated numbers."""
    if "|" in line or "｜" in line:
        cells = _PIPE.split(line.strip())
        framed = line.strip()[:1] in "|｜"
        if framed:  # "| a | b |": the outer pipes are a frame, not empty cells
            cells = cells[1:]
            if cells and cells[-1] == "" and line.strip()[-1:] in "|｜":
                cells = cells[:-1]
        return cells
    parts = [p for p in _ALIGNED.split(line) if p]
    if len(parts) > 1 and any(_NUMERIC.match(p) or p in BLANK_MARKS for p in parts[1:]):
        return parts
    if len(parts) > 1 and all(len(p) <= _HEADER_CELL for p in parts):
        return parts  # a header row: short labels in aligned columns (行政复议    行政诉讼)
    words = line.split(" ")
    if len(words) > 1:
        tail = 0
        while tail < len(words) and _NUMERIC.match(words[-1 - tail]):
            tail += 1
        head = " ".join(words[: len(words) - tail])
        # a label ending in a digit, a sign, a blank mark or a decimal point ("行政处罚3 26",
        # "3.其他20— 0002", "行政事业性收费35. 3998") is a glued run with a stray space
        last, before = head[-1:], head[-2:-1]
        glued = last.isdigit() or last in "+/／—–―-－" or (last in ".,．，" and before.isdigit())
        if (tail >= 2 or (tail == 1 and len(words) == 2)) and not glued:
            return ([head] if head else []) + words[len(words) - tail :]
    return [line]


@lru_cache(maxsize=1 << 16)
def _line_cells(line: str) -> tuple[tuple[str, ...], str]:
    """The cleaned cells of one text line, and their text joined by spaces (lines repeat
    from report to report: labels, blanks, small numbers)."""
    cells = tuple(_clean(c) for c in _split_cells(line))
    return cells, " ".join(c for c in cells if c)


def _page_numbers(lines: list[str]) -> set[int]:
    """Indices of bare page numbers: a short number alone between blank lines (or page breaks),
    in text whose lines are not otherwise separated by blank lines (where every line stands
    between blank lines, a lone number is a cell like any other)."""
    filled = [i for i, line in enumerate(lines) if line]
    if not filled:
        return set()
    spaced = sum(1 for i in filled if i + 1 < len(lines) and not lines[i + 1])
    if spaced > len(filled) / 3:
        return set()
    return {
        i
        for i in filled
        if _PAGE_NUMBER.match(lines[i])
        and (i == 0 or not lines[i - 1])
        and (i + 1 == len(lines) or not lines[i + 1])
    }


def _vertical_char(lines: list[str], i: int, pending: bool) -> bool:
    """Whether lines[i] is one character of a label printed one character per line. 无 and 空
    are blank cells on their own, but letters of a word among other single letters
    (（四）无法提供 printed vertically)."""
    if not _CJK_CHAR.match(lines[i]):
        return False
    if lines[i] not in BLANK_MARKS:
        return True
    following = lines[i + 1 : i + 3 - pending]
    return len(following) == 2 - pending and all(
        _CJK_CHAR.match(t) and t not in BLANK_MARKS for t in following
    )


def from_text(text: str) -> Layout:
    layout = Layout()
    pending_chars: list[str] = []  # a rowspan label printed one character per line
    raws = text.replace("\f", "\n\n").splitlines()
    lines = [_clean(raw) for raw in raws]
    page_numbers = _page_numbers(lines)
    filled = [line for line in lines if line]

    def flush_chars() -> None:
        if pending_chars:
            word = "".join(pending_chars)
            pending_chars.clear()
            layout.add([word], TEXT_GRID)
            layout.text_lines.append(word)

    k = -1  # index of the line in `filled`
    for i, raw in enumerate(raws):
        line = lines[i]
        if not line:
            continue
        k += 1
        if _FOOTER.match(line) or i in page_numbers:
            continue
        if _vertical_char(filled, k, bool(pending_chars)):
            pending_chars.append(line)
            continue
        flush_chars()
        cells, joined = _line_cells(raw if "\t" in raw or "  " in raw else line)
        if not joined:
            continue
        layout.add(list(cells), TEXT_GRID)
        layout.text_lines.append(joined)
    flush_chars()
    return layout


def _simplified(layout: Layout) -> Layout:
    """The layout with its traditional-script strings in simplified script. Only the text a
    page shows is looked at (its cells, lines and title), not the markup, scripts and style
    sheets around it, which are most of a web page."""
    strings = chain((layout.title or "",), layout.text_lines, chain.from_iterable(layout.rows))
    if not is_traditional("\n".join(strings)):
        return layout
    convert = partial(to_simplified, known_traditional=True)
    known = simplified_known()  # short strings converted before, on any page
    here: dict[str, str] = {}  # strings of this page (a text line is also a row)

    def one(text: str) -> str:
        if text.isascii():  # numbers, blanks: nothing to convert
            return text
        out = known.get(text) or here.get(text)
        if out is None:
            out = here[text] = convert(text)
        return out

    def each(texts: list[str]) -> list[str]:
        return [one(t) for t in texts]

    layout.title = layout.title and convert(layout.title)
    layout.rows = [each(row) for row in layout.rows]
    layout.text_lines = each(layout.text_lines)
    return layout


def layout_of(text: str, utf8: bytes | None = None, html: bool | None = None) -> Layout:
    """The layout of a document's text, in simplified script. A text document is converted
    before it is split into lines (its line rules read 頁, 無 as 页, 无); a web page after its
    markup is read, its shown text alone. `utf8`: the text in UTF-8 if at hand (the HTML
    parser reads UTF-8: given the text, it encodes it first). `html`: whether the text is a
    web page, when already known (`looks_like_html`)."""
    if looks_like_html(text) if html is None else html:
        return _simplified(from_html(text if utf8 is None else utf8))
    return from_text(to_simplified(text))
