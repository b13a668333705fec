"""Text normalisation: bytes to text, traditional to simplified script, label canonical form."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import charset_normalizer

from ingest import tw2sp
from ingest.memo import memoized_when_short

# Characters that occur only in traditional script and are frequent in these reports. Their
# presence decides whether a document goes through OpenCC at all (conversion is the slow part).
_TRADITIONAL_MARKERS = frozenset(
    "開報處條與國關審複訴議結轉總數請門區縣務這為發來時會對後說經過還當點從體進應實現變產學長"
    "問題頭見業個動種於達選記讓專營際錄資購參導層屬歷壓廣價內統檔網絡執聯繫訊稱規範辦機構廳"
    "類項數據計劃單織構書參決權辭號費"
)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode report bytes; returns (text, encoding used). The encoding is a codec's name when
    the bytes were decoded with it in full and strictly; "utf-8-sig" and "utf-16" (a BOM) or
    "utf-8-replace" when undecodable bytes were replaced; "detected:<name>" when it was
    guessed from the first 200,000 bytes.

    Order: BOM, a declared charset (HTTP header), <meta charset>, UTF-8, GB18030, detection.
    GB2312 and GBK are decoded as their superset GB18030. A declared charset that the bytes
    do not decode in is passed over; so is a declared GB charset (header or meta) on bytes
    that are valid UTF-8 with non-ASCII characters (UTF-8 pages are often labelled GBK, and
    GB18030 would decode them without an error, into nonsense).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    candidates: list[str] = [declared] if declared else []
    m = _META_CHARSET.search(data[:4096])
    if m:
        candidates.append(m.group(1).decode("ascii", "ignore"))
    if any(_is_gb(c) for c in candidates) and _utf8_with_non_ascii(data):
        candidates = [c for c in candidates if not _is_gb(c)]
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        enc = "gb18030" if _is_gb(enc) else enc.lower().strip()
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is not None:  # (its text is that of the first 200,000 bytes)
        return str(best), f"detected:{best.encoding}"
    return data.decode("utf-8", errors="replace"), "utf-8-replace"


def _is_gb(encoding: str) -> bool:
    return encoding.lower().strip() in _GB_FAMILY


def _utf8_with_non_ascii(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# one character class: a regular-expression search stops at the first marker and scans
# faster than a set lookup per character
_TRADITIONAL_MARKER = re.compile("[" + "".join(sorted(_TRADITIONAL_MARKERS)) + "]")


def is_traditional(text: str) -> bool:
    return _TRADITIONAL_MARKER.search(text) is not None


# Characters no OpenCC dictionary key holds: ASCII other than letters (markup, digits, spaces)
# and the sentence separators OpenCC itself splits on. A phrase never spans one, so each piece
# of text between them converts on its own exactly as within the whole text, and a piece of
# ASCII letters alone (a word of a script) has nothing to convert. The pieces with Chinese
# repeat from page to page (labels, boilerplate): each is converted once per process.
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_SEPARATORS = "\u3000，。、；：？！…“”‘’『』「」—－（）《》〈〉～．／＼【】［］｛｝"
# a piece from its first character that is not ASCII (its leading letters are taken below)
_PIECE_FROM_CHINESE = re.compile(
    rf"[^\x00-\x7f{_SEPARATORS}][^\x00-\x40\x5b-\x60\x7b-\x7f{_SEPARATORS}]*"
)


def convert_in_pieces(text: str, convert: Callable[[str], str]) -> str:
    """`text` converted by an OpenCC `convert` one piece at a time (see above): the same text
    as converting it whole, at the cost of the pieces `convert` has not seen."""
    out: list[str] = []
    done = 0
    for m in _PIECE_FROM_CHINESE.finditer(text):
        start, end = m.span()
        while start > done and text[start - 1] in _ASCII_LETTERS:
            start -= 1
        out.append(text[done:start])
        out.append(convert(text[start:end]))
        done = end
    out.append(text[done:])
    return "".join(out)


@lru_cache(maxsize=1 << 16)
def _simplified_piece(piece: str) -> str:
    return tw2sp.convert(piece)


def to_simplified(text: str, *, known_traditional: bool = False) -> str:
    """Traditional (often Taiwan-phrased: 檔案, 入口網站) to mainland simplified, via OpenCC
    tw2sp. Text without traditional characters is returned unchanged at no cost: the test
    looks for characters only traditional script uses, so a short part of a traditional
    document (行政許可) may have none; `known_traditional` converts it all the same."""
    if text.isascii() or (not known_traditional and not is_traditional(text)):
        return text
    return _converted(text)


@memoized_when_short(200)
def _converted(text: str) -> str:
    return convert_in_pieces(text, _simplified_piece)


def simplified_known() -> dict[str, str]:
    """The strings converted so far, {traditional: simplified}: a loop over every cell of a
    page looks there first (see `ingest.memo`). Plain text is not in it: look it up with
    `to_simplified`."""
    return _converted.known  # type: ignore[attr-defined]


_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\ufeff\u3000\xa0]+")
_NUMBERING = re.compile(r"^(\d{1,2})[、.,，)]")
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")"})
_BRACKET = re.compile("[" + "".join(map(chr, _BRACKETS)) + "]")  # any key of _BRACKETS


# full-width ASCII (U+FF01-U+FF5E) and the ideographic space: NFKC maps each to one ASCII
# character, which NFKC leaves as it is, so replacing them first changes nothing in the result
_WIDE = re.compile("[\uff01-\uff5e\u3000]")


def _to_ascii(m: re.Match) -> str:
    ch = m.group()
    return " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0)


# the longest line the text memos keep: a line of a report is far shorter; a document printed as
# one huge line (it happens) would otherwise fill them report after report
_LINE_MEMO_CHARS = 1 << 12


def nfkc(text: str) -> str:
    """Unicode NFKC. ASCII is its own NFKC; other text is normalised by `_nfkc_of`."""
    return text if text.isascii() else _nfkc_of(text)


@memoized_when_short(_LINE_MEMO_CHARS, maxsize=1 << 12)
def _nfkc_of(text: str) -> str:
    """NFKC of text outside ASCII. Chinese text is mostly in NFKC already but for its
    full-width punctuation (，：（）): those characters are replaced where they are found (a
    translation table would look up every character of the line), and the rest is normalised
    only when the quick check says it is not already (the full normalisation is the slow part).
    Memoized, a few thousand lines at a time: the parse of a page reads many of its lines more
    than once (as cells, labels, digit runs and narrative)."""
    t = _WIDE.sub(_to_ascii, text)
    return t if unicodedata.is_normalized("NFKC", t) else unicodedata.normalize("NFKC", t)


# Characters NFKC turns into digits without being digits: superscript and subscript numbers,
# circled, parenthesised and full-stop numbers (¹ ₂ ① ⑴ ⒈ ⓪ ㉑ ㊱).
DIGIT_LOOKALIKES = (
    "\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u249b\u24ea"
    "\u3251-\u325f\u32b1-\u32bf"
)
# Printed right after a number they are footnote marks (12①, 35¹), as are * ※ † ‡: never more of
# its digits. Elsewhere (①属于国家秘密) a circled number is numbering and stays.
_FOOTNOTE_MARKS = f"[{DIGIT_LOOKALIKES}*※†‡]"
_FOOTNOTE_MARK = re.compile(_FOOTNOTE_MARKS)
_FOOTNOTES_AFTER_DIGITS = re.compile(f"(?<=[0-9\uff10-\uff19]){_FOOTNOTE_MARKS}+")


def without_footnotes(text: str) -> str:
    """`text` without the footnote marks that follow a digit: 12① is 12 with a note (NFKC would
    make it 121). Most lines have no mark at all: a search for one (a scan for a set of
    characters) costs a third of the substitution, whose look-behind is tried everywhere."""
    if text.isascii() and "*" not in text:
        return text
    if _FOOTNOTE_MARK.search(text) is None:
        return text
    return _FOOTNOTES_AFTER_DIGITS.sub("", text)


@memoized_when_short(_LINE_MEMO_CHARS)
def norm_label(text: str) -> str:
    """Canonical form of a label for matching: NFKC (full-width brackets and digits become
    half-width), other bracket styles unified, all whitespace and zero-width characters removed,
    numbering punctuation (1、 1． 1.) unified to '1.'."""
    t = nfkc(text)
    if _BRACKET.search(t):
        t = t.translate(_BRACKETS)
    t = _INVISIBLE.sub("", t)
    if t[:1].isdigit():
        t = _NUMBERING.sub(r"\1.", t)
    t = t.replace("“", '"').replace("”", '"')
    if t != text and len(t) <= _LINE_MEMO_CHARS and unicodedata.is_normalized("NFKC", t):
        # a label in this form is its own form: NFKC leaves it, and it has no bracket, space,
        # quote or numbering left to change (the matchers normalise what they are given, and
        # are often given a label already normalised)
        norm_label.known.setdefault(t, t)  # type: ignore[attr-defined]
    return t


def squeeze(text: str) -> str:
    """Collapse runs of whitespace to one space and strip."""
    return re.sub(r"\s+", " ", text).strip()


def same_name(a: str, b: str) -> bool:
    """Whether two agency names name the same agency: equal, or one inside the other, once
    normalised (script, width, spaces): 青原市生态环境局 and 青原市生态環境局 are one."""
    x, y = norm_label(to_simplified(a)), norm_label(to_simplified(b))
    return x in y or y in x
