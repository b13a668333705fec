"""Placing runs of applicant-column values in the rows of the application table (section 三).

Text extracted from a PDF does not always print a row's label just before its values: a label
comes out after its values (vertically centred in a tall cell), a long label wraps around them
(the first part before the values, the rest after), and the values of neighbouring rows run
together into one run of 14. So the row of a run is decided over the whole table at once:

* every run is cut into chunks of seven values (a run of another length, or of more than two
  rows, takes rows but gives no values: its cells cannot be told apart);
* each chunk gets the rows named by the labels next to it: the label just before its run (for
  the first chunk of a run), the label just after (for the last chunk), or a label wrapped
  around a run of one chunk. A label printed in the row of its values (a table row, a line of
  pipe or aligned text) is theirs for certain: the text after them is then the next row's, and
  the chunk is never placed in a row its own label does not name;
* chunks take rows of the detected template version in print order (values are always printed
  in row order; every chunk takes a row when it can), choosing the placements that agree with
  the most labels. A label before its values and one after them count the same, except in a
  table that reads as the plain form (no chunk needs a label after its values): there the
  label before decides a tie;
* a chunk is placed only when every best placement puts it in the same row, and that row is
  one its labels name or, when its labels name other rows, those of the chunks across the
  same text (the label after one run is the label before the next). Anything else is left
  out and reported: a value never lands in a row by guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache

from ingest import codes, labels

WIDTH = len(codes.APPLICANT_COLUMNS)
# weights of a label naming a row: its own label (before or around the values), a label after
# the values when that is the exception (LATE); taking a row at all weighs more than all
# labels: every run of values in the table is a row, the labels only decide which rows
OWN, LATE, TAKEN = 1000, 900, 1_000_000
MAX_JOIN = 3  # lines a wrapped label may take
# rows one run of values may hold: a row whose label follows its values runs on from the row
# before (14 values); a longer run has rows with no label at all, or is a table read column
# by column: its values take rows but are not placed
MAX_CHUNKS = 2
UNREAD = "?"  # a label that names no row: it may be any row's


@dataclass
class ValueRun:
    """A run of values in the application table and the text around it."""

    before: tuple[str, ...]  # the text lines since the previous run of values
    tokens: list  # the value tokens (anything with .text)
    after: tuple[str, ...] | None = None  # the text lines up to the next run
    # the last text before the values is in their row (a table row, a line): it is their
    # label, and the text after them is the next row's
    own_label: bool = False


@dataclass
class Placement:
    version: str | None
    rows: list[tuple[str, list]] = field(default_factory=list)  # (row code, 7 tokens)
    # (issue code, message, rows): the rows whose values were left out, None when they may be
    # any row of the table that no values were placed in
    issues: list[tuple[str, str, tuple[str, ...] | None]] = field(default_factory=list)


@dataclass
class _Chunk:
    tokens: list | None  # None: a run whose values cannot be split into rows
    run: int
    first: bool
    last: bool
    named: list[tuple[str, str]] = field(default_factory=list)  # (side, row) of each label


def _chunks(runs: list[ValueRun]) -> list[_Chunk]:
    out = []
    for k, run in enumerate(runs):
        n = len(run.tokens)
        if n and n % WIDTH == 0 and n // WIDTH <= MAX_CHUNKS:
            parts = [run.tokens[i : i + WIDTH] for i in range(0, n, WIDTH)]
        else:
            parts = [None] * max(1, round(n / WIDTH))
        for i, part in enumerate(parts):
            out.append(_Chunk(part, k, i == 0, i == len(parts) - 1))
    return out


def _groups_at(lines: list[str], group: str | None) -> list[str | None]:
    """The disposition group in effect before each line (and after the last one)."""
    out = [group]
    for line in lines:
        opened, _ = labels.split_group_prefix(labels.norm_label(line))
        group = opened or group
        out.append(group)
    return out


def _joinable(part: list[str]) -> bool:
    """Lines that may be one wrapped label: no line after the first starts a new label."""
    return bool(part) and not any(labels.is_numbered(line) for line in part[1:])


def _is_heading(line: str, group: str | None, ctx: _Context) -> bool:
    """A header cell, not a row label: a group label (（三）不予公开), a heading like
    三、本年度办理结果 when it names no row itself, an applicant column, a remark in brackets."""
    t = labels.norm_label(line)
    opened, rest = labels.split_group_prefix(t)
    if opened and not rest:
        return True
    if not labels.core(t) or labels.core(t) in _column_cores():
        return True
    return labels.is_numbered(t) and ctx.match(t, group) is None


@cache
def _column_cores() -> frozenset[str]:
    return frozenset(labels.core(c.label_zh) for c in codes.section("applicant"))


@dataclass
class _Context:
    rows: frozenset[str] | None
    after_dispositions: bool = False

    def match(self, text: str, group: str | None):
        hit = labels.match_application_row(text, group, self.after_dispositions, self.rows)
        return hit[:2] if hit else None


def _best(candidates, ctx: _Context):
    """The best match among candidate labels (lines, group). A label of several lines must
    match no worse than without its last line: a wrapped label does not take in the next
    line when that line is something else."""
    best = None
    for part, group in candidates:
        hit = ctx.match("".join(part), group)
        if hit and len(part) > 1 and (shorter := ctx.match("".join(part[:-1]), group)):
            hit = None if shorter[1] > hit[1] else hit
        if hit and (best is None or hit[1] > best[1]):
            best = hit
        if best and best[1] >= 1.0:
            break
    return best


def _tail(lines: list[str], groups: list, ctx: _Context):
    """The row named by the label that ends the lines (wrapped over up to three of them)."""
    cands = []
    for k in range(1, min(MAX_JOIN, len(lines)) + 1):
        part = lines[-k:]
        if not _joinable(part):
            break
        cands.append((part, groups[len(lines) - k]))
    return _best(cands, ctx)


def _head(lines: list[str], groups: list, ctx: _Context):
    """The row named by the first label of the lines, after any header cells."""
    for s in range(min(MAX_JOIN, len(lines))):
        cands = []
        for k in range(1, min(MAX_JOIN, len(lines) - s) + 1):
            part = lines[s : s + k]
            if not _joinable(part):
                break
            cands.append((part, groups[s]))
        hit = _best(cands, ctx)
        if hit or not _is_heading(lines[s], groups[s], ctx):
            return hit
    return None


def _around(before: list[str], after: list[str], groups: list, ctx: _Context):
    """The row named by a label wrapped around its values: its start before them, the rest
    (continuation lines, never numbered) after."""
    cands = []
    for k1 in range(1, min(2, len(before)) + 1):
        for k2 in range(1, min(2, len(after)) + 1):
            part = before[-k1:] + after[:k2]
            if _joinable(part) and not labels.is_numbered(after[0]):
                cands.append((part, groups[len(before) - k1]))
    return _best(cands, ctx)


def _gather(runs: list[ValueRun], chunks: list[_Chunk], rows: frozenset[str] | None) -> None:
    """Note on each chunk the rows the labels next to it name (among `rows` when given)."""
    group, after_dispositions = None, False
    by_run: dict[int, list[_Chunk]] = {}
    for c in chunks:
        c.named.clear()
        by_run.setdefault(c.run, []).append(c)
    for k, run in enumerate(runs):
        first, last = by_run[k][0], by_run[k][-1]
        found, group = _run_labels(
            run.before,
            () if run.own_label else run.after or (),
            group,
            after_dispositions,
            rows,
            first is last,
        )
        for at_last, side, row in found:
            (last if at_last else first).named.append((side, row))
            if row in codes.DISPOSITION_ROWS:
                after_dispositions = True


@lru_cache(maxsize=1 << 14)
def _run_labels(
    before: tuple[str, ...],
    after: tuple[str, ...],
    group: str | None,
    after_dispositions: bool,
    rows: frozenset[str] | None,
    single: bool,
) -> tuple[tuple[tuple[bool, str, str], ...], str | None]:
    """The rows named by the labels around one run of values, as (on its last chunk, side,
    row), and the group in effect after the text before it. A function of the labels only:
    the same labels come back report after report, so it is memoized."""
    ctx = _Context(rows, after_dispositions)
    before_lines, after_lines = list(before), list(after)
    before_groups = _groups_at(before_lines, group)
    group = before_groups[-1]
    after_groups = _groups_at(after_lines, group)
    found: list[tuple[bool, str, str]] = []
    if tail := _tail(before_lines, before_groups, ctx):
        found.append((False, "before", tail[0]))
    elif single and (hit := _around(before_lines, after_lines, before_groups, ctx)):
        found.append((False, "around", hit[0]))
    elif before_lines and not _is_heading(before_lines[-1], before_groups[-2], ctx):
        found.append((False, "before", UNREAD))  # its own label, too garbled to read?
    if hit := _head(after_lines, after_groups, ctx):
        found.append((True, "after", hit[0]))
    return tuple(found), group


def _version(chunks: list[_Chunk]) -> str:
    """2021 when a label names a row only the 2021 form has ((六) split in three)."""
    named = {row for c in chunks for _side, row in c.named}
    return "2021" if named & _only_2021() else "2019"


@cache
def _only_2021() -> frozenset[str]:
    return frozenset(codes.application_rows("2021")) - frozenset(codes.application_rows("2019"))


def _weights(named: tuple[tuple[str, str], ...], rows: tuple[str, ...], after: int) -> list[int]:
    """The weight of a chunk in each row: its best label naming the row. An unreadable label
    may name any row: it supports them all (so it anchors nothing)."""
    best: dict[str, int] = {}
    for side, r in named:
        w = after if side == "after" else OWN
        if w > best.get(r, 0):
            best[r] = w
    anywhere = best.get(UNREAD, 0)
    return [TAKEN + max(anywhere, best.get(r, 0)) for r in rows]


def _options(
    chunks: list[_Chunk], rows: tuple[str, ...], after: int
) -> tuple[frozenset[int | None], ...]:
    """For each chunk, the rows (indices; None = left out) it takes in some best placement,
    a label after the values weighing `after` (a label before them weighs OWN)."""
    return _placements(tuple(tuple(c.named) for c in chunks), rows, after)


@lru_cache(maxsize=1 << 12)
def _placements(
    named: tuple[tuple[tuple[str, str], ...], ...], rows: tuple[str, ...], after: int
) -> tuple[frozenset[int | None], ...]:
    """`_options` from the labels of the chunks alone (tables of one template repeat them)."""
    m, n = len(named), len(rows)
    weight = [_weights(c, rows, after) for c in named]
    # suffix[i][j]: best score of chunks i.. using rows j..; prefix[i][j]: chunks ..i-1, rows ..j-1
    suffix = [[0] * (n + 1) for _ in range(m + 1)]
    for i in range(m - 1, -1, -1):
        for j in range(n - 1, -1, -1):
            suffix[i][j] = max(
                suffix[i + 1][j], weight[i][j] + suffix[i + 1][j + 1], suffix[i][j + 1]
            )
        suffix[i][n] = suffix[i + 1][n]
    prefix = [[0] * (n + 1) for _ in range(m + 1)]
    for i in range(m):
        for j in range(1, n + 1):
            prefix[i + 1][j] = max(
                prefix[i][j], prefix[i][j - 1] + weight[i][j - 1], prefix[i + 1][j - 1]
            )
    best = suffix[0][0]
    out: list[frozenset[int | None]] = []
    for i in range(m):
        opts: set[int | None] = {
            j for j in range(n) if prefix[i][j] + weight[i][j] + suffix[i + 1][j + 1] == best
        }
        if any(prefix[i][j] + suffix[i + 1][j] == best for j in range(n + 1)):
            opts.add(None)
        out.append(frozenset(opts))
    return tuple(out)


def _decided(chunks: list[_Chunk], rows: tuple[str, ...]) -> tuple[frozenset[int | None], ...]:
    """The options of each chunk. Labels before and after values count the same, unless
    the best placements with labels after values as the exception read the table as the plain
    form: no chunk in a row that only a label after its values names. Then that reading
    breaks the ties."""
    options = _options(chunks, rows, OWN)
    if all(len(o) == 1 for o in options):
        return options
    plain = _options(chunks, rows, LATE)
    late = any(
        j is not None and _only_after(c, rows[j])
        for c, opts in zip(chunks, plain, strict=True)
        for j in opts
    )
    return options if late else plain


def _only_after(chunk: _Chunk, row: str) -> bool:
    sides = {side for side, r in chunk.named if r in (row, UNREAD)}
    return sides == {"after"}


def place_rows(runs: list[ValueRun]) -> Placement:
    """Place the runs of values of one application table in its rows (see the module doc)."""
    chunks = _chunks(runs)
    if not chunks:
        return Placement(None)
    _gather(runs, chunks, None)
    version = _version(chunks)
    rows = codes.application_rows(version)
    _gather(runs, chunks, frozenset(rows))
    options = _decided(chunks, rows)
    taken = [rows[next(iter(o))] if len(o) == 1 and None not in o else None for o in options]
    placement = Placement(version)
    for run in runs:
        if len(run.tokens) > MAX_CHUNKS * WIDTH:
            placement.issues.append(
                (
                    "long_run",
                    f"{len(run.tokens)} values in one run with no row label between them "
                    f"({' '.join(t.text for t in run.tokens[:WIDTH])} …): which row each "
                    "value belongs to cannot be told; left out",
                    None,
                )
            )
    for i, (c, opts) in enumerate(zip(chunks, options, strict=True)):
        if c.tokens is None:
            continue
        if taken[i] is not None and _consistent(i, taken[i], chunks, taken, runs):
            placement.rows.append((taken[i], c.tokens))
            continue
        values = " ".join(t.text for t in c.tokens)
        named = ", ".join(sorted({r for _side, r in c.named} - {UNREAD})) or "no readable label"
        if taken[i] is None:
            fits = tuple(rows[j] for j in sorted(o for o in opts if o is not None))
            placement.issues.append(
                ("row_ambiguous", f"values {values} fit rows {', '.join(fits)}; left out", fits)
                if fits and len(opts) > 1
                else ("unmatched_values", f"values {values} ({named}) fit no row; left out", None)
            )
        else:
            placement.issues.append(
                (
                    "row_label_conflict",
                    f"values {values} are in the place of row {taken[i]} but labelled {named}; "
                    "left out",
                    tuple(dict.fromkeys([taken[i], *(r for _side, r in c.named if r != UNREAD)])),
                )
            )
    return placement


def _consistent(
    i: int, row: str, chunks: list[_Chunk], taken: list[str | None], runs: list[ValueRun]
) -> bool:
    """Whether the labels next to chunk i agree with its row: one of them names it, or each
    names the row of the chunk across the same text (a label between two runs is the label
    after one and before the other: only one of them is its row)."""
    named = [(side, r) for side, r in chunks[i].named if r != UNREAD]
    if not named or any(r == row for _side, r in named):
        return True
    if chunks[i].first and runs[chunks[i].run].own_label:
        return False  # its own label, in its row, names another row
    for side, r in named:
        j = {"before": i - 1, "after": i + 1}.get(side, -1)
        if not 0 <= j < len(chunks) or taken[j] != r:
            return False
        a, b = sorted((chunks[i].run, chunks[j].run))
        if runs[a].after != runs[b].before:  # another run of values stands between them
            return False
    return True
