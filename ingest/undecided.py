"""Cells whose value the parser could not decide: unknown because of the parse, not printed blank.

A blank in the source is a fact about the report (kept as null, see "Blank is not zero"). A cell
the parser leaves null because it could not read it is not: its value is printed, only unknown
to us. Such a cell carries `undecided` (the code of the issue that explains it) and an identity
that involves it is undecided, never passed or failed (`ingest.checks`). Two kinds:

* a cell of a row that was read, left null because the splits of a glued run that satisfy every
  identity disagree on it (ambiguous_split; marked where the parser builds the cell);
* every cell of a row of section 三 or 四 whose printed values were seen but not read or not
  placed: a run with no valid split (digit_split_failed), a run of the wrong length
  (cell_count_mismatch), values that fit several rows, no row, or a row labelled otherwise
  (row_ambiguous, unmatched_values, row_label_conflict), a run of many rows with no label
  between them (long_run). The issue names the rows concerned; when it cannot (values that fit
  no row), every row of the table that holds no values may be theirs. These rows stay out of
  the result's tables, their cells are added here with a null value, and with the row's printed
  text as `raw` where the issue knows it is that row's (`raw` of the issue: a glued run, or the
  values of a row with too few or too many), as the cells of an ambiguous split carry their run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ingest import codes

# issues that leave out the printed values of whole rows
LEFT_OUT = frozenset(
    {
        "digit_split_failed",
        "cell_count_mismatch",
        "row_ambiguous",
        "unmatched_values",
        "row_label_conflict",
        "long_run",
    }
)
NOT_READ = "not_read"  # the method of a cell whose values were left out


def _table_shape(section: str, result: Mapping) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(rows, columns) of a section 三 / 四 table."""
    if section == "applications":
        version = (result.get("template") or {}).get("applications") or "2019"
        return codes.application_rows(version), codes.APPLICANT_COLUMNS
    return codes.REVIEW_GROUPS, codes.OUTCOMES


def left_out_cells(issues: Iterable[Mapping], result: Mapping) -> list[dict]:
    """The undecided cells of the rows that `issues` say were left out, in the tables of
    `result` that hold values (a table with nothing read is absent, not blank). A row present in
    the table (read from another printing) keeps its values."""
    out: dict[tuple[str, str, str], dict] = {}
    for issue in issues:
        section = issue.get("section")
        if issue.get("code") not in LEFT_OUT or section not in ("applications", "reviews"):
            continue
        table = result.get(section) or {}
        if not table:
            continue
        rows, columns = _table_shape(section, result)
        named = issue.get("rows") or ([issue["row"]] if issue.get("row") else None)
        for row in named if named is not None else rows:
            if row in table:
                continue
            for col in issue.get("columns") or columns:
                out.setdefault(
                    (section, row, col),
                    {
                        "section": section,
                        "row": row,
                        "col": col,
                        "value": None,
                        "raw": issue.get("raw"),
                        "method": NOT_READ,
                        "undecided": issue["code"],
                    },
                )
    return list(out.values())


def listed(cells: Iterable[Mapping]) -> list[dict]:
    """The `undecided` list of the parse result: section, row, col and reason of every
    undecided cell."""
    return [
        {"section": c["section"], "row": c["row"], "col": c["col"], "reason": c["undecided"]}
        for c in cells
        if c.get("undecided")
    ]


def terms(result: Mapping, section: str) -> frozenset[tuple[str, str]]:
    """The (row, col) of the undecided cells of one section of a parse result."""
    return frozenset(
        (u["row"], u["col"]) for u in result.get("undecided") or () if u["section"] == section
    )
