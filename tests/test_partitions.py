"""Year partitions on real files: the mapping of entries and rows to years, the Parquet store
replacing one year's rows, the archive index, and the quality measures behind the checks."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from ingest.archive import ArchivedReport, Retrieval, archive_entry
from ingest.archive_index import IndexMissing, index_path, read_index, write_index
from ingest.catalog import CatalogEntry, read_catalog
from ingest.collect import Collected
from ingest.partitions import (
    OTHER,
    collected_in,
    entries_in,
    partition_digests,
    partition_keys,
    partition_of,
    reports_in,
    rows_in,
    year_being_published,
)
from ingest.pipeline import Previous, stream_tables
from ingest.quality import (
    Thresholds,
    count_by_partition,
    fetch_failures,
    parse_coverage,
    quarantine,
    status_by_partition,
    worst_reports,
)
from ingest.schema import REPORTS, TABLES
from ingest.store import WrittenTable, now_utc, read_table

KEYS = partition_keys(date(2024, 6, 1))


def entry(source: str, year: int | None, line: int = 2, **fields) -> CatalogEntry:
    return CatalogEntry(source, f"/nowhere/{source}", True, line, year=year, **fields)


# --- which partition ---------------------------------------------------------------------------


def test_keys_run_from_2019_to_the_current_year_then_other() -> None:
    assert KEYS == ("2019", "2020", "2021", "2022", "2023", "2024", OTHER)
    assert partition_keys()[-2] == str(date.today().year)


@pytest.mark.parametrize(
    ("year", "key"), [(2019, "2019"), (2024, "2024"), (None, OTHER), (2015, OTHER), (2031, OTHER)]
)
def test_an_entry_goes_to_its_catalog_year_or_other(year: int | None, key: str) -> None:
    assert partition_of(year, KEYS) == key


def test_entries_and_rows_of_partitions() -> None:
    entries = [entry("a", 2019), entry("b", None), entry("c", 2023), entry("d", 2012)]
    assert [e.source for e in entries_in(entries, ["2023", OTHER], KEYS)] == ["b", "c", "d"]
    table = pa.table(
        {
            "report_id": ["a", "b", "c", "d"],
            "catalog_year": pa.array([2019, None, 2023, 2012], pa.int32()),
        }
    )
    assert table.filter(rows_in(["2019"], KEYS))["report_id"].to_pylist() == ["a"]
    assert table.filter(rows_in([OTHER], KEYS))["report_id"].to_pylist() == ["b", "d"]
    assert table.filter(rows_in(KEYS, KEYS)).num_rows == 4


def test_partition_digests_change_where_entries_change() -> None:
    before = partition_digests([entry("a", 2019), entry("b", 2020)], KEYS)
    moved_down = partition_digests([entry("a", 2019, line=9), entry("b", 2020, line=3)], KEYS)
    assert before == moved_down  # a row inserted above changes line numbers only
    edited = partition_digests([entry("a", 2019, agency="甲局"), entry("b", 2020)], KEYS)
    assert [k for k in KEYS if edited[k] != before[k]] == ["2019"]
    removed = partition_digests([entry("a", 2019)], KEYS)
    assert [k for k in KEYS if removed[k] != before[k]] == ["2020"]


def test_year_being_published() -> None:
    assert year_being_published(date(2025, 1, 31)) == 2024
    assert year_being_published(date(2025, 11, 2)) == 2024


# --- the store replaces a partition's rows -----------------------------------------------------


def _archived(small_corpus, raw_dir: Path) -> list[ArchivedReport]:
    return [archive_entry(e, raw_dir) for e in read_catalog(small_corpus.catalog).entries]


def write(
    archived: list[ArchivedReport], parquet: Path, partitions, reuse: bool = True
) -> dict[str, WrittenTable]:
    """Write a batch of `partitions` as the Dagster asset does, merged into the tables."""
    previous = Previous(parquet, reuse=reuse)
    return stream_tables(archived, parquet, previous=previous, replace=rows_in(partitions, KEYS))[1]


def test_a_partition_write_replaces_exactly_that_year(tmp_path: Path, small_corpus) -> None:
    archived = _archived(small_corpus, tmp_path / "raw")
    parquet = tmp_path / "parquet"
    write(archived, parquet, KEYS)
    years = [a.entry.year for a in archived if a.entry.year is not None]
    year = max(set(years), key=years.count)
    key = str(year)
    in_year = [a for a in archived if a.entry.year == year]
    assert len(in_year) >= 2
    first = read_table(parquet, "reports")

    kept = in_year[1:]  # one report of the year left the catalog; the others did not change
    written = write(kept, parquet, [key])

    after = read_table(parquet, "reports")
    gone = in_year[0].entry.report_id
    assert gone not in after["report_id"].to_pylist()
    assert gone not in read_table(parquet, "cells")["report_id"].to_pylist()
    assert after.num_rows == first.num_rows - 1
    assert written["reports"].dropped == len(in_year) and written["reports"].written == len(kept)

    def parsed_at(table: pa.Table, y: int | None) -> dict:
        return {r["report_id"]: r["parsed_at"] for r in table.to_pylist() if r["catalog_year"] != y}

    assert parsed_at(after, year) == parsed_at(first, year)  # other years untouched
    at = {r["report_id"]: r["parsed_at"] for r in after.to_pylist()}
    first_at = {r["report_id"]: r["parsed_at"] for r in first.to_pylist()}
    assert all(at[a.entry.report_id] == first_at[a.entry.report_id] for a in kept)  # reused

    written = write(kept, parquet, [key], reuse=False)  # a rebuild parses the year again
    again = read_table(parquet, "reports")
    assert written["reports"].written == len(kept) and again.num_rows == after.num_rows
    assert parsed_at(again, year) == parsed_at(first, year)
    assert all(
        r["parsed_at"] > at[r["report_id"]] for r in again.to_pylist() if r["catalog_year"] == year
    )


def test_year_by_year_writes_the_tables_of_one_batch(tmp_path: Path, small_corpus) -> None:
    archived = _archived(small_corpus, tmp_path / "raw")
    at_once, by_year = tmp_path / "at_once", tmp_path / "by_year"
    stream_tables(archived, at_once)
    for key in KEYS:
        write(reports_in(archived, [key], KEYS), by_year, [key])

    def rows(parquet: Path, name: str) -> list[tuple]:
        table = read_table(parquet, name).drop_columns(
            [c for c in ("parsed_at",) if c in TABLES[name].names]
        )
        return sorted(tuple(map(str, r.values())) for r in table.to_pylist())

    for name in TABLES:
        assert rows(by_year, name) == rows(at_once, name), name


def test_writers_of_other_years_keep_each_others_rows(tmp_path: Path, small_corpus) -> None:
    archived = _archived(small_corpus, tmp_path / "raw")
    parquet = tmp_path / "parquet"
    years = sorted({partition_of(a.entry.year, KEYS) for a in archived})
    assert len(years) >= 2
    with ThreadPoolExecutor(len(years)) as pool:  # they take turns at the files
        runs = [pool.submit(write, reports_in(archived, [k], KEYS), parquet, [k]) for k in years]
        assert [run.result()["reports"].written for run in runs]
    got = read_table(parquet, "reports")["report_id"].to_pylist()
    assert sorted(got) == sorted(a.entry.report_id for a in archived)


def test_a_report_moved_to_another_year_is_never_twice(tmp_path: Path) -> None:
    old = [archive_entry(entry("r", 2021), tmp_path / "raw")]
    parquet = tmp_path / "parquet"
    write(old, parquet, ["2021"])
    moved = [dataclasses.replace(old[0], entry=entry("r", 2022))]
    write(moved, parquet, ["2022"])
    assert read_table(parquet, "reports")["catalog_year"].to_pylist() == [2022]


def test_a_batch_counts_only_the_reports_of_its_partitions() -> None:
    found = [
        ArchivedReport(entry(s, y, linked_from="list"), Retrieval(s, outcome=outcome))
        for s, y, outcome in (("x", 2021, "error"), ("y", 2022, "ok"), ("z", 2022, "error"))
    ]
    counts = {"reports": 3, "archived": 1, "fetch_errors": 2, "listing_pages": 4}
    narrowed = collected_in(Collected(found, ("list",), "b", counts=counts), ["2022"], KEYS)
    assert [a.entry.source for a in narrowed.reports] == ["y", "z"]
    assert narrowed.counts == {
        "reports": 2,
        "archived": 1,
        "fetch_errors": 1,
        "other_partitions": 1,
        "listing_pages": 4,  # what was read, whatever the year of what it found
    }
    assert narrowed.retired == ("list",)


# --- the archive index -------------------------------------------------------------------------


def test_the_index_round_trips_per_partition(tmp_path: Path, small_corpus) -> None:
    archived = _archived(small_corpus, tmp_path / "raw")
    written = write_index(tmp_path / "index", archived, KEYS, KEYS)
    assert set(written) == set(KEYS) and all(p.is_file() for p in written.values())
    assert {a.entry.source for a in read_index(tmp_path / "index", KEYS)} == {
        a.entry.source for a in archived
    }
    others = read_index(tmp_path / "index", [OTHER])
    assert [a.entry.year for a in others] == [None] * len(others) and others


def test_a_missing_index_names_its_partitions(tmp_path: Path) -> None:
    write_index(tmp_path, [], ["2020"], KEYS)
    index_path(tmp_path, "2022").write_bytes(b"not a pickle")
    with pytest.raises(IndexMissing) as raised:
        read_index(tmp_path, ["2020", "2021", "2022"])
    assert raised.value.partitions == ("2021", "2022")
    assert "2021, 2022" in str(raised.value)


def test_records_outside_the_partitions_written_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="partition 2020"):
        write_index(tmp_path, [ArchivedReport(entry("a", 2020), Retrieval("a"))], ["2021"], KEYS)


# --- quality measures --------------------------------------------------------------------------


def reports_table(rows: list[tuple]) -> pa.Table:
    """(catalog_year, status, fetch_status, n_checks_failed) rows as a reports table."""
    records = []
    for i, (year, status, fetch, failed) in enumerate(rows):
        records.append(
            {
                "report_id": f"r{i:03d}",
                "source": f"reports/{i}.html",
                "catalog_year": year,
                "status": status,
                "fetch_status": fetch,
                "error": "file not found: x" if fetch == "error" else None,
                "n_checks_failed": failed,
                "n_issues": 0,
                "parser_version": "test",
                "parsed_at": now_utc(),
            }
        )
    return pa.Table.from_pylist(records, schema=REPORTS)


def test_parse_coverage_per_year_against_thresholds() -> None:
    table = reports_table(
        [(2020, "complete", "ok", 0)] * 9
        + [(2020, "error", "ok", 0)]  # 10% failed: above 5%
        + [(2021, "complete", "ok", 0)] * 3
        + [(2021, "narrative_only", "ok", 0)]
        + [(2021, "error", "error", 0)]  # a fetch failure is not a parse failure
    )
    verdict = parse_coverage(table, KEYS)
    assert not verdict.passed and "2020 (failed 10%)" in verdict.summary
    rows = {r["partition"]: r for r in verdict.rows}
    assert rows["2021"]["read"] == 4 and rows["2021"]["failed"] == 0
    assert rows["2021"]["complete"] == 0.75 and rows["2021"]["verdict"] == "ok"
    assert verdict.figures == {"reports_read": 14, "parse_failed": 1, "years_below_threshold": 1}
    assert parse_coverage(table, KEYS, Thresholds(max_parse_failed=0.2)).passed
    assert status_by_partition(table, KEYS)[0] == {
        "partition": "2020",
        "reports": 10,
        "complete": 9,
        "partial": 0,
        "narrative_only": 0,
        "no_statistics": 0,
        "error": 1,
    }


def test_entries_counted_by_partition() -> None:
    rows = count_by_partition([2021, None, 2021, 2012], KEYS, failed=[True, False, False, True])
    assert rows == [
        {"partition": "2021", "entries": 2, "failed": 1},
        {"partition": OTHER, "entries": 2, "failed": 1},
    ]


def test_fetch_failures_overall_with_reasons() -> None:
    table = reports_table([(2020, "complete", "ok", 0)] * 19 + [(None, "error", "error", 0)])
    verdict = fetch_failures(table, KEYS)
    assert verdict.passed  # 5% is the threshold itself
    assert verdict.figures == {"entries": 20, "fetch_failed": 1, "failure_rate": 0.05}
    assert verdict.details == [{"reports": 1, "reason": "file not found: x"}]
    assert {r["partition"] for r in verdict.rows} == {"2020", OTHER}
    assert not fetch_failures(table, KEYS, Thresholds(max_fetch_failed=0.01)).passed


def test_quarantine_share_per_year() -> None:
    by_year = [
        {"year": 2020, "with_statistics": 10, "quarantined": 2},
        {"year": 2021, "with_statistics": 20, "quarantined": 1},
        {"year": None, "with_statistics": 0, "quarantined": 0},
    ]
    verdict = quarantine(by_year, [{"report_id": "r1", "reason": "ledger@total"}])
    assert not verdict.passed and "2020 (20%)" in verdict.summary and "2021" not in verdict.summary
    assert verdict.figures == {"with_statistics": 30, "quarantined": 3, "quarantined_share": 0.1}
    assert [r["year"] for r in verdict.rows] == ["2020", "2021", "unknown"]


def test_worst_reports_come_first() -> None:
    table = reports_table(
        [
            (2020, "complete", "ok", 0),  # fine: left out
            (2020, "complete", "ok", 3),
            (2020, "partial", "ok", 0),
            (2020, "error", "error", 0),
            (2020, "complete", "ok", 5),
        ]
    )
    worst = worst_reports(table, top=3)
    assert [r["report_id"] for r in worst] == ["r003", "r002", "r004"]
    assert worst[0]["error"] == "file not found: x"
    assert "r000" not in {r["report_id"] for r in worst_reports(table)}


def test_listing_rows_are_read_in_every_run_and_their_reports_filed_by_year() -> None:
    listing = entry("list", None, kind="listing")
    entries = [entry("a", 2021), listing, entry("b", 2022)]
    assert [e.source for e in entries_in(entries, ["2022"], KEYS)] == ["list", "b"]
    found = [
        ArchivedReport(entry(s, y, linked_from="list"), Retrieval(s))
        for s, y in (("x", 2021), ("y", 2022), ("z", None))
    ]
    assert [a.entry.source for a in reports_in(found, ["2022"], KEYS)] == ["y"]
    assert [a.entry.source for a in reports_in(found, [OTHER], KEYS)] == ["z"]
