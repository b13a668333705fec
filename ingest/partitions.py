"""Report years as the unit of ingest: which partition a catalog entry and its rows belong to.

The partitions are the reporting years from 2019 (the first year of the national template) to
the current year, plus `other`. A catalog entry belongs to the partition of its catalog `year`;
an entry without one, or with a year outside that range, belongs to `other`.

A report found on a listing page (catalog `kind=listing`) belongs to the partition of the year
in its title, or of the listing row's year when its title has none.

The partition has to be known before a report is fetched: refreshing one year must not fetch
every undated report to learn its year. So the year parsed from a report's title never moves
it to another partition (it is still the report's reporting year in the warehouse,
`dim_reports.reporting_year`); give undated entries a catalog year to file them under it.

A partition's rows in the Parquet tables are those of the reports whose `catalog_year` maps to
it, so ingesting a partition replaces exactly them (`rows_in`). Reports on year Y are due by 31
January of Y+1 (agencies) and 31 March of Y+1 (governments): `year_being_published`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Collection, Iterable
from datetime import date
from typing import TYPE_CHECKING, TypeVar

import pyarrow.compute as pc

from ingest.catalog import CatalogEntry

if TYPE_CHECKING:
    from ingest.collect import Collected

FIRST_YEAR = 2019
OTHER = "other"
R = TypeVar("R")


def partition_keys(today: date | None = None) -> tuple[str, ...]:
    """'2019' .. the current year, then 'other'."""
    last = (today or date.today()).year
    return (*(str(y) for y in range(FIRST_YEAR, last + 1)), OTHER)


def partition_of(year: int | None, keys: Collection[str]) -> str:
    """The partition of a catalog year among `keys` ('other' when it has none)."""
    key = OTHER if year is None else str(year)
    return key if key in keys and key != OTHER else OTHER


def entries_in(
    entries: Iterable[CatalogEntry], partitions: Collection[str], keys: Collection[str]
) -> list[CatalogEntry]:
    """The entries belonging to any of `partitions`, and every listing row, in catalog order.

    A listing row is read in every run: the partition of a report found on it is the year in
    the report's title, known only once the listing is read (`reports_in` then keeps those of
    the run's partitions)."""
    chosen = set(partitions)
    return [e for e in entries if e.is_listing or partition_of(e.year, keys) in chosen]


def reports_in(
    archived: Iterable[R], partitions: Collection[str], keys: Collection[str]
) -> list[R]:
    """The archived reports (anything with an `entry`) belonging to any of `partitions`."""
    chosen = set(partitions)
    return [a for a in archived if partition_of(a.entry.year, keys) in chosen]


def collected_in(
    collected: Collected, partitions: Collection[str], keys: Collection[str]
) -> Collected:
    """A batch narrowed to the reports of `partitions` (the listings read for it may have found
    reports of other years), its report counts taken after the filter: `reports`, `archived`,
    `fetch_errors`, and `other_partitions`, the reports left out. The counts of reads (bytes,
    listing pages, failures by class) stay those of every read."""
    reports = reports_in(collected.reports, partitions, keys)
    counts = {
        **collected.counts,
        "reports": len(reports),
        "archived": sum(a.ok for a in reports),
        "fetch_errors": sum(not a.ok for a in reports),
        "other_partitions": len(collected.reports) - len(reports),
    }
    return dataclasses.replace(collected, reports=reports, counts=counts)


def rows_in(partitions: Collection[str], keys: Collection[str]) -> pc.Expression:
    """A filter on a table with a `catalog_year` column: the rows of reports in `partitions`."""
    year = pc.field("catalog_year")
    expression = year.isin([int(p) for p in partitions if p != OTHER])
    if OTHER in partitions:
        years = [int(k) for k in keys if k != OTHER]
        expression = expression | year.is_null() | ~year.isin(years)
    return expression


def _entry_digest(entry: CatalogEntry) -> tuple[str, ...]:
    # the line number is left out: inserting a row above an entry does not change it
    fields = (entry.source, entry.agency, entry.region_code, entry.level, entry.year, entry.kind)
    return tuple("" if f is None else str(f) for f in fields)


def partition_digests(entries: Iterable[CatalogEntry], keys: Collection[str]) -> dict[str, str]:
    """A digest of each partition's entries (every key, empty ones too): a partition whose
    digest changes has entries added, removed or edited."""
    grouped: dict[str, list[tuple[str, ...]]] = {k: [] for k in keys}
    for entry in entries:
        grouped[partition_of(entry.year, keys)].append(_entry_digest(entry))
    return {
        key: hashlib.sha256(repr(sorted(rows)).encode("utf-8")).hexdigest()[:16]
        for key, rows in grouped.items()
    }


def year_being_published(day: date) -> int:
    """The reporting year whose reports appear around `day`: reports on year Y come out in
    Y+1 (due 31 January for agencies, 31 March for governments; late ones all year)."""
    return day.year - 1
