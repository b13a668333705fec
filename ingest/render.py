"""Synthetic annual reports whose every true value is known.

`make_report` draws the statistics of one 政府信息公开工作年度报告 (the *truth*, in the shape of
the parse contract of the spec) and the renderers print it the ways real reports are published:

* `render_html`: a portal article page (menus, breadcrumbs, share buttons, footer) with the three
  statistic tables built like the national template (rowspan/colspan, labels split inside cells,
  bordered or borderless, amounts in 元 with the unit inside the cell);
* `render_text_cells`: the page copied to text, one table cell per line;
* `render_pipe`: the page copied to text, one table row per line, cells joined by `` | ``; a
  rowspan label appears only on the first row of its group, so rows have different cell counts.

Each renderer can print the document in traditional script with Taiwan phrasing (OpenCC
``s2twp``: 文件→檔案, 门户网站→入口網站, 程序→程式), as mirror sites do. The truth does not change
with the rendering: it holds the printed numbers, in simplified script, and the list of the
hard identities that the printed numbers break (``expected_failures``).

Everything is drawn from the `random.Random` passed in: the same seed gives the same bytes.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from ingest import checks
from ingest.codes import (
    APPLICANT_COLUMNS,
    APPLICANT_PARTS,
    LEDGER_ROWS,
    OUTCOME_PARTS,
    OUTCOMES,
    REVIEW_GROUPS,
    TEMPLATES,
    application_rows,
    by_code,
    disposition_leaves,
    proactive_layout,
)

KINDS = ("tables", "narrative_only", "no_statistics")
BREAKABLE = ("ledger", "dispositions", "applicants", "outcomes")
SCALES = ("none", "small", "medium", "large")
SCRIPTS = ("simplified", "traditional")
LEVELS = ("province", "city", "county")

# Template structure that is not a code: the headings and header cells of the national form.
SECTION_HEADINGS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
LEDGER_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_HEADER = "申请人情况"
LEGAL_PERSON_HEADER = "法人或其他组织"
RESULTS_LABEL = "三、本年度办理结果"
ITEM_HEADER = "信息内容"
ARTICLE = "第二十条第{clause}项"
# the clause of article 20 of the regulation under which each proactive item is reported
ITEM_CLAUSE = {
    "rules": "（一）",
    "normative_documents": "（一）",
    "admin_licensing": "（五）",
    "other_admin_services": "（五）",
    "admin_penalty": "（六）",
    "admin_coercion": "（六）",
    "admin_fees": "（八）",
    "central_procurement": "（九）",
}
NARRATIVE_KEYS = (
    "new_requests",
    "carried_over",
    "total_processed",
    "carried_forward",
    "review_total",
    "litigation_total",
)

Value = int | float | None
Table = dict[str, dict[str, Value]]


# =============================================================================================
# Truth model
# =============================================================================================


def make_report(
    rng: random.Random,
    *,
    agency: str,
    level: str,
    year: int,
    template_proactive: str,
    template_applications: str,
    break_identity: str | None = None,
    kind: str = "tables",
    scale: str | None = None,
    carried_over: Mapping[str, int] | None = None,
) -> dict:
    """The true parse result of one synthetic report.

    `scale` sets the volume of requests ("none", "small", "medium", "large"; drawn from the
    level when omitted). `carried_over` gives last year's carried_forward per applicant part so
    that a series of reports of one agency carries over consistently. `break_identity` perturbs
    one printed cell so that the named identity fails; `expected_failures` lists every hard
    check that then fails, as [identity, at] pairs. For "narrative_only" and "no_statistics"
    the statistics exist only in the text (or not at all): applications, reviews and proactive
    are absent and the template versions are unknown (None).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}: {kind!r}")
    if break_identity is not None and break_identity not in BREAKABLE:
        raise ValueError(f"break_identity must be one of {BREAKABLE}: {break_identity!r}")
    if break_identity is not None and kind != "tables":
        raise ValueError("only a report with tables can break an identity")
    for version in (template_proactive, template_applications):
        if version not in TEMPLATES:
            raise ValueError(f"template must be one of {TEMPLATES}: {version!r}")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}: {level!r}")
    scale = scale or _draw_scale(rng, level)
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}: {scale!r}")

    applications = _draw_applications(rng, template_applications, scale, carried_over)
    reviews = _draw_reviews(rng, scale)
    proactive = _draw_proactive(rng, template_proactive, level, scale)
    stated = _stated_narrative(rng, kind, applications, reviews)

    truth: dict = {"agency": agency, "year": year, "level": level}
    if kind == "tables":
        _blank_empty_columns(rng, applications)
        truth["template"] = {"proactive": template_proactive, "applications": template_applications}
        truth["applications"] = applications
        truth["reviews"] = reviews
        truth["proactive"] = proactive
    else:
        truth["template"] = {"proactive": None, "applications": None}
    truth["narrative"] = stated
    truth["status"] = "complete" if kind == "tables" else kind
    if break_identity is not None:
        _perturb(rng, truth, break_identity)
    truth["expected_failures"] = [
        [c["identity"], c["at"]]
        for c in checks.evaluate(truth)
        if c["holds"] is False and not c["soft"]
    ]
    return truth


def _draw_scale(rng: random.Random, level: str) -> str:
    weights = {
        "province": (0.0, 0.15, 0.35, 0.5),
        "city": (0.05, 0.35, 0.4, 0.2),
        "county": (0.25, 0.6, 0.15, 0.0),
    }[level]
    return rng.choices(SCALES, weights)[0]


def _multinomial(rng: random.Random, n: int, weights: Sequence[float]) -> list[int]:
    """n items dropped into len(weights) buckets."""
    counts = [0] * len(weights)
    if n <= 0:
        return counts
    for i in rng.choices(range(len(weights)), weights, k=n):
        counts[i] += 1
    return counts


def _jitter(rng: random.Random, weights: Sequence[float], spread: float = 0.7) -> list[float]:
    return [w * rng.uniform(1 - spread, 1 + spread) for w in weights]


def _volume(rng: random.Random, scale: str) -> int:
    if scale == "none":
        return 0
    if scale == "small":
        return int(rng.triangular(1, 50, 2))
    if scale == "medium":
        return int(rng.triangular(50, 400, 80))
    return int(rng.triangular(400, 6000, 600))


# natural persons dominate; research institutions and welfare organisations are rare
_APPLICANT_WEIGHTS = {
    "natural_person": 0.86,
    "commercial_enterprise": 0.07,
    "research_institution": 0.004,
    "social_welfare_org": 0.006,
    "legal_service_org": 0.03,
    "other_org": 0.03,
}
# the share of each disposition among handled requests
_DISPOSITION_WEIGHTS = {
    "granted": 0.36,
    "partially_granted": 0.09,
    "withheld_state_secret": 0.002,
    "withheld_prohibited_by_law": 0.008,
    "withheld_security_stability": 0.003,
    "withheld_third_party_rights": 0.012,
    "withheld_internal_affairs": 0.008,
    "withheld_process_info": 0.01,
    "withheld_enforcement_file": 0.005,
    "withheld_admin_query": 0.01,
    "unavailable_not_held": 0.24,
    "unavailable_needs_creation": 0.035,
    "unavailable_still_unclear": 0.03,
    "not_processed_petition": 0.035,
    "not_processed_duplicate": 0.02,
    "not_processed_publication": 0.004,
    "not_processed_excessive": 0.006,
    "not_processed_confirmation": 0.006,
    "other_total": 0.08,
    "other_no_correction": 0.045,
    "other_unpaid_fee": 0.002,
    "other_other": 0.035,
}


def _draw_applications(
    rng: random.Random, version: str, scale: str, carried_over: Mapping[str, int] | None
) -> Table:
    """The application ledger; every identity holds: per column new + carried = processed +
    forward and processed = sum of the leaves; per row total = sum of the parts."""
    weights = _jitter(rng, [_APPLICANT_WEIGHTS[c] for c in APPLICANT_PARTS])
    new = dict(zip(APPLICANT_PARTS, _multinomial(rng, _volume(rng, scale), weights), strict=True))
    if carried_over is not None:
        carried = {c: int(carried_over.get(c, 0)) for c in APPLICANT_PARTS}
    elif scale == "none" or rng.random() < 0.5:
        carried = dict.fromkeys(APPLICANT_PARTS, 0)
    else:
        n = int(sum(new.values()) * rng.uniform(0.01, 0.12))
        carried = dict(zip(APPLICANT_PARTS, _multinomial(rng, n, weights), strict=True))

    leaves = disposition_leaves(version)
    leaf_weights = _jitter(rng, [_DISPOSITION_WEIGHTS[r] for r in leaves], 0.8)
    p_forward = rng.choice([0.0, 0.0, 0.02, 0.05, 0.1])
    forward: dict[str, int] = {}
    handled: dict[str, dict[str, int]] = {r: {} for r in leaves}
    for c in APPLICANT_PARTS:
        available = new[c] + carried[c]
        forward[c] = sum(rng.random() < p_forward for _ in range(available))
        for r, k in zip(
            leaves, _multinomial(rng, available - forward[c], leaf_weights), strict=True
        ):
            handled[r][c] = k

    parts: dict[str, dict[str, int]] = {
        "new_requests": new,
        "carried_over": carried,
        **handled,
        "total_processed": {c: new[c] + carried[c] - forward[c] for c in APPLICANT_PARTS},
        "carried_forward": forward,
    }
    table: Table = {}
    for r in application_rows(version):
        row: dict[str, Value] = dict(parts[r])
        row["total"] = sum(parts[r].values())
        table[r] = {c: row[c] for c in APPLICANT_COLUMNS}
    return table


def _blank_empty_columns(rng: random.Random, applications: Table) -> None:
    """Some agencies leave the columns of applicants they never had empty. The blank cells
    stay null (blank is not zero); the identities still hold with blank read as 0."""
    if rng.random() >= 0.15:
        return
    empty = [
        c
        for c in APPLICANT_PARTS
        if c != "natural_person" and all(row[c] == 0 for row in applications.values())
    ]
    if not empty:
        return
    for c in rng.sample(empty, rng.randint(1, len(empty))):
        for row in applications.values():
            row[c] = None


def _draw_reviews(rng: random.Random, scale: str) -> Table:
    if scale == "none":
        n_review = 0
    elif scale == "small":
        n_review = rng.choice([0, 0, 0, 0, 1, 2])
    elif scale == "medium":
        n_review = rng.randint(0, 12)
    else:
        n_review = rng.randint(3, 80)
    n_direct = int(n_review * rng.uniform(0.2, 1.4)) if n_review else rng.choice([0, 0, 0, 1])
    n_after = int(n_review * rng.uniform(0.0, 0.5))
    outcome_weights = _jitter(rng, (0.6, 0.1, 0.2, 0.1))
    reviews: Table = {}
    for g, n in zip(REVIEW_GROUPS, (n_review, n_direct, n_after), strict=True):
        row: dict[str, Value] = dict(
            zip(OUTCOME_PARTS, _multinomial(rng, n, outcome_weights), strict=True)
        )
        row["total"] = n
        reviews[g] = {o: row[o] for o in OUTCOMES}
    return reviews


def _amount(yuan: int) -> int | float:
    """A sum printed in 元 as 万元 (at most 4 decimals)."""
    wan = round(yuan / 10000, 4)
    return int(wan) if float(wan).is_integer() else wan


def _count(rng: random.Random, scale: str, small: int, large: int) -> int:
    """A count of items or decisions: often 0 for small agencies, up to `large` for big ones."""
    if scale in ("none", "small") and rng.random() < 0.45:
        return 0
    top = {"none": small // 4 + 1, "small": small, "medium": large // 20 + 1, "large": large}[scale]
    return int(rng.triangular(0, top, top / 10))


def _draw_proactive(rng: random.Random, version: str, level: str, scale: str) -> Table:
    makes_rules = level != "county" and rng.random() < 0.6
    out: Table = {}
    for item, measures in proactive_layout(version).items():
        row: dict[str, Value] = {}
        if item in ("rules", "normative_documents"):
            cap = 20 if item == "rules" else 80
            made = _count(rng, scale, cap // 4, cap)
            if version == "2019":
                published = made - (rng.randint(0, made // 3) if made else 0)
                row = {
                    "made": made,
                    "published": published,
                    "published_total": published + _count(rng, scale, cap * 2, cap * 40),
                }
            else:
                row = {
                    "issued": made,
                    "repealed": _count(rng, scale, cap // 8 + 1, cap // 2),
                    "in_force": made + _count(rng, scale, cap * 2, cap * 30),
                }
        elif item == "admin_fees" and version == "2021":
            row = {"amount_wan_yuan": _amount(_count(rng, scale, 5_000_000, 2_000_000_000))}
        elif item == "admin_fees":
            prior = _count(rng, scale, 20, 400)
            row = {"prior_year_items": prior, "change": _signed_change(rng, prior)}
        elif item == "central_procurement":
            items_ = _count(rng, scale, 60, 250_000)
            yuan = _count(rng, scale, 90_000_000, 30_000_000_000) if items_ else 0
            row = {"procurement_items": items_, "amount_wan_yuan": _amount(yuan)}
        elif version == "2019":
            prior = _count(rng, scale, 300, 12_000)
            row = {
                "prior_year_items": prior,
                "change": _signed_change(rng, prior),
                "decisions": _count(rng, scale, 3_000, 4_000_000),
            }
        else:
            row = {"decisions": _count(rng, scale, 3_000, 4_000_000)}
        if item == "rules" and not makes_rules:
            # an agency without rule-making power prints zeros, or "/" (blank)
            row = dict.fromkeys(row, 0 if rng.random() < 0.5 else None)
        out[item] = {m: row[m] for m in measures}
    return out


def _signed_change(rng: random.Random, prior: int) -> int:
    if prior == 0 or rng.random() < 0.3:
        return 0
    bound = max(1, prior // 5)
    return rng.randint(-bound, bound)


def _narrative_totals(applications: Table, reviews: Table) -> dict[str, int]:
    def total(row: str) -> int:
        return int(applications[row]["total"] or 0)

    return {
        "new_requests": total("new_requests"),
        "carried_over": total("carried_over"),
        "total_processed": total("total_processed"),
        "carried_forward": total("carried_forward"),
        "review_total": int(reviews["review"]["total"] or 0),
        "litigation_total": int(
            (reviews["litigation_direct"]["total"] or 0)
            + (reviews["litigation_after_review"]["total"] or 0)
        ),
    }


def _stated_narrative(
    rng: random.Random, kind: str, applications: Table, reviews: Table
) -> dict[str, int]:
    """Which totals the text states (the truth's `narrative`), before any perturbation."""
    if kind == "no_statistics":
        return {}
    totals = _narrative_totals(applications, reviews)
    p = 0.85 if kind == "narrative_only" else 0.55
    stated = {"new_requests": totals["new_requests"]}
    for key in ("carried_over", "total_processed", "carried_forward"):
        if rng.random() < p:
            stated[key] = totals[key]
    if rng.random() < p:
        stated["review_total"] = totals["review_total"]
        stated["litigation_total"] = totals["litigation_total"]
    return {k: stated[k] for k in NARRATIVE_KEYS if k in stated}


def _perturb(rng: random.Random, truth: dict, identity: str) -> None:
    """Change one printed cell so that `identity` fails, as real reports do (a total off by a
    few, a count typed into the wrong row)."""
    apps, reviews = truth["applications"], truth["reviews"]
    version = truth["template"]["applications"]
    if identity == "ledger":
        table, row, col = apps, rng.choice(["new_requests", "carried_forward"]), "total"
    elif identity == "dispositions":
        leaves = [r for r in disposition_leaves(version) if apps[r]["total"]]
        table, row, col = apps, rng.choice(leaves or ["granted"]), "total"
    elif identity == "applicants":
        leaves = [r for r in disposition_leaves(version) if apps[r]["natural_person"]]
        table, row, col = apps, rng.choice(leaves or ["granted"]), "natural_person"
    else:
        groups = [g for g in REVIEW_GROUPS if reviews[g]["total"]]
        table, row, col = reviews, rng.choice(groups or ["review"]), "total"
    delta = rng.choice([1, 1, 2, 3, 5, 10])
    value = int(table[row][col] or 0)
    table[row][col] = value - delta if value >= delta and rng.random() < 0.5 else value + delta


# =============================================================================================
# Document model: blocks of text and tables, shared by the three renderings
# =============================================================================================


@dataclass(frozen=True)
class Cell:
    """One printed cell. A label may be split in two parts (two <p> inside the cell)."""

    parts: tuple[str, ...]
    rowspan: int = 1
    colspan: int = 1
    is_value: bool = False

    @property
    def text(self) -> str:
        return "".join(self.parts)


Row = list[Cell]


@dataclass
class Block:
    kind: str  # title | meta | heading | para | table | empty_rows | sign
    text: str = ""
    rows: list[Row] = field(default_factory=list)
    role: str = ""  # for tables: proactive | applications | reviews


@dataclass(frozen=True)
class Style:
    """The choices one publisher makes for a whole document."""

    half_brackets: bool  # (三) rather than （三）
    numbering: str  # "1." "1、" "1．"
    split_rate: float  # share of long labels split in two inside their cell
    blank_mark: str  # how a blank cell is printed
    sign_plus: bool  # +14 rather than 14
    amount_in_yuan: bool  # 2019 procurement amount printed as "390785元"
    amount_unit_suffix: bool  # 2019 procurement amount printed as "39.0785(万元"
    thousands: bool  # 2,204,543
    year_first_title: bool
    proactive_single_table: bool


def _draw_style(rng: random.Random, blank_marks: Sequence[str]) -> Style:
    return Style(
        half_brackets=rng.random() < 0.2,
        numbering=rng.choices(["1.", "1、", "1．"], (0.7, 0.2, 0.1))[0],
        split_rate=rng.choice([0.0, 0.0, 0.3, 0.8]),
        blank_mark=rng.choice(blank_marks),
        sign_plus=rng.random() < 0.5,
        amount_in_yuan=rng.random() < 0.35,
        amount_unit_suffix=rng.random() < 0.1,
        thousands=rng.random() < 0.15,
        year_first_title=rng.random() < 0.3,
        proactive_single_table=rng.random() < 0.5,
    )


def _label(text: str, style: Style) -> str:
    if style.numbering != "1.":
        text = re.sub(r"^(\d{1,2})\.", lambda m: m[1] + style.numbering[1:], text)
    if style.half_brackets:
        text = text.replace("（", "(").replace("）", ")")
    return text


def _split(rng: random.Random, text: str, style: Style) -> tuple[str, ...]:
    """Split a header label in two parts the way cell text wraps into two <p>."""
    if len(text) < 4 or rng.random() >= style.split_rate:
        return (text,)
    m = re.match(r"^([（(][一二三四五六七八九十]+[）)])(.+)$", text)
    if m:
        cut = m.end(1)
    elif "（" in text[1:]:
        cut = text.index("（", 1)
    else:  # where a narrow cell wraps these labels: 结果|维持, 社会公益|组织, 本年新|制作数量
        cut = 2 if len(text) <= 5 else 4 if len(text) == 6 else len(text) // 2
    return (text[:cut], text[cut:])


def _label_cell(rng: random.Random, text: str, style: Style, splittable: bool = False, **kw):
    text = _label(text, style)
    return Cell(_split(rng, text, style) if splittable else (text,), **kw)


def _int_text(value: int, style: Style, *, thousands: bool = False) -> str:
    return f"{value:,}" if thousands and style.thousands and abs(value) >= 10000 else str(value)


def _amount_text(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _value_cell(text: str) -> Cell:
    return Cell((text,), is_value=True)


def _format_value(value: Value, measure: str, item: str, version: str, style: Style) -> str:
    if value is None:
        return style.blank_mark
    if measure == "change":
        return f"+{value}" if value > 0 and style.sign_plus else str(value)
    if measure == "amount_wan_yuan":
        if version == "2019" and item == "central_procurement" and style.amount_in_yuan:
            return f"{round(value * 10000)}元"
        text = _amount_text(value)
        if version == "2019" and style.amount_unit_suffix:
            return text + "(万元"
        return text
    return _int_text(int(value), style, thousands=measure == "decisions")


def _pick_label(code_labels: tuple[str, ...], version: str) -> str:
    """A code with alternatives 'A / B' is printed A in the 2019 form and B in the 2021 form."""
    return code_labels[0] if version == "2019" else code_labels[-1]


def _proactive_tables(rng: random.Random, truth: dict, style: Style) -> list[list[Row]]:
    """Section 二: one small table per 第二十条 clause (items of a clause share the measures)."""
    version = truth["template"]["proactive"]
    layout = proactive_layout(version)
    codes = by_code("proactive")
    groups: list[list[str]] = []
    for item in layout:
        if groups and ITEM_CLAUSE[groups[-1][0]] == ITEM_CLAUSE[item]:
            groups[-1].append(item)
        else:
            groups.append([item])
    tables = []
    for group in groups:
        width = len(layout[group[0]]) + 1
        rows: list[Row] = [
            [_label_cell(rng, ARTICLE.format(clause=ITEM_CLAUSE[group[0]]), style, colspan=width)],
            [_label_cell(rng, ITEM_HEADER, style)]
            + [
                _label_cell(rng, _pick_label(codes[m].labels, version), style, True)
                for m in layout[group[0]]
            ],
        ]
        for item in group:
            values = truth["proactive"][item]
            rows.append(
                [_label_cell(rng, _pick_label(codes[item].labels, version), style)]
                + [
                    _value_cell(_format_value(values[m], m, item, version, style))
                    for m in layout[item]
                ]
            )
        tables.append(rows)
    return tables


def _application_table(rng: random.Random, truth: dict, style: Style) -> list[Row]:
    """Section 三 as the national form: a 3-column label block (row, group, sub-row) and the
    2-level applicant header."""
    version = truth["template"]["applications"]
    apps = truth["applications"]
    codes = by_code("applicant")
    parts_labels = [codes[c].label_zh for c in APPLICANT_PARTS if c != "natural_person"]
    rows: list[Row] = [
        [
            _label_cell(rng, LEDGER_NOTE, style, rowspan=3, colspan=3),
            _label_cell(rng, APPLICANT_HEADER, style, colspan=7),
        ],
        [
            _label_cell(rng, codes["natural_person"].label_zh, style, rowspan=2),
            _label_cell(rng, LEGAL_PERSON_HEADER, style, colspan=5),
            _label_cell(rng, codes["total"].label_zh, style, rowspan=2),
        ],
        [_label_cell(rng, lab, style, True) for lab in parts_labels],
    ]
    row_codes = application_rows(version)
    labels = by_code("applications")
    under_results = [r for r in row_codes if r not in LEDGER_ROWS] + ["total_processed"]
    group_sizes: dict[str, int] = {}
    for r in row_codes:
        if " " in labels[r].label_zh:
            group = labels[r].label_zh.split(" ", 1)[0]
            group_sizes[group] = group_sizes.get(group, 0) + 1
    seen_groups: set[str] = set()
    for r in row_codes:
        cells: Row = []
        label = labels[r].label_zh
        if r == under_results[0]:
            cells.append(_label_cell(rng, RESULTS_LABEL, style, rowspan=len(under_results)))
        if r in under_results:
            if " " in label:
                group, sub = label.split(" ", 1)
                if group not in seen_groups:
                    seen_groups.add(group)
                    cells.append(_label_cell(rng, group, style, True, rowspan=group_sizes[group]))
                cells.append(_label_cell(rng, sub, style))
            else:
                cells.append(_label_cell(rng, label, style, colspan=2))
        else:
            cells.append(_label_cell(rng, label, style, colspan=3))
        for c in APPLICANT_COLUMNS:
            v = apps[r][c]
            cells.append(_value_cell(style.blank_mark if v is None else str(v)))
        rows.append(cells)
    return rows


def _review_table(rng: random.Random, truth: dict, style: Style) -> list[Row]:
    """Section 四: 3-level header and one 15-cell value row."""
    codes = by_code("reviews")
    review = codes["review"].label_zh
    litigation, direct = codes["litigation_direct"].label_zh.split(" ", 1)
    after = codes["litigation_after_review"].label_zh.split(" ", 1)[1]

    def outcome_cells(**kw) -> Row:
        return [_label_cell(rng, codes[o].label_zh, style, True, **kw) for o in OUTCOMES]

    values = truth["reviews"]
    return [
        [
            _label_cell(rng, review, style, colspan=5),
            _label_cell(rng, litigation, style, colspan=10),
        ],
        outcome_cells(rowspan=2)
        + [_label_cell(rng, direct, style, colspan=5), _label_cell(rng, after, style, colspan=5)],
        outcome_cells() + outcome_cells(),
        [
            _value_cell(style.blank_mark if values[g][o] is None else str(values[g][o]))
            for g in REVIEW_GROUPS
            for o in OUTCOMES
        ],
    ]


# --- prose -----------------------------------------------------------------------------------


def _place(agency: str) -> str:
    """The region an agency belongs to: 青原市生态环境局 -> 青原市, 青原市城东区人民政府 ->
    青原市城东区 (a unit character right after a place name, as in 市场, is not a new place)."""
    m = re.match(r"^((?:[^省市县区州盟旗]{1,4}[省市县区州盟旗])+)", agency)
    return m[1] if m else agency


def _self_name(agency: str) -> str:
    for suffix, name in (
        ("办公厅", "厅"),
        ("办公室", "办"),
        ("人民政府", "政府"),
        ("局", "局"),
        ("厅", "厅"),
        ("委员会", "委"),
    ):
        if agency.endswith(suffix):
            return name
    return "单位"


def _title(truth: dict, style: Style) -> str:
    agency, year = truth["agency"], truth["year"]
    if style.year_first_title:
        return f"{year}年{agency}政府信息公开工作年度报告"
    return f"{agency}{year}年政府信息公开工作年度报告"


def _publication_date(rng: random.Random, truth: dict) -> tuple[int, int, int]:
    """Agencies publish by 31 January, a government's aggregate report by 31 March."""
    month = 3 if truth["agency"].endswith("人民政府") else 1
    return truth["year"] + 1, month, rng.randint(8, 31 if month == 1 else 28)


def _intro(rng: random.Random, truth: dict) -> str:
    agency, year = truth["agency"], truth["year"]
    phone = f"0{rng.randint(310, 999)}-{rng.randint(2000000, 8999999)}"
    first = rng.choice(
        [
            f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）的规定，特向社会公布"
            f"{agency}{year}年政府信息公开工作年度报告。",
            f"本报告依据《中华人民共和国政府信息公开条例》和上级关于政府信息公开工作年度报告的"
            f"有关要求编制，由{agency}负责解释。",
        ]
    )
    return (
        f"{first}全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        f"政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
        f"报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"如对本报告有疑问，请与{agency}联系（电话：{phone}）。"
    )


def _applications_sentence(rng: random.Random, truth: dict) -> str:
    """The totals of section 三 as the text states them (only the keys in truth.narrative)."""
    n = truth["narrative"]
    year = truth["year"]
    new = rng.choice(
        [
            "本年度共收到政府信息公开申请{}件",
            "全年新收政府信息公开申请{}件",
            f"{year}年共受理政府信息公开申请{{}}件",
            "本年新收政府信息公开申请{}件",
        ]
    ).format(n["new_requests"])
    clauses = {"new_requests": new}
    if "carried_over" in n:
        clauses["carried_over"] = rng.choice(["上年结转{}件", "上年度结转申请{}件"]).format(
            n["carried_over"]
        )
    if "total_processed" in n:
        clauses["total_processed"] = rng.choice(
            ["办结{}件", "已办理完毕{}件", "本年度共办理{}件"]
        ).format(n["total_processed"])
    if "carried_forward" in n:
        clauses["carried_forward"] = rng.choice(
            ["结转下年度继续办理{}件", "剩余{}件结转下年度办理", "{}件结转至下一年度继续办理"]
        ).format(n["carried_forward"])
    order = ["new_requests", "carried_over", "total_processed", "carried_forward"]
    if "carried_over" in clauses and rng.random() < 0.4:
        order = ["carried_over", "new_requests", "total_processed", "carried_forward"]
    text = "，".join(clauses[k] for k in order if k in clauses)
    tail = rng.choice(["，均已在法定期限内予以答复。", "。", "，答复率100%。"])
    sentence = text + tail
    if n["new_requests"] >= 3 and rng.random() < 0.35:
        online, letter, counter = _multinomial(rng, n["new_requests"], (0.6, 0.25, 0.15))
        sentence += (
            f"从申请渠道看，通过网络申请{online}件，信函申请{letter}件，当面申请{counter}件。"
        )
    return sentence


def _reviews_sentence(rng: random.Random, truth: dict) -> str:
    n = truth["narrative"]
    return rng.choice(
        [
            "本年度，因政府信息公开工作被申请行政复议{}件，提起行政诉讼{}件。",
            "全年发生政府信息公开行政复议案件{}件、行政诉讼案件{}件。",
            "因政府信息公开工作被申请行政复议{}件，被提起行政诉讼{}件。",
        ]
    ).format(n["review_total"], n["litigation_total"])


def _overview_paragraphs(rng: random.Random, truth: dict) -> list[str]:
    agency, year = truth["agency"], truth["year"]
    me = _self_name(agency)
    kind = truth["status"]
    paras = [
        rng.choice(
            [
                f"{year}年，{agency}坚持以人民为中心的发展思想，认真贯彻落实《条例》，"
                f"围绕中心工作扎实推进政务公开，不断提升工作透明度和公信力。",
                f"{year}年，在上级政务公开主管部门的指导下，我{me}持续深化决策、执行、管理、"
                f"服务、结果公开，政府信息公开工作取得新进展。",
            ]
        )
    ]
    proactive = (
        f"（一）主动公开。通过{_place(agency)}人民政府门户网站、政务新媒体等渠道主动公开"
        f"政府信息{rng.randint(40, 9000)}条，其中政策文件{rng.randint(1, 120)}件，"
        f"政策解读{rng.randint(1, 60)}篇。"
    )
    if kind == "no_statistics":
        proactive = (
            "（一）主动公开。通过门户网站、政务新媒体等渠道及时发布政策文件、工作动态等"
            "政府信息，重点领域信息公开进一步深化。"
        )
    paras.append(proactive)
    if kind == "no_statistics":
        paras.append(
            "（二）依申请公开。进一步规范依申请公开受理、审查、答复程序，畅通申请渠道，"
            "依法保障公众获取政府信息的权利。"
        )
    else:
        p = "（二）依申请公开。" + _applications_sentence(rng, truth)
        if "review_total" in truth["narrative"] and rng.random() < 0.6:
            p += _reviews_sentence(rng, truth)
        paras.append(p)
    paras.append(
        "（三）政府信息管理。严格落实公文公开属性源头认定制度，对拟公开的文件依法依规进行"
        "保密审查，及时更新政府信息公开指南和目录。"
    )
    paras.append(
        "（四）平台建设。持续优化政府网站栏目设置，规范信息发布审核程序，加强政务新媒体日常监管。"
    )
    supervision = f"（五）监督保障。将政务公开纳入年度考核，组织开展业务培训{rng.randint(1, 6)}次。"
    if "review_total" in truth["narrative"] and _reviews_sentence_missing(paras):
        supervision += _reviews_sentence(rng, truth)
    paras.append(supervision)
    return paras


def _reviews_sentence_missing(paras: list[str]) -> bool:
    return not any("行政复议" in p for p in paras)


def _problems_paragraph(rng: random.Random) -> str:
    return rng.choice(
        [
            "本年度政府信息公开工作仍存在一些不足：一是公开内容的系统性有待加强；二是政策解读"
            "形式较为单一；三是工作人员业务能力有待提升。下一步，将加强培训，完善制度，"
            "推动政务公开工作再上新台阶。",
            "存在的问题主要是部分信息更新不够及时，依申请公开答复的规范性仍需提高。"
            "改进措施：健全信息发布审核机制，定期开展自查，提升答复质量。",
        ]
    )


def _other_paragraph(rng: random.Random, truth: dict) -> str:
    if truth["year"] >= 2021 and rng.random() < 0.7:
        return "本年度未收取政府信息公开信息处理费。"
    return rng.choice(["无。", "本年度无其他需要报告的事项。"])


def _document(rng: random.Random, truth: dict, style: Style) -> list[Block]:
    """The whole report as blocks, in reading order."""
    blocks = [Block("title", _title(truth, style))]
    y, m, d = _publication_date(rng, truth)
    blocks.append(Block("meta", f"发布时间：{y}-{m:02d}-{d:02d}  来源：{truth['agency']}"))
    blocks.append(Block("para", _intro(rng, truth)))
    blocks.append(Block("heading", SECTION_HEADINGS[0]))
    blocks += [Block("para", p) for p in _overview_paragraphs(rng, truth)]
    has_tables = truth["status"] == "complete"
    blocks.append(Block("heading", SECTION_HEADINGS[1]))
    if has_tables:
        for rows in _proactive_tables(rng, truth, style):
            blocks.append(Block("table", rows=rows, role="proactive"))
    blocks.append(Block("heading", SECTION_HEADINGS[2]))
    if has_tables:
        blocks.append(
            Block("table", rows=_application_table(rng, truth, style), role="applications")
        )
    elif truth["status"] == "narrative_only":
        blocks.append(Block("empty_rows", role="applications"))
    blocks.append(Block("heading", SECTION_HEADINGS[3]))
    if has_tables:
        blocks.append(Block("table", rows=_review_table(rng, truth, style), role="reviews"))
    blocks.append(Block("heading", SECTION_HEADINGS[4]))
    blocks.append(Block("para", _problems_paragraph(rng)))
    blocks.append(Block("heading", SECTION_HEADINGS[5]))
    blocks.append(Block("para", _other_paragraph(rng, truth)))
    blocks.append(Block("sign", truth["agency"]))
    blocks.append(Block("sign", f"{y}年{m}月{d}日"))
    return blocks


# =============================================================================================
# Renderers
# =============================================================================================


@cache
def _s2twp():
    import opencc

    return opencc.OpenCC("s2twp")


def to_traditional(text: str) -> str:
    """Traditional script with Taiwan phrasing, as mirror sites convert (文件→檔案)."""
    return _s2twp().convert(text)


def _script(text: str, script: str) -> str:
    if script not in SCRIPTS:
        raise ValueError(f"script must be one of {SCRIPTS}: {script!r}")
    return to_traditional(text) if script == "traditional" else text


# --- HTML ------------------------------------------------------------------------------------

_NAV = ("首页", "政务公开", "政务服务", "互动交流", "数据开放")


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _html_cell(rng: random.Random, cell: Cell, markup: str, border: bool) -> str:
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    if markup == "word":
        b = "border:solid windowtext 1.0pt;" if border else "border:none;"
        attrs += f' valign="center" style="{b}padding:0cm 5.4pt"'
    if len(cell.parts) > 1:
        how = rng.choice(["p", "span", "br"])
        if how == "p":
            inner = "".join(f"<p>{_e(p)}</p>" for p in cell.parts)
        elif how == "span":
            inner = "".join(f"<span>{_e(p)}</span>" for p in cell.parts)
        else:
            inner = "<br/>".join(_e(p) for p in cell.parts)
    else:
        inner = _e(cell.text)
    if markup == "p":
        inner = f'<p align="center">{inner}</p>'
    elif markup == "word":
        inner = (
            '<p align="center" style="text-align:center">'
            f'<span style="font-size:10.5pt;font-family:宋体">{inner}</span></p>'
        )
    return f"<td{attrs}>{inner}</td>"


def _html_table(rng: random.Random, rows: Sequence[Row], markup: str, border: bool) -> str:
    if border:
        open_tag = (
            '<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">'
        )
    else:
        open_tag = '<table border="0" cellspacing="0" cellpadding="0" style="border:none">'
    body = "".join(
        "<tr>" + "".join(_html_cell(rng, c, markup, border) for c in row) + "</tr>\n"
        for row in rows
    )
    return f"{open_tag}\n<tbody>\n{body}</tbody>\n</table>"


def _merge_proactive(rows_per_table: list[list[Row]]) -> list[Row]:
    """The 第二十条 clauses stacked in one table whose rows fill its width with colspan."""
    width = max(sum(c.colspan for c in rows[1]) for rows in rows_per_table)
    merged: list[Row] = []
    for rows in rows_per_table:
        for row in rows:
            span = sum(c.colspan for c in row)
            if span < width:
                last = row[-1]
                row = row[:-1] + [
                    Cell(last.parts, last.rowspan, last.colspan + width - span, last.is_value)
                ]
            merged.append(row)
    return merged


def render_html(truth: dict, rng: random.Random, script: str = "simplified") -> str:
    """A full portal article page with the report and its three tables."""
    style = _draw_style(rng, ["", "", "/", "—", "无"])
    blocks = _document(rng, truth, style)
    markup = rng.choices(["plain", "p", "word"], (0.4, 0.35, 0.25))[0]
    border = rng.random() < 0.75
    heading_tag = rng.choice(["h3", "p-strong"])
    indent = rng.choice(['<p style="text-indent:2em">', "<p>\u3000\u3000"])
    agency = truth["agency"]
    place = _place(agency)
    title = blocks[0].text
    site = f"{place}人民政府门户网站" if rng.random() < 0.7 else agency

    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="ArticleTitle" content="{html.escape(title)}">',
        f"<title>{_e(title)}_{_e(site)}</title>",
        '<link rel="stylesheet" href="/static/css/common.css">',
        '<script src="/static/js/jquery.min.js"></script>',
        "</head>",
        "<body>",
        '<div class="header"><div class="logo">' + _e(site) + "</div>",
        '<ul class="nav">'
        + "".join(f'<li><a href="/c{i}/">{_e(n)}</a></li>' for i, n in enumerate(_NAV))
        + "</ul></div>",
        '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/c1/">政务公开</a>'
        ' &gt; <a href="/c1/ndbg/">政府信息公开年报</a></div>',
        '<div class="article">',
    ]
    pending_proactive: list[list[Row]] = []

    def flush_proactive() -> None:
        if not pending_proactive:
            return
        if style.proactive_single_table:
            out.append(_html_table(rng, _merge_proactive(pending_proactive), markup, border))
        else:
            out.extend(_html_table(rng, rows, markup, border) for rows in pending_proactive)
        pending_proactive.clear()

    for block in blocks:
        if block.kind == "table" and block.role == "proactive":
            pending_proactive.append(block.rows)
            continue
        flush_proactive()
        if block.kind == "title":
            out.append(f'<h1 class="title">{_e(block.text)}</h1>')
        elif block.kind == "meta":
            out.append(
                f'<div class="info">{_e(block.text)}  浏览次数：<span id="hits"></span>'
                '  字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a></div>'
            )
            out.append('<div class="content" id="zoom">')
        elif block.kind == "heading":
            if heading_tag == "h3":
                out.append(f"<h3>{_e(block.text)}</h3>")
            else:
                out.append(f'<p style="text-indent:2em"><strong>{_e(block.text)}</strong></p>')
        elif block.kind == "para":
            out.append(f"{indent}{_e(block.text)}</p>")
        elif block.kind == "table":
            out.append(_html_table(rng, block.rows, markup, border))
        elif block.kind == "sign":
            out.append(f'<p style="text-align:right">{_e(block.text)}</p>')
    out.append("</div>")  # content
    out.append(
        '<div class="share">分享到：<a class="wx" href="javascript:;">微信</a>'
        '<a class="wb" href="javascript:;">微博</a><a class="qq" href="javascript:;">QQ空间</a>'
        "</div>"
    )
    out.append(
        '<div class="tools"><a href="javascript:window.print()">【打印本页】</a>'
        '<a href="javascript:window.close()">【关闭窗口】</a></div>'
    )
    if rng.random() < 0.5:
        out.append('<div class="related"><h4>相关文章</h4><ul>')
        for y in (truth["year"] - 1, truth["year"] - 2):
            out.append(
                f'<li><a href="/c1/ndbg/{y}.html">{_e(agency)}{y}年政府信息公开工作'
                "年度报告</a></li>"
            )
        out.append("</ul></div>")
    out.append("</div>")  # article
    out.append(
        f'<div class="footer"><p>主办单位：{_e(agency)}　承办单位：{_e(place)}大数据中心</p>'
        f"<p>网站标识码：{rng.randint(1000000000, 9999999999)}　"
        f"ICP备{rng.randint(10000000, 99999999)}号</p></div>"
    )
    out.append(
        "<script>var _share={title:document.title,url:location.href};</script>\n</body>\n</html>"
    )
    return _script("\n".join(out) + "\n", script)


# --- text ------------------------------------------------------------------------------------

_HALF_PUNCT = str.maketrans({"（": "(", "）": ")", "，": ",", "：": ":", "；": ";"})


def _text_chrome(rng: random.Random, truth: dict) -> list[str]:
    place = _place(truth["agency"])
    return rng.choice(
        [
            ["首页", "政务公开", "政务服务", "互动交流", f"走进{place}"],
            ["无障碍", "长者模式", "登录", "首页 > 政务公开 > 政府信息公开年报"],
            [truth["agency"]],
        ]
    )


def _text_blocks(
    rng: random.Random,
    truth: dict,
    style: Style,
    table_lines: Callable[[Block], list[str]],
    empty_rows: bool = False,
) -> list[str]:
    lines = _text_chrome(rng, truth)
    indent = rng.choice(["", "  ", "\u3000\u3000"])
    for block in _document(rng, truth, style):
        if block.kind == "table":
            lines += table_lines(block)
        elif block.kind == "empty_rows":
            lines += _empty_rows(rng) if empty_rows else []
        elif block.kind in ("para", "heading"):
            lines.append(indent + block.text)
        else:
            lines.append(block.text)
    lines += rng.choice([["打印", "关闭"], ["【打印本页】", "【关闭窗口】"], []])
    return lines


def _empty_rows(rng: random.Random) -> list[str]:
    """What is left of a table lost when the page was copied: sometimes rows of empty cells."""
    if rng.random() < 0.5:
        return []
    return [" | ".join([""] * rng.choice([3, 7, 8, 9])).strip() for _ in range(rng.randint(5, 24))]


def _cell_lines(style_keep_split: bool) -> Callable[[Block], list[str]]:
    def lines(block: Block) -> list[str]:
        out: list[str] = []
        for row in block.rows:
            for cell in row:
                if style_keep_split and not cell.is_value:
                    out.extend(cell.parts)
                else:
                    out.append(cell.text)
        return out

    return lines


def render_text_cells(truth: dict, rng: random.Random, script: str = "simplified") -> str:
    """The page copied to text: headings and paragraphs as lines, one table cell per line in
    row order (a rowspan label at its first row only), section 四 as its header cells and then
    the 15 values."""
    style = _draw_style(rng, ["/", "—", "-", "无"])
    keep_split = rng.random() < 0.5
    sep = rng.choice(["\n", "\n\n"])
    lines = _text_blocks(rng, truth, style, _cell_lines(keep_split))
    text = sep.join(lines) + "\n"
    if rng.random() < 0.3:
        text = text.translate(_HALF_PUNCT)
    return _script(text, script)


def _pipe_lines(block: Block) -> list[str]:
    return [" | ".join(cell.text for cell in row) for row in block.rows]


def render_pipe(truth: dict, rng: random.Random, script: str = "simplified") -> str:
    """The page copied to text with table rows as lines of cells joined by ' | '."""
    style = _draw_style(rng, ["", "/", "—", "-", "无"])
    lines = _text_blocks(rng, truth, style, _pipe_lines, empty_rows=True)
    text = "\n".join(lines) + "\n"
    if rng.random() < 0.3:
        text = text.translate(_HALF_PUNCT)
    return _script(text, script)


RENDERINGS: dict[str, Callable[..., str]] = {
    "html": render_html,
    "text_cells": render_text_cells,
    "pipe": render_pipe,
}
EXTENSIONS = {"html": "html", "text_cells": "txt", "pipe": "txt"}


def render(truth: dict, rendering: str, script: str, rng: random.Random) -> tuple[str, str]:
    """(document text, file extension) of `truth` in one rendering and script."""
    if rendering not in RENDERINGS:
        raise ValueError(f"rendering must be one of {tuple(RENDERINGS)}: {rendering!r}")
    return RENDERINGS[rendering](truth, rng, script), EXTENSIONS[rendering]
