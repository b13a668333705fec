"""Property tests of the whole parser (ingest.parse.parse_document) on damaged and random input.

Synthetic reports (ingest.render, several renderings) are mutated the ways real files get
damaged: lines deleted, duplicated, swapped, truncated, random digits, CJK text and bytes put
in, and very long digit runs glued to a label. Whatever comes in, the parser returns one result
in the contract shape: a status from the contract set and a list of issues, never an exception
(an internal error would show as status "error" with a non-document reason), and each input
finishes within a generous per-example deadline: digit splitting is bounded by construction
(node budgets, candidate caps, a length above which a run is not searched).

tests/test_digits.py covers the decoders on their own (random runs, adversarial runs).
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.accuracy import synthesize
from ingest.parse import parse_document
from ingest.tables import looks_like_html

STATUSES = {"complete", "partial", "narrative_only", "no_statistics", "error"}
SEVERITIES = {"info", "warning", "error"}
BASE_RENDERINGS = ("flat", "text_cells", "pipe", "pdf_text", "pdf_layout", "html")

# generous: a report parses in well under a second; a blow-up would take minutes
PROPERTY = settings(
    max_examples=50,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _base_documents() -> list[tuple[str, str]]:
    """(name, text) of one synthetic report per base rendering."""
    docs = []
    for index in range(len(BASE_RENDERINGS) * 2):
        _truth, data, name = synthesize(11, index, BASE_RENDERINGS)
        docs.append((name, data.decode("utf-8")))
    return docs


BASE = _base_documents()


def assert_contract(result: dict, *, readable: bool) -> None:
    """The result has the contract's shape; a readable text input never ends in an error."""
    assert isinstance(result, dict)
    assert result["status"] in STATUSES
    assert isinstance(result["issues"], list)
    for issue in result["issues"]:
        assert issue["severity"] in SEVERITIES
        assert isinstance(issue["code"], str) and isinstance(issue["message"], str)
    for section in ("applications", "reviews", "proactive"):
        for row in result[section].values():
            for value in row.values():
                assert value is None or isinstance(value, int | float)
    if result["status"] == "error":
        # only a document that cannot be read ends in an error, never a parser exception
        assert not readable, result.get("error")
        assert result["error"].startswith("DocumentError"), result["error"]


# --- Mutations ---------------------------------------------------------------------------------

CJK = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=12)
DIGITS = st.text(st.sampled_from("0123456789 /—-+."), min_size=1, max_size=40)
LONG_RUN = st.one_of(
    st.integers(200, 3000).map(lambda n: "9" * n),
    st.integers(200, 3000).map(lambda n: "10" * (n // 2)),
    st.tuples(st.integers(100, 600), st.randoms(use_true_random=False)).map(
        lambda a: "".join(a[1].choice("0123456789") for _ in range(a[0]))
    ),
    st.integers(50, 400).map(lambda n: "—" * n),
)
POSITION = st.floats(0, 1, exclude_max=True)

MUTATION = st.one_of(
    st.tuples(st.just("delete"), POSITION),
    st.tuples(st.just("duplicate"), POSITION),
    st.tuples(st.just("swap"), POSITION, POSITION),
    st.tuples(st.just("digits"), POSITION, DIGITS),
    st.tuples(st.just("cjk"), POSITION, CJK),
    st.tuples(st.just("glue"), POSITION, st.one_of(DIGITS, LONG_RUN)),
    st.tuples(st.just("truncate"), POSITION),
)


def mutate(text: str, mutations: list[tuple]) -> str:
    lines = text.splitlines()
    for op, pos, *args in mutations:
        if not lines:
            break
        i = int(pos * len(lines))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = int(args[0] * len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op in ("digits", "cjk"):
            cut = len(lines[i]) // 2
            lines[i] = lines[i][:cut] + args[0] + lines[i][cut:]
        elif op == "glue":  # a run glued after the line's own text, as flattening does
            lines[i] = lines[i] + args[0]
        elif op == "truncate":
            lines = lines[: max(1, i)]
            lines[-1] = lines[-1][: len(lines[-1]) // 2]
    return "\n".join(lines) + "\n"


@PROPERTY
@given(st.sampled_from(BASE), st.lists(MUTATION, min_size=1, max_size=8))
def test_mutated_reports_always_get_a_result(doc, mutations):
    name, text = doc
    result = parse_document(mutate(text, mutations).encode("utf-8"), name)
    assert_contract(result, readable=True)


@PROPERTY
@given(st.sampled_from(BASE), st.binary(min_size=1, max_size=64), POSITION)
def test_reports_with_random_bytes_inside_always_get_a_result(doc, junk, pos):
    name, text = doc
    data = text.encode("utf-8")
    cut = int(pos * len(data))
    result = parse_document(data[:cut] + junk + data[cut:], name)
    assert_contract(result, readable=False)  # the bytes may now start like a PDF or a ZIP


@settings(max_examples=60, deadline=timedelta(seconds=10))
@given(st.binary(max_size=2000))
def test_random_bytes_always_get_a_result(data):
    assert_contract(parse_document(data, "random.bin"), readable=False)


# Lines built from the pieces reports are made of: labels, numbers, blank marks, runs.
LABELS = st.sampled_from(
    [
        "一、本年新收政府信息公开申请数量",
        "（三）不予公开",
        "1.属于国家秘密",
        "（七）总计",
        "四、结转下年度继续办理",
        "行政复议",
        "行政诉讼",
        "结果维持结果纠正其他结果尚未审结总计",
        "规章",
        "行政处罚",
        "信息内容本年制发件数本年废止件数现行有效件数",
        "第二十条第（一）项",
        "政府集中采购",
    ]
)
PIECE = st.one_of(LABELS, DIGITS, LONG_RUN, CJK, st.sampled_from(["|", "  ", "\t", "/", "—"]))


@PROPERTY
@given(st.lists(st.lists(PIECE, min_size=1, max_size=6).map("".join), max_size=60))
def test_random_report_like_text_always_gets_a_result(lines):
    text = "\n".join(lines)
    assert_contract(parse_document(text.encode("utf-8"), "random.txt"), readable=True)


@PROPERTY
@given(st.text(max_size=3000))
def test_random_text_always_gets_a_result(text):
    data = text.encode("utf-8")
    assert_contract(parse_document(data, "random.txt"), readable="\x00" not in text)


@pytest.mark.parametrize("rendering", ["flat", "pdf_layout", "text_cells"])
def test_a_very_long_glued_run_on_every_row_is_bounded(rendering):
    """Every line of a report followed by a long digit run: each run is refused or searched
    within its budget, so the whole report still parses (timing is measured by the benchmark,
    not asserted here: the deadline of the property tests bounds it)."""
    _truth, data, name = synthesize(3, BASE_RENDERINGS.index(rendering), BASE_RENDERINGS)
    rng = random.Random(5)
    lines = [
        line + "".join(rng.choice("0123456789") for _ in range(rng.randint(30, 250)))
        for line in data.decode("utf-8").splitlines()
    ]
    result = parse_document("\n".join(lines).encode("utf-8"), name)
    assert_contract(result, readable=True)


# the characters that decide the markup test: tag letters in both cases, the two characters
# outside ASCII that lower to ASCII letters (İ, the Kelvin sign), and Chinese and Latin text
MARKUP_CHARS = st.sampled_from(
    [*"<>/ htmlbodyaeivkHTMLBODYAEIVK", "İ", "\u212a", "中", "é", "\u0307"]
)


@settings(max_examples=300)
@given(st.text(MARKUP_CHARS, max_size=40))
def test_the_markup_test_finds_what_the_lowered_text_has(text):
    def lowered(t: str) -> bool:  # the test as first written, on text.lower()
        head = t[:2048].lower()
        return (
            "<html" in head
            or "<body" in head
            or "<table" in t[:200_000].lower()
            or ("<div" in head and "</" in head)
        )

    assert looks_like_html(text) == lowered(text)
