"""Glued digit runs (ingest.digits): splitting labels from runs, and decoding runs by identities."""

from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.codes import (
    APPLICANT_COLUMNS,
    APPLICANT_PARTS,
    OUTCOMES,
    REVIEW_GROUPS,
    application_rows,
    disposition_leaves,
    proactive_layout,
)
from ingest.digits import (
    decode_applications,
    decode_free,
    decode_reviews,
    row_candidates,
    split_flat_line,
    split_label_run,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GENEROUS = timedelta(seconds=3)


def glue(values) -> str:
    return "".join(str(v) for v in values)


def as_row(columns, values) -> dict:
    return dict(zip(columns, values, strict=True))


def zeros(n: int = len(APPLICANT_COLUMNS)) -> str:
    return "0" * n


# --- label / run separation -----------------------------------------------------------------


def test_split_label_run_spec_example():
    assert split_label_run("一、本年新收政府信息公开申请数量640020470") == (
        "一、本年新收政府信息公开申请数量",
        "640020470",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("行政处罚2648-18538", ("行政处罚", "2648-18538")),
        ("1.属于国家秘密0 0 0\u00a00 0 0 0", ("1.属于国家秘密", "0 0 0 0 0 0 0")),
        ("３.危及“三安全一稳定”６４００２０４７０", ("3.危及“三安全一稳定”", "640020470")),
        ("（七）总计 12 0 0 0 0 0 12 ", ("(七)总计", "12 0 0 0 0 0 12")),
        ("依据第二十条第(一)项0000000", ("依据第二十条第(一)项", "0000000")),
    ],
)
def test_split_label_run_keeps_label_digits(text, expected):
    assert split_label_run(text) == expected


@pytest.mark.parametrize(
    "text", ["", "640020470", "（三）不予公开 1.属于国家秘密", "采购总金额264434.64", "总计"]
)
def test_split_label_run_none(text):
    assert split_label_run(text) is None


def test_split_flat_line_cuts_rows_and_subrow_numbers():
    line = (
        "一、本年新收政府信息公开申请数量640020470二、上年结转政府信息公开申请数量0000000"
        "三、本年度办理结果（一）予以公开4000004（三）不予公开1.属于国家秘密0000000"
        "2.其他法律行政法规禁止公开0 0 0 0 0 0 0 3.危及“三安全一稳定”0000000"
    )
    assert split_flat_line(line) == [
        ("一、本年新收政府信息公开申请数量", "640020470"),
        ("二、上年结转政府信息公开申请数量", "0000000"),
        ("三、本年度办理结果(一)予以公开", "4000004"),
        ("(三)不予公开1.属于国家秘密", "0000000"),
        ("2.其他法律行政法规禁止公开", "0 0 0 0 0 0 0"),
        ("3.危及“三安全一稳定”", "0000000"),
    ]


def test_split_flat_line_proactive_and_units():
    line = "规章000规范性文件877行政处罚2648-18538政府集中采购5390785元"
    assert split_flat_line(line) == [
        ("规章", "000"),
        ("规范性文件", "877"),
        ("行政处罚", "2648-18538"),
        ("政府集中采购", "5390785元"),
    ]


def test_split_flat_line_leaves_narrative_numbers_in_text():
    text = "全年共收到申请74件,依据《条例》第16条,国办公开办函〔2019〕60号。"
    assert split_flat_line(text) == [(text, "")]
    assert split_flat_line("640020470") == [("", "640020470")]
    assert split_flat_line("") == []


def test_split_flat_line_blank_marks_and_dates():
    assert split_flat_line("一、本年新收政府信息公开申请数量747—21 589") == [
        ("一、本年新收政府信息公开申请数量", "747—21 589")
    ]
    assert split_flat_line("规章———") == [("规章", "———")]
    assert split_flat_line("2.重复申请10—00 01") == [("2.重复申请", "10—00 01")]
    assert split_flat_line("(三)不予公开1.属于国家秘密00—00002.其他法律行政法规禁止公开0") == [
        ("(三)不予公开1.属于国家秘密", "00—0000"),
        ("2.其他法律行政法规禁止公开", "0"),
    ]
    # prose dashes and dates are not runs
    assert split_flat_line("改进措施——加强培训") == [("改进措施——加强培训", "")]
    assert split_flat_line("发布时间2024-03-13来源") == [("发布时间2024-03-13来源", "")]


# --- one row --------------------------------------------------------------------------------


def test_row_candidates_spec_example():
    assert row_candidates("640020470") == [(64, 0, 0, 2, 0, 4, 70)]
    assert row_candidates("64 0 02 0 470") == [(64, 0, 0, 2, 0, 4, 70)]  # stray spaces
    assert row_candidates("６４００２０４７０") == [(64, 0, 0, 2, 0, 4, 70)]


def test_row_candidates_rules():
    assert row_candidates("0000000") == [(0,) * 7]
    assert row_candidates("000000") == []  # too few digits
    assert row_candidates("1000002") == []  # 1 != 2: no split satisfies the identity
    assert row_candidates("12-3") == []  # not a count run
    assert row_candidates("0" * 80) == []  # "00" is not a number
    assert sorted(row_candidates("101000011")) == [(1, 0, 10, 0, 0, 0, 11), (10, 1, 0, 0, 0, 0, 11)]
    assert row_candidates("1234", n_parts=2, total_last=False) == [(1, 234), (12, 34), (123, 4)]
    assert row_candidates("05", n_parts=1) == []
    assert row_candidates("3", n_parts=1) == [(3,)]


def test_row_candidates_reports_truncation():
    many = row_candidates("1" * 12, n_parts=3, total_last=False, limit=5)
    assert len(many) == 5 and many.truncated
    assert not row_candidates("640020470").truncated
    assert row_candidates("9" * 300).truncated  # too long to be a row: not searched


def test_row_candidates_blank_marks():
    # a blank mark is one cell and separates its neighbours; blanks count 0 in the row sum
    assert row_candidates("747—21 589") == [(74, 7, None, 2, 1, 5, 89)]
    assert row_candidates("00/0000") == [(0, 0, None, 0, 0, 0, 0)]
    assert row_candidates("00-0000") == [(0, 0, None, 0, 0, 0, 0)]  # no sign in section 三
    # —— may be one wide mark or two blank cells: the cell count decides
    assert row_candidates("00——0000") == [(0, 0, None, 0, 0, 0, 0)]
    assert row_candidates("0——00000") == [(0, None, 0, 0, 0, 0, 0)]
    assert row_candidates("0——0000") == [(0, None, None, 0, 0, 0, 0)]
    # a blank total leaves the row without an identity: every split is a candidate
    blank_total = row_candidates("1234560/", limit=100)
    assert len(blank_total) > 1 and all(c[-1] is None for c in blank_total)


def test_row_candidates_known_cell_boundaries():
    # cells joined with "|" are separate: only the digits inside a cell may be glued
    assert row_candidates("12|3|0|0|0|0|15") == [(12, 3, 0, 0, 0, 0, 15)]
    assert row_candidates("123|0|0|0|0|15") == [(12, 3, 0, 0, 0, 0, 15)]
    assert row_candidates("0|0|0|0|0|0|0|6") == []  # eight cells for seven columns
    assert row_candidates("6 4 0 0 2 0 4 70") == [(64, 0, 0, 2, 0, 4, 70)]  # spaces are not


def test_numbers_longer_than_a_float_holds_are_not_cells():
    big = "1" + "0" * 20
    assert row_candidates(f"{big}00000{big}") == []
    assert decode_free("9" * 30, 1).candidates == []


@FAST
@given(st.lists(st.integers(0, 5000), min_size=6, max_size=6), st.randoms())
def test_row_candidates_contains_truth(parts, rnd):
    truth = (*parts, sum(parts))
    run = glue(truth)
    for _ in range(rnd.randint(0, 3)):  # &nbsp; residue anywhere
        i = rnd.randint(0, len(run))
        run = run[:i] + " " + run[i:]
    cands = row_candidates(run)
    assert truth in cands
    assert all(sum(c[:-1]) == c[-1] for c in cands)
    assert all(glue(c) == run.replace(" ", "") for c in cands)


# --- whole application tables ----------------------------------------------------------------


@st.composite
def consistent_tables(draw):
    """A random application table that satisfies every identity, in a random template."""
    version = draw(st.sampled_from(["2019", "2021"]))
    count = st.one_of(st.just(0), st.integers(0, 9), st.integers(0, 400))
    width = len(APPLICANT_PARTS)
    table = {leaf: [draw(count) for _ in range(width)] for leaf in disposition_leaves(version)}
    processed = [sum(table[leaf][c] for leaf in table) for c in range(width)]
    forward = [draw(count) for _ in range(width)]
    over = [draw(st.integers(0, processed[c] + forward[c])) for c in range(width)]
    table["total_processed"] = processed
    table["carried_forward"] = forward
    table["carried_over"] = over
    table["new_requests"] = [processed[c] + forward[c] - over[c] for c in range(width)]
    truth = {r: (*table[r], sum(table[r])) for r in application_rows(version)}
    return version, truth


@settings(max_examples=40, deadline=GENEROUS, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_tables(), st.randoms())
def test_decode_consistent_tables(case, rnd):
    version, truth = case
    runs = {}
    for row, values in truth.items():
        run = glue(values)
        if rnd.random() < 0.3:
            i = rnd.randint(0, len(run))
            run = run[:i] + "\u00a0" + run[i:]
        runs[row] = run
    decoded = decode_applications(runs, version)
    assert decoded.complete
    assert decoded.identities == ("ledger", "dispositions")
    assert decoded.solutions >= 1 and not decoded.unsolved
    assert set(decoded.values) == set(truth)
    for row, values in truth.items():
        for col, v in zip(APPLICANT_COLUMNS, values, strict=True):
            assert decoded.values[row][col] in (None, v)
    for entry in decoded.ambiguous:
        assert truth[entry["row"]] in entry["candidates"]
    if decoded.unique:
        assert decoded.values == {r: as_row(APPLICANT_COLUMNS, v) for r, v in truth.items()}
        assert not decoded.ambiguous


def _table(version: str, **rows: str) -> dict[str, str]:
    runs = dict.fromkeys(application_rows(version), zeros())
    runs.update(rows)
    return runs


def test_identities_decide_an_ambiguous_row():
    # granted alone reads 1|0|10|0|0|0|11 or 10|1|0|0|0|0|11; total_processed decides
    runs = _table(
        "2019",
        new_requests="201000012",
        granted="101000011",
        partially_granted="1000001",
        total_processed="201000012",
    )
    assert len(row_candidates(runs["granted"])) == 2
    decoded = decode_applications(runs, "2019")
    assert decoded.unique
    assert decoded.values["granted"] == as_row(APPLICANT_COLUMNS, (1, 0, 10, 0, 0, 0, 11))
    assert decoded.values["total_processed"]["total"] == 12


def test_ambiguity_is_reported_not_guessed():
    # every request granted: new_requests, granted and total_processed carry the same run, and
    # both readings of it satisfy every identity
    run = "101000011"
    runs = _table("2021", new_requests=run, granted=run, total_processed=run)
    decoded = decode_applications(runs, "2021")
    assert decoded.complete and decoded.solutions == 2 and not decoded.unique
    assert {e["row"] for e in decoded.ambiguous} == {"new_requests", "granted", "total_processed"}
    for entry in decoded.ambiguous:
        assert sorted(entry["candidates"]) == [(1, 0, 10, 0, 0, 0, 11), (10, 1, 0, 0, 0, 0, 11)]
    row = decoded.values["granted"]
    assert row["natural_person"] is None and row["commercial_enterprise"] is None
    assert row["research_institution"] is None
    assert row["social_welfare_org"] == 0 and row["total"] == 11
    assert decoded.values["carried_over"] == dict.fromkeys(APPLICANT_COLUMNS, 0)


def test_absent_rows_skip_their_identities():
    decoded = decode_applications({"granted": "101000011"}, "2019")
    assert decoded.identities == ()
    assert decoded.values["granted"]["total"] == 11
    assert decoded.values["granted"]["natural_person"] is None
    assert list(decoded.values) == ["granted"]
    only_ledger = {r: zeros() for r in ("new_requests", "carried_over", "carried_forward")}
    only_ledger["total_processed"] = zeros()
    assert decode_applications(only_ledger, "2021").identities == ("ledger",)


def test_row_breaking_its_identity_is_read_when_its_digits_allow_one_split():
    runs = _table("2019", granted="1000002")  # printed total breaks the applicants identity
    decoded = decode_applications(runs, "2019")
    assert decoded.forced == ["granted"] and decoded.unsolved == []
    assert decoded.values["granted"] == as_row(APPLICANT_COLUMNS, (1, 0, 0, 0, 0, 0, 2))


def test_unsolved_row_is_reported_and_left_blank():
    # 10|0|0|0|0|1|2 or 1|0|0|0|0|0|12: neither adds up, and the digits do not decide
    runs = _table("2019", granted="10000012")
    decoded = decode_applications(runs, "2019")
    assert decoded.unsolved == ["granted"]
    assert decoded.values["granted"] == dict.fromkeys(APPLICANT_COLUMNS)
    assert decoded.identities == ("ledger",)  # dispositions involve the unknown row
    assert decoded.values["total_processed"]["total"] == 0


def test_table_breaking_identities_keeps_row_readings():
    # each row decodes alone, but the ledger fails in print: no joint decoding, nothing fixed
    runs = _table("2019", new_requests="640020470")
    decoded = decode_applications(runs, "2019")
    assert decoded.solutions == 0 and decoded.complete
    assert decoded.values["new_requests"] == as_row(APPLICANT_COLUMNS, (64, 0, 0, 2, 0, 4, 70))


# --- reviews ------------------------------------------------------------------------------------


@FAST
@given(st.lists(st.lists(st.integers(0, 60), min_size=4, max_size=4), min_size=3, max_size=3))
def test_decode_reviews_contains_truth(groups):
    truth = {g: (*v, sum(v)) for g, v in zip(REVIEW_GROUPS, groups, strict=True)}
    decoded = decode_reviews(" ".join(glue(v) for v in truth.values()))  # spaces ignored
    assert decoded.complete and decoded.solutions >= 1
    for g, values in truth.items():
        for o, v in zip(OUTCOMES, values, strict=True):
            assert decoded.values[g][o] in (None, v)
    if decoded.unique:
        assert decoded.values == {g: as_row(OUTCOMES, v) for g, v in truth.items()}


def test_decode_reviews_examples():
    decoded = decode_reviews("0" * 15)
    assert decoded.unique and decoded.values["review"] == dict.fromkeys(OUTCOMES, 0)
    five = decode_reviews("2 1 0 0 3", groups=("litigation_direct",))
    assert five.unique and five.values == {"litigation_direct": as_row(OUTCOMES, (2, 1, 0, 0, 3))}
    broken = decode_reviews("1000120000000000")  # 1+0+0+0 != 12 nor 10+0+0+1 != 2
    assert broken.unsolved == list(REVIEW_GROUPS) and broken.solutions == 0
    printed = decode_reviews("100020000000000")  # 1+0+0+0 != 2, but 15 digits: 15 cells
    assert printed.forced == list(REVIEW_GROUPS) and not printed.unsolved
    assert printed.values["review"] == as_row(OUTCOMES, (1, 0, 0, 0, 2))
    assert decode_reviews("").unsolved == list(REVIEW_GROUPS)


def test_decode_reviews_blank_marks_and_boundaries():
    decoded = decode_reviews("9002112/002301/4")
    assert decoded.unique
    assert decoded.values["review"] == as_row(OUTCOMES, (9, 0, 0, 2, 11))
    assert decoded.values["litigation_direct"] == as_row(OUTCOMES, (2, None, 0, 0, 2))
    assert decoded.values["litigation_after_review"] == as_row(OUTCOMES, (3, 0, 1, None, 4))
    boundaries = decode_reviews("0|0|0|0|0|1|0|0|0|1|20|0|0|2")
    assert boundaries.unique
    assert boundaries.values["litigation_after_review"] == as_row(OUTCOMES, (2, 0, 0, 0, 2))
    assert decode_reviews("1" * 300).complete is False  # too long: not searched
    assert decode_reviews("—" * 15).values["review"] == dict.fromkeys(OUTCOMES)


# --- proactive rows (no identity) ---------------------------------------------------------------


def test_decode_free_sign_fixes_only_the_first_cut():
    measures = proactive_layout("2019")["admin_penalty"]
    signed = (measures.index("change"),)
    decoded = decode_free("2648-18538", len(measures), signed_positions=signed)
    assert decoded.complete and not decoded.unique
    assert (2648, -18, 538) in decoded.candidates
    assert all(c[0] == 2648 and c[1] < 0 for c in decoded.candidates)
    assert decoded.values == (2648, None, None)


def test_decode_free_spaces_are_not_separators():
    # a stray &nbsp; can sit anywhere: "1810+294 1507912" is not 1810|+294|1507912
    spaced = decode_free("12 -3 45", 3, signed_positions=(1,))
    assert sorted(spaced.candidates) == [(12, -34, 5), (12, -3, 45)]
    assert spaced.values == (12, None, None)
    assert sorted(decode_free("1 23", 2).candidates) == [(1, 23), (12, 3)]
    assert decode_free("-5 3", 2, signed_positions=(1,)).candidates == []
    assert decode_free("877", 3).values == (8, 7, 7)
    assert decode_free("+0 05", 2).candidates == []


def test_decode_free_amounts_thousands_blanks_and_units():
    assert decode_free("4560.9632", 1, decimal_positions=(0,)).values == (4560.9632,)
    assert decode_free("4560.9632", 2).candidates == []  # no decimal allowed
    # thousands separators fix where the grouped number starts and ends
    grouped = decode_free("1810+292,204,543", 3, signed_positions=(1,))
    assert sorted(grouped.candidates) == [(1810, 2, 92204543), (1810, 29, 2204543)]
    assert grouped.values == (1810, None, None)
    assert decode_free("1,23,456", 1).candidates == []
    assert decode_free("///", 3).values == (None, None, None)
    assert decode_free("——", 1).unique  # one wide blank mark
    blank_first = decode_free("/-5", 2, signed_positions=(1,))
    assert blank_first.unique and blank_first.values == (None, -5)
    procurement = decode_free("12390785元", 2)
    assert procurement.unit == "元" and not procurement.unique
    assert decode_free("3.5(万元", 1, decimal_positions=(0,)).values == (3.5,)


def test_decode_free_plausible_test_drops_splits():
    def items_not_negative(t):
        return t[0] + t[1] >= 0

    decoded = decode_free("3-25", 2, signed_positions=(1,), plausible=items_not_negative)
    assert decoded.candidates == []  # 3|-25 only, and 3 - 25 < 0
    kept = decode_free("30-25", 2, signed_positions=(1,), plausible=items_not_negative)
    assert kept.unique and kept.values == (30, -25)


# --- bounds and robustness ----------------------------------------------------------------------

ADVERSARIAL = [
    "0" * 80,
    "1" * 60,
    "9" * 60,
    "10" * 40,
    "12" * 30,
    "1" + "0" * 70,
    "".join(random.Random(7).choice("0123456789") for _ in range(60)),
    "".join(random.Random(8).choice("01") for _ in range(70)),
]


@pytest.mark.parametrize("run", ADVERSARIAL, ids=lambda r: r[:6] + f"x{len(r)}")
def test_bounded_time_on_adversarial_runs(run):
    start = time.perf_counter()
    row_candidates(run)
    decode_reviews(run)
    decode_free(run, 3)
    decode_applications(dict.fromkeys(application_rows("2021")[:4], run), "2021")
    assert time.perf_counter() - start < 8


@settings(max_examples=25, deadline=GENEROUS, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="0123456789 ", min_size=20, max_size=90))
def test_bounded_time_on_random_runs(run):
    cands = row_candidates(run)
    assert all(sum(c[:-1]) == c[-1] for c in cands)
    decode_reviews(run)


@FAST
@given(st.text())
def test_never_raises_on_any_text(text):
    split_label_run(text)
    split_flat_line(text)
    row_candidates(text)
    decode_free(text, 3, signed_positions=(1,))
    decode_reviews(text)
    decode_applications({"new_requests": text, "granted": text, "bogus": text}, "2019")
