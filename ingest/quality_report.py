"""The quality report: one static HTML page about what a build holds and how sound it is.

`python -m ingest.quality_report [--duckdb PATH] [--out PATH]` reads the marts of the DuckDB
file (opened read-only) and writes a self-contained page (default warehouse/report.html): inline
CSS and inline SVG charts (`ingest.charts`), no script, nothing fetched from the network.

Sections: reports by year and status; identity pass rates by year and by template version;
how requests were decided (granted, partial, withheld by reason, unavailable, not processed,
other) overall and by government level; reviews and litigation outcomes; the largest
reconciliation differences and the quarantined reports, each linked to its source.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from html import escape
from pathlib import Path

import duckdb

from ingest import paths
from ingest.catalog import LEVELS
from ingest.charts import bars, format_number, stacked_bars
from ingest.codes import OUTCOME_PARTS, REVIEW_GROUPS, by_code
from ingest.files import write_atomically
from ingest.store import STATUSES

TOP_DIFFERENCES = 20
MAX_QUARANTINE_ROWS = 50

# Display names of what the marts hold as codes without a label table.
STATUS_LABELS = {
    "complete": "完整 complete",
    "partial": "部分 partial",
    "narrative_only": "仅正文 narrative only",
    "no_statistics": "无统计 no statistics",
    "error": "错误 error",
}
IDENTITY_LABELS = {
    "ledger": "收支平衡 ledger",
    "dispositions": "办理结果合计 dispositions",
    "applicants": "申请人合计 applicants",
    "outcomes": "复议诉讼结果合计 outcomes",
    "carry_over": "上年结转衔接 carry-over (soft)",
    "narrative": "正文与表格一致 narrative (soft)",
}
LEVEL_LABELS = {
    "province": "省级 province",
    "city": "市级 city",
    "county": "县级 county",
    "township": "乡镇级 township",
    "department": "部门 department",
}
# Disposition groups shown code by code: 予以公开 vs 部分公开, and every 不予公开 reason.
SPLIT_GROUPS = frozenset({"granted", "withheld"})
UNKNOWN = "未知 unknown"
NAV = {
    "status": "状态 status",
    "identities": "勾稽关系 identities",
    "dispositions": "办理结果 dispositions",
    "outcomes": "复议诉讼 reviews",
    "differences": "差额 differences",
    "quarantine": "隔离 quarantine",
}


class ReportError(RuntimeError):
    """The warehouse cannot be reported on (missing file or mart)."""


@dataclass(frozen=True)
class PassRate:
    key: str
    checked: int  # reports with at least one hard identity check
    passed: int  # ... whose hard identities all hold (not quarantined)
    # identity -> (held, failed, open: a blank total, undecided: a cell the parser could not
    # decide); open and undecided checks are neither held nor failed
    identities: Mapping[str, tuple[int, int, int, int]]


@dataclass(frozen=True)
class Category:
    key: str
    label: str


@dataclass(frozen=True)
class ReportData:
    duckdb_path: str
    parsed_until: str | None
    statuses: tuple[str, ...]
    reports_by_year: list[tuple[str, dict[str, int]]]
    pass_by_year: list[PassRate]
    pass_by_template: list[PassRate]
    identities: tuple[str, ...]
    categories: list[Category]
    dispositions_total: dict[str, float]
    dispositions_by_level: list[tuple[str, dict[str, float]]]
    outcomes: list[tuple[str, dict[str, float]]]
    outcomes_by_year: list[tuple[str, dict[str, float]]]
    differences: list[dict]
    quarantine: list[dict]

    @property
    def n_reports(self) -> int:
        return sum(sum(v.values()) for _, v in self.reports_by_year)

    @property
    def n_checked(self) -> int:
        return sum(p.checked for p in self.pass_by_year)

    @property
    def n_passed(self) -> int:
        return sum(p.passed for p in self.pass_by_year)


# --- reading the warehouse -------------------------------------------------------------------


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _year(value: object) -> str:
    return UNKNOWN if value is None else str(value)


def _ordered(keys: set[str], order: Sequence[str]) -> tuple[str, ...]:
    return tuple(k for k in order if k in keys) + tuple(sorted(keys - set(order)))


def _pass_rates(con: duckdb.DuckDBPyConnection, key_sql: str) -> list[PassRate]:
    reports = _rows(
        con,
        f"""
        select {key_sql} as key,
            count(*) filter (where c.report_id is not null) as checked,
            count(*) filter (where c.report_id is not null and not r.is_quarantined) as passed
        from dim_reports r
        left join (select distinct report_id from rpt_reconciliation where not soft) c
            using (report_id)
        group by 1
        """,
    )
    checks = _rows(
        con,
        f"""
        select {key_sql} as key, c.identity,
            count(*) filter (where c.holds) as held,
            count(*) filter (where not c.holds) as failed,
            count(*) filter (where c.holds is null and c.reading <> 'undecided') as open,
            count(*) filter (where c.reading = 'undecided') as undecided
        from rpt_reconciliation c join dim_reports r using (report_id)
        group by all
        """,
    )
    by_key: dict[str, dict[str, tuple[int, int, int, int]]] = defaultdict(dict)
    for c in checks:
        counts = (c["held"], c["failed"], c["open"], c["undecided"])
        by_key[c["key"]][c["identity"]] = counts
    reports.sort(key=lambda r: (r["key"] is None, r["key"] or ""))
    return [
        PassRate(_year(r["key"]), r["checked"], r["passed"], by_key.get(r["key"], {}))
        for r in reports
        if r["checked"] or r["key"] in by_key
    ]


def _label_prefix(labels: Sequence[str]) -> str:
    """The words a group's labels share ('（四）无法提供 1.…', '（四）无法提供 2.…' ->
    '（四）无法提供'), so a group is named from the code list like its members."""
    prefix = os.path.commonprefix(list(labels)) if len(labels) > 1 else labels[0]
    return prefix.rstrip(" :：(（0123456789.")


def _short(label_zh: str) -> str:
    """A form label without its numbering and notes: '（三）不予公开 1.属于国家秘密' ->
    '不予公开：属于国家秘密', '（二）部分公开（区分处理的，…）' -> '部分公开'."""
    label = re.sub(r"^（[一二三四五六七八九十]+）", "", label_zh.strip())
    label = re.sub(r"（[^（）]*）$", "", label)
    return re.sub(r"\s*\d+\.", "：", label).strip()


def _categories(con: duckdb.DuckDBPyConnection) -> tuple[list[Category], dict[str, str]]:
    """Disposition categories in print order, and the category of each disposition code."""
    codes = _rows(
        con, 'select code, "group", label_zh, label_en from dim_dispositions order by ordinal'
    )
    groups: dict[str, list[dict]] = defaultdict(list)
    for c in codes:
        groups[c["group"]].append(c)
    categories: list[Category] = []
    category_of: dict[str, str] = {}
    for group, members in groups.items():
        if group in SPLIT_GROUPS:
            for c in members:
                categories.append(Category(c["code"], f"{_short(c['label_zh'])} {c['label_en']}"))
                category_of[c["code"]] = c["code"]
        else:
            zh = _label_prefix([c["label_zh"] for c in members])
            en = _label_prefix([c["label_en"] for c in members])
            categories.append(Category(group, f"{_short(zh)} {en}"))
            category_of.update({c["code"]: group for c in members})
    return categories, category_of


def _dispositions(
    con: duckdb.DuckDBPyConnection, category_of: Mapping[str, str]
) -> tuple[dict[str, float], list[tuple[str, dict[str, float]]]]:
    rows = _rows(
        con,
        """
        select coalesce(r.catalog_level, a.level) as level, d.disposition, sum(d.count) as n
        from fct_dispositions d
        join dim_reports r using (report_id)
        left join dim_agencies a using (agency_name)
        where d.applicant_type = 'total'
        group by all
        """,
    )
    total: dict[str, float] = defaultdict(float)
    by_level: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        category = category_of.get(r["disposition"], r["disposition"])
        total[category] += r["n"] or 0
        by_level[r["level"] or ""][category] += r["n"] or 0
    levels = _ordered(set(by_level), LEVELS)
    return dict(total), [(LEVEL_LABELS.get(lv, lv or UNKNOWN), dict(by_level[lv])) for lv in levels]


def _outcomes(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Outcome sums per review group (the codes of section 四: review, litigation_<path>)
    and reporting year."""
    parts = ", ".join(f'sum("{o}") as "{o}"' for o in (*OUTCOME_PARTS, "total"))
    return _rows(
        con,
        f"""
        select 'review' as review_group, r.reporting_year, {parts}
        from fct_reviews join dim_reports r using (report_id) group by all
        union all
        select 'litigation_' || path, r.reporting_year, {parts}
        from fct_litigation join dim_reports r using (report_id) group by all
        """,
    )


def _group_label(code: str) -> str:
    c = by_code("reviews").get(code)
    return f"{c.label_zh} {c.label_en}" if c else code


def _outcome_tables(
    rows: list[dict],
) -> tuple[list[tuple[str, dict[str, float]]], list[tuple[str, dict[str, float]]]]:
    """Outcomes per review group (summed over years), and per year x group (corrected, total)."""
    groups: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    years: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        for o in (*OUTCOME_PARTS, "total"):
            groups[r["review_group"]][o] += r[o] or 0
        year = years[_year(r["reporting_year"])]
        year[f"{r['review_group']}:corrected"] += r["corrected"] or 0
        year[f"{r['review_group']}:total"] += r["total"] or 0
    order = _ordered(set(groups), REVIEW_GROUPS)
    return (
        [(_group_label(g), dict(groups[g])) for g in order],
        sorted(((y, dict(v)) for y, v in years.items()), key=lambda kv: kv[0]),
    )


def read_report_data(duckdb_path: Path) -> ReportData:
    """Everything the page shows, read from the marts of the warehouse."""
    if not duckdb_path.exists():
        raise ReportError(f"no warehouse at {duckdb_path}: build it first (make run)")
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        try:
            return _read(con, duckdb_path)
        except duckdb.CatalogException as exc:
            raise ReportError(f"a mart is missing from {duckdb_path}: {exc}") from None


def _read(con: duckdb.DuckDBPyConnection, duckdb_path: Path) -> ReportData:
    by_year: dict[object, dict[str, int]] = defaultdict(dict)
    for r in _rows(
        con, "select reporting_year, status, count(*) as n from dim_reports group by all"
    ):
        by_year[r["reporting_year"]][r["status"]] = r["n"]
    statuses = _ordered({s for v in by_year.values() for s in v}, STATUSES)
    years = sorted(by_year, key=lambda y: (y is None, y or 0))
    pass_by_year = _pass_rates(con, "r.reporting_year")
    pass_by_template = _pass_rates(
        con,
        "coalesce(r.template_proactive, '–') || ' / ' || coalesce(r.template_applications, '–')",
    )
    identities = _ordered(
        {i for p in pass_by_year for i in p.identities},
        tuple(IDENTITY_LABELS),
    )
    categories, category_of = _categories(con)
    dispositions_total, dispositions_by_level = _dispositions(con, category_of)
    outcomes, outcomes_by_year = _outcome_tables(_outcomes(con))
    differences = _rows(
        con,
        f"""
        select c.report_id, c.identity, c."at", c.lhs, c.rhs, c.difference, c.reading, c.soft,
            r.agency_name, r.reporting_year, r.source, r.raw_path
        from rpt_reconciliation c join dim_reports r using (report_id)
        where c.holds = false
        order by abs(c.difference) desc, c.report_id, c.identity, c."at"
        limit {TOP_DIFFERENCES}
        """,
    )
    quarantine = _rows(
        con,
        """
        select q.report_id, q.agency_name, q.reporting_year, q.n_failed, q.n_undecided,
            q.n_parse_undecided, q.reason, r.source, r.raw_path
        from rpt_quarantine q join dim_reports r using (report_id)
        order by q.reporting_year, q.agency_name, q.report_id
        """,
    )
    parsed_until = con.execute("select max(parsed_at) from dim_reports").fetchone()[0]
    return ReportData(
        duckdb_path=str(duckdb_path),
        parsed_until=None
        if parsed_until is None
        else f"{parsed_until.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
        statuses=statuses,
        reports_by_year=[(_year(y), by_year[y]) for y in years],
        pass_by_year=pass_by_year,
        pass_by_template=pass_by_template,
        identities=identities,
        categories=categories,
        dispositions_total=dispositions_total,
        dispositions_by_level=dispositions_by_level,
        outcomes=outcomes,
        outcomes_by_year=outcomes_by_year,
        differences=differences,
        quarantine=quarantine,
    )


# --- rendering -------------------------------------------------------------------------------

CSS = """
body{font-family:'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC',
'Microsoft YaHei',sans-serif;margin:0 auto;max-width:1100px;padding:1rem 1.5rem;color:#222;
line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;
border-bottom:1px solid #ccc;padding-bottom:.2rem}h3{font-size:1rem;margin-top:1.4rem}
.meta{color:#666;font-size:.85rem}.note{color:#555;font-size:.88rem;max-width:60rem}
table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}
th,td{border:1px solid #ddd;padding:.2rem .5rem;vertical-align:top}
th{background:#f4f4f4;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b00020;font-weight:600}.ok{color:#1b7f3b}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{border:1px solid #ddd;border-radius:6px;padding:.5rem .9rem;min-width:9rem}
.card b{display:block;font-size:1.4rem}nav a{margin-right:.9rem}
svg{max-width:100%;height:auto;display:block;margin:.5rem 0}
"""


def _n(value: float | None) -> str:
    return "" if value is None else format_number(value)


def _pct(num: float, den: float) -> str:
    return f"{num / den:.1%}" if den else "–"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    """A table of already-escaped cells; columns in `numeric` are right-aligned."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _source_link(row: Mapping, out_dir: Path) -> str:
    """A link to the report: its URL when it was fetched from one, else the archived bytes
    (relative to the page, so the warehouse folder can be moved as a whole)."""
    source = row.get("source") or ""
    if source.startswith(("http://", "https://")):
        href = source
    elif row.get("raw_path"):
        href = Path(os.path.relpath(row["raw_path"], out_dir)).as_posix()
    else:
        return escape(source)
    return f'<a href="{escape(href)}" title="{escape(source)}">{escape(source)}</a>'


def _rate_cell(counts: tuple[int, int, int, int] | None) -> str:
    if not counts:
        return ""
    held, failed, blank, undecided = counts
    text = f"{_pct(held, held + failed)} ({held}/{held + failed})"
    if blank:
        text += f", {blank} open (blank total)"
    if undecided:
        text += f", {undecided} undecided by the parser"
    return f'<span class="bad">{text}</span>' if failed else text


def _pass_section(title: str, rates: list[PassRate], identities: Sequence[str]) -> str:
    chart = bars(
        [(p.key, p.passed / p.checked) for p in rates if p.checked],
        f"{title}: share of reports whose hard identities hold",
        maximum=1.0,
        fmt=lambda v: f"{v:.1%}",
    )
    header = [
        escape(title),
        "reports checked",
        "pass",
        *(escape(IDENTITY_LABELS.get(i, i)) for i in identities),
    ]
    rows = [
        [
            escape(p.key),
            str(p.checked),
            f"{_pct(p.passed, p.checked)} ({p.passed})",
            *(_rate_cell(p.identities.get(i)) for i in identities),
        ]
        for p in rates
    ]
    return chart + _table(header, rows, numeric={1, 2})


def _differences_table(data: ReportData, out_dir: Path) -> str:
    if not data.differences:
        return '<p class="ok">Every identity holds: no differences. 全部勾稽关系成立。</p>'
    header = [
        "agency 机关",
        "year 年度",
        "identity 勾稽关系",
        "at 位置",
        "lhs",
        "rhs",
        "difference 差额",
        "reading",
        "source 来源",
    ]
    rows = [
        [
            escape(d["agency_name"] or ""),
            escape(_year(d["reporting_year"])),
            escape(IDENTITY_LABELS.get(d["identity"], d["identity"])),
            escape(d["at"] or ""),
            _n(d["lhs"]),
            _n(d["rhs"]),
            f'<span class="bad">{_n(d["difference"])}</span>',
            escape(d["reading"] or "") + (" (soft)" if d["soft"] else ""),
            _source_link(d, out_dir),
        ]
        for d in data.differences
    ]
    return _table(header, rows, numeric={4, 5, 6})


def _quarantine_table(data: ReportData, out_dir: Path) -> str:
    if not data.quarantine:
        return '<p class="ok">No report is quarantined. 无隔离报告。</p>'
    shown = data.quarantine[:MAX_QUARANTINE_ROWS]
    rows = [
        [
            escape(q["agency_name"] or ""),
            escape(_year(q["reporting_year"])),
            str(q["n_failed"]),
            str(q["n_undecided"]),
            str(q["n_parse_undecided"]),
            escape(q["reason"] or ""),
            _source_link(q, out_dir),
        ]
        for q in shown
    ]
    more = len(data.quarantine) - len(shown)
    tail = f'<p class="note">… and {more} more in rpt_quarantine.</p>' if more > 0 else ""
    header = [
        "agency 机关",
        "year 年度",
        "failed",
        "blank total",
        "parser undecided",
        "reason 原因",
        "source 来源",
    ]
    return _table(header, rows, numeric={2, 3, 4}) + tail


def _dispositions_section(data: ReportData) -> str:
    series = [(c.key, c.label) for c in data.categories]
    total = sum(data.dispositions_total.values())
    overall = bars(
        [(c.label, data.dispositions_total.get(c.key, 0)) for c in data.categories],
        "Requests handled by disposition, all reports",
    )
    by_level = stacked_bars(
        data.dispositions_by_level,
        series,
        "Requests handled by disposition and government level (shares)",
        normalize=True,
    )
    rows = [
        [
            escape(c.label),
            _n(data.dispositions_total.get(c.key, 0)),
            _pct(data.dispositions_total.get(c.key, 0), total),
            *(
                _pct(values.get(c.key, 0), sum(values.values()))
                for _, values in data.dispositions_by_level
            ),
        ]
        for c in data.categories
    ]
    header = [
        "disposition 办理结果",
        "requests 件数",
        "share 占比",
        *(escape(level) for level, _ in data.dispositions_by_level),
    ]
    return (
        "<h3>All reports 全部报告</h3>"
        + overall
        + "<h3>By government level 按层级</h3>"
        + by_level
        + _table(header, rows, numeric=set(range(1, len(header))))
    )


def _outcomes_section(data: ReportData) -> str:
    outcome_codes = by_code("reviews")
    series = [
        (o, f"{outcome_codes[o].label_zh} {outcome_codes[o].label_en}") for o in OUTCOME_PARTS
    ]
    chart = stacked_bars(data.outcomes, series, "Review and litigation outcomes", normalize=True)
    rows = [
        [
            escape(label),
            *(_n(values.get(o, 0)) for o in OUTCOME_PARTS),
            _n(values.get("total", 0)),
            _pct(values.get("corrected", 0), values.get("total", 0)),
        ]
        for label, values in data.outcomes
    ]
    header = [
        "case type 类型",
        *(escape(name) for _, name in series),
        "total 总计",
        "corrected share 纠错率",
    ]
    groups = _ordered({k.split(":")[0] for _, v in data.outcomes_by_year for k in v}, REVIEW_GROUPS)
    year_rows = [
        [
            escape(year),
            *(
                f"{_n(v.get(f'{g}:total', 0))} ({_pct(v.get(f'{g}:corrected', 0), v.get(f'{g}:total', 0))})"
                for g in groups
            ),
        ]
        for year, v in data.outcomes_by_year
    ]
    year_header = ["year 年度", *(escape(_group_label(g)) for g in groups)]
    return (
        chart
        + _table(header, rows, numeric=set(range(1, len(header))))
        + "<h3>By year: cases (corrected share) 按年度：件数（纠错率）</h3>"
        + _table(year_header, year_rows, numeric=set(range(1, len(year_header))))
    )


def render_html(data: ReportData, out_dir: Path) -> str:
    """The page; links to archived reports are made relative to `out_dir`."""
    status_series = [(s, STATUS_LABELS.get(s, s)) for s in data.statuses]
    status_rows = [
        [escape(year), *(str(v.get(s, 0)) for s in data.statuses), str(sum(v.values()))]
        for year, v in data.reports_by_year
    ]
    n_quarantined = len(data.quarantine)
    cards = [
        ("reports 报告", str(data.n_reports)),
        ("with checked statistics 有统计表", str(data.n_checked)),
        ("identities hold 勾稽成立", _pct(data.n_passed, data.n_checked)),
        ("quarantined 隔离", str(n_quarantined)),
    ]
    sections = [
        (
            "status",
            "Reports by year and status 按年度和状态的报告数",
            stacked_bars(data.reports_by_year, status_series, "Reports by year and parse status")
            + _table(
                ["year 年度", *(escape(n) for _, n in status_series), "total 合计"],
                status_rows,
                numeric=set(range(1, len(data.statuses) + 2)),
            ),
        ),
        (
            "identities",
            "Identity pass rates 勾稽关系通过率",
            '<p class="note">A report passes when every hard identity (ledger, dispositions, '
            "applicants, outcomes) holds; otherwise it is quarantined and kept out of the fct_* "
            "tables. Cells give the share of checks that hold (held/decided); a check left open "
            "by a blank total or undecided by the parser (a cell it could not decide) is neither "
            "held nor failed. 硬性勾稽关系全部成立的报告进入事实表，否则隔离。</p>"
            "<h3>By reporting year 按年度</h3>"
            + _pass_section("year", data.pass_by_year, data.identities)
            + "<h3>By template version (section 二 / section 三) 按模板版本</h3>"
            + _pass_section("template", data.pass_by_template, data.identities),
        ),
        (
            "dispositions",
            "How requests were decided 申请办理结果",
            '<p class="note">Column 总计 of the reports in the fact tables (quarantined reports '
            "excluded). 不予公开 is shown by reason; the 2019 template's single （六）其他处理 "
            "row and the 2021 template's three sub-rows are both counted as 其他处理.</p>"
            + _dispositions_section(data),
        ),
        ("outcomes", "Reviews and litigation 行政复议和行政诉讼", _outcomes_section(data)),
        (
            "differences",
            f"The {TOP_DIFFERENCES} largest reconciliation differences 差额最大的勾稽关系",
            '<p class="note">Checks that do not hold, largest |lhs − rhs| first. The printed '
            "numbers are reproduced, never corrected; the source link opens the report as it "
            "was read.</p>" + _differences_table(data, out_dir),
        ),
        (
            "quarantine",
            "Quarantined reports 隔离的报告",
            _quarantine_table(data, out_dir),
        ),
    ]
    nav = "".join(f'<a href="#{key}">{escape(NAV[key])}</a>' for key, _, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{escape(title)}</h2>{content}</section>'
        for key, title, content in sections
    )
    card_html = "".join(f'<div class="card">{escape(k)}<b>{escape(v)}</b></div>' for k, v in cards)
    meta = f"Warehouse {escape(data.duckdb_path)}"
    if data.parsed_until:
        meta += f", reports parsed until {escape(data.parsed_until)}"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<link rel="icon" href="data:,">'
        "<title>政府信息公开年度报告数据质量报告 Quality report</title>"
        f"<style>{CSS}</style></head><body>"
        "<h1>政府信息公开工作年度报告 · 数据质量报告</h1>"
        "<p>Quality report of the government-information-disclosure annual report warehouse</p>"
        f'<p class="meta">{meta}</p><nav>{nav}</nav><div class="cards">{card_html}</div>'
        f"{body}</body></html>\n"
    )


def summary_markdown(data: ReportData, page: Path | None = None) -> str:
    """A few lines for the Dagster UI: the headline figures and the largest differences."""
    lines = [
        f"**{data.n_reports} reports**, {data.n_checked} with checked statistics, "
        f"{_pct(data.n_passed, data.n_checked)} pass every hard identity, "
        f"{len(data.quarantine)} quarantined.",
    ]
    if page is not None:
        lines.append(f"Page: `{page}`")
    if data.differences:
        lines += ["", "| agency | year | identity | at | difference |", "|---|---|---|---|---|"]
        lines += [
            f"| {d['agency_name'] or ''} | {_year(d['reporting_year'])} | {d['identity']} "
            f"| {d['at']} | {_n(d['difference'])} |"
            for d in data.differences[:5]
        ]
    return "\n".join(lines)


def write_report(
    duckdb_path: Path | None = None, out: Path | None = None
) -> tuple[Path, ReportData]:
    """Read the warehouse and write the page (default: the locations of `ingest.paths`)."""
    duckdb_path = duckdb_path or paths.duckdb_path()
    out = (out or paths.report_path()).absolute()
    data = read_report_data(duckdb_path)
    html = render_html(data, out.parent)
    write_atomically(out, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return out, data


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingest.quality_report",
        description="Write the quality report (a static HTML page) of a built warehouse.",
    )
    parser.add_argument("--duckdb", type=Path, help="warehouse file (default: $OGI_DUCKDB_PATH)")
    parser.add_argument("--out", type=Path, help="page to write (default: $OGI_REPORT_PATH)")
    args = parser.parse_args(argv)
    try:
        page, data = write_report(args.duckdb, args.out)
    except (ReportError, duckdb.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(summary_markdown(data, page))
    return 0


if __name__ == "__main__":
    sys.exit(main())
