"""Glued digit runs: numeric cells that lost their separators, and how the identities split them.

Flattened copies of the statistics tables (text extracted from a page or a PDF with the cell
borders gone) print a row's numbers as one run of digits: ``一、本年新收政府信息公开申请数量640020470``
is the seven applicant columns 64|0|0|2|0|4|70. Spaces left by ``&nbsp;`` may sit anywhere in a
run and are not reliable separators; signs (本年增/减 in section 二) are. Nothing in the text says
where one number ends and the next begins, so only the reconciliation identities can decide:

* applicants, per application row: the last number (总计) is the sum of the six before it;
* outcomes, per review group: 总计 is the sum of the four outcomes;
* ledger and dispositions, per applicant column, across the rows of the application table.

Every function here is pure and never raises on text input. A split that the identities do not
decide is reported as ambiguous (the cell is ``None`` and the candidates are listed), never
guessed. Searches are bounded: each one has a node budget and a candidate cap, and says when it
stopped early (``truncated`` / ``complete``), in which case nothing it did not prove is set.

Entry points:

* `split_label_run` / `split_flat_line`: find (label, run) pairs in flattened text;
* `row_candidates`: every split of one run that satisfies the row identity;
* `decode_applications`: the whole application table from one run per row;
* `decode_reviews`: section 四 from one run of 15 (or 5) numbers;
* `decode_free`: a section 二 row, which has no identity (signs and spaces only).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ingest.codes import (
    APPLICANT_COLUMNS,
    OUTCOMES,
    REVIEW_GROUPS,
    TEMPLATES,
    application_rows,
    disposition_leaves,
)

# Search bounds. A node is one tried number; a real table row (7 numbers of up to 5 digits)
# needs a few hundred at most, so these budgets only ever stop adversarial or garbled input.
ROW_BUDGET = 100_000  # nodes for one row's candidates
TABLE_BUDGET = 400_000  # nodes for one whole-table search (candidates + identities)
MAX_SOLUTIONS = 1_000  # full decodings enumerated before counting stops
MAX_DIGITS = 256  # longer runs are not table rows; they are not searched at all

# --- Text: separating labels from runs ------------------------------------------------------

_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-"})

# A run at the end of a token: digits, spaces and signs, starting at a digit or a sign.
_TAIL_RUN = re.compile(r"[+\-]?[0-9][0-9 +\-]*$")
# A numeric chunk inside a line; "." and "," only between digits (decimals, thousands).
_CHUNK = re.compile(r"[+\-]?[0-9](?:[0-9 +\-.,]*[0-9])?")
# The sub-row numbering of the next label ("1.属于国家秘密", "2、重复申请").
_SUBROW_AFTER = re.compile(r"^[.、] ?[\u3400-\u9fff]")
# A money unit printed right after an amount (390785元, 264434.64(万元).
_UNIT_AFTER = re.compile(r"^ ?\(?(?:万元|元)\)?")
# Characters that, right after a number, make it a quantity in running text (收到74件, 第16条,
# 2019年), not a table cell.
_QUANTITY_UNITS = frozenset(
    "年月日时号条款项件个次人家份元万亿位名天周户例台套张篇页期批宗起余多倍%‰"
)
# Characters that, right before a number, make it part of the text (第16条, (1), 〔2019〕, URLs).
_TEXT_BEFORE = frozenset("第/:@_#%&=<《〔[(.,")
# Characters a following label may start with.
_LABEL_START = frozenset('([【“"「')


def _prep(text: str) -> str:
    """NFKC (full-width digits, signs and brackets become ASCII), one space for any run of
    whitespace (``&nbsp;``, ideographic space), zero-width characters removed."""
    t = unicodedata.normalize("NFKC", text).translate(_MINUS)
    return _SPACES.sub(" ", _ZERO_WIDTH.sub("", t))


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def split_label_run(text: str) -> tuple[str, str] | None:
    """Split a token that is a label followed by a numeric run into (label, run).

    The run is the longest tail made of digits, spaces and signs that starts at a digit or a
    sign; digits earlier in the label ("1.属于国家秘密", "第二十条") stay in the label. Both parts
    come back NFKC-normalised with whitespace collapsed (so ``（一）`` reads ``(一)``). None when
    there is no run, no label before it (a bare run is a value, see `ingest.values.read_cell`),
    or the run continues a decimal or thousands-separated number (``264434.64``: not a count).
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
    Latin letter right before it. A run immediately followed by ``.`` or ``、`` and a CJK character
    ends with the next row's sub-row number: ``…数量00000001.属于国家秘密`` is the run
    ``0000000`` and the label ``1.属于国家秘密`` (one digit; the template has at most 8 sub-rows).
    A money unit printed after an amount stays with the run (``390785元``).

    Labels and runs are NFKC-normalised with whitespace collapsed. A run with no text before it
    comes back with label ``""``; trailing text with no run comes back with run ``""``.
    """
    if not isinstance(line, str):
        return []
    t = _prep(line)
    pairs: list[tuple[str, str]] = []
    label_start = 0
    for m in _CHUNK.finditer(t):
        start, end = m.start(), m.end()
        if start < label_start:
            continue
        before = t[start - 1] if start > 0 else ""
        if before and (before in _TEXT_BEFORE or before.isascii() and before.isalpha()):
            continue
        after = t[end:]
        chunk = m.group()
        next_label = None
        if _SUBROW_AFTER.match(after):
            value = chunk[:-1].rstrip(" +-.,")
            if not any(ch.isdigit() for ch in value):
                continue  # the chunk is only this label's own numbering
            run, run_end, next_label = value, end - 1, end - 1
        else:
            run, run_end = chunk, end
            unit = _UNIT_AFTER.match(after)
            if unit and unit.group().strip():
                run, run_end = chunk + unit.group().strip(), end + unit.end()
            rest = t[run_end:].lstrip()
            if rest:
                ch = rest[0]
                if ch in _QUANTITY_UNITS and not unit:
                    continue
                if not (_is_cjk(ch) or ch in _LABEL_START):
                    continue
        pairs.append((t[label_start:start].strip(), run.strip()))
        label_start = next_label if next_label is not None else run_end
    tail = t[label_start:].strip()
    if tail:
        pairs.append((tail, ""))
    return pairs


# --- One row: the splits that satisfy the row identity --------------------------------------


class Candidates(list):
    """A list of candidate splits (tuples of ints) that also says whether it is exhaustive.

    ``truncated`` is True when the search stopped at the candidate cap or its node budget, or
    the run was too long to search (more than MAX_DIGITS digits): there may be further splits.
    """

    truncated: bool = False

    def __init__(self, items=(), truncated: bool = False) -> None:
        super().__init__(items)
        self.truncated = truncated


def _digits(run: str) -> str | None:
    """The run's digits with spaces removed, or None when it holds anything else."""
    if not isinstance(run, str):
        return None
    s = _prep(run).replace(" ", "")
    if not s or not all("0" <= ch <= "9" for ch in s):
        return None
    return s


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
    if m < k or m > k * len(str(rem)):
        return False
    q, r = divmod(m, k)
    least = (r * _POW10[q] if q >= 1 else 0) + ((k - r) * _POW10[q - 1] if q >= 2 else 0)
    return least <= rem < _POW10[m - k + 1] + 10 * (k - 1)


def _sum_splits(
    s: str, k: int, target: int, out: list[tuple[int, ...]], cap: int, budget: _Budget
) -> bool:
    """Append every split of s into k numbers adding up to target (no leading zeros, "0" is
    fine) to out, each followed by target. False when stopped by cap or budget."""
    n = len(s)
    digits = [ord(ch) - 48 for ch in s]
    parts: list[int] = []

    def last(pos: int, rem: int) -> bool:
        """The final number is what is left of s; False when the cap is reached."""
        if (pos == n - 1 or digits[pos]) and int(s[pos:]) == rem:
            out.append((*parts, rem, target))
            return len(out) < cap
        return True

    def dfs(pos: int, k: int, rem: int) -> bool:
        if not budget.spend():
            return False
        if k == 1:
            return last(pos, rem)
        m = n - pos
        longest = 1 if digits[pos] == 0 else min(len(str(rem)), m - k + 1)
        v = 0
        for length in range(1, longest + 1):
            v = v * 10 + digits[pos + length - 1]
            if v > rem:
                break
            if not _rest_can_sum(m - length, k - 1, rem - v):
                continue
            parts.append(v)
            if k == 2:
                ok = budget.spend() and last(pos + length, rem - v)
            else:
                ok = dfs(pos + length, k - 1, rem - v)
            parts.pop()
            if not ok:
                return False
        return True

    return dfs(0, k, target)


def _plain_splits(s: str, k: int, out: list[tuple[int, ...]], cap: int, budget: _Budget) -> bool:
    """Append every split of s into k numbers without leading zeros. False when stopped."""
    n = len(s)
    parts: list[int] = []

    def dfs(pos: int, k: int) -> bool:
        if not budget.spend():
            return False
        if k == 1:
            piece = s[pos:]
            if len(piece) == 1 or piece[0] != "0":
                out.append((*parts, int(piece)))
                if len(out) >= cap:
                    return False
            return True
        longest = 1 if s[pos] == "0" else n - pos - (k - 1)
        for length in range(1, longest + 1):
            parts.append(int(s[pos : pos + length]))
            ok = dfs(pos + length, k - 1)
            parts.pop()
            if not ok:
                return False
        return True

    return dfs(0, k)


def _candidates(s: str, n_parts: int, total_last: bool, limit: int, budget: _Budget) -> Candidates:
    if n_parts < 1 or limit < 1:
        return Candidates()
    if len(s) > MAX_DIGITS:
        return Candidates(truncated=True)
    if len(s) < n_parts:
        return Candidates()
    out: list[tuple[int, ...]] = []
    cap = limit + 1  # one more than asked, to know whether there are more
    if n_parts == 1:
        ok = len(s) == 1 or s[0] != "0"
        return Candidates([(int(s),)] if ok else [])
    if not total_last:
        finished = _plain_splits(s, n_parts, out, cap, budget)
    else:
        finished = True
        n, k = len(s), n_parts - 1
        # casting out nines: every split of a digit string has the same sum modulo 9, the sum
        # of its digits, so the prefix's digit sum must match the total modulo 9
        digit_sums = [0]
        for ch in s:
            digit_sums.append(digit_sums[-1] + ord(ch) - 48)
        for t in range(1, n - k + 1):
            total = s[n - t :]
            if t > 1 and total[0] == "0":
                continue
            target = int(total)
            if (digit_sums[n - t] - target) % 9 or not _rest_can_sum(n - t, k, target):
                continue
            if not _sum_splits(s[: n - t], k, target, out, cap, budget):
                finished = False
                break
    return Candidates(out[:limit], truncated=not finished)


def row_candidates(
    run: str,
    n_parts: int = 7,
    total_last: bool = True,
    limit: int = 10_000,
    budget: int = ROW_BUDGET,
) -> Candidates:
    """Every way to read a glued run as n_parts non-negative integers.

    Spaces are ignored; a run holding anything but digits and spaces (signs, decimal points,
    blank marks) has no candidates. Numbers have no leading zeros ("0" is fine, "05" is not).
    With ``total_last`` (the 总计 column) the last number must equal the sum of the others; the
    search picks the total first (it is the run's suffix), then cuts the prefix depth-first,
    pruned by the remaining sum. ``n_parts == 1`` reads the run as one number.

    Returns a `Candidates` list (tuples in search order: shorter totals first) of at most
    ``limit`` entries; its ``truncated`` flag is True when the cap or the node ``budget`` stopped
    the search, so that more splits may exist.
    """
    s = _digits(run)
    if s is None:
        return Candidates()
    return _candidates(s, n_parts, total_last, limit, _Budget(budget))


# --- Whole tables: one candidate per row, all identities together ---------------------------


@dataclass(frozen=True)
class Decoded:
    """The outcome of decoding a table from glued runs.

    values      row -> column -> int, or None where the valid decodings disagree (ambiguous) or
                the row could not be decoded. Only rows given as runs appear.
    ambiguous   one entry per row left undecided: {"row", "candidates" (the distinct tuples
                found in valid decodings), "truncated" (the list may be incomplete)}.
    unsolved    rows whose run has no split satisfying the row identity (all cells None).
    identities  the cross-row identities that were enforced (an identity is used only when every
                row it involves was given and has candidates; otherwise it is skipped).
    solutions   number of full decodings consistent with every enforced identity, counted up to
                MAX_SOLUTIONS. 0 with identities enforced means the printed numbers cannot
                satisfy them together: then only what each row's own identity fixes is set.
    complete    every search ran to the end. When False, only values fixed by the row identity
                alone are set.
    """

    values: dict[str, dict[str, int | None]]
    ambiguous: list[dict] = field(default_factory=list)
    unsolved: list[str] = field(default_factory=list)
    identities: tuple[str, ...] = ()
    solutions: int = 0
    complete: bool = True

    @property
    def unique(self) -> bool:
        """Exactly one full decoding, found by an exhaustive search."""
        return self.solutions == 1 and self.complete and not self.unsolved


class _Search:
    """Backtracking over one candidate per variable, with interval pruning on linear identities.

    Each constraint is {var: coefficient} meaning sum(coefficient * vector) == 0 in every
    column. Variables are visited fewest candidates first; before going deeper, each touched
    constraint must stay reachable given the per-column minimum and maximum the unvisited
    variables can still contribute.
    """

    def __init__(
        self,
        cands: list[list[tuple[int, ...]]],
        constraints: list[dict[int, int]],
        budget: _Budget,
    ) -> None:
        self.cands = cands
        self.order = sorted(range(len(cands)), key=lambda v: (len(cands[v]), v))
        self.constraints = constraints
        self.budget = budget
        self.width = len(cands[0][0]) if cands and cands[0] else 0
        self.touching: dict[int, list[int]] = {v: [] for v in range(len(cands))}
        for ci, con in enumerate(constraints):
            for v in con:
                self.touching[v].append(ci)
        # lo[ci][depth][col], hi[ci][depth][col]: contribution bounds of variables order[depth:]
        w = self.width
        self.lo: list[list[list[int]]] = []
        self.hi: list[list[list[int]]] = []
        for con in constraints:
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
                    for c in range(self.width):
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


def _cells(columns: Sequence[str], tuples: Sequence[tuple[int, ...]]) -> dict[str, int | None]:
    """Each column's value when every tuple agrees on it, else None."""
    out: dict[str, int | None] = {}
    for c, col in enumerate(columns):
        vals = {t[c] for t in tuples}
        out[col] = vals.pop() if len(vals) == 1 else None
    return out


def _decode_rows(
    row_cands: dict[str, Candidates],
    columns: Sequence[str],
    identities: Sequence[tuple[str, dict[str, int]]],
    budget: _Budget,
) -> Decoded:
    """Combine per-row candidates under cross-row identities (see `Decoded`)."""
    values: dict[str, dict[str, int | None]] = {}
    unsolved = [r for r, c in row_cands.items() if not c and not c.truncated]
    usable = {r: c for r, c in row_cands.items() if c and not c.truncated}
    enforced = [(name, terms) for name, terms in identities if all(r in usable for r in terms)]
    linked = sorted({r for _, terms in enforced for r in terms}, key=list(row_cands).index)
    free = [r for r in usable if r not in linked]

    used: dict[str, list[tuple[int, ...]]] = {r: list(c) for r, c in usable.items()}
    complete = not any(c.truncated for c in row_cands.values())
    consistent = True
    found = 1
    if linked:
        index = {r: v for v, r in enumerate(linked)}
        constraints = [{index[r]: coef for r, coef in terms.items()} for _, terms in enforced]
        search = _Search([list(usable[r]) for r in linked], constraints, budget)
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
            ambiguous.append({"row": r, "candidates": list(c), "truncated": True})
            continue
        tuples = used[r] if trust_search else list(c)
        values[r] = _cells(columns, tuples)
        if len(tuples) > 1:
            ambiguous.append({"row": r, "candidates": tuples, "truncated": False})
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
    disposition leaves of ``version``) identities, in every column.

    Rows absent from ``runs``, and rows with no candidate (`Decoded.unsolved`), are unknown: an
    identity involving one of them is skipped, not assumed (a blank row is not a row of zeros).
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
    for r in order:
        s = _digits(given[r])
        if s is None:
            row_cands[r] = Candidates()
            continue
        allowance = min(ROW_BUDGET, max(table.left, 0))  # one garbled row cannot starve the rest
        budget = _Budget(allowance)
        row_cands[r] = _candidates(s, len(APPLICANT_COLUMNS), True, 10_000, budget)
        table.left -= allowance - max(budget.left, 0)
    ledger = {"new_requests": 1, "carried_over": 1, "total_processed": -1, "carried_forward": -1}
    dispositions = {"total_processed": 1} | {leaf: -1 for leaf in disposition_leaves(version)}
    identities = [("ledger", ledger)]
    if version in TEMPLATES:  # the leaves of an unknown template are unknown
        identities.append(("dispositions", dispositions))
    return _decode_rows(row_cands, APPLICANT_COLUMNS, identities, table)


# --- Section 四: three groups of five numbers in one run ------------------------------------


def decode_reviews(run: str, groups: Sequence[str] = REVIEW_GROUPS) -> Decoded:
    """Decode section 四 printed as one run: ``len(groups)`` consecutive groups of the five
    outcomes (upheld, corrected, other, pending, total), each with total = the other four.

    The default reads the 15-number row (review, litigation_direct, litigation_after_review);
    pass one group, e.g. ``("review",)``, for a 5-number run. Spaces are ignored. Values are keyed
    group -> outcome, as in the parse contract, and set only where every valid split agrees.
    When no split works, every group is in ``unsolved``; when the search was cut short, nothing
    is set and the splits found so far are listed as ambiguous (``complete`` False).
    """
    groups = tuple(groups) if not isinstance(groups, str) else (groups,)
    values: dict[str, dict[str, int | None]] = {g: dict.fromkeys(OUTCOMES) for g in groups}
    s = _digits(run)
    if not groups:
        return Decoded(values, identities=("outcomes",))
    if s is None:
        return Decoded(values, unsolved=list(groups), identities=("outcomes",))
    if len(s) > MAX_DIGITS:
        return Decoded(values, identities=("outcomes",), complete=False)
    width = len(OUTCOMES)
    n = len(s)
    budget = _Budget(TABLE_BUDGET)
    segments: dict[tuple[int, int], Candidates] = {}
    tails: dict[tuple[int, int], list[tuple[tuple[int, ...], ...]]] = {}
    stopped = False

    def segment(a: int, b: int) -> Candidates:
        nonlocal stopped
        if (a, b) not in segments:
            c = _candidates(s[a:b], width, True, MAX_SOLUTIONS, budget)
            stopped = stopped or c.truncated
            segments[a, b] = c
        return segments[a, b]

    def solve(pos: int, left: int) -> list[tuple[tuple[int, ...], ...]]:
        """Every way to read s[pos:] as `left` groups, up to MAX_SOLUTIONS."""
        nonlocal stopped
        if (pos, left) in tails:
            return tails[pos, left]
        out: list[tuple[tuple[int, ...], ...]] = []
        if left == 1:
            out = [(t,) for t in segment(pos, n)]
        else:
            for end in range(pos + width, n - width * (left - 1) + 1):
                if stopped or budget.left < 0:
                    stopped = True
                    break
                head = segment(pos, end)
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

    solutions = solve(0, len(groups))
    complete = not stopped and budget.left >= 0
    if not solutions:
        unsolved = list(groups) if complete else []
        return Decoded(values, unsolved=unsolved, identities=("outcomes",), complete=complete)
    ambiguous = []
    for gi, g in enumerate(groups):
        tuples = sorted({sol[gi] for sol in solutions})
        if complete:
            values[g] = _cells(OUTCOMES, tuples)
        if len(tuples) > 1 or not complete:
            ambiguous.append({"row": g, "candidates": tuples, "truncated": not complete})
    return Decoded(
        values,
        ambiguous,
        identities=("outcomes",),
        solutions=min(len(solutions), MAX_SOLUTIONS),
        complete=complete,
    )


# --- Section 二: rows with no identity --------------------------------------------------------


@dataclass(frozen=True)
class RowDecoded:
    """One row decoded without an identity.

    values      n_parts numbers in print order, None where the candidates disagree.
    candidates  the splits considered (see `decode_free`).
    used_spaces True when spaces were taken as the separators that decided the candidates.
    complete    the candidates are exhaustive (no cap or budget hit); when False, values are
                all None.
    """

    values: tuple[int | None, ...]
    candidates: list[tuple[int, ...]]
    used_spaces: bool = False
    complete: bool = True

    @property
    def unique(self) -> bool:
        return self.complete and len(self.candidates) == 1


def _atoms(run: str) -> tuple[str, list[int], list[bool]] | None:
    """(digits, sign at each digit (+1, -1 or 0 = none), space before each digit), or None
    when the run holds anything but digits, spaces and signs directly before a digit."""
    if not isinstance(run, str):
        return None
    t = _prep(run).strip()
    digits: list[str] = []
    signs: list[int] = []
    spaced: list[bool] = []
    sign, space = 0, False
    for ch in t:
        if "0" <= ch <= "9":
            digits.append(ch)
            signs.append(sign)
            spaced.append(space and bool(digits[:-1]))
            sign, space = 0, False
        elif ch == " ":
            space = space or not sign  # a space after a sign separates nothing
        elif ch in "+-":
            if sign:
                return None
            sign = 1 if ch == "+" else -1
        else:
            return None
    if sign or not digits:
        return None
    return "".join(digits), signs, spaced


def decode_free(
    run: str,
    n_parts: int,
    signed_positions: Sequence[int] | None = None,
    limit: int = 1_000,
) -> RowDecoded:
    """Decode a section 二 row (规章, 行政处罚 …) from its run: there is no identity, so only
    the printed separators can decide.

    A sign always starts a number, and a number may carry one only at ``signed_positions``
    (indices into the row, e.g. ``(1,)`` for 本年增/减 in the 2019 layout; None: any position).
    Spaces are trusted only as a whole: when the splits that cut at every space exist, they are
    the candidates (``used_spaces``); otherwise spaces are ignored. ``"12 -3 45"`` is therefore
    (12, -3, 45), while ``"2648-18538"`` fixes only the first cut: 2648, then -1853|8, -185|38,
    -18|538 or -1|8538 are all possible, so only the first value is set.
    """
    empty = RowDecoded(tuple([None] * max(n_parts, 0)), [])
    atoms = _atoms(run)
    if atoms is None or n_parts < 1 or limit < 1:
        return empty
    s, signs, spaced = atoms
    if len(s) > MAX_DIGITS:
        return RowDecoded(empty.values, [], False, False)
    allowed = None if signed_positions is None else frozenset(signed_positions)
    n = len(s)
    budget = _Budget(ROW_BUDGET)

    def enumerate_splits(hard_spaces: bool) -> tuple[list[tuple[int, ...]], bool]:
        must_cut = [bool(signs[i]) or (hard_spaces and spaced[i]) for i in range(n)]
        out: list[tuple[int, ...]] = []
        parts: list[int] = []

        def dfs(pos: int, k: int) -> bool:
            if not budget.spend():
                return False
            sign = signs[pos]
            if sign and allowed is not None and n_parts - k not in allowed:
                return True
            if k == 1:
                if any(must_cut[pos + 1 :]) or (n - pos > 1 and s[pos] == "0"):
                    return True
                out.append((*parts, (sign or 1) * int(s[pos:])))
                return len(out) <= limit
            for end in range(pos + 1, n - k + 2):
                if end - 1 > pos and (must_cut[end - 1] or s[pos] == "0"):
                    break
                parts.append((sign or 1) * int(s[pos:end]))
                ok = dfs(end, k - 1)
                parts.pop()
                if not ok:
                    return False
            return True

        finished = dfs(0, n_parts)
        return out[:limit], finished

    used_spaces = any(spaced)
    cands, finished = enumerate_splits(True) if used_spaces else ([], True)
    if not cands and finished:
        used_spaces = False
        cands, finished = enumerate_splits(False)
    if not finished:
        return RowDecoded(empty.values, cands, used_spaces, False)
    if not cands:
        return RowDecoded(empty.values, [], False, True)
    vals = tuple(_cells([str(i) for i in range(n_parts)], cands).values())
    return RowDecoded(vals, cands, used_spaces, True)
