"""From a document (HTML page or plain text) to rows of cells in reading order.

Every rendering ends up as one `Layout`: a list of rows, each a list of cell strings, plus the
non-table text for the narrative. An HTML table row gives its cells as printed (a rowspan label
appears only in its first row, empty <td> give empty strings = blanks); a line of text is a
row of one cell; a pipe-separated line is a row of several cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

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
    return _WS.sub(" ", text).strip()


def looks_like_html(text: str) -> bool:
    head = text[:2048].lower()
    return (
        "<html" in head
        or "<body" in head
        or "<table" in text[:200_000].lower()
        or ("<div" in head and "</" in head)
    )


def from_html(text: str) -> Layout:
    tree = LexborHTMLParser(text)
    layout = Layout()
    title = tree.css_first("title")
    if title is not None:
        layout.title = _clean(title.text())
    root = tree.body or tree.root
    if root is None:
        return layout
    line: list[str] = []

    def flush() -> None:
        s = _clean("".join(line))
        line.clear()
        if s:
            layout.add([s], TEXT_GRID)
            layout.text_lines.append(s)

    # explicit stack instead of recursion: pages can nest deeper than Python's stack
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag
        if leaving:
            if tag in _BLOCK:
                flush()
            continue
        if tag == "-text":
            line.append(node.text(deep=False) or "")
            continue
        if tag in _SKIP or tag.startswith("-"):
            continue
        if tag == "table" and node.css_first("table") is None:
            flush()
            _table_rows(node, layout)
            continue
        if tag in _BLOCK:
            flush()
        stack.append((node, True))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend((c, False) for c in reversed(children))
    flush()
    return layout


def _table_rows(table, layout: Layout) -> None:
    for tr in table.css("tr"):
        cells = [_clean(td.text(separator="")) for td in tr.iter() if td.tag in ("td", "th")]
        if cells and any(cells):
            layout.add(cells, HTML_TABLE)
        elif cells:
            layout.add(cells, HTML_TABLE)


_PIPE = re.compile(r"\s*[|｜]\s*")


def from_text(text: str) -> Layout:
    layout = Layout()
    for raw in text.splitlines():
        line = _clean(raw)
        if not line:
            continue
        if "|" in line or "｜" in line:
            cells = _PIPE.split(line)
            if cells and cells[0] == "":
                cells = cells[1:]
            if cells and cells[-1] == "":
                cells = cells[:-1]
            if not any(c for c in cells):
                continue
            if len(cells) == 1:
                layout.add(cells, TEXT_GRID)
                layout.text_lines.append(cells[0])
                continue
            layout.add(cells, TEXT_GRID)
            layout.text_lines.append(" ".join(c for c in cells if c))
        else:
            layout.add([line], TEXT_GRID)
            layout.text_lines.append(line)
    return layout


def layout_of(text: str) -> Layout:
    return from_html(text) if looks_like_html(text) else from_text(text)
