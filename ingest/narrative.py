"""What the prose says: agency and year from the title, and the totals stated in the text.

Narrative totals use the row codes of the application ledger where they apply
(new_requests, carried_over, total_processed, carried_forward) plus review_total and
litigation_total. Many reports lost their tables on the way to the web; the narrative is then
the only source, and where tables exist it is a soft check on them.
"""

from __future__ import annotations

import re

from ingest.normalize import nfkc, without_footnotes

_TITLE_AGENCY_FIRST = re.compile(
    r"(?P<agency>[\u4e00-\u9fff（）()·]{2,40}?)[\s:：]*(?P<year>(?:19|20)\d{2})\s*年(?:度)?"
    r"(?:[\u4e00-\u9fff]{0,12}?)政府信息公开(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)"
)
_TITLE_YEAR_FIRST = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年(?:度)?\s*(?P<agency>[\u4e00-\u9fff（）()·]{2,40}?)"
    r"(?:本级)?政府信息公开(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)"
)
# 青原市生态环境局关于2022年政府信息公开工作的年度报告; 青原市生态环境局政府信息公开工作2022年度报告
_TITLE_ABOUT = re.compile(
    r"(?P<agency>[\u4e00-\u9fff（）()·]{2,40}?)关于(?P<year>(?:19|20)\d{2})\s*年(?:度)?"
    r"(?:本级)?政府信息公开(?:工作)?(?:情况)?的?(?:年度)?(?:工作)?(?:报告|年报)"
)
_TITLE_YEAR_AFTER = re.compile(
    r"(?P<agency>[\u4e00-\u9fff（）()·]{2,40}?)政府信息公开(?:工作)?(?P<year>(?:19|20)\d{2})\s*"
    r"年(?:度)?(?:工作)?(?:报告|年报)"
)
_AGENCY_SUFFIX = (
    r"(?:人民政府办公厅|人民政府办公室|人民政府|政府办公室|办公厅|办公室|委员会|管理局|局|厅|委"
    r"|省|自治区|市|州|盟|地区|区|县|旗|镇|乡|街道|办事处|中心)"
)
_PROSE_AGENCY = re.compile(
    rf"(?P<year>(?:19|20)\d{{2}})年[,，]?\s*(?:全年)?(?P<agency>[\u4e00-\u9fff]{{2,20}}?{_AGENCY_SUFFIX})"
    r"(?:在|的|坚持|认真|政务|政府信息|深入|紧紧|以|围绕|全面|按照|积极|继续|进一步|始终)"
)
_PERIOD_YEAR = re.compile(r"(?:统计|时限|期限)[^。]{0,12}?((?:19|20)\d{2})年1月1日")
# what a sentence or a notice puts before the agency: 关于印发…, 特向社会公布…, 现公布…
_STRIP_AGENCY = re.compile(r"^(?:.*?(?:公布|印发)|关于|发布)+")


def title_info(
    lines: list[str], title: str | None = None
) -> tuple[str | None, int | None, str | None]:
    """(agency, year, title line) from the report title, else from the opening prose."""
    candidates = ([title] if title else []) + lines[:60]
    for line in candidates:
        t = nfkc(line).replace(" ", "")
        for rx in (_TITLE_AGENCY_FIRST, _TITLE_YEAR_FIRST, _TITLE_ABOUT, _TITLE_YEAR_AFTER):
            m = rx.search(t)
            if m:
                agency = _STRIP_AGENCY.sub("", m["agency"]).strip("()（）·")
                if len(agency) >= 2:
                    return agency, int(m["year"]), line.strip()
    text = nfkc("\n".join(lines[:200]))
    agency = year = None
    m = _PROSE_AGENCY.search(text)
    if m:
        agency, year = m["agency"], int(m["year"])
    m2 = _PERIOD_YEAR.search(text)
    if m2:
        year = int(m2.group(1))
    return agency, year, None


# --- stated totals ----------------------------------------------------------------------------

# a count of cases: digits or thousands groups (1,024 件), never the tail of a longer number
_N = r"(?<!\d)(?<!\d[.,])(\d{1,3}(?:,\d{3})+|\d{1,7})\s*件"
_GAP = r"[^。；;，,！!？?\d]{0,%d}?"
# a clause that says none were received, or none arose: 本年度未收到政府信息公开申请,
# 未发生因政府信息公开引起的行政复议、行政诉讼案件. The negation governs the noun, and the noun
# ends the clause (未发生行政复议被纠错的情况 says nothing of the count).
_NOT = r"(?:未|没有)"
_NONE = _NOT + r"(?:发生|出现|产生|收到|接到|被申请|被提起|涉及)"
_CLAUSE_END = r"(?:案件|事项|的情况|情况)?(?=[。；;，,！!]|$)"

# (key, pattern) in priority order; the first match of a key wins.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("carried_over", re.compile(r"上一?年(?:度)?结转" + _GAP % 16 + _N)),
    (
        "carried_forward",
        re.compile(_N + r"(?:申请)?(?:结转|转入|转至)(?:至|到)?下一?(?:个)?年(?:度)?"),
    ),
    ("carried_forward", re.compile(r"(?:结转|转入)下一?(?:个)?年(?:度)?" + _GAP % 10 + _N)),
    ("carried_forward", re.compile(r"(?:剩余|尚有|余下)" + _N + r"(?:正在|仍在)?(?:办理|结转)?")),
    ("new_requests", re.compile(r"新收" + _GAP % 20 + _N)),
    (
        "new_requests",
        re.compile(r"(?:收到|受理|接收|接到)" + r"[^。；;，,！!？?\d]{0,20}?申请" + _GAP % 10 + _N),
    ),
    ("new_requests", re.compile(r"(?:收到|受理|接收|接到)依申请公开" + _GAP % 6 + _N)),
    ("total_processed", re.compile(r"(?:办结|办理完毕|已办理|办理|答复|处理)" + _GAP % 6 + _N)),
    ("total_processed", re.compile(r"其余" + _N)),
    (
        "total_processed",
        re.compile(_N + r"[^。；;，,]{0,10}?(?:已|均已|全部)[^。；;，,]{0,12}?(?:答复|办结)"),
    ),
    ("review_total", re.compile(r"行政复议" + r"(?:案件|申请)?" + _GAP % 4 + _N)),
    ("litigation_total", re.compile(r"(?:行政诉讼|诉讼)" + r"(?:案件)?" + _GAP % 4 + _N)),
    # none stated (a count of 0), after every pattern of a number
    (
        "new_requests",
        re.compile(
            _NOT + r"(?:收到|受理|接到|接收)(?:任何)?(?:政府信息公开|依申请公开(?:的)?)?申请"
            r"(?!人)" + _CLAUSE_END
        ),
    ),
    (
        "review_total",
        re.compile(
            _NONE
            + r"[^。；;，,\d复诉]{0,16}?行政复议(?:(?:和|、|及|或)[^。；;，,\d]{0,4}?行政诉讼)?"
            + _CLAUSE_END
        ),
    ),
    (
        "litigation_total",
        re.compile(_NONE + r"[^。；;，,\d诉]{0,24}?行政诉讼" + _CLAUSE_END),
    ),
]
_KEYWORDS = ("申请", "结转", "复议", "诉讼", "新收", "办结", "答复")
_KEYWORD = re.compile("|".join(_KEYWORDS))  # (one search for any of them)


_OUTCOME_WORDS = (
    ("upheld", "维持"),
    ("corrected", "纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
)
_REVIEW_CLAUSE = re.compile(r"(行政复议|行政诉讼|诉讼)[^。]*?(?=行政复议|行政诉讼|复议后|。|$)")
_OUTCOME_COUNTS = tuple(
    (outcome, re.compile(word + r"[^。；;，,\d]{0,4}?" + _N)) for outcome, word in _OUTCOME_WORDS
)


def _count(m: re.Match) -> int:
    return int(m.group(1).replace(",", ""))


def stated_outcomes(text: str) -> dict[str, int]:
    """Outcome counts stated next to a review or lawsuit count: 行政复议10件，结果维持8件…"""
    found: dict[str, int] = {}
    for m in _REVIEW_CLAUSE.finditer(text):
        prefix = "review" if m.group(1) == "行政复议" else "litigation"
        for outcome, count in _OUTCOME_COUNTS:
            key = f"{prefix}_{outcome}"
            hit = count.search(m.group(0))
            if hit and key not in found:
                found[key] = _count(hit)
    return found


def stated_totals(lines: list[str]) -> dict[str, int]:
    """Totals stated in prose lines (already in simplified script)."""
    found: dict[str, int] = {}
    used: list[tuple[int, int]] = []
    text = "\n".join(
        nfkc(without_footnotes(ln)) for ln in lines if len(ln) >= 8 and _KEYWORD.search(ln)
    )
    for key, rx in _PATTERNS:
        if key in found:
            continue
        for m in rx.finditer(text):
            if rx.groups == 0:  # a clause stating none
                found[key] = 0
                break
            span = m.span(1)
            if any(a <= span[0] < b for a, b in used):
                continue
            found[key] = _count(m)
            used.append(span)
            break
    if "review_total" in found or "litigation_total" in found:
        for key, value in stated_outcomes(text).items():
            found.setdefault(key, value)
    return found
