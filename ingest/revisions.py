"""Revised reports: the same source read again with other bytes and other printed values.

Agencies do republish corrected reports at the same address. Nothing is overwritten silently:
when a report's bytes change between two reads and the values parsed from them differ, the new
reading is kept (it is what the source now says) and an issue `revised_report` records which
values changed, from what to what, and the digests of both versions (both stay in the raw
archive). Bytes that change with the same values (a new page chrome, a counter) are not flagged.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

from ingest.store import Row, issue_row

CODE = "revised_report"
SHOWN = 5  # changed values listed in the message

Key = tuple[str, str, str]
UNDECIDED = "undecided"  # a value printed but not decided by the parser (not a blank)


def _values(cells: pa.Table, report_id: str) -> dict[Key, float | str | None]:
    mine = cells.filter(pc.equal(cells["report_id"], report_id))
    return {
        (s, r, c): UNDECIDED if open_ else v
        for s, r, c, v, open_ in zip(
            mine["section"].to_pylist(),
            mine["row_code"].to_pylist(),
            mine["col_code"].to_pylist(),
            mine["value"].to_pylist(),
            mine["undecided"].to_pylist(),
            strict=True,
        )
    }


def _show(v: float | str | None) -> str:
    if v is None:
        return "blank"
    if isinstance(v, str):
        return v
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def revision_issues(
    changed: Mapping[str, tuple[str, str]], old_cells: pa.Table | None, new_cells: pa.Table
) -> list[Row]:
    """Issue rows for the reports whose values differ between their previous cells and the new
    ones. `changed` maps report_id -> (previous sha256, new sha256) of the reports whose bytes
    changed; `old_cells` holds (at least) their previous cells."""
    rows: list[Row] = []
    if old_cells is None or not changed:
        return rows
    for report_id, (old_sha, new_sha) in changed.items():
        before, after = _values(old_cells, report_id), _values(new_cells, report_id)
        if not before:
            continue  # nothing was read before: a first reading, not a revision
        diffs = [
            f"{'/'.join(k)} {_show(before.get(k))}→{_show(after.get(k))}"
            for k in sorted(before.keys() | after.keys())
            if before.get(k) != after.get(k)
        ]
        if not diffs:
            continue
        more = f" and {len(diffs) - SHOWN} more" if len(diffs) > SHOWN else ""
        message = (
            f"the source now has other bytes ({old_sha[:12]} → {new_sha[:12]}) and "
            f"{len(diffs)} changed value(s): {'; '.join(diffs[:SHOWN])}{more}; "
            "the new values are kept, both versions stay in the raw archive"
        )
        rows.append(issue_row(report_id, {"severity": "warning", "code": CODE, "message": message}))
    return rows
