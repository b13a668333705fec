"""Links in fetched pages: annual reports on listing pages, their pagination, and attachments.

A listing page (a catalog row with kind=listing) is a portal column of 政府信息公开年报: a list
of article links, usually paginated. `read_listing` finds on one page

* reports: links whose title (the link text, or its `title` attribute when the text is cut
  short) names an annual report: a year (…年), 政府信息公开 and 年度报告 or 年报, in
  simplified or traditional script; the year of the title is the report's year;
* next pages: "下一页"-style links, numbered page links, and the pages a CMS pagination script
  writes (``createPageHTML(total, current, "index", "html")`` → index_1.html, index_2.html …);
* sections: links to sub-columns of annual reports on the same site (a path token such as
  xxgknb, zfxxgknb, xxgkndbg, ndbg, gknb naming a column page, or a link titled like the
  column itself), for listings that start one level up.

`attachment_links` finds the PDF / Word files an article links (全真版, 附件, 文件下载): the
report itself when the page carries only a summary.

Everything here is a pure function of the page text and its URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from ingest.normalize import to_simplified
from ingest.urls import is_fetched

_REPORT_TITLE = re.compile(r"年.*政府信息公开.*(?:年度报告|年报)")
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_NEXT_TEXT = frozenset(
    {"下一页", "下页", "后一页", "后页", "下一頁", "下頁", "next", ">", "»", ">>"}
)
_PAGE_NUMBER = re.compile(r"^\[?\d{1,3}\]?$")
_CREATE_PAGE = re.compile(r"createPage(?:HTML)?\s*\(([^)]*)\)", re.I)
_ARG = re.compile(r"""(["'])(.*?)\1|(-?\d+)""")
_COLUMN_TOKENS = frozenset({"xxgknb", "zfxxgknb", "xxgkndbg", "ndbg", "gknb", "zfxxgkndbg"})
_COLUMN_TITLE = re.compile(r"^(?:政府)?信息公开(?:工作)?(?:年度报告|年报)$")
_DOCUMENT_EXT = re.compile(r"\.(pdf|docx?|wps)(?:$|[?#&])", re.I)
_ATTACHMENT_HINT = re.compile(r"年度报告|年报|全真|附件|下载|原文")
_SPACE = re.compile(r"\s+")
MAX_ATTACHMENTS = 3


@dataclass(frozen=True)
class ReportLink:
    url: str
    title: str
    year: int | None


@dataclass(frozen=True)
class ListingPage:
    reports: tuple[ReportLink, ...]
    next_pages: tuple[str, ...]
    sections: tuple[str, ...]


@dataclass(frozen=True)
class _Anchor:
    url: str
    text: str  # the link text, or its title attribute when that is longer


def _anchors(html: str, base_url: str) -> tuple[list[_Anchor], str]:
    tree = LexborHTMLParser(html)
    base = tree.css_first("base[href]")
    if base is not None and (href := (base.attributes.get("href") or "").strip()):
        base_url = urljoin(base_url, href)
    out = []
    for a in tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        url = urldefrag(urljoin(base_url, href))[0]
        if not is_fetched(url):
            continue  # javascript:, mailto: ...
        text = _SPACE.sub("", a.text(deep=True, separator=""))
        title = _SPACE.sub("", a.attributes.get("title") or "")
        out.append(_Anchor(url, title if len(title) > len(text) else text))
    return out, base_url


def report_title_year(title: str) -> int | None:
    """The year an annual-report title names (2023年… or …2023年度…), else None."""
    m = _TITLE_YEAR.search(title)
    return int(m.group(1)) if m else None


def is_report_title(title: str) -> bool:
    return bool(_REPORT_TITLE.search(to_simplified(_SPACE.sub("", title))))


def _same_site(url: str, base_url: str) -> bool:
    return urlsplit(url).netloc.lower() == urlsplit(base_url).netloc.lower()


def _script_pages(html: str, base_url: str) -> list[str]:
    """Pages written by a CMS pagination script: createPageHTML(total, current, "index",
    "html") means index.html, index_1.html … index_{total-1}.html."""
    pages: list[str] = []
    for m in _CREATE_PAGE.finditer(html):
        numbers = [int(n) for _q, _s, n in _ARG.findall(m.group(1)) if n]
        strings = [s for q, s, _n in _ARG.findall(m.group(1)) if q]
        if len(numbers) < 2 or len(strings) < 2:
            continue
        total, current = numbers[0], numbers[1]
        name, ext = strings[-2], strings[-1]
        if not re.fullmatch(r"[\w\-]+", name) or not re.fullmatch(r"s?html?|jsp|php", ext):
            continue
        for k in range(min(total, 1000)):
            if k != current:
                pages.append(urljoin(base_url, f"{name}.{ext}" if k == 0 else f"{name}_{k}.{ext}"))
    return pages


def _is_column(url: str, text: str) -> bool:
    """A link to a column of annual reports: titled like one, or a column page (a directory,
    an index or list page) under a path token of one."""
    if _COLUMN_TITLE.match(to_simplified(text)):
        return True
    path = urlsplit(url).path.lower()
    if _COLUMN_TOKENS.isdisjoint(s.split(".")[0] for s in path.split("/")):
        return False
    return path.endswith("/") or path.rsplit("/", 1)[-1].startswith(("index", "list"))


def read_listing(html: str, base_url: str) -> ListingPage:
    """The report links, next pages and report sections of one listing page."""
    anchors, base_url = _anchors(html, base_url)
    reports: dict[str, ReportLink] = {}
    next_pages: list[str] = []
    sections: list[str] = []
    for a in anchors:
        if is_report_title(a.text):
            title = to_simplified(a.text)
            reports.setdefault(a.url, ReportLink(a.url, title, report_title_year(title)))
        elif not _same_site(a.url, base_url) or a.url == base_url:
            continue
        elif a.text.lower() in _NEXT_TEXT or _PAGE_NUMBER.match(a.text):
            next_pages.append(a.url)
        elif _is_column(a.url, a.text):
            sections.append(a.url)
    next_pages += [u for u in _script_pages(html, base_url) if u != base_url]
    return ListingPage(
        tuple(reports.values()), tuple(dict.fromkeys(next_pages)), tuple(dict.fromkeys(sections))
    )


def attachment_links(html: str, base_url: str) -> list[str]:
    """The PDF / DOC(X) / WPS files an article links, the ones named like the report first."""
    anchors, _ = _anchors(html, base_url)
    files = [a for a in anchors if _DOCUMENT_EXT.search(a.url) or _DOCUMENT_EXT.search(a.text)]
    files.sort(key=lambda a: not _ATTACHMENT_HINT.search(to_simplified(a.text)))
    return list(dict.fromkeys(a.url for a in files))[:MAX_ATTACHMENTS]


_LINKS_DOCUMENT = re.compile(rb"\.(?:pdf|docx?|wps)\b", re.I)


def may_link_documents(data: bytes) -> bool:
    """A cheap test on the raw bytes before `attachment_links` reads the page."""
    return _LINKS_DOCUMENT.search(data) is not None
