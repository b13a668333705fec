"""The dbt project built for real against a DuckDB file from a handful of synthetic reports.

The Parquet inputs are written with the explicit schemas of ingest.schema; the parser's checks
come from ingest.checks.evaluate, so the build also proves that the SQL re-implementation of
the identities agrees with the Python one (singular test python_sql_identities_agree).

The large tables are built by report (dbt_project/macros/incremental.sql): the warehouse is
built again after reports were removed, revised and added, and must then hold exactly the
tables a build from scratch gives; a model whose SQL changed is built again in full.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.checks import evaluate
from ingest.codes import (
    APPLICANT_COLUMNS,
    APPLICANT_PARTS,
    OUTCOME_PARTS,
    all_codes,
    application_rows,
    disposition_leaves,
)
from ingest.schema import CELLS, CHECKS, CODES, ISSUES, PARSER_VERSION, REPORTS

DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")

AGENCY_A = "甲市人民政府办公室"
AGENCY_B = "乙县人民政府"
AGENCY_C = "丙区人民政府"


# --- synthetic reports -------------------------------------------------------------------------


def ledger(
    version: str,
    parts: dict[str, tuple[int, int, dict[str, int], int]],
) -> dict[str, dict[str, float | None]]:
    """A section-三 table that reconciles: per applicant column (new, carried_over,
    {disposition leaf: count}, carried_forward); total_processed and the total column are
    derived, every other leaf is printed as 0."""
    leaves = disposition_leaves(version)
    table: dict[str, dict[str, float | None]] = {r: {} for r in application_rows(version)}
    for col in APPLICANT_PARTS:
        new, over, handled, forward = parts.get(col, (0, 0, {}, 0))
        assert set(handled) <= set(leaves)
        processed = sum(handled.values())
        assert new + over == processed + forward, col
        table["new_requests"][col] = new
        table["carried_over"][col] = over
        for leaf in leaves:
            table[leaf][col] = handled.get(leaf, 0)
        table["total_processed"][col] = processed
        table["carried_forward"][col] = forward
    for row in table.values():
        row["total"] = sum(row[c] for c in APPLICANT_PARTS)
    return table


def reviews(**groups: tuple[int | None, ...]) -> dict[str, dict[str, int | None]]:
    """Section 四 groups from (upheld, corrected, other, pending); the total is their sum with
    blanks (None) read as 0."""
    return {
        g: dict(zip(OUTCOME_PARTS, values, strict=True)) | {"total": sum(v or 0 for v in values)}
        for g, values in groups.items()
    }


def result(
    agency: str, year: int, version: str, applications: dict, review_table: dict | None = None
) -> dict:
    return {
        "agency": agency,
        "year": year,
        "template": {"proactive": version, "applications": version},
        "applications": applications,
        "reviews": review_table or {},
        "proactive": {},
        "narrative": {},
        "status": "complete",
    }


@dataclass(frozen=True)
class Fixture:
    results: dict[str, dict]  # report_id -> parse result (the JSON contract)
    failing: str  # the report whose printed ledger does not balance
    blank_total: str  # the report that leaves the 总计 column blank
    undecided: str  # the report with section 三 cells the parser could not decide
    clean: frozenset[str]


def synthetic_reports() -> Fixture:
    r2019 = result(
        AGENCY_A,
        2019,
        "2019",
        ledger(
            "2019",
            {
                "natural_person": (
                    10,
                    2,
                    {"granted": 6, "partially_granted": 2, "other_total": 1},
                    3,
                ),
                "commercial_enterprise": (2, 0, {"granted": 2}, 0),
            },
        ),
        reviews(review=(1, 0, 0, None), litigation_direct=(0, 1, 0, 0)),
    )
    r2019["proactive"] = {
        "rules": {"made": 1, "published": 1, "published_total": 9},
        "central_procurement": {"procurement_items": 5, "amount_wan_yuan": 39.0785},
    }
    r2019["narrative"] = {"new_requests": 12, "review_total": 1}

    # the next year of the same agency: its carried_over (3) = 2019's carried_forward (3)
    r2020 = result(
        AGENCY_A,
        2020,
        "2019",
        ledger("2019", {"natural_person": (5, 3, {"granted": 7}, 1)}),
    )
    # 2021 template; its carried_over (4) does not match 2020's carried_forward (1): soft only
    r2021 = result(
        AGENCY_A,
        2021,
        "2021",
        ledger(
            "2021",
            {
                "natural_person": (6, 4, {"granted": 5, "other_no_correction": 2}, 3),
                "legal_service_org": (1, 0, {"other_other": 1}, 0),
            },
        ),
        reviews(review=(0, 0, 0, 0), litigation_after_review=(1, 0, 0, 1)),
    )

    failing = result(
        AGENCY_B, 2020, "2019", ledger("2019", {"natural_person": (4, 0, {"granted": 4}, 0)})
    )
    # printed carried_forward one too many, in its column and in the total: ledger fails twice
    failing["applications"]["carried_forward"]["natural_person"] = 1
    failing["applications"]["carried_forward"]["total"] = 1

    blank = result(
        AGENCY_B, 2021, "2021", ledger("2021", {"natural_person": (3, 0, {"granted": 3}, 0)})
    )
    for row in blank["applications"].values():
        row["total"] = None

    # a glued run split two ways: new_requests and granted of natural_person undecided (null);
    # read as blanks (0) they would make the ledger and dispositions fail
    split = result(
        AGENCY_C, 2021, "2021", ledger("2021", {"natural_person": (6, 0, {"granted": 6}, 0)})
    )
    undecide(
        split, "applications", ("new_requests", "natural_person"), ("granted", "natural_person")
    )
    # section 二 has no identity: an undecided cell there leaves the report in the facts
    undecide(r2019, "proactive", ("rules", "published"))

    results = {
        "a-2019": r2019,
        "a-2020": r2020,
        "a-2021": r2021,
        "b-2020-ledger": failing,
        "b-2021-blank": blank,
        "c-2021-split": split,
    }
    for r in results.values():
        r["checks"] = evaluate(r)
    return Fixture(
        results=results,
        failing="b-2020-ledger",
        blank_total="b-2021-blank",
        undecided="c-2021-split",
        clean=frozenset({"a-2019", "a-2020", "a-2021"}),
    )


def undecide(r: dict, section: str, *cells: tuple[str, str]) -> None:
    """Leave cells null as the parser does when it cannot decide them, and list them."""
    for row, col in cells:
        r[section][row][col] = None
        r.setdefault("undecided", []).append(
            {"section": section, "row": row, "col": col, "reason": "ambiguous_split"}
        )


# --- Parquet ---------------------------------------------------------------------------------


def cell_rows(report_id: str, r: dict) -> list[dict]:
    rows = []
    undecided = {(u["section"], u["row"], u["col"]): u["reason"] for u in r.get("undecided", [])}
    for section in ("applications", "reviews", "proactive"):
        for row_code, cols in (r.get(section) or {}).items():
            for col_code, value in cols.items():
                why = undecided.get((section, row_code, col_code))
                rows.append(
                    {
                        "report_id": report_id,
                        "section": section,
                        "row_code": row_code,
                        "col_code": col_code,
                        "value": value,
                        "raw": "" if value is None else str(value),
                        "method": "digit_split" if why else "html_table",
                        "undecided": why is not None,
                        "undecided_by": why,
                    }
                )
    for key, value in (r.get("narrative") or {}).items():
        rows.append(
            {
                "report_id": report_id,
                "section": "narrative",
                "row_code": key,
                "col_code": "value",
                "value": value,
                "raw": str(value),
                "method": "narrative",
                "undecided": False,
            }
        )
    return rows


def report_row(report_id: str, r: dict | None, agency: str, year: int) -> dict:
    parsed_at = datetime(2025, 3, 1, tzinfo=UTC)
    if r is None:
        return {
            "report_id": report_id,
            "source": f"https://example.gov.cn/{report_id}.html",
            "catalog_agency": agency,
            "catalog_year": year,
            "status": "error",
            "fetch_status": "error",
            "error": "HTTP 404",
            "parser_version": PARSER_VERSION,
            "parsed_at": parsed_at,
        }
    failed = sum(1 for c in r["checks"] if c["holds"] is False)
    return {
        "report_id": report_id,
        "source": f"https://example.gov.cn/{report_id}.html",
        "sha256": hashlib.sha256(report_id.encode()).hexdigest(),
        "raw_path": f"raw/{report_id}.html",
        "bytes": 1000,
        "title": f"{r['agency']}{r['year']}年政府信息公开工作年度报告",
        "agency": r["agency"],
        "year": r["year"],
        "catalog_agency": r["agency"],
        "catalog_region_code": "140000",
        "catalog_level": "city" if r["agency"] == AGENCY_A else "county",
        "catalog_year": r["year"],
        "template_proactive": r["template"]["proactive"],
        "template_applications": r["template"]["applications"],
        "status": r["status"],
        "fetch_status": "ok",
        "n_cells": len(cell_rows(report_id, r)),
        "n_issues": 0,
        "n_checks_failed": failed,
        "n_checks_undecided": sum(1 for c in r["checks"] if c["reading"] == "undecided"),
        "parser_version": PARSER_VERSION,
        "parsed_at": parsed_at,
    }


def write_parquet(directory: Path, fixture: Fixture) -> None:
    directory.mkdir(parents=True)
    reports = [report_row(rid, r, r["agency"], r["year"]) for rid, r in fixture.results.items()]
    reports.append(report_row("b-2019-missing", None, AGENCY_B, 2019))
    cells = [c for rid, r in fixture.results.items() for c in cell_rows(rid, r)]
    checks = [
        {"report_id": rid, **c, "undecided": c["undecided"] or None}
        for rid, r in fixture.results.items()
        for c in r["checks"]
    ]
    issues = [
        {
            "report_id": fixture.failing,
            "severity": "warning",
            "code": "identity_failed",
            "message": "ledger does not balance",
        }
    ]
    codes = [
        {
            "section": c.section,
            "group": c.group or None,
            "code": c.code,
            "label_zh": c.label_zh,
            "label_en": c.label_en,
            "template": c.template,
            "ordinal": i,
        }
        for i, c in enumerate(all_codes(), start=1)
    ]
    tables = {
        "reports": (reports, REPORTS),
        "cells": (cells, CELLS),
        "checks": (checks, CHECKS),
        "issues": (issues, ISSUES),
        "codes": (codes, CODES),
    }
    for name, (rows, schema) in tables.items():
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), directory / f"{name}.parquet")


# --- the build -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    fixture: Fixture
    database: Path
    run_results: dict
    stdout: str


def dbt(
    args: list[str], tmp: Path, env: dict[str, str], project: Path = DBT_PROJECT
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(DBT),
            *args,
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
        ],
        cwd=project,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **env},
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    tmp = tmp_path_factory.mktemp("dbt")
    fixture = synthetic_reports()
    write_parquet(tmp / "parquet", fixture)
    database = tmp / "ogi.duckdb"
    proc = dbt(
        ["build"],
        tmp,
        {"OGI_PARQUET_DIR": str(tmp / "parquet"), "OGI_DUCKDB_PATH": str(database)},
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    run_results = json.loads((tmp / "target" / "run_results.json").read_text())
    return Build(fixture, database, run_results, proc.stdout)


def query(build: Build, sql: str) -> list[tuple]:
    with duckdb.connect(str(build.database), read_only=True) as con:
        return con.sql(sql).fetchall()


# --- tests -----------------------------------------------------------------------------------


def test_parse_needs_no_parquet(tmp_path: Path) -> None:
    """Orchestration reads the manifest before any data exists."""
    proc = dbt(
        ["parse"],
        tmp_path,
        {
            "OGI_PARQUET_DIR": str(tmp_path / "absent"),
            "OGI_DUCKDB_PATH": str(tmp_path / "absent.duckdb"),
        },
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    assert "model.ogi.fct_applications" in manifest["nodes"]
    assert not (tmp_path / "absent.duckdb").exists()


def test_every_node_succeeds_and_unit_tests_ran(build: Build) -> None:
    with duckdb.connect(str(build.database), read_only=True) as con:
        assert con.sql("select count(*) from dim_reports").fetchone() == (7,)
    results = {r["unique_id"]: r for r in build.run_results["results"]}
    unit = [r for uid, r in results.items() if uid.startswith("unit_test.")]
    assert len(unit) >= 3 and all(r["status"] == "pass" for r in unit)
    assert any("applications_pivot_keeps_blank_cells_null" in uid for uid in results)
    bad = {uid: r["status"] for uid, r in results.items() if r["status"] not in ("success", "pass")}
    # the only non-passing nodes are the warnings that count the inconsistent source reports
    # and the reports with identities the parser could not decide
    assert sorted(bad.values()) == ["warn", "warn"], bad
    warned = {
        name: r["failures"]
        for uid, r in results.items()
        for name in ("inconsistent_source_reports", "parser_undecided_reports")
        if name in uid
    }
    assert warned == {"inconsistent_source_reports": 2, "parser_undecided_reports": 1}
    (guard,) = [r for uid, r in results.items() if "undecided_cells_stay_out_of_facts" in uid]
    assert guard["status"] == "pass"


def test_quarantine_lists_the_reports_whose_identities_do_not_hold(build: Build) -> None:
    rows = dict(query(build, "select report_id, reason from rpt_quarantine"))
    assert set(rows) == {build.fixture.failing, build.fixture.blank_total, build.fixture.undecided}
    assert "ledger@natural_person difference -1 (4 vs 5)" in rows[build.fixture.failing]
    assert "ledger@total difference -1" in rows[build.fixture.failing]
    assert "undecided (blank total)" in rows[build.fixture.blank_total]
    flagged = query(build, "select report_id, is_quarantined from dim_reports order by report_id")
    assert dict(flagged) == {
        "a-2019": False,
        "a-2020": False,
        "a-2021": False,
        "b-2019-missing": False,
        "b-2020-ledger": True,
        "b-2021-blank": True,
        "c-2021-split": True,
    }


def test_undecided_cells_quarantine_without_failing(build: Build) -> None:
    """A cell the parser could not decide is not a blank: the identities it is in are
    undecided (neither passed nor failed), the report is quarantined as undecided, never as
    failing, and its value never reaches a fact table as a blank."""
    fixture = build.fixture
    (row,) = query(
        build,
        "select n_failed, n_undecided, n_parse_undecided, reason from rpt_quarantine "
        f"where report_id = '{fixture.undecided}'",
    )
    n_failed, n_undecided, n_parse, reason = row
    assert (n_failed, n_undecided) == (0, 0) and n_parse == 4
    assert "ledger@natural_person not decided by the parser (new_requests.natural_person)" in reason
    readings = query(
        build,
        'select identity, "at", holds, reading, undecided from rpt_reconciliation '
        f"where report_id = '{fixture.undecided}' and reading = 'undecided' order by 1, 2",
    )
    assert readings == [
        ("applicants", "granted", None, "undecided", "granted.natural_person"),
        ("applicants", "new_requests", None, "undecided", "new_requests.natural_person"),
        ("dispositions", "natural_person", None, "undecided", "granted.natural_person"),
        ("ledger", "natural_person", None, "undecided", "new_requests.natural_person"),
    ]
    assert query(
        build,
        "select n_checks_failed, n_checks_undecided, is_quarantined from dim_reports "
        f"where report_id = '{fixture.undecided}'",
    ) == [(0, 4, True)]
    # section 二: flagged in the facts, the report is not quarantined for it
    assert query(
        build,
        "select report_id, value, undecided from fct_proactive_disclosure "
        "where item = 'rules' and measure = 'published'",
    ) == [("a-2019", None, True)]


def test_facts_exclude_quarantined_reports_which_stay_queryable(build: Build) -> None:
    clean = build.fixture.clean
    for table in ("fct_applications", "fct_dispositions", "fct_reviews", "fct_litigation"):
        ids = {r[0] for r in query(build, f"select distinct report_id from {table}")}
        assert ids <= clean and ids, table
    assert {r[0] for r in query(build, "select distinct report_id from fct_applications")} == clean
    printed = {
        r[0] for r in query(build, "select distinct report_id from int_applications_printed")
    }
    assert printed == clean | {
        build.fixture.failing,
        build.fixture.blank_total,
        build.fixture.undecided,
    }
    # a blank total stays null, it is never read as 0
    (blank,) = query(
        build,
        "select new_requests, total_processed from int_applications_printed "
        f"where report_id = '{build.fixture.blank_total}' and applicant_type = 'total'",
    )
    assert blank == (None, None)


def test_fact_values_and_template_dependent_leaves(build: Build) -> None:
    (row,) = query(
        build,
        "select new_requests, carried_over, total_processed, carried_forward "
        "from fct_applications where report_id = 'a-2019' and applicant_type = 'total'",
    )
    assert row == (12, 2, 11, 3)
    leaves = {
        rid: {
            d
            for (d,) in query(
                build,
                f"select distinct disposition from fct_dispositions where report_id = '{rid}'",
            )
        }
        for rid in ("a-2019", "a-2021")
    }
    assert leaves["a-2019"] == set(disposition_leaves("2019"))
    assert leaves["a-2021"] == set(disposition_leaves("2021"))
    n = query(build, "select count(*) from fct_dispositions where report_id = 'a-2021'")[0][0]
    assert n == len(APPLICANT_COLUMNS) * len(disposition_leaves("2021"))
    assert query(
        build, "select upheld, pending, total from fct_reviews where report_id = 'a-2019'"
    ) == [(1, None, 1)]
    assert query(build, "select report_id, path, total from fct_litigation order by report_id") == [
        ("a-2019", "direct", 1),
        ("a-2021", "after_review", 2),
    ]
    assert query(
        build,
        "select value from fct_proactive_disclosure "
        "where item = 'central_procurement' and measure = 'amount_wan_yuan'",
    ) == [(39.0785,)]


def test_reconciliation_matches_the_python_checks(build: Build) -> None:
    def norm(x):
        return None if x is None else float(x)

    expected = {
        (rid, c["identity"], c["at"]): (
            norm(c["lhs"]),
            norm(c["rhs"]),
            norm(c["difference"]),
            c["holds"],
            c["reading"],
            c["soft"],
            ", ".join(c["undecided"]) or None,
        )
        for rid, r in build.fixture.results.items()
        for c in r["checks"]
    }
    got = {
        (rid, identity, at): tuple(rest)
        for rid, identity, at, *rest in query(
            build,
            'select report_id, identity, "at", lhs, rhs, difference, holds, reading, soft, '
            "undecided from rpt_reconciliation where identity <> 'carry_over'",
        )
    }
    assert got == {k: tuple(v) for k, v in expected.items()}
    readings = {k[1:]: v[4] for k, v in expected.items() if k[0] == "a-2019"}
    assert readings[("outcomes", "review")] == "blank_as_zero"


def test_the_identity_terms_add_up_to_the_checks(build: Build) -> None:
    """int_identity_terms lists the terms that int_identity_checks counts from the cells: summed
    up by the rules of ingest/checks.py (undecided terms included), they give the same checks."""
    from_terms = query(
        build,
        """
        with sides as (
            select
                report_id, identity, "at",
                count(*) as n_terms,
                count(value) as n_printed,
                bool_or(value is null and is_total_like and not is_undecided)
                    as total_is_missing,
                bool_or(is_undecided) as has_undecided,
                sum(value) filter (where side = 'lhs') as lhs,
                sum(value) filter (where side = 'rhs') as rhs
            from int_identity_terms
            group by all
            having count(value) > 0
        )
        select
            report_id, identity, "at",
            round(case when total_is_missing or has_undecided then lhs else coalesce(lhs, 0) end, 6),
            round(case when total_is_missing or has_undecided then rhs else coalesce(rhs, 0) end, 6),
            case
                when total_is_missing then 'blank_unknown'
                when has_undecided then 'undecided'
                when n_printed < n_terms then 'blank_as_zero'
                else 'printed'
            end
        from sides
        order by all
        """,
    )
    checks = query(
        build,
        'select report_id, identity, "at", lhs, rhs, reading from int_identity_checks order by all',
    )
    assert from_terms == checks and len(checks) > 20


def test_carry_over_is_a_soft_cross_year_check(build: Build) -> None:
    rows = query(
        build,
        "select report_id, lhs, rhs, holds, reading, soft, counterpart_report_id "
        "from rpt_reconciliation where identity = 'carry_over' order by report_id",
    )
    assert rows == [
        ("a-2020", 3.0, 3.0, True, "printed", True, "a-2019"),
        ("a-2021", 4.0, 1.0, False, "printed", True, "a-2020"),
        # the 2019 report could not be fetched: nothing to compare with, undecided
        ("b-2020-ledger", 0.0, None, None, "blank_unknown", True, "b-2019-missing"),
        # a blank carried_over total is unknown, not 0
        ("b-2021-blank", None, 1.0, None, "blank_unknown", True, "b-2020-ledger"),
    ]
    quarantined = {r[0] for r in query(build, "select report_id from rpt_quarantine")}
    assert "a-2021" not in quarantined


def test_dimensions(build: Build) -> None:
    assert query(build, "select code from dim_applicant_types order by ordinal") == [
        (c,) for c in APPLICANT_COLUMNS
    ]
    dispositions = {r[0] for r in query(build, "select code from dim_dispositions")}
    assert dispositions == set(disposition_leaves("2019")) | set(disposition_leaves("2021"))
    assert query(
        build,
        "select agency_name, level, first_year, last_year, n_reports from dim_agencies "
        "order by agency_name",
    ) == sorted(
        [
            (AGENCY_A, "city", 2019, 2021, 3),
            (AGENCY_B, "county", 2019, 2021, 3),
            (AGENCY_C, "county", 2021, 2021, 1),
        ]
    )


def test_descriptions_are_persisted_as_comments(build: Build) -> None:
    missing = query(
        build,
        "select table_name, column_name from duckdb_columns() "
        "where schema_name = 'main' and (table_name like 'fct_%' or table_name like 'dim_%' "
        "or table_name like 'rpt_%') and comment is null",
    )
    assert missing == []
    comments = dict(
        query(build, "select table_name, comment from duckdb_tables() where schema_name = 'main'")
    )
    assert "行政复议" in comments["fct_reviews"]


# --- builds by report ------------------------------------------------------------------------


def revised_reports() -> Fixture:
    """The reports as a later run finds them: a-2020 is gone (a-2021 loses the counterpart of
    its carry-over check), b-2020-ledger is republished balanced (it leaves the quarantine) and
    a-2022 is new (its carry-over counterpart is a-2021)."""
    fixture = synthetic_reports()
    results = copy.deepcopy(fixture.results)
    del results["a-2020"]
    balanced = results[fixture.failing]
    balanced["applications"]["carried_forward"]["natural_person"] = 0
    balanced["applications"]["carried_forward"]["total"] = 0
    balanced["checks"] = evaluate(balanced)
    new = copy.deepcopy(results["a-2021"])
    new["year"] = 2022
    results["a-2022"] = new
    return Fixture(
        results=results,
        failing=fixture.failing,
        blank_total=fixture.blank_total,
        undecided=fixture.undecided,
        clean=frozenset({"a-2019", "a-2021", "a-2022", fixture.failing}),
    )


def build_into(
    database: Path,
    parquet: Path,
    tmp: Path,
    project: Path = DBT_PROJECT,
    select: tuple[str, ...] = (),
) -> None:
    """`dbt build` (of `select` only, if given)."""
    env = {"OGI_PARQUET_DIR": str(parquet), "OGI_DUCKDB_PATH": str(database)}
    proc = dbt(["build", *(["--select", *select] if select else [])], tmp, env, project)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]


def copy_warehouse(database: Path, directory: Path) -> Path:
    """A copy of the warehouse file under the same name (its views name their tables with the
    database name, which DuckDB takes from the file name)."""
    directory.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(database, directory / database.name))


def table_differences(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    """Per table of either warehouse: rows only in a, rows only in b (as multisets)."""
    con = duckdb.connect()
    con.execute(f"attach '{a}' as a (read_only)")
    con.execute(f"attach '{b}' as b (read_only)")
    listed = "select table_name from duckdb_tables() where database_name = ?"
    tables = {t for (t,) in con.execute(listed, ["a"]).fetchall()}
    tables |= {t for (t,) in con.execute(listed, ["b"]).fetchall()}
    differences = {}
    for t in sorted(tables):
        try:
            counts = tuple(
                con.execute(
                    f"select count(*) from (select * from {x}.main.{t} "
                    f"except all select * from {y}.main.{t})"
                ).fetchone()[0]
                for x, y in (("a", "b"), ("b", "a"))
            )
        except duckdb.Error as exc:
            differences[t] = (-1, -1)
            print(t, exc)
            continue
        if counts != (0, 0):
            differences[t] = counts
    con.close()
    return differences


def built_in_full(target: Path) -> set[str]:
    """The models the last build created whole, not by appending rows to the table there (the
    statement dbt ran for each model is in target/run)."""
    return {
        path.stem
        for path in (target / "run" / "ogi" / "models").rglob("*.sql")
        if "insert into" not in path.read_text(encoding="utf-8")
    }


@pytest.fixture(scope="module")
def revised(build: Build, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(the warehouse built again on the revised reports, the same built from scratch, the
    target directory of the build again)."""
    tmp = tmp_path_factory.mktemp("revised")
    write_parquet(tmp / "parquet", revised_reports())
    again = copy_warehouse(build.database, tmp / "again")
    build_into(again, tmp / "parquet", tmp / "again")
    scratch = tmp / "scratch" / "ogi.duckdb"
    build_into(scratch, tmp / "parquet", tmp / "scratch")
    return again, scratch, tmp / "again" / "target"


def test_a_build_again_gives_the_tables_of_a_build_from_scratch(revised) -> None:
    again, scratch, _target = revised
    internal = {"_ogi_built_reports", "_ogi_built_models"}
    assert {t: d for t, d in table_differences(again, scratch).items() if t not in internal} == {}
    with duckdb.connect(str(again), read_only=True) as con:
        quarantined = con.sql("select report_id from rpt_quarantine order by all").fetchall()
        assert quarantined == [("b-2021-blank",), ("c-2021-split",)]
        applications = con.sql("select distinct report_id from fct_applications").fetchall()
        assert sorted(r for (r,) in applications) == ["a-2019", "a-2021", "a-2022", "b-2020-ledger"]
        for (table,) in con.sql("select table_name from duckdb_tables()").fetchall():
            columns = {
                c for (c,) in con.sql(f"select column_name from (describe {table})").fetchall()
            }
            if "report_id" in columns:
                gone = con.sql(
                    f"select count(*) from {table} where report_id = 'a-2020'"
                ).fetchone()
                assert gone == (0,), table
        carry = con.sql(
            "select report_id, counterpart_report_id from rpt_reconciliation "
            "where identity = 'carry_over' and report_id like 'a-%' order by report_id"
        ).fetchall()
        assert carry == [("a-2022", "a-2021")]


def test_a_build_again_rewrites_the_rows_of_changed_reports_only(revised) -> None:
    _again, _scratch, target = revised
    rebuilt = built_in_full(target)
    assert (
        not {"stg_cells", "int_identity_checks", "fct_dispositions", "rpt_reconciliation"} & rebuilt
    )
    assert {"dim_reports", "stg_report_fingerprints"} <= rebuilt


def test_a_model_whose_sql_changed_is_built_again_in_full(build: Build, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    model = project / "models" / "intermediate" / "int_reviews_printed.sql"
    model.write_text(model.read_text(encoding="utf-8") + "-- revised\n", encoding="utf-8")
    again = copy_warehouse(build.database, tmp_path / "again")
    selection = ("int_reviews_printed+", "stg_cells", "fct_applications", "int_identity_checks")
    build_into(again, build.database.parent / "parquet", tmp_path, project, selection)
    rebuilt = built_in_full(tmp_path / "target")
    # the model and the models downstream of it, not the others
    assert {"int_reviews_printed", "fct_reviews", "fct_litigation"} <= rebuilt
    assert not {"stg_cells", "fct_applications", "int_identity_checks"} & rebuilt
    assert table_differences(again, build.database).keys() <= {"_ogi_built_models"}


def test_when_most_reports_changed_the_tables_are_built_anew(build: Build, tmp_path: Path) -> None:
    """A new code list changes the fingerprint of every report: building the tables anew costs
    less than rewriting all their rows."""
    parquet = tmp_path / "parquet"
    shutil.copytree(build.database.parent / "parquet", parquet)
    codes = pq.read_table(parquet / "codes.parquet")
    labels = [f"{label} " for label in codes["label_en"].to_pylist()]
    codes = codes.set_column(codes.schema.get_field_index("label_en"), "label_en", [labels])
    pq.write_table(codes.cast(CODES), parquet / "codes.parquet")
    again = copy_warehouse(build.database, tmp_path / "again")
    selection = ("stg_report_fingerprints", "stg_cells", "int_identity_checks", "fct_dispositions")
    build_into(again, parquet, tmp_path, select=(*selection, "stg_codes", "dim_applicant_types"))
    assert set(selection) <= built_in_full(tmp_path / "target")
    with duckdb.connect(str(again), read_only=True) as con:
        assert con.sql(
            "select count(*) from dim_applicant_types where label_en like '% '"
        ).fetchone() == (7,)
