"""The reconciliation identities (勾稽关系) evaluated on one parsed report.

The rules, which dbt re-implements independently in SQL (int_identity_terms / rpt_reconciliation)
and a dbt test compares with these results:

* A check is emitted at a position only when at least one of its terms is printed.
* A term is *total-like* when it is in the 总计 column (``total``), or when it is the total the
  dispositions identity checks (``total_processed`` on its left-hand side).
* A term is *undecided* when its cell is one the parser could not decide (`ingest.undecided`:
  an ambiguous split, values it could not place); it is null but not a printed blank.
* If any missing (blank or absent) term that is not undecided is total-like, the source leaves
  the check open: ``holds`` null, ``difference`` null, reading ``blank_unknown``; ``lhs``/``rhs``
  are the sums of the printed terms on each side (null for a side with none).
* Otherwise, if any term is undecided, so is the check: reading ``undecided``, ``holds`` and
  ``difference`` null, ``lhs``/``rhs`` as for ``blank_unknown``. It is neither passed nor failed.
* Otherwise missing terms are read as 0 (reading ``blank_as_zero``), or, when every term is
  printed, reading ``printed``. ``holds`` is ``lhs == rhs``.

Every check lists its undecided terms as ``row.col`` (sorted) in ``undecided``.

Identities (spec numbering):
  1 ledger        at applicant column c: new_requests + carried_over = total_processed + carried_forward
  2 dispositions  at applicant column c: total_processed = sum of the disposition leaves
  3 applicants    at application row r:  total = sum of the six applicant columns
  4 outcomes      at review group g:      total = upheld + corrected + other + pending
  6 narrative     (soft) a total stated in the text = the same total in the tables
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache, lru_cache

from ingest.codes import (
    APPLICANT_COLUMNS,
    APPLICANT_PARTS,
    OUTCOME_PARTS,
    REVIEW_GROUPS,
    disposition_leaves,
)
from ingest.undecided import terms as undecided_terms

Term = tuple[str, str]  # (row_code, col_code)


def _num(x: int | float) -> int | float:
    if type(x) is int:  # most values: a count
        return x
    return int(x) if float(x).is_integer() else round(x, 6)


_NO_ROW: Mapping[str, float | None] = {}


def evaluate_terms(
    identity: str,
    at: str,
    table: Mapping[str, Mapping[str, float | None]],
    lhs_terms: Iterable[Term],
    rhs_terms: Iterable[Term],
    soft: bool = False,
    undecided: frozenset[Term] = frozenset(),
) -> dict | None:
    lhs_terms, rhs_terms = tuple(lhs_terms), tuple(rhs_terms)
    row = table.get
    lv = [(row(r) or _NO_ROW).get(c) for r, c in lhs_terms]
    rv = [(row(r) or _NO_ROW).get(c) for r, c in rhs_terms]
    # missing: a term neither printed nor undecided; total-like: in the 总计 column, or the
    # total the dispositions identity checks (its left-hand side)
    missing = total_missing = False
    if None not in lv and None not in rv:  # every term printed (most identities)
        lhs_printed, rhs_printed = lv, rv
    else:
        lhs_printed = [v for v in lv if v is not None]
        rhs_printed = [v for v in rv if v is not None]
        for terms, values, all_total in (
            (lhs_terms, lv, identity == "dispositions"),
            (rhs_terms, rv, False),
        ):
            for term, v in zip(terms, values, strict=True):
                if v is None and term not in undecided:
                    missing = True
                    total_missing = total_missing or all_total or term[1] == "total"
    if not lhs_printed and not rhs_printed:
        return None
    unknown = (
        sorted({f"{r}.{c}" for r, c in lhs_terms + rhs_terms if (r, c) in undecided})
        if undecided
        else []
    )
    lhs, rhs = sum(lhs_printed), sum(rhs_printed)
    if total_missing or unknown:
        reading = "blank_unknown" if total_missing else "undecided"
        holds, diff = None, None
        lhs_out = _num(lhs) if lhs_printed else None
        rhs_out = _num(rhs) if rhs_printed else None
    else:
        reading = "blank_as_zero" if missing else "printed"
        diff = _num(lhs - rhs)
        holds = abs(lhs - rhs) < 1e-9
        lhs_out, rhs_out = _num(lhs), _num(rhs)
    return {
        "identity": identity,
        "at": at,
        "lhs": lhs_out,
        "rhs": rhs_out,
        "difference": diff,
        "holds": holds,
        "reading": reading,
        "soft": soft,
        "undecided": unknown,
    }


@cache
def _application_identities(version: str) -> tuple[tuple[str, str, tuple, tuple], ...]:
    """(identity, at, lhs terms, rhs terms) of identities 1 and 2 in a template version."""
    leaves = disposition_leaves(version)
    ledger = [
        (
            "ledger",
            c,
            (("new_requests", c), ("carried_over", c)),
            (("total_processed", c), ("carried_forward", c)),
        )
        for c in APPLICANT_COLUMNS
    ]
    dispositions = [
        ("dispositions", c, (("total_processed", c),), tuple((r, c) for r in leaves))
        for c in APPLICANT_COLUMNS
    ]
    return tuple(ledger + dispositions)


@lru_cache(maxsize=256)
def _applicant_identity(row: str) -> tuple[str, str, tuple, tuple]:
    """Identity 3 at an application row."""
    return ("applicants", row, ((row, "total"),), tuple((row, c) for c in APPLICANT_PARTS))


@cache
def _outcome_identities() -> tuple[tuple[str, str, tuple, tuple], ...]:
    """Identity 4 at each review group."""
    return tuple(
        ("outcomes", g, ((g, "total"),), tuple((g, o) for o in OUTCOME_PARTS))
        for g in REVIEW_GROUPS
    )


def evaluate(result: Mapping) -> list[dict]:
    """All identity checks for a parsed report (the `checks` list of the parse contract)."""
    checks: list[dict | None] = []
    apps = result.get("applications") or {}
    if apps:
        open_apps = undecided_terms(result, "applications")
        version = (result.get("template") or {}).get("applications") or "2019"
        for identity, at, lhs, rhs in _application_identities(version):
            checks.append(evaluate_terms(identity, at, apps, lhs, rhs, undecided=open_apps))
        for r in apps:
            identity, at, lhs, rhs = _applicant_identity(r)
            checks.append(evaluate_terms(identity, at, apps, lhs, rhs, undecided=open_apps))
    reviews = result.get("reviews") or {}
    if reviews:
        open_reviews = undecided_terms(result, "reviews")
        for identity, g, lhs, rhs in _outcome_identities():
            if g in reviews:
                checks.append(
                    evaluate_terms(identity, g, reviews, lhs, rhs, undecided=open_reviews)
                )
    checks.extend(narrative_checks(result))
    return [c for c in checks if c is not None]


def narrative_checks(result: Mapping) -> list[dict]:
    """Soft checks: totals stated in the text against the same totals in the tables."""
    narrative = result.get("narrative") or {}
    apps = result.get("applications") or {}
    reviews = result.get("reviews") or {}
    out = []
    for key, value in narrative.items():
        if value is None:
            continue
        if key in apps:
            table_value = apps[key].get("total")
        elif key == "review_total" and "review" in reviews:
            table_value = reviews["review"].get("total")
        elif key == "litigation_total" and (
            "litigation_direct" in reviews or "litigation_after_review" in reviews
        ):
            parts = [
                reviews.get(g, {}).get("total")
                for g in ("litigation_direct", "litigation_after_review")
            ]
            table_value = None if any(p is None for p in parts) else sum(parts)
        else:
            continue
        if table_value is None:
            continue
        out.append(
            {
                "identity": "narrative",
                "at": key,
                "lhs": _num(value),
                "rhs": _num(table_value),
                "difference": _num(value - table_value),
                "holds": abs(value - table_value) < 1e-9,
                "reading": "printed",
                "soft": True,
                "undecided": [],
            }
        )
    return out
