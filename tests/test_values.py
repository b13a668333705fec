"""Numbers as cells print them: with a footnote mark, with a count's unit.

NFKC, which the parser applies to read full-width digits, turns circled, parenthesised and
superscript numbers into plain digits. Right after a number they are footnote marks, so they are
dropped before the number is read (the raw text keeps them): 12① is 12 with a note, not 121. A
circled number anywhere else in a cell is numbering, and the cell is text. A count may carry its
unit (12件, 3（项）).
"""

from __future__ import annotations

import random
import re

import pytest
from conftest import report_2022

from ingest.parse import parse_document
from ingest.render import render
from ingest.values import Cell, read_cell


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12①", 12),
        ("35¹", 35),
        ("8*", 8),
        ("１２⑵", 12),
        ("0※", 0),
        ("-18②", -18),
        ("1,234⒈", 1234),
    ],
)
def test_a_footnote_mark_after_a_number_is_not_a_digit(text: str, value: int) -> None:
    assert read_cell(text) == Cell(value, text)


@pytest.mark.parametrize(
    ("text", "value"), [("12件", 12), ("12 件", 12), ("12（件）", 12), ("3项", 3), ("-3个", -3)]
)
def test_a_count_may_carry_its_unit(text: str, value: int) -> None:
    assert read_cell(text) == Cell(value, text)


@pytest.mark.parametrize("text", ["①", "8①0", "⑴", "²", "件", "12件件"])
def test_a_circled_number_elsewhere_is_text(text: str) -> None:
    assert read_cell(text) is None


def _values(result: dict) -> dict:
    return {s: result[s] for s in ("applications", "reviews", "proactive")}


TABLES = ["html", "text_cells", "pipe", "pdf_layout", "pdf_text"]


@pytest.mark.parametrize(
    ("rendering", "mark"),
    [(r, m) for r in [*TABLES, "flat"] for m in ("①", "¹", "*")]
    + [(r, m) for r in TABLES for m in ("件", " 件", "（件）")],
)
def test_a_marked_value_parses_as_the_unmarked_one(rendering: str, mark: str) -> None:
    """The first value of the 予以公开 row carries a footnote mark or its unit: every table
    reads as without it, in every rendering (a footnote mark in a flattened copy too, inside a
    glued digit run)."""
    tried = 0
    for seed in range(12):
        truth = report_2022(seed)
        text, ext = render(truth, rendering, "simplified", random.Random(seed))
        first = str(truth["applications"]["granted"]["natural_person"])
        at = text.index("予以公开")
        if rendering == "flat":  # the row's run starts right after its label
            at += len("予以公开")
            m = re.compile(first).match(text, at)
        else:
            around = r"(?<=>){}(?=<)" if rendering == "html" else r"(?<![\d.]){}(?![\d.])"
            m = re.compile(around.format(first)).search(text, at)
        if m is None:
            continue
        marked = text[: m.end()] + mark + text[m.end() :]
        plain = parse_document(text.encode(), f"r.{ext}")
        noted = parse_document(marked.encode(), f"r.{ext}")
        assert _values(noted) == _values(plain), seed
        if rendering != "flat":  # (a glued run's raw is the run as read)
            assert any(mark in (c["raw"] or "") for c in noted["cells"])  # kept as printed
        tried += 1
    assert tried >= 4
