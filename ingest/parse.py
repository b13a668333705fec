"""Parse one annual report into the JSON contract of the spec.

`parse_document(bytes, source, charset)` never raises: a report that cannot be read yields status
"error" with a message. The walk over the report is content-driven, not heading-driven
(headings are often mislabelled): every rendering becomes rows of cells (ingest.tables); the
text cells since the last run of values form a label buffer; each run of values is assigned to
what the buffer names — a proactive item (its measures) or the review/litigation header (5
outcomes per group). Runs of the application table (7 applicant columns) are placed in its rows
once the whole table is read (ingest.placement): in PDF text a row's label may follow its values.

    python -m ingest.parse PATH... [--json]
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import NamedTuple

from ingest import checks as identity_checks
from ingest import codes, digits, labels, undecided
from ingest.documents import read_text
from ingest.memo import memoized_when_short
from ingest.narrative import stated_totals, title_info
from ingest.normalize import norm_label
from ingest.placement import ValueRun, place_rows
from ingest.schema import PARSER_VERSION
from ingest.tables import HTML_TABLE, TEXT_GRID, layout_of
from ingest.values import Cell, read_cell, to_wan_yuan

N_APPLICANT = len(codes.APPLICANT_COLUMNS)
N_OUTCOME = len(codes.OUTCOMES)


DIGIT_SPLIT = "digit_split"
AMBIGUOUS = "ambiguous_split"  # the issue of a glued run whose valid splits disagree


class Token(NamedTuple):
    """One cell or piece of a line, as read (immutable: shared between reports through the
    memo of cell tokens; a named tuple is made several times faster than a frozen dataclass)."""

    text: str
    method: str
    cell: Cell | None  # a value (number or blank) or None for text
    glued: bool = False  # a run of numeric cells printed with no separator
    undecided: str | None = None  # why the parse left a printed value unknown (ingest.undecided)


@dataclass
class State:
    applications: dict = field(default_factory=dict)
    reviews: dict = field(default_factory=dict)
    proactive_runs: list = field(default_factory=list)  # (item, header measures, cells, unit)
    cells: list = field(default_factory=list)
    issues: list = field(default_factory=list)
    group: str | None = None  # current disposition group
    after_dispositions: bool = False
    header_measures: list = field(default_factory=list)
    header_unit: str | None = None
    glued_apps: dict = field(default_factory=dict)  # row code -> glued run text
    glued_reviews: list = field(default_factory=list)  # (groups, run text)
    glued_items: list = field(default_factory=list)  # (item, header measures, run, unit)
    app_runs: list = field(default_factory=list)  # ValueRun of the application table

    def issue(self, severity: str, code: str, message: str, **where) -> None:
        """Record an issue; `where` names the cells it concerns (section, row, columns)."""
        self.issues.append({"severity": severity, "code": code, "message": message, **where})


_DIGITS = re.compile(r"\d+")
_MARKS = digits.RUN_MARKS
_NOT_LABEL_END = frozenset(".,+-:：/年月日")  # nor a digit, nor a space
_DIGITS_AND_MARKS = re.compile(rf"[\d\s{re.escape(''.join(sorted(_MARKS)))}]{{8,}}")


def _ends_label(ch: str) -> bool:
    """Whether a label's cells may follow `ch` (a CJK ideograph, a closing quote or bracket)."""
    return digits.is_cjk(ch) or ch in '”"）)'


def _before(text: str, i: int) -> int:
    """The position of the last character before `i` that is not a space (-1: none)."""
    while i >= 0 and text[i].isspace():
        i -= 1
    return i


def glued_hint(text: str) -> bool:
    r"""Whether a text cell may hold a glued run: two or more digits after a label (a sign may
    come between), a digit or blank marks ending the text (规章///) after a label's last
    character (spaces may come between), or a line of 8 or more digits, spaces and marks (a
    section 四 value row). The same test as the regular expression
    ``[^\d\s.,+\-:：/年月日]\s*[+\-]?\d{2,}|[\u3400-\u9fff”"）)]\s*(?:\d|[/—–―-][/—–―\-\s]*$)
    |^[\d\s/—–―-]{8,}$``, which tries each of its first two branches at every character; this
    looks only before each run of digits, and at the end of the text."""
    for m in _DIGITS.finditer(text):
        start = m.start()
        j = _before(text, start - 1)
        if j >= 0 and _ends_label(text[j]):
            return True
        if m.end() - start >= 2:
            j = start - 1
            if j >= 0 and text[j] in "+-":
                j -= 1
            j = _before(text, j)
            if j >= 0 and not text[j].isdecimal() and text[j] not in _NOT_LABEL_END:
                return True
    j = len(text) - 1
    marks = False
    while j >= 0 and (text[j] in _MARKS or text[j].isspace()):
        marks = marks or text[j] in _MARKS
        j -= 1
    if marks and j >= 0 and _ends_label(text[j]):
        return True
    return _DIGITS_AND_MARKS.fullmatch(text) is not None


def _tokens(layout) -> tuple[list[Token], list[int]]:
    """The tokens of the layout's rows in order, and the row each one is in."""
    out: list[Token] = []
    row_of: list[int] = []
    for k, (row, method) in enumerate(zip(layout.rows, layout.methods, strict=True)):
        read, known = _TOKENS_OF[method]
        for text in row:
            tokens = known.get(text)
            if tokens is None:
                tokens = read(text)
            if type(tokens) is Token:
                out.append(tokens)
            else:
                out += tokens
        row_of += [k] * (len(out) - len(row_of))
    return out, row_of


def _cell_tokens(text: str, method: str) -> Token | tuple[Token, ...]:
    """The token of one printed cell (or line), a value or a label, or the tokens of a
    flattened line: its labels and glued digit runs."""
    cell = read_cell(text)
    if cell is None and glued_hint(text):
        pairs = digits.split_flat_line(text)
        if any(run for _label, run in pairs):
            out = []
            for label, run in pairs:
                if label:
                    out.append(Token(label, method, None))
                if run:
                    out.append(Token(run, DIGIT_SPLIT, None, glued=True))
            return tuple(out)
    return Token(text, method, cell)


def _read_cells(method: str):
    """The tokens of a cell read one way, memoized by its text (no key to build per cell),
    and the memo itself, which a loop over a page's cells looks in first."""
    read = memoized_when_short(80)(partial(_cell_tokens, method=method))
    return read, read.known  # type: ignore[attr-defined]


_TOKENS_OF = {method: _read_cells(method) for method in (HTML_TABLE, TEXT_GRID)}


def _review_groups_in(buffer: list[str]) -> tuple[str, ...]:
    """The review groups the last 30 labels name."""
    return _review_groups_of(tuple(buffer[-30:]))


@lru_cache(maxsize=1 << 14)
def _review_groups_of(buffer: tuple[str, ...]) -> tuple[str, ...]:
    """The review groups the labels since the last values name (the same labels come before
    the same table in report after report: read once per process)."""
    found: list[str] = []
    for t in buffer:
        if 14 < len(t) <= 120 and ("审结" in t or "维持" in t):
            groups = labels.review_groups_in_header(t)
        else:
            groups = [g] if (g := labels.match_review_group(t)) else []
        found += [g for g in groups if g not in found]
    return tuple(found)


def _assign_application(state: State, code: str, run: list[Token]) -> None:
    if code in state.applications:
        state.issue("warning", "duplicate_row", f"row {code} printed twice; the first kept")
        return
    row = {}
    for col, tok in zip(codes.APPLICANT_COLUMNS, run, strict=True):
        row[col] = tok.cell.value
        state.cells.append(_cell("applications", code, col, tok))
    state.applications[code] = row
    if code in codes.DISPOSITION_ROWS:
        state.after_dispositions = True


def _cell(section: str, row: str, col: str, tok: Token, value=None) -> dict:
    v = tok.cell.value if value is None else value
    cell = {
        "section": section,
        "row": row,
        "col": col,
        "value": v,
        "raw": tok.text,
        "method": tok.method,
    }
    if tok.undecided and v is None:
        cell["undecided"] = tok.undecided
    return cell


def _assign_reviews(state: State, groups: tuple[str, ...], run: list[Token]) -> bool:
    n = len(run)
    specific = [g for g in groups if g != "litigation"]
    if n == 3 * N_OUTCOME:
        targets = list(codes.REVIEW_GROUPS)
    elif n == 2 * N_OUTCOME and ("litigation" in groups or len(specific) >= 2):
        targets = [g for g in codes.REVIEW_GROUPS if g != "review"]
    elif n == N_OUTCOME and specific:
        targets = [specific[-1]]
    else:
        return False
    for i, g in enumerate(targets):
        if g in state.reviews:
            state.issue("warning", "duplicate_row", f"review group {g} printed twice")
            continue
        chunk = run[i * N_OUTCOME : (i + 1) * N_OUTCOME]
        state.reviews[g] = {o: t.cell.value for o, t in zip(codes.OUTCOMES, chunk, strict=True)}
        state.cells.extend(
            _cell("reviews", g, o, t) for o, t in zip(codes.OUTCOMES, chunk, strict=True)
        )
    return True


def _match_buffer(state: State, buffer: list[str]):
    """The best target named by the tail of the label buffer: ("app", code) or ("item", code)."""
    return _match_tail(tuple(buffer[-3:]), state.group, state.after_dispositions)


@lru_cache(maxsize=1 << 14)
def _match_tail(tail: tuple[str, ...], group: str | None, after_dispositions: bool):
    best = None
    for k in (1, 2, 3):
        if len(tail) < k:
            break
        text = "".join(tail[-k:])
        hit = labels.match_application_row(text, group, after_dispositions)
        if hit and (best is None or hit[1] > best[1]):
            best = ("app", hit[1], hit[0], hit[2])
        item = labels.match_item(text)
        if item and (best is None or best[1] < 1.0):
            best = ("item", 1.0, item, None)
        if best and best[1] >= 1.0:
            break
    return best


class Label(NamedTuple):
    """What one label of the grid says, before its context is known."""

    text: str  # normalised (ingest.normalize.norm_label)
    group: str | None  # the disposition group its prefix opens: （三）不予公开…
    measure: str | None  # the section 二 measure it names, when short enough to be a header
    whole_header: tuple[str, ...]  # the measures of a whole header row glued into one cell
    unit: str | None  # 元 / 万元 stated in a header


@memoized_when_short(80)
def _label(raw: str) -> Label | str:
    """What a printed label says: its normalised text alone when its form says nothing more
    (no group prefix, measure or header), as most labels of a page do; else a `Label`."""
    text = norm_label(raw)
    if not text:
        return text
    measure = labels.match_measure(text) if len(text) <= 20 else None
    whole = labels.measures_in_header(text)
    group = labels.split_group_prefix(text)[0]
    if not (whole or measure or group):
        return text
    unit = None
    if whole or measure:
        if "元" in text and "万元" not in text and "单位" in text:
            unit = "元"
        elif "万元" in text:
            unit = "万元"
    return Label(text, group, measure, whole, unit)


def _walk(tokens: list[Token], row_of: list[int], state: State) -> None:
    known_labels = _label.known  # type: ignore[attr-defined]
    buffer: list[str] = []
    label_row = -1  # the row of the last text in the buffer
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.cell is None:
            i += 1
            if tok.glued:
                if _take_glued(state, buffer, tok.text):
                    _end_segment(state, buffer)
                    buffer = []
                continue
            label = known_labels.get(tok.text) or _label(tok.text)
            plain = type(label) is str  # its text alone (most labels)
            text = label if plain else label.text
            if text:
                buffer.append(text)
                label_row = row_of[i - 1]
                if len(buffer) > 40:
                    del buffer[:-40]
            if plain:
                continue
            if label.group:
                state.group = label.group
            if label.whole_header:
                # a header row glued into one cell
                state.header_measures = list(label.whole_header)
                state.header_unit = None
            elif label.measure:
                if not state.header_measures or _header_closed(buffer):
                    state.header_measures = []
                state.header_measures.append(label.measure)
            if label.unit:
                state.header_unit = label.unit
            continue
        j = i
        while j < n and tokens[j].cell is not None:
            j += 1
        run = tokens[i:j]
        i = j
        if not buffer and all(t.cell.is_blank for t in run):
            continue
        _end_segment(state, buffer)
        # a label in the row of the values (a table row, a line of text) is theirs
        _assign_run(state, buffer, run, bool(buffer) and label_row == row_of[j - len(run)])
        buffer = []
    _end_segment(state, buffer)


def _end_segment(state: State, buffer: list[str]) -> None:
    """The text since the last run of values is the text after the last run of the
    application table (its labels may follow it)."""
    if state.app_runs and state.app_runs[-1].after is None:
        state.app_runs[-1].after = tuple(buffer)


def _glued_text(run: list[Token]) -> str | None:
    """The run's digits as one glued run, when a count mismatch suggests lost separators
    (only whole integers; blanks or decimals cannot be re-split). The cells are joined by "|",
    a boundary the decoders always cut at: only the numbers inside a cell may be glued."""
    texts = [t.text.strip() for t in run]
    if all(t and all(ch.isdigit() or ch in "+- " for ch in t) for t in texts):
        return "|".join(texts)
    return None


_INNER_NUMBERING = re.compile(r"[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)")


def _take_glued(state: State, buffer: list[str], run: str) -> bool:
    """Note a glued digit run under the label it follows; decoded once the whole grid is known
    (only the identities across the grid decide the split)."""
    groups = _review_groups_in(buffer)
    if groups:
        state.glued_reviews.append((groups, run))
        return True
    target = _match_buffer(state, buffer)
    if target is None and buffer:
        # a flattened rowspan label glued before the row's own: 三、本年度办理结果(一)予以公开
        for m in _INNER_NUMBERING.finditer(buffer[-1], 1):
            target = _match_buffer(state, [buffer[-1][m.start() :]])
            if target:
                break
    if target is None:
        return False
    kind, _score, code, group = target
    if kind == "item":
        state.glued_items.append((code, list(state.header_measures), run, state.header_unit))
        return True
    if group:
        state.group = group
    if code in codes.DISPOSITION_ROWS:
        state.after_dispositions = True
    state.glued_apps.setdefault(code, run)
    return True


def _place_applications(state: State) -> None:
    placement = place_rows(state.app_runs)
    for code, message, rows in placement.issues:
        where = {} if rows is None else {"rows": list(rows)}
        state.issue("warning", code, message, section="applications", **where)
    for row, run in placement.rows:
        _assign_application(state, row, run)


def _synthetic(value, run: str, unit: str | None = None, undecided: bool = False) -> Token:
    return Token(
        run, DIGIT_SPLIT, Cell(value, run, unit), undecided=AMBIGUOUS if undecided else None
    )


def _ambiguous(state: State, section: str, run: str, amb: dict) -> None:
    """The issue of a row whose run splits several ways that all satisfy the identities (or
    whose search was cut short): its undecided cells are left null, marked undecided, and named."""
    found = amb["candidates"]
    state.issue(
        "warning",
        AMBIGUOUS,
        f"{section} row {amb['row']}: run {run!r} splits {len(found)}"
        f"{'+' if amb['truncated'] else ''} ways that all satisfy the identities, e.g. "
        f"{found[:3]}; cells that differ left undecided",
        section=section,
        row=amb["row"],
        columns=amb["columns"],
        candidates=found[:10],
    )


def _decode_glued(state: State) -> None:
    """Split the glued runs noted during the walk, now that the whole grid is known."""
    if state.glued_apps:
        version = _applications_version([*state.glued_apps, *state.applications])
        dec = digits.decode_applications(state.glued_apps, version)
        for amb in dec.ambiguous:
            _ambiguous(state, "applications", state.glued_apps[amb["row"]], amb)
        for row in dec.unsolved:
            state.issue(
                "warning",
                "digit_split_failed",
                f"row {row}: run {state.glued_apps[row]!r} has no split satisfying the identities",
                section="applications",
                row=row,
                raw=state.glued_apps[row],
            )
        open_cells = {(a["row"], c) for a in dec.ambiguous for c in a["columns"]}
        for row, cols in dec.values.items():
            if row in dec.unsolved:
                continue
            run = state.glued_apps[row]
            tokens = [
                _synthetic(cols[c], run, undecided=(row, c) in open_cells)
                for c in codes.APPLICANT_COLUMNS
            ]
            _assign_application(state, row, tokens)
    for groups, run in state.glued_reviews:
        specific = [g for g in groups if g != "litigation"]
        targets = tuple(specific) if len(specific) == 1 and "litigation" not in groups else None
        if all(g in state.reviews for g in targets or codes.REVIEW_GROUPS):
            state.issue("warning", "duplicate_row", f"review run {run!r} printed again; not read")
            continue
        dec = digits.decode_reviews(run, targets or codes.REVIEW_GROUPS)
        if dec.unsolved or not dec.values:
            state.issue(
                "warning",
                "digit_split_failed",
                f"review run {run!r} has no valid split",
                section="reviews",
                rows=list(targets or codes.REVIEW_GROUPS),
                raw=run,
            )
            continue
        # a search cut short before any split was found sets nothing: every cell is open
        cut_short = {"candidates": [], "truncated": True, "columns": list(codes.OUTCOMES)}
        ambiguous = dec.ambiguous or (
            [] if dec.complete else [{"row": g, **cut_short} for g in dec.values]
        )
        for amb in ambiguous:
            _ambiguous(state, "reviews", run, amb)
        open_cells = {(a["row"], c) for a in ambiguous for c in a["columns"]}
        for g, cols in dec.values.items():
            if g not in state.reviews:
                state.reviews[g] = dict(cols)
                state.cells.extend(
                    _cell("reviews", g, o, _synthetic(cols[o], run, undecided=(g, o) in open_cells))
                    for o in codes.OUTCOMES
                )
    seen = {placed for placed, *_ in state.proactive_runs}
    for item, header, run, unit in state.glued_items:
        if item in seen:
            state.issue("warning", "duplicate_row", f"item {item} printed twice; the first kept")
            continue
        seen.add(item)
        _decode_item(state, item, header, run, unit)


def _plausible(measures: tuple[str, ...]):
    """What a section 二 row cannot print, as a test of one split (None: no test): an item
    count that the change makes negative (上一年项目数量 + 本年增/减 >= 0), more documents
    published this year than published in total."""
    pairs = [("prior_year_items", "change", 1), ("published_total", "published", -1)]
    tests = [
        (measures.index(a), measures.index(b), sign)
        for a, b, sign in pairs
        if a in measures and b in measures
    ]
    if not tests:
        return None

    def plausible(values: tuple) -> bool:
        return all(
            values[a] is None or values[b] is None or values[a] + sign * values[b] >= 0
            for a, b, sign in tests
        )

    return plausible


def _decode_item(state: State, item: str, header: list, run: str, unit: str | None) -> None:
    """A section 二 row from its glued run. No identity links its numbers, so a value is set
    only where every split of every layout the header allows agrees; the layout itself is
    chosen later, with the rows read from tables (`_resolve_proactive`)."""
    layouts = codes.item_layouts(item)
    named = [v for v, ms in layouts.items() if set(header) == set(ms)] or [
        v for v, ms in layouts.items() if header and set(header[-len(ms) :]) == set(ms)
    ]
    decodings = {}
    for version in named or layouts:
        measures = layouts[version]
        rd = digits.decode_free(
            run,
            len(measures),
            signed_positions=[k for k, m in enumerate(measures) if m == "change"],
            decimal_positions=[k for k, m in enumerate(measures) if m == "amount_wan_yuan"],
            plausible=_plausible(measures),
        )
        if rd.candidates or not rd.complete:
            decodings[version] = rd
    where = {"section": "proactive", "row": item}
    if not decodings:
        state.issue(
            "warning", "digit_split_failed", f"item {item}: run {run!r} fits no layout", **where
        )
        return
    if len({len(rd.values) for rd in decodings.values()}) > 1:
        state.issue(
            "warning",
            AMBIGUOUS,
            f"item {item}: run {run!r} fits layouts of different widths; item left out",
            **where,
        )
        return
    values = [  # each decoding leaves None where its own splits disagree
        vals.pop() if len(vals := set(column)) == 1 else None
        for column in zip(*(rd.values for rd in decodings.values()), strict=True)
    ]
    splits = list(dict.fromkeys(c for rd in decodings.values() for c in rd.candidates))
    if len(splits) != 1 or not all(rd.complete for rd in decodings.values()):
        state.issue(
            "warning",
            AMBIGUOUS,
            f"item {item}: run {run!r} splits several ways, e.g. {splits[:3]}; "
            "cells that differ left undecided",
            **where,
            candidates=splits[:10],
        )
    units = {rd.unit for rd in decodings.values()}
    printed_unit = units.pop() if len(units) == 1 else None
    # a null is a printed blank only when every split of every layout reads a blank there
    complete = all(rd.complete for rd in decodings.values())
    blank = [complete and all(s[k] is None for s in splits) for k in range(len(values))]
    tokens = [
        _synthetic(v, run, printed_unit, undecided=v is None and not printed_blank)
        for v, printed_blank in zip(values, blank, strict=True)
    ]
    state.proactive_runs.append((item, header, tokens, unit))


def _header_closed(buffer: list[str]) -> bool:
    # a measure label after an item label starts a new header
    return any(labels.match_item(t) for t in buffer[-3:])


def _assign_run(state: State, buffer: list[str], run: list[Token], own: bool = False) -> None:
    """Place a run of values by the text before it; `own`: that text ends with a label printed
    in the same row as the values."""
    groups = _review_groups_in(buffer)
    if groups:
        if _assign_reviews(state, groups, run):
            return
        if glued := _glued_text(run):
            state.glued_reviews.append((groups, glued))
            return
    target = _match_buffer(state, buffer)
    if target is None:
        if len(run) % N_APPLICANT == 0:  # its label may come after it
            state.app_runs.append(ValueRun(tuple(buffer), run, own_label=own))
        elif any(not t.cell.is_blank for t in run) and buffer:
            state.issue(
                "info",
                "unmatched_values",
                f"values {' '.join(t.text for t in run[:8])} after '{buffer[-1][:30]}' not placed",
            )
        return
    kind, _score, code, group = target
    if kind == "item":
        sizes = {len(measures) for measures in codes.item_layouts(code).values()}
        if len(run) not in sizes and (glued := _glued_text(run)):
            state.glued_items.append((code, list(state.header_measures), glued, state.header_unit))
            return
        state.proactive_runs.append((code, list(state.header_measures), run, state.header_unit))
        return
    if group:
        state.group = group
    if code in codes.DISPOSITION_ROWS:
        state.after_dispositions = True
    # placed once the whole table is read (ingest.placement): labels may follow their values
    state.app_runs.append(ValueRun(tuple(buffer), run, own_label=own))
    if len(run) % N_APPLICANT == 0:
        return
    if (glued := _glued_text(run)) and code not in state.glued_apps:
        state.glued_apps[code] = glued
    else:
        state.issue(
            "warning",
            "cell_count_mismatch",
            f"row {code}: {len(run)} values where {N_APPLICANT} columns are expected; row left out",
            section="applications",
            row=code,
            raw=" ".join(t.text for t in run),
        )


def _resolve_proactive(state: State) -> tuple[dict, str | None]:
    votes = {"2019": 0, "2021": 0}
    resolved = []
    for item, header, run, unit in state.proactive_runs:
        layouts = codes.item_layouts(item)
        fits = [v for v, measures in layouts.items() if len(measures) == len(run)]
        by_header = [v for v in fits if header and set(header[-len(run) :]) == set(layouts[v])]
        for v in by_header[:1] or (fits if len(fits) == 1 else []):
            votes[v] += 1
        resolved.append((item, run, unit, fits, by_header))
    section_version = None
    if votes["2019"] or votes["2021"]:
        section_version = "2021" if votes["2021"] > votes["2019"] else "2019"
    if votes["2019"] and votes["2021"]:
        state.issue("info", "mixed_template", "section 二 mixes the 2019 and 2021 layouts")
    proactive: dict = {}
    for item, run, unit, fits, by_header in resolved:
        version = (
            by_header[:1] or ([section_version] if section_version in fits else fits[:1]) or [None]
        )[0]
        if version is None:
            state.issue(
                "warning",
                "cell_count_mismatch",
                f"item {item}: {len(run)} values fit no layout; item left out",
            )
            continue
        if item in proactive:
            state.issue("warning", "duplicate_row", f"item {item} printed twice")
            continue
        row = {}
        for measure, tok in zip(codes.proactive_layout(version)[item], run, strict=True):
            value = to_wan_yuan(tok.cell, unit) if measure == "amount_wan_yuan" else tok.cell.value
            row[measure] = value
            state.cells.append(_cell("proactive", item, measure, tok, value))
        proactive[item] = row
    return proactive, section_version


def _applications_version(rows) -> str | None:
    """2021 when any row only the 2021 form has is printed ((六) split in three), else 2019."""
    rows = set(rows)
    if not rows:
        return None
    only_2021 = set(codes.application_rows("2021")) - set(codes.application_rows("2019"))
    return "2021" if rows & only_2021 else "2019"


def _has_values(section: dict) -> bool:
    return any(v is not None for row in section.values() for v in row.values())


def _status(result: dict) -> str:
    apps, reviews, proactive = result["applications"], result["reviews"], result["proactive"]
    if not (_has_values(apps) or _has_values(reviews) or _has_values(proactive)):
        return "narrative_only" if result["narrative"] else "no_statistics"
    version = result["template"]["applications"] or "2019"
    complete = (
        set(codes.application_rows(version)) <= set(apps)
        and set(codes.REVIEW_GROUPS) <= set(reviews)
        and bool(proactive)
    )
    return "complete" if complete else "partial"


def empty_result(source: str, sha256: str | None) -> dict:
    return {
        "source": source,
        "sha256": sha256,
        "agency": None,
        "year": None,
        "title": None,
        "template": {"proactive": None, "applications": None},
        "applications": {},
        "reviews": {},
        "proactive": {},
        "narrative": {},
        "checks": [],
        "issues": [],
        "cells": [],
        "undecided": [],
        "status": "no_statistics",
        "parser_version": PARSER_VERSION,
    }


def error_result(source: str, sha256: str | None, code: str, exc: Exception) -> dict:
    """The result of a report that could not be read or parsed: status error, with the reason."""
    result = empty_result(source, sha256)
    result["status"] = "error"
    result["error"] = f"{type(exc).__name__}: {exc}"
    result["issues"] = [{"severity": "error", "code": code, "message": result["error"]}]
    return result


def parse_text(
    text: str,
    source: str = "",
    sha256: str | None = None,
    utf8: bytes | None = None,
    html: bool | None = None,
) -> dict:
    """Parse a report's text. `utf8`: the same text in UTF-8, when at hand (the bytes of a web
    page served in UTF-8), which the HTML parser reads without encoding the text again.
    `html`: whether the text is a web page, when already known (else it is looked at)."""
    result = empty_result(source, sha256)
    layout = layout_of(text, utf8, html)
    agency, year, title = title_info(layout.text_lines, layout.title)
    result.update(agency=agency, year=year, title=title)
    state = State()
    _walk(*_tokens(layout), state)
    _place_applications(state)
    _decode_glued(state)
    proactive, pro_version = _resolve_proactive(state)
    apps = state.applications
    if not _has_values(apps):
        apps = {}
    if not _has_values(state.reviews):
        state.reviews = {}
    if not _has_values(proactive):
        proactive = {}
    result["applications"] = {r: apps[r] for r in codes.APPLICATION_ROWS if r in apps}
    result["reviews"] = {g: state.reviews[g] for g in codes.REVIEW_GROUPS if g in state.reviews}
    result["proactive"] = {i: proactive[i] for i in codes.PROACTIVE_ITEMS if i in proactive}
    result["template"] = {
        "proactive": pro_version if proactive else None,
        "applications": _applications_version(apps),
    }
    result["narrative"] = stated_totals(layout.text_lines)
    for key, value in result["narrative"].items():
        state.cells.append(
            {
                "section": "narrative",
                "row": key,
                "col": "value",
                "value": value,
                "raw": str(value),
                "method": "narrative",
            }
        )
    kept = (
        {("applications", r) for r in result["applications"]}
        | {("reviews", g) for g in result["reviews"]}
        | {("proactive", i) for i in result["proactive"]}
    )
    result["cells"] = [
        c for c in state.cells if c["section"] == "narrative" or (c["section"], c["row"]) in kept
    ]
    result["cells"] += undecided.left_out_cells(state.issues, result)
    result["undecided"] = undecided.listed(result["cells"])
    result["checks"] = identity_checks.evaluate(result)
    for c in result["checks"]:
        if c["holds"] is False:
            state.issue(
                "warning",
                "narrative_mismatch" if c["identity"] == "narrative" else "identity_failed",
                f"{c['identity']} at {c['at']}: {c['lhs']} vs {c['rhs']} (difference {c['difference']})",
            )
    if agency is None:
        state.issue("info", "no_agency", "agency not found in the title or the opening text")
    if year is None:
        state.issue("info", "no_year", "reporting year not found")
    result["issues"] = state.issues
    result["status"] = _status(result)
    return result


# The text of an annual report runs to tens of thousands of characters, rarely a few hundred
# thousand; a document with far more (a site dump, a generated page) is not read as one, so
# the time spent on one input stays bounded.
MAX_TEXT_CHARS = 2_000_000


class TooLarge(ValueError):
    """A document with far more text than any annual report."""


_KNOWN_HTML = {"html": True, "text": False}  # what read_text's kind says of a document's text


def parse_document(
    data: bytes | bytearray | memoryview, source: str, charset: str | None = None
) -> dict:
    """Parse the raw bytes of one report; never raises. `charset` is the one its web server
    declared (the Content-Type header), tried first when decoding a page."""
    data = bytes(data)  # (bytes as they are; a copy of any other buffer)
    sha = hashlib.sha256(data).hexdigest()
    try:
        # HTML, text, PDF or DOCX; DocumentError if unreadable
        text, kind, utf8 = read_text(data, charset)
        if len(text) > MAX_TEXT_CHARS:
            reason = f"{len(text):,} characters of text, over the {MAX_TEXT_CHARS:,} of any report"
            return error_result(source, sha, "too_large", TooLarge(reason))
        # (read_text has told a web page from plain text; PDF and DOCX text is looked at)
        return parse_text(text, source, sha, utf8, _KNOWN_HTML.get(kind))
    except Exception as exc:  # noqa: BLE001 - one bad report must never stop a run
        return error_result(source, sha, "parse_error", exc)


def parse_path(path: str) -> dict:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return error_result(path, None, "read_error", exc)
    return parse_document(data, path)


def contract(result: dict) -> dict:
    """The result as printed by `ogi parse --json` (without the per-cell provenance)."""
    return {k: v for k, v in result.items() if k != "cells"}


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="ogi parse", description="Parse annual reports to JSON lines."
    )
    ap.add_argument("paths", nargs="+", help="report files (HTML or text)")
    ap.add_argument("--json", action="store_true", help="one JSON object per line (the default)")
    ap.add_argument("--cells", action="store_true", help="include per-cell provenance")
    args = ap.parse_args(argv)
    for path in args.paths:
        result = parse_path(path)
        out = result if args.cells else contract(result)
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
