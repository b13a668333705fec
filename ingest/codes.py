"""The canonical code list (ingest/data/codes.csv), loaded once.

Everything that names a row, a column, an item or a measure takes it from here: the parser's
label matching, the generator's rendering, the Parquet writer and the dbt dims. The CSV is the
one source of truth; this module adds only the table *layout* (which measures an item has in
each template version), which the CSV cannot express.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CODES_CSV = Path(__file__).with_name("data") / "codes.csv"

TEMPLATES = ("2019", "2021")


@dataclass(frozen=True)
class Code:
    section: str
    group: str
    code: str
    label_zh: str
    label_en: str
    template: str  # "2019", "2021" or "both"

    @property
    def labels(self) -> tuple[str, ...]:
        """Alternative Chinese labels (the CSV separates them with ' / ')."""
        return tuple(p.strip() for p in self.label_zh.split(" / "))

    def in_template(self, version: str) -> bool:
        return self.template in ("both", version)


@cache
def all_codes() -> tuple[Code, ...]:
    with CODES_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Code(r["section"], r["group"], r["code"], r["label_zh"], r["label_en"], r["template"])
            for r in csv.DictReader(fh)
        )


def section(name: str) -> tuple[Code, ...]:
    return tuple(c for c in all_codes() if c.section == name)


@cache
def by_code(section_name: str) -> dict[str, Code]:
    return {c.code: c for c in section(section_name)}


# --- Section 三: applicants (columns) and the application ledger (rows) ---------------------

APPLICANT_COLUMNS: tuple[str, ...] = tuple(c.code for c in section("applicant"))
APPLICANT_PARTS: tuple[str, ...] = tuple(c for c in APPLICANT_COLUMNS if c != "total")

APPLICATION_ROWS: tuple[str, ...] = tuple(c.code for c in section("applications"))
LEDGER_ROWS = ("new_requests", "carried_over", "total_processed", "carried_forward")
DISPOSITION_ROWS: tuple[str, ...] = tuple(c for c in APPLICATION_ROWS if c not in LEDGER_ROWS)


@cache
def application_rows(version: str) -> tuple[str, ...]:
    """Rows of the application table, in print order, for a template version."""
    codes = by_code("applications")
    return tuple(c for c in APPLICATION_ROWS if codes[c].in_template(version))


@cache
def disposition_leaves(version: str) -> tuple[str, ...]:
    """Rows that add up to total_processed (identity 2) in a template version."""
    return tuple(c for c in application_rows(version) if c not in LEDGER_ROWS)


# --- Section 四: reviews and litigation ------------------------------------------------------

REVIEW_GROUPS: tuple[str, ...] = tuple(c.code for c in section("reviews") if c.group == "group")
OUTCOMES: tuple[str, ...] = tuple(c.code for c in section("reviews") if c.group == "outcome")
OUTCOME_PARTS: tuple[str, ...] = tuple(c for c in OUTCOMES if c != "total")

# --- Section 二: proactive disclosure ---------------------------------------------------------

PROACTIVE_ITEMS: tuple[str, ...] = tuple(c.code for c in section("proactive") if c.group == "item")
MEASURES: tuple[str, ...] = tuple(c.code for c in section("proactive") if c.group == "measure")

# The measures printed for each item, in column order, per template version. The 2021 form
# drops other_admin_services and central_procurement, and reduces licensing/penalty/coercion
# to a single decisions column and fees to an amount.
_LAYOUT: dict[str, dict[str, tuple[str, ...]]] = {
    "2019": {
        "rules": ("made", "published", "published_total"),
        "normative_documents": ("made", "published", "published_total"),
        "admin_licensing": ("prior_year_items", "change", "decisions"),
        "other_admin_services": ("prior_year_items", "change", "decisions"),
        "admin_penalty": ("prior_year_items", "change", "decisions"),
        "admin_coercion": ("prior_year_items", "change", "decisions"),
        "admin_fees": ("prior_year_items", "change"),
        "central_procurement": ("procurement_items", "amount_wan_yuan"),
    },
    "2021": {
        "rules": ("issued", "repealed", "in_force"),
        "normative_documents": ("issued", "repealed", "in_force"),
        "admin_licensing": ("decisions",),
        "admin_penalty": ("decisions",),
        "admin_coercion": ("decisions",),
        "admin_fees": ("amount_wan_yuan",),
    },
}


def proactive_layout(version: str) -> dict[str, tuple[str, ...]]:
    """item code -> measure codes, in print order, for a template version."""
    return _LAYOUT[version]


def item_layouts(item: str) -> dict[str, tuple[str, ...]]:
    """template version -> the measures an item prints in it (versions that have the item)."""
    return {v: _LAYOUT[v][item] for v in TEMPLATES if item in _LAYOUT[v]}


def _check_layout() -> None:
    items, measures = set(PROACTIVE_ITEMS), set(MEASURES)
    for version, layout in _LAYOUT.items():
        for item, ms in layout.items():
            assert item in items and by_code("proactive")[item].in_template(version), item
            assert set(ms) <= measures, ms
            for m in ms:
                assert by_code("proactive")[m].in_template(version), (version, m)


_check_layout()
