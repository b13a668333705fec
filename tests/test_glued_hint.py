"""`ingest.parse.glued_hint` is the regular expression it replaces, on any text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.parse import glued_hint

HINT = re.compile(
    r"[^\d\s.,+\-:：/年月日]\s*[+\-]?\d{2,}|[\u3400-\u9fff”\"）)]\s*(?:\d|[/—–―-][/—–―\-\s]*$)"
    r"|^[\d\s/—–―-]{8,}$"
)
# what the test looks at: digits (other scripts' too, and a superscript, which is no \d),
# spaces, signs, marks, the characters that end a label or do not
ALPHABET = list('0123456789 \t\n\u3000\xa0\u2009.,+-:：/年月日—–―”"）)(a规章数量') + [
    "١",
    "²",
    "𝟙",
]


@settings(max_examples=5000, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=16))
def test_the_same_as_the_expression(text: str) -> None:
    assert glued_hint(text) == (HINT.search(text) is not None)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_the_same_on_any_text(text: str) -> None:
    assert glued_hint(text) == (HINT.search(text) is not None)


def test_examples() -> None:
    assert glued_hint("本年新收政府信息公开申请数量640020470")
    assert glued_hint("规章///")
    assert glued_hint("0 0 0 / 1 2 - 3")
    assert not glued_hint("abc 1")
    assert not glued_hint("政府信息公开")
