"""Glued digit runs: numeric cells that lost their separators, and how the identities split them.

Flattened copies of the statistics tables (text extracted from a page or a PDF with the cell
borders gone) print a row's numbers as one run of digits: ``一、本年新收政府信息公开申请数量640020470``
is the seven applicant columns 64|0|0|2|0|4|70. Blank cells print a mark (``/``, ``—``) that
does separate its neighbours (``747—21589`` is 74|7|—|2|1|5|89, or another split the identities
allow), spaces left by ``&nbsp;`` may sit anywhere in a run and are never trusted as separators,
and signs (本年增/减 in section 二) always start a number. A ``|`` in a run is a cell boundary
known from the layout (a run put together from separate cells, some of which hold glued
numbers): it is always a cut. Nothing else in the text says where
one number ends and the next begins, so only the reconciliation identities can decide:

* applicants, per application row: the last number (总计) is the sum of the six before it;
* outcomes, per review group: 总计 is the sum of the four outcomes;
* ledger and dispositions, per applicant column, across the rows of the application table.

A blank cell reads as 0 (the columns of applicants an agency never had are left empty), except
a blank total, which is unknown (some agencies never fill the 总计 column): a row with a blank
total has no applicants identity, and the 总计 column is not checked across rows where one may
be blank.

Every function here is pure and never raises on text input. A split that the identities do not
decide is reported as ambiguous (the cell is ``None`` and the candidates are listed), never
guessed. Searches are bounded: each one has a node budget and a candidate cap, and says when it
stopped early (``truncated`` / ``complete``), in which case nothing it did not prove is set.

Entry points:

* `split_label_run` / `split_flat_line`: find (label, run) pairs in flattened text;
* `row_candidates`: every split of one run that satisfies the row identity;
* `decode_applications`: the whole application table from one run per row;
* `decode_reviews`: section 四 from one run of 15 (or 5) numbers;
* `decode_free`: a section 二 row, which has no identity (signs, decimal points, thousands
  separators and the caller's plausibility test only).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ingest.codes import (
    APPLICANT_COLUMNS,
    OUTCOMES,
    REVIEW_GROUPS,
    TEMPLATES,
    application_rows,
    disposition_leaves,
)
from ingest.normalize import nfkc, without_footnotes
from ingest.values import MAX_NUMBER_DIGITS

# Search bounds. A node is one tried number; a real table row (7 numbers of up to 5 digits)
# needs a few hundred at most, so these budgets only ever stop adversarial or garbled input.
ROW_BUDGET = 100_000  # nodes for one row's candidates
TABLE_BUDGET = 400_000  # nodes for one whole-table search (candidates + identities)
MAX_SOLUTIONS = 1_000  # full decodings enumerated before counting stops
MAX_DIGITS = 256  # longer runs (digits and marks) are not table rows; they are not searched
MAX_READINGS = 64  # readings of the blank marks of one run (see `_blank_counts`)
MAX_NUMBER = MAX_NUMBER_DIGITS  # digits of one number (integer and decimal part)

# --- Text: separating labels from runs ------------------------------------------------------

_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-"})
_MINUS_CHARS = tuple(map(chr, _MINUS))

# Blank marks as they appear inside a run (after NFKC: ／ is /, － is -). "-" is a blank only
# where it cannot be a sign; a run of dashes may be one wide mark (—— for one blank cell).
_MARKS = "/—–―"
_DASHES = frozenset("—–―-")
RUN_MARKS = frozenset(_MARKS) | _DASHES  # every character a blank prints inside a run
_M = re.escape(_MARKS)

# A run at the end of a token: digits, blank marks, spaces and signs, starting at a digit, a
# sign or a mark.
_TAIL_RUN = re.compile(rf"(?:[+\-]?[0-9]|[{_M}])[0-9 +\-{_M}]*$")
# A numeric chunk inside a line; "." and "," only between digits (decimals, thousands).
_CHUNK = re.compile(rf"(?:[+\-]?[0-9]|[{_M}\-])(?:[0-9 +\-.,{_M}]*[0-9{_M}\-])?")
_DATE = re.compile(r"\d{4}([-/.])\d{1,2}\1\d{1,2}")
# The sub-row numbering of the next label ("1.属于国家秘密", "2、重复申请").
_SUBROW_AFTER = re.compile(r"[.、] ?[\u3400-\u9fff]")
# A money unit printed right after an amount (390785元, 264434.64(万元).
_UNIT_AFTER = re.compile(r" ?\(?(?:万元|元)\)?")
# the first character after a position that is not a space
_NEXT_CHAR = re.compile(r"\s*(\S)")
_UNIT_TAIL = re.compile(r"\(?(万元|元)\)?$")
# Characters that, right after a number, make it a quantity in running text (收到74件, 第16条,
# 2019年), not a table cell.
_QUANTITY_UNITS = frozenset(
    "年月日时号条款项件个次人家份元万亿位名天周户例台套张篇页期批宗起余多倍%‰"
)
# Those of them that no money unit starts (元, 万元): a chunk they follow is never a run,
# whatever else is around it (the common case in prose, decided at once)
_UNIT_FOLLOWS = _QUANTITY_UNITS - {"元", "万"}
# Characters that, right before a number, make it part of the text (第16条, (1), 〔2019〕, URLs).
_TEXT_BEFORE = frozenset("第/:@_#%&=<《〔[(.,")
# Characters a following label may start with.
_LABEL_START = frozenset('([【“"「')


def _prep(text: str) -> str:
    """NFKC (full-width digits, signs and brackets become ASCII), one space for any run of
    whitespace (``&nbsp;``, ideographic space), zero-width characters removed."""
    t = nfkc(without_footnotes(text))  # 12① is 12 with a note, not 121
    if any(ch in t for ch in _MINUS_CHARS):  # (a search each costs less than a translation)
        t = t.translate(_MINUS)
    return _SPACES.sub(" ", _ZERO_WIDTH.sub("", t))


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def split_label_run(text: str) -> tuple[str, str] | None:
    """Split a token that is a label followed by a numeric run into (label, run).

    The run is the longest tail made of digits, blank marks, spaces and signs that starts at a
    digit, a sign or a mark; digits earlier in the label ("1.属于国家秘密", "第二十条") stay in
    the label. Both parts come back NFKC-normalised with whitespace collapsed (so ``（一）``
    reads ``(一)``). None when there is no run, no label before it (a bare run is a value, see
    `ingest.values.read_cell`), or the run continues a decimal or thousands-separated number
    (``264434.64``: not a count).
    """
    if not isinstance(text, str):
        return None
    t = _prep(text).strip()
    m = _TAIL_RUN.search(t)
    if m is None:
        return None
    label = t[: m.start()].rstrip()
    run = m.group().strip()
    if not label:
        return None
    if len(label) >= 2 and label[-1] in ".," and label[-2].isdigit():
        return None  # the run continues a decimal or thousands-separated number
    return label, run


def split_flat_line(line: str) -> list[tuple[str, str]]:
    """Cut a flattened line into (label, run) pairs, in reading order.

    A numeric chunk is a cell run unless the text around it says it is part of a sentence: a
    quantity unit right after it (74件, 2019年, 第16条), or a character such as 第 / ( 〔 or a
    Latin letter right before it; a date (2024-03-13) is never a run. A chunk of blank marks
    alone (``规章///``) is a run only at the end of the line (elsewhere ``——`` is a dash of
    the prose). A run immediately followed by ``.`` or ``、`` and a CJK character ends with the
    next row's sub-row number: ``…数量00000001.属于国家秘密`` is the run ``0000000`` and the label
    ``1.属于国家秘密`` (one digit; the template has at most 8 sub-rows). A money unit printed
    after an amount stays with the run (``390785元``).

    Labels and runs are NFKC-normalised with whitespace collapsed. A run with no text before it
    comes back with label ``""``; trailing text with no run comes back with run ``""``.
    """
    if not isinstance(line, str):
        return []
    t = _prep(line)
    pairs: list[tuple[str, str]] = []
    label_start = 0
    n = len(t)
    for m in _CHUNK.finditer(t):
        start, end = m.start(), m.end()
        if start < label_start or end < n and t[end] in _UNIT_FOLLOWS:
            continue
        before = t[start - 1] if start > 0 else ""
        if before and (before in _TEXT_BEFORE or before.isascii() and before.isalpha()):
            continue
        chunk = m.group()
        if _DATE.fullmatch(chunk):
            continue
        next_label = None
        # (what follows the chunk is matched where it is, not copied out of the line)
        if _SUBROW_AFTER.match(t, end):
            value = chunk[:-1].rstrip(" +.,")
            if not any(ch.isdigit() or ch in _MARKS for ch in value):
                continue  # the chunk is only this label's own numbering
            run, run_end, next_label = value, end - 1, end - 1
        else:
            run, run_end = chunk, end
            unit = _UNIT_AFTER.match(t, end)
            if unit and unit.group().strip():
                run, run_end = chunk + unit.group().strip(), unit.end()
            rest = _NEXT_CHAR.match(t, run_end)  # the next character that is not a space
            if rest and not any(ch.isdigit() for ch in run):
                continue  # marks alone are a run only at the end of the line
            if rest:
                ch = rest.group(1)
                if ch in _QUANTITY_UNITS and not unit:
                    continue
                if not (is_cjk(ch) or ch in _LABEL_START):
                    continue
        pairs.append((t[label_start:start].strip(), run.strip()))
        label_start = next_label if next_label is not None else run_end
    tail = t[label_start:].strip()
    if tail:
        pairs.append((tail, ""))
    return pairs


# --- Runs of counts: digit segments between blank marks -------------------------------------

Segments = tuple  # digit strings, and None for a blank cell, in print order


def _blank_counts(mark: str, length: int) -> range:
    """How many blank cells `length` repeated marks can be: a slash is one cell each; dashes
    are one cell each, or pairs of them one wide mark (—— for one blank)."""
    if mark in _DASHES:
        return range((length + 1) // 2, length + 1)
    return range(length, length + 1)


_COUNT_RUN = re.compile(rf"(?:[0-9|]|[{_M}\-])+")
_COUNT_PIECE = re.compile(r"[0-9]+|(/+)|(—+)|(–+)|(―+)|(-+)|\|")


def _count_readings(run: object) -> tuple[list[Segments], bool] | None:
    """The readings of a run of counts (sections 三 and 四) as segments, and whether the list
    was capped at MAX_READINGS; None when the run holds anything but digits, spaces and blank
    marks (a sign, a decimal point: not a count run). Every dash here is a blank mark."""
    if not isinstance(run, str):
        return None
    t = _prep(run).replace(" ", "")
    if not t or not _COUNT_RUN.fullmatch(t):
        return None
    if len(t) > MAX_DIGITS:
        return [], True
    pieces: list[list[Segments]] = []
    for m in _COUNT_PIECE.finditer(t):
        text = m.group()
        if text == "|":  # a known cell boundary: the digits on both sides are separate segments
            continue
        if text[0].isdigit():
            pieces.append([(text,)])
        else:
            pieces.append([(None,) * k for k in _blank_counts(text[0], len(text))])
    readings: list[Segments] = []
    for combo in itertools.product(*pieces):
        if len(readings) >= MAX_READINGS:
            return readings, True
        readings.append(tuple(x for part in combo for x in part))
    return readings, False


def _segments(atoms: Sequence[str | None]) -> Segments:
    """Digits, blanks (None) and cell boundaries ("|"), grouped back into segments."""
    out: list[str | None] = []
    cut = True
    for ch in atoms:
        if ch == "|":
            cut = True
        elif ch is not None and not cut and out and out[-1] is not None:
            out[-1] += ch
        else:
            out.append(ch)
            cut = False
    return tuple(out)


def _n_digits(segs: Segments) -> int:
    return sum(len(s) for s in segs if s is not None)


# --- One row: the splits that satisfy the row identity --------------------------------------


class Candidates(list):
    """A list of candidate splits (tuples of ints, None for a blank cell) that also says
    whether it is exhaustive.

    ``truncated`` is True when the search stopped at the candidate cap or its node budget, or
    the run was too long to search (more than MAX_DIGITS digits): there may be further splits.
    """

    truncated: bool = False

    def __init__(self, items=(), truncated: bool = False) -> None:
        super().__init__(items)
        self.truncated = truncated


class _Budget:
    __slots__ = ("left",)

    def __init__(self, nodes: int) -> None:
        self.left = nodes

    def spend(self) -> bool:
        self.left -= 1
        return self.left >= 0


_POW10 = tuple(10**i for i in range(MAX_DIGITS + 2))


def _rest_can_sum(m: int, k: int, rem: int) -> bool:
    """Can m digits, cut into k numbers without leading zeros, add up to rem? A necessary
    condition, from lengths alone: no number is longer than rem; the smallest possible sum
    spreads the digits evenly (a number of l >= 2 digits is at least 10**(l-1)); the largest
    puts all spare digits into one number and leaves single digits for the others."""
    if k == 0:
        return m == 0 and rem == 0
    if m < k or m > k * len(str(rem)):
        return False
    q, r = divmod(m, k)
    least = (r * _POW10[q] if q >= 1 else 0) + ((k - r) * _POW10[q - 1] if q >= 2 else 0)
    return least <= rem < _POW10[m - k + 1] + 10 * (k - 1)


def _min_parts(s: str, off: int) -> int:
    """The fewest numbers s[off:] can be cut into: each leading zero is a number of its own."""
    zeros = len(s) - off - len(s[off:].lstrip("0"))
    return zeros + (1 if off + zeros < len(s) else 0)


def _split_segments(
    segs: Segments,
    k: int,
    target: int | None,
    tail: tuple,
    out: list[tuple],
    cap: int,
    budget: _Budget,
) -> bool:
    """Append every way to read segs as k cells (each blank one cell, each digit segment one or
    more numbers without leading zeros) to out, each followed by `tail`. With a target, the
    numbers must add up to it (blanks count 0). False when stopped by cap or budget."""
    nseg = len(segs)
    min_after = [0] * (nseg + 1)  # fewest / most cells segs[i:] can be
    max_after = [0] * (nseg + 1)
    high_after = [0] * (nseg + 1)  # largest sum of segs[i:] (a segment uncut)
    digits_after = [False] * (nseg + 1)
    for i in range(nseg - 1, -1, -1):
        s = segs[i]
        if s is None:
            min_after[i], max_after[i] = min_after[i + 1] + 1, max_after[i + 1] + 1
            high_after[i], digits_after[i] = high_after[i + 1], digits_after[i + 1]
        else:
            min_after[i] = min_after[i + 1] + _min_parts(s, 0)
            max_after[i] = max_after[i + 1] + len(s)
            high_after[i], digits_after[i] = high_after[i + 1] + int(s), True
    parts: list[int | None] = []

    def dfs(i: int, off: int, k: int, rem: int | None) -> bool:
        if not budget.spend():
            return False
        if i == nseg:
            if k == 0 and not rem:
                out.append((*parts, *tail))
                return len(out) < cap
            return True
        s = segs[i]
        if s is None:
            if k == 0:
                return True
            parts.append(None)
            ok = dfs(i + 1, 0, k - 1, rem)
            parts.pop()
            return ok
        size = len(s) - off
        least = max(_min_parts(s, off), k - max_after[i + 1])  # cells this segment yields
        most = min(size, k - min_after[i + 1])
        if least > most:
            return True
        if rem is not None:
            if rem > int(s[off:]) + high_after[i + 1]:
                return True
            if not digits_after[i + 1] and not _rest_can_sum(size, least, rem):
                return True  # the last digits: exactly `least` (== most) numbers
        longest = size if most == 1 else (1 if s[off] == "0" else size - least + 1)
        shortest = size if most == 1 else 1
        if most == 1 and s[off] == "0" and size > 1 or shortest > MAX_NUMBER:
            return True
        longest = min(longest, MAX_NUMBER)
        v = int(s[off : off + shortest - 1]) if shortest > 1 else 0
        for length in range(shortest, longest + 1):
            v = v * 10 + ord(s[off + length - 1]) - 48
            if rem is not None and v > rem:
                break
            parts.append(v)
            nxt = rem - v if rem is not None else None
            if off + length == len(s):
                ok = dfs(i + 1, 0, k - 1, nxt)
            else:
                ok = dfs(i, off + length, k - 1, nxt)
            parts.pop()
            if not ok:
                return False
        return True

    return dfs(0, 0, k, target)


def _candidates(
    segs: Segments, n_parts: int, total_last: bool, limit: int, budget: _Budget
) -> Candidates:
    """Every reading of one segments list as n_parts cells (see `row_candidates`)."""
    if n_parts < 1 or limit < 1 or not segs:
        return Candidates()
    if _n_digits(segs) > MAX_DIGITS:
        return Candidates(truncated=True)
    out: list[tuple] = []
    cap = limit + 1  # one more than asked, to know whether there are more
    last = segs[-1]
    if not total_last or n_parts == 1:
        finished = _split_segments(segs, n_parts, None, (), out, cap, budget)
    elif last is None:  # a blank total: no row identity
        finished = _split_segments(segs[:-1], n_parts - 1, None, (None,), out, cap, budget)
    else:
        finished = True
        head, n = segs[:-1], len(last)
        # casting out nines: every split of a digit string has the same sum modulo 9, the sum
        # of its digits, so the other numbers' digit sum must match the total modulo 9
        digit_sum = sum(ord(ch) - 48 for s in segs if s is not None for ch in s)
        for t in range(1, min(n, MAX_NUMBER) + 1):
            total = last[n - t :]
            if t > 1 and total[0] == "0":
                continue
            target = int(total)
            if (digit_sum - sum(ord(ch) - 48 for ch in total) - target) % 9:
                continue
            rest = (*head, last[: n - t]) if t < n else head
            if not rest:
                continue
            if not _split_segments(rest, n_parts - 1, target, (target,), out, cap, budget):
                finished = False
                break
    return Candidates(out[:limit], truncated=not finished or len(out) > limit)


def _only_split(run: object, n_parts: int, budget: _Budget) -> tuple | None:
    """The one way to cut a run of counts into n_parts cells with no identity, or None when
    there are several or none."""
    found = _count_candidates(run, n_parts, False, 1, budget)
    return found[0] if found and not found.truncated else None


def _count_candidates(run: object, n_parts: int, total_last: bool, limit: int, budget: _Budget):
    """Candidates of a run of counts over all readings of its blank marks (duplicates
    removed). None when the run is not a run of counts."""
    readings = _count_readings(run)
    if readings is None:
        return None
    segs_list, capped = readings
    seen: dict[tuple, None] = {}
    truncated = capped
    for segs in segs_list:
        c = _candidates(segs, n_parts, total_last, limit, budget)
        truncated = truncated or c.truncated
        seen.update(dict.fromkeys(c))
        if len(seen) > limit or budget.left < 0:
            truncated = True
            break
    return Candidates(list(seen)[:limit], truncated=truncated)


def row_candidates(
    run: str,
    n_parts: int = 7,
    total_last: bool = True,
    limit: int = 10_000,
    budget: int = ROW_BUDGET,
) -> Candidates:
    """Every way to read a glued run as n_parts cells: non-negative integers, or None where a
    blank mark (/ — –) is printed.

    Spaces are ignored; a run holding anything but digits, spaces and blank marks (signs,
    decimal points) has no candidates. Numbers have no leading zeros ("0" is fine, "05" is
    not) and at most MAX_NUMBER digits. A blank mark is one cell and separates its neighbours; a run of dashes may also be
    one wide mark per pair (``——``), and each reading is tried. With ``total_last`` (the 总计
    column) the last number must equal the sum of the others, blanks counting 0 (a blank total
    leaves the row without an identity); the search picks the total first (it is the run's
    suffix), then cuts the rest depth-first, pruned by the remaining sum. ``n_parts == 1``
    reads the run as one number.

    Returns a `Candidates` list (tuples in search order: shorter totals first) of at most
    ``limit`` entries; its ``truncated`` flag is True when the cap or the node ``budget`` stopped
    the search, so that more splits may exist.
    """
    found = _count_candidates(run, n_parts, total_last, limit, _Budget(budget))
    return Candidates() if found is None else found


# --- Whole tables: one candidate per row, all identities together ---------------------------


@dataclass(frozen=True)
class Decoded:
    """The outcome of decoding a table from glued runs.

    values      row -> column -> int, or None where the valid decodings disagree (ambiguous),
                the row could not be decoded, or a blank is printed. Only rows given as runs
                appear.
    ambiguous   one entry per row left undecided: {"row", "candidates" (the distinct tuples
                found in valid decodings), "truncated" (the list may be incomplete), "columns"
                (the columns whose value the candidates do not agree on)}.
    unsolved    rows with no split at all (all None): none satisfies their own identity, and
                the digits can be cut in more than one way.
    forced      rows whose own identity fails in print but whose digits can be cut only one
                way (as many digits as cells, say): read as printed, for the checks to flag.
    identities  the cross-row identities that were enforced.
    solutions   number of full decodings found (capped at MAX_SOLUTIONS).
    complete    the search was exhaustive (no cap or budget hit anywhere).
    """

    values: dict[str, dict[str, int | None]]
    ambiguous: list[dict] = field(default_factory=list)
    unsolved: list[str] = field(default_factory=list)
    identities: tuple[str, ...] = ()
    solutions: int = 0
    complete: bool = True
    forced: list[str] = field(default_factory=list)

    @property
    def unique(self) -> bool:
        """Exactly one full decoding, found by an exhaustive search."""
        return self.solutions == 1 and self.complete and not self.unsolved


class _Search:
    """Backtracking over one candidate per variable, with interval pruning on linear identities.

    Each constraint is ({var: coefficient}, columns) meaning sum(coefficient * vector) == 0 in
    each of those columns. Variables are visited fewest candidates first; before going deeper,
    each touched constraint must stay reachable given the per-column minimum and maximum the
    unvisited variables can still contribute.
    """

    def __init__(
        self,
        cands: list[list[tuple[int, ...]]],
        constraints: list[tuple[dict[int, int], tuple[int, ...]]],
        budget: _Budget,
    ) -> None:
        self.cands = cands
        self.order = sorted(range(len(cands)), key=lambda v: (len(cands[v]), v))
        self.constraints = [con for con, _ in constraints]
        self.columns = [cols for _, cols in constraints]
        self.budget = budget
        self.width = len(cands[0][0]) if cands and cands[0] else 0
        self.touching: dict[int, list[int]] = {v: [] for v in range(len(cands))}
        for ci, con in enumerate(self.constraints):
            for v in con:
                self.touching[v].append(ci)
        # lo[ci][depth][col], hi[ci][depth][col]: contribution bounds of variables order[depth:]
        w = self.width
        self.lo: list[list[list[int]]] = []
        self.hi: list[list[list[int]]] = []
        for con in self.constraints:
            lo = [[0] * w for _ in range(len(self.order) + 1)]
            hi = [[0] * w for _ in range(len(self.order) + 1)]
            for depth in range(len(self.order) - 1, -1, -1):
                v = self.order[depth]
                coef = con.get(v, 0)
                for c in range(w):
                    if coef:
                        vals = [coef * t[c] for t in cands[v]]
                        lo[depth][c] = lo[depth + 1][c] + min(vals)
                        hi[depth][c] = hi[depth + 1][c] + max(vals)
                    else:
                        lo[depth][c] = lo[depth + 1][c]
                        hi[depth][c] = hi[depth + 1][c]
            self.lo.append(lo)
            self.hi.append(hi)

    def run(
        self, fixed: Mapping[int, int] | None = None, stop_after: int = MAX_SOLUTIONS
    ) -> tuple[int, list[set[int]], bool]:
        """(solutions found, per variable the candidate indices used, finished)."""
        fixed = fixed or {}
        used: list[set[int]] = [set() for _ in self.cands]
        chosen = [0] * len(self.cands)
        sums = [[0] * self.width for _ in self.constraints]
        found = 0
        depth_max = len(self.order)

        def dfs(depth: int) -> bool:
            nonlocal found
            if not self.budget.spend():
                return False
            if depth == depth_max:
                found += 1
                for v, i in enumerate(chosen):
                    used[v].add(i)
                return found < stop_after
            v = self.order[depth]
            options = [fixed[v]] if v in fixed else range(len(self.cands[v]))
            for i in options:
                t = self.cands[v][i]
                ok = True
                for ci in self.touching[v]:
                    coef = self.constraints[ci][v]
                    s, lo, hi = sums[ci], self.lo[ci][depth + 1], self.hi[ci][depth + 1]
                    for c in self.columns[ci]:
                        x = s[c] + coef * t[c]
                        if x + lo[c] > 0 or x + hi[c] < 0:
                            ok = False
                            break
                    if not ok:
                        break
                if not ok:
                    continue
                for ci in self.touching[v]:
                    coef = self.constraints[ci][v]
                    s = sums[ci]
                    for c in range(self.width):
                        s[c] += coef * t[c]
                chosen[v] = i
                go_on = dfs(depth + 1)
                for ci in self.touching[v]:
                    coef = self.constraints[ci][v]
                    s = sums[ci]
                    for c in range(self.width):
                        s[c] -= coef * t[c]
                if not go_on:
                    return False
            return True

        finished = dfs(0) or found >= stop_after and self.budget.left >= 0
        return found, used, finished

    def supports(self) -> tuple[int, list[set[int]], bool]:
        """Solutions counted (capped), the candidates of each variable that occur in at least one
        solution, and whether that is proven. When the count reaches the cap, each remaining
        candidate is checked on its own (fixed, first solution only)."""
        found, used, finished = self.run()
        if not finished:
            return found, used, False
        if found >= MAX_SOLUTIONS:
            for v, cs in enumerate(self.cands):
                for i in range(len(cs)):
                    if i in used[v]:
                        continue
                    n, u, ok = self.run({v: i}, stop_after=1)
                    if not ok:
                        return found, used, False
                    if n:
                        for w, idx in enumerate(u):
                            used[w] |= idx
        return found, used, True


def _cells(columns: Sequence[str], tuples: Sequence[tuple]) -> dict[str, int | None]:
    """Each column's value when every tuple agrees on it, else None."""
    out: dict[str, int | None] = {}
    for c, col in enumerate(columns):
        vals = {t[c] for t in tuples}
        out[col] = vals.pop() if len(vals) == 1 else None
    return out


def _undecided(columns: Sequence[str], tuples: Sequence[tuple]) -> list[str]:
    """The columns the tuples do not all agree on."""
    return [col for c, col in enumerate(columns) if len({t[c] for t in tuples}) > 1]


def _decode_rows(
    row_cands: dict[str, Candidates],
    columns: Sequence[str],
    identities: Sequence[tuple[str, dict[str, int]]],
    budget: _Budget,
    totals: Sequence[int] = (),
) -> Decoded:
    """Combine per-row candidates under cross-row identities (see `Decoded`). A blank cell
    reads 0, except in the `totals` columns, where it is unknown: such a column is not checked
    in an identity whose rows may print it blank."""
    values: dict[str, dict[str, int | None]] = {}
    unsolved = [r for r, c in row_cands.items() if not c and not c.truncated]
    usable = {r: c for r, c in row_cands.items() if c and not c.truncated}
    enforced = [(name, terms) for name, terms in identities if all(r in usable for r in terms)]
    linked = sorted({r for _, terms in enforced for r in terms}, key=list(row_cands).index)
    free = [r for r in usable if r not in linked]

    used: dict[str, list[tuple]] = {r: list(c) for r, c in usable.items()}
    complete = not any(c.truncated for c in row_cands.values())
    consistent = True
    found = 1
    if linked:
        index = {r: v for v, r in enumerate(linked)}
        constraints = []
        for _, terms in enforced:
            cols = tuple(
                c
                for c in range(len(columns))
                if c not in totals or all(t[c] is not None for r in terms for t in usable[r])
            )
            constraints.append(({index[r]: coef for r, coef in terms.items()}, cols))
        numeric = [[tuple(x or 0 for x in t) for t in usable[r]] for r in linked]
        search = _Search(numeric, constraints, budget)
        found, support, proven = search.supports()
        complete = complete and proven
        consistent = found > 0
        if consistent and proven:
            for r in linked:
                used[r] = [usable[r][i] for i in sorted(support[index[r]])]
    for r in free:
        found = min(found * len(usable[r]), MAX_SOLUTIONS)
    if not usable:
        found = 0

    # Without a proven, consistent search, fall back to what each row's identity fixes alone.
    trust_search = complete and consistent
    ambiguous = []
    for r, c in row_cands.items():
        if r in unsolved:
            values[r] = dict.fromkeys(columns)
            continue
        if c.truncated:
            values[r] = dict.fromkeys(columns)
            ambiguous.append(
                {"row": r, "candidates": list(c), "truncated": True, "columns": list(columns)}
            )
            continue
        tuples = used[r] if trust_search else list(c)
        values[r] = _cells(columns, tuples)
        if len(tuples) > 1:
            ambiguous.append(
                {
                    "row": r,
                    "candidates": tuples,
                    "truncated": False,
                    "columns": _undecided(columns, tuples),
                }
            )
    return Decoded(
        values=values,
        ambiguous=ambiguous,
        unsolved=unsolved,
        identities=tuple(name for name, _ in enforced),
        solutions=found if consistent else 0,
        complete=complete,
    )


def decode_applications(runs: Mapping[str, str], version: str) -> Decoded:
    """Decode section 三 (the application ledger) from one glued run per row.

    ``runs`` maps application row codes (`ingest.codes.application_rows`) to their runs. Each
    row's candidates satisfy the applicants identity (总计 = the six applicant columns); then
    every combination of one candidate per row is searched for the ledger (new_requests +
    carried_over = total_processed + carried_forward) and dispositions (total_processed = the
    disposition leaves of ``version``) identities, in every column (a blank reads 0, a blank
    总计 is unknown: that column is then not checked).

    A row whose own identity fails in print is still read when its digits can be cut only one
    way (`Decoded.forced`). Rows absent from ``runs``, and rows with no candidate
    (`Decoded.unsolved`), are unknown: an identity involving one of them is skipped, not assumed (a blank row is not a row of zeros).
    Row codes outside the version's table are decoded with their row identity only, and a version
    other than `ingest.codes.TEMPLATES` gets no dispositions identity. A value is
    set only when every valid decoding agrees on it; when the identities cannot all hold (the
    printed table breaks them), each row keeps only what its own identity fixes.
    """
    rows = application_rows(version)
    given = {r: v for r, v in runs.items() if isinstance(r, str)} if runs else {}
    order = [r for r in rows if r in given] + sorted(r for r in given if r not in rows)
    table = _Budget(TABLE_BUDGET)
    row_cands: dict[str, Candidates] = {}
    forced = []
    for r in order:
        allowance = min(ROW_BUDGET, max(table.left, 0))  # one garbled row cannot starve the rest
        budget = _Budget(allowance)
        found = _count_candidates(given[r], len(APPLICANT_COLUMNS), True, 10_000, budget)
        if found is not None and not found and not found.truncated:
            only = _only_split(given[r], len(APPLICANT_COLUMNS), budget)
            if only is not None:
                found = Candidates([only])
                forced.append(r)
        row_cands[r] = Candidates() if found is None else found
        table.left -= allowance - max(budget.left, 0)
    ledger = {"new_requests": 1, "carried_over": 1, "total_processed": -1, "carried_forward": -1}
    dispositions = {"total_processed": 1} | {leaf: -1 for leaf in disposition_leaves(version)}
    identities = [("ledger", ledger)]
    if version in TEMPLATES:  # the leaves of an unknown template are unknown
        identities.append(("dispositions", dispositions))
    total = (APPLICANT_COLUMNS.index("total"),)
    decoded = _decode_rows(row_cands, APPLICANT_COLUMNS, identities, table, totals=total)
    return replace(decoded, forced=forced)


# --- Section 四: three groups of five numbers in one run ------------------------------------


def decode_reviews(run: str, groups: Sequence[str] = REVIEW_GROUPS) -> Decoded:
    """Decode section 四 printed as one run: ``len(groups)`` consecutive groups of the five
    outcomes (upheld, corrected, other, pending, total), each with total = the other four.

    The default reads the 15-number row (review, litigation_direct, litigation_after_review);
    pass one group, e.g. ``("review",)``, for a 5-number run. Spaces are ignored, blank marks
    are cells (as in `row_candidates`). Values are keyed group -> outcome, as in the parse
    contract, and set only where every valid split agrees. When no split satisfies the
    identity but the digits can be cut only one way, that reading is returned (``forced``: the
    printed totals are wrong, and the checks will say so); when no split works, every group is
    in ``unsolved``; when the search was cut short, nothing is set and the splits found so far
    are listed as ambiguous (``complete`` False).
    """
    groups = tuple(groups) if not isinstance(groups, str) else (groups,)
    values: dict[str, dict[str, int | None]] = {g: dict.fromkeys(OUTCOMES) for g in groups}
    if not groups:
        return Decoded(values, identities=("outcomes",))
    readings = _count_readings(run)
    if readings is None:
        return Decoded(values, unsolved=list(groups), identities=("outcomes",))
    if not readings[0]:  # too long to search
        return Decoded(values, identities=("outcomes",), complete=False)
    budget = _Budget(TABLE_BUDGET)
    stopped = readings[1]
    solutions: dict[tuple, None] = {}
    for segs in readings[0]:
        found, cut_short = _review_solutions(segs, len(groups), budget)
        solutions.update(dict.fromkeys(found))
        if cut_short or len(solutions) > MAX_SOLUTIONS:
            stopped = True
            break
    complete = not stopped and budget.left >= 0
    if not solutions and complete:
        only = _only_split(run, len(groups) * len(OUTCOMES), budget)
        if only is not None:  # the identity fails in print; the digits allow one reading only
            for gi, g in enumerate(groups):
                values[g] = dict(zip(OUTCOMES, only[gi * 5 : gi * 5 + 5], strict=True))
            return Decoded(values, identities=("outcomes",), solutions=1, forced=list(groups))
    if not solutions:
        unsolved = list(groups) if complete else []
        return Decoded(values, unsolved=unsolved, identities=("outcomes",), complete=complete)
    ambiguous = []
    for gi, g in enumerate(groups):
        tuples = sorted({sol[gi] for sol in solutions}, key=lambda t: [(x is None, x) for x in t])
        if complete:
            values[g] = _cells(OUTCOMES, tuples)
        if len(tuples) > 1 or not complete:
            ambiguous.append(
                {
                    "row": g,
                    "candidates": tuples,
                    "truncated": not complete,
                    "columns": _undecided(OUTCOMES, tuples) if complete else list(OUTCOMES),
                }
            )
    return Decoded(
        values,
        ambiguous,
        identities=("outcomes",),
        solutions=min(len(solutions), MAX_SOLUTIONS),
        complete=complete,
    )


def _review_solutions(segs: Segments, n_groups: int, budget: _Budget) -> tuple[list[tuple], bool]:
    """Every way to read segs as n_groups groups of five cells with total = the other four
    (capped at MAX_SOLUTIONS), and whether the search was cut short."""
    atoms: list[str | None] = []
    for s in segs:  # digits one by one, "|" between two digit segments (a known boundary)
        if s is not None and atoms and atoms[-1] is not None:
            atoms.append("|")
        atoms.extend(s if s is not None else (None,))
    n = len(atoms)
    width = len(OUTCOMES)
    pieces: dict[tuple[int, int], Candidates] = {}
    tails: dict[tuple[int, int], list[tuple]] = {}
    stopped = False

    def piece(a: int, b: int) -> Candidates:
        nonlocal stopped
        if (a, b) not in pieces:
            c = _candidates(_segments(atoms[a:b]), width, True, MAX_SOLUTIONS, budget)
            stopped = stopped or c.truncated
            pieces[a, b] = c
        return pieces[a, b]

    def solve(pos: int, left: int) -> list[tuple]:
        """Every way to read atoms[pos:] as `left` groups, up to MAX_SOLUTIONS."""
        nonlocal stopped
        if (pos, left) in tails:
            return tails[pos, left]
        out: list[tuple] = []
        if left == 1:
            out = [(t,) for t in piece(pos, n)]
        else:
            for end in range(pos + width, n - width * (left - 1) + 1):
                if stopped or budget.left < 0:
                    stopped = True
                    break
                head = piece(pos, end)
                if not head:
                    continue
                rest = solve(end, left - 1)
                for t in head:
                    for r in rest:
                        out.append((t, *r))
                        if len(out) > MAX_SOLUTIONS:
                            stopped = True
                            break
                    if stopped:
                        break
        tails[pos, left] = out
        return out

    found = solve(0, n_groups)
    return found, stopped or budget.left < 0


# --- Section 二: rows with no identity --------------------------------------------------------


@dataclass(frozen=True)
class RowDecoded:
    """One row decoded without an identity.

    values      n_parts values in print order (int, a number for decimals, None for a blank),
                None also where the candidates disagree.
    candidates  the splits considered (see `decode_free`).
    unit        元 or 万元 when printed after the run (it belongs to the last number).
    complete    the candidates are exhaustive (no cap or budget hit); when False, values are
                all None.
    """

    values: tuple[int | float | None, ...]
    candidates: list[tuple]
    unit: str | None = None
    complete: bool = True

    @property
    def unique(self) -> bool:
        return self.complete and len(self.candidates) == 1


@dataclass(frozen=True, slots=True)
class _Atom:
    digit: str | None  # None: a blank cell
    sign: int = 0  # +1 / -1 when a sign is printed right before this digit
    mark: str = ""  # "." or "," printed right before this digit
    cut: bool = False  # a known cell boundary ("|") right before this digit


def _free_readings(run: object) -> tuple[list[list[_Atom]], str | None, bool] | None:
    """The readings of a section 二 run as atoms, its unit, and whether the readings were
    capped; None when the run holds anything else. Spaces are dropped; a sign or a "-" before
    a digit is a sign, any other dash or slash a blank mark."""
    if not isinstance(run, str):
        return None
    t = _prep(run).strip()
    unit = _UNIT_TAIL.search(t)
    if unit:
        t = t[: unit.start()]
    t = t.replace(" ", "")
    if not t:
        return None
    if len(t) > MAX_DIGITS:
        return [], unit.group(1) if unit else None, True
    pieces: list[list[list[_Atom]]] = []
    sign, mark, cut, i = 0, "", False, 0
    while i < len(t):
        ch = t[i]
        nxt = t[i + 1] if i + 1 < len(t) else ""
        if ch.isdigit():
            pieces.append([[_Atom(ch, sign, mark, cut)]])
            sign, mark, cut = 0, "", False
        elif sign or mark:
            return None
        elif ch == "|":
            cut = True
        elif ch in "+-" and nxt.isdigit():
            sign = 1 if ch == "+" else -1
        elif ch in ".," and nxt.isdigit() and i and t[i - 1].isdigit():
            mark = ch
        elif ch in _MARKS or ch == "-":
            j = i
            while j < len(t) and t[j] == ch and not (ch == "-" and t[j + 1 : j + 2].isdigit()):
                j += 1
            j = max(j, i + 1)
            pieces.append([[_Atom(None)] * k for k in _blank_counts(ch, j - i)])
            i = j
            continue
        else:
            return None
        i += 1
    if sign or mark:
        return None
    readings: list[list[_Atom]] = []
    for combo in itertools.product(*pieces):
        if len(readings) >= MAX_READINGS:
            return readings, unit.group(1) if unit else None, True
        readings.append([a for part in combo for a in part])
    return readings, unit.group(1) if unit else None, False


def _number(atoms: Sequence[_Atom], a: int, b: int, decimal: bool) -> int | float | None:
    """The number printed by atoms[a:b] (all digits), or None when it is not well formed: a
    sign or a mark at its start or a sign inside, a leading zero, a decimal point where none is
    allowed, thousands separators that are not every three digits of the integer part."""
    first = atoms[a]
    if first.mark:
        return None
    dot = b
    commas = []
    for j in range(a + 1, b):
        m = atoms[j]
        if m.sign or m.cut:
            return None
        if m.mark == ".":
            if dot != b or not decimal:
                return None
            dot = j
        elif m.mark == ",":
            if dot != b:
                return None
            commas.append(j)
    if commas and commas != list(range(dot - 3 * len(commas), dot, 3)) or commas[:1] == [a]:
        return None
    if commas and commas[0] - a > 3:
        return None
    if first.digit == "0" and dot - a > 1:
        return None
    whole = "".join(x.digit for x in atoms[a:dot])
    sign = -1 if first.sign < 0 else 1
    if dot == b:
        return sign * int(whole)
    frac = "".join(x.digit for x in atoms[dot:b])
    return sign * float(Decimal(f"{whole}.{frac}"))


def decode_free(
    run: str,
    n_parts: int,
    signed_positions: Sequence[int] | None = None,
    decimal_positions: Sequence[int] = (),
    plausible: Callable[[tuple], bool] | None = None,
    limit: int = 1_000,
) -> RowDecoded:
    """Decode a section 二 row (规章, 行政处罚 …) from its run: there is no identity, so only
    what is printed and the caller's ``plausible`` test can decide.

    A sign or a ``|`` always starts a number, and a number may carry a sign only at ``signed_positions``
    (indices into the row, e.g. ``(1,)`` for 本年增/减 in the 2019 layout; None: any position).
    A decimal point is allowed only in a number at ``decimal_positions`` (amounts), thousands
    separators only every three digits, a blank mark is a cell. Spaces are ignored: they are
    stray ``&nbsp;`` as often as separators. ``plausible`` (a tuple of values -> bool) drops
    splits that cannot be true. ``"2648-18538"`` therefore fixes only the first cut: 2648,
    then -1853|8, -185|38, -18|538 or -1|8538 are all possible, so only the first value is set.
    """
    empty = RowDecoded(tuple([None] * max(n_parts, 0)), [])
    readings = _free_readings(run) if n_parts >= 1 and limit >= 1 else None
    if readings is None:
        return empty
    atom_lists, unit, capped = readings
    allowed = None if signed_positions is None else frozenset(signed_positions)
    decimals = frozenset(decimal_positions)
    budget = _Budget(ROW_BUDGET)
    found: dict[tuple, None] = {}

    def enumerate_splits(atoms: list[_Atom]) -> bool:
        n = len(atoms)
        parts: list[int | float | None] = []

        def dfs(pos: int, k: int) -> bool:
            if not budget.spend():
                return False
            if pos == n or k == n_parts:
                if pos == n and k == n_parts and (plausible is None or plausible(tuple(parts))):
                    found[tuple(parts)] = None
                    return len(found) <= limit
                return True
            if n - pos < n_parts - k:
                return True
            atom = atoms[pos]
            if atom.digit is None:
                parts.append(None)
                ok = dfs(pos + 1, k + 1)
                parts.pop()
                return ok
            if atom.sign and allowed is not None and k not in allowed:
                return True
            # the last number takes the rest; others leave one atom for each number after them
            first = n if k == n_parts - 1 else pos + 1
            last = min(n - (n_parts - k - 1), pos + MAX_NUMBER)
            for end in range(pos + 1, last + 1):
                a = atoms[end - 1]
                if a.digit is None or end > pos + 1 and (a.sign or a.cut):
                    break
                if end < first:
                    continue
                if not budget.spend():
                    return False
                value = _number(atoms, pos, end, k in decimals)
                if value is not None:
                    parts.append(value)
                    ok = dfs(end, k + 1)
                    parts.pop()
                    if not ok:
                        return False
            return True

        return dfs(0, 0)

    finished = not capped
    for atoms in atom_lists:
        if not enumerate_splits(atoms):
            finished = False
            break
    cands = list(found)[:limit]
    if not finished or len(found) > limit:
        return RowDecoded(empty.values, cands, unit, False)
    if not cands:
        return RowDecoded(empty.values, [], unit, True)
    vals = tuple(_cells([str(i) for i in range(n_parts)], cands).values())
    return RowDecoded(vals, cands, unit, True)
