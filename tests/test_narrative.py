"""Totals stated in the text: thousands separators, and clauses that state there were none.

The text is read after NFKC, where a full-width comma is a comma: a count never starts inside a
longer number (1,024 is not 24), and a count of 0 is stated by a clause whose negation governs
the noun that ends it (本年度未收到政府信息公开申请), never by one about something else
(未发生行政复议被纠错的情况, 未收到申请人的补正材料).
"""

from __future__ import annotations

import pytest

from ingest.narrative import stated_totals, title_info


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2022年共收到政府信息公开申请1,024件，上年结转12件，办结1,030件，结转下年度6件。",
            {
                "new_requests": 1024,
                "carried_over": 12,
                "total_processed": 1030,
                "carried_forward": 6,
            },
        ),
        ("共收到政府信息公开申请１，０２４件均已按时答复。", {"new_requests": 1024}),
        ("本年度未收到政府信息公开申请。", {"new_requests": 0}),
        (
            "本年度没有收到任何政府信息公开申请，未发生因政府信息公开引起的行政复议、行政诉讼案件。",
            {"new_requests": 0, "review_total": 0, "litigation_total": 0},
        ),
        (
            "未发生因政府信息公开工作被申请行政复议和提起行政诉讼的情况。",
            {"review_total": 0, "litigation_total": 0},
        ),
        (
            "全年因政府信息公开被申请行政复议2件，未发生行政诉讼。",
            {"review_total": 2, "litigation_total": 0},
        ),
        ("本年度未发生行政复议案件，行政诉讼1件。", {"review_total": 0, "litigation_total": 1}),
        # a stated number wins over a clause of none about something else
        (
            "本年度共收到政府信息公开申请5件。未收到政府信息公开申请的部门已完成自查。",
            {"new_requests": 5},
        ),
        # none of these states a count
        ("未发生行政复议被纠错的情况。", {}),
        ("没有出现行政诉讼败诉案件。", {}),
        ("未收到申请人的补正材料。", {}),
        ("未收到行政复议申请。", {}),
    ],
)
def test_stated_totals(text: str, expected: dict) -> None:
    assert stated_totals([text]) == expected


@pytest.mark.parametrize(
    "title",
    [
        "青原市生态环境局2022年政府信息公开工作年度报告",
        "2022年青原市生态环境局政府信息公开工作年度报告",
        "青原市生态环境局关于2022年政府信息公开工作的年度报告",
        "青原市生态环境局关于2022年度政府信息公开工作情况的报告",
        "青原市生态环境局政府信息公开工作2022年度报告",
        "青原市生态环境局政府信息公开2022年年报",
    ],
)
def test_agency_and_year_from_every_form_of_title(title: str) -> None:
    assert title_info([title], title) == ("青原市生态环境局", 2022, title)


@pytest.mark.parametrize(
    "line",
    [
        "根据《条例》的规定，特向社会公布青原市生态环境局2022年政府信息公开工作年度报告。",
        "现公布青原市生态环境局2022年政府信息公开工作年度报告。",
        "关于印发《青原市生态环境局2022年政府信息公开工作年度报告》的通知",
    ],
)
def test_the_agency_is_not_the_sentence_that_publishes_its_report(line: str) -> None:
    """A title that names no year (青原市生态环境局信息公开年报) leaves the agency to the
    opening lines, where a verb of publishing comes before it."""
    agency, year, _ = title_info(["信息公开年报", line], "信息公开年报")
    assert (agency, year) == ("青原市生态环境局", 2022)
