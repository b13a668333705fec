"""Links on listing pages and articles: which are reports, next pages, sections, attachments."""

from __future__ import annotations

from ingest.discover import (
    attachment_links,
    is_report_title,
    may_link_documents,
    read_listing,
    report_title_year,
)

BASE = "http://www.qingyuan.gov.cn/zwgk/xxgknb/index.html"


def page(body: str) -> str:
    return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'


def test_report_titles_and_their_years() -> None:
    assert is_report_title("青原市2023年政府信息公开工作年度报告")
    assert is_report_title("青原市人民政府办公室2021年度政府信息公开年报")
    assert is_report_title("青原市2022年 政府資訊公開工作年度報告")  # traditional, a stray space
    assert not is_report_title("青原市2023年政府信息公开工作要点")
    assert not is_report_title("政府信息公开年报")  # a column, no year
    assert not is_report_title("关于2023年度政务公开工作的通知")
    assert report_title_year("青原市2021年度政府信息公开年报") == 2021
    assert report_title_year("政府信息公开年报") is None


def test_listing_reports_next_pages_and_sections() -> None:
    html = page(
        '<a href="./202401/t20240120_1.html" title="青原市2023年政府信息公开工作年度报告">'
        "青原市2023年政府信息公开工作…</a>"
        '<a href="/zwgk/tzgg/1.html">关于印发2023年政务公开工作要点的通知</a>'
        '<a href="http://other.gov.cn/ndbg/2023.html">乙县2023年政府信息公开工作年度报告</a>'
        '<a href="index_1.html">下一页</a><a href="index_2.html">3</a>'
        '<a href="javascript:void(0)">下一页</a><a href="#top">top</a>'
        '<a href="/zwgk/xxgkndbg/">部门年报</a><a href="/bm/ndbg/index.shtml">更多</a>'
        '<a href="/zwgk/ndbg/2020/t1.html">一篇新闻</a>'
        '<a href="/zfxxgk/">政府信息公开年报</a>'
    )
    found = read_listing(html, BASE)
    assert [(r.url, r.year) for r in found.reports] == [
        ("http://www.qingyuan.gov.cn/zwgk/xxgknb/202401/t20240120_1.html", 2023),
        ("http://other.gov.cn/ndbg/2023.html", 2023),  # a report wherever it lives
    ]
    assert found.reports[0].title == "青原市2023年政府信息公开工作年度报告"  # the full title
    assert found.next_pages == (
        "http://www.qingyuan.gov.cn/zwgk/xxgknb/index_1.html",
        "http://www.qingyuan.gov.cn/zwgk/xxgknb/index_2.html",
    )
    assert found.sections == (
        "http://www.qingyuan.gov.cn/zwgk/xxgkndbg/",
        "http://www.qingyuan.gov.cn/bm/ndbg/index.shtml",
        "http://www.qingyuan.gov.cn/zfxxgk/",
    )


def test_pagination_written_by_a_script() -> None:
    html = page('<script>createPageHTML(4, 0, "index", "html");</script>')
    assert read_listing(html, BASE).next_pages == tuple(
        f"http://www.qingyuan.gov.cn/zwgk/xxgknb/index_{k}.html" for k in (1, 2, 3)
    )
    on_page_2 = page("<script>createPageHTML('page_div',3,2,'index','shtml');</script>")
    assert read_listing(on_page_2, BASE).next_pages == (
        "http://www.qingyuan.gov.cn/zwgk/xxgknb/index.shtml",
        "http://www.qingyuan.gov.cn/zwgk/xxgknb/index_1.shtml",
    )


def test_base_href_is_honoured() -> None:
    html = '<html><head><base href="http://cdn.gov.cn/list/"></head><body><a href="a.html">青原市2019年政府信息公开工作年度报告</a></body></html>'
    (report,) = read_listing(html, BASE).reports
    assert report.url == "http://cdn.gov.cn/list/a.html"


def test_attachments_of_an_article() -> None:
    html = page(
        '<a href="/files/logo.pdf">网站说明.pdf</a>'
        '<a href="/module/download/downfile.jsp?filename=abc.docx&classid=0">附件：年度报告（全真版）</a>'
        '<a href="2023qzb.PDF">2023年年度报告全真版.PDF</a>'
        '<a href="/a.html">相关文章</a><a href="mailto:x@gov.cn">report.pdf</a>'
        '<a href="/x.wps">另一个.wps</a>'
    )
    links = attachment_links(html, BASE)
    assert links == [
        "http://www.qingyuan.gov.cn/module/download/downfile.jsp?filename=abc.docx&classid=0",
        "http://www.qingyuan.gov.cn/zwgk/xxgknb/2023qzb.PDF",
        "http://www.qingyuan.gov.cn/files/logo.pdf",
    ]  # named like the report first, three at most
    assert may_link_documents(html.encode())
    assert not may_link_documents(page('<a href="/a.html">x</a>').encode())
