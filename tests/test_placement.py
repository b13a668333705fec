"""Placing runs of values in the rows of the application table when labels are not simply
printed before their values (PDF text): labels after their values, labels wrapped around
them, rows run together; and never guessing when the labels do not decide."""

from __future__ import annotations

import random
from types import SimpleNamespace

from conftest import report_2022

from ingest import codes
from ingest.accuracy import compare
from ingest.parse import parse_text
from ingest.placement import ValueRun, place_rows
from ingest.render import render
from ingest.tables import from_text

ROWS_2019 = codes.application_rows("2019")
LABEL = {
    "new_requests": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "withheld_state_secret": "1.属于国家秘密",
    "withheld_prohibited_by_law": "2.其他法律行政法规禁止公开",
    "other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
}


def runs_of(*items) -> list[ValueRun]:
    """The runs as the parser's walk gives them: each list of numbers is a run of values, the
    strings between runs are the text before one run and after the previous one."""
    runs: list[ValueRun] = []
    text: list[str] = []
    for item in items:
        if isinstance(item, str):
            text.append(item)
            continue
        if runs:
            runs[-1].after = tuple(text)
        runs.append(ValueRun(tuple(text), [SimpleNamespace(text=str(v)) for v in item]))
        text = []
    if runs:
        runs[-1].after = tuple(text)
    return runs


def row(n: int) -> list[int]:
    return [n] * 7


def placed(runs: list[ValueRun]) -> dict[str, str]:
    return {code: tokens[0].text for code, tokens in place_rows(runs).rows}


def test_labels_before_their_values():
    runs = runs_of(
        "申请人情况",
        LABEL["new_requests"],
        row(1),
        LABEL["carried_over"],
        row(2),
        "三、本年度办理结果",
        LABEL["granted"],
        row(3),
    )
    assert placed(runs) == {"new_requests": "1", "carried_over": "2", "granted": "3"}


def test_labels_after_their_values_and_rows_run_together():
    # new_requests before its values, carried_over and granted after theirs: the values of
    # the first two rows make one run of 14
    runs = runs_of(
        LABEL["new_requests"],
        row(1) + row(2),
        LABEL["carried_over"],
        row(3),
        "三、本年度办理结果",
        LABEL["granted"],
        LABEL["partially_granted"],
        row(4),
    )
    assert placed(runs) == {
        "new_requests": "1",
        "carried_over": "2",
        "granted": "3",
        "partially_granted": "4",
    }


def test_a_label_wrapped_around_its_values():
    runs = runs_of(
        LABEL["new_requests"],
        row(1),
        "二、上年结转政府信",
        row(2),
        "息公开申请数量",
        "三、本年度办理结果",
    )
    assert placed(runs) == {"new_requests": "1", "carried_over": "2"}


def test_version_decides_the_rows_of_other_handling():
    # in a 2021 table the group label （六）其他处理, printed after the values of its first
    # row, is not the single row of the 2019 form
    runs = runs_of(
        "（五）不予处理",
        "5.要求行政机关确认或重新出具已获取信息",
        row(1) + row(2),
        "（六）其他处理",
        LABEL["other_no_correction"],
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        row(3),
        "3.其他",
        row(4),
    )
    result = place_rows(runs)
    assert result.version == "2021"
    assert {code: tokens[0].text for code, tokens in result.rows} == {
        "not_processed_confirmation": "1",
        "other_no_correction": "2",
        "other_unpaid_fee": "3",
        "other_other": "4",
    }


def test_values_with_no_readable_label_take_the_only_row_left():
    runs = runs_of(LABEL["new_requests"], row(1), "？？", row(2), LABEL["granted"], row(3))
    assert placed(runs) == {"new_requests": "1", "carried_over": "2", "granted": "3"}


def test_values_whose_row_no_label_decides_are_left_out():
    # the second run has no readable label and two rows are free for it
    runs = runs_of(
        LABEL["new_requests"], row(1), "？？", row(2), LABEL["partially_granted"], row(3)
    )
    result = place_rows(runs)
    got = {code: tokens[0].text for code, tokens in result.rows}
    assert got == {"new_requests": "1", "partially_granted": "3"}
    assert [(code, rows) for code, _, rows in result.issues] == [
        ("row_ambiguous", ("carried_over", "granted"))
    ]


def test_values_whose_label_names_another_row_are_left_out():
    # every row has its values, but one label names a row that is already taken
    labels = [LABEL[r] for r in ("new_requests", "carried_over", "granted", "partially_granted")]
    labels[2] = LABEL["new_requests"]
    items: list = []
    for i, label in enumerate(labels):
        items += [label, row(i + 1)]
    result = place_rows(runs_of(*items))
    got = {code: tokens[0].text for code, tokens in result.rows}
    assert got == {"new_requests": "1", "carried_over": "2", "partially_granted": "4"}
    # the rows it may be: its place, and those the labels around it name
    assert [(code, rows) for code, _, rows in result.issues] == [
        ("row_label_conflict", ("granted", "new_requests", "partially_granted"))
    ]


def test_pdf_text_page_numbers_and_vertical_labels_are_not_values():
    text = "\n".join(
        ["表格", "（", "四", "）", "无", "法", "提", "供", "1.本机关不掌握相关政府信息", "5", "6"]
        + ["", "3", ""]
        + ["7", "（七）总计", "无"]
    )
    rows = from_text(text).rows
    assert ["（四）无法提供"] in rows
    assert ["3"] not in rows
    assert rows[-1] == ["无"]  # a blank cell on its own


def test_text_with_blank_lines_between_all_lines_keeps_lone_numbers():
    text = "\n\n".join(["一、本年新收政府信息公开申请数量", "3", "4", "5"])
    assert from_text(text).rows[1:] == [["3"], ["4"], ["5"]]


def test_review_groups_named_in_brackets():
    header = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    lines = []
    for i, name in enumerate(
        ["行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"], start=1
    ):
        lines += [name, *header, *[str(i)] * 5]
    result = parse_text("\n".join(lines))
    assert {g: v["upheld"] for g, v in result["reviews"].items()} == {
        "review": 1,
        "litigation_direct": 2,
        "litigation_after_review": 3,
    }


def test_a_long_run_of_values_is_left_out():
    # the values of three rows with no label between them: read column by column, perhaps
    runs = runs_of(
        LABEL["new_requests"], row(1) + row(2) + row(3), LABEL["partially_granted"], row(4)
    )
    result = place_rows(runs)
    assert {code: tokens[0].text for code, tokens in result.rows} == {"partially_granted": "4"}
    # which rows the values are is unknown: any row of the table left without values
    assert [(code, rows) for code, _, rows in result.issues] == [("long_run", None)]


def test_rows_printed_out_of_order_with_their_labels_are_not_swapped():
    """Where a row's label is printed in the row of its values (a table row, a pipe or aligned
    line), it is theirs, and the text after them is the next row's: two rows printed in each
    other's place are left out and reported, never read in the place of the other (all the
    identities would hold: nothing would warn a reader)."""
    swapped = 0
    for rendering in ("html", "pipe", "pdf_layout"):
        for seed in range(6):
            truth = report_2022(seed)
            text, ext = render(truth, rendering, "simplified", random.Random(seed))
            lines = text.split("\n")
            a, b = (
                next((i for i, line in enumerate(lines) if key in line), None)
                for key in ("（一）予以公开", "（二）部分公开")
            )
            if a is None or b is None:  # a label split inside its cell
                continue
            lines[a], lines[b] = lines[b], lines[a]
            result = parse_text("\n".join(lines), f"r.{ext}")
            open_cells = {(u["section"], u["row"], u["col"]) for u in result["undecided"]}
            wrong = [w for w in compare(truth, result)["wrong"] if w[0] == "applications"]
            assert [w for w in wrong if tuple(w[:3]) not in open_cells] == [], (rendering, seed)
            swapped += bool(wrong)
    assert swapped >= 10
