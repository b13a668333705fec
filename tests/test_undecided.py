"""Cells the parser could not decide are not blanks: the identities they are in are undecided.

A flattened report glues each row's numbers into one digit run; when several splits satisfy
every identity the cells they disagree on are left null and marked undecided. An identity that
involves one is neither passed nor failed (reading ``undecided``), so the parser never accuses
an agency of a difference it cannot see, nor passes a check it cannot evaluate. Printed numbers
that really break an identity still fail it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from ingest import undecided
from ingest.archive import ArchivedReport, Retrieval
from ingest.catalog import CatalogEntry
from ingest.checks import evaluate, evaluate_terms
from ingest.codes import APPLICANT_COLUMNS, application_rows, proactive_layout
from ingest.parse import parse_text
from ingest.render import make_report, render_flat
from ingest.report_check import render as render_check
from ingest.sample import AGENCIES
from ingest.store import RejectedResult, cell_row, result_rows

ZERO = (0, 0, 0, 0, 0, 0, 0)
# every request granted to one applicant: 1|0|10|0|0|0|11 or 10|1|0|0|0|0|11, both satisfy
# every identity of the table
GLUED = (1, 0, 10, 0, 0, 0, 11)


def flat_report(rows: dict[str, tuple], rules: tuple | None = None, seed: int = 1) -> str:
    """A 2021-form report flattened to text, its section 三 as given (other rows 0)."""
    rng = random.Random(seed)
    agency = AGENCIES[0]
    truth = make_report(
        rng,
        agency=agency.name,
        level=agency.level,
        year=2022,
        template_proactive="2021",
        template_applications="2021",
    )
    truth["applications"] = {
        r: dict(zip(APPLICANT_COLUMNS, rows.get(r, ZERO), strict=True))
        for r in application_rows("2021")
    }
    for key in set(truth["narrative"]) & set(truth["applications"]):  # what the text states
        truth["narrative"][key] = truth["applications"][key]["total"]
    if rules is not None:
        truth["proactive"]["rules"] = dict(
            zip(proactive_layout("2021")["rules"], rules, strict=True)
        )
    return render_flat(truth, rng)


def hard(result: dict) -> list[dict]:
    return [c for c in result["checks"] if not c["soft"]]


@pytest.fixture(scope="module")
def ambiguous() -> dict:
    runs = {"new_requests": GLUED, "granted": GLUED, "total_processed": GLUED}
    return parse_text(flat_report(runs, rules=(12, 3, 4)), "ambiguous.txt")


def test_an_ambiguous_section_three_run_leaves_its_identities_undecided(ambiguous):
    open_cells = {
        (u["row"], u["col"]) for u in ambiguous["undecided"] if u["section"] == "applications"
    }
    for row in ("new_requests", "granted", "total_processed"):
        assert ambiguous["applications"][row]["natural_person"] is None
        assert ambiguous["applications"][row]["total"] == 11
        assert {(row, "natural_person"), (row, "research_institution")} <= open_cells
    assert all(u["reason"] == "ambiguous_split" for u in ambiguous["undecided"])
    assert any(i["code"] == "ambiguous_split" for i in ambiguous["issues"])
    checks = {(c["identity"], c["at"]): c for c in hard(ambiguous)}
    # read as blank components (0), these would fail (applicants: 11 vs 0) or pass vacuously
    for key in [("applicants", "granted"), ("ledger", "natural_person")]:
        c = checks[key]
        assert (c["holds"], c["reading"], c["difference"]) == (None, "undecided", None), c
        assert c["undecided"]
    assert checks[("applicants", "granted")]["undecided"] == [
        "granted.commercial_enterprise",
        "granted.natural_person",
        "granted.research_institution",
    ]
    assert [c for c in hard(ambiguous) if c["holds"] is False] == []
    assert not any(i["code"] == "identity_failed" for i in ambiguous["issues"])
    # the decided identities still hold
    assert checks[("ledger", "total")]["holds"] is True


def test_an_ambiguous_section_two_run_is_undecided_not_blank(ambiguous):
    # 1234 splits 1|2|34, 1|23|4 or 12|3|4: no identity links section 二
    rules = ambiguous["proactive"]["rules"]
    assert set(rules.values()) == {None}
    assert {u["col"] for u in ambiguous["undecided"] if u["row"] == "rules"} == set(rules)


def test_printed_numbers_that_break_an_identity_still_fail():
    # one digit per cell: every run splits one way; carried_forward printed one too many
    five = (5, 0, 0, 0, 0, 0, 5)
    runs = {
        "new_requests": five,
        "granted": five,
        "total_processed": five,
        "carried_forward": (1, 0, 0, 0, 0, 0, 1),
    }
    result = parse_text(flat_report(runs), "broken.txt")
    assert result["undecided"] == []
    failed = {(c["identity"], c["at"]) for c in hard(result) if c["holds"] is False}
    assert failed == {("ledger", "natural_person"), ("ledger", "total")}
    assert not any(c["reading"] == "undecided" for c in result["checks"])


def test_a_blank_total_leaves_a_check_open_before_an_undecided_term():
    def granted(total, open_terms=frozenset({("granted", "natural_person")})):
        table = {"granted": {"natural_person": None, "other_org": 2, "total": total}}
        parts = [("granted", "natural_person"), ("granted", "other_org")]
        return evaluate_terms(
            "applicants", "granted", table, [("granted", "total")], parts, undecided=open_terms
        )

    both = granted(None)
    assert both["reading"] == "blank_unknown" and both["undecided"] == ["granted.natural_person"]
    only = granted(5)
    assert (only["lhs"], only["rhs"], only["holds"], only["reading"]) == (5, 2, None, "undecided")
    # the same cell as a printed blank: read as 0, the check fails
    plain = granted(5, frozenset())
    assert (plain["holds"], plain["reading"], plain["undecided"]) == (False, "blank_as_zero", [])


def test_rows_left_out_are_undecided_in_the_tables_that_were_read():
    result = {
        "template": {"applications": "2019"},
        "applications": {"new_requests": dict.fromkeys(APPLICANT_COLUMNS, 1)},
        "reviews": {},
    }
    issues = [
        {"code": "digit_split_failed", "section": "applications", "row": "granted"},
        {
            "code": "row_ambiguous",
            "section": "applications",
            "rows": ["new_requests", "other_total"],
        },
        {"code": "digit_split_failed", "section": "reviews", "rows": ["review"]},  # no table
        {"code": "duplicate_row", "section": "applications", "row": "carried_over"},
    ]
    cells = undecided.left_out_cells(issues, result)
    rows = {(c["row"], c["undecided"]) for c in cells}
    assert rows == {("granted", "digit_split_failed"), ("other_total", "row_ambiguous")}
    assert len(cells) == 2 * len(APPLICANT_COLUMNS)
    assert all(c["value"] is None and c["method"] == undecided.NOT_READ for c in cells)
    # values that fit no row: every row of the table with no values may be theirs
    anywhere = undecided.left_out_cells(
        [{"code": "unmatched_values", "section": "applications"}], result
    )
    assert {c["row"] for c in anywhere} == set(application_rows("2019")) - {"new_requests"}
    result["undecided"] = undecided.listed(cells)
    checks = {(c["identity"], c["at"]): c for c in evaluate(result)}
    assert checks[("applicants", "new_requests")]["reading"] == "printed"
    assert checks[("ledger", "natural_person")]["reading"] == "blank_as_zero"


def test_store_rows_carry_the_marker(ambiguous):
    entry = CatalogEntry("ambiguous.txt", "/nowhere/ambiguous.txt", True, 2)
    archived = ArchivedReport(entry, Retrieval("ambiguous.txt"))
    rows = result_rows(archived, ambiguous, parsed_at=datetime.now(UTC))
    marked = [c for c in rows["cells"] if c["undecided"]]
    assert len(marked) == len(ambiguous["undecided"])
    assert all(c["value"] is None and c["undecided_by"] == "ambiguous_split" for c in marked)
    (report,) = rows["reports"]
    assert report["n_checks_failed"] == 0
    assert report["n_checks_undecided"] == sum(c["reading"] == "undecided" for c in rows["checks"])
    assert report["n_checks_undecided"] > 0
    with pytest.raises(RejectedResult):
        cell_row(
            "r",
            {
                "section": "applications",
                "row": "granted",
                "col": "total",
                "value": 3,
                "method": "digit_split",
                "undecided": "ambiguous_split",
            },
        )


def test_ogi_check_marks_undecided_apart_from_failed(ambiguous):
    out = render_check(ambiguous)
    assert "0 failing" in out and "undecided by the parser" in out
    assert "UNDECIDED applicants at granted" in out and "FAIL" not in out
    assert "?" in out.split("三、收到和处理政府信息公开申请情况")[1].split("\n\n")[0]


def test_values_the_parser_could_not_place_leave_their_rows_undecided():
    # the second run has no readable label and two rows are free for it (row_ambiguous): read
    # as absent (0), carried_over would make the ledger fail at every applicant column
    header = [
        "申请人情况",
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    lines = [
        *header,
        "一、本年新收政府信息公开申请数量",
        *["1"] * 6,
        "6",
        "？？",
        *["2"] * 6,
        "12",
        "三、本年度办理结果",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        *["3"] * 6,
        "18",
    ]
    result = parse_text("\n".join(lines))
    assert set(result["applications"]) == {"new_requests", "partially_granted"}
    (issue,) = [i for i in result["issues"] if i["code"] == "row_ambiguous"]
    assert issue["rows"] == ["carried_over", "granted"]
    assert {(u["row"], u["reason"]) for u in result["undecided"]} == {
        ("carried_over", "row_ambiguous"),
        ("granted", "row_ambiguous"),
    }
    ledger = next(c for c in result["checks"] if c["identity"] == "ledger")
    assert (ledger["at"], ledger["holds"], ledger["reading"]) == (
        "natural_person",
        None,
        "undecided",
    )
    assert ledger["undecided"] == ["carried_over.natural_person"]
    assert not [c for c in result["checks"] if c["holds"] is False]


def test_a_glued_run_no_split_of_which_adds_up_is_kept_as_the_raw_of_its_cells():
    """A source error inside a glued row (its total one more than its parts) leaves no split
    satisfying the identities: the row is left out, and each of its cells keeps the printed run,
    as the cells of an ambiguous split do."""
    broken = (1, 0, 10, 0, 0, 0, 12)
    result = parse_text(flat_report({"granted": broken}), "broken.txt")
    failed = [i for i in result["issues"] if i["code"] == "digit_split_failed"]
    assert [(i["row"], i["raw"]) for i in failed] == [("granted", "101000012")]
    cells = [c for c in result["cells"] if c["row"] == "granted"]
    assert len(cells) == len(APPLICANT_COLUMNS)
    assert {(c["value"], c["raw"], c["method"]) for c in cells} == {
        (None, failed[0]["raw"], undecided.NOT_READ)
    }
