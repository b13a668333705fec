"""Reading one printed cell: a number, a blank, or text.

Blank is not zero: an empty cell, "/", "-", "—", "无" or "空" is a blank (value None) and keeps its
raw text. Numbers may carry a sign (本年增/减), thousands separators, decimals, full-width digits,
a unit inside the cell (390785元, 264434.64(万元; a count's 12件, 3（项）) and a footnote mark
(12①, 8*).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from ingest.normalize import DIGIT_LOOKALIKES, nfkc, without_footnotes

# more digits than a float64 holds exactly: not a statistic (an identifier, a glued run)
MAX_NUMBER_DIGITS = 15
BLANK_MARKS = frozenset({"", "/", "／", "-", "－", "—", "——", "–", "--", "―", "无", "空"})

# the unit a count may be printed with (12件, 3(项)), as an amount with its own (390785元)
_COUNT_UNITS = "件个项次条"
_NUMBER = re.compile(
    rf"""^(?P<sign>[+\-−]?)
        (?P<int>\d{{1,3}}(?:,\d{{3}})+|\d+)
        (?:\.(?P<frac>\d+))?
        (?:[(]?(?P<unit>万元|元)[)]?|\(?[{_COUNT_UNITS}]\)?)?$""",
    re.X,
)
_SPACES = re.compile(r"[\s\u200b\u3000\xa0]+")
# a CJK ideograph that no number, unit or blank mark has (NFKC leaves these as they are): text
_TEXT_IDEOGRAPH = re.compile(rf"[\u4e00-\u9fff](?<![元万无空{_COUNT_UNITS}])")
_LOOKALIKE = re.compile(f"[{DIGIT_LOOKALIKES}]")


class Cell(NamedTuple):
    """A value as printed (immutable: cells are shared between reports through memos; a named
    tuple is made several times faster than a frozen dataclass)."""

    value: int | float | None  # None: blank
    raw: str
    unit: str | None = None  # 元 / 万元 when printed inside the cell

    @property
    def is_blank(self) -> bool:
        return self.value is None


@lru_cache(maxsize=1 << 16)  # cells repeat across reports (0, 1, /, labels); a Cell is immutable
def read_cell(text: str) -> Cell | None:
    """A Cell when `text` is a number or a blank mark; None when it is text (a label)."""
    if text.isdigit() and text.isascii():  # a count as most are printed, read at once
        if len(text) > MAX_NUMBER_DIGITS or (len(text) > 1 and text[0] == "0"):
            return None
        return Cell(int(text), text)
    if _TEXT_IDEOGRAPH.search(text):
        return None
    bare = without_footnotes(text)  # 12① is 12 with a note
    if bare is not text and not text.startswith(bare.rstrip()):
        return None  # a mark inside a number (8①0): not a number
    if not bare.isascii() and _LOOKALIKE.search(bare):  # ① alone: numbering
        return None
    t = _SPACES.sub("", nfkc(bare))
    if t in BLANK_MARKS:
        return Cell(None, text.strip())
    m = _NUMBER.match(t)
    if not m:
        return None
    digits = m["int"].replace(",", "")
    if len(digits) > 1 and digits.startswith("0") and not m["frac"]:
        # "007" is an identifier, not a count
        return None
    if len(digits) + len(m["frac"] or "") > MAX_NUMBER_DIGITS:
        return None
    sign = -1 if m["sign"] in ("-", "−") else 1
    # (no annotation on `value`: compiled, an annotation of int | float makes it a C double)
    value = sign * (float(Decimal(f"{digits}.{m['frac']}")) if m["frac"] else int(digits))
    return Cell(value, text.strip(), m["unit"])


def to_wan_yuan(cell: Cell, header_unit: str | None = "万元") -> float | int | None:
    """Normalise an amount to 万元: a unit printed in the cell wins over the header's."""
    if cell.value is None:
        return None
    unit = cell.unit or header_unit or "万元"
    if unit == "元":
        q = Decimal(str(cell.value)) / Decimal(10000)
        return int(q) if q == q.to_integral_value() else float(q)
    return cell.value
