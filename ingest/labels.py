"""Matching printed labels to canonical codes, built from codes.csv (never a second label list).

A printed label is normalised (ingest.normalize.norm_label), stripped of its numbering
(一、 / (三) / 1.) and of long parenthetical remarks, then compared with the same core of each
canonical label: an exact hit first, otherwise a fuzzy similarity (difflib ratio) that tolerates
typos such as 其他法律行政止公开 or 行政法复议. Matching is group-aware: a numbered sub-row
(1. … 8.) is looked up among the sub-rows of the current group (（三）/（四）/（五）/（六）).

Printed labels repeat from report to report, so every matcher is memoized on its text (bounded
caches), and difflib is run only where its ratio can decide the outcome: rapidfuzz's Indel ratio
(2·LCS / total length, in C) bounds difflib's ratio from above (difflib's matching blocks are a
common subsequence), so a pair whose bound falls short of the score that matters is passed over
with the same result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache

from rapidfuzz.distance import Indel

from ingest import codes
from ingest.normalize import norm_label

_CN_NUM = "一二三四五六七八九十"
_NUMBERING = re.compile(rf"^(?:[{_CN_NUM}]+[、.,]|\([{_CN_NUM}]+\)|\d{{1,2}}\.)+")
_LONG_PAREN = re.compile(r"\([^()]{3,}\)?$|\([^()]{3,}\)")
_GROUP_NUMERAL = re.compile(rf"^\(([{_CN_NUM}])\)")
_SUB_NUMBER = re.compile(r"^(\d{1,2})\.")
_BRACKETED = re.compile(r"\(([^()]+)\)?$")

MIN_SCORE = 0.72
_CACHE = 1 << 16  # entries of each label cache: the distinct labels of many reports
_EPS = 1e-6  # float slack between the bound and difflib's ratio


@lru_cache(maxsize=_CACHE)
def core(label: str) -> str:
    """A normalised label without numbering and long parenthetical remarks."""
    t = norm_label(label)
    t = _LONG_PAREN.sub("", t)
    return _NUMBERING.sub("", t)


@lru_cache(maxsize=_CACHE)
def similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def similarity_at_least(a: str, b: str, floor: float) -> float:
    """`similarity(a, b)` when it may reach `floor`; otherwise a value below `floor` (an upper
    bound of it), without running difflib."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    bound = Indel.normalized_similarity(a, b)
    return bound if bound < floor - _EPS else similarity(a, b)


@dataclass(frozen=True)
class RowLabel:
    code: str
    group: str  # codes.csv group (ledger, granted, withheld, …)
    group_core: str | None  # core of the group label for numbered sub-rows
    numeral: str | None  # the (三) of the group, or of a group-level row
    number: int | None  # the 1. of a sub-row
    core: str


@cache
def application_labels() -> tuple[RowLabel, ...]:
    out = []
    for c in codes.section("applications"):
        label = norm_label(c.label_zh)
        parts = c.label_zh.split(" ", 1)
        if len(parts) == 2:
            group_label, sub = norm_label(parts[0]), norm_label(parts[1])
            m = _GROUP_NUMERAL.match(group_label)
            n = _SUB_NUMBER.match(sub)
            out.append(
                RowLabel(
                    c.code,
                    c.group,
                    core(group_label),
                    m.group(1) if m else None,
                    int(n.group(1)) if n else None,
                    core(sub),
                )
            )
        else:
            m = _GROUP_NUMERAL.match(label)
            out.append(
                RowLabel(c.code, c.group, None, m.group(1) if m else None, None, core(label))
            )
    return tuple(out)


@cache
def group_cores() -> dict[str, str]:
    """group code -> core of its group label, for groups with numbered sub-rows."""
    return {r.group: r.group_core for r in application_labels() if r.group_core}


@cache
def _group_numeral(group: str) -> str | None:
    return next((r.numeral for r in application_labels() if r.group == group and r.numeral), None)


@cache
def group_numerals() -> dict[str, str]:
    return {r.numeral: r.group for r in application_labels() if r.numeral}


@lru_cache(maxsize=_CACHE)
def split_group_prefix(t: str) -> tuple[str | None, str]:
    """("(三)不予公开1.属于国家秘密") -> ("withheld", "1.属于国家秘密"). The prefix may be the
    group numeral, the group name, or both; the name is matched with typo tolerance."""
    m = _GROUP_NUMERAL.match(t)
    s = t[m.end() :] if m else t
    for group, gcore in group_cores().items():
        head = s[: len(gcore)]
        same_numeral = m is not None and m.group(1) == _group_numeral(group)
        threshold = 0.6 if same_numeral else 0.85
        if head == gcore or similarity_at_least(head, gcore, threshold) >= threshold:
            return group, s[len(gcore) :]
    if m and (not s or _SUB_NUMBER.match(s)):
        group = group_numerals().get(m.group(1))
        if group in group_cores():
            return group, s
    return None, t


def match_application_row(
    text: str,
    group: str | None,
    after_dispositions: bool,
    rows: frozenset[str] | None = None,
):
    """Best application row for a printed label, given the group of the rows above it
    (optionally among `rows` only, e.g. the rows of one template version).
    Returns (code, score, group) or None."""
    scores, group = application_row_scores(text, group, after_dispositions)
    best: tuple[str, float] | None = None
    for code, s in scores:
        if (rows is None or code in rows) and (best is None or s > best[1]):
            best = (code, s)
    if best and best[1] >= MIN_SCORE:
        return best[0], best[1], group
    return None


@lru_cache(maxsize=_CACHE)
def application_row_scores(
    text: str, group: str | None, after_dispositions: bool
) -> tuple[tuple[tuple[str, float], ...], str | None]:
    """The similarity of a printed label to every application row it may name, and the group
    in effect for it (the group it opens, or the group of the rows above it). A score that
    cannot reach MIN_SCORE after its adjustments is only known to be below it."""
    t = norm_label(text)
    opened, rest = split_group_prefix(t)
    numeral = _GROUP_NUMERAL.match(t)
    if opened:
        group = opened
    body = rest if opened else t
    sub_no = _SUB_NUMBER.match(body)
    c = core(body)
    out: list[tuple[str, float]] = []
    for r in application_labels():
        if r.group_core is None:  # ledger and group-level rows
            if opened and rest:
                continue
            if opened and not rest:
                s = 1.0 if r.group == opened else 0.0
            else:
                if sub_no:
                    continue
                if r.code == "total_processed" and not (
                    after_dispositions or (numeral and numeral.group(1) == r.numeral)
                ):
                    continue
                s = similarity_at_least(c, r.core, MIN_SCORE)
                if numeral and r.numeral and numeral.group(1) != r.numeral:
                    s -= 0.1
        else:  # numbered sub-rows
            if opened and not rest:
                continue
            # at most +0.1 below: a raw score under MIN_SCORE - 0.1 cannot reach MIN_SCORE
            s = similarity_at_least(c, r.core, MIN_SCORE - 0.1) if c else 0.0
            if sub_no and r.number is not None:
                if int(sub_no.group(1)) == r.number:
                    s = max(s, 0.5) + 0.1 if r.group == group else s
                else:
                    s -= 0.1
            if r.group != group and (s < 0.85 or len(r.core) < 4):
                continue
        out.append((r.code, s))
    return tuple(out), group


@lru_cache(maxsize=_CACHE)
def is_numbered(text: str) -> bool:
    """Whether a printed label starts with the numbering of a row (一、 / (三) / 1.): the
    start of a label, never the continuation of a wrapped one."""
    return bool(_NUMBERING.match(norm_label(text)))


# --- section 二 ------------------------------------------------------------------------------


@cache
def _alternatives(group: str) -> tuple[tuple[str, str], ...]:
    out = []
    for c in codes.section("proactive"):
        if c.group == group:
            for alt in c.labels:
                out.append((c.code, core(alt)))
    return tuple(out)


def _best(text: str, table: tuple[tuple[str, str], ...], threshold: float) -> str | None:
    """The code of the alternative most similar to `text` (the first of equals), when at least
    `threshold`."""
    c = core(text)
    if not c:
        return None
    best, score = None, 0.0
    for code, alt in table:
        # only a score above the best so far, and reaching the threshold, can change the result
        s = similarity_at_least(c, alt, max(score, threshold))
        if s > score:
            best, score = code, s
    return best if score >= threshold else None


@lru_cache(maxsize=_CACHE)
def match_item(text: str) -> str | None:
    return _best(text, _alternatives("item"), 0.8)


@lru_cache(maxsize=_CACHE)
def match_measure(text: str) -> str | None:
    return _best(text, _alternatives("measure"), 0.8)


@cache
def _measures_longest_first() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(_alternatives("measure"), key=lambda a: -len(a[1])))


@cache
def _more_than_measures(slack: int) -> re.Pattern:
    """More than `slack` characters that no measure label has, anywhere in a string."""
    chars = "".join(
        sorted({re.escape(ch) for _code, alt in _alternatives("measure") for ch in alt})
    )
    return re.compile(f"[^{chars}](?:[{chars}]*[^{chars}]){{{slack}}}")


def measures_in_header(text: str, slack: int = 6) -> tuple[str, ...]:
    """The measures a whole section 二 header row names, in print order, when its cells were
    glued into one string ("信息内容本年制发件数本年废止件数现行有效件数"): the measure labels
    found in it, longest first, when little else is left (at most `slack` characters, the item
    column's heading). () for a single cell, a sentence, or a label with no measure."""
    c = core(text)
    # a character no measure label has is left over whatever is found: a sentence has more
    # than `slack` of them, and is passed over without a search
    if _more_than_measures(slack).search(c):
        return ()
    hits: list[tuple[int, int, str]] = []
    taken = [False] * len(c)
    for code, alt in _measures_longest_first():
        start = c.find(alt) if alt else -1
        while start >= 0:
            end = start + len(alt)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(alt)
                hits.append((start, end, code))
            start = c.find(alt, end)
    left = len(c) - sum(taken)
    if not hits or left > slack or (len(hits) == 1 and left == 0):
        return ()
    return tuple(code for _, _, code in sorted(hits))


# --- section 四 ------------------------------------------------------------------------------


@cache
def _review_groups() -> tuple[tuple[str, str], ...]:
    out = []
    for c in codes.section("reviews"):
        if c.group == "group":
            out.append((c.code, core(c.label_zh.split(" ")[-1])))
    return tuple(out)


@cache
def _litigation_parent() -> str:
    """行政诉讼: the parent header of the two litigation groups."""
    labels = [c.label_zh for c in codes.section("reviews") if c.code == "litigation_direct"]
    return core(labels[0].split(" ")[0])


@lru_cache(maxsize=_CACHE)
def _review_groups_in_header(text: str) -> tuple[str, ...]:
    c = core(text)
    hits = [(c.find(g), code) for code, g in _review_groups()]
    parent = c.find(_litigation_parent())
    if parent >= 0 and not any(code != "review" and i >= 0 for i, code in hits):
        hits.append((parent, "litigation"))
    return tuple(code for i, code in sorted(hits) if i >= 0)


def review_groups_in_header(text: str) -> list[str]:
    """Groups named, in order, by a whole review header flattened into one string
    ("行政复议行政诉讼结果维持…未经复议直接起诉复议后起诉…")."""
    return list(_review_groups_in_header(text))


@lru_cache(maxsize=_CACHE)
def match_review_group(text: str) -> str | None:
    """review | litigation_direct | litigation_after_review | 'litigation' (the parent) | None."""
    c = core(text)
    if len(c) < 3 or len(c) > 14:
        return None
    hit = _best(text, _review_groups(), 0.75)
    if hit:
        return hit
    if similarity_at_least(c, _litigation_parent(), 0.75) >= 0.75:
        # 行政诉讼（复议后起诉）: the litigation group named in brackets after the parent
        inner = _BRACKETED.search(norm_label(text))
        litigation = tuple(g for g in _review_groups() if g[0] != "review")
        return (inner and _best(inner.group(1), litigation, 0.75)) or "litigation"
    return None
