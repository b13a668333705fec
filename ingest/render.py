"""Synthetic annual reports whose every true value is known.

`make_report` draws the statistics of one 政府信息公开工作年度报告 (the *truth*, in the shape of
the parse contract of the spec) and the renderers print it the ways real reports are published:

* `render_html`: a portal article page (menus, breadcrumbs, share buttons, footer) with the three
  statistic tables built like the national template (rowspan/colspan, labels split inside cells,
  bordered or borderless, amounts in 元 with the unit inside the cell);
* `render_text_cells`: the page copied to text, one table cell per line;
* `render_pipe`: the page copied to text, one table row per line, cells joined by `` | ``; a
  rowspan label appears only on the first row of its group, so rows have different cell counts.

`MESSY_RENDERINGS` print the same reports the ways that are harder to read: PDF text
(`render_pdf_layout`: whitespace-aligned columns; `render_pdf_text`: one cell per line, some
values before their label), flattened text with the numbers of a row glued (`render_flat`),
HTML with section 四 as three tables or absent, heavy page chrome, labels split over <p>/<span>,
GBK bytes, label noise (`ingest.noise`), and a blank 总计 column. `adapt_truth` gives the truth
a messy rendering prints; `render_bytes` renders any of `ALL_RENDERINGS` to bytes.

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
from functools import cache, lru_cache

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
from ingest.noise import blank_totals, noisy_label, without_reviews
from ingest.normalize import convert_in_pieces

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


def _review_tables_split(rng: random.Random, truth: dict, style: Style) -> list[list[Row]]:
    """Section 四 as three small tables, one per group: its name, the 5 outcomes, the values."""
    codes = by_code("reviews")
    tables = []
    for g in REVIEW_GROUPS:
        parts = codes[g].label_zh.split(" ", 1)
        name = parts[0] if len(parts) == 1 else f"{parts[0]}（{parts[1]}）"
        values = truth["reviews"][g]
        tables.append(
            [
                [_label_cell(rng, name, style, colspan=len(OUTCOMES))],
                [_label_cell(rng, codes[o].label_zh, style, True) for o in OUTCOMES],
                [
                    _value_cell(style.blank_mark if values[o] is None else str(values[o]))
                    for o in OUTCOMES
                ],
            ]
        )
    return tables


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


def _document(
    rng: random.Random, truth: dict, style: Style, reviews: str = "one_row"
) -> list[Block]:
    """The whole report as blocks, in reading order. `reviews` prints section 四 as the
    template's one 15-cell row ("one_row") or as one 5-column table per group ("split"); a truth
    without reviews prints the heading with nothing under it."""
    blocks = [Block("title", _title(truth, style))]
    y, m, d = _publication_date(rng, truth)
    blocks.append(Block("meta", f"发布时间：{y}-{m:02d}-{d:02d}  来源：{truth['agency']}"))
    blocks.append(Block("para", _intro(rng, truth)))
    blocks.append(Block("heading", SECTION_HEADINGS[0]))
    blocks += [Block("para", p) for p in _overview_paragraphs(rng, truth)]
    has_tables = "applications" in truth
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
    if has_tables and "reviews" in truth:
        if reviews == "split":
            for rows in _review_tables_split(rng, truth, style):
                blocks.append(Block("table", rows=rows, role="reviews"))
        else:
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


@lru_cache(maxsize=1 << 16)
def _traditional_piece(piece: str) -> str:
    return _s2twp().convert(piece)


def to_traditional(text: str) -> str:
    """Traditional script with Taiwan phrasing, as mirror sites convert (文件→檔案)."""
    return convert_in_pieces(text, _traditional_piece)


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


def render_html(
    truth: dict,
    rng: random.Random,
    script: str = "simplified",
    *,
    reviews: str = "one_row",
    chrome: str = "light",
    split_labels: bool = False,
    label_noise: float = 0.0,
) -> str:
    """A full portal article page with the report and its three tables.

    The options print the variants real pages show (the defaults print the plain page):
    `reviews` "split" gives section 四 as three 5-column tables; `chrome` "heavy" wraps the
    article in nested layout tables among menus, visitor counters and footers; `split_labels`
    breaks row labels over several <p>/<span>; `label_noise` is the rate of `noise.noisy_label`.
    """
    style = _draw_style(rng, ["", "", "/", "—", "无"])
    blocks = _document(rng, truth, style, reviews)
    if label_noise:
        blocks = _noisy_blocks(rng, blocks, label_noise)
    if split_labels:
        blocks = _split_label_blocks(rng, blocks)
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
    page = "\n".join(out) + "\n"
    if chrome == "heavy":
        page = _heavy_chrome(rng, page, truth)
    return _script(page, script)


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
    transform: Callable[[list[Block]], list[Block]] | None = None,
) -> list[str]:
    lines = _text_chrome(rng, truth)
    indent = rng.choice(["", "  ", "\u3000\u3000"])
    blocks = _document(rng, truth, style)
    if transform is not None:
        blocks = transform(blocks)
    for block in blocks:
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
    if rendering in MESSY_RENDERINGS and rendering not in BYTE_RENDERINGS:
        return MESSY_RENDERINGS[rendering](truth, rng, script), MESSY_EXTENSIONS[rendering]
    if rendering not in RENDERINGS:
        raise ValueError(f"rendering must be one of {tuple(RENDERINGS)}: {rendering!r}")
    return RENDERINGS[rendering](truth, rng, script), EXTENSIONS[rendering]


# =============================================================================================
# Messy renderings: what PDF extraction, flattening and careless pages do to the same report
# =============================================================================================


def _noisy_blocks(rng: random.Random, blocks: list[Block], rate: float) -> list[Block]:
    """Table labels with `noise.noisy_label` applied (values untouched)."""
    out = []
    for block in blocks:
        if block.kind == "table":
            rows = [
                [
                    c
                    if c.is_value
                    else Cell(
                        tuple(noisy_label(rng, p, rate) for p in c.parts),
                        c.rowspan,
                        c.colspan,
                        c.is_value,
                    )
                    for c in row
                ]
                for row in block.rows
            ]
            block = Block(block.kind, block.text, rows, block.role)
        out.append(block)
    return out


def _cut_label(rng: random.Random, text: str) -> tuple[str, ...]:
    """A label broken in 2 or 3 pieces, the numbering often on its own (<span>1.</span>)."""
    m = re.match(r"^(\d{1,2}[.、．]|[（(][一二三四五六七八九十]+[）)])", text)
    head = m.end() if m and rng.random() < 0.6 else 0
    rest = text[head:]
    if len(rest) < 4:
        return (text[:head], rest) if head else (text,)
    cuts = sorted(rng.sample(range(1, len(rest)), min(len(rest) - 1, rng.choice([1, 1, 2]))))
    pieces = [rest[i:j] for i, j in zip([0, *cuts], [*cuts, len(rest)], strict=True)]
    pieces = [p + " " if rng.random() < 0.15 else p for p in pieces]
    return ((text[:head],) if head else ()) + tuple(pieces)


def _split_label_blocks(rng: random.Random, blocks: list[Block]) -> list[Block]:
    """Row and header labels split over several <p>/<span> inside their cell."""
    out = []
    for block in blocks:
        if block.kind == "table":
            rows = [
                [
                    Cell(_cut_label(rng, c.text), c.rowspan, c.colspan, c.is_value)
                    if not c.is_value and len(c.text) >= 4 and rng.random() < 0.7
                    else c
                    for c in row
                ]
                for row in block.rows
            ]
            block = Block(block.kind, block.text, rows, block.role)
        out.append(block)
    return out


def _heavy_chrome(rng: random.Random, page: str, truth: dict) -> str:
    """The body wrapped in nested layout tables among menus, a sidebar with visitor counters
    (numbers in small tables), and a footer table: the portal templates of the 2000s."""
    head, rest = page.split("<body>\n", 1)
    body, tail = rest.rsplit("</body>", 1)
    place = _place(truth["agency"])
    menu = (
        '<table class="menu" cellspacing="0"><tr>'
        + "".join(f'<td><a href="/c{i}/">{_e(n)}</a></td>' for i, n in enumerate(_NAV))
        + "</tr></table>"
    )
    links = ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报")
    side_links = (
        '<table class="list">'
        + "".join(f'<tr><td><a href="#">{_e(x)}</a></td></tr>' for x in links)
        + "</table>"
    )
    counters = (
        '<table class="stat">'
        f"<tr><td>今日访问</td><td>{rng.randint(10, 9999)}</td></tr>"
        f"<tr><td>累计访问</td><td>{rng.randint(10000, 9999999)}</td></tr>"
        f"<tr><td>在线人数</td><td>{rng.randint(1, 300)}</td></tr></table>"
    )
    footer = (
        '<table class="foot"><tr><td>'
        f"主办：{_e(truth['agency'])}</td><td>联系电话：0{rng.randint(310, 999)}-"
        f"{rng.randint(2000000, 8999999)}</td></tr><tr><td>网站标识码</td>"
        f"<td>{rng.randint(1000000000, 9999999999)}</td></tr><tr><td>{_e(place)}公安备案</td>"
        f"<td>{rng.randint(10000000000, 99999999999)}</td></tr></table>"
    )
    wrapped = (
        '<table width="1000" align="center" cellpadding="0"><tr><td>'
        f"{menu}</td></tr>\n<tr><td>"
        '<table width="100%"><tr><td width="220" valign="top">'
        f'<table class="side"><tr><td>{side_links}</td></tr><tr><td>{counters}</td></tr></table>'
        f'</td>\n<td valign="top">\n{body}</td></tr></table>'
        f"</td></tr>\n<tr><td>{footer}</td></tr></table>\n"
    )
    return f"{head}<body>\n{wrapped}</body>{tail}"


# --- PDF and flattened text -------------------------------------------------------------------


def _footer_maker(rng: random.Random) -> Callable[[], list[str]]:
    """Page furniture as PDF text prints it between rows: '- 3 -', '第 3 页', '第3页 共9页'."""
    page = [rng.randint(2, 4)]
    total = page[0] + rng.randint(3, 9)
    form = rng.choice(["- {n} -", "第 {n} 页", "第{n}页 共{t}页", "— {n} —", "{n}"])

    def footer() -> list[str]:
        page[0] += 1
        return ["", form.format(n=page[0] - 1, t=total), ""]

    return footer


def _vertical(rng: random.Random, text: str) -> list[str]:
    """A rowspan label in a narrow column: one character per line (when it is all CJK)."""
    if re.fullmatch(r"[\u4e00-\u9fff（）()]+", text) and rng.random() < 0.7:
        return list(text)
    return [text]


def _pad(text: str, width: int = 40) -> str:
    """Spaces after a label up to a column, as pdftotext -layout aligns (CJK counted 2)."""
    wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(2, width - wide)


def _aligned_values(rng: random.Random, values: Sequence[str]) -> str:
    return "".join(" " * rng.randint(2, 4) + v.rjust(6) for v in values).lstrip(" ")


def _pdf_layout_lines(rng: random.Random) -> Callable[[Block], list[str]]:
    footer = _footer_maker(rng)

    def lines(block: Block) -> list[str]:
        out: list[str] = []
        for i, row in enumerate(block.rows):
            if i and rng.random() < 0.06:
                out += footer()
            labels = [c.text for c in row if not c.is_value]
            values = [c.text for c in row if c.is_value]
            if not values:
                out.append("    ".join(labels))
                continue
            for lab in labels[:-1]:  # rowspan labels, printed at their group's first row
                out += _vertical(rng, lab)
            own = labels[-1] if labels else ""
            vals = _aligned_values(rng, values)
            if len(own) > 12 and rng.random() < 0.7:
                cut = rng.randint(8, 12)
                first, rest = own[:cut], own[cut:]
                if rng.random() < 0.5:
                    out += [_pad(first) + vals, "  " + rest]
                else:
                    out += [first, "  " + _pad(rest, 38) + vals]
            else:
                out.append((_pad(own) if own else " " * 8) + vals)
        return out

    return lines


def render_pdf_layout(truth: dict, rng: random.Random, script: str = "simplified") -> str:
    """A PDF report through `pdftotext -layout`: whitespace-aligned columns (a label, then its
    values separated by runs of spaces), long labels wrapped on a second line (the values on
    the first or the second), page footers between rows, a group label spanning rows printed
    one character per line."""
    style = _draw_style(rng, ["/", "—", "-", "无"])
    lines = _text_blocks(rng, truth, style, _pdf_layout_lines(rng))
    return _script("\n".join(lines) + "\n", script)


def _wrap(rng: random.Random, text: str) -> list[str]:
    if len(text) > 8 and rng.random() < 0.6:
        cut = rng.randint(4, len(text) - 3)
        return [text[:cut], text[cut:]]
    return [text]


def _pdf_text_lines(rng: random.Random) -> Callable[[Block], list[str]]:
    footer = _footer_maker(rng)
    late_rate = rng.choice([0.1, 0.25])

    def lines(block: Block) -> list[str]:
        out: list[str] = []
        for i, row in enumerate(block.rows):
            if i and rng.random() < 0.06:
                out += footer()
            labels = [c for c in row if not c.is_value]
            values = [c.text for c in row if c.is_value]
            label_lines: list[str] = []
            for c in labels:
                if c.rowspan > 1 and values:
                    label_lines += _vertical(rng, c.text)
                else:
                    label_lines += _wrap(rng, c.text)
            if values and labels and block.role == "applications" and rng.random() < late_rate:
                out += values + label_lines  # a vertically centred label comes out after
            else:
                out += label_lines + values
        return out

    return lines


def render_pdf_text(truth: dict, rng: random.Random, script: str = "simplified") -> str:
    """A PDF report through a default text extraction (pdfminer): one cell per line, labels
    wrapped over two lines, page footers inside the tables, and for some rows the value lines
    before their label."""
    style = _draw_style(rng, ["/", "—", "-", "无"])
    lines = _text_blocks(rng, truth, style, _pdf_text_lines(rng))
    return _script("\n".join(lines) + "\n", script)


def _flat_lines(rng: random.Random, printed: list | None) -> Callable[[Block], list[str]]:
    def lines(block: Block) -> list[str]:
        out: list[str] = []
        for row in block.rows:
            label = "".join(c.text for c in row if not c.is_value)
            values = [c.text for c in row if c.is_value]
            if printed is not None and values:
                printed.append((block.role, values))
            run = "".join(values)
            if len(run) > 2 and rng.random() < 0.12:
                cut = rng.randint(1, len(run) - 1)
                run = run[:cut] + " " + run[cut:]
            out.append(label + run)
        return out

    return lines


def render_flat(
    truth: dict, rng: random.Random, script: str = "simplified", printed: list | None = None
) -> str:
    """The page flattened to text with nothing between the cells of a row: a label directly
    followed by the row's numbers glued into one digit run (64|0|0|2|0|4|70 printed
    640020470), with an occasional stray space inside a run. Only the identities decide the
    split. `printed`, when given, receives (table role, the printed value texts) of each row
    with values, in order (before the script conversion and the stray spaces): what each run
    was glued from."""
    style = _draw_style(rng, ["/", "—"])
    lines = _text_blocks(rng, truth, style, _flat_lines(rng, printed))
    return _script("\n".join(lines) + "\n", script)


def render_text_noisy(truth: dict, rng: random.Random, script: str = "simplified") -> str:
    """One cell per line (as `render_text_cells`) with label noise: typos, mixed numbering,
    brackets, spaces inside labels."""
    style = _draw_style(rng, ["/", "—", "-", "无"])
    rate = rng.choice([0.3, 0.6])
    lines = _text_blocks(
        rng, truth, style, _cell_lines(False), transform=lambda b: _noisy_blocks(rng, b, rate)
    )
    return _script("\n".join(lines) + "\n", script)


# --- HTML variants -----------------------------------------------------------------------------


def _gbk(page: str, declare: bool) -> bytes:
    """The page as GBK bytes, the charset declared only in a <meta> tag, or not at all."""
    if declare:
        meta = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        page = page.replace('<meta charset="utf-8">', meta, 1)
    else:
        page = page.replace('<meta charset="utf-8">\n', "", 1)
    try:
        return page.encode("gbk")
    except UnicodeEncodeError:
        return page.encode("gb18030")


MESSY_RENDERINGS: dict[str, Callable[..., str | bytes]] = {
    "pdf_layout": render_pdf_layout,
    "pdf_text": render_pdf_text,
    "flat": render_flat,
    "html_split_reviews": lambda t, rng, script="simplified": render_html(
        t, rng, script, reviews="split"
    ),
    "html_no_reviews": render_html,  # with adapt_truth: the truth has no reviews
    "html_chrome": lambda t, rng, script="simplified": render_html(t, rng, script, chrome="heavy"),
    "html_split_labels": lambda t, rng, script="simplified": render_html(
        t, rng, script, split_labels=True
    ),
    "html_gbk_meta": lambda t, rng, script="simplified": _gbk(render_html(t, rng, script), True),
    "html_gbk_bare": lambda t, rng, script="simplified": _gbk(render_html(t, rng, script), False),
    "html_noisy": lambda t, rng, script="simplified": render_html(
        t, rng, script, label_noise=rng.choice([0.3, 0.6])
    ),
    "text_noisy": render_text_noisy,
    "blank_total": render_html,  # with adapt_truth: most 总计 cells blank
}
BYTE_RENDERINGS = frozenset({"html_gbk_meta", "html_gbk_bare"})
MESSY_EXTENSIONS = {
    name: "txt" if name in ("pdf_layout", "pdf_text", "flat", "text_noisy") else "html"
    for name in MESSY_RENDERINGS
}
ALL_RENDERINGS: tuple[str, ...] = (*RENDERINGS, *MESSY_RENDERINGS)


def adapt_truth(truth: dict, rendering: str, rng: random.Random) -> dict:
    """The truth as `rendering` prints it: "html_no_reviews" prints no section 四 table,
    "blank_total" leaves the 总计 column blank on most rows. Other renderings print the truth
    as it is (returned unchanged)."""
    if rendering == "html_no_reviews" and "reviews" in truth:
        return without_reviews(truth)
    if rendering == "blank_total" and "applications" in truth:
        return blank_totals(truth, rng)
    return truth


def render_bytes(truth: dict, rendering: str, script: str, rng: random.Random) -> tuple[bytes, str]:
    """(document bytes, file extension) of `truth` in any rendering of `ALL_RENDERINGS`; text
    renderings are UTF-8, the GBK ones are not. Call `adapt_truth` first for the renderings
    that change what is printed."""
    if rendering in BYTE_RENDERINGS:
        data = MESSY_RENDERINGS[rendering](truth, rng, script)
        assert isinstance(data, bytes)
        return data, MESSY_EXTENSIONS[rendering]
    if rendering not in ALL_RENDERINGS:
        raise ValueError(f"rendering must be one of {ALL_RENDERINGS}: {rendering!r}")
    text, ext = render(truth, rendering, script, rng)
    return text.encode("utf-8"), ext
